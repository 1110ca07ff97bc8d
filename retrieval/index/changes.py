"""One change of the index (build, add or remove), handed to the index's writer.

A :class:`Change` starts from the live index as its writer gives it, checked
(``backend.Writer.live``): a damaged one is refused before anything changes,
except by a build, the way out of damage, which then copies nothing from it.
It gathers the documents the change brings, each a :class:`Part` with its
chunks and where each vector comes from:

- ``add_new``: a document just read, chunked at once (refused past
  ``Settings.max_chunks`` chunks); each chunk's vector is copied from the live
  index when it holds the same text (section and text hash) made by the same
  encoder (and is a finite unit vector), else the chunk goes to the
  ``BackgroundEncoder`` right away, while the next document is read;
- ``drop``: a live document the change leaves out (removed, or replaced by
  a new version).

``commit`` tokenises the new chunks (once every document's place names are
known to the tokenizer) and hands one ``backend.Batch`` to the writer, whose
vectors are still being made: the folder writes texts, BM25 and facts
meanwhile and carries the live documents over as stored; Milvus adds rows
beside the live ones. Vectors of two encoders never mix: when the encoder
loaded is not the one the live vectors came from (``model.same_encoder``), a
writer that rewrites the whole index (the folder) has the live chunks
encoded again; any other (Milvus) refuses in one line.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

import numpy as np

from ..ingest import IngestError
from ..ingest.chunking import chunk_document
from ..ingest.load import FileRead, iter_documents
from ..ingest.options import PageRead, ReadOptions
from ..records import Chunk, Document
from ..settings import DEFAULT_MODEL
from ..text.tokenize import add_words
from .backend import Batch, Reader, Writer
from .dense import bad_norms
from .generations import IndexDamagedError
from .keyword import chunk_tokens, place_words
from .model import load_model, manifest_fields, same_encoder, stored_fingerprint
from .pipeline import BackgroundEncoder
from .store import ModelMismatchError, text_hash

if TYPE_CHECKING:  # pragma: no cover
    from embeddings import Embedder

    from ..settings import Settings

# progress(stage, done, total): stage is "read", "embed", or "OCR <file name>" (pages)
Progress = Callable[[str, int, int], None]
# warn(line): said at once, before a long step (e.g. embedding a very large document)
Warn = Callable[[str], None]
COPIED, NEW = "copied", "new"  # where a chunk's vector comes from: a vector read from the live index, an encoder slot

# A report is 20-300 chunks; a document past this is a book or a data dump, and the
# administrator hears how long it will take to embed before it is embedded.
LARGE_DOCUMENT_CHUNKS = 2_000
# Chunking a text this many times longer than max_chunks * chunk_chars is not even tried.
CHUNK_ESTIMATE_MARGIN = 4

log = logging.getLogger(__name__)


@dataclass
class Part:
    """One document the change brings."""

    doc: Document
    chunks: list[Chunk]
    vectors: list[tuple[str, int]]  # per chunk: (COPIED, position in Change._copied) or (NEW, encoder slot)
    tokens: list[list[str]] | None = None  # made at commit
    carried: bool = False  # a live document encoded again (another encoder); these come first


def passage_text(chunk: Chunk) -> str:
    """What the dense model sees: the section heading gives a paragraph its topic."""
    return f"{chunk.section}\n{chunk.text}" if chunk.section else chunk.text


def resolve_model(live: Reader | None, settings: "Settings", where: object = "") -> str:
    """The model to use: the configured one, which must agree with the live
    index's when there is one; else the index's; else the default."""
    built_with = live.manifest["model"] if live is not None else None
    if settings.model and built_with and settings.model != built_with:
        raise ModelMismatchError(
            f"index {where} was built with model {built_with!r}, not {settings.model!r}: "
            f"use --model {built_with} or rebuild with `govqa index build`")
    return settings.model or built_with or DEFAULT_MODEL


class Change:
    """A change of the index in the making; use as a context manager (the
    encoder is stopped however it ends). ``rebuild``: an ``index build``."""

    def __init__(self, writer: Writer, settings: "Settings", where: str, progress: Progress | None = None,
                 warn: Warn | None = None, rebuild: bool = False):
        self.writer, self.settings, self.where = writer, settings, where
        self.progress, self.warn, self.rebuild = progress, warn, rebuild
        self.live = self._open_live()  # a damaged index is refused before anything changes
        self.model = (settings.model or DEFAULT_MODEL) if rebuild else resolve_model(self.live, settings, where)
        self.parts: dict[str, Part] = {}  # doc id -> new document, in read order
        self.removed: list[str] = []  # live documents left out (removed, or replaced)
        self.errors: list[IngestError] = []
        self.files: list[str] = []  # one line per file read: "read scan.pdf: 2 pages, 2 by OCR (4.1 s/page)"
        self.embedded = self.reused = 0
        self._copied: list[np.ndarray] = []  # vectors copied from the live index
        self._embedder: Embedder | None = None
        self._encoder: BackgroundEncoder | None = None
        # live vectors may be reused until an encoder other than theirs is loaded, or they prove damaged
        self._reuse = self.live is not None and self.live.manifest.get("model") == self.model
        self._reencode = False  # the live chunks are to be encoded again (another encoder; the folder)
        self._damaged = False  # a build found damaged live vectors: what it copied is encoded again

    def __enter__(self) -> "Change":
        return self

    def __exit__(self, *exc: object) -> None:
        if self._encoder is not None:
            self._encoder.cancel()  # a no-op after commit

    def _open_live(self) -> Reader | None:
        try:
            return self.writer.live()
        except IndexDamagedError:
            if self.rebuild:  # the way out of damage: starts from nothing, copies nothing
                return None
            raise

    # ------------------------------------------------------------ gathering

    def read(self, paths: Iterable[Path]) -> Iterator[Document]:
        """Documents under ``paths`` as they are read (exact duplicates once); a
        line per file read goes to ``files``, each OCRed page to ``progress``."""
        def on_page(read: PageRead) -> None:
            if self.progress and read.how == "ocr":
                self.progress(f"OCR {read.source}", read.page, read.pages)

        def on_file(read: FileRead) -> None:
            self.files.append(read.line())

        seen: set[str] = set()
        options = ReadOptions(ocr=self.settings.ocr, on_page=on_page)
        for doc in iter_documents(list(paths), self.settings.max_file_bytes, self.errors.append, options, on_file):
            if doc.doc_id not in seen:
                seen.add(doc.doc_id)
                yield doc
        if self.progress:  # the encoder's progress is the one to watch meanwhile
            self.progress("read", len(seen), len(seen))

    def add_new(self, doc: Document) -> bool:
        """A document just read: chunked now, its new chunks queued for encoding.
        False (and one error line) for a document past ``max_chunks`` chunks."""
        chunks = self._chunks_within_limit(doc)
        if chunks is None:
            return False
        sources = self._copies(chunks)
        todo = [i for i, s in enumerate(sources) if s is None]
        if todo:
            slots = self._encode([passage_text(chunks[i]) for i in todo])
            for i, slot in zip(todo, slots):
                sources[i] = (NEW, slot)
            if len(todo) > LARGE_DOCUMENT_CHUNKS and self.warn:
                self.warn(large_document_line(doc.source, len(todo), self._encoder.seconds_each()))
        self.parts[doc.doc_id] = Part(doc, chunks, sources)
        return True

    def drop(self, doc_id: str) -> None:
        """Leave out a live document (or one added earlier in this same change)."""
        if self.parts.pop(doc_id, None) is None:
            self.removed.append(doc_id)

    def _chunks_within_limit(self, doc: Document) -> list[Chunk] | None:
        """The chunks of ``doc``, or None (one error) when there are more than allowed."""
        limit, size = self.settings.max_chunks, self.settings.chunk_chars
        if len(doc.text) > limit * size * CHUNK_ESTIMATE_MARGIN:
            count = f"about {len(doc.text) // size:,}"
        else:
            chunks = chunk_document(doc, max_chars=size)
            if len(chunks) <= limit:
                return chunks
            count = f"{len(chunks):,}"
        self.errors.append(IngestError(doc.source, f"{count} chunks, more than the {limit:,} allowed per "
                                                   "document (--max-chunks, GOVQA_MAX_CHUNKS); not indexed: "
                                                   "split the file or raise the limit"))
        return None

    def _copies(self, chunks: list[Chunk]) -> list[tuple[str, int] | None]:
        """Per chunk, (COPIED, n) when the live index holds its vector (same
        section and text, same encoder), else None. Copied vectors must be
        finite unit vectors: a build stops copying when one is not, any other
        change is refused (IndexDamagedError)."""
        if not self._reuse or not chunks:
            return [None] * len(chunks)
        keys = [(c.section, text_hash(c.text)) for c in chunks]
        found = self.live.vectors_by_key(keys)
        wrong = bad_norms(np.stack(list(found.values()))) if found else []
        if len(wrong):
            what = f"{self.live.generation}: stored vectors are not finite unit vectors ({len(wrong):,} of {len(found):,})"
            if not self.rebuild:
                raise IndexDamagedError(Path(self.where), what)
            log.warning("index %s is damaged (%s): this build encodes every chunk again", self.where, what)
            self._reuse, self._damaged = False, True
            return [None] * len(chunks)
        sources: list[tuple[str, int] | None] = []
        for key in keys:
            if key in found:
                self._copied.append(found[key])
                sources.append((COPIED, len(self._copied) - 1))
            else:
                sources.append(None)
        return sources

    def _encode(self, texts: list[str]) -> range:
        if self._encoder is None:
            self._encoder = BackgroundEncoder(self.embedder(), self._tick)
        return self._encoder.submit(texts)

    def embedder(self) -> "Embedder":
        """The encoder for new chunks (loaded once; before reading, so that an
        index of another encoder is dealt with before any work)."""
        if self._embedder is None:
            self._embedder = load_model(self.model, self.settings)
            if self.live is not None:
                self._check_encoder(self._embedder)
        return self._embedder

    def _check_encoder(self, embedder: "Embedder") -> None:
        """Live vectors are reused only from this very encoder (same fingerprint
        and dimension); otherwise a build copies nothing, a folder encodes its
        live chunks again, and Milvus refuses in one line."""
        stored, dim = stored_fingerprint(self.live.manifest), int(self.live.manifest["dimension"])
        if same_encoder(stored, embedder.fingerprint) and dim == embedder.dim:
            return
        self._reuse = False
        if self.rebuild:
            return
        if self.writer.rewrites:
            self._reencode = True
        elif dim != embedder.dim:
            raise ModelMismatchError(f"model {self.model!r} gives {embedder.dim}-d vectors but the index holds "
                                     f"{dim}-d ones: rebuild it with `govqa index build`")
        else:
            raise ModelMismatchError(f"index {self.where} holds vectors of encoder {stored}, this machine's is "
                                     f"{embedder.fingerprint}: vectors of two encoders never share an index; "
                                     "rebuild it with `govqa index build`, or add from a machine with the same encoder")

    def _tick(self, done: int, given: int) -> None:
        if self.progress:
            self.progress("embed", done, given)

    # ------------------------------------------------------------ handing over

    def commit(self) -> None:
        """Hand the change to the writer, which publishes it in one atomic step."""
        gone = set(self.removed)
        kept = [] if self.live is None or self.rebuild else [d for d in self.live.documents if d not in gone]
        replace = self.live is None or self.rebuild
        if self._reencode and kept:
            self._take_over(kept)
            kept, replace = [], True
        if self._damaged:
            self._encode_copies_again()
        if self._encoder is not None:
            self._encoder.close()  # every passage is given: the last block need not wait
        parts = sorted(self.parts.values(), key=lambda p: not p.carried)  # stable: taken over first, then read order
        self._tokenise(parts, [self.live.documents[d].meta for d in kept])
        fields = manifest_fields(self._embedder) if self._embedder is not None else {
            "model": self.live.manifest["model"], "model_fingerprint": stored_fingerprint(self.live.manifest)}
        sources = [v for p in parts for v in p.vectors]
        batch = Batch([p.doc for p in parts], [c for p in parts for c in p.chunks], [t for p in parts for t in p.tokens],
                      lambda: self._vectors(sources), fields["model"], fields["model_fingerprint"])
        carried = 0
        if replace:
            self.writer.replace(batch)
        else:
            carried = self.writer.change(batch, self.removed)
        self.embedded = sum(kind == NEW for kind, _ in sources)
        self.reused = len(sources) - self.embedded + carried

    def _take_over(self, kept: list[str]) -> None:
        """The live documents become parts of the change, encoded again (another encoder)."""
        log.warning("index %s holds vectors of encoder %s, this one is %s: encoding its chunks again", self.where,
                    stored_fingerprint(self.live.manifest), self._embedder.fingerprint)
        taken = {d: Part(Document(d, s.source, self.live.document_text(d), s.meta, s.url, s.added_at,
                                  self.live.document_pages(d)), [], [], carried=True)
                 for d, s in self.live.documents.items() if d in set(kept)}
        for chunk, _, _ in self.live.iter_chunks():
            if chunk.doc_id in taken:
                taken[chunk.doc_id].chunks.append(chunk)
        for part in taken.values():
            part.vectors = [(NEW, slot) for slot in self._encode([passage_text(c) for c in part.chunks])]
        self.parts = {**taken, **self.parts}

    def _encode_copies_again(self) -> None:
        """A build found the live index damaged: nothing it copied is kept."""
        for part in self.parts.values():
            rows = [i for i, (kind, _) in enumerate(part.vectors) if kind == COPIED]
            for i, slot in zip(rows, self._encode([passage_text(part.chunks[i]) for i in rows]) if rows else []):
                part.vectors[i] = (NEW, slot)

    def _tokenise(self, parts: list[Part], kept: list) -> None:
        """BM25 tokens of the chunks the change brings, with every document's
        places (theirs and the kept ones') known to the tokenizer."""
        if not parts:
            return
        add_words(place_words([p.doc.meta for p in parts] + kept))
        for p in parts:
            p.tokens = [chunk_tokens(c) for c in p.chunks]

    def _vectors(self, sources: list[tuple[str, int]]) -> np.ndarray:
        """The vector of every chunk of the change: copied ones, then the
        encoder's (waits for it). The writer asks for them as late as it can."""
        dim = self._embedder.dim if self._embedder is not None else int(self.live.manifest["dimension"])
        vectors = np.zeros((len(sources), dim), dtype=np.float32)
        copied = [(row, ref) for row, (kind, ref) in enumerate(sources) if kind == COPIED]
        new = [(row, ref) for row, (kind, ref) in enumerate(sources) if kind == NEW]
        if copied:
            vectors[[r for r, _ in copied]] = np.stack([self._copied[ref] for _, ref in copied])
        if self._encoder is not None:
            encoded = self._encoder.finish()
            if new:
                vectors[[r for r, _ in new]] = encoded[[ref for _, ref in new]]
        elif self.progress:
            self.progress("embed", 0, 0)
        return vectors


def large_document_line(source: str, count: int, seconds_each: float) -> str:
    """The warning before a very large document is embedded."""
    return (f"{source}: {count:,} chunks to embed, about {_duration(count * seconds_each)} on this machine; "
            f"--max-chunks {LARGE_DOCUMENT_CHUNKS} (or GOVQA_MAX_CHUNKS) refuses documents this large")


def _duration(seconds: float) -> str:
    """'40 s', '12 min', '3 h 20 min'."""
    if seconds < 90:
        return f"{max(seconds, 1):.0f} s"
    minutes = round(seconds / 60)
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"
