"""Hybrid ranking: dense (FAISS) + keyword (BM25), fused by reciprocal rank.

Metadata in the question narrows the field first: a named place keeps that
place's reports (and the reports under it or naming it) plus the reports whose
place could not be read, ranking the place's own first; a named year (with a
place) keeps only that year's.
"""
from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np

from ..index.dense import top_indices
from ..index.store import IndexReader
from ..query.glossary import corrected
from ..query.parse import Query
from ..records import Hit
from ..text.tokenize import tokenize

RRF_K = 60  # the usual reciprocal-rank constant: flattens the head of each list
PLACE_BONUS = 1.0 / (RRF_K + 1)  # a report of the place asked about: as if first in one more list
CANDIDATES = 200  # how deep each ranker looks before fusing


def query_text(query: Query) -> str:
    """What the question's vector is encoded from: the normalised Chinese
    question, or the English one (typos mended) with its Chinese terms (the
    model is multilingual)."""
    if query.lang == "zh":
        return query.text
    words = " ".join(corrected(w) if w.islower() else w for w in query.raw.split())
    return f"{words} {' '.join(query.terms)}"


def keyword_tokens(query: Query) -> list[str]:
    """What BM25 looks for: the Chinese question's tokens, its (translated) terms, its years."""
    tokens = tokenize(query.text) if query.lang == "zh" else []
    tokens += [t for term in query.terms for t in tokenize(term)]
    return tokens + [str(y) for y in query.years]


def search(reader: IndexReader, query: Query, vector: np.ndarray, k: int) -> list[Hit]:
    """The top ``k`` passages for a parsed question whose vector is ``vector``."""
    place = query.region or query.parent_region
    mask = doc_mask_for(reader, place, query.years)
    preferred = _place_docs(reader, place) if mask is not None else None
    return rank(reader, SearchRequest(vector, keyword_tokens(query), mask, k=k, preferred=preferred))


@dataclass
class SearchRequest:
    """What the ranker needs from a parsed question."""

    query_vector: np.ndarray  # (dim,), L2-normalised
    keyword_tokens: list[str]
    doc_mask: np.ndarray | None = None  # bool per document; None = all documents
    k: int = 10
    preferred: np.ndarray | None = None  # bool per document: ranked first among the allowed


def doc_mask_for(reader: IndexReader, region: str | None, years: list[int]) -> np.ndarray | None:
    """Documents about ``region`` (by it, under it, or naming it in their head)
    and documents whose place could not be read; when years are given, those
    years (and documents whose year could not be read). Returns None when
    there is nothing to filter on.
    """
    if not region:
        return None
    fields = _document_fields(reader)
    mask = _place_docs(reader, region) | fields.unplaced
    if years:
        by_year = np.isin(fields.years, years) | (fields.years == 0)  # a year not read: still searched
        if (mask & by_year).any():
            mask &= by_year
    return mask


def _place_docs(reader: IndexReader, place: str) -> np.ndarray:
    """Bool per document: ``place`` is its region, above it, or named in its head."""
    fields = _document_fields(reader)
    mask = np.zeros(len(fields.years), dtype=bool)
    mask[fields.by_place.get(place, [])] = True
    return mask


@dataclass
class _DocumentFields:
    by_place: dict[str, list[int]]  # place -> positions of the documents about it
    unplaced: np.ndarray  # bool per document: its place could not be read
    years: np.ndarray  # report year per document (0 = unknown)


_FIELDS: "weakref.WeakKeyDictionary[IndexReader, _DocumentFields]" = weakref.WeakKeyDictionary()


def _document_fields(reader: IndexReader) -> _DocumentFields:
    """Places and year of every document, made once per reader (a Python loop
    over 10k documents per question costs ~10 ms)."""
    fields = _FIELDS.get(reader)
    if fields is None:
        metas = [d.meta for d in reader.documents.values()]
        by_place: dict[str, list[int]] = {}
        for i, m in enumerate(metas):
            for place in m.places():
                by_place.setdefault(place, []).append(i)
        fields = _DocumentFields(by_place, np.array([not m.region for m in metas], dtype=bool),
                                 np.array([m.year or 0 for m in metas], dtype=np.int64))
        _FIELDS[reader] = fields
    return fields


def rank(reader: IndexReader, req: SearchRequest) -> list[Hit]:
    """Top ``req.k`` chunks, best first."""
    if reader.size == 0:
        return []
    allowed = None if req.doc_mask is None else req.doc_mask[reader.chunk_doc]
    dense_ids, dense_scores = _dense(reader, req.query_vector, allowed)
    keyword_scores = reader.keyword.scores(req.keyword_tokens)
    if allowed is None:
        keyword_ids = top_indices(keyword_scores, CANDIDATES)
    else:  # rank only the allowed rows (masking all 1M scores cost ~9 ms per question)
        rows = np.flatnonzero(allowed)
        keyword_ids = rows[top_indices(keyword_scores[rows], CANDIDATES)]
    keyword_ids = keyword_ids[keyword_scores[keyword_ids] > 0]

    fused: dict[int, float] = {}
    for ids in (dense_ids, keyword_ids):
        for r, cid in enumerate(ids):
            fused[int(cid)] = fused.get(int(cid), 0.0) + 1.0 / (RRF_K + r + 1)
    if req.preferred is not None and req.doc_mask is not None and (req.doc_mask & ~req.preferred).any():
        for cid in fused:
            fused[cid] += PLACE_BONUS * bool(req.preferred[reader.chunk_doc[cid]])
    best = sorted(fused, key=fused.__getitem__, reverse=True)[: req.k]
    dense_of = dict(zip(dense_ids.tolist(), dense_scores.tolist()))
    return _hits(reader, best, fused, dense_of, keyword_scores)


def _dense(reader: IndexReader, vector: np.ndarray, allowed: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """FAISS search with the parameters of the index kind (see index/dense.py);
    with a filter, only allowed chunks are considered."""
    return reader.dense.search(vector, CANDIDATES, allowed)


def _hits(reader: IndexReader, ids: list[int], fused: dict[int, float],
          dense_of: dict[int, float], keyword_scores: np.ndarray) -> list[Hit]:
    hits = []
    for chunk in reader.chunks(ids):
        doc = reader.documents[chunk.doc_id]
        cid = chunk.chunk_id
        hits.append(Hit(chunk=chunk, meta=doc.meta, source=doc.source, score=fused[cid],
                        dense=dense_of.get(cid, 0.0), keyword=float(keyword_scores[cid])))
    return hits
