"""The dense index of a generation: which FAISS index, how to build and search it.

Small indexes are exact (``IndexFlatIP``): below :data:`FLAT_MAX_CHUNKS`
chunks a full scan costs a few milliseconds and nothing is gained by
approximating. Beyond it the automatic choice is ``IVF{nlist},SQ8``: vectors
kept as 8-bit codes (a quarter of the memory) in ``nlist`` clusters, of which
a question scans ``nprobe``; its candidates are then re-scored exactly with
the float32 vectors kept beside it in ``vectors.npy``, which is
memory-mapped, so only the few rows a question touches are read. The same
file makes :meth:`DenseIndex.vectors` exact for every kind, which the indexer
needs to reuse the vectors of unchanged chunks.

The kind is a setting (``GOVQA_FAISS_INDEX``): ``auto`` (default), ``flat``,
``ivf`` or ``hnsw`` (``HNSW32`` over float32 vectors: fastest to search,
slowest to build, largest in memory).

>>> choose(1_000).kind, choose(1_000_000).kind
('flat', 'ivf')
>>> choose(1_000_000).factory
'IVF1024,SQ8'
>>> choose(1_000, "hnsw").factory
'HNSW32'
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

KINDS = ("auto", "flat", "ivf", "hnsw")
# Exact search up to here. Measured with `govqa bench` on our 2-core servers:
# a flat scan reads 1.5 KB per chunk per question (384-d float32) and is
# memory-bound: ~0.15 ms per 1,000 chunks on a quiet machine (1.1 ms at 10k,
# 15 ms at 100k, 156 ms at 1M) and up to ~0.8 ms when neighbours are busy,
# while IVF-SQ8 takes 1.6 ms at 100k and 3.4 ms at 1M. Below 20k the scan is a
# small part of a question (encoding it costs 20-60 ms) and needs no training.
FLAT_MAX_CHUNKS = 20_000
MIN_TRAIN_PER_LIST = 40  # FAISS warns below 39 training points per cluster
IVF_NPROBE = 32  # clusters scanned per question: recall@10 >= 0.98 in the bench
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 256  # >= the number of candidates the ranker asks for
# With a filter that keeps at most this many chunks, score them directly
# (exact, and cheaper than probing an index for a small subset).
FILTER_SCAN_MAX = 20_000

# A stored vector further than this from unit length was damaged on disk (float32
# rounding of a normalised 1024-d vector stays below 1e-5).
UNIT_NORM_TOLERANCE = 1e-3

INDEX_FILE = "vectors.faiss"
VECTORS_FILE = "vectors.npy"  # float32 copy beside approximate indexes


@dataclass(frozen=True)
class IndexChoice:
    """One concrete index kind with its size parameters."""

    kind: str  # "flat", "ivf" or "hnsw"
    nlist: int = 0  # IVF clusters

    @property
    def factory(self) -> str:
        """The ``faiss.index_factory`` string."""
        if self.kind == "ivf":
            return f"IVF{self.nlist},SQ8"
        if self.kind == "hnsw":
            return f"HNSW{HNSW_M}"
        return "Flat"

    @property
    def label(self) -> str:
        """What the manifest records (``faiss_index``)."""
        return "IndexFlatIP" if self.kind == "flat" else self.factory

    @property
    def approximate(self) -> bool:
        return self.kind != "flat"


def choose(n: int, setting: str = "auto") -> IndexChoice:
    """The index for ``n`` vectors: exact while small, IVF-SQ8 beyond
    :data:`FLAT_MAX_CHUNKS`, or the kind ``setting`` names.

    An IVF index needs enough vectors to train its clusters; below that the
    choice falls back to exact search whatever the setting.
    """
    kind = (setting or "auto").strip().lower()
    if kind not in KINDS:
        raise ValueError(f"unknown FAISS index kind {setting!r}: use one of {', '.join(KINDS)}")
    if kind == "auto":
        kind = "flat" if n <= FLAT_MAX_CHUNKS else "ivf"
    if kind == "ivf":
        nlist = ivf_lists(n)
        if n < nlist * MIN_TRAIN_PER_LIST or nlist < 2:
            return IndexChoice("flat")
        return IndexChoice("ivf", nlist)
    return IndexChoice(kind)


def ivf_lists(n: int) -> int:
    """Number of IVF clusters: about sqrt(n), as a power of two (1M -> 1024)."""
    if n < 4:
        return 1
    return 2 ** max(1, round(math.log2(math.sqrt(n))))


def build(vectors: np.ndarray, choice: IndexChoice) -> Any:
    """A filled FAISS inner-product index over ``vectors`` (L2-normalised rows)."""
    import faiss

    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    dim = int(vectors.shape[1])
    index = faiss.index_factory(dim, choice.factory, faiss.METRIC_INNER_PRODUCT)
    if choice.kind == "hnsw":
        faiss.downcast_index(index).hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    if not index.is_trained:
        index.train(_training_sample(vectors, choice.nlist))
    if len(vectors):
        index.add(vectors)
    return index


def _training_sample(vectors: np.ndarray, nlist: int) -> np.ndarray:
    """Enough evenly spread rows to train ``nlist`` clusters (k-means time
    grows with the sample, so not all of them)."""
    want = nlist * 64
    if len(vectors) <= want:
        return vectors
    rows = np.random.default_rng(1234).choice(len(vectors), size=want, replace=False)
    return vectors[np.sort(rows)]


def write_dense(gen: Path, vectors: np.ndarray, setting: str = "auto") -> dict[str, Any]:
    """Build the index for ``vectors`` and write it into the generation
    folder ``gen`` (plus ``vectors.npy`` for approximate kinds).

    Returns the manifest fields that describe it: ``faiss_index`` (the kind)
    and ``faiss_search`` (its search parameters)."""
    import faiss

    choice = choose(len(vectors), setting)
    faiss.write_index(build(vectors, choice), str(gen / INDEX_FILE))
    if choice.approximate:
        np.save(gen / VECTORS_FILE, np.ascontiguousarray(vectors, dtype=np.float32))
    return {"faiss_index": choice.label, "faiss_search": search_defaults(choice)}


def search_defaults(choice: IndexChoice) -> dict[str, int]:
    """Search-time parameters recorded in the manifest."""
    if choice.kind == "ivf":
        return {"nprobe": min(IVF_NPROBE, choice.nlist)}
    if choice.kind == "hnsw":
        return {"efSearch": HNSW_EF_SEARCH}
    return {}


class DenseIndex:
    """A loaded dense index: search (optionally within a subset of chunks)
    and exact stored vectors."""

    def __init__(self, index: Any, vectors: np.ndarray, params: dict[str, int], file: str = INDEX_FILE):
        self.index = index
        self._vectors = vectors  # (n, dim) float32: memory-mapped file or a view of the flat index
        self.params = params
        self.kind = _kind_of(index)
        self.file = file  # the file the exact vectors are read from

    @classmethod
    def open(cls, gen: Path, manifest: dict[str, Any] | None = None) -> "DenseIndex":
        """Load ``vectors.faiss`` of a generation (and map ``vectors.npy``);
        search parameters come from the manifest's ``faiss_search``."""
        import faiss

        index = faiss.read_index(str(gen / INDEX_FILE))
        if (gen / VECTORS_FILE).exists():
            vectors, file = np.load(gen / VECTORS_FILE, mmap_mode="r"), VECTORS_FILE
        else:
            vectors, file = _flat_view(index), INDEX_FILE
        return cls(index, vectors, dict((manifest or {}).get("faiss_search") or {}), file)

    @property
    def size(self) -> int:
        return int(self.index.ntotal)

    @property
    def stored_shape(self) -> tuple[int, int]:
        """(rows, dimension) of the exact vectors kept, without reading them."""
        rows, dim = self._vectors.shape
        return int(rows), int(dim)

    def vectors(self, ids: Any) -> np.ndarray:
        """The stored (exact) vectors of chunk ``ids``, as a new array."""
        ids = np.asarray(ids, dtype=np.int64)
        return np.array(self._vectors[ids], dtype=np.float32)

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top ``k`` chunk ids and inner products for one query vector, best
        first. ``allowed`` (bool per chunk) restricts the search to a subset."""
        q = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        if allowed is not None:
            count = int(np.count_nonzero(allowed))
            if count == 0:
                return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
            if count <= FILTER_SCAN_MAX:
                return self._scan(q[0], np.flatnonzero(allowed), k)
            if count == len(allowed):
                allowed = None
        k = min(k, self.size)
        if k <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        bits = None if allowed is None else np.packbits(allowed, bitorder="little")
        scores, ids = self.index.search(q, k, params=self._params(bits, allowed))
        keep = ids[0] >= 0
        ids, scores = ids[0][keep], scores[0][keep]
        if self.kind == "ivf":  # 8-bit codes rank candidates; exact vectors order them
            return self._rescore(q[0], ids)
        return ids, scores

    def _params(self, bits: np.ndarray | None, allowed: np.ndarray | None) -> Any:
        """SearchParameters for this index kind, with a bitmap selector when filtered.

        ``bits`` must stay alive for the duration of the search (the caller holds it)."""
        import faiss

        sel = None if bits is None else faiss.IDSelectorBitmap(len(allowed), faiss.swig_ptr(bits))
        if self.kind == "ivf":
            nprobe = int(self.params.get("nprobe", IVF_NPROBE))
            if allowed is not None:  # a filter keeping a fraction f needs ~1/f more clusters
                nprobe = math.ceil(nprobe * len(allowed) / max(int(np.count_nonzero(allowed)), 1))
            nlist = faiss.extract_index_ivf(self.index).nlist
            return faiss.SearchParametersIVF(sel=sel, nprobe=min(nprobe, nlist))
        if self.kind == "hnsw":
            return faiss.SearchParametersHNSW(sel=sel, efSearch=int(self.params.get("efSearch", HNSW_EF_SEARCH)))
        return None if sel is None else faiss.SearchParameters(sel=sel)

    def _scan(self, q: np.ndarray, ids: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Exact scores of the given chunks; top ``k``."""
        scores = self._vectors[ids] @ q
        return _best(ids, scores, k)

    def _rescore(self, q: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Re-order candidates by their exact inner product."""
        if len(ids) == 0:
            return ids, np.zeros(0, dtype=np.float32)
        order = np.argsort(ids)  # ascending rows read the memory-mapped file in order
        exact = np.empty(len(ids), dtype=np.float32)
        exact[order] = self._vectors[ids[order]] @ q
        return _best(ids, exact, len(ids))


def bad_norms(vectors: np.ndarray, tolerance: float = UNIT_NORM_TOLERANCE) -> np.ndarray:
    """Rows that are not finite unit vectors (every embedder returns L2-normalised
    rows; an all-zero row, the embedding of no text, is allowed).

    >>> bad_norms(np.array([[0.6, 0.8], [0.0, 0.0], [3.0, 4.0], [np.nan, 0.0]], dtype=np.float32)).tolist()
    [2, 3]
    """
    norms = np.linalg.norm(np.asarray(vectors, dtype=np.float64), axis=1)
    ok = np.isfinite(norms) & ((np.abs(norms - 1.0) <= tolerance) | (norms == 0.0))
    return np.flatnonzero(~ok)


def top_indices(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` highest scores, best first (ties keep their order)."""
    k = min(k, len(scores))
    if k == 0:
        return np.zeros(0, dtype=np.int64)
    part = np.argpartition(-scores, k - 1)[:k]
    return part[np.argsort(-scores[part], kind="stable")]


def _best(ids: np.ndarray, scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` best (id, score) pairs, best first."""
    best = top_indices(scores, k)
    return ids[best].astype(np.int64), scores[best].astype(np.float32)


def _kind_of(index: Any) -> str:
    """'flat', 'ivf' or 'hnsw' for a loaded FAISS index."""
    import faiss

    index = faiss.downcast_index(index)
    if isinstance(index, faiss.IndexIVF):
        return "ivf"
    if isinstance(index, faiss.IndexHNSW):
        return "hnsw"
    return "flat"


def _flat_view(index: Any) -> np.ndarray:
    """The vectors inside a flat index, without copying them."""
    import faiss

    flat = faiss.downcast_index(index)
    if not isinstance(flat, faiss.IndexFlat):
        raise ValueError(f"{type(flat).__name__} cannot give back exact vectors and no {VECTORS_FILE} is beside it")
    n, dim = int(flat.ntotal), int(flat.d)
    if n == 0:
        return np.zeros((0, dim), dtype=np.float32)
    return faiss.rev_swig_ptr(flat.get_xb(), n * dim).reshape(n, dim)
