"""``govqa index verify``: is the live generation as it was written, and do its parts agree?

Each problem is one line, never a traceback:

1. the pointer: ``CURRENT`` names a generation that exists, with a manifest;
2. ``CHECKSUMS``: no file changed since it was written (any flipped byte);
3. ``meta.sqlite``: SQLite's ``PRAGMA quick_check``, counts and ids against the manifest;
4. FAISS: it loads, holds one vector per chunk, every stored vector finite and unit length;
5. BM25: its arrays load, their shapes agree, every row is a chunk;
6. ``facts.sqlite``: ``PRAGMA quick_check``, its reports and chunk ids belong to the index.

A file whose own check finds nothing but whose checksum differs is named by
the checksum line, so each damaged file is one line.
"""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any, Callable

import numpy as np

from .dense import INDEX_FILE, VECTORS_FILE, DenseIndex, bad_norms
from .fact_store import FACTS_FILE
from .generations import (IndexDamagedError, IndexMissingError, brief, checksum_mismatches, live_generation,
                          one_line)
from .store import FORMAT_VERSION

VECTOR_BLOCK = 65_536  # vectors read at a time when checking norms (25 MB at 384-d)
BM25_ARRAYS = ("data", "indices", "indptr")
PART_NAMES = {"bm25/": "BM25 index"}


def verify(root: Path) -> list[str]:
    """Every problem found, as one line each; empty when all is well."""
    try:
        gen = live_generation(root)
    except (IndexMissingError, IndexDamagedError) as exc:
        return [getattr(exc, "what", str(exc))]
    manifest = json.loads((gen / "manifest.json").read_text(encoding="utf-8"))
    changed = _changed_parts(gen)
    problems: list[str] = []
    facts: dict[str, Any] = {"chunks": manifest.get("chunks"), "doc_ids": None}
    checks: list[tuple[tuple[str, ...], Callable[..., list[str]]]] = [
        (("meta.sqlite", "manifest.json"), _check_meta), ((INDEX_FILE, VECTORS_FILE), _check_dense),
        (("bm25/",), _check_bm25), ((FACTS_FILE,), _check_facts)]
    for parts, check in checks:
        try:
            found = check(gen, manifest, facts)
        except Exception as exc:  # a damaged file: say which, as one line, never a traceback
            found = [f"cannot read {gen.name}/{parts[0]}: {brief(exc)}"]
        own = [p for p in found if any(part.rstrip("/") in p for part in parts)]
        # a part whose own check names it is reported by that check; else by its checksum
        problems += found + [changed.pop(part) for part in parts if part in changed and not own]
        for part in parts:
            changed.pop(part, None)
    return problems + list(changed.values())


def _changed_parts(gen: Path) -> dict[str, str]:
    """One line per part of the generation (a file, or ``bm25/``) whose checksum fails."""
    grouped: dict[str, list[str]] = {}
    for name, what in checksum_mismatches(gen):
        part = name.split("/")[0] + "/" if "/" in name else name
        grouped.setdefault(part, []).append(f"{name.split('/', 1)[-1]} {what}" if "/" in name else what)
    return {part: f"{gen.name}/{part}{f' ({PART_NAMES[part]})' if part in PART_NAMES else ''}"
                  f"{': ' if part.endswith('/') else ' '}{'; '.join(whats)}"
            for part, whats in grouped.items()}


