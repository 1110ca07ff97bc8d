"""The folder back end: the index folder of ``store`` (FAISS + SQLite + bm25s)
behind the ``backend`` interface.

``FolderReader`` is the store's ``IndexReader`` plus the searches the ranker
asks for (dense and keyword, within a document mask), the vocabulary, the
facts table and the years each document mentions (``years.json``, written
beside ``meta.sqlite``; a generation written before it existed reads them
from the documents' text once). ``FolderWriter`` writes every change as a
complete new generation and switches ``CURRENT`` to it (``store.publish``).
"""
from __future__ import annotations

import json
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np

from ..records import Document
from .backend import Batch, Facts, Ranked, years_mentioned
from .dense import top_indices
from .fact_store import for_reader, write_facts
from .store import (IndexReader, WriterLock, current_generation, new_generation_dir, publish,
                    remove_stale_generations, write_generation)
from .verify import verify

YEARS_FILE = "years.json"  # doc id -> years its text mentions


class FolderReader(IndexReader):
    """One generation folder, read-only (see ``backend.Reader``)."""

    def __init__(self, gen: Path):
        super().__init__(gen)
        self.generation = gen.name
        self._years: dict[str, tuple[int, ...]] | None = None
        self._years_lock = threading.Lock()

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

    def vectors_by_key(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], np.ndarray]:
        stored = self.chunk_keys()
        found = [(key, stored[key]) for key in dict.fromkeys(keys) if key in stored]
        if not found:
            return {}
        vectors = self.vectors([cid for _, cid in found])
        return {key: vectors[i] for i, (key, _) in enumerate(found)}

    def document_years(self) -> dict[str, tuple[int, ...]]:
        with self._years_lock:
            if self._years is None:
                path = self.path / YEARS_FILE
                if path.exists():
                    self._years = {d: tuple(y) for d, y in json.loads(path.read_text(encoding="utf-8")).items()}
                else:  # written before years.json existed
                    self._years = {d: years_mentioned(self._document(s)) for d, s in self.documents.items()}
            return self._years

    def _document(self, stored) -> Document:
        return Document(stored.doc_id, stored.source, self.document_text(stored.doc_id), stored.meta,
                        stored.url, stored.added_at)

    def stored_documents(self) -> list[Document]:
        """Every document with its text (a rebuild keeps them)."""
        return [self._document(s) for s in self.documents.values()]


class FolderWriter:
    """Writes generations into ``root`` under its lock (see ``backend.Writer``)."""

    def __init__(self, root: Path, faiss_index: str):
        self.root, self.faiss_index = root, faiss_index

    def live(self) -> FolderReader | None:
        return None if current_generation(self.root) is None else FolderReader.open(self.root)

    def replace(self, batch: Batch) -> None:
        gen = new_generation_dir(self.root)
        write_generation(gen, batch.docs, batch.chunks, batch.tokens, batch.vectors, batch.model,
                         index_kind=self.faiss_index)
        write_facts(gen, batch.docs, batch.chunks)  # facts.sqlite beside meta.sqlite: figures across reports
        years = {d.doc_id: years_mentioned(d) for d in batch.docs}
        (gen / YEARS_FILE).write_text(json.dumps(years), encoding="utf-8")
        publish(self.root, gen)

    def change(self, batch: Batch, removed: Sequence[str]) -> int:
        """A new generation of the live documents not ``removed`` (their stored
        chunks, tokens and vectors) followed by ``batch``."""
        reader = self.live()
        if reader is None:
            self.replace(batch)
            return 0
        try:
            gone = set(removed)
            docs = [d for d in reader.stored_documents() if d.doc_id not in gone]
            rows = [(c, toks) for c, _, toks in reader.iter_chunks() if c.doc_id not in gone]
            vectors = reader.vectors([c.chunk_id for c, _ in rows])
        finally:
            reader.close()
        self.replace(Batch(docs + batch.docs, [c for c, _ in rows] + batch.chunks,
                           [t for _, t in rows] + batch.tokens,
                           np.vstack([vectors.reshape(len(rows), -1), batch.vectors]) if rows else batch.vectors,
                           batch.model))
        return len(rows)


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
            yield FolderWriter(self.root, self.faiss_index)

    def verify(self) -> list[str]:
        return verify(self.root)

    def describe(self) -> str:
        return str(self.root)

    def size_on_disk(self) -> int | None:
        gen = current_generation(self.root)
        return None if gen is None else sum(p.stat().st_size for p in gen.rglob("*") if p.is_file())
