"""The Slack responder's reads and writes: processed event ids and Slack conversations.

Exactly once rests here: `claim_event` inserts an event id under its primary key, so a retried
delivery (same `event_id`, on any replica) finds it taken; `claim_alert` inserts an episode's
conversation under a UNIQUE episode id, so one alert episode gets one thread; `answered`
records the answer's `ts`, and only conversations without one are resumed after a restart.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import Connection, Engine, and_, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from holmes.server.store.engine import write_transaction
from holmes.server.store.records import utc
from holmes.server.store.schema import alert_episodes
from holmes.server.store.slack_schema import slack_conversations, slack_events

_conv = slack_conversations
ConversationKind = Literal["mention", "reply", "command", "alert"]


class SlackConversation(BaseModel):
    """Where one investigation is answered in Slack."""

    investigation_id: str
    kind: ConversationKind
    root_id: str
    channel: str | None = None
    thread_ts: str | None = None
    progress_ts: str | None = None
    answer_ts: str | None = None
    response_url: str | None = None
    public: bool = False
    note: str | None = None
    episode_id: int | None = None
    notified: int = 1
    resolved_posted: bool = False


class EpisodeState(BaseModel):
    """An alert episode as the responder sees it: how often it fired, whether it resolved."""

    episode_id: int
    investigation_id: str
    notifications: int
    closed: bool
    alert: dict[str, Any] | None = None


class SlackStore:
    """The Slack tables of the store whose engine is given."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with write_transaction(self.engine) as connection:
            yield connection

    def claim_event(self, event_id: str) -> bool:
        """True the first time `event_id` is seen; False for a retry or a duplicate."""
        try:
            with self._write() as db:
                db.execute(insert(slack_events).values(event_id=event_id, received_at=_now()))
        except IntegrityError:
            return False
        return True

    def prune_events(self, older_than: datetime) -> int:
        """Forget event ids received before `older_than` (Slack retries within minutes)."""
        with self._write() as db:
            pruned = db.execute(delete(slack_events).where(slack_events.c.received_at < older_than))
            return pruned.rowcount

    def add(self, conversation: SlackConversation) -> None:
        """Record where an investigation will be answered."""
        with self._write() as db:
            db.execute(insert(_conv).values(**conversation.model_dump(), created_at=_now()))

    def claim_alert(self, conversation: SlackConversation) -> bool:
        """Record an alert episode's conversation; False when one exists (another replica)."""
        try:
            self.add(conversation)
        except IntegrityError:
            return False
        return True

    def update(self, investigation_id: str, **values: Any) -> None:
        """Set columns of one conversation (`thread_ts`, `progress_ts`, `notified`...)."""
        with self._write() as db:
            db.execute(
                update(_conv).where(_conv.c.investigation_id == investigation_id).values(**values)
            )

    def claim_notified(self, investigation_id: str, seen: int, notifications: int) -> bool:
        """Move `notified` from `seen` to `notifications`; False if another replica did it."""
        return self._advance(investigation_id, _conv.c.notified == seen, notified=notifications)

    def claim_resolved(self, investigation_id: str) -> bool:
        """Mark the resolution posted; False if another replica did it."""
        return self._advance(
            investigation_id, _conv.c.resolved_posted.is_(False), resolved_posted=True
        )

    def _advance(self, investigation_id: str, condition: Any, **values: Any) -> bool:
        with self._write() as db:
            changed = db.execute(
                update(_conv)
                .where(_conv.c.investigation_id == investigation_id, condition)
                .values(**values)
            )
            return changed.rowcount == 1

    def answered(self, investigation_id: str, answer_ts: str) -> None:
        """The answer is posted (its `ts`): the conversation is done and never resumed."""
        self.update(investigation_id, answer_ts=answer_ts, answered_at=_now())

    def get(self, investigation_id: str) -> SlackConversation | None:
        """One conversation, or None."""
        with self.engine.connect() as db:
            row = db.execute(select(_conv).where(_conv.c.investigation_id == investigation_id))
            found = row.mappings().first()
        return _conversation(found) if found else None

    def unfollowed(self) -> list[SlackConversation]:
        """Unanswered conversations no live replica follows (new, released, or lease expired)."""
        free = or_(_conv.c.follower.is_(None), _conv.c.follower_expires_at < _now())
        with self.engine.connect() as db:
            rows = db.execute(select(_conv).where(_conv.c.answer_ts.is_(None), free)).mappings()
            return [_conversation(row) for row in rows]

    def follow(self, investigation_id: str, follower: str, lease_seconds: float) -> bool:
        """Take (or renew) the lease on an unanswered conversation; False if another has it."""
        now = _now()
        free = or_(
            _conv.c.follower.is_(None),
            _conv.c.follower == follower,
            _conv.c.follower_expires_at < now,
        )
        return self._advance(
            investigation_id,
            and_(_conv.c.answer_ts.is_(None), free),
            follower=follower,
            follower_expires_at=now + timedelta(seconds=lease_seconds),
        )

    def release(self, investigation_ids: list[str], follower: str) -> None:
        """Give conversations back (shutdown): the next replica to look takes them at once."""
        if not investigation_ids:
            return
        with self._write() as db:
            db.execute(
                update(_conv)
                .where(
                    _conv.c.investigation_id.in_(investigation_ids), _conv.c.follower == follower
                )
                .values(follower=None, follower_expires_at=None)
            )

    def thread(self, channel: str, thread_ts: str) -> SlackConversation | None:
        """The first conversation of a Slack thread (its root), or None if holmes has none."""
        query = (
            select(_conv)
            .where(_conv.c.channel == channel, _conv.c.thread_ts == thread_ts)
            .order_by(_conv.c.created_at)
            .limit(1)
        )
        with self.engine.connect() as db:
            found = db.execute(query).mappings().first()
        return _conversation(found) if found else None

    def new_episodes(self, since: datetime) -> list[EpisodeState]:
        """Alert episodes opened since `since` that have no Slack conversation yet."""
        ep = alert_episodes
        query = (
            select(ep)
            .outerjoin(_conv, _conv.c.episode_id == ep.c.id)
            .where(_conv.c.investigation_id.is_(None), ep.c.opened_at >= since)
            .order_by(ep.c.id)
        )
        return self._episodes(query)

    def episode_changes(self) -> list[tuple[SlackConversation, EpisodeState]]:
        """Answered alert threads whose episode fired again or resolved since the last post."""
        ep = alert_episodes
        query = (
            select(_conv, ep.c.notifications, ep.c.closed_at)
            .join(ep, ep.c.id == _conv.c.episode_id)
            .where(
                _conv.c.answer_ts.is_not(None),
                _conv.c.channel.is_not(None),
                (ep.c.notifications > _conv.c.notified)
                | and_(ep.c.closed_at.is_not(None), _conv.c.resolved_posted.is_(False)),
            )
        )
        with self.engine.connect() as db:
            rows = db.execute(query).mappings().all()
        changes = []
        for row in rows:
            conversation = _conversation(row)
            state = EpisodeState(
                episode_id=int(row["episode_id"]),
                investigation_id=row["investigation_id"],
                notifications=int(row["notifications"]),
                closed=row["closed_at"] is not None,
            )
            changes.append((conversation, state))
        return changes

    def _episodes(self, query: Any) -> list[EpisodeState]:
        from holmes.server.store.schema import investigations

        with self.engine.connect() as db:
            rows = db.execute(query).mappings().all()
            alerts = {}
            ids = [row["investigation_id"] for row in rows]
            if ids:
                found = db.execute(
                    select(investigations.c.id, investigations.c.alert).where(
                        investigations.c.id.in_(ids)
                    )
                )
                alerts = {row.id: row.alert for row in found}
        return [
            EpisodeState(
                episode_id=int(row["id"]),
                investigation_id=row["investigation_id"],
                notifications=int(row["notifications"]),
                closed=row["closed_at"] is not None,
                alert=alerts.get(row["investigation_id"]),
            )
            for row in rows
        ]


def _conversation(row: Any) -> SlackConversation:
    fields = SlackConversation.model_fields
    return SlackConversation.model_validate({key: row[key] for key in fields})


def _now() -> datetime:
    return datetime.now(UTC)


__all__ = ["EpisodeState", "SlackConversation", "SlackStore", "utc"]
