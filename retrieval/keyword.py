"""Keyword side of the search: jieba tokens scored with BM25 (bm25s).

>>> tokenize("金华市2020年行政处罚703次")[:4]
['金华', '金华市', '2020', '行政']
"""
from __future__ import annotations

import logging
import re
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

log = logging.getLogger(__name__)

# Tokens that carry no meaning for ranking: function words and question words.
STOPWORDS = frozenset(
    """的 了 和 与 及 或 在 是 为 对 把 被 将 等 中 上 下 有 也 都 就 并 而 其 之 以 于 由 从 向 至 到
    这 那 哪 哪些 哪个 哪家 什么 多少 几 个 吗 呢 吧 啊 么 怎么 怎样 如何 是否 请问 请 一下
    年 月 日 年度 共 了 年内 全年 我 我局 本局 你 他 它 们""".split()
)
_TOKEN_OK = re.compile(r"[\u4e00-\u9fff]|[A-Za-z]{2,}|\d")


@lru_cache(maxsize=1)
def _bm25s():
    """bm25s, imported once; it sets its own logger to DEBUG on import."""
    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)
    return bm25s


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


_added: set[str] = set()


def add_words(words: Iterable[str]) -> None:
    """Teach jieba words it would otherwise split (静海区 -> 静/海区)."""
    jb = _jieba()
    for word in words:
        word = word.strip()
        if len(word) >= 2 and word not in _added:
            jb.add_word(word, freq=50_000)
            _added.add(word)


def tokenize(text: str) -> list[str]:
    """Search-mode jieba tokens (long words plus their parts), lower-cased,
    without punctuation and stopwords."""
    tokens = []
    for tok in _jieba().lcut_for_search(text):
        tok = tok.strip().lower()
        if tok and tok not in STOPWORDS and _TOKEN_OK.search(tok):
            tokens.append(tok)
    return tokens


class KeywordIndex:
    """BM25 over pre-tokenised chunks; row i of the index is chunk position i."""

    def __init__(self, retriever, size: int):
        self._retriever = retriever
        self.size = size
        self._vocab = retriever.vocab_dict

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
        """True if ``term`` occurs in the indexed text (as a token)."""
        return term.lower() in self._vocab

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
