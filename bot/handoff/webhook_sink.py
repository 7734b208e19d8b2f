"""A generic JSON webhook for the city's own systems, signed with HMAC-SHA256."""

from __future__ import annotations

import hashlib
import hmac

import aiohttp

from bot.handoff.dossier import Dossier
from bot.handoff.notices import StaffNotice

SIGNATURE_HEADER = "X-Kyoso-Signature"
DELIVERY_HEADER = "X-Kyoso-Delivery"
EVENT_HEADER = "X-Kyoso-Event"  # draft_submitted / draft_revised / consultation_opened / consultation_reminder / proposer_answered


def signature(secret: bytes, body: bytes) -> str:
    """``sha256=<hex>`` of the exact body bytes; receivers compare it in constant time."""
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


class WebhookSink:
    name = "webhook"

    def __init__(self, url: str, secret: bytes, session: aiohttp.ClientSession, timeout: float = 30.0) -> None:
        self._url = url
        self._secret = secret
        self._session = session
        self._timeout = aiohttp.ClientTimeout(total=timeout)

    async def deliver(self, dossier: Dossier, key: str) -> None:
        event = "draft_revised" if dossier.version > 1 else "draft_submitted"
        await self._post(dossier.model_dump_json().encode(), key, event)

    async def notify(self, notice: StaffNotice, key: str) -> None:
        await self._post(notice.model_dump_json().encode(), key, notice.event)

    async def _post(self, body: bytes, key: str, event: str) -> None:
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            SIGNATURE_HEADER: signature(self._secret, body),
            DELIVERY_HEADER: key,
            EVENT_HEADER: event,
        }
        async with self._session.post(self._url, data=body, headers=headers, timeout=self._timeout) as response:
            if response.status >= 300:
                raise RuntimeError(f"webhook answered HTTP {response.status}: {(await response.text())[:200]}")
