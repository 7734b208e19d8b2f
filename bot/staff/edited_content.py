"""The copy of dialogs/ and faq/ staff edit before publishing (KYOSO_EDITED_CONTENT_DIR), for the 回答テスト page.

It is loaded and checked like the live content, and loaded again when one of its files changed.
"""

from __future__ import annotations

import threading
from pathlib import Path

from bot.content.loader import Content, load_content
from bot.faq.dense import E5Embedder
from bot.faq.live import build_index
from bot.faq.matcher import FaqIndex


class EditedContent:
    """The copy being edited: loaded on first use and again whenever one of its files changed."""

    def __init__(self, root: Path, embedder: E5Embedder | None) -> None:
        self.root = root
        self._embedder = embedder
        self._loaded: tuple[tuple[tuple[str, int, int], ...], Content, FaqIndex] | None = None
        self._lock = threading.Lock()

    def current(self) -> tuple[Content, FaqIndex]:
        """Blocking (loading and embedding take a moment); :class:`ContentInvalid` names the copy's mistakes."""
        with self._lock:
            stamp = self._stamp()
            if self._loaded is None or self._loaded[0] != stamp:
                content = load_content(self.root)
                self._loaded = (stamp, content, build_index(content, self._embedder))
            return self._loaded[1], self._loaded[2]

    def _stamp(self) -> tuple[tuple[str, int, int], ...]:
        files = sorted([*(self.root / "dialogs").glob("*.yaml"), *(self.root / "faq").glob("*.yaml")])
        return tuple((str(path), path.stat().st_mtime_ns, path.stat().st_size) for path in files if path.is_file())
