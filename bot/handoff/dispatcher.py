"""The handoff dispatcher: fans each submitted draft out to the configured sinks and delivers it to each once."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.draft import DraftProposal
from bot.core.ports import Clock
from bot.handoff.dossier import DossierBuilder
from bot.handoff.receipts import Receipts
from bot.handoff.sinks import HandoffSink, delivery_key
from bot.handoff.worker import OutboxWorker
from storage.handoff import DraftDelivery, SqlHandoff, VersionDelivery
from storage.sql_store import SqlStore


class HandoffDispatcher:
    def __init__(
        self,
        handoff: SqlHandoff,
        store: SqlStore,
        builder: DossierBuilder,
        sinks: Sequence[HandoffSink],
        clock: Clock,
        receipts: Receipts | None = None,
    ) -> None:
        self._handoff = handoff
        self._store = store
        self._builder = builder
        self._sinks = {sink.name: sink for sink in sinks}
        self._clock = clock
        self._receipts = receipts
        self._worker = OutboxWorker(handoff.deliveries, self._deliver, clock)
        self._versions = OutboxWorker(handoff.version_deliveries, self._deliver_version, clock)

    async def run_once(self) -> int:
        """Fan out new drafts and new versions (and queue the proposers' 受付控え), then try every delivery that is
        due; return how many were tried."""
        if self._receipts is not None:
            await self._handoff.queue_receipts(self._receipts.make, self._clock.now())
        await self._handoff.fan_out(list(self._sinks), self._clock.now())
        await self._handoff.fan_out_versions(list(self._sinks), self._clock.now())
        return await self._worker.run_once() + await self._versions.run_once()

    async def _deliver(self, row: DraftDelivery) -> None:
        sink = self._sinks.get(row.sink)
        if sink is None:
            raise LookupError(f"the sink '{row.sink}' is no longer configured")
        reference = await self._handoff.reference_of(row.draft_id)
        stored = await self._store.get_draft(reference)
        if stored is None:
            raise LookupError(f"draft {reference} is gone")
        await sink.deliver(self._builder.build(stored), delivery_key(reference, row.sink))

    async def _deliver_version(self, row: VersionDelivery) -> None:
        """A resubmitted version: the dossier as of that version, with what changed."""
        sink = self._sinks.get(row.sink)
        if sink is None:
            raise LookupError(f"the sink '{row.sink}' is no longer configured")
        new = await self._handoff.new_version(row.version_id)
        stored = await self._store.get_draft(new.reference)
        if stored is None:
            raise LookupError(f"draft {new.reference} is gone")
        as_of = stored.model_copy(update={"draft": DraftProposal.model_validate(new.data)})
        key = delivery_key(new.reference, "version", new.version, row.sink)
        await sink.deliver(self._builder.build(as_of, new.version, new.changes), key)
