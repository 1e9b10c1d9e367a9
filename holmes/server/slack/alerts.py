"""Alert investigations in Slack: one thread per alert episode, routed by the alert's labels.

A sweep every `alert_poll_seconds` reads the store: an episode opened since the start (less an
hour) without a conversation gets one (UNIQUE episode id: one replica wins), a top-level post
in the channel the routing table picks, and the answer in its thread. An answered episode
that fired again gets one reply ("still firing, 3rd notification, nothing new"), a resolved
one a "resolved" reply; never a new top-level post for a re-sent alert. The sweep also resumes
unanswered conversations whose follower's lease expired.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime, timedelta

from holmes.server.slack.responder import Responder, plain
from holmes.server.slack.settings import SlackSettings
from holmes.server.store.slack_repository import EpisodeState, SlackConversation, SlackStore

log = logging.getLogger("holmes.server.slack")
UNROUTED = "unrouted"  # answer_ts of an episode no route sends anywhere: never posted
LOOKBACK = timedelta(hours=1)
EVENT_MEMORY = timedelta(days=1)  # processed event ids kept this long (retries come in minutes)
PRUNE_EVERY = 3600.0


class AlertThreads:
    """Posts alert episodes and their repeats and resolutions."""

    def __init__(self, settings: SlackSettings, responder: Responder, store: SlackStore) -> None:
        self.settings, self.responder, self.store = settings, responder, store
        self.since = datetime.now(UTC) - LOOKBACK
        self._pruned_at = 0.0

    async def run(self) -> None:
        """Sweep until cancelled; a failed sweep is logged and retried."""
        while True:
            try:
                await self.sweep()
            except Exception:
                log.exception("posting alert episodes to Slack failed")
            await asyncio.sleep(self.settings.alert_poll_seconds)

    async def sweep(self) -> None:
        """Open threads for new episodes; reply for repeats and resolutions; take over the
        conversations of a replica that died."""
        await self.responder.resume()
        if time.monotonic() - self._pruned_at > PRUNE_EVERY:
            self._pruned_at = time.monotonic()
            oldest = datetime.now(UTC) - EVENT_MEMORY
            await asyncio.to_thread(self.store.prune_events, oldest)
        for episode in await asyncio.to_thread(self.store.new_episodes, self.since):
            await self._open(episode)
        for conversation, state in await asyncio.to_thread(self.store.episode_changes):
            await self._update(conversation, state)

    async def _open(self, episode: EpisodeState) -> None:
        labels = dict((episode.alert or {}).get("labels") or {})
        channel = self.settings.alerts.channel_for(labels)
        conversation = SlackConversation(
            investigation_id=episode.investigation_id,
            kind="alert",
            root_id=episode.investigation_id,
            channel=channel,
            episode_id=episode.episode_id,
            notified=episode.notifications,
            note=_headline(labels),
            answer_ts=None if channel else UNROUTED,
        )
        if not await asyncio.to_thread(self.store.claim_alert, conversation):
            return  # another replica has it
        if channel is None:
            log.info("alert %s matches no Slack route and no default channel", labels)
            return
        self.responder.follow(conversation)

    async def _update(self, conversation: SlackConversation, state: EpisodeState) -> None:
        assert conversation.channel
        poster, investigation_id = self.responder.poster, conversation.investigation_id
        thread = conversation.thread_ts
        if state.notifications > conversation.notified and await asyncio.to_thread(
            self.store.claim_notified, investigation_id, conversation.notified, state.notifications
        ):
            text = (
                f"Still firing: {ordinal(state.notifications)} notification, "
                "nothing new since the answer above."
            )
            await poster.post(conversation.channel, plain(text), thread_ts=thread)
        if state.closed and await asyncio.to_thread(self.store.claim_resolved, investigation_id):
            await poster.post(conversation.channel, plain("Resolved."), thread_ts=thread)


def _headline(labels: dict[str, str]) -> str:
    name = labels.get("alertname", "an alert")
    namespace = labels.get("exported_namespace") or labels.get("namespace")
    where = f" in `{namespace}`" if namespace else ""
    severity = f" ({labels['severity']})" if labels.get("severity") else ""
    return f":rotating_light: *{name}*{severity} firing{where}"


def ordinal(number: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 21st..."""
    suffix = (
        "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    )
    return f"{number}{suffix}"
