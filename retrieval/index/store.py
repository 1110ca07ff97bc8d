"""The index folder: FAISS vectors, SQLite metadata, BM25, manifest.

Layout (everything a reader needs is inside one generation folder, which is
written once and never changed; ``CURRENT`` names the live generation and is
replaced atomically, so a reader never sees a half-written index)::

    index/
      CURRENT                   -> "gen-20261123-011500-4242"
      HISTORY                   generations CURRENT named, one per switch (generations.py)
      gen-20261123-011500-4242/
        manifest.json           model, dimension, counts, build time, format
        vectors.faiss           one vector per chunk, FAISS id = chunk_id (kind: dense.py)
        vectors.npy             float32 vectors, only beside an approximate index
        meta.sqlite             documents, chunks (with sentences), years each document mentions, ...
        bm25/                   bm25s index over jieba tokens, row = chunk_id
        facts.sqlite            reported figures (fact_store.py)
        CHECKSUMS               sha256 of every file above, written when published
      .lock                     held by the one writer

Chunk ids are positions 0..n-1 inside a generation: FAISS id, BM25 row and
SQLite ``chunk_id`` are the same number.
"""
from __future__ import annotations

import fcntl
import json
import logging
import os
import sqlite3
import threading
import time
from dataclasses import dataclass
from hashlib import sha256
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

import numpy as np

from ..records import Chunk, Document, Metadata, metadata_from_dict, metadata_to_dict
from ..text.normalise import find_years
from .dense import DenseIndex, write_dense
from .generations import (CURRENT, GEN_PREFIX, IndexDamagedError, IndexMissingError,  # noqa: F401 (re-exported)
                          IndexWriteError, current_generation, live_generation, new_generation_dir, publish,
                          reading, remove_stale_generations, writing)
from .keyword import KeywordIndex

log = logging.getLogger(__name__)

FORMAT_VERSION = 1

SCHEMA = """
CREATE TABLE documents (
    doc_id TEXT PRIMARY KEY, source TEXT NOT NULL, url TEXT, text TEXT NOT NULL,
    meta TEXT NOT NULL,            -- JSON of records.Metadata
    region TEXT, year INTEGER, doc_type TEXT, added_at TEXT NOT NULL,
    pages TEXT                     -- JSON [[offset, page], ...] of paged sources (PDF, scans); NULL otherwise
);
CREATE TABLE chunks (
    chunk_id INTEGER PRIMARY KEY, doc_id TEXT NOT NULL REFERENCES documents(doc_id),
    ordinal INTEGER NOT NULL, section TEXT NOT NULL, text TEXT NOT NULL,
    sentences TEXT NOT NULL,       -- JSON list
    text_hash TEXT NOT NULL,       -- so an unchanged chunk is never embedded twice
    tokens TEXT NOT NULL,          -- space-joined jieba tokens (BM25 input)
    page INTEGER                   -- page the chunk starts on (paged sources); NULL otherwise
);
CREATE INDEX chunks_doc ON chunks(doc_id);
CREATE INDEX chunks_hash ON chunks(text_hash);
CREATE TABLE document_years (doc_id TEXT NOT NULL REFERENCES documents(doc_id), year INTEGER NOT NULL);
"""


class IndexLockedError(RuntimeError):
    """Another process is writing the index."""


class ModelMismatchError(RuntimeError):
    """The index was built with another model than the one configured."""


# ---------------------------------------------------------------- locations


def missing_index(root: Path) -> IndexMissingError:
    """The one-line error for a folder without an index; the default ./index
    is named in full, so a user in another folder sees where govqa looked."""
    from ..settings import default_index

    where = str(root)
    if Path(root).absolute() == default_index():
        where = f"{root} (the default ./index of the current folder; --index DIR or GOVQA_INDEX choose another)"
    return IndexMissingError(f"no index in {where}: run `govqa index build --docs seeds/ --index {root}` first")


def read_manifest(root: Path) -> dict[str, Any]:
    """The live manifest; IndexMissingError or IndexDamagedError when there is none."""
    return json.loads((live_generation(root) / "manifest.json").read_text(encoding="utf-8"))



