"""「別の端末で続ける」: one-time transfer codes (stored hashed) and the wrong codes typed, for the rate limits.

Reminders need no table: the claim is kept in the conversation's state (``reminded_at``).

Revision ID: 0010_remind
Revises: 0008_usage
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_remind"
down_revision: str | Sequence[str] | None = "0008_usage"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "transfer_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("used_by_channel", sa.String(32), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_transfer_codes"),
        sa.UniqueConstraint("code_hash", name="uq_transfer_codes_code_hash"),
    )
    op.create_index("ix_transfer_codes_user", "transfer_codes", ["channel", "user_id"])
    op.create_table(
        "transfer_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_transfer_attempts"),
    )
    op.create_index("ix_transfer_attempts_at", "transfer_attempts", ["at"])
    op.create_index("ix_transfer_attempts_user", "transfer_attempts", ["channel", "user_id", "at"])


def downgrade() -> None:
    op.drop_table("transfer_attempts")
    op.drop_table("transfer_codes")
