"""Staff accounts: passwords, failed log-ins and sessions, each change with its audit line."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.statements import audit
from storage.tables import staff_users


@dataclass(frozen=True)
class StaffUser:
    name: str
    password_hash: str
    password_is_temporary: bool
    failed_logins: int
    locked_until: datetime | None
    sessions_valid_after: datetime | None = None


class SqlStaffAccounts:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add_user(self, name: str, password_hash: str, now: datetime) -> bool:
        """Create an account with a temporary password; False when the name is taken."""
        try:
            async with self._engine.begin() as connection:
                await connection.execute(
                    insert(staff_users).values(
                        name=name, password_hash=password_hash, password_is_temporary=True,
                        failed_logins=0, created_at=now,
                    )
                )
        except IntegrityError:
            return False
        return True

    async def get_user(self, name: str) -> StaffUser | None:
        async with self._engine.connect() as connection:
            row = (await connection.execute(select(staff_users).where(staff_users.c.name == name))).first()
        if row is None:
            return None
        return StaffUser(
            name=row.name, password_hash=row.password_hash, password_is_temporary=row.password_is_temporary,
            failed_logins=row.failed_logins, locked_until=row.locked_until, sessions_valid_after=row.sessions_valid_after,
        )

    async def login_failed(self, name: str, now: datetime) -> None:
        """Record a failure (the lock-out is per name and address, in ``bot/staff/throttle.py``: an outsider cannot lock an account)."""
        async with self._engine.begin() as connection:
            await connection.execute(
                update(staff_users).where(staff_users.c.name == name).values(failed_logins=staff_users.c.failed_logins + 1)
            )
            await audit(connection, None, name, "login_failed", {}, now)

    async def login_succeeded(self, name: str, now: datetime) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(
                update(staff_users).where(staff_users.c.name == name).values(failed_logins=0, locked_until=None)
            )
            await audit(connection, None, name, "login", {}, now)

    async def set_password(self, name: str, password_hash: str, temporary: bool, now: datetime) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(
                update(staff_users)
                .where(staff_users.c.name == name)
                .values(password_hash=password_hash, password_is_temporary=temporary, failed_logins=0,
                        locked_until=None, sessions_valid_after=now)
            )
            await audit(connection, None, name, "password", {"temporary": temporary}, now)

    async def end_sessions(self, name: str, now: datetime) -> None:
        """Log out: every session of this account issued until ``now`` is refused from now on (on every device)."""
        async with self._engine.begin() as connection:
            await connection.execute(update(staff_users).where(staff_users.c.name == name).values(sessions_valid_after=now))
            await audit(connection, None, name, "logout", {}, now)
