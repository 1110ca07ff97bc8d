"""The English line of an answer, for English questions.

>>> region_english("金华市")
'Jinhua'
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from .figures import describe_figure_en
from .records import Figure, Metadata

GLOSSARY = Path(__file__).parent / "data" / "glossary.tsv"
_SUFFIXES = {"省": "province", "市": "", "区": "district", "县": "county", "州": "prefecture", "旗": "banner"}


def region_english(region: str) -> str:
    """Pinyin spelling of a place without its suffix: 金华市 -> Jinhua,
    静海区 -> Jinghai district."""
    from pypinyin import lazy_pinyin

    if not region:
        return ""
    base, suffix = region, ""
    if len(region) > 2 and region[-1] in _SUFFIXES:
        base, suffix = region[:-1], _SUFFIXES[region[-1]]
    syllables = lazy_pinyin(base, v_to_u=True)
    word = "".join(syllables)
    # An apostrophe where a syllable starting with a vowel would blur the split: Xi'an.
    for i in range(1, len(syllables)):
        if syllables[i][:1] in "aeo":
            word = "".join(syllables[:i]) + "'" + "".join(syllables[i:])
            break
    name = word[:1].upper() + word[1:]
    return f"{name} {suffix}".strip()


@lru_cache(maxsize=1)
def _chinese_to_english() -> dict[str, str]:
    """Reverse of the curated glossary: Chinese term -> first English phrase."""
    out: dict[str, str] = {}
    if not GLOSSARY.exists():
        return out
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#") or "\t" not in line:
            continue
        english, chinese = line.split("\t", 1)
        for term in chinese.split("|"):
            term = term.strip()
            if term and term not in out:
                out[term] = english.strip()
    return out


def label_english(label: str) -> str | None:
    """English for a figure label: the longest glossary term inside it."""
    table = _chinese_to_english()
    if label in table:
        return table[label]
    inside = [t for t in table if len(t) >= 2 and t in label]
    if not inside:
        return None
    return table[max(inside, key=len)]


def english_line(meta: Metadata, figures: list[Figure], answer: str) -> str:
    """'Jinhua (金华市), 2020: 703 administrative penalties; fines of 15.8466 million yuan (1584.66万元)'."""
    place = f"{region_english(meta.region)} ({meta.region})" if meta.region else meta.issuer or meta.title
    head = f"{place}, {meta.year}" if meta.year else place
    if not figures:
        return f"{head}: see the Chinese sentence above."
    parts = [describe_figure_en(f, label_english(f.label)) for f in figures]
    return f"{head}: " + "; ".join(re.sub(r"\s+", " ", p).strip() for p in parts)