def _quick_check(path: Path) -> str:
    """'' when SQLite's quick_check passes, else its first findings."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        found = [row[0] for row in con.execute("PRAGMA quick_check").fetchall()]
    finally:
        con.close()
    return "" if found == ["ok"] else one_line("; ".join(map(str, found[:3])))


def _check_meta(gen: Path, manifest: dict[str, Any], facts: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    if manifest.get("format_version") != FORMAT_VERSION:
        problems.append(f"format version {manifest.get('format_version')} != {FORMAT_VERSION}")
    path = gen / "meta.sqlite"
    if not path.is_file():
        return problems + [f"{gen.name}/meta.sqlite is missing"]
    damage = _quick_check(path)
    if damage:
        return problems + [f"{gen.name}/meta.sqlite fails SQLite's integrity check: {damage}"]
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        doc_ids = {row[0] for row in con.execute("SELECT doc_id FROM documents")}
        n_chunks, lo, hi = con.execute("SELECT COUNT(*), MIN(chunk_id), MAX(chunk_id) FROM chunks").fetchone()
        orphans = con.execute("SELECT COUNT(*) FROM chunks WHERE doc_id NOT IN (SELECT doc_id FROM documents)"
                              ).fetchone()[0]
        empty_docs = con.execute("SELECT COUNT(*) FROM documents WHERE doc_id NOT IN (SELECT doc_id FROM chunks)"
                                 ).fetchone()[0]
    finally:
        con.close()
    facts.update(chunks=n_chunks, doc_ids=doc_ids)
    if len(doc_ids) != manifest.get("documents"):
        problems.append(f"SQLite has {len(doc_ids)} documents, manifest says {manifest.get('documents')}")
    if n_chunks != manifest.get("chunks"):
        problems.append(f"SQLite has {n_chunks} chunks, manifest says {manifest.get('chunks')}")
    if n_chunks and (lo != 0 or hi != n_chunks - 1):
        problems.append(f"chunk ids run {lo}..{hi}, expected 0..{n_chunks - 1}")
    if orphans:
        problems.append(f"{orphans} chunks belong to no document")
    if empty_docs:
        problems.append(f"{empty_docs} documents have no chunks (nothing searchable)")
    return problems


def _check_dense(gen: Path, manifest: dict[str, Any], facts: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    dense = DenseIndex.open(gen, manifest)
    n_chunks = facts["chunks"]
    if dense.size != n_chunks:
        problems.append(f"FAISS holds {dense.size} vectors, SQLite {n_chunks} chunks")
    if dense.index.d != manifest.get("dimension"):
        problems.append(f"FAISS dimension {dense.index.d}, manifest says {manifest.get('dimension')}")
    rows, dim = dense.stored_shape
    if (gen / VECTORS_FILE).exists() and (rows != n_chunks or dim != dense.index.d):
        problems.append(f"{VECTORS_FILE} holds {rows}x{dim} vectors, expected {n_chunks}x{dense.index.d}")
    bad, first = 0, None
    for start in range(0, rows, VECTOR_BLOCK):
        block = dense.vectors(np.arange(start, min(start + VECTOR_BLOCK, rows)))
        wrong = bad_norms(block)
        if len(wrong) and first is None:
            first = (start + int(wrong[0]), float(np.linalg.norm(block[wrong[0]].astype(np.float64))))
        bad += len(wrong)
    if first is not None:
        problems.append(f"{gen.name}/{dense.file}: {bad:,} of {rows:,} stored vectors are not finite unit vectors "
                        f"(row {first[0]}: norm {first[1]:.6g}): the file is damaged")
    return problems


def _check_bm25(gen: Path, manifest: dict[str, Any], facts: dict[str, Any]) -> list[str]:
    folder = gen / "bm25"
    where = f"{gen.name}/bm25/"
    if not folder.is_dir():
        return [f"BM25 index missing ({where})"]
    loaded: dict[str, Any] = {}
    for name in ("params.index.json", "vocab.index.json", *(f"{a}.csc.index.npy" for a in BM25_ARRAYS)):
        try:
            path = folder / name
            loaded[name] = (json.loads(path.read_text(encoding="utf-8")) if name.endswith(".json")
                            else np.load(path, mmap_mode="r", allow_pickle=False))
        except Exception as exc:
            return [f"cannot read {where}{name} (BM25 index): {brief(exc)}"]
    num_docs = loaded["params.index.json"].get("num_docs")
    data, indices, indptr = (loaded[f"{a}.csc.index.npy"] for a in BM25_ARRAYS)
    vocab = loaded["vocab.index.json"]
    problems = []
    if num_docs != facts["chunks"]:
        problems.append(f"BM25 holds {num_docs} rows, SQLite {facts['chunks']} chunks")
    if indptr.ndim != 1 or len(indptr) == 0 or indptr[0] != 0 or indptr[-1] != len(data) != len(indices):
        problems.append(f"{where}: BM25 arrays disagree (indptr ends at {indptr[-1] if len(indptr) else '-'}, "
                        f"{len(data)} scores, {len(indices)} rows)")
    elif np.any(np.diff(indptr) < 0):
        problems.append(f"{where}: BM25 column pointers (indptr) go backwards")
    if len(indices) and (int(indices.min()) < 0 or int(indices.max()) >= (num_docs or 0)):
        problems.append(f"{where}: BM25 rows (indices) outside 0..{(num_docs or 0) - 1}")
    if len(data) and not np.all(np.isfinite(data)):
        problems.append(f"{where}: BM25 scores (data) are not finite")
    if vocab and max(vocab.values()) > len(indptr) - 1:
        problems.append(f"{where}: BM25 vocabulary points past its {len(indptr) - 1} columns")
    return problems


def _check_facts(gen: Path, manifest: dict[str, Any], facts: dict[str, Any]) -> list[str]:
    path = gen / FACTS_FILE
    if not path.exists():  # written before the facts table existed: facts are extracted in memory
        return []
    damage = _quick_check(path)
    if damage:
        return [f"{gen.name}/{FACTS_FILE} fails SQLite's integrity check: {damage}"]
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        reports = {row[0] for row in con.execute("SELECT doc_id FROM reports")}
        lo, hi = con.execute("SELECT MIN(chunk_id), MAX(chunk_id) FROM facts").fetchone()
    finally:
        con.close()
    problems = []
    if facts["doc_ids"] is not None and reports != facts["doc_ids"]:
        problems.append(f"{gen.name}/{FACTS_FILE} lists {len(reports)} reports, SQLite {len(facts['doc_ids'])} documents")
    if lo is not None and (lo < 0 or hi >= (facts["chunks"] or 0)):
        problems.append(f"{gen.name}/{FACTS_FILE}: facts point to chunks {lo}..{hi} of {facts['chunks']}")
    return problems
