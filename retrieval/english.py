"""The English line of an answer, for English questions.

>>> region_english("金华市")
'Jinhua'
"""
from __future__ import annotations

import re
from functools import lru_cache

from .figures import describe_figure_en, unit_info
from .glossary import GLOSSARY_PATH, read_glossary_file
from .records import Figure, Metadata

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
    """Reverse of the curated glossary: Chinese term -> English phrase. A
    term's own line (where it is listed first) wins over lines that merely
    accept it: 行政处罚 -> "administrative penalty", not "fine"."""
    rows = read_glossary_file(GLOSSARY_PATH)
    out: dict[str, str] = {}
    for english, terms in rows:  # first pass: primary terms
        if terms:
            out.setdefault(terms[0], english)
    for english, terms in rows:  # second pass: the other terms
        for term in terms[1:]:
            out.setdefault(term, english)
    return out


def label_english(label: str) -> str | None:
    """English for a figure label: the glossary term that ends latest in it
    (a Chinese noun phrase ends with its head), the longest on a tie.

    >>> label_english("防汛、危险化学品生产安全事故等各类应急演练") in ("emergency drill", "drill")
    True
    """
    table = _chinese_to_english()
    if label in table:
        return table[label]
    inside = [(label.rfind(t) + len(t), len(t), t) for t in table
              if len(t) >= 2 and t in label and t not in _GENERIC_HEADS]
    if not inside:
        return None
    return table[max(inside)[2]]


# First words that make a glossary phrase a verb phrase ("suspend production"):
# such a phrase cannot stand after a number, so the Chinese label is shown.
_VERBS = frozenset("""suspend inspect rectify issue conduct carry hold organise organize investigate
check handle review revoke order impose punish recruit purchase evacuate relocate allocate train
publicise publicize release launch build set establish complete strengthen improve""".split())
_UNCOUNTABLE = frozenset("""equipment information publicity training supervision enforcement funding
investment spending expenditure money income revenue compensation insurance people personnel staff
police""".split())
# Generic heads (the amount of, the number of): the term before them names the thing.
_GENERIC_HEADS = frozenset({"金额", "数量", "总数", "总额", "总量", "数", "人数", "次数", "数额"})


def plural(phrase: str) -> str:
    """Plural of an English noun phrase's last word: enterprise -> enterprises."""
    head, _, last = phrase.rpartition(" ")
    if not last or last in _UNCOUNTABLE or last.endswith("s"):
        return phrase
    if last.endswith("y") and last[-2:-1] not in "aeiou":
        last = last[:-1] + "ies"
    elif last.endswith(("x", "ch", "sh")):
        last += "es"
    else:
        last += "s"
    return f"{head} {last}".strip()


def figure_label_english(fig: Figure) -> str | None:
    """English label for a figure, in the plural for counts above one; None
    when the glossary only offers a verb phrase."""
    label = label_english(fig.label)
    if not label or label.split()[0] in _VERBS:
        return None
    info = unit_info(fig.unit)
    if info is not None and info.kind == "percent":
        return label
    return plural(label) if fig.value != 1 else label


def english_line(meta: Metadata, figures: list[Figure], answer: str) -> str:
    """'Jinhua (金华市), 2020: 703 administrative penalties; fines of 15.8466 million yuan (1584.66万元)'."""
    place = f"{region_english(meta.region)} ({meta.region})" if meta.region else meta.issuer or meta.title
    head = f"{place}, {meta.year}" if meta.year else place
    if not figures:
        return f"{head}: see the Chinese sentence above."
    parts = [describe_figure_en(f, figure_label_english(f)) for f in figures]
    return f"{head}: " + "; ".join(re.sub(r"\s+", " ", p).strip() for p in parts)
