"""Shared fixtures: the real seed index (real model, real FAISS), built once
per test session in a temporary folder."""
from __future__ import annotations

import os
import zlib
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import numpy as np
import pytest

PROJECT = Path(__file__).resolve().parent.parent
SEEDS = PROJECT / "seeds"
SHARED = PROJECT.parent / "shared"

os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def settings():
    from retrieval.settings import Settings

    return Settings()


@contextmanager
def fresh_tokenizer() -> Iterator[None]:
    """govqa's tokenizer as a new process has it, without the words earlier
    tests taught it: jieba's cuts depend on every word added before (each one
    raises the total frequency), so two builds of one folder in one test
    session agree only when both start from the same tokenizer."""
    from retrieval.text import tokenize

    fresh = tokenize.tokenizer.__wrapped__()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tokenize, "tokenizer", lambda: fresh)
        patch.setattr(tokenize, "_added", set())
        yield


@pytest.fixture(scope="session")
def seed_index_dir(tmp_path_factory, settings) -> Path:
    """An index of seeds/ built with the default real model (as a new process builds it)."""
    from retrieval.index.indexer import build_index

    root = tmp_path_factory.mktemp("seed-index")
    with fresh_tokenizer():
        report = build_index([SEEDS], root, settings)
    assert report.documents == 5 and not report.errors, report.summary()
    return root


@pytest.fixture(scope="session")
def seed_engine(seed_index_dir, settings):
    from retrieval.engine import Engine

    return Engine.open(seed_index_dir, settings)


class FakeEmbedder:
    """A tiny deterministic embedder for unit tests: hashed character bigrams
    (crc32, not ``hash``: the same vectors in every process, so an index written
    by a child process agrees with questions asked in the test's)."""

    name = "fake"
    fingerprint = "fake:1"  # what a manifest records; vectors are reused only between equal ones
    dim = 64
    batch_size = 16

    def _vec(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)
        for a, b in zip(text, text[1:]):
            v[zlib.crc32((a + b).encode("utf-8")) % self.dim] += 1.0
        n = np.linalg.norm(v)
        return v / n if n else v

    def encode_passages(self, texts, progress=None):
        out = np.stack([self._vec(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)
        if progress:
            progress(len(texts))
        return out

    def encode_queries(self, texts):
        return self.encode_passages(texts)


@pytest.fixture
def fake_embedder(monkeypatch):
    """Make ``load_embedder`` return the fake for any model name."""
    import embeddings
    import embeddings.loader

    fake = FakeEmbedder()
    monkeypatch.setattr(embeddings.loader, "load_embedder", lambda name="", batch_size=32, cache=None: fake)
    monkeypatch.setattr(embeddings, "load_embedder", lambda name="", batch_size=32, cache=None: fake)
    return fake
