"""Staff sessions can be ended on the server (log-out, password change); joins the two 0004 branches.

Revision ID: 0005_sessions
Revises: 0004_consult, 0004_faults
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_sessions"
down_revision: str | Sequence[str] | None = ("0004_consult", "0004_faults")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("staff_users") as table:
        table.add_column(sa.Column("sessions_valid_after", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("staff_users") as table:
        table.drop_column("sessions_valid_after")
