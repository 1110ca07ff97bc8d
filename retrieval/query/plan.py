"""Lookup or comparison: what a parsed question asks of the reports.

Four kinds of comparison, detected from the question's own words (``plan``):

- ``rank``:   "Which city fined the most?" / "罚款最多的是哪个地区?" -> reports
  ranked by the measure, each with its figure and citation;
- ``table``:  "Compare fines across all reports" / "各地行政处罚次数对比" -> the
  same rows as a table (and a bar chart);
- ``versus``: "Did Weihai fine more in 2021 than Mingxi in 2024?" -> yes/no
  with both values;
- ``list``:   "List Jinhua's figures for 2020" -> every fact of the report,
  grouped by section.

Detection is strict: a question must name a measure (from ``measures.tsv``)
*and* carry a comparison cue (a superlative with which/where/排名,
compare/对比/各地, more-than between two named places or years, or list/列出 +
figures/数据 with a place or year), so "how many fines did Jinhua issue in
2020" stays an ordinary lookup (``plan`` returns None).

>>> from retrieval.query import RegionTable, parse_question
>>> table = RegionTable.from_regions([("金华市", ""), ("威海市", ""), ("明溪县", "")])
>>> plan(parse_question("Which city fined the most?", table)).kind
'rank'
>>> plan(parse_question("how many fines did Jinhua issue in 2020", table)) is None
True
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .cues import COMPARE, CompareCues
from .measures import question_measures

if TYPE_CHECKING:  # pragma: no cover
    from .parse import Query

@dataclass(frozen=True)
class Side:
    """One place and/or year of a comparison ("Weihai in 2021")."""

    region: str | None = None
    year: int | None = None

    def describe(self) -> str:
        return " ".join(str(x) for x in (self.region, self.year) if x) or "all reports"


@dataclass
class Request:
    """A comparison question, understood."""

    kind: str  # rank | table | versus | list
    measure: str | None  # normalised measure (None only for a list of every figure)
    sides: list[Side] = field(default_factory=list)  # the places/years named (may be empty)
    ascending: bool = False  # "least", "lowest", 最少: smallest first
    more: bool | None = None  # versus: asks "more than" (True) or "less than" (False)
    lang: str = "zh"


def plan(query: "Query") -> Request | None:
    """The comparison ``query`` asks for, or None for an ordinary question.

    Only the places and years the question itself names count (a follow-up's
    borrowed region does not turn "which city fined the most?" into a
    question about one city).
    """
    zh = query.lang == "zh"
    text = query.text if zh else query.raw.lower()
    cues = COMPARE[query.lang]
    sides = _sides(query)
    measures = question_measures(query.text if zh else query.raw)
    measure = measures[0] if measures else None
    if cues.listing.search(text) and sides:
        return Request("list", measure, sides, lang=query.lang)
    if measure is None:
        return None
    more, less = cues.more, cues.less
    named = len(sides) + len(query.unknown_places)  # "Hangzhou vs Jinhua": refused later, not answered
    if named >= 2 and (more.search(text) or less.search(text)):
        asks_more = not less.search(text) or bool(more.search(text) and _first(more, text) < _first(less, text))
        if cues.which_place.search(text):  # "which of the two ... more?": rank them
            return Request("rank", measure, sides, ascending=not asks_more, lang=query.lang)
        return Request("versus", measure, sides, more=asks_more, lang=query.lang)
    if _is_rank(text, cues) and len({s.region for s in sides if s.region}) != 1:
        smallest = cues.smallest.search(text)
        return Request("rank", measure, sides, ascending=bool(smallest), lang=query.lang)
    if cues.compare.search(text) and not _one_report(sides):
        return Request("table", measure, sides, lang=query.lang)
    return None


def _one_report(sides: list[Side]) -> bool:
    """The question names one place and one year: "我们在对比各地数据, 威海2021年许可多少件"
    asks that report; the comparison is the asker's, not the question."""
    return len(sides) == 1 and bool(sides[0].region and sides[0].year)


def _first(pattern: re.Pattern, text: str) -> int:
    m = pattern.search(text)
    return m.start() if m else len(text)


def _is_rank(text: str, cues: CompareCues) -> bool:
    """A superlative asked about places (which/where/哪), or an explicit ranking."""
    return bool(cues.rank.search(text) or (cues.superlative.search(text) and cues.which_place.search(text)))


def _sides(query: "Query") -> list[Side]:
    """The places and years the question names, paired in order.

    Two places and two years: Weihai 2021 vs Mingxi 2024; one place and two
    years: that place in each year; one year: every place in that year.
    """
    regions = [] if "region" in query.from_context else list(query.regions)
    years = [] if "year" in query.from_context else list(query.years)
    if len(regions) >= 2:
        if len(years) == len(regions):
            return [Side(r, y) for r, y in zip(regions, years)]
        year = years[0] if len(years) == 1 else None
        return [Side(r, year) for r in regions]
    region = regions[0] if regions else None
    if years:
        return [Side(region, y) for y in years]
    return [Side(region, None)] if region else []
