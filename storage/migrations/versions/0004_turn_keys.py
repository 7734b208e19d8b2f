"""Answered turns by key, written in the turn's own transaction: a turn is never run twice for one event.

Revision ID: 0004_faults
Revises: 0003_line
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_faults"
down_revision: str | None = "0003_line"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "answered_turns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("turn_key", sa.String(200), nullable=False),
        sa.Column("replies", sa.Text(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_answered_turns"),
        sa.UniqueConstraint("channel", "user_id", "turn_key", name="uq_answered_turns_channel_user_id_turn_key"),
    )


def downgrade() -> None:
    op.drop_table("answered_turns")
