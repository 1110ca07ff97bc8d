"""Hybrid ranking: dense + keyword (BM25), fused by reciprocal rank.

Metadata in the question narrows the field first: a named place keeps that
place's reports (and the reports under it or naming it) plus the reports whose
place could not be read, ranking the place's own first; a named year (with a
place) keeps only that year's. The index back end (FAISS folder or Milvus)
runs both searches within that mask; the fusion is ours on every back end, so
the order is the same on each.
"""
from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np

from ..index.backend import Reader
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


def search(reader: Reader, query: Query, vector: np.ndarray, k: int) -> list[Hit]:
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


def doc_mask_for(reader: Reader, region: str | None, years: list[int]) -> np.ndarray | None:
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


def _place_docs(reader: Reader, place: str) -> np.ndarray:
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


_FIELDS: "weakref.WeakKeyDictionary[Reader, _DocumentFields]" = weakref.WeakKeyDictionary()


def _document_fields(reader: Reader) -> _DocumentFields:
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


def rank(reader: Reader, req: SearchRequest) -> list[Hit]:
    """Top ``req.k`` chunks, best first."""
    if reader.size == 0:
        return []
    dense = reader.search_dense(req.query_vector, CANDIDATES, req.doc_mask)
    keyword = reader.search_keywords(req.keyword_tokens, CANDIDATES, req.doc_mask)

    fused: dict[int, float] = {}
    for ids in (dense.ids, keyword.ids):
        for r, cid in enumerate(ids):
            fused[int(cid)] = fused.get(int(cid), 0.0) + 1.0 / (RRF_K + r + 1)
    if req.preferred is not None and req.doc_mask is not None and (req.doc_mask & ~req.preferred).any():
        doc_of = dict(zip(dense.ids.tolist() + keyword.ids.tolist(), dense.docs.tolist() + keyword.docs.tolist()))
        for cid in fused:
            fused[cid] += PLACE_BONUS * bool(req.preferred[doc_of[cid]])
    best = sorted(fused, key=fused.__getitem__, reverse=True)[: req.k]
    dense_of = dict(zip(dense.ids.tolist(), dense.scores.tolist()))
    keyword_of = dict(zip(keyword.ids.tolist(), keyword.scores.tolist()))
    return _hits(reader, best, fused, dense_of, keyword_of)


def _hits(reader: Reader, ids: list[int], fused: dict[int, float],
          dense_of: dict[int, float], keyword_of: dict[int, float]) -> list[Hit]:
    hits = []
    for chunk in reader.chunks(ids):
        doc = reader.documents[chunk.doc_id]
        cid = chunk.chunk_id
        hits.append(Hit(chunk=chunk, meta=doc.meta, source=doc.source, score=fused[cid],
                        dense=dense_of.get(cid, 0.0), keyword=keyword_of.get(cid, 0.0)))
    return hits
