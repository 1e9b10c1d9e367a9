"""The Slack responder's tables (created by migration `0002_slack`), on the store's metadata.

| table | one row per |
| --- | --- |
| `slack_events` | a Slack event id (or slash command trigger id) already taken: a retry finds it |
| `slack_conversations` | an investigation answered in Slack: where (channel, thread), its |
|                       | progress and answer messages, for alerts the episode and what of |
|                       | it was posted (`notified`, `resolved_posted`), and the replica |
|                       | following it until answered (a lease) |
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Index, Integer, String, Table, Text

from holmes.server.store.schema import EventId, metadata

slack_events = Table(
    "slack_events",
    metadata,
    Column("event_id", String(128), primary_key=True),
    Column("received_at", DateTime(timezone=True), nullable=False),
)

slack_conversations = Table(
    "slack_conversations",
    metadata,
    Column("investigation_id", String(32), ForeignKey("investigations.id"), primary_key=True),
    Column("kind", String(16), nullable=False),  # mention | reply | command | alert
    Column("root_id", String(32), nullable=False),  # the thread's first investigation
    Column("channel", String(64)),
    Column("thread_ts", String(32)),
    Column("progress_ts", String(32)),
    Column("answer_ts", String(32)),  # set once the answer is posted: the work is done
    Column("response_url", Text),
    Column("public", Boolean, nullable=False, default=False),
    Column("note", Text),  # said above the answer (a follow-up without an LLM)
    Column("episode_id", EventId, ForeignKey("alert_episodes.id"), unique=True),
    Column("notified", Integer, nullable=False, default=1),
    Column("resolved_posted", Boolean, nullable=False, default=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("answered_at", DateTime(timezone=True)),
    # The replica following it until answered: a lease, so one replica answers, and another
    # takes over when that one died.
    Column("follower", String(128)),
    Column("follower_expires_at", DateTime(timezone=True)),
    Index("ix_slack_thread", "channel", "thread_ts"),
)
