"""Documents (企画書) a proposer sends with a draft: kept in the database, linked to the draft when it is submitted.

Revision ID: 0012_documents
Revises: 0008_usage
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_documents"
down_revision: str | Sequence[str] | None = "0008_usage"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_documents"),
        sa.ForeignKeyConstraint(["draft_id"], ["drafts.id"], name="fk_documents_draft_id_drafts", ondelete="CASCADE"),
    )
    op.create_index("ix_documents_owner", "documents", ["channel", "user_id", "draft_id"])
    op.create_index("ix_documents_draft_id", "documents", ["draft_id"])


def downgrade() -> None:
    op.drop_table("documents")
