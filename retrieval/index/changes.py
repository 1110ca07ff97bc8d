"""One change of the index (build, add or remove), written as a new generation.

A :class:`Change` starts from the live generation, checked first: a damaged
one (``CHECKSUMS`` differ, ``CURRENT`` wrong, a file unreadable) is refused
before anything changes, except by a build, the way out of damage, which then
copies nothing from it. It gathers the documents of the new generation, each
a :class:`Part` with its chunks, tokens, years and where each vector comes from:

- ``carry``: a document of the live generation, exactly as stored (chunks,
  tokens, years, pages, vectors): never read, chunked or encoded again;
- ``add_new``: a document just read, chunked at once (refused past
  ``Settings.max_chunks`` chunks); each chunk's vector is copied from the live
  index when it holds the same text (section and text hash) made by the same
  encoder, else the chunk goes to the ``BackgroundEncoder`` right away.

``commit`` then checks every live vector it copies (finite, unit length),
tokenises the new chunks (once every document's place names are known to
the tokenizer), writes the texts, BM25 and facts while the encoder is still
at work, then FAISS and the manifest, and publishes (``generations``). A
failure to write deletes the unfinished generation: the live one stays.
Vectors of two encoders never mix: if the encoder loaded for new chunks is
not the one the live vectors came from (``model.same_encoder``), the live
chunks are encoded again as well.
"""
from __future__ import annotations

import logging
import shutil
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
from ..text.normalise import find_years
from ..text.tokenize import add_words, domain_words, tokenize
from .dense import bad_norms
from .fact_store import FACTS_FILE, write_facts
from .generations import (IndexDamagedError, IndexMissingError, checksum_mismatches, live_generation,
                          new_generation_dir, publish, writing)
from .model import load_model, manifest_fields, same_encoder, stored_fingerprint
from .pipeline import BackgroundEncoder
from .store import IndexReader, ModelMismatchError, text_hash, write_texts, write_vectors

if TYPE_CHECKING:  # pragma: no cover
    from embeddings import Embedder

    from ..settings import Settings

# progress(stage, done, total): stage is "read", "embed", or "OCR <file name>" (pages)
Progress = Callable[[str, int, int], None]
# warn(line): said at once, before a long step (e.g. embedding a very large document)
Warn = Callable[[str], None]
LIVE, NEW = "live", "new"  # where a chunk's vector comes from: a live chunk id, or an encoder slot
Copied = tuple[np.ndarray, np.ndarray]  # (live chunk ids, ascending; their vectors)
NOTHING_COPIED: Copied = (np.zeros(0, dtype=np.int64), np.zeros((0, 0), dtype=np.float32))

# A report is 20-300 chunks; a document past this is a book or a data dump, and the
# administrator hears how long it will take to embed before it is embedded.
LARGE_DOCUMENT_CHUNKS = 2_000
# Chunking a text this many times longer than max_chunks * chunk_chars is not even tried.
CHUNK_ESTIMATE_MARGIN = 4

log = logging.getLogger(__name__)


@dataclass
class Part:
    """One document of the new generation."""

    doc: Document
    chunks: list[Chunk]
    tokens: list[list[str]] | None  # None: new, tokenised at commit
    years: set[int]  # years its text mentions
    vectors: list[tuple[str, int]]  # per chunk: (LIVE, chunk id) or (NEW, encoder slot)
    carried: bool = False  # from the live generation (carried documents come first)


def passage_text(chunk: Chunk) -> str:
    """What the dense model sees: the section heading gives a paragraph its topic."""
    return f"{chunk.section}\n{chunk.text}" if chunk.section else chunk.text


def chunk_tokens(chunk: Chunk) -> list[str]:
    """What BM25 indexes for a chunk."""
    return tokenize(chunk.section + " " + chunk.text)


def open_live(root: Path, rebuild: bool = False) -> IndexReader | None:
    """The live generation, after checking it is exactly as written (``CHECKSUMS``);
    None when the folder never held an index. A damaged index raises
    IndexDamagedError: no change may start from it, except a ``rebuild``,
    which then starts from nothing."""
    try:
        gen = live_generation(root)
        for name, what in checksum_mismatches(gen)[:1]:
            raise IndexDamagedError(root, f"{gen.name}/{name} {what}")
        return IndexReader(gen)
    except IndexMissingError:
        return None
    except IndexDamagedError:
        if rebuild:
            return None
        raise


def resolve_model(live: IndexReader | None, settings: "Settings", where: object = "") -> str:
    """The model to use: the configured one, which must agree with the live
    index's when there is one; else the index's; else the default."""
    built_with = live.manifest["model"] if live is not None else None
    if settings.model and built_with and settings.model != built_with:
        raise ModelMismatchError(
            f"index {where} was built with model {built_with!r}, not {settings.model!r}: "
            f"use --model {built_with} or rebuild with `govqa index build`")
    return settings.model or built_with or DEFAULT_MODEL


