"""Synthetic indexes for ``govqa bench``: the seed reports (real text, real
vectors, so the dev questions still find their answers) filled up with copies
of the national corpus (real text, chunked and tokenised by the real
pipeline) whose vectors are *not* encoded: each corpus chunk gets a base
vector mixed from two nearby real anchor vectors (seed chunks plus a sample of
corpus chunks encoded with the real model), and each copy of it that base
plus Gaussian noise. Cached in the work folder, rebuilt only when the recipe
or the size changes.
"""
from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from ..index.fact_store import write_facts
from ..index.indexer import passage_text
from ..index.model import FINGERPRINT_KEY, stored_fingerprint
from ..index.store import IndexReader, current_generation, new_generation_dir, publish, read_manifest, write_generation
from ..ingest import load_documents
from ..ingest.chunking import chunk_document
from ..records import Chunk, Document
from ..settings import PROJECT_DIR, Settings
from ..text.normalise import find_years
from ..text.tokenize import tokenize

if TYPE_CHECKING:  # pragma: no cover
    from .bench import BenchConfig

CORPUS = PROJECT_DIR.parent / "shared" / "corpora" / "government_work_reports.jsonl"
SYNTHETIC_RECIPE = 3  # bump when the synthetic data changes, to rebuild cached indexes
NOISE = 0.015  # per-dimension sigma of a copy around its base (norm ~0.3 at 384-d)
ANCHORS = 64  # corpus chunks encoded with the real model as anchors

Log = Callable[[str], None]


def missing(root: Path) -> bool:
    """No index has been built in ``root``."""
    return current_generation(root) is None


def slug(text: str) -> str:
    """``text`` as a safe folder-name part."""
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in text)[-40:]


def synthetic_index(n: int, seeds_root: Path, config: BenchConfig, settings: Settings, log: Log) -> Path:
    """An index of ``n`` chunks (cached): the seed reports plus copies of the corpus."""
    seeds_manifest = read_manifest(seeds_root)
    model = seeds_manifest["model"]
    recipe = {"recipe": SYNTHETIC_RECIPE, "chunks": n, "anchors": config.anchors, "model": model,
              "faiss_setting": settings.faiss_index}
    root = config.work / f"synthetic-{n}-{slug(model)}-{settings.faiss_index}"
    if not missing(root) and read_manifest(root).get("bench_synthetic") == recipe:
        return root
    log(f"synthetic: building {n:,} chunks in {root} (cached for the next run)")
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    docs, chunks, tokens, vectors = synthetic_data(n, seeds_root, config, settings, log)
    gen = new_generation_dir(root)
    started = time.perf_counter()
    years = mentioned_years(docs)
    write_generation(gen, docs, chunks, tokens, vectors, model, index_kind=settings.faiss_index, years=years,
                     extra={"bench_synthetic": recipe, FINGERPRINT_KEY: stored_fingerprint(seeds_manifest)})
    write_facts(gen, docs, chunks)  # as the indexer does: without it the engine extracts facts in memory
    publish(root, gen)
    log(f"synthetic: {n:,} chunks written in {time.perf_counter() - started:.0f} s")
    return root


def mentioned_years(docs: list[Document]) -> dict[str, list[int]]:
    """doc id -> years its text mentions, as the indexer stores them (copies share their text)."""
    by_text: dict[str, list[int]] = {}
    for d in docs:
        if d.text not in by_text:
            by_text[d.text] = find_years(d.text)
    return {d.doc_id: by_text[d.text] for d in docs}


