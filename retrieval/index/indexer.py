"""Building and changing the index: documents -> chunks -> vectors -> store.

Every change (build, add, remove) goes through the index's one writer
(``backend.Writer``: a new generation of the folder, or an epoch of Milvus)
and is published in one atomic step at its end; vectors of chunks whose text
is unchanged are copied from the live index instead of re-encoded, and an
add or remove keeps the chunks of the other documents as they are.

>>> report = build_index([Path("seeds")], Path("index"), Settings())   # doctest: +SKIP
>>> report.summary()                                                    # doctest: +SKIP
'index: 5 docs, 160 chunks (160 embedded, 0 reused), 0 errors, 11.2 s -> index'
"""
from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Sequence

import numpy as np

from ..ingest import IngestError, load_documents
from ..ingest.chunking import chunk_document
from ..records import Chunk, Document
from ..settings import DEFAULT_MODEL, Settings
from ..text.tokenize import add_words, domain_words, tokenize
from .backend import Batch, Reader, Writer, open_index
from .store import ModelMismatchError, text_hash

# progress(stage, done, total): stage is "read", "embed" or "write"
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
    seconds: float = 0.0
    index: Path | str | None = None  # where: the folder, or "Milvus at <uri>"

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
    index = open_index(settings, root)
    with index.writer() as writer, _opened(writer) as live:
        docs, errors = load_documents(list(paths), max_bytes=settings.max_file_bytes)
        docs = _unique(docs)
        report = ChangeReport("build", errors=errors, added=[d.source for d in docs])
        if docs:
            _write(writer, live, docs, [], settings, report, progress, replace=True)
        else:  # never replace an index by an empty one (and bm25s cannot index nothing)
            report.errors.append(IngestError(root, "nothing to index: no document could be read; "
                                                   "the index was left as it was"))
        report.index = _where(index, root)
    report.seconds = time.perf_counter() - started
    return report


def add_documents(paths: Sequence[Path], root: Path, settings: Settings,
                  progress: Progress | None = None) -> ChangeReport:
    """Add new documents; an identical one is skipped, a new version of the
    same source replaces the old one."""
    started = time.perf_counter()
    index = open_index(settings, root)
    with index.writer() as writer, _opened(writer) as live:
        resolve_model(live, settings, index.describe())  # refuse a mismatched model before any work
        old = list(live.documents.values()) if live else []
        new, errors = load_documents(list(paths), max_bytes=settings.max_file_bytes)
        report = ChangeReport("add", errors=errors)
        by_id = {d.doc_id: d for d in old}
        by_source = {d.source: d.doc_id for d in old}
        added: dict[str, Document] = {}
        replaced: list[str] = []
        for doc in _unique(new):
            if doc.doc_id in by_id:
                report.skipped.append(f"{doc.source}: already indexed (same content)")
                continue
            if doc.source in by_source:
                old_id = by_source.pop(doc.source)
                if added.pop(old_id, None) is None:
                    replaced.append(old_id)
                by_id.pop(old_id, None)
                report.removed.append(f"{doc.source} (old version {old_id})")
            by_id[doc.doc_id] = added[doc.doc_id] = doc
            by_source[doc.source] = doc.doc_id
            report.added.append(doc.source)
        if report.added or report.removed:
            _write(writer, live, list(added.values()), replaced, settings, report, progress)
        else:
            report.documents = len(old)
        report.index = _where(index, root)
    report.seconds = time.perf_counter() - started
    return report


def remove_documents(keys: Sequence[str], root: Path, settings: Settings,
                     progress: Progress | None = None) -> ChangeReport:
    """Remove documents by id (or id prefix) or by source name."""
    started = time.perf_counter()
    index = open_index(settings, root)
    with index.writer() as writer, _opened(writer) as live:
        old = list(live.documents.values()) if live else []
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
            gone = {d.doc_id for d in keep}
            _write(writer, live, [], [d.doc_id for d in old if d.doc_id not in gone], settings, report, progress)
        report.index = _where(index, root)
    report.seconds = time.perf_counter() - started
    return report


# ---------------------------------------------------------------- internals


def _unique(docs: list[Document]) -> list[Document]:
    """Drop exact duplicates (same content hash), keeping the first."""
    seen: dict[str, Document] = {}
    for d in docs:
        seen.setdefault(d.doc_id, d)
    return list(seen.values())


