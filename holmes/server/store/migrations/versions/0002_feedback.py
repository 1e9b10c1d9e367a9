"""Feedback on an investigation's answer: its verdict, where it came from, who gave it, when.

Revision ID: 0002_feedback
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_feedback"
down_revision = "0001"
branch_labels = None
depends_on = None

COLUMNS = ("feedback", "feedback_source", "feedback_by", "feedback_at")


def upgrade() -> None:
    """Add the feedback columns to `investigations` (all nullable: no feedback yet)."""
    op.add_column("investigations", sa.Column("feedback", sa.String(16)))
    op.add_column("investigations", sa.Column("feedback_source", sa.String(16)))
    op.add_column("investigations", sa.Column("feedback_by", sa.String(253)))
    op.add_column("investigations", sa.Column("feedback_at", sa.DateTime(timezone=True)))
    op.create_index("ix_investigations_feedback", "investigations", ["feedback"])


def downgrade() -> None:
    """Drop the feedback columns."""
    op.drop_index("ix_investigations_feedback", "investigations")
    with op.batch_alter_table("investigations") as batch:
        for column in COLUMNS:
            batch.drop_column(column)