# ---------------------------------------------------------------- writing


@dataclass
class WriterLock:
    """One writer at a time, by an exclusive flock on ``root/.lock`` (which
    holds the writer's PID, unbuffered: a full disk may refuse it, never the lock)."""

    root: Path
    _fd: int = -1

    def __enter__(self) -> "WriterLock":
        with writing(self.root, ".lock"):
            self.root.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self.root / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(self._fd, 64, 0).decode("ascii", errors="replace").strip() or "another process"
            os.close(self._fd)
            raise IndexLockedError(f"index is being updated by PID {holder}; try again when it finishes")
        try:  # the PID only tells a second writer who holds the lock
            os.ftruncate(self._fd, 0)
            os.pwrite(self._fd, str(os.getpid()).encode("ascii"), 0)
        except OSError:
            pass
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            os.ftruncate(self._fd, 0)
        except OSError:
            pass
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)


def write_generation(gen: Path, docs: Sequence[Document], chunks: Sequence[Chunk], tokens: Sequence[list[str]],
                     vectors: np.ndarray, model: str, extra: dict[str, Any] | None = None,
                     index_kind: str | None = None, years: Mapping[str, Iterable[int]] | None = None) -> None:
    """Every file of a generation into ``gen`` (not yet live): ``write_texts``, then ``write_vectors``."""
    write_texts(gen, docs, chunks, tokens, years)
    write_vectors(gen, vectors, model, len(docs), extra, index_kind)


def write_texts(gen: Path, docs: Sequence[Document], chunks: Sequence[Chunk], tokens: Sequence[list[str]],
                years: Mapping[str, Iterable[int]] | None = None) -> None:
    """``meta.sqlite`` and ``bm25/``; ``years``: doc id -> years its text mentions."""
    with writing(gen, "meta.sqlite"):
        _write_sqlite(gen / "meta.sqlite", docs, chunks, tokens, years or {})
    with writing(gen, "bm25/"):
        KeywordIndex.build(tokens).save(gen / "bm25")


