"""Proposers' answers to staff replies about their drafts, and the staff notices they bring.

Revision ID: 0007_answers
Revises: 0006_web_lines
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_answers"
down_revision: str | Sequence[str] | None = "0006_web_lines"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "proposer_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("reply_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_proposer_answers"),
        sa.ForeignKeyConstraint(["draft_id"], ["drafts.id"], name="fk_proposer_answers_draft_id_drafts"),
        sa.ForeignKeyConstraint(["reply_id"], ["proposer_messages.id"], name="fk_proposer_answers_reply_id_proposer_messages"),
    )
    op.create_index("ix_proposer_answers_draft_id", "proposer_answers", ["draft_id"])
    op.create_index("ix_proposer_answers_reply_id", "proposer_answers", ["reply_id"])
    op.create_table(
        "answer_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("answer_id", sa.Integer(), nullable=False),
        sa.Column("sink", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("leased_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_answer_notices"),
        sa.ForeignKeyConstraint(["answer_id"], ["proposer_answers.id"], name="fk_answer_notices_answer_id_proposer_answers"),
        sa.UniqueConstraint("answer_id", "sink", name="uq_answer_notices_answer_id_sink"),
    )
    op.create_index("ix_answer_notices_answer_id", "answer_notices", ["answer_id"])
    op.create_index("ix_answer_notices_due", "answer_notices", ["status", "next_attempt_at"])


def downgrade() -> None:
    op.drop_table("answer_notices")
    op.drop_table("proposer_answers")