def synthetic_data(n: int, seeds_root: Path, config: BenchConfig, settings: Settings, log: Log):
    """Documents, chunks, tokens and vectors for an index of ``n`` chunks."""
    reader = IndexReader.open(seeds_root)
    try:
        docs = [Document(s.doc_id, s.source, reader.document_text(s.doc_id), s.meta, s.url)
                for s in reader.documents.values()]
        rows = list(reader.iter_chunks())
        chunks = [c for c, _, _ in rows]
        tokens = [t for _, _, t in rows]
        seed_vectors = reader.vectors(np.arange(reader.size))
    finally:
        reader.close()
    templates = corpus_templates(settings)
    anchors, template_base = anchor_bases(templates, seed_vectors, config, reader.manifest["model"], settings, log)
    used: list[int] = []  # template chunk number of every filler chunk
    copy = 0
    while len(chunks) < n:
        for doc, doc_chunks, doc_tokens, first in templates:
            take = min(len(doc_chunks), n - len(chunks))
            if take <= 0:
                break
            copy_doc = _copy_document(doc, copy)
            docs.append(copy_doc)
            chunks.extend(_copy_chunk(c, copy_doc.doc_id) for c in doc_chunks[:take])
            tokens.extend(doc_tokens[:take])
            used.extend(range(first, first + take))
        copy += 1
    vectors = np.vstack([seed_vectors, noisy_copies(template_base, np.asarray(used, dtype=np.int64))])
    log(f"synthetic: {len(docs):,} documents, {len(chunks):,} chunks, {copy} copies of the corpus")
    return docs, chunks[:n], tokens[:n], vectors[:n]


def _copy_document(doc: Any, copy: int) -> Any:
    return Document(f"{doc.doc_id[:10]}c{copy:05d}", f"{doc.source}#copy{copy}", doc.text, doc.meta, doc.url)


def _copy_chunk(chunk: Any, doc_id: str) -> Any:
    return Chunk(doc_id, chunk.ordinal, chunk.section, chunk.text, chunk.sentences)


def corpus_templates(settings: Settings) -> list[tuple[Any, list[Any], list[list[str]], int]]:
    """The corpus through the real pipeline: (document, chunks, tokens, number
    of its first chunk among all template chunks) per report."""
    docs, _ = load_documents([CORPUS], max_bytes=settings.max_file_bytes)
    out, first = [], 0
    for doc in docs:
        chunks = chunk_document(doc, max_chars=settings.chunk_chars)
        if chunks:
            out.append((doc, chunks, [tokenize(c.section + " " + c.text) for c in chunks], first))
            first += len(chunks)
    return out


def anchor_bases(templates: list, seed_vectors: np.ndarray, config: BenchConfig, model: str,
                 settings: Settings, log: Log) -> tuple[np.ndarray, np.ndarray]:
    """Real anchor vectors (seed chunks + ``config.anchors`` encoded corpus
    chunks) and one base vector per template chunk: a mix of an anchor and
    one of its 5 nearest anchors (sampled corpus chunks keep their own)."""
    flat = [c for _, chunks, _, _ in templates for c in chunks]
    rng = np.random.default_rng(42)
    sample = np.sort(rng.choice(len(flat), size=min(config.anchors, len(flat)), replace=False))
    cache = config.work / f"anchors-{slug(model)}-{len(sample)}.npy"
    if cache.exists():
        encoded = np.load(cache)
    else:
        from ..index.model import load_model

        log(f"synthetic: encoding {len(sample)} corpus chunks with {model} as anchors")
        encoded = load_model(model, settings).encode_passages([passage_text(flat[i]) for i in sample])
        np.save(cache, encoded)
    anchors = np.vstack([seed_vectors, encoded]).astype(np.float32)
    near = np.argsort(-(anchors @ anchors.T), axis=1)[:, 1:6]
    first = rng.integers(0, len(anchors), len(flat))
    second = near[first, rng.integers(0, near.shape[1], len(flat))]
    mix = rng.uniform(0.0, 0.5, (len(flat), 1)).astype(np.float32)
    bases = (1 - mix) * anchors[first] + mix * anchors[second]
    bases[sample] = encoded
    return anchors, _unit(bases)


def noisy_copies(bases: np.ndarray, which: np.ndarray, block: int = 100_000) -> np.ndarray:
    """``bases[which]`` each plus Gaussian noise, normalised (built in blocks)."""
    rng = np.random.default_rng(99)
    out = np.empty((len(which), bases.shape[1]), dtype=np.float32)
    for start in range(0, len(which), block):
        part = bases[which[start:start + block]]
        out[start:start + len(part)] = _unit(part + rng.normal(0, NOISE, part.shape).astype(np.float32))
    return out


def _unit(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)
