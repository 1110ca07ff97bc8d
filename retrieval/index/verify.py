"""``govqa index verify``: do FAISS, SQLite, BM25 and the manifest agree?"""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from .store import FORMAT_VERSION, current_generation


def verify(root: Path) -> list[str]:
    """Every disagreement found, as one line each; empty when all agree."""
    gen = current_generation(root)
    if gen is None:
        return [f"no index in {root} (CURRENT missing or pointing nowhere)"]
    try:
        return _check(gen)
    except Exception as exc:  # a damaged or missing file: say which, as one line, never a traceback
        return [f"cannot read {gen.name}/{_damaged_file(gen, exc)}: {' '.join(str(exc).split())}"]


def _damaged_file(gen: Path, exc: Exception) -> str:
    """Which file of the generation an exception came from."""
    if getattr(exc, "filename", None):
        return Path(exc.filename).name
    if isinstance(exc, sqlite3.Error):
        return "meta.sqlite"
    if "faiss" in str(exc):
        return "vectors.faiss"
    try:
        json.loads((gen / "manifest.json").read_text(encoding="utf-8"))
    except ValueError:
        return "manifest.json"
    return "bm25/"


def _check(gen: Path) -> list[str]:
    import faiss

    problems: list[str] = []
    manifest = json.loads((gen / "manifest.json").read_text(encoding="utf-8"))
    if manifest.get("format_version") != FORMAT_VERSION:
        problems.append(f"format version {manifest.get('format_version')} != {FORMAT_VERSION}")
    con = sqlite3.connect(f"file:{gen / 'meta.sqlite'}?mode=ro", uri=True)
    try:
        n_docs = con.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        n_chunks, lo, hi = con.execute("SELECT COUNT(*), MIN(chunk_id), MAX(chunk_id) FROM chunks").fetchone()
        orphans = con.execute("SELECT COUNT(*) FROM chunks WHERE doc_id NOT IN (SELECT doc_id FROM documents)"
                              ).fetchone()[0]
        empty_docs = con.execute("SELECT COUNT(*) FROM documents WHERE doc_id NOT IN (SELECT doc_id FROM chunks)"
                                 ).fetchone()[0]
    finally:
        con.close()
    if n_docs != manifest.get("documents"):
        problems.append(f"SQLite has {n_docs} documents, manifest says {manifest.get('documents')}")
    if n_chunks != manifest.get("chunks"):
        problems.append(f"SQLite has {n_chunks} chunks, manifest says {manifest.get('chunks')}")
    if n_chunks and (lo != 0 or hi != n_chunks - 1):
        problems.append(f"chunk ids run {lo}..{hi}, expected 0..{n_chunks - 1}")
    if orphans:
        problems.append(f"{orphans} chunks belong to no document")
    if empty_docs:
        problems.append(f"{empty_docs} documents have no chunks (nothing searchable)")
    index = faiss.read_index(str(gen / "vectors.faiss"))
    if index.ntotal != n_chunks:
        problems.append(f"FAISS holds {index.ntotal} vectors, SQLite {n_chunks} chunks")
    if index.d != manifest.get("dimension"):
        problems.append(f"FAISS dimension {index.d}, manifest says {manifest.get('dimension')}")
    stored = gen / "vectors.npy"  # exact copies kept beside an approximate index
    if stored.exists():
        import numpy as np

        rows = np.load(stored, mmap_mode="r").shape
        if rows[0] != n_chunks or rows[1] != index.d:
            problems.append(f"vectors.npy holds {rows[0]}x{rows[1]} vectors, expected {n_chunks}x{index.d}")
    bm25_params = gen / "bm25" / "params.index.json"
    if not bm25_params.exists():
        problems.append("BM25 index missing")
    else:
        num_docs = json.loads(bm25_params.read_text(encoding="utf-8")).get("num_docs")
        if num_docs is not None and num_docs != n_chunks:
            problems.append(f"BM25 holds {num_docs} rows, SQLite {n_chunks} chunks")
    return problems
