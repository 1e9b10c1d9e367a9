"""The first schema: investigations, their events, alert episodes, replicas.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

EventId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Time = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the tables of schema version 1."""
    op.create_table(
        "investigations",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("question", sa.Text),
        sa.Column("alert", sa.JSON),
        sa.Column("namespace", sa.String(253)),
        sa.Column("alertname", sa.String(253)),
        sa.Column("fingerprint", sa.String(64)),
        sa.Column("use_llm", sa.String(8)),
        sa.Column("parent_id", sa.String(32)),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("started_at", Time),
        sa.Column("finished_at", Time),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("lease_owner", sa.String(128)),
        sa.Column("lease_expires_at", Time),
        sa.Column("diagnosis", sa.JSON),
        sa.Column("error", sa.Text),
    )
    op.create_index("ix_investigations_claim", "investigations", ["status", "created_at"])
    op.create_index("ix_investigations_created", "investigations", ["created_at", "id"])
    op.create_table(
        "investigation_events",
        sa.Column("id", EventId, primary_key=True, autoincrement=True),
        sa.Column(
            "investigation_id",
            sa.String(32),
            sa.ForeignKey("investigations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("created_at", Time, nullable=False),
    )
    op.create_index("ix_events_investigation", "investigation_events", ["investigation_id", "id"])
    op.create_table(
        "alert_episodes",
        sa.Column("id", EventId, primary_key=True, autoincrement=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("open_key", sa.String(64), unique=True),
        sa.Column("alertname", sa.String(253)),
        sa.Column(
            "investigation_id", sa.String(32), sa.ForeignKey("investigations.id"), nullable=False
        ),
        sa.Column("opened_at", Time, nullable=False),
        sa.Column("last_seen_at", Time, nullable=False),
        sa.Column("closed_at", Time),
        sa.Column("notifications", sa.Integer, nullable=False),
    )
    op.create_index("ix_episodes_fingerprint", "alert_episodes", ["fingerprint"])
    op.create_table(
        "replicas",
        sa.Column("owner", sa.String(128), primary_key=True),
        sa.Column("started_at", Time, nullable=False),
        sa.Column("seen_at", Time, nullable=False),
    )


def downgrade() -> None:
    """Drop every table of schema version 1."""
    for table in ("replicas", "alert_episodes", "investigation_events", "investigations"):
        op.drop_table(table)
