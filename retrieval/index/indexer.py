"""Building and changing the index: documents -> chunks -> vectors -> store.

Every change (build, add, remove) writes a complete new generation and then
switches ``CURRENT`` to it in one atomic step (``changes.Change``). A change
costs what it changes: indexed documents are carried over as stored (never
read, chunked or encoded again), vectors of chunks whose text is unchanged
are copied, and new chunks are encoded on a worker thread while the next
documents are read (``pipeline``).

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
from ..settings import DEFAULT_MODEL, Settings
from .changes import Change, Progress, passage_text  # noqa: F401 - passage_text: used by bench and synthetic
from .store import ModelMismatchError, WriterLock, current_generation, read_manifest, remove_stale_generations


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
    index: Path | None = None

    def __post_init__(self) -> None:
        errors, self.errors = self.errors, []
        self.note(errors)

    def note(self, errors: list[IngestError]) -> None:
        """Record ingest problems; files passed over on purpose (unsupported
        types met in a folder) are listed as skipped, not as failures."""
        self.skipped += [str(e) for e in errors if getattr(e, "skipped", False)]
        self.errors += [e for e in errors if not getattr(e, "skipped", False)]

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
        report = ChangeReport("build")
        with Change(root, settings, settings.model or DEFAULT_MODEL, progress) as change:
            change.embedder()  # loaded first: whether live vectors can be reused depends on it
            for doc in change.read(paths):
                change.add_new(doc)
                report.added.append(doc.source)
            _finish(change, report)
    report.seconds = time.perf_counter() - started
    return report


def add_documents(paths: Sequence[Path], root: Path, settings: Settings,
                  progress: Progress | None = None) -> ChangeReport:
    """Add new documents; an identical one is skipped, a new version of the
    same source replaces the old one. Indexed documents are not read again."""
    started = time.perf_counter()
    with WriterLock(root):
        remove_stale_generations(root)
        model = resolve_model(root, settings)  # refuse a mismatched model before any work
        report = ChangeReport("add")
        with Change(root, settings, model, progress) as change:
            live = change.live.documents if change.live is not None else {}
            kept = dict.fromkeys(live)  # live doc ids still in the index, in order
            by_source = {d.source: d.doc_id for d in live.values()}
            for doc in change.read(paths):
                if doc.doc_id in kept or doc.doc_id in change.parts:
                    report.skipped.append(f"{doc.source}: already indexed (same content)")
                    continue
                if doc.source in by_source:
                    replaced = by_source.pop(doc.source)
                    kept.pop(replaced, None)
                    change.parts.pop(replaced, None)  # an earlier document of this same run
                    report.removed.append(f"{doc.source} (old version {replaced})")
                change.add_new(doc)
                by_source[doc.source] = doc.doc_id
                report.added.append(doc.source)
            if report.added or report.removed:
                change.carry(kept)
                _finish(change, report)
            else:
                report.note(change.errors)
                report.documents, report.index = len(live), root
    report.seconds = time.perf_counter() - started
    return report


def remove_documents(keys: Sequence[str], root: Path, settings: Settings,
                     progress: Progress | None = None) -> ChangeReport:
    """Remove documents by id (or id prefix) or by source name. The others
    are carried over as stored: nothing is read, chunked or encoded."""
    started = time.perf_counter()
    with WriterLock(root):
        remove_stale_generations(root)
        report = ChangeReport("remove")
        with Change(root, settings, settings.model, progress) as change:
            old = list(change.live.documents.values()) if change.live is not None else []
            keep = []
            for doc in old:
                if any(k and (doc.doc_id.startswith(k) or doc.source == k) for k in keys):
                    report.removed.append(f"{doc.doc_id} {doc.source}")
                else:
                    keep.append(doc.doc_id)
            matched = {k for k in keys for d in old if k and (d.doc_id.startswith(k) or d.source == k)}
            for key in keys:
                if key not in matched:
                    report.errors.append(IngestError(Path(key), "no indexed document has this id or source"))
            if report.removed and not keep:  # an index cannot be empty (bm25s cannot index nothing)
                report.errors.append(IngestError(root, f"refusing to remove all {len(old)} documents; "
                                                       "to start again run `govqa index build --docs ...`"))
                report.removed = []
            elif report.removed:
                change.carry(keep)
                _finish(change, report)
    report.seconds = time.perf_counter() - started
    return report


def resolve_model(root: Path, settings: Settings) -> str:
    """The model to use for ``root``: the configured one, which must agree
    with the index's when one exists; else the index's; else the default."""
    built_with = read_manifest(root)["model"] if current_generation(root) is not None else None
    if settings.model and built_with and settings.model != built_with:
        raise ModelMismatchError(
            f"index {root} was built with model {built_with!r}, not {settings.model!r}: "
            f"use --model {built_with} or rebuild with `govqa index build`")
    return settings.model or built_with or DEFAULT_MODEL


def _finish(change: Change, report: ChangeReport) -> None:
    """Publish the change (never an empty index: bm25s cannot index nothing) and fill the report."""
    report.note(change.errors)
    report.index = change.root
    if not change.parts:
        report.errors.append(IngestError(change.root, "nothing to index: no document could be read; "
                                                      "the index was left as it was"))
        return
    change.commit()
    report.documents = len(change.parts)
    report.chunks = sum(len(p.chunks) for p in change.parts.values())
    report.embedded, report.reused = change.embedded, change.reused
