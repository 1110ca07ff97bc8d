"""Building and changing the index: documents -> chunks -> vectors -> store.

Every change (build, add, remove) writes a complete new generation and then
switches ``CURRENT`` to it in one atomic step; vectors of chunks whose text
is unchanged are copied from the live generation instead of re-encoded.

>>> report = build_index([Path("seeds")], Path("index"), Settings())   # doctest: +SKIP
>>> report.summary()                                                    # doctest: +SKIP
'index: 5 docs, 160 chunks (160 embedded, 0 reused), 0 errors, 11.2 s -> index'
"""
from __future__ import annotations

import shutil
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
from .dense import bad_norms
from .fact_store import FACTS_FILE, write_facts
from .generations import (IndexDamagedError, IndexMissingError, checksum_mismatches, live_generation,
                          new_generation_dir, publish, remove_stale_generations)
from .removal import select_for_removal
from .store import IndexReader, ModelMismatchError, WriterLock, read_manifest, text_hash, write_generation, writing

# progress(stage, done, total): stage is "read", "embed", "write", or "OCR <file name>" (pages)
Progress = Callable[[str, int, int], None]
# warn(line): said at once, before a long step (e.g. embedding a very large document)
Warn = Callable[[str], None]

# A report is 20-300 chunks; a document past this is a book or a data dump, and the
# administrator hears how long it will take to embed before it starts.
LARGE_DOCUMENT_CHUNKS = 2_000
# Chunking a text this many times longer than max_chunks * chunk_chars is not even tried.
CHUNK_ESTIMATE_MARGIN = 4


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
    notes: list[str] = field(default_factory=list)  # worth knowing, not failures: name clashes
    warnings: list[str] = field(default_factory=list)  # said before the step they warn about
    seconds: float = 0.0
    index: Path | None = None
    dry_run: bool = False  # remove --dry-run: ``removed`` lists what would go
    warn: Warn | None = None

    def __post_init__(self) -> None:
        # files passed over on purpose (unsupported types met in a folder) are listed, not failures
        self.skipped += [str(e) for e in self.errors if e.skipped]
        self.notes += [str(e) for e in self.errors if e.notice]
        self.errors = [e for e in self.errors if not (e.skipped or e.notice)]

    def warning(self, line: str) -> None:
        self.warnings.append(line)
        if self.warn:
            self.warn(line)

    def summary(self) -> str:
        if self.dry_run:
            return f"{self.action} --dry-run: {len(self.removed)} document(s) would be removed; nothing changed"
        return (f"{self.action}: {self.documents} docs, {self.chunks} chunks "
                f"({self.embedded} embedded, {self.reused} reused), {len(self.errors)} errors, "
                f"{self.seconds:.1f} s -> {self.index}")


def build_index(paths: Sequence[Path], root: Path, settings: Settings,
                progress: Progress | None = None, warn: Warn | None = None) -> ChangeReport:
    """Index exactly the documents under ``paths`` (replacing what was there)."""
    started = time.perf_counter()
    with WriterLock(root):
        remove_stale_generations(root)
        files: list[str] = []
        docs, errors = _load(paths, settings, files, progress)
        report = ChangeReport("build", errors=errors, warn=warn, files=files)
        docs, chunked = _within_limits(_unique(docs), settings, report)
        report.added = [d.source for d in docs]
        if docs:
            _write(root, docs, settings, report, progress, chunked)
        else:  # never replace an index by an empty one (and bm25s cannot index nothing)
            report.errors.append(IngestError(root, "nothing to index: no document could be read; "
                                                   "the index was left as it was"))
            report.index = root
    report.seconds = time.perf_counter() - started
    return report


def add_documents(paths: Sequence[Path], root: Path, settings: Settings,
                  progress: Progress | None = None, warn: Warn | None = None) -> ChangeReport:
    """Add new documents; an identical one is skipped, a new version of the
    same source replaces the old one."""
    started = time.perf_counter()
    with WriterLock(root):
        old = _existing_documents(root)  # a damaged index is refused before anything changes
        remove_stale_generations(root)
        resolve_model(root, settings)  # refuse a mismatched model before any work
        files: list[str] = []
        new, errors = _load(paths, settings, files, progress)
        report = ChangeReport("add", errors=errors, warn=warn, files=files)
        by_id = {d.doc_id: d for d in old}
        by_source = {d.source: d.doc_id for d in old}
        fresh = []
        for doc in _unique(new):
            if doc.doc_id in by_id:
                report.skipped.append(f"{doc.source}: already indexed (same content)")
            else:
                fresh.append(doc)
        fresh, chunked = _within_limits(fresh, settings, report)
        for doc in fresh:
            if doc.source in by_source:
                replaced = by_source.pop(doc.source)
                by_id.pop(replaced, None)
                report.removed.append(f"{doc.source} (old version {replaced})")
            by_id[doc.doc_id] = doc
            by_source[doc.source] = doc.doc_id
            report.added.append(doc.source)
        if report.added or report.removed:
            _write(root, list(by_id.values()), settings, report, progress, chunked)
        else:
            report.documents = len(old)
            report.index = root
    report.seconds = time.perf_counter() - started
    return report


