"""The folder back end: the index folder of ``store`` (FAISS + SQLite + bm25s)
behind the ``backend`` interface.

``FolderReader`` is the store's ``IndexReader`` plus the searches the ranker
asks for (dense and keyword, within a document mask), the vocabulary and the
facts table. ``FolderWriter`` writes every change as a complete new
generation and publishes it (``generations.publish``: CHECKSUMS, fsync,
HISTORY, the atomic switch of ``CURRENT``). It starts from the live
generation only after checking it (``CHECKSUMS``), carries the documents a
change keeps over exactly as stored (chunks, tokens, years, pages and
vectors, each vector checked finite and unit length: damage is never copied
forward), and writes texts, BM25 and facts before it asks for the new
vectors, so that the encoder works meanwhile. A failure to write deletes the
unfinished generation: the live one stays.
"""
from __future__ import annotations

import shutil
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np

from ..records import Chunk, Document
from .backend import Batch, Facts, Ranked, years_mentioned
from .dense import bad_norms, top_indices
from .fact_store import FACTS_FILE, for_reader, write_facts
from .generations import (IndexDamagedError, IndexMissingError, checksum_mismatches, current_generation,
                          live_generation, new_generation_dir, publish, remove_stale_generations, writing)
from .keyword import chunk_tokens, place_words
from .model import FINGERPRINT_KEY
from .store import IndexReader, WriterLock, write_texts, write_vectors
from .verify import verify


class FolderReader(IndexReader):
    """One generation folder, read-only (see ``backend.Reader``)."""

    def __init__(self, gen: Path):
        super().__init__(gen)
        self.generation = gen.name
        self._keys: dict[tuple[str, str], int] | None = None
        self._keys_lock = threading.Lock()

    def _allowed(self, mask: np.ndarray | None) -> np.ndarray | None:
        """Document mask -> chunk mask."""
        return None if mask is None else np.asarray(mask, dtype=bool)[self.chunk_doc]

    def search_dense(self, vector: np.ndarray, k: int, mask: np.ndarray | None = None) -> Ranked:
        """FAISS with the parameters of its kind (see ``dense``)."""
        ids, scores = self.dense.search(vector, k, self._allowed(mask))
        return Ranked(ids, scores, self.chunk_doc[ids])

    def search_keywords(self, tokens: Sequence[str], k: int, mask: np.ndarray | None = None) -> Ranked:
        """bm25s scores of every chunk, the best ``k`` allowed ones with a score above 0."""
        if self.size == 0:
            return Ranked(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int32))
        scores = self.keyword.scores(list(tokens))
        allowed = self._allowed(mask)
        if allowed is None:
            ids = top_indices(scores, k)
        else:  # rank only the allowed rows (masking all 1M scores cost ~9 ms per question)
            rows = np.flatnonzero(allowed)
            ids = rows[top_indices(scores[rows], k)]
        ids = ids[scores[ids] > 0].astype(np.int64)
        return Ranked(ids, scores[ids].astype(np.float32), self.chunk_doc[ids])

    def document_frequencies(self) -> dict[str, int]:
        return self.keyword.document_frequencies()

    def knows(self, term: str) -> bool:
        return self.keyword.knows(term)

    def facts(self) -> Facts:
        return for_reader(self)

    def preload(self) -> None:
        _ = self.dense, self.keyword, len(self.facts())

    def vectors_by_key(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], np.ndarray]:
        with self._keys_lock:
            if self._keys is None:
                self._keys = self.chunk_keys()
        found = [(key, self._keys[key]) for key in dict.fromkeys(keys) if key in self._keys]
        if not found:
            return {}
        vectors = self.vectors([cid for _, cid in found])
        return {key: vectors[i] for i, (key, _) in enumerate(found)}

    def stored_document(self, doc_id: str) -> Document:
        """A document as stored, with its text and pages."""
        s = self.documents[doc_id]
        return Document(doc_id, s.source, self.document_text(doc_id), s.meta, s.url, s.added_at,
                        self.document_pages(doc_id))

    def stored_documents(self) -> list[Document]:
        """Every document with its text (a rebuild keeps them)."""
        return [self.stored_document(d) for d in self.documents]


def open_checked(root: Path) -> FolderReader | None:
    """The live generation, after checking it is exactly as written
    (``CHECKSUMS``); None when the folder never held an index. A damaged index
    raises IndexDamagedError: no change may start from it."""
    try:
        gen = live_generation(root)
    except IndexMissingError:
        return None
    for name, what in checksum_mismatches(gen)[:1]:
        raise IndexDamagedError(root, f"{gen.name}/{name} {what}")
    return FolderReader(gen)


@dataclass
class Carried:
    """The live documents a change keeps, exactly as stored."""

    docs: list[Document] = field(default_factory=list)
    chunks: list[Chunk] = field(default_factory=list)
    tokens: list[list[str]] = field(default_factory=list)
    years: dict[str, tuple[int, ...]] = field(default_factory=dict)
    vectors: np.ndarray | None = None