def write_vectors(gen: Path, vectors: np.ndarray, model: str, documents: int,
                  extra: dict[str, Any] | None = None, index_kind: str | None = None) -> None:
    """FAISS (``index_kind``: auto/flat/ivf/hnsw; None = ``GOVQA_FAISS_INDEX``), then the manifest, last."""
    from ..settings import Settings

    dim = int(vectors.shape[1])
    with writing(gen, "vectors.faiss"):
        dense = write_dense(gen, vectors, index_kind or Settings.from_env().faiss_index)
    manifest = {
        "format_version": FORMAT_VERSION,
        "model": model,
        "dimension": dim,
        "documents": documents,
        "chunks": int(vectors.shape[0]),
        **dense,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        **(extra or {}),
    }
    with writing(gen, "manifest.json"):
        (gen / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")


def text_hash(text: str) -> str:
    """``chunks.text_hash``: 16 hex characters of the SHA-256 of a chunk's text."""
    return sha256(text.encode()).hexdigest()[:16]


def _write_sqlite(path: Path, docs: Sequence[Document], chunks: Sequence[Chunk],
                  tokens: Sequence[list[str]], years: Mapping[str, Iterable[int]]) -> None:
    now = time.strftime("%Y-%m-%dT%H:%M:%S")
    con = sqlite3.connect(path)
    with con:
        con.executescript(SCHEMA)
        con.executemany(
            "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?)",
            [(d.doc_id, d.source, d.url, d.text, json.dumps(metadata_to_dict(d.meta), ensure_ascii=False),
              d.meta.region, d.meta.year, d.meta.doc_type, d.added_at or now,
              json.dumps(d.pages) if d.pages else None) for d in docs],
        )
        con.executemany(
            "INSERT INTO chunks VALUES (?,?,?,?,?,?,?,?,?)",
            [(i, c.doc_id, c.ordinal, c.section, c.text, json.dumps(c.sentences, ensure_ascii=False),
              text_hash(c.text), " ".join(toks), c.page)
             for i, (c, toks) in enumerate(zip(chunks, tokens, strict=True))],
        )
        con.executemany("INSERT INTO document_years VALUES (?,?)",
                        [(d.doc_id, int(y)) for d in docs for y in sorted(set(years.get(d.doc_id, ())))])
    con.close()


# ---------------------------------------------------------------- reading


@dataclass
class StoredDocument:
    doc_id: str
    source: str
    meta: Metadata
    chunks: int
    added_at: str
    url: str = ""


class IndexReader:
    """A read-only view of one generation, safe to share between threads."""

    def __init__(self, gen: Path):
        self.path = gen
        with reading(gen, "manifest.json"):
            self.manifest: dict[str, Any] = json.loads((gen / "manifest.json").read_text(encoding="utf-8"))
            self.size = int(self.manifest["chunks"])
        # FAISS and BM25 load on first use: `govqa index list` needs neither.
        self._dense: DenseIndex | None = None
        self._keyword: KeywordIndex | None = None
        self._load_lock = threading.Lock()
        self._lock = threading.Lock()
        with reading(gen, "meta.sqlite"):
            if not (gen / "meta.sqlite").is_file():  # sqlite would open an empty database
                raise FileNotFoundError("missing")
            self._con = sqlite3.connect(f"file:{gen / 'meta.sqlite'}?mode=ro", uri=True, check_same_thread=False)
            self._con.row_factory = sqlite3.Row  # rows are read by column name
            # indexes built before pages were stored have no page columns: read NULL
            self._page = "page" if self._has_column("chunks", "page") else "NULL AS page"
            self._pages = "pages" if self._has_column("documents", "pages") else "NULL AS pages"
            self.documents: dict[str, StoredDocument] = self._load_documents()
            self.chunk_doc = self._chunk_documents()  # chunk position -> document number, for filtering by metadata
        self.doc_ids = list(self.documents)

    @property
    def dense(self) -> DenseIndex:
        """The FAISS index with its search parameters (loaded once)."""
        with self._load_lock:
            if self._dense is None:
                with reading(self.path, "vectors.faiss"):
                    self._dense = DenseIndex.open(self.path, self.manifest)
            return self._dense

    @property
    def faiss(self) -> Any:
        return self.dense.index

    @property
    def keyword(self) -> KeywordIndex:
        """The BM25 index (loaded once)."""
        with self._load_lock:
            if self._keyword is None:
                with reading(self.path, "bm25/"):
                    self._keyword = KeywordIndex.load(self.path / "bm25", self.size, mmap=True)  # pages read on use
            return self._keyword

    @classmethod
    def open(cls, root: Path) -> "IndexReader":
        """The live generation of ``root``; IndexMissingError or IndexDamagedError when it cannot be read."""
        return cls(live_generation(root))

    def _has_column(self, table: str, column: str) -> bool:
        return any(r["name"] == column for r in self._query(f"PRAGMA table_info({table})"))

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._lock, reading(self.path, "meta.sqlite"):
            return self._con.execute(sql, params).fetchall()

    def _chunk_documents(self) -> np.ndarray:
        """One SQL row per document, not per chunk, when each document's chunks are contiguous (as written)."""
        split = self._query("SELECT COUNT(*) AS n FROM (SELECT doc_id FROM chunks GROUP BY doc_id "
                            "HAVING MAX(chunk_id) - MIN(chunk_id) + 1 != COUNT(*))")[0]["n"]
        if not split:  # documents are in chunk order (_load_documents)
            return np.repeat(np.arange(len(self.documents), dtype=np.int32), [d.chunks for d in self.documents.values()])
        number = {d: i for i, d in enumerate(self.documents)}
        return np.array([number[r["doc_id"]] for r in self._query("SELECT doc_id FROM chunks ORDER BY chunk_id")], np.int32)

    def _load_documents(self) -> dict[str, StoredDocument]:
        rows = self._query(
            "SELECT d.doc_id, d.source, d.meta, d.added_at, d.url, COUNT(c.chunk_id) AS chunks FROM documents d "
            "LEFT JOIN chunks c ON c.doc_id = d.doc_id GROUP BY d.doc_id ORDER BY MIN(c.chunk_id)"
        )
        return {
            r["doc_id"]: StoredDocument(r["doc_id"], r["source"], metadata_from_dict(json.loads(r["meta"])),
                                        r["chunks"], r["added_at"], r["url"] or "")
            for r in rows
        }

    def chunks(self, chunk_ids: Sequence[int]) -> list[Chunk]:
        """Chunks by id, in the order asked."""
        ids = [int(i) for i in chunk_ids]
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        rows = self._query(
            f"SELECT chunk_id, doc_id, ordinal, section, text, sentences, {self._page} FROM chunks "
            f"WHERE chunk_id IN ({marks})",
            ids,
        )
        by_id = {r["chunk_id"]: _chunk(r) for r in rows}
        return [by_id[i] for i in ids if i in by_id]

    def iter_chunks(self) -> Iterator[tuple[Chunk, str, list[str]]]:
        """Every chunk with its text hash and tokens, in id order (for rebuilds)."""
        rows = self._query("SELECT chunk_id, doc_id, ordinal, section, text, sentences, text_hash, tokens, "
                           f"{self._page} FROM chunks ORDER BY chunk_id")
        for r in rows:
            yield _chunk(r), r["text_hash"], r["tokens"].split()

    def chunk_keys(self) -> dict[tuple[str, str], int]:
        """(section, text hash) -> chunk id of every chunk: what vector reuse matches on."""
        rows = self._query("SELECT chunk_id, section, text_hash FROM chunks ORDER BY chunk_id")
        return {(r["section"], r["text_hash"]): r["chunk_id"] for r in rows}

    def mentioned_years(self) -> dict[str, set[int]] | None:
        """doc id -> years its text mentions (stored at build time); None for an older index."""
        if not self._query("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'document_years'"):
            return None  # written before the table existed
        rows = self._query("SELECT doc_id, year FROM document_years")
        years: dict[str, set[int]] = {}
        for r in rows:
            years.setdefault(r["doc_id"], set()).add(r["year"])
        return years

    def document_years(self) -> dict[str, tuple[int, ...]]:
        """Years each document's text mentions, and its own year, by doc id
        (``backend.years_mentioned``): stored at build time; an index written
        before reads them from the texts."""
        stored = self.mentioned_years()
        years = {}
        for d in self.documents.values():
            found = stored.get(d.doc_id, set()) if stored is not None else set(find_years(self.document_text(d.doc_id)))
            years[d.doc_id] = tuple(sorted(found | ({d.meta.year} if d.meta.year else set())))
        return years

    def document_chunks(self, doc_id: str) -> list[Chunk]:
        """Every chunk of one document, in order."""
        if doc_id not in self.documents:
            return []
        position = self.doc_ids.index(doc_id)
        return self.chunks(np.flatnonzero(self.chunk_doc == position).tolist())

    def document_text(self, doc_id: str) -> str:
        rows = self._query("SELECT text FROM documents WHERE doc_id = ?", (doc_id,))
        return rows[0]["text"] if rows else ""

    def document_pages(self, doc_id: str) -> list[tuple[int, int]]:
        """Where each page of a paged source starts in its text ([] for others)."""
        rows = self._query(f"SELECT {self._pages} FROM documents WHERE doc_id = ?", (doc_id,))
        return [tuple(p) for p in json.loads(rows[0]["pages"])] if rows and rows[0]["pages"] else []

    def vectors(self, chunk_ids: Sequence[int]) -> np.ndarray:
        """Stored vectors of the given chunks (exact for every index kind)."""
        dense = self.dense
        with reading(self.path, dense.file):
            return dense.vectors(chunk_ids)

    def close(self) -> None:
        with self._lock:
            self._con.close()


def _chunk(row: sqlite3.Row) -> Chunk:
    return Chunk(doc_id=row["doc_id"], ordinal=row["ordinal"], section=row["section"], text=row["text"],
                 sentences=json.loads(row["sentences"]), chunk_id=row["chunk_id"], page=row["page"])
