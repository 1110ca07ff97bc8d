"""The one interface between govqa and where its index lives.

Two back ends implement it:

- ``folder`` (default): FAISS + SQLite + bm25s files in one index folder
  (``index/folder.py`` over ``index/store.py``), for one machine;
- ``milvus``: a Milvus server or cluster, or a Milvus Lite file
  (``index/milvus*.py``), shared by any number of bot replicas.

``open_index(settings)`` picks one (``GOVQA_BACKEND``). Everything above
``index/`` (engine, ranking, answers, comparisons, the bot) talks to an
``Index`` and the ``Reader`` it opens, and never knows which one runs::

    index = open_index(settings)            # a location; nothing is read yet
    reader = index.open_reader()            # one published state, read-only
    ids, scores = reader.search_dense(vector, 200, mask)
    with index.writer() as w:               # the one writer (others are refused)
        w.change(batch, removed=["571d95..."])   # published atomically at the end

A ``mask`` is a bool per document, in ``reader.documents`` order (None = all
documents): the engine decides which reports a question may use, the back
end filters on its side.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, ContextManager, Iterator, NamedTuple, Protocol, Sequence

import numpy as np

from ..records import Chunk, Document
from ..text.normalise import find_years
from .store import IndexLockedError, IndexMissingError, ModelMismatchError, StoredDocument

if TYPE_CHECKING:  # pragma: no cover
    from ..settings import Settings
    from .facts import Fact, Report

BACKENDS = ("folder", "milvus")



class Ranked(NamedTuple):
    """A search's result, best first (ties in ascending chunk id)."""

    ids: np.ndarray  # chunk ids (int64)
    scores: np.ndarray  # float32
    docs: np.ndarray  # position of each chunk's document in ``reader.documents``

__all__ = ["BACKENDS", "Batch", "BackendError", "Facts", "Index", "IndexLockedError", "IndexMissingError",
           "IndexUnavailableError", "ModelMismatchError", "Ranked", "Reader", "Writer", "open_index",
           "years_mentioned"]


class BackendError(RuntimeError):
    """The back end answered, but with an error (a bug or a damaged index); one line."""


class IndexUnavailableError(BackendError):
    """The index cannot be reached or did not answer in time (Milvus down, network
    lost). Nothing is damaged: try again; the front-ends say so in one line."""


@dataclass
class Batch:
    """What a writer stores: documents, their chunks, one token list and one
    vector per chunk (same order), and the encoder's name and fingerprint
    (``index.model``). ``vectors`` may still be in the making (a function that
    waits for the encoder): a writer asks ``finish()`` as late as it can, so
    that it writes the texts while the encoder works."""

    docs: list[Document]
    chunks: list[Chunk]
    tokens: list[list[str]]
    vectors: np.ndarray | Callable[[], np.ndarray]  # (len(chunks), dimension) float32, L2-normalised
    model: str
    fingerprint: str = ""  # the encoder's exact fingerprint ("" = as the model name says)

    def __post_init__(self) -> None:
        assert len(self.chunks) == len(self.tokens), "one token list per chunk"

    def finish(self) -> np.ndarray:
        """The vectors, once the encoder has made them all."""
        if callable(self.vectors):
            self.vectors = self.vectors()
        assert len(self.vectors) == len(self.chunks), "one vector per chunk"
        return self.vectors


class Facts(Protocol):
    """The facts table of one published state (see ``fact_store.FactStore``)."""

    reports: dict[str, "Report"]

    def facts(self, measure: str | None = None, region: str | None = None, year: int | None = None,
              doc_id: str | None = None) -> list["Fact"]: ...

    def reports_in(self, region: str | None = None, year: int | None = None) -> list["Report"]: ...

    def measures(self) -> list[tuple[str, int]]:
        """(measure, number of facts) for every measure found, most frequent first (then by name)."""


