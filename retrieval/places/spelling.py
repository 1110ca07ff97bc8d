"""How Chinese place names are spelt in pinyin and English, and the keys
questions are matched on: 金华 -> Jinhua, 西安 -> Xi'an, 吕梁 -> lüliang/lvliang/luliang.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from ..text.lexicon import admin_suffix, short_name

_UMLAUT_VARIANTS = (("ü", "v"), ("ü", "u"))


def pinyin_keys(chinese: str) -> set[str]:
    """Glued, lowercase pinyin spellings of a Chinese name (ü written ü, v or u).

    >>> sorted(pinyin_keys("东安"))
    ['dongan']
    >>> sorted(pinyin_keys("吕梁"))
    ['luliang', 'lvliang', 'lüliang']
    """
    from pypinyin import Style, lazy_pinyin

    glued = "".join(lazy_pinyin(chinese, style=Style.NORMAL, v_to_u=True, errors="ignore"))
    return umlaut_variants(glued.lower())


def umlaut_variants(key: str) -> set[str]:
    keys = {key}
    for a, b in _UMLAUT_VARIANTS:
        keys.add(key.replace(a, b))
    return {k for k in keys if k}


def place_english(region: str, type_word: bool = True) -> str:
    """A place as English writes it: pinyin of the name without its suffix, an
    apostrophe where a syllable starting with a vowel would blur the split,
    and (``type_word``) the English word for the suffix.

    >>> place_english("金华市"), place_english("静海区"), place_english("静海区", type_word=False)
    ('Jinhua', 'Jinghai district', 'Jinghai')
    >>> place_english("西安市"), place_english("东安县")
    ("Xi'an", "Dong'an county")
    """
    from pypinyin import lazy_pinyin

    if not region:
        return ""
    syllables = lazy_pinyin(short_name(region), v_to_u=True)
    word = "".join(syllables)
    for i in range(1, len(syllables)):
        if syllables[i][:1] in "aeo":
            word = "".join(syllables[:i]) + "'" + "".join(syllables[i:])
            break
    name = word[:1].upper() + word[1:]
    suffix = admin_suffix(region)
    return f"{name} {suffix.display}".strip() if type_word and suffix else name


def glue(words: Iterable[str]) -> str:
    """Lowercase key of an English spelling: spaces, apostrophes and hyphens dropped.

    >>> glue(["Dong'an"]), glue(["jin", "hua"]), glue(["Xi-an"])
    ('dongan', 'jinhua', 'xian')
    """
    return re.sub(r"['’\-\s]", "", "".join(words)).lower()


def edit_distance(a: str, b: str, limit: int = 2) -> int:
    """Optimal-string-alignment distance (insert, delete, substitute, swap two
    neighbours), or ``limit + 1`` as soon as it must exceed ``limit``.

    >>> edit_distance("jinhau", "jinhua"), edit_distance("weihia", "weihai"), edit_distance("jinhgai", "jinghai")
    (1, 1, 1)
    >>> edit_distance("hangzhou", "jinhua")
    3
    """
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return min(prev[-1], limit + 1)


def one_edit(word: str, letters: str) -> set[str]:
    """Every spelling one edit from ``word``: a letter left out, two neighbours
    swapped, a letter replaced or added (from ``letters``).

    >>> sorted(one_edit("ab", "ab"))
    ['a', 'aa', 'aab', 'aba', 'abb', 'b', 'ba', 'bab', 'bb']
    """
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    return ({a + b[1:] for a, b in splits if b}
            | {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
            | {a + c + b[1:] for a, b in splits if b for c in letters}
            | {a + c + b for a, b in splits for c in letters}) - {word}


class FuzzyKeys:
    """Spelling keys found despite a typo: ``near("jinhau")`` -> keys one edit away.

    The spellings one edit from the word (~400 for six letters) are looked up in
    the set of keys, so there is nothing to build but the set: an index of the
    keys' one-letter deletions cost every process ~0.5 s for CC-CEDICT's words.

    >>> FuzzyKeys(["jinhua", "weihai", "jinghai"]).near("jinhau")
    ['jinhua']
    """

    def __init__(self, keys):
        self._keys = frozenset(keys)
        self._letters = "".join(sorted({c for key in self._keys for c in key}))

    def near(self, word: str, limit: int = 1) -> list[str]:
        """Keys within ``limit`` (1) edits of ``word``, nearest first."""
        if limit == 1:
            found = ({word} | one_edit(word, self._letters)) & self._keys
        else:  # no caller asks for more than one edit: compare with every key
            found = {k for k in self._keys if edit_distance(word, k, limit) <= limit}
        scored = sorted((edit_distance(word, k, limit), k) for k in found)
        return [k for dist, k in scored if dist <= limit]
