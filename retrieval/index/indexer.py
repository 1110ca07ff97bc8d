"""Building and changing the index: documents -> chunks -> vectors -> store.

Every change (build, add, remove) writes a complete new generation and then
switches ``CURRENT`` to it in one atomic step; vectors of chunks whose text
is unchanged are copied from the live generation instead of re-encoded.

>>> report = build_index([Path("seeds")], Path("index"), Settings())   # doctest: +SKIP
>>> report.summary()                                                    # doctest: +SKIP
'index: 5 docs, 160 chunks (160 embedded, 0 reused), 0 errors, 11.2 s -> index'
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from ..ingest import IngestError, load_documents
from ..ingest.chunking import chunk_document
from ..ingest.load import FileRead
from ..ingest.options import PageRead, ReadOptions
from ..records import Chunk, Document
from ..settings import DEFAULT_MODEL, Settings
from ..text.tokenize import add_words, domain_words, tokenize
from .fact_store import write_facts
from .store import (IndexReader, ModelMismatchError, WriterLock, current_generation, new_generation_dir,
                    publish, read_manifest, remove_stale_generations, text_hash, write_generation)

# progress(stage, done, total): stage is "read", "embed", "write", or "OCR <file name>" (pages)
Progress = Callable[[str, int, int], None]


@dataclass
class ChangeReport:
    action: str
    documents: int = 0
    chunks: int = 0
    embedded: int = 0
    reused: int = 0
    added: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # messages for documents already indexed
    removed: list[str] = field(default_factory=list)
    errors: list[IngestError] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # one line per file read: "read scan.pdf: 2 pages, 2 by OCR (4.1 s/page)"
    seconds: float = 0.0
    index: Path | None = None

    def __post_init__(self) -> None:
        # files passed over on purpose (unsupported types met in a folder) are listed, not failures
        self.skipped += [str(e) for e in self.errors if getattr(e, "skipped", False)]
        self.errors = [e for e in self.errors if not getattr(e, "skipped", False)]

    def summary(self) -> str:
        return (f"{self.action}: {self.documents} docs, {self.chunks} chunks "
                f"({self.embedded} embedded, {self.reused} reused), {len(self.errors)} errors, "
                f"{self.seconds:.1f} s -> {self.index}")


def build_index(paths: Sequence[Path], root: Path, settings: Settings,
                progress: Progress | None = None) -> ChangeReport:
    """Index exactly the documents under ``paths`` (replacing what was there)."""
    started = time.perf_counter()
    with WriterLock(root):
        remove_stale_generations(root)
        files: list[str] = []
        docs, errors = _load(paths, settings, files, progress)
        docs = _unique(docs)
        report = ChangeReport("build", errors=errors, added=[d.source for d in docs], files=files)
        if docs:
            _write(root, docs, settings, report, progress)
        else:  # never replace an index by an empty one (and bm25s cannot index nothing)
            report.errors.append(IngestError(root, "nothing to index: no document could be read; "
                                                   "the index was left as it was"))
            report.index = root
    report.seconds = time.perf_counter() - started
    return report


def add_documents(paths: Sequence[Path], root: Path, settings: Settings,
                  progress: Progress | None = None) -> ChangeReport:
    """Add new documents; an identical one is skipped, a new version of the
    same source replaces the old one."""
    started = time.perf_counter()
    with WriterLock(root):
        remove_stale_generations(root)
        resolve_model(root, settings)  # refuse a mismatched model before any work
        old = _existing_documents(root)
        files: list[str] = []
        new, errors = _load(paths, settings, files, progress)
        report = ChangeReport("add", errors=errors, files=files)
        by_id = {d.doc_id: d for d in old}
        by_source = {d.source: d.doc_id for d in old}
        for doc in _unique(new):
            if doc.doc_id in by_id:
                report.skipped.append(f"{doc.source}: already indexed (same content)")
                continue
            if doc.source in by_source:
                replaced = by_source.pop(doc.source)
                by_id.pop(replaced, None)
                report.removed.append(f"{doc.source} (old version {replaced})")
            by_id[doc.doc_id] = doc
            by_source[doc.source] = doc.doc_id
            report.added.append(doc.source)
        if report.added or report.removed:
            _write(root, list(by_id.values()), settings, report, progress)
        else:
            report.documents = len(old)
            report.index = root
    report.seconds = time.perf_counter() - started
    return report


def remove_documents(keys: Sequence[str], root: Path, settings: Settings,
                     progress: Progress | None = None) -> ChangeReport:
    """Remove documents by id (or id prefix) or by source name."""
    started = time.perf_counter()
    with WriterLock(root):
        remove_stale_generations(root)
        old = _existing_documents(root)
        report = ChangeReport("remove")
        keep = []
        for doc in old:
            if any(k and (doc.doc_id.startswith(k) or doc.source == k) for k in keys):
                report.removed.append(f"{doc.doc_id} {doc.source}")
            else:
                keep.append(doc)
        matched = {k for k in keys for d in old if k and (d.doc_id.startswith(k) or d.source == k)}
        for key in keys:
            if key not in matched:
                report.errors.append(IngestError(Path(key), "no indexed document has this id or source"))
        if report.removed and not keep:  # an index cannot be empty (bm25s cannot index nothing)
            report.errors.append(IngestError(root, f"refusing to remove all {len(old)} documents; "
                                                   "to start again run `govqa index build --docs ...`"))
            report.removed = []
        elif report.removed:
            _write(root, keep, settings, report, progress)
    report.seconds = time.perf_counter() - started
    return report


# ---------------------------------------------------------------- internals


def _load(paths: Sequence[Path], settings: Settings, files: list[str],
          progress: Progress | None) -> tuple[list[Document], list[IngestError]]:
    """Documents under ``paths`` read as the settings say; a line per file
    read goes to ``files``, each OCRed page to ``progress``."""
    def on_page(read: PageRead) -> None:
        if progress and read.how == "ocr":
            progress(f"OCR {read.source}", read.page, read.pages)

    def on_file(read: FileRead) -> None:
        files.append(read.line())

    return load_documents(list(paths), max_bytes=settings.max_file_bytes, on_file=on_file,
                          options=ReadOptions(ocr=settings.ocr, on_page=on_page))


def _unique(docs: list[Document]) -> list[Document]:
    """Drop exact duplicates (same content hash), keeping the first."""
    seen: dict[str, Document] = {}
    for d in docs:
        seen.setdefault(d.doc_id, d)
    return list(seen.values())


def _existing_documents(root: Path) -> list[Document]:
    if current_generation(root) is None:
        return []
    reader = IndexReader.open(root)
    try:
        return [Document(s.doc_id, s.source, reader.document_text(s.doc_id), s.meta, s.url, s.added_at,
                         reader.document_pages(s.doc_id)) for s in reader.documents.values()]
    finally:
        reader.close()


def resolve_model(root: Path, settings: Settings) -> str:
    """The model to use for ``root``: the configured one, which must agree
    with the index's when one exists; else the index's; else the default."""
    built_with = read_manifest(root)["model"] if current_generation(root) is not None else None
    if settings.model and built_with and settings.model != built_with:
        raise ModelMismatchError(
            f"index {root} was built with model {built_with!r}, not {settings.model!r}: "
            f"use --model {built_with} or rebuild with `govqa index build`")
    return settings.model or built_with or DEFAULT_MODEL


def _write(root: Path, docs: list[Document], settings: Settings, report: ChangeReport,
           progress: Progress | None) -> None:
    """Chunk, embed (reusing vectors), write and publish a new generation."""
    model = (settings.model or DEFAULT_MODEL) if report.action == "build" else resolve_model(root, settings)
    add_words(domain_words(sorted({(d.meta.region, d.meta.parent_region) for d in docs})))
    chunks: list[Chunk] = []
    for i, doc in enumerate(docs):
        chunks.extend(chunk_document(doc, max_chars=settings.chunk_chars))
        if progress:
            progress("read", i + 1, len(docs))
    tokens = [tokenize(c.section + " " + c.text) for c in chunks]
    vectors = _vectors(root, chunks, model, settings, report, progress)
    gen = new_generation_dir(root)
    write_generation(gen, docs, chunks, tokens, vectors, model, index_kind=settings.faiss_index)
    write_facts(gen, docs, chunks)  # facts.sqlite beside meta.sqlite: figures across reports
    publish(root, gen)
    report.index = root
    report.documents, report.chunks = len(docs), len(chunks)


def _vectors(root: Path, chunks: list[Chunk], model: str, settings: Settings,
             report: ChangeReport, progress: Progress | None) -> np.ndarray:
    """One vector per chunk: copied from the live index when the text and
    model are unchanged, else encoded."""
    from embeddings import load_embedder

    embedder = load_embedder(model, settings.batch_size)
    vectors = np.zeros((len(chunks), embedder.dim), dtype=np.float32)
    todo = list(range(len(chunks)))
    rows, old_vectors = _reuse(root, chunks, model, embedder.dim)
    if rows:
        vectors[rows] = old_vectors
        reused = set(rows)
        todo = [i for i in todo if i not in reused]
    report.reused, report.embedded = len(rows), len(todo)
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress("embed", done, len(todo))

    if todo:
        vectors[todo] = embedder.encode_passages([passage_text(chunks[i]) for i in todo], progress=tick)
    elif progress:
        progress("embed", 0, 0)
    return vectors


def passage_text(chunk: Chunk) -> str:
    """What the dense model sees: the section heading gives a paragraph its topic."""
    return f"{chunk.section}\n{chunk.text}" if chunk.section else chunk.text


def _reuse(root: Path, chunks: list[Chunk], model: str, dim: int) -> tuple[list[int], np.ndarray]:
    """Vectors of the live index for chunks whose embedded text (section and
    text, matched by ``chunks.text_hash``) is unchanged: (new chunk positions,
    their vectors), read through one reader."""
    none = ([], np.zeros((0, dim), dtype=np.float32))
    if current_generation(root) is None:
        return none
    reader = IndexReader.open(root)
    try:
        if reader.manifest.get("model") != model or int(reader.manifest.get("dimension", 0)) != dim:
            return none
        old = reader.chunk_keys()
        keys = [(c.section, text_hash(c.text)) for c in chunks]
        pairs = [(i, old[key]) for i, key in enumerate(keys) if key in old]
        if not pairs:
            return none
        return [i for i, _ in pairs], reader.vectors([cid for _, cid in pairs])
    finally:
        reader.close()