def _where(index, root: Path) -> Path | str:
    """What a change summary names: the folder, or "Milvus at <uri>"."""
    return root if index.describe() == str(root) else index.describe()


def resolve_model(live: Reader | None, settings: Settings, where: str = "") -> str:
    """The model to use: the configured one, which must agree with the live
    index's when there is one; else the index's; else the default."""
    built_with = live.manifest["model"] if live is not None else None
    if settings.model and built_with and settings.model != built_with:
        raise ModelMismatchError(
            f"index {where} was built with model {built_with!r}, not {settings.model!r}: "
            f"use --model {built_with} or rebuild with `govqa index build`")
    return settings.model or built_with or DEFAULT_MODEL


@contextmanager
def _opened(writer: Writer) -> Iterator[Reader | None]:
    """The live index a writer starts from (None when nothing is built), closed after use."""
    live = writer.live()
    try:
        yield live
    finally:
        if live is not None:
            live.close()


def _write(writer: Writer, live: Reader | None, docs: list[Document], removed: list[str], settings: Settings,
           report: ChangeReport, progress: Progress | None, replace: bool = False) -> None:
    """Chunk and embed ``docs`` (reusing vectors of ``live``), then publish them:
    as the whole index (``replace``), or added to the live one without ``removed``."""
    model = (settings.model or DEFAULT_MODEL) if replace else resolve_model(live, settings)
    gone = set(removed)
    kept = [] if replace or live is None else [d for d in live.documents.values() if d.doc_id not in gone]
    add_words(domain_words(sorted({(d.meta.region, d.meta.parent_region) for d in [*docs, *kept]})))
    chunks: list[Chunk] = []
    for i, doc in enumerate(docs):
        chunks.extend(chunk_document(doc, max_chars=settings.chunk_chars))
        if progress:
            progress("read", i + 1, len(docs))
    tokens = [tokenize(c.section + " " + c.text) for c in chunks]
    vectors = _vectors(None if replace else live, chunks, model, settings, report, progress, reuse_from=live)
    batch = Batch(docs, chunks, tokens, vectors, model)
    if replace:
        writer.replace(batch)
    else:
        report.reused += writer.change(batch, removed)
    report.documents, report.chunks = len(docs) + len(kept), report.embedded + report.reused


def _vectors(joined: Reader | None, chunks: list[Chunk], model: str, settings: Settings, report: ChangeReport,
             progress: Progress | None, reuse_from: Reader | None = None) -> np.ndarray:
    """One vector per chunk: copied from the live index ``reuse_from`` when the
    text and model are unchanged, else encoded. The vectors join those of the
    index ``joined`` (an add), whose dimension they must have."""
    if not chunks and joined is not None:  # a removal: no model to load
        if progress:
            progress("embed", 0, 0)
        return np.zeros((0, int(joined.manifest["dimension"])), dtype=np.float32)
    from embeddings import load_embedder

    embedder = load_embedder(model, settings.batch_size)
    if joined is not None and embedder.dim != int(joined.manifest["dimension"]):
        raise ModelMismatchError(f"model {model!r} gives {embedder.dim}-d vectors but the index holds "
                                 f"{joined.manifest['dimension']}-d ones: rebuild it with `govqa index build`")
    vectors = np.zeros((len(chunks), embedder.dim), dtype=np.float32)
    todo = list(range(len(chunks)))
    rows, old_vectors = _reuse(reuse_from, chunks, model, embedder.dim)
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


def _reuse(live: Reader | None, chunks: list[Chunk], model: str, dim: int) -> tuple[list[int], np.ndarray]:
    """Vectors of the live index for chunks whose embedded text (section and
    text, matched by ``chunks.text_hash``) is unchanged: (new chunk positions,
    their vectors)."""
    none = ([], np.zeros((0, dim), dtype=np.float32))
    if live is None or live.manifest.get("model") != model or int(live.manifest.get("dimension", 0)) != dim:
        return none
    keys = [(c.section, text_hash(c.text)) for c in chunks]
    found = live.vectors_by_key(keys)
    rows = [i for i, key in enumerate(keys) if key in found]
    if not rows:
        return none
    return rows, np.stack([found[keys[i]] for i in rows])