def remove_documents(keys: Sequence[str], root: Path, settings: Settings,
                     progress: Progress | None = None, dry_run: bool = False, yes: bool = False) -> ChangeReport:
    """Remove documents named by full id, exact source, or an id prefix that
    matches exactly one document (see ``removal.select_for_removal``).

    Nothing is removed when any key is unknown or ambiguous, or when more than
    one document would go and a key was a prefix (unless ``yes``);
    ``dry_run`` lists what would be removed and changes nothing."""
    started = time.perf_counter()
    with WriterLock(root):
        old = _existing_documents(root)
        remove_stale_generations(root)
        report = ChangeReport("remove", dry_run=dry_run)
        chosen, report.errors = select_for_removal(keys, old, yes)
        gone = {d.doc_id for d in chosen}
        keep = [d for d in old if d.doc_id not in gone]
        if chosen and not keep and not report.errors:  # an index cannot be empty (bm25s cannot index nothing)
            report.errors.append(IngestError(root, f"refusing to remove all {len(old)} documents; "
                                                   "to start again run `govqa index build --docs ...`"))
        if not report.errors:
            report.removed = [f"{d.doc_id} {d.source}" for d in chosen]
            if chosen and not dry_run:
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
    """The documents of the live generation, after checking it is exactly as
    written; [] for a folder that never held an index. A damaged index raises
    IndexDamagedError: no change may start from it (or from nothing)."""
    try:
        gen = live_generation(root)
    except IndexMissingError:
        return []
    for name, what in checksum_mismatches(gen)[:1]:
        raise IndexDamagedError(root, f"{gen.name}/{name} {what}")
    reader = IndexReader(gen)
    try:
        return [Document(s.doc_id, s.source, reader.document_text(s.doc_id), s.meta, s.url, s.added_at,
                         reader.document_pages(s.doc_id)) for s in reader.documents.values()]
    finally:
        reader.close()


def _within_limits(docs: list[Document], settings: Settings,
                   report: ChangeReport) -> tuple[list[Document], dict[str, list[Chunk]]]:
    """The documents within ``settings.max_chunks`` chunks each, and their chunks;
    each one over the limit is one error line naming it."""
    kept, chunked = [], {}
    for doc in docs:
        limit = settings.max_chunks
        if len(doc.text) > limit * settings.chunk_chars * CHUNK_ESTIMATE_MARGIN:
            count = f"about {len(doc.text) // settings.chunk_chars:,}"
        else:
            chunked[doc.doc_id] = chunk_document(doc, max_chars=settings.chunk_chars)
            if len(chunked[doc.doc_id]) <= limit:
                kept.append(doc)
                continue
            count = f"{len(chunked.pop(doc.doc_id)):,}"
        report.errors.append(IngestError(doc.source, f"{count} chunks, more than the {limit:,} allowed per "
                                                     "document (--max-chunks, GOVQA_MAX_CHUNKS); not indexed: "
                                                     "split the file or raise the limit"))
    return kept, chunked


def resolve_model(root: Path, settings: Settings) -> str:
    """The model to use for ``root``: the configured one, which must agree
    with the index's when one exists; else the index's; else the default."""
    try:
        built_with = read_manifest(root)["model"]
    except (IndexMissingError, IndexDamagedError):
        built_with = None
    if settings.model and built_with and settings.model != built_with:
        raise ModelMismatchError(
            f"index {root} was built with model {built_with!r}, not {settings.model!r}: "
            f"use --model {built_with} or rebuild with `govqa index build`")
    return settings.model or built_with or DEFAULT_MODEL


