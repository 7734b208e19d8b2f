""":class:`bot.core.transfer.TransferStore` on SQLAlchemy: codes kept hashed, wrong tries counted, the draft moved atomically."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, and_, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.core.messages import UserKey
from bot.core.state import ConversationState
from bot.core.transfer import Outcome, Redeemed, TransferLimits, has_draft, moved_state
from storage.conversation_lock import lock_conversation
from storage.documents import move_pending
from storage.tables import conversations, transfer_attempts, transfer_codes

KEEP_USED_CODES = timedelta(days=1)  # a used or expired code is still told apart from an unknown one this long


class SqlTransfers:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def issue(self, user: UserKey, code_hash: str, now: datetime, expires_at: datetime) -> None:
        """A new code; the user's earlier unused codes expire now (only the newest one works)."""
        async with self._engine.begin() as connection:
            await connection.execute(
                update(transfer_codes)
                .where(*_of(user), transfer_codes.c.used_at.is_(None), transfer_codes.c.expires_at > now)
                .values(expires_at=now)
            )
            await connection.execute(delete(transfer_codes).where(transfer_codes.c.expires_at < now - KEEP_USED_CODES))
            await connection.execute(
                insert(transfer_codes).values(
                    code_hash=code_hash, channel=user.channel, user_id=user.user_id, created_at=now, expires_at=expires_at
                )
            )

    async def redeem(self, user: UserKey, code_hash: str, now: datetime, limits: TransferLimits) -> Redeemed:
        async with self._engine.begin() as connection:
            if await _too_many(connection, user, now, limits):
                return Redeemed(Outcome.TOO_MANY)
            code = (
                await connection.execute(select(transfer_codes).where(transfer_codes.c.code_hash == code_hash).with_for_update())
            ).first()
            if code is None:
                return await _wrong(connection, user, now, Outcome.UNKNOWN)
            if (code.channel, code.user_id) == (user.channel, user.user_id):
                return Redeemed(Outcome.HERE_ALREADY)
            if code.used_at is not None or code.expires_at <= now:
                return await _wrong(connection, user, now, Outcome.USED if code.used_at else Outcome.EXPIRED)
            source = UserKey(channel=code.channel, user_id=code.user_id)
            # Both conversations locked, always in the same order: two moves at once cannot wait for each other.
            states = {key: (await lock_conversation(connection, key))[0] for key in sorted((source, user), key=str)}
            if not has_draft(states[source]) or states[source].revising is not None:  # sent or deleted, or being revised
                await _use(connection, code.id, user, now)
                return Redeemed(Outcome.EXPIRED)
            if has_draft(states[user]):
                return Redeemed(Outcome.BUSY)  # the code still works once this draft is sent or cleared
            await _save(connection, user, moved_state(states[source], source, user, now))
            await _save(connection, source, ConversationState(reminders_off=states[source].reminders_off))
            await move_pending(connection, source, user)
            await _use(connection, code.id, user, now)
            return Redeemed(Outcome.MOVED, came_from=source.channel)


async def forget_codes(connection: AsyncConnection, user: UserKey) -> None:
    """データ削除: the codes the user was given go (the wrong codes they typed stay counted until their window ends:
    deleting one's data does not lift the limit on guessing)."""
    await connection.execute(delete(transfer_codes).where(*_of(user)))


async def purge_codes(connection: AsyncConnection, cutoff: datetime) -> None:
    """``kyoso purge``: codes that stopped working before the cut-off, and wrong tries made before it."""
    await connection.execute(delete(transfer_codes).where(transfer_codes.c.expires_at < cutoff))
    await connection.execute(delete(transfer_attempts).where(transfer_attempts.c.at < cutoff))


def _of(user: UserKey) -> tuple[ColumnElement[bool], ...]:
    return transfer_codes.c.channel == user.channel, transfer_codes.c.user_id == user.user_id


async def _too_many(connection: AsyncConnection, user: UserKey, now: datetime, limits: TransferLimits) -> bool:
    """This user's wrong codes, or everyone's, reached the limit within the window (older tries are forgotten here)."""
    since = now - limits.window
    await connection.execute(delete(transfer_attempts).where(transfer_attempts.c.at < since))
    counted = select(func.count()).select_from(transfer_attempts).where(transfer_attempts.c.at >= since)
    overall = (await connection.execute(counted)).scalar_one()
    mine = (
        await connection.execute(
            counted.where(transfer_attempts.c.channel == user.channel, transfer_attempts.c.user_id == user.user_id)
        )
    ).scalar_one()
    return bool(mine >= limits.wrong_per_user or overall >= limits.wrong_overall)


async def _wrong(connection: AsyncConnection, user: UserKey, now: datetime, outcome: Outcome) -> Redeemed:
    """A code that moves nothing counts towards the limits (an expired or used one too: it may be a guess)."""
    await connection.execute(insert(transfer_attempts).values(channel=user.channel, user_id=user.user_id, at=now))
    return Redeemed(outcome)


async def _use(connection: AsyncConnection, code_id: int, user: UserKey, now: datetime) -> None:
    await connection.execute(
        update(transfer_codes).where(transfer_codes.c.id == code_id).values(used_at=now, used_by_channel=user.channel)
    )


async def _save(connection: AsyncConnection, user: UserKey, state: ConversationState) -> None:
    """As a turn saves it (``updated_at`` is the real time there too: ``kyoso purge`` goes by it)."""
    mine = and_(conversations.c.channel == user.channel, conversations.c.user_id == user.user_id)
    await connection.execute(update(conversations).where(mine).values(state=state.model_dump_json(), updated_at=datetime.now(UTC)))
