"""Following investigations into Slack: progress edits from the stored events, then the answer.

For each conversation (a mention, a thread reply, a slash command, an alert episode) one task
reads the investigation's events as the workers store them (woken by the notifier, like the
SSE stream) and edits the progress message in place with the count of tool calls, at most
once per `progress_seconds`. When the `answer` (or `error`) arrives, the answer is posted in
the thread (or to the slash command's `response_url`) and its `ts` recorded: only
conversations without one are resumed after a restart, so an answer is posted once. A follower
holds a lease on its conversation (renewed like a worker's), so with several replicas one
answers, and another takes over when that one dies.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from holmes.server.services import Services
from holmes.server.slack.blocks import SlackMessage, answer_messages, error_message, progress_text
from holmes.server.slack.poster import SlackPoster
from holmes.server.slack.settings import SlackSettings
from holmes.server.store.slack_repository import SlackConversation, SlackStore

log = logging.getLogger("holmes.server.slack")

RESPONDED = "response_url"  # answer_ts of a slash command: no message ts exists


class Progress:
    """What the events said so far: tool calls, the last tool, and how it ended."""

    def __init__(self) -> None:
        self.after = 0
        self.tool_calls = 0
        self.last_tool: str | None = None
        self.ended = False

    def read(self, events: list[Any]) -> bool:
        """Take new events; True when the tool-call count changed."""
        before = self.tool_calls
        for event in events:
            self.after = event.id
            if event.kind == "started":  # a resumed attempt starts over
                self.tool_calls, self.last_tool = 0, None
            elif event.kind == "tool_started":
                self.tool_calls += 1
                self.last_tool = str(event.data.get("tool") or "") or None
            elif event.kind in ("answer", "error"):
                self.ended = True
        return self.tool_calls != before


class Responder:
    """Posts progress and answers for the Slack conversations of one app."""

    def __init__(
        self,
        settings: SlackSettings,
        services: Services,
        poster: SlackPoster,
        slack_store: SlackStore,
    ) -> None:
        self.settings, self.services = settings, services
        self.poster, self.slack_store = poster, slack_store
        self.owner = services.owner
        self._following: dict[str, asyncio.Task[None]] = {}

    def follow(self, conversation: SlackConversation) -> None:
        """Answer `conversation` in the background (unless this replica already does)."""
        investigation_id = conversation.investigation_id
        if investigation_id in self._following:
            return
        task = asyncio.create_task(self._guarded(conversation))
        self._following[investigation_id] = task
        task.add_done_callback(lambda _: self._following.pop(investigation_id, None))

    async def resume(self) -> int:
        """Follow the unanswered conversations no live replica follows (at start, then on each
        sweep: a dead replica's conversations are taken over once its lease expires)."""
        pending = await asyncio.to_thread(self.slack_store.unfollowed)
        for conversation in pending:
            self.follow(conversation)
        return len(pending)

    async def stop(self) -> None:
        """Cancel the followers and release their leases: the next start resumes them."""
        following = dict(self._following)
        for task in following.values():
            task.cancel()
        await asyncio.gather(*following.values(), return_exceptions=True)
        await asyncio.to_thread(self.slack_store.release, list(following), self.owner)

    async def _guarded(self, conversation: SlackConversation) -> None:
        investigation_id = conversation.investigation_id
        lease = self.services.settings.lease_seconds
        if not await asyncio.to_thread(
            self.slack_store.follow, investigation_id, self.owner, lease
        ):
            return  # another replica follows it
        renewing = asyncio.create_task(self._renew(investigation_id, lease))
        try:
            await self._follow(conversation)
        except asyncio.CancelledError:
            raise
        except Exception:  # logged; the conversation is taken up again when the lease expires
            log.exception("answering investigation %s in Slack failed", investigation_id)
        finally:
            renewing.cancel()

    async def _renew(self, investigation_id: str, lease: float) -> None:
        while True:
            await asyncio.sleep(lease / 3)
            try:
                await asyncio.to_thread(
                    self.slack_store.follow, investigation_id, self.owner, lease
                )
            except Exception:  # a store hiccup: the lease still has two thirds to run
                log.exception("renewing the Slack lease of %s failed", investigation_id)

    async def _follow(self, conversation: SlackConversation) -> None:
        store, notifier = self.services.store, self.services.notifier
        investigation_id = conversation.investigation_id
        progress = Progress()
        if conversation.kind != "command" and conversation.progress_ts is None:
            await self._post_progress(conversation)
        last_edit, edited = 0.0, 0  # when the progress was last edited, at what count
        period, poll = self.settings.progress_seconds, self.services.settings.poll_seconds
        while True:
            changed = notifier.watch(investigation_id)  # before reading: nothing is missed
            events = await asyncio.to_thread(store.events_after, investigation_id, progress.after)
            progress.read(events)
            if progress.ended:
                break
            if not events:
                record = await asyncio.to_thread(store.get, investigation_id)
                if record is None or record.finished:
                    break
            timeout = poll
            if conversation.progress_ts and edited != progress.tool_calls:
                wait = last_edit + period - time.monotonic()
                if wait <= 0:  # at most one edit per period
                    await self._edit_progress(conversation, progress)
                    last_edit, edited = time.monotonic(), progress.tool_calls
                else:
                    timeout = wait
            await notifier.wait(changed, timeout)
        await self._answer(conversation, progress, last_edit)

    async def _post_progress(self, conversation: SlackConversation) -> None:
        if conversation.channel is None:
            return
        text = progress_text(0, None)
        if conversation.kind == "alert":  # the alert's top-level post, its thread's root
            text = f"{_alert_headline(conversation)}\n{text}"
        ts = await self.poster.post(
            conversation.channel, plain(text), thread_ts=conversation.thread_ts
        )
        if ts is not None:
            conversation.progress_ts = ts
            conversation.thread_ts = conversation.thread_ts or ts
            await asyncio.to_thread(
                self.slack_store.update,
                conversation.investigation_id,
                progress_ts=ts,
                thread_ts=conversation.thread_ts,
            )

    async def _edit_progress(
        self, conversation: SlackConversation, progress: Progress, *, done: bool = False
    ) -> None:
        assert conversation.channel and conversation.progress_ts
        text = progress_text(progress.tool_calls, progress.last_tool, done=done)
        if conversation.kind == "alert":
            text = f"{_alert_headline(conversation)}\n{text}"
        await self.poster.update(conversation.channel, conversation.progress_ts, plain(text))

    async def _answer(
        self, conversation: SlackConversation, progress: Progress, last_edit: float
    ) -> None:
        record = await asyncio.to_thread(self.services.store.get, conversation.investigation_id)
        if record is None:
            return
        if record.diagnosis is not None:
            note = conversation.note if conversation.kind != "alert" else None  # alerts: headline
            messages = answer_messages(record.diagnosis, record.id, note)
        else:
            messages = [error_message(record.error or "failed", record.id)]
        answer_ts = await self._deliver(conversation, messages)
        if answer_ts is None:
            return  # Slack refused it (logged, counted); the next start tries again
        await asyncio.to_thread(self.slack_store.answered, record.id, answer_ts)
        if conversation.progress_ts and conversation.kind != "command":
            wait = last_edit + self.settings.progress_seconds - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            await self._edit_progress(conversation, progress, done=True)

    async def _deliver(
        self, conversation: SlackConversation, messages: list[SlackMessage]
    ) -> str | None:
        if conversation.kind == "command":
            assert conversation.response_url
            for message in messages:
                if not await self.poster.respond(
                    conversation.response_url, message, public=conversation.public
                ):
                    return None
            return RESPONDED
        assert conversation.channel
        thread = conversation.thread_ts or conversation.progress_ts
        first: str | None = None
        for message in messages:
            ts = await self.poster.post(conversation.channel, message, thread_ts=thread)
            if ts is None:
                return first
            first = first or ts
        return first


def plain(text: str) -> SlackMessage:
    return SlackMessage(
        text=text, blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
    )


def _alert_headline(conversation: SlackConversation) -> str:
    return conversation.note or "An alert fired"
