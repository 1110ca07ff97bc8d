"""Building and changing the index: documents -> chunks -> vectors -> store.

Every change (build, add, remove) goes through the index's one writer
(``backend.Writer``: a new generation of the folder, or an epoch of Milvus)
and is published in one atomic step at its end (``changes.Change``). A change
costs what it changes: indexed documents are carried over as stored (never
read, chunked or encoded again), vectors of chunks whose text is unchanged
are copied, and new chunks are encoded on a worker thread while the next
documents are read (``pipeline``). A damaged index is refused before any
change but a rebuild; nothing copied from the live index is left unchecked.

>>> report = build_index([Path("seeds")], Path("index"), Settings())   # doctest: +SKIP
>>> report.summary()                                                    # doctest: +SKIP
'index: 5 docs, 160 chunks (160 embedded, 0 reused), 0 errors, 11.2 s -> index'
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from ..ingest import IngestError
from ..settings import Settings
from .backend import Index, open_index
from .changes import (LARGE_DOCUMENT_CHUNKS, Change, Progress, Warn, passage_text,  # noqa: F401 - used by
                      resolve_model)  # bench and synthetic (passage_text), tests (LARGE_DOCUMENT_CHUNKS)
from .removal import select_for_removal


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
    index: Path | str | None = None  # where: the folder, or "Milvus at <uri>"
    dry_run: bool = False  # remove --dry-run: ``removed`` lists what would go
    warn: Warn | None = None

    def __post_init__(self) -> None:
        errors, self.errors = self.errors, []
        self.note(errors)

    def note(self, errors: list[IngestError]) -> None:
        """Record ingest problems: files passed over on purpose (unsupported
        types met in a folder) are listed as skipped, notices (name clashes)
        as notes, the rest as errors."""
        self.skipped += [str(e) for e in errors if e.skipped]
        self.notes += [str(e) for e in errors if e.notice]
        self.errors += [e for e in errors if not (e.skipped or e.notice)]

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
    report = ChangeReport("build", warn=warn)
    index = open_index(settings, root)
    with index.writer() as writer, Change(writer, settings, index.describe(), progress, report.warning,
                                          rebuild=True) as change:
        change.embedder()  # loaded first: whether live vectors can be reused depends on it
        for doc in change.read(paths):
            if change.add_new(doc):
                report.added.append(doc.source)
        if change.parts:
            _finish(change, report)
        else:  # never replace an index by an empty one (and bm25s cannot index nothing)
            _read_only(change, report, 0)
            report.errors.append(IngestError(root, "nothing to index: no document could be read; "
                                                   "the index was left as it was"))
        report.index = _where(index, root)
    report.seconds = time.perf_counter() - started
    return report


def add_documents(paths: Sequence[Path], root: Path, settings: Settings,
                  progress: Progress | None = None, warn: Warn | None = None) -> ChangeReport:
    """Add new documents; an identical one is skipped, a new version of the
    same source replaces the old one. Indexed documents are not read again."""
    started = time.perf_counter()
    report = ChangeReport("add", warn=warn)
    index = open_index(settings, root)
    # a damaged index, or a model or encoder other than the index's, is refused before any work
    with index.writer() as writer, Change(writer, settings, index.describe(), progress, report.warning) as change:
        change.embedder()
        live = change.live.documents if change.live is not None else {}
        by_source = {d.source: d.doc_id for d in live.values()}
        for doc in change.read(paths):
            if doc.doc_id in live or doc.doc_id in change.parts:
                report.skipped.append(f"{doc.source}: already indexed (same content)")
                continue
            if not change.add_new(doc):  # too large
                continue
            if doc.source in by_source:
                replaced = by_source.pop(doc.source)
                change.drop(replaced)  # a live document, or an earlier one of this same run
                report.removed.append(f"{doc.source} (old version {replaced})")
            by_source[doc.source] = doc.doc_id
            report.added.append(doc.source)
        if report.added or report.removed:
            _finish(change, report)
        else:
            _read_only(change, report, len(live))
        report.index = _where(index, root)
    report.seconds = time.perf_counter() - started
    return report


def remove_documents(keys: Sequence[str], root: Path, settings: Settings, progress: Progress | None = None,
                     dry_run: bool = False, yes: bool = False) -> ChangeReport:
    """Remove documents named by full id, exact source, or an id prefix that
    matches exactly one document (see ``removal.select_for_removal``). The
    others are kept as stored: nothing is read, chunked or encoded.

    Nothing is removed when any key is unknown or ambiguous, or when more than
    one document would go and a key was a prefix (unless ``yes``);
    ``dry_run`` lists what would be removed and changes nothing."""
    started = time.perf_counter()
    report = ChangeReport("remove", dry_run=dry_run)
    index = open_index(settings, root)
    with index.writer() as writer, Change(writer, settings, index.describe(), progress) as change:
        old = list(change.live.documents.values()) if change.live is not None else []
        chosen, report.errors = select_for_removal(keys, old, yes)
        if chosen and len(chosen) == len(old) and not report.errors:  # bm25s cannot index nothing
            report.errors.append(IngestError(root, f"refusing to remove all {len(old)} documents; "
                                                   "to start again run `govqa index build --docs ...`"))
        if not report.errors:
            report.removed = [f"{d.doc_id} {d.source}" for d in chosen]
            if chosen and not dry_run:
                for doc in chosen:
                    change.drop(doc.doc_id)
                _finish(change, report)
        report.index = _where(index, root)
    report.seconds = time.perf_counter() - started
    return report


def _finish(change: Change, report: ChangeReport) -> None:
    """Publish the change and fill the report."""
    report.note(change.errors)
    report.files = change.files
    change.commit()
    live = len(change.live.documents) if change.live is not None and not change.rebuild else 0
    report.documents = live - len(change.removed) + len(change.parts)
    report.embedded, report.reused = change.embedded, change.reused
    report.chunks = report.embedded + report.reused


def _read_only(change: Change, report: ChangeReport, documents: int) -> None:
    """Fill the report of a change that found nothing to change."""
    report.note(change.errors)
    report.files, report.documents = change.files, documents


def _where(index: Index, root: Path) -> Path | str:
    """What a change summary names: the folder, or "Milvus at <uri>"."""
    return root if index.describe() == str(root) else index.describe()
