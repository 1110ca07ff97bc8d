"""Tokens for BM25 and for questions: jieba, with govqa's domain words.

>>> tokenize("金华市2020年行政处罚703次")[:4]
['金华', '金华市', '2020', '行政']
"""
from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import Iterable

# Tokens that carry no meaning for ranking: function words and question words.
STOPWORDS = frozenset(
    """的 了 和 与 及 或 在 是 为 对 把 被 将 等 中 上 下 有 也 都 就 并 而 其 之 以 于 由 从 向 至 到
    这 那 哪 哪些 哪个 哪家 什么 多少 几 个 吗 呢 吧 啊 么 怎么 怎样 如何 是否 请问 请 一下
    年 月 日 年度 共 了 年内 全年 我 我局 本局 你 他 它 们""".split()
)
_TOKEN_OK = re.compile(r"[\u4e00-\u9fff]|[A-Za-z]{2,}|\d")


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