class Change:
    """A new generation of ``root`` in the making; use as a context manager
    (the live reader is closed and the encoder stopped however it ends)."""

    def __init__(self, root: Path, settings: "Settings", progress: Progress | None = None,
                 warn: Warn | None = None, rebuild: bool = False):
        """``rebuild``: an ``index build`` (the model is the configured one or
        the default, and a damaged live index is not refused but not used)."""
        self.root, self.settings, self.progress, self.warn, self.rebuild = root, settings, progress, warn, rebuild
        self.live = open_live(root, rebuild)  # a damaged index is refused before anything changes
        try:
            self.model = (settings.model or DEFAULT_MODEL) if rebuild else resolve_model(self.live, settings, root)
        except ModelMismatchError:
            self.__exit__()
            raise
        self.parts: dict[str, Part] = {}  # doc id -> part, in generation order
        self.errors: list[IngestError] = []
        self.files: list[str] = []  # one line per file read: "read scan.pdf: 2 pages, 2 by OCR (4.1 s/page)"
        self.embedded = self.reused = 0
        self._embedder: Embedder | None = None
        self._encoder: BackgroundEncoder | None = None
        self._keys: dict[tuple[str, str], int] | None = None
        self._damaged = False  # live vectors found damaged by a rebuild
        # live vectors may be reused until an encoder other than theirs is loaded
        self._reuse = self.live is not None and self.live.manifest.get("model") == self.model

    def __enter__(self) -> "Change":
        return self

    def __exit__(self, *exc: object) -> None:
        if getattr(self, "_encoder", None) is not None:
            self._encoder.cancel()  # a no-op after commit
        if self.live is not None:
            self.live.close()

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
        sources: list[tuple[str, int] | None] = [self._live_vector(c) for c in chunks]
        todo = [i for i, s in enumerate(sources) if s is None]
        if todo:
            slots = self._encode([passage_text(chunks[i]) for i in todo])
            for i, slot in zip(todo, slots):
                sources[i] = (NEW, slot)
            if len(todo) > LARGE_DOCUMENT_CHUNKS and self.warn:
                self.warn(large_document_line(doc.source, len(todo), self._encoder.seconds_each()))
        self.parts[doc.doc_id] = Part(doc, chunks, None, set(find_years(doc.text)), sources)
        return True

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

    def carry(self, doc_ids: Iterable[str]) -> None:
        """Documents of the live generation, exactly as stored."""
        wanted = set(doc_ids)
        if not wanted:
            return
        stored_years = self.live.mentioned_years()
        for doc_id in (d for d in self.live.documents if d in wanted):
            s = self.live.documents[doc_id]
            text = self.live.document_text(doc_id)
            years = stored_years.get(doc_id, set()) if stored_years is not None else set(find_years(text))
            doc = Document(doc_id, s.source, text, s.meta, s.url, s.added_at, self.live.document_pages(doc_id))
            self.parts[doc_id] = Part(doc, [], [], years, [], carried=True)
        for chunk, _, tokens in self.live.iter_chunks():
            part = self.parts.get(chunk.doc_id)
            if chunk.doc_id in wanted and part is not None:
                part.chunks.append(chunk)
                part.tokens.append(tokens)
                part.vectors.append((LIVE, chunk.chunk_id))

    def _live_vector(self, chunk: Chunk) -> tuple[str, int] | None:
        """(LIVE, id) of the live chunk with the same section and text, if its vector may be reused."""
        if not self._reuse:
            return None
        if self._keys is None:
            self._keys = self.live.chunk_keys()
        found = self._keys.get((chunk.section, text_hash(chunk.text)))
        return (LIVE, found) if found is not None else None

    def _encode(self, texts: list[str]) -> range:
        if self._encoder is None:
            self._encoder = BackgroundEncoder(self.embedder(), self._tick)
        return self._encoder.submit(texts)

    def embedder(self) -> "Embedder":
        """The encoder for new chunks (loaded once); live vectors stay reusable
        only if they came from this very encoder."""
        if self._embedder is None:
            self._embedder = load_model(self.model, self.settings)
            if self.live is not None and not (
                    same_encoder(stored_fingerprint(self.live.manifest), self._embedder.fingerprint)
                    and int(self.live.manifest["dimension"]) == self._embedder.dim):
                self._reuse = False
        return self._embedder

    def _tick(self, done: int, given: int) -> None:
        if self.progress:
            self.progress("embed", done, given)

    # ------------------------------------------------------------ writing

    def commit(self) -> None:
        """Write the new generation and make it live."""
        parts = sorted(self.parts.values(), key=lambda p: not p.carried)  # stable: live order, then read order
        copied = self._copied_vectors(parts)
        if self._embedder is not None and not self._reuse:
            self._reencode_live(parts)
            copied = NOTHING_COPIED
        if self._encoder is not None:
            self._encoder.close()  # every passage is given: the last block need not wait
        self._tokenise(parts)
        docs = [p.doc for p in parts]
        chunks = [c for p in parts for c in p.chunks]
        with writing(self.root, "a new generation folder"):
            gen = new_generation_dir(self.root)
        try:
            write_texts(gen, docs, chunks, [t for p in parts for t in p.tokens],
                        {p.doc.doc_id: p.years for p in parts})
            with writing(gen, FACTS_FILE):
                write_facts(gen, docs, chunks)  # facts.sqlite beside meta.sqlite: figures across reports
            vectors = self._vectors([v for p in parts for v in p.vectors], copied)
            fields = manifest_fields(self._embedder) if self._embedder is not None else {
                "model": self.live.manifest["model"], "model_fingerprint": stored_fingerprint(self.live.manifest)}
            write_vectors(gen, vectors, fields["model"], len(docs), extra=fields,
                          index_kind=self.settings.faiss_index)
            publish(self.root, gen)
        finally:
            shutil.rmtree(gen, ignore_errors=True)  # gone when published (renamed); else unfinished

    def _copied_vectors(self, parts: list[Part]) -> Copied:
        """(live chunk ids, ascending; their stored vectors) of every chunk whose
        vector is copied, each checked (finite, unit length): damage is never
        copied forward. A rebuild encodes them again instead; any other change is refused."""
        ids = np.array(sorted({ref for p in parts for kind, ref in p.vectors if kind == LIVE}), dtype=np.int64)
        if not len(ids):
            return NOTHING_COPIED
        vectors = self.live.vectors(ids.tolist())
        wrong = bad_norms(vectors)
        if not len(wrong):
            return ids, vectors
        if self.rebuild:
            self.embedder()
            self._reuse, self._damaged = False, True  # the rebuild embeds everything again rather than copy damage
            return NOTHING_COPIED
        raise IndexDamagedError(self.root, f"{self.live.path.name}/{self.live.dense.file}: {len(wrong):,} stored "
                                           f"vectors are not finite unit vectors (chunk {ids[wrong[0]]})")

    def _reencode_live(self, parts: list[Part]) -> None:
        """Another encoder than the live vectors' was loaded (or they are damaged): encode the live chunks too."""
        rows = [(p, i) for p in parts for i, (kind, _) in enumerate(p.vectors) if kind == LIVE]
        if rows:
            stored = stored_fingerprint(self.live.manifest)
            why = "damaged vectors" if self._damaged else (
                f"vectors of encoder {stored}, this one is {self._embedder.fingerprint}")
            log.warning("index %s holds %s: encoding its %d chunks again", self.root, why, len(rows))
            slots = self._encode([passage_text(p.chunks[i]) for p, i in rows])
            for (p, i), slot in zip(rows, slots):
                p.vectors[i] = (NEW, slot)

    def _tokenise(self, parts: list[Part]) -> None:
        """BM25 tokens of the new chunks, with every document's places known to
        the tokenizer; a carried chunk is tokenised again only if it holds a
        place name the new documents brought."""
        new = [p for p in parts if p.tokens is None]
        if not new:
            return
        old_words = set(domain_words(_places(p for p in parts if p.tokens is not None)))
        words = domain_words(_places(parts))
        add_words(words)
        taught = [w for w in words if w not in old_words]
        for p in parts:
            if p.tokens is None:
                p.tokens = [chunk_tokens(c) for c in p.chunks]
            elif taught:
                p.tokens = [chunk_tokens(c) if any(w in c.section or w in c.text for w in taught) else t
                            for c, t in zip(p.chunks, p.tokens)]

    def _vectors(self, sources: list[tuple[str, int]], copied: Copied) -> np.ndarray:
        """The vector of every chunk: live ones copied, new ones from the encoder."""
        dim = self._embedder.dim if self._embedder is not None else int(self.live.manifest["dimension"])
        vectors = np.zeros((len(sources), dim), dtype=np.float32)
        live = [(row, ref) for row, (kind, ref) in enumerate(sources) if kind == LIVE]
        new = [(row, ref) for row, (kind, ref) in enumerate(sources) if kind == NEW]
        if live:
            ids, stored = copied
            vectors[[r for r, _ in live]] = stored[np.searchsorted(ids, [ref for _, ref in live])]
        if self._encoder is not None:
            encoded = self._encoder.finish()
            if new:
                vectors[[r for r, _ in new]] = encoded[[ref for _, ref in new]]
        elif self.progress:
            self.progress("embed", 0, 0)
        self.reused, self.embedded = len(live), len(new)
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


def _places(parts: Iterable[Part]) -> list[tuple[str, str]]:
    """(region, parent region) of the parts' documents, for ``domain_words``."""
    return sorted({(p.doc.meta.region, p.doc.meta.parent_region) for p in parts})
