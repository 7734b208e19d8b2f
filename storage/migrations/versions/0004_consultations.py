"""担当者に相談: consultations, their messages and staff notices; replies and audit rows may belong to one.

Revision ID: 0004_consult
Revises: 0003_staff
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_consult"
down_revision: str | None = "0003_staff"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _consultation_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["consultation_id"], ["consultations.id"], name=f"fk_{table}_consultation_id_consultations"
    )


def upgrade() -> None:
    op.create_table(
        "consultations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("context", sa.JSON(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_user_message_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("taken_by", sa.String(64), nullable=True),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(64), nullable=True),
        sa.Column("close_reason", sa.String(16), nullable=True),
        sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("draft_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_consultations"),
        sa.ForeignKeyConstraint(["draft_id"], ["drafts.id"], name="fk_consultations_draft_id_drafts"),
    )
    op.create_index("ix_consultations_draft_id", "consultations", ["draft_id"])
    op.create_index("ix_consultations_status", "consultations", ["status", "opened_at"])
    op.create_index("ix_consultations_user", "consultations", ["channel", "user_id"])
    op.create_table(
        "consultation_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("sender", sa.String(8), nullable=False),
        sa.Column("author", sa.String(64), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_consultation_messages"),
        _consultation_fk("consultation_messages"),
    )
    op.create_index("ix_consultation_messages_consultation_id", "consultation_messages", ["consultation_id"])
    op.create_table(
        "consultation_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("sink", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("leased_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_consultation_notices"),
        _consultation_fk("consultation_notices"),
        sa.UniqueConstraint("consultation_id", "kind", "sink", name="uq_consultation_notices_consultation_id_kind_sink"),
    )
    op.create_index("ix_consultation_notices_consultation_id", "consultation_notices", ["consultation_id"])
    op.create_index("ix_consultation_notices_due", "consultation_notices", ["status", "next_attempt_at"])
    with op.batch_alter_table("proposer_messages") as batch:
        batch.alter_column("draft_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("consultation_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("choices", sa.JSON(), nullable=True))
        batch.create_foreign_key(
            "fk_proposer_messages_consultation_id_consultations", "consultations", ["consultation_id"], ["id"]
        )
        batch.create_index("ix_proposer_messages_consultation_id", ["consultation_id"])
    with op.batch_alter_table("staff_audit") as batch:
        batch.add_column(sa.Column("consultation_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_staff_audit_consultation_id_consultations", "consultations", ["consultation_id"], ["id"])
        batch.create_index("ix_staff_audit_consultation_id", ["consultation_id"])


def downgrade() -> None:
    with op.batch_alter_table("staff_audit") as batch:
        batch.drop_index("ix_staff_audit_consultation_id")
        batch.drop_constraint("fk_staff_audit_consultation_id_consultations", type_="foreignkey")
        batch.drop_column("consultation_id")
    with op.batch_alter_table("proposer_messages") as batch:
        batch.drop_index("ix_proposer_messages_consultation_id")
        batch.drop_constraint("fk_proposer_messages_consultation_id_consultations", type_="foreignkey")
        batch.drop_column("choices")
        batch.drop_column("consultation_id")
        batch.alter_column("draft_id", existing_type=sa.Integer(), nullable=False)
    for table in ("consultation_notices", "consultation_messages", "consultations"):
        op.drop_table(table)
