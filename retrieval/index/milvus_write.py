"""The rows a Milvus writer inserts for a batch of documents, all at one epoch."""
from __future__ import annotations

import time
from dataclasses import asdict
from typing import Any, Callable, Sequence

from ..records import Chunk, Metadata, metadata_to_dict
from .backend import Batch, years_mentioned
from .facts import Report, extract_facts
from .milvus_client import DUMMY, EMPTY, INSERT_ROWS, MAX_PLACES, Milvus, text_pages
from .store import text_hash

FORMAT_VERSION = 1
EMPTY_TOKENS = "\u2400"  # a chunk without tokens (bm25s gets the same placeholder)
_CHUNK_COLUMNS = {"doc_id", "ordinal", "section", "text", "sentences", "chunk_id"}


def df_of(token_lists: Sequence[Sequence[str]]) -> dict[str, int]:
    """Number of token lists each token occurs in.

    >>> sorted(df_of([["罚款", "罚款", "万元"], ["罚款"], []]).items())
    [('␀', 1), ('万元', 1), ('罚款', 2)]
    """
    df: dict[str, int] = {}
    for tokens in token_lists:
        for token in set(tokens or [EMPTY_TOKENS]):
            df[token] = df.get(token, 0) + 1
    return df


def _regions(region: str, parent: str) -> list[str]:
    return [r for r in dict.fromkeys([region or "", parent or ""]) if r]


def place_keys(meta: Metadata) -> list[str]:
    """What a chunk's ``regions`` field holds, for place filters: every place
    a question may name to mean its report (``Metadata.places``), and "" for a
    report whose place could not be read.

    >>> place_keys(Metadata(region="静海区", parent_region="天津市", parents=["天津市"]))
    ['天津市', '静海区']
    >>> place_keys(Metadata())
    ['']
    """
    keys = sorted(meta.places()) + ([""] if not meta.region else [])
    return keys[:MAX_PLACES]


def _extra(chunk: Chunk) -> dict[str, Any]:
    """Chunk fields without a column of their own (new ones flow through)."""
    return {k: v for k, v in asdict(chunk).items() if k not in _CHUNK_COLUMNS}


def _chunk_row(chunk_id: int, chunk: Chunk, tokens: Sequence[str], vector: Any, meta: Metadata,
               epoch: int) -> dict[str, Any]:
    return {"chunk_id": chunk_id, "doc_id": chunk.doc_id, "regions": place_keys(meta),
            "year": int(meta.year or 0), "epoch": epoch, "ordinal": chunk.ordinal, "section": chunk.section,
            "text": chunk.text, "sentences": list(chunk.sentences), "extra": _extra(chunk),
            "text_hash": text_hash(chunk.text), "tokens": " ".join(tokens) or EMPTY_TOKENS, "vector": vector.tolist()}


def write_rows(db: Milvus, gen: str, epoch: int, state: dict[str, Any], batch: Batch,
               df_change: dict[str, int], beat: Callable[[], None]) -> None:
    """Insert ``batch`` into generation ``gen`` at ``epoch``: chunks (ids from
    ``state["next_chunk_id"]``), documents, texts, facts, and the vocabulary
    change ``df_change``. Updates the counters and counts of ``state``."""
    base = int(state["next_chunk_id"])
    vectors = batch.finish()
    counts: dict[str, int] = {}
    first: dict[str, int] = {}
    for i, chunk in enumerate(batch.chunks):
        counts[chunk.doc_id] = counts.get(chunk.doc_id, 0) + 1
        first.setdefault(chunk.doc_id, base + i)
    meta = {d.doc_id: d.meta for d in batch.docs}
    for start in range(0, len(batch.chunks), INSERT_ROWS):  # rows made batch by batch: vectors as lists are big
        db.insert(db.name(gen, "chunks"), [_chunk_row(base + i, batch.chunks[i], batch.tokens[i], vectors[i],
                                                      meta[batch.chunks[i].doc_id], epoch)
                                           for i in range(start, min(start + INSERT_ROWS, len(batch.chunks)))], beat)
    now = time.strftime("%Y-%m-%dT%H:%M:%S")
    db.insert(db.name(gen, "docs"), [
        {"key": f"{d.doc_id}:{epoch}", "doc_id": d.doc_id, "source": d.source, "url": d.url or "",
         "added_at": d.added_at or now, "meta": metadata_to_dict(d.meta), "years": list(years_mentioned(d)),
         "year": int(d.meta.year or 0), "chunks": counts.get(d.doc_id, 0), "first_chunk": first.get(d.doc_id, -1),
         "epoch": epoch, DUMMY: EMPTY} for d in batch.docs], beat)
    db.insert(db.name(gen, "texts"), [
        {"page_id": f"{d.doc_id}:{epoch}:{p}", "doc_id": d.doc_id, "page": p, "epoch": epoch, "text": text,
         DUMMY: EMPTY} for d in batch.docs for p, text in enumerate(text_pages(d.text))], beat)
    reports = [Report(d.doc_id, d.source, d.meta) for d in batch.docs]
    facts = extract_facts(reports, ((base + i, c) for i, c in enumerate(batch.chunks)))
    fact_base = int(state["next_fact_id"])
    db.insert(db.name(gen, "facts"), [
        {"fact_id": fact_base + i, "doc_id": f.doc_id, "measure": f.measure,
         "regions": _regions(f.region, f.parent_region), "year": int(f.year or 0), "epoch": epoch,
         "fact": {**asdict(f), "fact_id": fact_base + i}, DUMMY: EMPTY} for i, f in enumerate(facts)], beat)
    db.insert(db.name(gen, "vocab"), [
        {"key": f"{term}\x1f{epoch}", "term": term, "epoch": epoch, "df": n, DUMMY: EMPTY}
        for term, n in df_change.items()], beat)
    state.update(next_chunk_id=base + len(batch.chunks), next_fact_id=fact_base + len(facts),
                 documents=state["documents"] + len(batch.docs), chunks=state["chunks"] + len(batch.chunks),
                 facts=state["facts"] + len(facts))
