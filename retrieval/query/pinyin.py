"""Questions typed in pinyin ("jinhua 2020 fakuan duoshao"), read as Chinese
through the index's own words: each run of pinyin words becomes the place or
the indexed word that is spelt that way (罚款 fakuan, 行政处罚 xingzheng chufa),
the most common one where several are (处罚 before 出发).

>>> is_pinyin_word("fakuan"), is_pinyin_word("xian"), is_pinyin_word("fines"), is_pinyin_word("how")
(True, True, False, False)
>>> words = PinyinWords({"罚款": 30, "行政处罚": 12, "处罚": 20, "出发": 2})
>>> words.chinese("xingzhengchufa"), words.chinese("chufa"), words.chinese("fakuan")
('行政处罚', '处罚', '罚款')
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import lru_cache

from ..places.spelling import pinyin_keys
from ..text.lexicon import PINYIN_SYLLABLES, is_han

MAX_WORDS_JOINED = 3  # "xingzheng chufa" may be one indexed word: try up to this many words as one
MAX_SYLLABLE_CHARS = 6  # the longest syllable (zhuang, shuang)
MAX_TERM_CHARS = 6  # indexed words longer than this are not looked up by their spelling
MAX_DROPPED_SHARE = 0.5  # single syllables spelling nothing (le, ge) dropped, at most half the words read
QUESTION_WORDS = {  # question words a pinyin question writes, which no report holds as often
    "多少": 1, "几": 1, "哪些": 1, "什么": 1, "怎么": 1, "是否": 1, "有没有": 1, "情况": 1, "吗": 1, "多久": 1}
_TOKEN = re.compile(r"[A-Za-z]+|\d+|[^\sA-Za-z\d]+")


@lru_cache(maxsize=4096)
def is_pinyin_word(word: str) -> bool:
    """True when ``word`` is one or more toneless pinyin syllables run together."""
    return syllable_count(word) > 0


class PinyinWords:
    """Indexed Chinese words by their toneless spelling, each spelling's most common word."""

    def __init__(self, frequency: Mapping[str, int]):
        best: dict[str, tuple[int, str]] = {}
        for word, count in [*frequency.items(), *QUESTION_WORDS.items()]:
            if 2 <= len(word) <= MAX_TERM_CHARS and is_han(word) or word in QUESTION_WORDS:
                for key in pinyin_keys(word):
                    if count > best.get(key, (0, ""))[0]:
                        best[key] = (count, word)
        self._best = {key: word for key, (_, word) in best.items()}

    def chinese(self, key: str) -> str | None:
        return self._best.get(key)


def written_in_pinyin(question: str) -> bool:
    """True when every Latin word of the question is pinyin (cheap: no index words needed)."""
    latin = [t for t in _TOKEN.findall(question) if t.isascii() and t.isalpha()]
    return bool(latin) and all(is_pinyin_word(t) for t in latin)


def to_chinese(question: str, words: PinyinWords, place: Callable[[str], str | None]) -> str | None:
    """The question in Chinese when it is written in pinyin, else None. ``place``
    maps a glued spelling to an indexed place (jinhua -> 金华市, mingxixian -> 明溪县).

    A word no indexed word spells is tried as two indexed words glued
    (zhengfuxinxi -> 政府 信息); a single syllable that spells nothing (le, ge, tiao: particles and measure
    words) is dropped, as long as most syllables were read."""
    tokens = _TOKEN.findall(question)
    if not written_in_pinyin(question):
        return None
    out: list[str] = []
    i, found_word, read, dropped = 0, False, 0, 0
    while i < len(tokens):
        if not (tokens[i].isascii() and tokens[i].isalpha()):
            out.append(tokens[i])
            i += 1
            continue
        n, chinese, is_word = _longest_run(tokens, i, words, place)
        if chinese is None:
            halves = _split_glued(tokens[i].lower(), words)
            if halves:
                out.extend(halves)
                found_word, read, i = True, read + 1, i + 1
                continue
            if syllable_count(tokens[i]) > 1:
                return None  # a word that spells nothing indexed: not pinyin after all
            dropped, i = dropped + 1, i + 1
            continue
        out.append(chinese)
        found_word, read, i = found_word or is_word, read + n, i + n
    if dropped > read * MAX_DROPPED_SHARE:
        return None
    return " ".join(out) if found_word else None


def _longest_run(tokens: list[str], i: int, words: PinyinWords,
                 place: Callable[[str], str | None]) -> tuple[int, str | None, bool]:
    """The longest run of pinyin words from ``i`` that spells a place or an
    indexed word: (words used, its Chinese or None, whether it is a word)."""
    alone = words.chinese(tokens[i].lower()) if tokens[i].isascii() else None
    longest = 1 if alone in QUESTION_WORDS else MAX_WORDS_JOINED  # "ji qi" is 几 起, not 及其
    for n in range(min(longest, len(tokens) - i), 0, -1):
        run = tokens[i:i + n]
        if not all(t.isascii() and t.isalpha() for t in run):
            continue
        key = "".join(run).lower()
        hit = place(key)
        word = words.chinese(key) if hit is None else None
        if hit or word:
            return n, hit or word, word is not None
    return 0, None, False


def _split_glued(key: str, words: PinyinWords) -> list[str] | None:
    """Two indexed words one pinyin word glues together (zhengfuxinxi -> 政府 信息), or None."""
    for cut in range(2, len(key) - 1):
        head, tail = key[:cut], key[cut:]
        if is_pinyin_word(head) and is_pinyin_word(tail):
            first, second = words.chinese(head), words.chinese(tail)
            if first and second:
                return [first, second]
    return None


def syllable_count(word: str) -> int:
    """How many pinyin syllables ``word`` is at the fewest (0 if it is not pinyin).

    >>> syllable_count("le"), syllable_count("yingjiju"), syllable_count("fines")
    (1, 3, 0)
    """
    word = word.lower().replace("ü", "v")
    fewest = [0] + [10 ** 6] * len(word)
    for end in range(1, len(word) + 1):
        for start in range(max(0, end - MAX_SYLLABLE_CHARS), end):
            if word[start:end] in PINYIN_SYLLABLES:
                fewest[end] = min(fewest[end], fewest[start] + 1)
    return fewest[-1] if fewest[-1] < 10 ** 6 else 0
