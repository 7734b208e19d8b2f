"""The language a proposer wrote a draft in (#17), shown to staff with the dossier; NULL: 日本語 (drafts before it).

The conversation's own language is kept in its state (``ConversationState.language``, a JSON document): no column.

Revision ID: 0013_language
Revises: 0009_handoff2
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_language"
down_revision: str | Sequence[str] | None = "0009_handoff2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("drafts", sa.Column("language", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("drafts") as batch:
        batch.drop_column("language")
