"""The FAQ lookup the running bot holds: rebuilt in the background when the files in faq/ change.

Staff edit faq/*.yaml while the bot runs. At most every few seconds a lookup
looks at the files' modification times; on a change a new index is built in a
thread (embedding new texts takes seconds) from content that passed the same
checks as at start-up, and only then swapped in. A broken edit keeps the old
index and logs every problem, so a typo never takes the FAQ down.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from bot.content.loader import Content, load_content
from bot.content.problems import ContentInvalid
from bot.core.ports import FaqHit, FaqMatch
from bot.faq.dense import E5Embedder
from bot.faq.matcher import FaqIndex

log = logging.getLogger(__name__)
Stamp = tuple[tuple[str, int, int], ...]


def build_index(content: Content, embedder: E5Embedder | None) -> FaqIndex:
    return FaqIndex(content.faq, content.facts.facts, content.synonyms, embedder)


def load_embedder(cache_dir: Path) -> E5Embedder | None:
    """The bundled embedding model, or None (BM25 only) when it cannot be loaded on this machine.

    Passage vectors are kept under ``cache_dir``/embeddings, the faster engine under ``cache_dir``/engine.
    """
    try:
        return E5Embedder(cache_dir / "embeddings", engine_dir=cache_dir / "engine")
    except (ImportError, OSError, RuntimeError) as error:
        log.warning("FAQ matching without the embedding model (BM25 only): %s", error)
        return None


class LiveFaq:
    def __init__(
        self,
        content: Content,
        build: Callable[[Content], FaqIndex],
        check_every: float = 3.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._root = content.root
        self._build = build
        self._check_every = check_every
        self._clock = clock
        self.index = build(content)
        self._stamp = self._files_stamp()
        self._checked_at = clock()
        self._rebuilding: threading.Thread | None = None

    def lookup(self, text: str) -> FaqMatch:
        self._maybe_rebuild()
        return self.index.lookup(text)

    def get(self, entry_id: str) -> FaqHit | None:
        return self.index.get(entry_id)

    def wait(self) -> None:
        """Block until a rebuild that is under way has finished (tests, `kyoso` commands)."""
        if self._rebuilding is not None:
            self._rebuilding.join()

    def _maybe_rebuild(self) -> None:
        now = self._clock()
        if now - self._checked_at < self._check_every or (self._rebuilding and self._rebuilding.is_alive()):
            return
        self._checked_at = now
        stamp = self._files_stamp()
        if stamp == self._stamp:
            return
        self._stamp = stamp
        self._rebuilding = threading.Thread(target=self._rebuild, name="faq-rebuild", daemon=True)
        self._rebuilding.start()

    def _rebuild(self) -> None:
        try:
            content = load_content(self._root)
        except ContentInvalid as invalid:
            problems = "\n".join(problem.render(self._root) for problem in invalid.problems)
            log.error("the FAQ was edited but the content has problems; keeping the previous FAQ:\n%s", problems)
            return
        self.index = self._build(content)
        log.info("FAQ reloaded: %d entries", len(content.faq))

    def _files_stamp(self) -> Stamp:
        files = sorted((self._root / "faq").glob("*.yaml"))
        stats = [(path.name, path.stat()) for path in files if path.is_file()]
        return tuple((name, stat.st_mtime_ns, stat.st_size) for name, stat in stats)
