"""One durable path for every turn: the replies live in answered_turns only; events are claimed in batches.

- ``inbound_events.replies`` goes: a turn's replies are kept once, in ``answered_turns``, written in
  the turn's own transaction. Events a stopped worker left ``handled`` (replies stored, not yet
  delivered) keep them there, under the event's id, and are ``pending`` again; a turn answered
  under the old per-input key ``<event>/0`` is found under ``<event>`` now.
- ``claims`` (times a worker took the event: more than its failed attempts means one was cut off)
  and ``sent`` (what an earlier attempt delivered).
- Partial indexes on the pending events replace the index on (status, channel, user_id).

Revision ID: 0006_durable
Revises: 0005_sessions
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_durable"
down_revision: str | Sequence[str] | None = "0005_sessions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PENDING = sa.text("status = 'pending'")


def upgrade() -> None:
    op.execute(
        "INSERT INTO answered_turns (channel, user_id, turn_key, replies, answered_at) "
        "SELECT channel, user_id, event_id, replies, received_at FROM inbound_events "
        "WHERE status = 'handled' AND replies IS NOT NULL"
    )
    op.execute(
        "UPDATE answered_turns SET turn_key = substr(turn_key, 1, length(turn_key) - 2) "
        "WHERE turn_key LIKE '%/0' AND substr(turn_key, 1, length(turn_key) - 2) IN "
        "(SELECT event_id FROM inbound_events WHERE status = 'pending')"
    )
    with op.batch_alter_table("inbound_events") as table:
        table.add_column(sa.Column("claims", sa.Integer(), nullable=False, server_default="0"))
        table.add_column(sa.Column("sent", sa.Integer(), nullable=False, server_default="0"))
    # Claimed before: an event whose worker stopped with it (handled, or leased on its first attempt) was
    # interrupted; one waiting out a backoff was claimed once per failed attempt.
    op.execute(
        "UPDATE inbound_events SET claims = attempts + 1 "
        "WHERE status = 'handled' OR (status = 'pending' AND leased_until IS NOT NULL AND attempts = 0)"
    )
    op.execute("UPDATE inbound_events SET claims = attempts WHERE status = 'pending' AND attempts > 0 AND claims = 0")
    op.execute("UPDATE inbound_events SET status = 'pending' WHERE status = 'handled'")
    op.drop_index("ix_inbound_events_unfinished", table_name="inbound_events")
    with op.batch_alter_table("inbound_events") as table:
        table.drop_column("replies")
    op.create_index("ix_inbound_events_pending", "inbound_events", ["id"], sqlite_where=PENDING, postgresql_where=PENDING)
    op.create_index(
        "ix_inbound_events_queue", "inbound_events", ["channel", "user_id", "occurred_at", "id"],
        sqlite_where=PENDING, postgresql_where=PENDING,
    )


def downgrade() -> None:
    op.drop_index("ix_inbound_events_queue", table_name="inbound_events")
    op.drop_index("ix_inbound_events_pending", table_name="inbound_events")
    with op.batch_alter_table("inbound_events") as table:
        table.drop_column("sent")
        table.drop_column("claims")
        table.add_column(sa.Column("replies", sa.Text(), nullable=True))
    op.create_index("ix_inbound_events_unfinished", "inbound_events", ["status", "channel", "user_id"])
