"""After the handoff: status notices to the proposer, 差し戻し and draft versions, the 受付控え.

- ``drafts.version``; ``draft_returns`` (what staff asked to improve); ``draft_versions`` (each version's
  data and its changes, also the outbox of the staff sinks' notice of a new version) and ``version_deliveries``.
- ``proposer_messages.kind`` and ``notice_of``: the bot's notices about a draft go through the replies' outbox.
- ``handoff_outbox.receipt_at``: drafts handed over before this revision get no 受付控え.

Revision ID: 0009_handoff2
Revises: 0008_usage
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_handoff2"
down_revision: str | Sequence[str] | None = "0008_usage"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _delivery_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("leased_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
    ]


def upgrade() -> None:
    with op.batch_alter_table("drafts") as table:
        table.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    with op.batch_alter_table("proposer_messages") as table:
        table.add_column(sa.Column("kind", sa.String(16), nullable=True))
        table.add_column(sa.Column("notice_of", sa.Integer(), nullable=True))
        table.create_foreign_key("fk_proposer_messages_notice_of_drafts", "drafts", ["notice_of"], ["id"])
        table.create_index("ix_proposer_messages_notice_of", ["notice_of"])
    with op.batch_alter_table("handoff_outbox") as table:
        table.add_column(sa.Column("receipt_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE handoff_outbox SET receipt_at = created_at")
    op.create_table(
        "draft_returns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("staff", sa.String(64), nullable=False),
        sa.Column("status_before", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resubmitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_draft_returns"),
        sa.ForeignKeyConstraint(["draft_id"], ["drafts.id"], name="fk_draft_returns_draft_id_drafts"),
    )
    op.create_index("ix_draft_returns_draft_id", "draft_returns", ["draft_id"])
    op.create_table(
        "draft_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fanned_out_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_draft_versions"),
        sa.ForeignKeyConstraint(["draft_id"], ["drafts.id"], name="fk_draft_versions_draft_id_drafts"),
        sa.UniqueConstraint("draft_id", "version", name="uq_draft_versions_draft_id_version"),
    )
    op.create_index("ix_draft_versions_draft_id", "draft_versions", ["draft_id"])
    op.create_table(
        "version_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("sink", sa.String(32), nullable=False),
        *_delivery_columns(),
        sa.PrimaryKeyConstraint("id", name="pk_version_deliveries"),
        sa.ForeignKeyConstraint(["version_id"], ["draft_versions.id"], name="fk_version_deliveries_version_id_draft_versions"),
        sa.UniqueConstraint("version_id", "sink", name="uq_version_deliveries_version_id_sink"),
    )
    op.create_index("ix_version_deliveries_version_id", "version_deliveries", ["version_id"])
    op.create_index("ix_version_deliveries_due", "version_deliveries", ["status", "next_attempt_at"])


def downgrade() -> None:
    op.drop_table("version_deliveries")
    op.drop_table("draft_versions")
    op.drop_table("draft_returns")
    with op.batch_alter_table("handoff_outbox") as table:
        table.drop_column("receipt_at")
    with op.batch_alter_table("proposer_messages") as table:
        table.drop_index("ix_proposer_messages_notice_of")
        table.drop_constraint("fk_proposer_messages_notice_of_drafts", type_="foreignkey")
        table.drop_column("notice_of")
        table.drop_column("kind")
    with op.batch_alter_table("drafts") as table:
        table.drop_column("version")
