"""Keyword side of the index: BM25 over the tokens of ``text.tokenize``.

bm25s builds and saves the index (its score matrix: one column of
precomputed BM25 scores per token). Reading needs no bm25s: the saved
arrays are memory-mapped (pages are read when a question touches them, so
opening a large index costs nothing) and a question's scores are the sum of
its tokens' columns, as bm25s computes them. Importing bm25s (and scipy)
would cost a process that only answers ~0.2 s.
"""
from __future__ import annotations

import json
import logging
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from ..records import Chunk, Metadata
from ..text.tokenize import domain_words, tokenize

log = logging.getLogger(__name__)

COMPOUND_PART_MIN = 2  # the shortest head or tail of a token that counts as a word the index knows
# bm25s's file names inside a saved index folder
PARAMS, VOCAB = "params.index.json", "vocab.index.json"
DATA, INDICES, INDPTR = "data.csc.index.npy", "indices.csc.index.npy", "indptr.csc.index.npy"


@lru_cache(maxsize=1)
def _bm25s():
    """bm25s, imported once; it sets its own logger to DEBUG on import."""
    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)
    return bm25s


def chunk_tokens(chunk: Chunk) -> list[str]:
    """What BM25 indexes for a chunk: its section heading and its text."""
    return tokenize(chunk.section + " " + chunk.text)


def place_words(metas: Iterable[Metadata]) -> list[str]:
    """The words of these reports' places that the tokenizer keeps whole (``domain_words``)."""
    return domain_words(sorted({(m.region, m.parent_region) for m in metas}))


def token_parts(tokens: Iterable[str]) -> set[str]:
    """Heads and tails of the tokens, at least ``COMPOUND_PART_MIN`` long (every back end's rule).

    >>> sorted(token_parts(["失信企业", "罚款"]))
    ['企业', '信企业', '失信', '失信企']
    """
    return {p for tok in tokens if len(tok) > COMPOUND_PART_MIN
            for n in range(COMPOUND_PART_MIN, len(tok)) for p in (tok[:n], tok[-n:])}


class KeywordIndex:
    """BM25 over pre-tokenised chunks; row i of the index is chunk position i.

    ``data``/``indices``/``indptr``: bm25s's score matrix in CSC form (column
    = token id); ``vocab``: token -> column."""

    def __init__(self, data: np.ndarray, indices: np.ndarray, indptr: np.ndarray, vocab: dict[str, int],
                 size: int, retriever: object = None):
        self._data, self._indices, self._indptr = data, indices, indptr
        self._vocab = vocab
        self.size = size
        self._retriever = retriever  # the bm25s object of a freshly built index (to save it)
        self._parts: set[str] | None = None  # heads and tails of the tokens, made on first use

    @classmethod
    def build(cls, token_lists: Sequence[list[str]]) -> "KeywordIndex":
        retriever = _bm25s().BM25()
        # An empty document would break bm25s: give it a placeholder token.
        corpus = [toks if toks else ["\u2400"] for toks in token_lists]
        retriever.index(corpus, show_progress=False)
        scores = retriever.scores
        return cls(scores["data"], scores["indices"], scores["indptr"], retriever.vocab_dict, len(corpus),
                   retriever)

    def save(self, folder: Path) -> None:
        self._retriever.save(str(folder), show_progress=False)

    @classmethod
    def load(cls, folder: Path, size: int, mmap: bool = False) -> "KeywordIndex":
        """A saved index; ``mmap``: map the score arrays instead of reading them."""
        params = json.loads((folder / PARAMS).read_text(encoding="utf-8"))
        if params.get("method", "lucene") in ("bm25l", "bm25+"):  # scores need bm25s's non-occurrence array
            retriever = _bm25s().BM25.load(str(folder), mmap=mmap, show_progress=False, verbosity=0)
            return cls(retriever.scores["data"], retriever.scores["indices"], retriever.scores["indptr"],
                       retriever.vocab_dict, size, retriever)
        mode = "r" if mmap else None
        arrays = [np.load(folder / name, mmap_mode=mode) for name in (DATA, INDICES, INDPTR)]
        vocab = json.loads((folder / VOCAB).read_text(encoding="utf-8"))
        return cls(*arrays, vocab, size)

    def knows(self, term: str) -> bool:
        """True if ``term`` occurs in the indexed text: as a token, or as the head
        or tail of one (失信 in 失信企业, which the tokenizer keeps whole)."""
        term = term.lower()
        if term in self._vocab:
            return True
        if self._parts is None:
            self._parts = token_parts(self._vocab)
        return term in self._parts

    def document_frequencies(self) -> dict[str, int]:
        """Number of chunks each token occurs in (columns of the score matrix)."""
        counts = np.diff(np.asarray(self._indptr))
        return {tok: int(counts[i]) for tok, i in self._vocab.items() if i < len(counts)}

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        """BM25 score of every chunk for the query tokens (unknown tokens ignored)."""
        columns = len(self._indptr) - 1  # bm25s's vocabulary also names one empty-string token without a column
        known = [self._vocab[t] for t in dict.fromkeys(query_tokens) if self._vocab.get(t, columns) < columns]
        scores = np.zeros(self.size, dtype=np.float32)
        for token in known:
            start, end = int(self._indptr[token]), int(self._indptr[token + 1])
            rows = np.asarray(self._indices[start:end])
            keep = rows < self.size
            scores[rows[keep]] += self._data[start:end][keep]  # a chunk occurs once per column
        return scores
