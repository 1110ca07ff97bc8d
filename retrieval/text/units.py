"""Units and measures: what a figure counts, as data.

``retrieval/data/units.tsv`` gives each unit's English names, its base unit
and the factor to it (万元 -> 元 x 10000); 万/亿/千 in front of any listed unit
multiply it (14.3万余项 -> 143,000 项). ``retrieval/data/measures.tsv``
normalises figures across reports into measures (罚款 -> 罚款金额 "fines").

>>> to_base(Figure(1584.66, "万元", "罚款"))
(15846600.0, '元')
>>> classify_measure(Figure(703, "次", "行政处罚"))
'行政处罚次数'
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from ..records import Figure
from .lexicon import DATA_DIR

# ================================================================ units table


@dataclass(frozen=True)
class UnitInfo:
    """One row of units.tsv (or a 万/亿-multiplied row built from one)."""

    unit: str
    singular: str
    plural: str
    base: str  # unit to compare in, e.g. 元 for 万元
    factor: Decimal  # value in ``unit`` x factor = value in ``base``
    kind: str  # classifier | money | percent | measure


_MULTIPLIERS = {"万": Decimal(10_000), "亿": Decimal(100_000_000), "千": Decimal(1000)}


@lru_cache(maxsize=1)
def units_table() -> dict[str, UnitInfo]:
    """units.tsv as {unit: UnitInfo}; lines starting with # are comments."""
    table: dict[str, UnitInfo] = {}
    with open(DATA_DIR / "units.tsv", encoding="utf-8") as fh:
        for row in csv.reader(fh, delimiter="\t"):
            if not row or row[0].startswith("#"):
                continue
            unit, singular, plural, base, factor, kind = (c.strip() for c in row[:6])
            table[unit] = UnitInfo(unit, singular, plural, base, Decimal(factor), kind)
    return table


def unit_info(unit: str) -> UnitInfo | None:
    """Table row for ``unit``; 万/亿/千 + a listed unit is built on the fly.

    >>> unit_info("万元").factor
    Decimal('10000')
    >>> (unit_info("万项").base, unit_info("万项").factor)
    ('项', Decimal('10000'))
    >>> unit_info("斤") is None
    True
    """
    table = units_table()
    if unit in table:
        return table[unit]
    if len(unit) > 1 and unit[0] in _MULTIPLIERS and unit[1:] in table:
        inner = table[unit[1:]]
        return UnitInfo(unit, inner.singular, inner.plural, inner.base,
                        inner.factor * _MULTIPLIERS[unit[0]], inner.kind)
    return None


def unit_kind(unit: str) -> str:
    info = unit_info(unit)
    return info.kind if info else "classifier"



def to_decimal(value: float) -> Decimal:
    """The decimal the report wrote: repr(1584.66) is '1584.66', no float noise."""
    return Decimal(repr(float(value)))



def to_base(fig: Figure) -> tuple[float, str]:
    """(value, base unit) for comparing figures across reports.

    >>> to_base(Figure(1584.66, "万元", "罚款"))
    (15846600.0, '元')
    >>> to_base(Figure(2, "万人", "民兵"))
    (20000.0, '人')
    """
    info = unit_info(fig.unit)
    if info is None:
        return float(fig.value), fig.unit
    return float(to_decimal(fig.value) * info.factor), info.base or fig.unit



# ================================================================ measures


@dataclass(frozen=True)
class Measure:
    """One row of measures.tsv: a normalised measure across reports."""

    name: str  # e.g. 罚款金额
    english: str  # e.g. fines
    keywords: tuple[tuple[str, ...], ...]  # any group whose words all occur in the label
    excludes: tuple[str, ...]  # words that veto the measure
    bases: tuple[str, ...]  # base units the figure must have
    ask_zh: tuple[str, ...] = ()  # extra Chinese words naming it in a question: 罚没
    ask_en: str = ""  # regex naming it in an English question: fin(e|es|ed)


@lru_cache(maxsize=1)
def _measures() -> tuple[Measure, ...]:
    """measures.tsv in file order (first matching row wins)."""
    rows = []
    with open(DATA_DIR / "measures.tsv", encoding="utf-8") as fh:
        for row in csv.reader(fh, delimiter="\t"):
            if not row or row[0].startswith("#"):
                continue
            name, english, keywords, excludes, bases, ask_zh, ask_en = (
                c.strip() for c in (row + ["", ""])[:7])
            groups = tuple(tuple(g.split("&")) for g in keywords.split("|") if g)
            rows.append(Measure(name, english, groups,
                                tuple(w for w in excludes.split("|") if w),
                                tuple(b for b in bases.split("|") if b),
                                tuple(w for w in ask_zh.split("|") if w), ask_en))
    return tuple(rows)


def classify_measure(fig: Figure) -> str | None:
    """Normalised measure name of a figure, or None.

    >>> classify_measure(Figure(703, "次", "行政处罚"))
    '行政处罚次数'
    >>> classify_measure(Figure(1584.66, "万元", "罚款"))
    '罚款金额'
    """
    _, base = to_base(fig)
    for measure in _measures():
        if measure.bases and base not in measure.bases:
            continue
        if any(w in fig.label for w in measure.excludes):
            continue
        if any(all(w in fig.label for w in group) for group in measure.keywords):
            return measure.name
    return None


def measures() -> tuple[Measure, ...]:
    """Every normalised measure, in measures.tsv order."""
    return _measures()


def measure_english(name: str) -> str | None:
    """English name of a normalised measure: 罚款金额 -> fines."""
    return next((m.english for m in _measures() if m.name == name), None)
