"""What structured answers share: the question's topic (without the words that
only ask for a list, a summary or a yes/no), an item's figures, whether a
passage is planned work, and the ``Answer`` made of cited items.

>>> from retrieval.answer.extract import Concept
>>> [c.name for c in topic_only([Concept("措施", ["措施"]), Concept("法治宣传", ["法治宣传"]),
...                              Concept("main points", ["要点"])])]
['法治宣传']
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..query.cues import STRUCTURE_WORDS
from ..records import Answer, AnswerItem, Figure, Hit, Metadata
from ..text.figures import find_figures
from ..text.lexicon import MAX_ANSWER_CHARS, PLAN_DOC_TYPES, PLAN_HEADING
from ..text.normalise import find_years
from ..text.tokenize import word_spans
from .extract import Concept, concepts_of, weight_concepts
from .sections import PATH_SEPARATOR
from .sources import citation

if TYPE_CHECKING:  # pragma: no cover
    from ..index.fact_store import FactStore
    from ..index.backend import Reader
    from ..query.parse import Query

ITEM_FIGURES = 3  # figures shown with a list item: its first ones, as written
ITEM_SEPARATOR = "；"  # between items in the one-line ``Answer.answer``


@dataclass
class Library:
    """What a structured answer reads besides the ranked passages."""

    reader: "Reader"  # a report's whole outline
    facts: "FactStore"  # figures per section, for summaries
    idf: Callable[[str], float | None]  # how rare a term is in the index
    idf_ceiling: float  # idf of a term the index never saw
    holdings: str  # the "Indexed: ..." line of a refusal
    rerank: Callable[[list[str]], list[float]] | None = None  # the dense model's similarity of sentences to the question


def topic_only(concepts: Sequence[Concept]) -> list[Concept]:
    """The concepts that name a topic: those with a word beyond the words of
    STRUCTURE_WORDS (list, summarise, 措施, 是否 ...)."""
    return [c for c in concepts if not all(w in STRUCTURE_WORDS for w in c.name.lower().split())]


def topic_concepts(query: "Query", library: Library) -> list[Concept]:
    """The question's topic concepts, weighted by rarity (``extract.weight_concepts``)."""
    return weight_concepts(topic_only(concepts_of(query)), library.idf, library.idf_ceiling)


def found_in(concept: Concept, text: str) -> float:
    """``Concept.found_in``, except that a one-character rendering (核 for
    "nuclear") counts only as a word of its own, not inside another (核心)."""
    words = None
    for alt in (a for a in concept.alternatives if len(a) == 1):
        words = words if words is not None else {w for w, _, _ in word_spans(text)}
        if alt in words:
            return 1.0
    longer = Concept(concept.name, [a for a in concept.alternatives if len(a) > 1], concept.weight)
    return longer.found_in(text)


def item_figures(text: str, limit: int = ITEM_FIGURES) -> list[Figure]:
    """The first ``limit`` figures (with a unit) of an item's text, as written."""
    return [f for f in find_figures(text) if f.unit][:limit]


def is_planned(meta: Metadata, section: str) -> bool:
    """True when a passage says what will be done: a plan (工作要点, 工作计划), or
    under a top-level heading of plans (下步工作打算, 2021年度工作思路) or of a
    year after the report's (三、2020年…的主要安排 in a 2019 report).

    >>> is_planned(Metadata(year=2020, doc_type="法治政府建设报告"), "三、2021年度工作思路")
    True
    >>> is_planned(Metadata(year=2020), "一、主要工作情况 > (五)科学制定执法计划")
    False
    """
    top = section.split(PATH_SEPARATOR)[0]
    if top == meta.title:  # the preamble, named by the title ("2025年工作总结及2026年工作思路")
        return meta.doc_type in PLAN_DOC_TYPES
    later = meta.year is not None and any(y > meta.year for y in find_years(top))
    return meta.doc_type in PLAN_DOC_TYPES or bool(PLAN_HEADING.search(top)) or later


def items_answer(query: "Query", kind: str, items: list[AnswerItem], lead: Hit, hits: Sequence[Hit],
                 english: str = "", message: str = "") -> Answer:
    """An answer made of cited items: ``lead`` (the section or report) first
    among the passages, then each item's passage, then the other passages found;
    the message is ``lead``'s citation unless given."""
    passages: list[Hit] = []
    seen: set[tuple[str, int]] = set()
    for hit in [lead, *(i.hit for i in items if i.hit is not None), *hits]:
        key = (hit.chunk.doc_id, hit.chunk.ordinal)
        if key not in seen:
            seen.add(key)
            passages.append(hit)
    return Answer(question=query.raw, answered=True, answer=one_line(items), passages=passages,
                  message=message or citation(lead), english=english if query.lang == "en" else "", kind=kind, items=items)


def one_line(items: Sequence[AnswerItem]) -> str:
    """The items on one line (headings for a summary), within MAX_ANSWER_CHARS.

    >>> one_line([AnswerItem("加强领导"), AnswerItem("", heading="(二)规范执法")])
    '加强领导；(二)规范执法'
    """
    text = ITEM_SEPARATOR.join(i.heading or i.text for i in items)
    return text if len(text) <= MAX_ANSWER_CHARS else text[: MAX_ANSWER_CHARS - 1] + "…"
