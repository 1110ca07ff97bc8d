"""Which measure (``retrieval/data/measures.tsv``) a question or a user names:
罚款, "fines", 罚款金额 -> 罚款金额; and facts selected the way people ask."""
from __future__ import annotations

import re
from typing import Any, Callable

from ..index.fact_store import FactStore
from ..index.facts import Fact
from ..text.units import measures

def select(store: FactStore, measure: str | None = None, region: str | None = None,
           year: int | None = None, canonical: "Callable[[str], str | None] | None" = None) -> list[Fact]:
    """Facts filtered the way people ask: measure by any name ("fines", 罚款,
    罚款金额), region by any spelling ``canonical`` knows ("Jinhua" -> 金华市).
    An unknown measure matches nothing.
    """
    name = resolve_measure(measure) if measure else None
    if measure and name is None:
        return []
    place = ((canonical(region) if canonical else None) or region) if region else None
    return store.facts(measure=name, region=place, year=year)


def question_measures(text: str) -> list[str]:
    """Measures a question names, best first.

    Chinese: the measure's own name wins (行政处罚次数), then the longest of its
    label keywords or question words found (罚款 -> 罚款金额). English: the
    longest match of the measure's ``ask_en`` pattern (fines -> 罚款金额,
    "hazards rectified" beats "hazards").

    >>> question_measures("各地行政处罚次数对比")[0]
    '行政处罚次数'
    >>> question_measures("罚款最多的是哪个地区?")[0]
    '罚款金额'
    >>> question_measures("Which city fined the most?")[0]
    '罚款金额'
    >>> question_measures("Which city had the most hazards rectified?")[0]
    '整改隐患数'
    >>> question_measures("what is the capital of France")
    []
    """
    low = text.lower()
    scored: list[tuple[int, int, str]] = []
    for order, m in enumerate(measures()):
        score = _zh_score(m, text)
        if m.ask_en:
            hits = [len(x.group()) for x in re.finditer(rf"\b(?:{m.ask_en})\b", low)]
            score = max([score, *hits])
        if score:
            scored.append((-score, order, m.name))
    return [name for _, _, name in sorted(scored)]


def _zh_score(m: Any, text: str) -> int:
    """How well a Chinese question names measure ``m`` (0: not at all)."""
    if m.name in text:
        return 100 + len(m.name)
    if any(w in text for w in m.excludes):
        return 0
    words = [len("".join(g)) for g in m.keywords if all(w in text for w in g)]
    words += [len(w) for w in m.ask_zh if w in text]
    return max(words, default=0)


def resolve_measure(name: str) -> str | None:
    """The measure a user means: its name, its English name, or words naming it.

    >>> resolve_measure("fines"), resolve_measure("罚款"), resolve_measure("检查单位数")
    ('罚款金额', '罚款金额', '检查单位数')
    >>> resolve_measure("no such thing") is None
    True
    """
    name = name.strip()
    for m in measures():
        if name == m.name or name.lower() == m.english.lower():
            return m.name
    found = question_measures(name)
    return found[0] if found else None
