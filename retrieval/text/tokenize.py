"""govqa's own jieba tokenizer: one instance, one dictionary, one way to add words.

jieba's global dictionary is left alone: govqa splits text with its own
``jieba.Tokenizer`` (``tokenizer()``), taught the domain words
(``domain_words``: indexed place names and their short forms, glossary terms)
through ``add_words`` only, so documents (at index time) and questions (at
ask time) split alike.

>>> tokenize("金华市2020年行政处罚703次")[:4]
['金华', '金华市', '2020', '行政']
"""
from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from .lexicon import HAN_RANGE, KEYWORD_STOPWORDS, glossary_terms, is_han, short_name
from .normalise import normalize

DOMAIN_WORD_FREQ = 50_000  # far above jieba's own words: a domain word stays whole (静海区, not 静/海区)
MAX_DOMAIN_TERM_CHARS = 7  # longer glossary terms are phrases, left for jieba to split
_TOKEN_OK = re.compile(rf"[{HAN_RANGE}]|[A-Za-z]{{2,}}|\d")  # a token worth indexing: Han, a word, a digit

_added: set[str] = set()
_adding = threading.Lock()


@lru_cache(maxsize=1)
def tokenizer() -> Any:
    """govqa's ``jieba.Tokenizer`` (jieba's default dictionary, loaded once)."""
    import warnings

    with warnings.catch_warnings():  # jieba imports pkg_resources, present (and warning) with setuptools < 81
        warnings.filterwarnings("ignore", "pkg_resources is deprecated", UserWarning)
        import jieba

    jieba.setLogLevel(logging.WARNING)
    instance = jieba.Tokenizer()
    instance.initialize()
    return instance


def add_words(words: Iterable[str]) -> None:
    """Teach the tokenizer words it would otherwise split (静海区 -> 静/海区); each once."""
    jb = tokenizer()
    with _adding:
        for word in words:
            word = word.strip()
            if len(word) >= 2 and word not in _added:
                jb.add_word(word, freq=DOMAIN_WORD_FREQ)
                _added.add(word)


def domain_words(regions: Iterable[tuple[str, str]] = ()) -> list[str]:
    """Words the tokenizer must keep whole: the (region, parent region) names
    and their short forms, and the glossary's Chinese terms.

    >>> words = domain_words([("静海区", "天津市")])
    >>> "静海区" in words and "静海" in words and "天津" in words and "生产经营单位" in words
    True
    """
    words: dict[str, None] = {}
    for pair in regions:
        name, parent = (normalize(p or "").strip() for p in pair)
        for place in (name, parent if name else ""):
            for w in (place, short_name(place)):
                if len(w) >= 2:
                    words.setdefault(w, None)
    for term in glossary_terms():
        if 2 <= len(term) <= MAX_DOMAIN_TERM_CHARS and is_han(term):
            words.setdefault(term, None)
    return list(words)


def tokenize(text: str) -> list[str]:
    """Search-mode tokens (long words plus their parts), lower-cased, without
    punctuation and keyword stopwords: what BM25 indexes and searches."""
    tokens = []
    for tok in tokenizer().lcut_for_search(text):
        tok = tok.strip().lower()
        if tok and tok not in KEYWORD_STOPWORDS and _TOKEN_OK.search(tok):
            tokens.append(tok)
    return tokens


def word_spans(text: str) -> list[tuple[str, int, int]]:
    """(word, start, end) of each word of ``text`` (default mode: no overlaps)."""
    return list(tokenizer().tokenize(text))


def word_frequency(word: str) -> int:
    """How common a word is in the tokenizer's dictionary (0 when unknown)."""
    return tokenizer().FREQ.get(word, 0)
