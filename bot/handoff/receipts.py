"""受付控え: the copy a proposer who gave an e-mail address gets of their submitted draft.

The handoff dispatcher decides once per submitted draft (``SqlHandoff.queue_receipts``): with staff mail
configured and an address in the draft, the mail is queued in the replies' outbox (``ReceiptMessenger``
sends it, exactly once); otherwise nothing, and the draft is not looked at again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from bot.content.loader import Content
from bot.core.my_proposals import summary_of
from bot.core.text import render
from bot.core.views import next_steps


class Receipts:
    def __init__(self, content: Callable[[], Content], enabled: bool) -> None:
        self._content = content
        self.enabled = enabled

    def make(self, reference: str, data: Mapping[str, Any]) -> tuple[str, str] | None:
        """(address, text) of the mail, its first line the subject; None when none is sent."""
        address = data.get("email")
        if not (self.enabled and address):
            return None
        content = self._content()
        values = {name: str(value) for name, value in data.items() if value not in (None, "") and name != "schema_version"}
        card = summary_of(content, values)
        texts, facts = content.after_handoff.receipt, content.facts.facts
        subject = render(texts.subject, {**facts, "reference": reference}).replace("\n", " ")
        body = render(texts.body, {
            **facts, "reference": reference, "contact_name": values.get("contact_name", ""),
            "summary": card.as_text() if card else "", "next_steps": next_steps(content),
        })
        return str(address), f"{subject}\n{body}"
