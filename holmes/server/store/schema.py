"""The store's tables, as SQLAlchemy Core metadata: one schema for SQLite and PostgreSQL.

The Alembic migrations in `migrations/versions` create exactly these tables; the repository
modules (`investigations.py`, `events.py`, `episodes.py`) query them. Times are UTC.

| table | one row per |
| --- | --- |
| `investigations` | a question or an alert to investigate: its status, lease and result |
| `investigation_events` | a progress event (tool_started, tool_finished, answer, error) |
| `alert_episodes` | a firing period of one alert fingerprint; `open_key` is UNIQUE, so two |
|                  | replicas receiving the same storm open one episode (one investigation) |
| `replicas` | a running `holmes serve`: readiness writes its heartbeat here |
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

# SQLite autoincrements only an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit identity.
EventId = BigInteger().with_variant(Integer(), "sqlite")

STATUSES = ("queued", "running", "done", "failed", "deferred")
SOURCES = ("api", "alertmanager", "slack")

investigations = Table(
    "investigations",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("status", String(16), nullable=False),
    Column("source", String(16), nullable=False),
    Column("question", Text),
    Column("alert", JSON),
    Column("namespace", String(253)),
    Column("alertname", String(253)),
    Column("fingerprint", String(64)),
    Column("use_llm", String(8)),  # "auto" | "yes" | "no": the request's `llm` choice
    Column("parent_id", String(32)),  # a follow-up's investigation, for the conversation id
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("started_at", DateTime(timezone=True)),
    Column("finished_at", DateTime(timezone=True)),
    Column("attempts", Integer, nullable=False, default=0),
    Column("lease_owner", String(128)),
    Column("lease_expires_at", DateTime(timezone=True)),
    Column("diagnosis", JSON),
    Column("error", Text),
    # Feedback on the answer (migration 0002_feedback): "correct" | "wrong", and its origin.
    Column("feedback", String(16)),
    Column("feedback_source", String(16)),  # "web" | "api" | "slack"
    Column("feedback_by", String(253)),
    Column("feedback_at", DateTime(timezone=True)),
    Index("ix_investigations_claim", "status", "created_at"),
    Index("ix_investigations_created", "created_at", "id"),
    Index("ix_investigations_feedback", "feedback"),
)

investigation_events = Table(
    "investigation_events",
    metadata,
    Column("id", EventId, primary_key=True, autoincrement=True),
    Column(
        "investigation_id",
        String(32),
        ForeignKey("investigations.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("kind", String(32), nullable=False),
    Column("data", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_events_investigation", "investigation_id", "id"),
)

alert_episodes = Table(
    "alert_episodes",
    metadata,
    Column("id", EventId, primary_key=True, autoincrement=True),
    Column("fingerprint", String(64), nullable=False),
    # The fingerprint while the episode is open, NULL once resolved: UNIQUE allows one open
    # episode per fingerprint on both databases (NULLs are distinct in a unique index).
    Column("open_key", String(64), unique=True),
    Column("alertname", String(253)),
    Column("investigation_id", String(32), ForeignKey("investigations.id"), nullable=False),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
    Column("closed_at", DateTime(timezone=True)),
    Column("notifications", Integer, nullable=False, default=1),
    Index("ix_episodes_fingerprint", "fingerprint"),
)

replicas = Table(
    "replicas",
    metadata,
    Column("owner", String(128), primary_key=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("seen_at", DateTime(timezone=True), nullable=False),
)