class Reader(Protocol):
    """One published state of the index, read-only and safe to share between threads."""

    generation: str  # opaque id of this state; ``Index.live()`` returns another one after a change
    manifest: dict[str, Any]  # model, dimension, documents, chunks, built_at, backend, ...
    size: int  # chunks
    documents: dict[str, StoredDocument]  # in index order

    def search_dense(self, vector: np.ndarray, k: int, mask: np.ndarray | None = None) -> Ranked:
        """Top ``k`` chunks by inner product with ``vector``, within ``mask``."""

    def search_keywords(self, tokens: Sequence[str], k: int, mask: np.ndarray | None = None) -> Ranked:
        """Top ``k`` chunks by BM25 (k1=1.5, b=0.75) of ``tokens``, score > 0, within ``mask``."""

    def chunks(self, chunk_ids: Sequence[int]) -> list[Chunk]:
        """Chunks by id, in the order asked (unknown ids left out)."""

    def document_text(self, doc_id: str) -> str: ...

    def document_chunks(self, doc_id: str) -> list[Chunk]:
        """Every chunk of one document, in order."""

    def document_pages(self, doc_id: str) -> list[tuple[int, int]]:
        """Where each page of a paged source starts in its text ([] when not kept)."""

    def document_years(self) -> dict[str, tuple[int, ...]]:
        """Years each document's text mentions (``years_mentioned``), by doc id."""

    def document_frequencies(self) -> dict[str, int]:
        """Chunks each token occurs in: the vocabulary of the keyword index."""

    def knows(self, term: str) -> bool:
        """True if ``term`` occurs in the indexed text as a token."""

    def facts(self) -> Facts: ...

    def vectors(self, chunk_ids: Sequence[int]) -> np.ndarray:
        """Stored (exact) vectors of the given chunks."""

    def vectors_by_key(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], np.ndarray]:
        """Stored vectors of chunks by (section, text hash): what vector reuse matches on."""

    def iter_chunks(self) -> Iterator[tuple[Chunk, str, list[str]]]:
        """Every chunk with its text hash and tokens, in chunk id order."""

    def preload(self) -> None:
        """Load now whatever questions read, so that a state that cannot be read
        fails before it answers anything (the folder: FAISS, BM25, facts)."""

    def close(self) -> None: ...


class Writer(Protocol):
    """The one writer of an index (``Index.writer()``); each call below is
    published in one atomic step at its end, or not at all."""

    # True when every change writes the whole index anew (the folder): live
    # chunks can then be encoded again when the encoder changed. False
    # (Milvus): a change adds rows beside the live ones, so vectors of another
    # encoder are refused.
    rewrites: bool

    def live(self) -> Reader | None:
        """The published state the writer starts from (None: nothing built),
        checked: IndexDamagedError when it is damaged."""

    def replace(self, batch: Batch) -> None:
        """A whole new index of exactly ``batch`` (``index build``)."""

    def change(self, batch: Batch, removed: Sequence[str]) -> int:
        """Add ``batch`` and remove the documents ``removed`` (doc ids) from the
        live index. Returns how many live chunks were kept as they were."""


class Index(Protocol):
    """One location of an index: a folder, a Milvus Lite file or a Milvus server."""

    def live(self) -> str | None:
        """Id of the published state (cheap: polled before questions), None when nothing is built."""

    def open_reader(self) -> Reader:
        """The published state; IndexMissingError, IndexUnavailableError (one line each)."""

    def writer(self) -> ContextManager[Writer]:
        """The one writer; IndexLockedError while another process holds it."""

    def verify(self) -> list[str]:
        """Every disagreement found, one line each; empty when all agree."""

    def describe(self) -> str:
        """Where the index is, for messages: 'index' or 'Milvus at http://...'."""

    def size_on_disk(self) -> int | None:
        """Bytes of the published state on this machine's disk; None when it lives on a server."""


def open_index(settings: "Settings", root: Path | str | None = None) -> Index:
    """The index ``settings`` name: ``GOVQA_BACKEND`` (folder, milvus); for the
    folder, ``root`` or ``GOVQA_INDEX``; for Milvus, ``GOVQA_MILVUS_URI`` and
    ``GOVQA_MILVUS_TOKEN``."""
    backend = (settings.backend or "folder").strip().lower()
    if backend == "folder":
        from .folder import FolderIndex

        return FolderIndex(Path(root) if root is not None else settings.index, settings.faiss_index)
    if backend == "milvus":
        from .milvus import MilvusIndex

        if not settings.milvus_uri:
            raise ValueError("GOVQA_BACKEND=milvus needs GOVQA_MILVUS_URI: http://host:19530 for a Milvus "
                             "server, or a file such as ./milvus.db for Milvus Lite on this machine")
        return MilvusIndex(settings.milvus_uri, settings.milvus_token, timeout=settings.milvus_timeout)
    raise ValueError(f"unknown GOVQA_BACKEND {settings.backend!r}: use one of {', '.join(BACKENDS)}")


def years_mentioned(doc: Document) -> tuple[int, ...]:
    """The years a document covers or mentions: a 2020 report's plans for 2021
    answer what-questions about 2021. Stored per document at index time, so that
    opening an index never reads every document's text.

    >>> from retrieval.records import Metadata
    >>> years_mentioned(Document("d", "s", "2021年工作要点:2020年完成……", Metadata(year=2020)))
    (2020, 2021)
    """
    years = set(find_years(doc.text)) | ({doc.meta.year} if doc.meta.year else set())
    return tuple(sorted(years))
