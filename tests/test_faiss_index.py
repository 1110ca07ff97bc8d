"""FAISS index choice by size, override, recall and filtered search, on small
synthetic clustered vectors (no model, a few seconds)."""
from __future__ import annotations

import numpy as np
import pytest

from retrieval.index import dense
from retrieval.index.dense import FLAT_MAX_CHUNKS, DenseIndex, choose, write_dense
from retrieval.records import Chunk, Document, Metadata
from retrieval.index.store import IndexReader, write_generation

DIM = 64
K = 200  # what the ranker asks for (search.CANDIDATES)


def clustered(n: int, clusters: int = 100, seed: int = 0) -> np.ndarray:
    """Unit vectors around ``clusters`` random centres (like topics)."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((clusters, DIM)).astype(np.float32)
    x = centres[rng.integers(0, clusters, n)] + 0.35 * rng.standard_normal((n, DIM)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def exact_top(vectors: np.ndarray, q: np.ndarray, k: int, allowed: np.ndarray | None = None) -> np.ndarray:
    scores = vectors @ q
    if allowed is not None:
        scores = np.where(allowed, scores, -np.inf)
    return np.argsort(-scores, kind="stable")[:k]


def recall_at_10(index: DenseIndex, vectors: np.ndarray, queries: np.ndarray,
                 allowed: np.ndarray | None = None) -> float:
    found = 0
    for q in queries:
        ids, _ = index.search(q, K, allowed)
        found += len(set(ids[:10].tolist()) & set(exact_top(vectors, q, 10, allowed).tolist()))
    return found / (10 * len(queries))


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    both = clustered(20_040)  # queries from the same topics as the chunks, not among them
    return both[:20_000], both[20_000:]


def _open(tmp_path, vectors: np.ndarray, kind: str) -> DenseIndex:
    fields = write_dense(tmp_path, vectors, kind)
    return DenseIndex.open(tmp_path, fields)


# ---------------------------------------------------------------- choice


def test_exact_while_small_approximate_beyond_the_threshold():
    assert choose(0).kind == "flat"
    assert choose(FLAT_MAX_CHUNKS).kind == "flat"
    big = choose(FLAT_MAX_CHUNKS + 1)
    assert big.kind == "ivf" and big.approximate and big.factory.endswith(",SQ8")
    assert choose(1_000_000).nlist == 1024


def test_setting_overrides_the_size_rule():
    assert choose(10_000_000, "flat").kind == "flat"
    assert choose(100, "hnsw").factory.startswith("HNSW")
    assert choose(100_000, "IVF").kind == "ivf"
    with pytest.raises(ValueError, match="unknown FAISS index kind"):
        choose(100, "annoy")


def test_ivf_needs_enough_vectors_to_train_and_falls_back_to_exact():
    assert choose(50, "ivf").kind == "flat"


# ---------------------------------------------------------------- search


@pytest.mark.parametrize("kind", ["flat", "ivf", "hnsw"])
def test_recall_at_10_against_exact(tmp_path, data, kind):
    vectors, queries = data
    index = _open(tmp_path, vectors, kind)
    assert index.kind == kind and index.size == len(vectors)
    assert recall_at_10(index, vectors, queries) >= (1.0 if kind == "flat" else 0.98)


@pytest.mark.parametrize("kind", ["flat", "ivf", "hnsw"])
@pytest.mark.parametrize("keep_every", [3, 500])  # a large subset (selector) and a small one (direct scan)
def test_filtered_search_returns_only_allowed_chunks(tmp_path, data, kind, keep_every):
    vectors, queries = data
    index = _open(tmp_path, vectors, kind)
    allowed = np.zeros(len(vectors), dtype=bool)
    allowed[::keep_every] = True
    for q in queries[:10]:
        ids, scores = index.search(q, K, allowed)
        assert len(ids) == min(K, allowed.sum())
        assert allowed[ids].all()
        assert np.all(np.diff(scores) <= 1e-6)  # best first
    assert recall_at_10(index, vectors, queries[:10], allowed) >= 0.95


def test_filter_that_keeps_nothing_gives_nothing(tmp_path, data):
    vectors, queries = data
    index = _open(tmp_path, vectors, "ivf")
    ids, scores = index.search(queries[0], K, np.zeros(len(vectors), dtype=bool))
    assert len(ids) == len(scores) == 0


@pytest.mark.parametrize("kind", ["flat", "ivf"])
def test_stored_vectors_are_exact(tmp_path, data, kind):
    vectors, _ = data
    index = _open(tmp_path, vectors, kind)
    ids = [5, 0, 19_999]
    assert np.array_equal(index.vectors(ids), vectors[ids])
    assert (tmp_path / dense.VECTORS_FILE).exists() == (kind == "ivf")


# ---------------------------------------------------------------- through the store


def test_generation_with_an_approximate_index_reads_back(tmp_path, data):
    vectors = data[0][:5_000]
    docs = [Document(f"d{i}", f"r{i}.txt", "正文", Metadata(region="金华市", year=2020)) for i in range(5)]
    chunks = [Chunk(f"d{i // 1000}", i % 1000, "", f"第{i}段", [f"第{i}段"]) for i in range(len(vectors))]
    write_generation(tmp_path, docs, chunks, [["段"]] * len(chunks), vectors, "fake", index_kind="ivf")
    reader = IndexReader(tmp_path)
    try:
        assert reader.manifest["faiss_index"].startswith("IVF") and reader.manifest["faiss_search"]["nprobe"] > 0
        assert reader.faiss.ntotal == reader.size == len(vectors)
        assert np.array_equal(reader.vectors([3, 4_999]), vectors[[3, 4_999]])
        ids, _ = reader.dense.search(vectors[42], 10)
        assert ids[0] == 42
    finally:
        reader.close()
