"""The web chat's conversation as the visitor saw it, shown again after a reload.

Revision ID: 0006_web_lines
Revises: 0005_sessions
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_web_lines"
down_revision: str | Sequence[str] | None = "0005_sessions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "web_chat_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("who", sa.String(length=8), nullable=False),
        sa.Column("message", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_web_chat_lines"),
    )
    op.create_index("ix_web_chat_lines_visitor", "web_chat_lines", ["channel", "user_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_web_chat_lines_visitor", table_name="web_chat_lines")
    op.drop_table("web_chat_lines")
