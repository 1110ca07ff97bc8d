"""Keyword side of the index: BM25 (bm25s) over the tokens of ``text.tokenize``."""
from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def _bm25s():
    """bm25s, imported once; it sets its own logger to DEBUG on import."""
    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)
    return bm25s


COMPOUND_PART_MIN = 2  # the shortest head or tail of a token that counts as a word the index knows


def token_parts(tokens: Iterable[str]) -> set[str]:
    """Heads and tails of the tokens, at least ``COMPOUND_PART_MIN`` long (every back end's rule).

    >>> sorted(token_parts(["失信企业", "罚款"]))
    ['企业', '信企业', '失信', '失信企']
    """
    return {p for tok in tokens if len(tok) > COMPOUND_PART_MIN
            for n in range(COMPOUND_PART_MIN, len(tok)) for p in (tok[:n], tok[-n:])}


class KeywordIndex:
    """BM25 over pre-tokenised chunks; row i of the index is chunk position i."""

    def __init__(self, retriever, size: int):
        self._retriever = retriever
        self.size = size
        self._vocab = retriever.vocab_dict
        self._parts: set[str] | None = None  # heads and tails of the tokens, made on first use

    @classmethod
    def build(cls, token_lists: Sequence[list[str]]) -> "KeywordIndex":
        retriever = _bm25s().BM25()
        # An empty document would break bm25s: give it a placeholder token.
        corpus = [toks if toks else ["\u2400"] for toks in token_lists]
        retriever.index(corpus, show_progress=False)
        return cls(retriever, len(corpus))

    def save(self, folder: Path) -> None:
        self._retriever.save(str(folder), show_progress=False)

    @classmethod
    def load(cls, folder: Path, size: int, mmap: bool = False) -> "KeywordIndex":
        retriever = _bm25s().BM25.load(str(folder), mmap=mmap, show_progress=False, verbosity=0)
        return cls(retriever, size)

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
        """Number of chunks each token occurs in (columns of bm25s's sparse matrix)."""
        counts = np.diff(np.asarray(self._retriever.scores["indptr"]))
        return {tok: int(counts[i]) for tok, i in self._vocab.items() if i < len(counts)}

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        """BM25 score of every chunk for the query tokens (unknown tokens ignored)."""
        known = [t for t in dict.fromkeys(query_tokens) if t in self._vocab]
        if not known or self.size == 0:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._retriever.get_scores(known), dtype=np.float32)[: self.size]
