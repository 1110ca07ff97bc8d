"""One change of the index (build, add or remove), written as a new generation.

A :class:`Change` gathers the documents of the new generation, each a
:class:`Part` with its chunks, tokens, years and where each vector comes from:

- ``carry``: a document of the live generation, exactly as stored (chunks,
  tokens, years, vectors): never read, chunked or encoded again;
- ``add_new``: a document just read, chunked at once; each chunk's vector is
  copied from the live index when it holds the same text (section and text
  hash) made by the same encoder, else the chunk goes to the
  ``BackgroundEncoder`` right away.

``commit`` then tokenises the new chunks (once every document's place names
are known to the tokenizer), writes the texts, BM25 and facts while the
encoder is still at work, then FAISS and the manifest, and publishes.
Vectors of two encoders never mix: if the encoder loaded for new chunks is
not the one the live vectors came from (``model.same_encoder``), the live
chunks are encoded again as well.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

import numpy as np

from ..ingest import IngestError
from ..ingest.chunking import chunk_document
from ..ingest.load import iter_documents
from ..records import Chunk, Document
from ..text.normalise import find_years
from ..text.tokenize import add_words, domain_words, tokenize
from .fact_store import write_facts
from .model import load_model, manifest_fields, same_encoder, stored_fingerprint
from .pipeline import BackgroundEncoder
from .store import IndexReader, current_generation, new_generation_dir, publish, text_hash, write_texts, \
    write_vectors

if TYPE_CHECKING:  # pragma: no cover
    from embeddings import Embedder

    from ..settings import Settings

# progress(stage, done, total): stage is "read" or "embed"
Progress = Callable[[str, int, int], None]
LIVE, NEW = "live", "new"  # where a chunk's vector comes from: a live chunk id, or an encoder slot

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


class Change:
    """A new generation of ``root`` in the making; use as a context manager
    (the live reader is closed and the encoder stopped however it ends)."""

    def __init__(self, root: Path, settings: "Settings", model: str, progress: Progress | None = None):
        self.root, self.settings, self.model, self.progress = root, settings, model, progress
        self.live = IndexReader.open(root) if current_generation(root) is not None else None
        self.parts: dict[str, Part] = {}  # doc id -> part, in generation order
        self.errors: list[IngestError] = []
        self.embedded = self.reused = 0
        self._embedder: Embedder | None = None
        self._encoder: BackgroundEncoder | None = None
        self._keys: dict[tuple[str, str], int] | None = None
        # live vectors may be reused until an encoder other than theirs is loaded
        self._reuse = self.live is not None and self.live.manifest.get("model") == model

    def __enter__(self) -> "Change":
        return self

    def __exit__(self, *exc: object) -> None:
        if self._encoder is not None:
            self._encoder.cancel()  # a no-op after commit
        if self.live is not None:
            self.live.close()

    # ------------------------------------------------------------ gathering

    def read(self, paths: Iterable[Path]) -> Iterator[Document]:
        """Documents under ``paths`` as they are read (exact duplicates once)."""
        seen: set[str] = set()
        for doc in iter_documents(list(paths), self.settings.max_file_bytes, self.errors.append):
            if doc.doc_id not in seen:
                seen.add(doc.doc_id)
                yield doc
        if self.progress:  # the encoder's progress is the one to watch meanwhile
            self.progress("read", len(seen), len(seen))

    def add_new(self, doc: Document) -> None:
        """A document just read: chunked now, its new chunks queued for encoding."""
        chunks = chunk_document(doc, max_chars=self.settings.chunk_chars)
        sources: list[tuple[str, int] | None] = [self._live_vector(c) for c in chunks]
        todo = [i for i, s in enumerate(sources) if s is None]
        if todo:
            slots = self._encode([passage_text(chunks[i]) for i in todo])
            for i, slot in zip(todo, slots):
                sources[i] = (NEW, slot)
        self.parts[doc.doc_id] = Part(doc, chunks, None, set(find_years(doc.text)), sources)

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
            self.parts[doc_id] = Part(Document(doc_id, s.source, text, s.meta, s.url, s.added_at), [], [],
                                      years, [], carried=True)
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
        if self._embedder is not None and not self._reuse:
            self._reencode_live(parts)
        if self._encoder is not None:
            self._encoder.close()  # every passage is given: the last block need not wait
        self._tokenise(parts)
        docs = [p.doc for p in parts]
        chunks = [c for p in parts for c in p.chunks]
        gen = new_generation_dir(self.root)
        write_texts(gen, docs, chunks, [t for p in parts for t in p.tokens], {p.doc.doc_id: p.years for p in parts})
        write_facts(gen, docs, chunks)  # facts.sqlite beside meta.sqlite: figures across reports
        vectors = self._vectors([v for p in parts for v in p.vectors])
        fields = manifest_fields(self._embedder) if self._embedder is not None else {
            "model": self.live.manifest["model"], "model_fingerprint": stored_fingerprint(self.live.manifest)}
        write_vectors(gen, vectors, fields["model"], len(docs), extra=fields, index_kind=self.settings.faiss_index)
        publish(self.root, gen)

    def _reencode_live(self, parts: list[Part]) -> None:
        """Another encoder than the live vectors' was loaded: encode the live chunks too."""
        rows = [(p, i) for p in parts for i, (kind, _) in enumerate(p.vectors) if kind == LIVE]
        if rows:
            log.warning("index %s holds vectors of encoder %s, this one is %s: encoding its %d chunks again",
                        self.root, stored_fingerprint(self.live.manifest), self._embedder.fingerprint, len(rows))
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

    def _vectors(self, sources: list[tuple[str, int]]) -> np.ndarray:
        """The vector of every chunk: live ones copied, new ones from the encoder."""
        dim = self._embedder.dim if self._embedder is not None else int(self.live.manifest["dimension"])
        vectors = np.zeros((len(sources), dim), dtype=np.float32)
        live = [(row, ref) for row, (kind, ref) in enumerate(sources) if kind == LIVE]
        new = [(row, ref) for row, (kind, ref) in enumerate(sources) if kind == NEW]
        if live:
            vectors[[r for r, _ in live]] = self.live.vectors([ref for _, ref in live])
        if self._encoder is not None:
            encoded = self._encoder.finish()
            if new:
                vectors[[r for r, _ in new]] = encoded[[ref for _, ref in new]]
        elif self.progress:
            self.progress("embed", 0, 0)
        self.reused, self.embedded = len(live), len(new)
        return vectors


def _places(parts: Iterable[Part]) -> list[tuple[str, str]]:
    """(region, parent region) of the parts' documents, for ``domain_words``."""
    return sorted({(p.doc.meta.region, p.doc.meta.parent_region) for p in parts})
