"""The content and FAQ lookup the running bot holds: reloaded in the background when dialogs/ or faq/ change.

Staff edit dialogs/*.yaml and faq/*.yaml while the bot runs. At most every few
seconds a turn looks at the files' modification times; on a change the content
is loaded and checked as at start-up and a new index is built in a thread
(embedding new texts takes seconds), and only then are both swapped in
together. A broken edit keeps what was there and logs every problem, so a typo
never takes the bot down.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from bot.content.loader import Content, load_content
from bot.content.problems import ContentInvalid
from bot.core.ports import FaqHit, FaqMatch, Reading
from bot.faq.dense import E5Embedder
from bot.faq.languages import language_index
from bot.faq.matcher import FaqIndex

log = logging.getLogger(__name__)
Stamp = tuple[tuple[str, int, int], ...]


def build_index(content: Content, embedder: E5Embedder | None) -> FaqIndex:
    intents = content.intents.intents if content.intents else ()
    topics = content.out_of_scope.topics if content.out_of_scope else ()
    index = FaqIndex(content.faq, content.facts.facts, content.synonyms, embedder, intents=intents, topics=topics,
                     question_markers=content.common.question_markers)
    index.build_translation = functools.partial(language_index, content, embedder)  # English, やさしい日本語 (#17)
    return index


def load_embedder(cache_dir: Path) -> E5Embedder | None:
    """The bundled embedding model, or None (BM25 only) when it cannot be loaded on this machine.

    Passage vectors are kept under ``cache_dir``/embeddings, the faster engine under ``cache_dir``/engine.
    """
    try:
        return E5Embedder(cache_dir / "embeddings", engine_dir=cache_dir / "engine")
    except (ImportError, OSError, RuntimeError) as error:
        log.warning("FAQ matching without the embedding model (BM25 only): %s", error)
        return None


class LiveContent:
    """The latest good content (``current()``, for the engine) and its FAQ index (``lookup``/``get``)."""

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
        self._live = (content, build(content))  # swapped as one: the dialogs may name new FAQ entries
        self._stamp = self._files_stamp()
        self._checked_at = clock()
        self._rebuilding: threading.Thread | None = None

    @property
    def index(self) -> FaqIndex:
        return self._live[1]

    def current(self) -> Content:
        """The content for this turn (and a look at the files, at most every ``check_every`` seconds)."""
        self._maybe_rebuild()
        return self._live[0]

    def lookup(self, text: str) -> FaqMatch:
        self._maybe_rebuild()
        return self.index.lookup(text)

    def read(self, text: str) -> Reading:
        self._maybe_rebuild()
        return self.index.read(text)

    def get(self, entry_id: str) -> FaqHit | None:
        return self.index.get(entry_id)

    def in_language(self, language: str) -> FaqIndex:
        return self.index.in_language(language)

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
        self._rebuilding = threading.Thread(target=self._rebuild, name="content-reload", daemon=True)
        self._rebuilding.start()

    def _rebuild(self) -> None:
        try:
            content = load_content(self._root)
        except ContentInvalid as invalid:
            problems = "\n".join(problem.render(self._root) for problem in invalid.problems)
            log.error("the content was edited but has problems; keeping the previous dialogs and FAQ:\n%s", problems)
            return
        index = self._build(content)
        for language in content.translations:  # built here, off the event loop, not at the first question
            index.in_language(language)
        self._live = (content, index)
        log.info("content reloaded: %d steps, %d FAQ entries", len(content.steps), len(content.faq))

    def _files_stamp(self) -> Stamp:
        files = sorted([*(self._root / "dialogs").glob("**/*.yaml"), *(self._root / "faq").glob("**/*.yaml")])  # translations too
        stats = [(f"{path.parent.name}/{path.name}", path.stat()) for path in files if path.is_file()]
        return tuple((name, stat.st_mtime_ns, stat.st_size) for name, stat in stats)