def _write(root: Path, docs: list[Document], settings: Settings, report: ChangeReport,
           progress: Progress | None, chunked: dict[str, list[Chunk]] | None = None) -> None:
    """Chunk, embed (reusing vectors), write and publish a new generation.

    A failure to write (disk full, file too large) deletes the unfinished
    generation and raises IndexWriteError: the live index is left as it was."""
    model = (settings.model or DEFAULT_MODEL) if report.action == "build" else resolve_model(root, settings)
    add_words(domain_words(sorted({(d.meta.region, d.meta.parent_region) for d in docs})))
    chunks: list[Chunk] = []
    for i, doc in enumerate(docs):
        known = (chunked or {}).get(doc.doc_id)
        chunks.extend(known if known is not None else chunk_document(doc, max_chars=settings.chunk_chars))
        if progress:
            progress("read", i + 1, len(docs))
    tokens = [tokenize(c.section + " " + c.text) for c in chunks]
    vectors = _vectors(root, docs, chunks, model, settings, report, progress)
    with writing(root, "a new generation folder"):
        gen = new_generation_dir(root)
    try:
        write_generation(gen, docs, chunks, tokens, vectors, model, index_kind=settings.faiss_index)
        with writing(gen, FACTS_FILE):
            write_facts(gen, docs, chunks)  # facts.sqlite beside meta.sqlite: figures across reports
        publish(root, gen)
    finally:
        shutil.rmtree(gen, ignore_errors=True)  # gone when published (renamed); else unfinished
    report.index = root
    report.documents, report.chunks = len(docs), len(chunks)


def _vectors(root: Path, docs: list[Document], chunks: list[Chunk], model: str, settings: Settings,
             report: ChangeReport, progress: Progress | None) -> np.ndarray:
    """One vector per chunk: copied from the live index when the text and
    model are unchanged, else encoded. A very large document is announced
    (with the time its embedding will take, measured on the first batch)."""
    from embeddings import load_embedder

    embedder = load_embedder(model, settings.batch_size)
    vectors = np.zeros((len(chunks), embedder.dim), dtype=np.float32)
    todo = list(range(len(chunks)))
    try:
        rows, old_vectors = _reuse(root, chunks, model, embedder.dim)
    except IndexDamagedError:
        if report.action != "build":
            raise
        rows = []  # a rebuild, the way out of damage, embeds everything again rather than copy from it
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

    if not todo:
        if progress:
            progress("embed", 0, 0)
        return vectors
    texts = [passage_text(chunks[i]) for i in todo]
    large = _large_documents(docs, [chunks[i] for i in todo])
    first = len(texts) if not large else min(len(texts), max(settings.batch_size, 1))
    started = time.perf_counter()
    vectors[todo[:first]] = embedder.encode_passages(texts[:first], progress=tick)
    seconds_each = (time.perf_counter() - started) / first
    for source, count in large:
        report.warning(f"{source}: {count:,} chunks to embed, about {_duration(count * seconds_each)} on this "
                       f"machine; --max-chunks {LARGE_DOCUMENT_CHUNKS} (or GOVQA_MAX_CHUNKS) refuses documents "
                       "this large")
    if first < len(texts):
        vectors[todo[first:]] = embedder.encode_passages(texts[first:], progress=tick)
    return vectors


def _large_documents(docs: list[Document], chunks: list[Chunk]) -> list[tuple[str, int]]:
    """(source, chunks to embed) of each document over LARGE_DOCUMENT_CHUNKS."""
    counts: dict[str, int] = {}
    for chunk in chunks:
        counts[chunk.doc_id] = counts.get(chunk.doc_id, 0) + 1
    return [(d.source, counts[d.doc_id]) for d in docs if counts.get(d.doc_id, 0) > LARGE_DOCUMENT_CHUNKS]


def _duration(seconds: float) -> str:
    """'40 s', '12 min', '3 h 20 min'."""
    if seconds < 90:
        return f"{max(seconds, 1):.0f} s"
    minutes = round(seconds / 60)
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"


def passage_text(chunk: Chunk) -> str:
    """What the dense model sees: the section heading gives a paragraph its topic."""
    return f"{chunk.section}\n{chunk.text}" if chunk.section else chunk.text


def _reuse(root: Path, chunks: list[Chunk], model: str, dim: int) -> tuple[list[int], np.ndarray]:
    """Vectors of the live index for chunks whose embedded text (section and
    text, matched by ``chunks.text_hash``) is unchanged: (new chunk positions,
    their vectors), read through one reader."""
    none = ([], np.zeros((0, dim), dtype=np.float32))
    try:
        gen = live_generation(root)
    except IndexMissingError:
        return none
    reader = IndexReader(gen)
    try:
        if reader.manifest.get("model") != model or int(reader.manifest.get("dimension", 0)) != dim:
            return none
        old = reader.chunk_keys()
        keys = [(c.section, text_hash(c.text)) for c in chunks]
        pairs = [(i, old[key]) for i, key in enumerate(keys) if key in old]
        if not pairs:
            return none
        vectors = reader.vectors([cid for _, cid in pairs])
        wrong = bad_norms(vectors)
        if len(wrong):  # never copy damage forward
            raise IndexDamagedError(root, f"{gen.name}/{reader.dense.file}: {len(wrong):,} stored vectors are not "
                                          f"finite unit vectors (chunk {pairs[wrong[0]][1]})")
        return [i for i, _ in pairs], vectors
    finally:
        reader.close()
