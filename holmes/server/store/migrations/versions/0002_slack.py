"""The Slack responder: processed event ids, and where each investigation is answered in Slack.

Revision ID: 0002_slack
Revises: 0002_feedback (cherry-picked from branch `web`; self-contained otherwise: it only
creates its own two tables, so it can sit anywhere after 0001)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_slack"
down_revision = "0002_feedback"
branch_labels = None
depends_on = None

EventId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Time = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create `slack_events` and `slack_conversations`."""
    op.create_table(
        "slack_events",
        sa.Column("event_id", sa.String(128), primary_key=True),
        sa.Column("received_at", Time, nullable=False),
    )
    op.create_table(
        "slack_conversations",
        sa.Column(
            "investigation_id",
            sa.String(32),
            sa.ForeignKey("investigations.id"),
            primary_key=True,
        ),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("root_id", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(64)),
        sa.Column("thread_ts", sa.String(32)),
        sa.Column("progress_ts", sa.String(32)),
        sa.Column("answer_ts", sa.String(32)),
        sa.Column("response_url", sa.Text),
        sa.Column("public", sa.Boolean, nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("episode_id", EventId, sa.ForeignKey("alert_episodes.id"), unique=True),
        sa.Column("notified", sa.Integer, nullable=False),
        sa.Column("resolved_posted", sa.Boolean, nullable=False),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("answered_at", Time),
        sa.Column("follower", sa.String(128)),
        sa.Column("follower_expires_at", Time),
    )
    op.create_index("ix_slack_thread", "slack_conversations", ["channel", "thread_ts"])


def downgrade() -> None:
    """Drop the Slack tables."""
    op.drop_index("ix_slack_thread", "slack_conversations")
    op.drop_table("slack_conversations")
    op.drop_table("slack_events")
