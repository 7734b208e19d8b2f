"""Acknowledgements arriving together are stored in one transaction, and each waits for its own commit."""

from __future__ import annotations

import asyncio

import pytest

from bot.ingest.batching import GroupCommit
from bot.ingest.events import NewEvent


def _event(number: int) -> NewEvent:
    return NewEvent(channel="line", event_id=f"E{number}", user_id="U1", occurred_at=number, body="{}")


async def test_concurrent_adds_share_a_commit_and_failures_reach_every_waiter() -> None:
    commits: list[list[str]] = []
    fail = False

    async def add_many(events: list[NewEvent]) -> None:
        await asyncio.sleep(0.01)
        if fail:
            raise OSError("database unreachable")
        commits.append([event.event_id for event in events])

    group = GroupCommit(add_many)
    await asyncio.gather(*(group.add([_event(n)]) for n in range(5)))
    assert sorted(event for commit in commits for event in commit) == ["E0", "E1", "E2", "E3", "E4"]
    assert len(commits) <= 2  # the first alone, then everything that arrived while it committed

    fail = True
    results = await asyncio.gather(*(group.add([_event(n)]) for n in range(3)), return_exceptions=True)
    assert all(isinstance(result, OSError) for result in results)
    with pytest.raises(OSError):
        await group.add([_event(9)])
