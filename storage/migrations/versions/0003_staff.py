"""The staff side: handoff outbox and deliveries per sink, replies to proposers, staff accounts, notes, audit.

Revision ID: 0003_staff
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0003_staff"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _delivery_columns() -> list[sa.Column[Any]]:
    """The columns every outbox row shares (see storage/queue.py)."""
    return [
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("leased_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
    ]


def _draft_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["draft_id"], ["drafts.id"], name=f"fk_{table}_draft_id_drafts")


def upgrade() -> None:
    op.create_table(
        "handoff_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fanned_out_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_handoff_outbox"),
        _draft_fk("handoff_outbox"),
        sa.UniqueConstraint("draft_id", name="uq_handoff_outbox_draft_id"),
    )
    op.create_table(
        "handoff_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("sink", sa.String(32), nullable=False),
        *_delivery_columns(),
        sa.PrimaryKeyConstraint("id", name="pk_handoff_deliveries"),
        _draft_fk("handoff_deliveries"),
        sa.UniqueConstraint("draft_id", "sink", name="uq_handoff_deliveries_draft_id_sink"),
    )
    op.create_index("ix_handoff_deliveries_draft_id", "handoff_deliveries", ["draft_id"])
    op.create_index("ix_handoff_deliveries_due", "handoff_deliveries", ["status", "next_attempt_at"])
    op.create_table(
        "proposer_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        *_delivery_columns(),
        sa.PrimaryKeyConstraint("id", name="pk_proposer_messages"),
        _draft_fk("proposer_messages"),
    )
    op.create_index("ix_proposer_messages_draft_id", "proposer_messages", ["draft_id"])
    op.create_index("ix_proposer_messages_due", "proposer_messages", ["status", "next_attempt_at"])
    op.create_index("ix_proposer_messages_recipient", "proposer_messages", ["channel", "user_id"])
    op.create_table(
        "staff_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("password_is_temporary", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_staff_users"),
        sa.UniqueConstraint("name", name="uq_staff_users_name"),
    )
    op.create_table(
        "staff_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_staff_notes"),
        _draft_fk("staff_notes"),
    )
    op.create_index("ix_staff_notes_draft_id", "staff_notes", ["draft_id"])
    op.create_table(
        "staff_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=True),
        sa.Column("staff", sa.String(64), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_staff_audit"),
        _draft_fk("staff_audit"),
    )
    op.create_index("ix_staff_audit_draft_id", "staff_audit", ["draft_id"])


def downgrade() -> None:
    for table in ("staff_audit", "staff_notes", "staff_users", "proposer_messages", "handoff_deliveries", "handoff_outbox"):
        op.drop_table(table)