class FolderWriter:
    """Writes generations into ``root`` under its lock (see ``backend.Writer``)."""

    rewrites = True  # every change is a whole new generation

    def __init__(self, root: Path, faiss_index: str):
        self.root, self.faiss_index = root, faiss_index
        self._live: FolderReader | None = None
        self._opened = False

    def live(self) -> FolderReader | None:
        if not self._opened:  # checked once per change; IndexDamagedError each time it is asked while damaged
            self._live, self._opened = open_checked(self.root), True
        return self._live

    def close(self) -> None:
        if self._live is not None:
            self._live.close()

    def replace(self, batch: Batch) -> None:
        self._write(Carried(), batch)

    def change(self, batch: Batch, removed: Sequence[str]) -> int:
        """A new generation of the live documents not ``removed`` (carried over
        as stored) followed by ``batch``. Returns the chunks carried."""
        live = self.live()
        if live is None:
            self.replace(batch)
            return 0
        carried = carry(live, set(removed), batch.docs)
        self._write(carried, batch)
        return len(carried.chunks)

    def _write(self, carried: Carried, batch: Batch) -> None:
        """Texts, BM25 and facts first (the encoder still at work), then the
        vectors and the manifest; then publish."""
        docs, chunks = carried.docs + batch.docs, carried.chunks + batch.chunks
        years = {**carried.years, **{d.doc_id: years_mentioned(d) for d in batch.docs}}
        with writing(self.root, "a new generation folder"):
            gen = new_generation_dir(self.root)
        try:
            write_texts(gen, docs, chunks, carried.tokens + batch.tokens, years)
            with writing(gen, FACTS_FILE):
                write_facts(gen, docs, chunks)  # facts.sqlite beside meta.sqlite: figures across reports
            vectors = batch.finish()
            if carried.vectors is not None and len(carried.vectors):
                vectors = np.vstack([carried.vectors, vectors.reshape(-1, carried.vectors.shape[1])])
            extra = {FINGERPRINT_KEY: batch.fingerprint} if batch.fingerprint else None
            write_vectors(gen, vectors, batch.model, len(docs), extra=extra, index_kind=self.faiss_index)
            publish(self.root, gen)
        finally:
            shutil.rmtree(gen, ignore_errors=True)  # gone when published (renamed); else unfinished


def carry(live: FolderReader, removed: set[str], new_docs: Sequence[Document]) -> Carried:
    """The live documents not ``removed``, as stored: never read, chunked or
    encoded again. Their vectors are checked (finite, unit length; damage
    raises IndexDamagedError), and a chunk holding a place name the new
    documents bring is tokenised again, as a build of them all would."""
    out = Carried()
    stored_years = live.mentioned_years()  # None: an index written before years were stored
    for doc_id in live.documents:
        if doc_id not in removed:
            doc = live.stored_document(doc_id)
            out.docs.append(doc)
            out.years[doc_id] = tuple(stored_years.get(doc_id, ())) if stored_years is not None else \
                years_mentioned(doc)
    rows = [(c, t) for c, _, t in live.iter_chunks() if c.doc_id not in removed]
    out.vectors = checked_vectors(live, [c.chunk_id for c, _ in rows])
    old = set(place_words(d.meta for d in out.docs))
    taught = [w for w in place_words(d.meta for d in [*out.docs, *new_docs]) if w not in old] if new_docs else []
    out.chunks = [c for c, _ in rows]
    out.tokens = [chunk_tokens(c) if any(w in c.section or w in c.text for w in taught) else t for c, t in rows]
    return out


def checked_vectors(live: FolderReader, chunk_ids: list[int]) -> np.ndarray:
    """Stored vectors of ``chunk_ids``; IndexDamagedError when any is not a finite unit vector."""
    vectors = live.vectors(chunk_ids) if chunk_ids else np.zeros((0, int(live.manifest["dimension"])), np.float32)
    wrong = bad_norms(vectors)
    if len(wrong):  # never copy damage forward
        raise IndexDamagedError(live.path.parent, f"{live.path.name}/{live.dense.file}: {len(wrong):,} stored vectors "
                                                  f"are not finite unit vectors (chunk {chunk_ids[wrong[0]]})")
    return vectors


class FolderIndex:
    """The index folder ``root`` (see ``backend.Index``)."""

    def __init__(self, root: Path, faiss_index: str = "auto"):
        self.root, self.faiss_index = Path(root), faiss_index

    def live(self) -> str | None:
        gen = current_generation(self.root)
        return None if gen is None else gen.name

    def open_reader(self) -> FolderReader:
        return FolderReader.open(self.root)

    @contextmanager
    def writer(self) -> Iterator[FolderWriter]:
        with WriterLock(self.root):
            remove_stale_generations(self.root)  # leftovers of a killed writer
            writer = FolderWriter(self.root, self.faiss_index)
            try:
                yield writer
            finally:
                writer.close()

    def verify(self) -> list[str]:
        return verify(self.root)

    def describe(self) -> str:
        return str(self.root)

    def size_on_disk(self) -> int | None:
        gen = current_generation(self.root)
        return None if gen is None else sum(p.stat().st_size for p in gen.rglob("*") if p.is_file())
