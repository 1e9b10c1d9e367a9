"""From Slack to investigations: mentions, thread replies and the slash command.

Each one is taken once (`claim_event` on the event id, or the command's trigger id: a retry
finds it taken), queued as an investigation (source `slack`) and followed by the responder.
A reply in a thread holmes answered is a follow-up: with an LLM, in the same conversation
(the thread's first investigation is the checkpointer's conversation); without, a new
investigation whose question adds the reply, which the answer says.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from holmes.server.slack.responder import Responder, plain
from holmes.server.store import NewInvestigation
from holmes.server.store.slack_repository import ConversationKind, SlackConversation

MENTION = re.compile(r"<@[A-Z0-9]+(\|[^>]*)?>")
NO_LLM_FOLLOW_UP = (
    "No LLM on this server: I investigated again, with your reply added to the question."
)
BUSY = "holmes is busy (its queue is full): ask again in a minute."
CONTEXT_MESSAGES = 10  # earlier thread messages given as context to a mention in a thread


def question_text(text: str) -> str:
    """The message without its bot mentions."""
    return MENTION.sub("", text or "").strip()


class Intake:
    """Turns Slack events into queued investigations with a Slack conversation."""

    def __init__(self, responder: Responder) -> None:
        self.responder = responder
        self.services = responder.services
        self.slack_store = responder.slack_store

    async def claim(self, event_id: str | None) -> bool:
        """True the first time this event (or trigger) id is seen."""
        if not event_id:
            return True
        return await asyncio.to_thread(self.slack_store.claim_event, event_id)

    async def mention(self, event: dict[str, Any], event_id: str | None) -> None:
        """`@holmes question`: an investigation answered in the mention's thread."""
        if not await self.claim(event_id):
            return
        channel, ts = event["channel"], event["ts"]
        thread_ts = event.get("thread_ts")
        question = question_text(event.get("text", ""))
        if thread_ts:
            root = await asyncio.to_thread(self.slack_store.thread, channel, thread_ts)
            if root is not None:
                await self._follow_up(root, question, channel, thread_ts)
                return
            question = await self._with_thread(question, channel, thread_ts, ts)
        await self.start("mention", NewInvestigation(source="slack", question=question),
                         channel=channel, thread_ts=thread_ts or ts)  # fmt: skip

    async def reply(self, event: dict[str, Any], event_id: str | None, bot_user_id: str) -> None:
        """A message in a thread holmes answered (not a mention: that is `mention`'s)."""
        thread_ts, channel = event.get("thread_ts"), event.get("channel")
        text = event.get("text") or ""
        if not thread_ts or not channel or event.get("subtype") or event.get("bot_id"):
            return
        if bot_user_id and f"<@{bot_user_id}" in text:
            return  # also delivered as app_mention
        root = await asyncio.to_thread(self.slack_store.thread, channel, thread_ts)
        if root is None or not await self.claim(event_id):
            return
        await self._follow_up(root, question_text(text), channel, thread_ts)

    async def command(self, command: dict[str, Any]) -> None:
        """`/holmes question [--public]`: the answer goes to the command's response_url."""
        if not await self.claim(f"command:{command.get('trigger_id')}"):
            return
        text = command.get("text") or ""
        public = "--public" in text.split()
        question = " ".join(word for word in text.split() if word != "--public")
        await self.start(
            "command",
            NewInvestigation(source="slack", question=question),
            channel=command.get("channel_id"),
            response_url=command.get("response_url"),
            public=public,
        )

    async def start(
        self,
        kind: ConversationKind,
        new: NewInvestigation,
        *,
        channel: str | None,
        thread_ts: str | None = None,
        root_id: str | None = None,
        note: str | None = None,
        response_url: str | None = None,
        public: bool = False,
    ) -> None:
        """Queue `new` and answer it where it was asked."""
        services = self.services
        record = await asyncio.to_thread(
            services.store.submit, new, queue_limit=services.settings.queue_size
        )
        if record is None:
            services.metrics.rejected.inc()
            if channel:
                await self.responder.poster.post(channel, plain(BUSY), thread_ts=thread_ts)
            return
        conversation = SlackConversation(
            investigation_id=record.id, kind=kind, root_id=root_id or record.id,
            channel=channel, thread_ts=thread_ts, response_url=response_url, public=public,
            note=note,
        )  # fmt: skip
        await asyncio.to_thread(self.slack_store.add, conversation)
        services.pool.wake()
        self.responder.follow(conversation)

    async def _follow_up(
        self, root: SlackConversation, reply: str, channel: str, thread_ts: str
    ) -> None:
        first = await asyncio.to_thread(self.services.store.get, root.root_id)
        if self.services.investigator.has_llm and first is not None:
            new = NewInvestigation(source="slack", question=reply, parent_id=root.root_id)
            note = None
        else:
            asked = first.question if first and first.question else ""
            new = NewInvestigation(
                source="slack",
                question=f"{asked}\n{reply}".strip(),
                alert=first.alert if first else None,
                namespace=first.namespace if first else None,
            )
            note = NO_LLM_FOLLOW_UP
        await self.start("reply", new, channel=channel, thread_ts=thread_ts,
                         root_id=root.root_id, note=note)  # fmt: skip

    async def _with_thread(self, question: str, channel: str, thread_ts: str, ts: str) -> str:
        messages = await self.responder.poster.replies(channel, thread_ts)
        earlier = [question_text(m.get("text", "")) for m in messages if m.get("ts") != ts][
            -CONTEXT_MESSAGES:
        ]
        earlier = [line for line in earlier if line]
        if not earlier:
            return question
        context = "\n".join(f"> {line}" for line in earlier)
        return f"{question}\n\nEarlier in the thread:\n{context}"

    async def feedback(self, body: dict[str, Any], action: dict[str, Any]) -> None:
        """A "correct" / "wrong" button: the verdict is stored with the investigation."""
        verdict = "correct" if action.get("action_id", "").endswith("correct") else "wrong"
        investigation_id = str(action.get("value") or "")
        user = (body.get("user") or {}).get("id")
        record = await asyncio.to_thread(
            self.services.store.set_feedback, investigation_id, verdict, "slack", user
        )
        text = (
            f"Thanks: recorded this answer as *{verdict}*."
            if record is not None
            else f"Investigation `{investigation_id}` is not in the store any more."
        )
        if body.get("response_url"):
            await self.responder.poster.respond(
                body["response_url"], plain(text), public=False, replace_original=False
            )
