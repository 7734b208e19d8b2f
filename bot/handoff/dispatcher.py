"""The handoff dispatcher: fans each submitted draft out to the configured sinks and delivers it to each once."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row

from bot.core.ports import Clock
from bot.handoff.dossier import DossierBuilder
from bot.handoff.sinks import HandoffSink, delivery_key
from bot.handoff.worker import OutboxWorker
from storage.handoff import SqlHandoff
from storage.sql_store import SqlStore


class HandoffDispatcher:
    def __init__(
        self,
        handoff: SqlHandoff,
        store: SqlStore,
        builder: DossierBuilder,
        sinks: Sequence[HandoffSink],
        clock: Clock,
    ) -> None:
        self._handoff = handoff
        self._store = store
        self._builder = builder
        self._sinks = {sink.name: sink for sink in sinks}
        self._clock = clock
        self._worker = OutboxWorker(handoff.deliveries, self._deliver, clock)

    async def run_once(self) -> int:
        """Fan out new drafts, then try every delivery that is due; return how many deliveries were tried."""
        await self._handoff.fan_out(list(self._sinks), self._clock.now())
        return await self._worker.run_once()

    async def _deliver(self, row: Row[Any]) -> None:
        sink = self._sinks.get(row.sink)
        if sink is None:
            raise LookupError(f"the sink '{row.sink}' is no longer configured")
        reference = await self._handoff.reference_of(row.draft_id)
        stored = await self._store.get_draft(reference)
        if stored is None:
            raise LookupError(f"draft {reference} is gone")
        await sink.deliver(self._builder.build(stored), delivery_key(reference, row.sink))
