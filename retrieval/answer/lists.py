"""List answers: the items of the section a question asks about.

"主要措施有哪些", "list the training programmes": the section is the one whose
heading (or a heading above it) holds the question's topic, among the sections
of the passages found; its items are its sub-sections' headings when it has
some, else the numbered items of its text (一是/二是, (一)(二), 1. 2., ①②,
第一/第二; ``text.enumeration``), wherever its chunks cut it. Each item is short
(its first sentence or clause, as written), with its first figures and the
passage it stands in.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..records import Answer, AnswerItem, Hit
from ..text.enumeration import short_item, split_items
from ..text.lexicon import PLAN_HEADING, is_han
from .extract import Concept
from .items import Library, found_in, item_figures, items_answer
from .sections import PATH_SEPARATOR, Outline, Section

if TYPE_CHECKING:  # pragma: no cover
    from ..query.parse import Query

MIN_ITEMS = 2  # fewer is no list: the ordinary answer is given instead
MAX_ITEMS = 12  # a longer list is cut (its passages stay available)
SECTIONS_TRIED = 6  # candidate sections read, best first, before giving up on a list

# How a candidate section is scored, besides the share of the question's concept weight (idf) its
# heading path holds:
IN_PASSAGE = 0.5  # a concept its headings lack, in a passage right in the section: half as telling
YEAR_BONUS = 0.3  # its headings name the year asked about (三、2020年…的主要安排)
PLAN_BONUS = 0.3  # a question about plans, a section of plans (下步工作打算)
RANK_PRIOR = 0.05  # / (1 + rank) of the best passage in it: the ranker's order breaks ties, no more


@dataclass
class Candidate:
    """A section some passage found lies in, scored against the question."""

    doc_id: str
    path: str
    score: float


def list_answer(query: "Query", hits: Sequence[Hit], library: Library, concepts: Sequence[Concept],
                kind: str = "list") -> Answer | None:
    """The items of the best section that has at least MIN_ITEMS, or None."""
    outlines: dict[str, Outline] = {}
    for candidate in candidate_sections(query, hits, concepts)[:SECTIONS_TRIED]:
        if candidate.doc_id not in outlines:
            outlines[candidate.doc_id] = Outline.of(library.reader, candidate.doc_id)
        outline = outlines[candidate.doc_id]
        section = outline.sections.get(candidate.path)
        if section is None:  # the preamble
            continue
        items = section_items(outline, section)
        if len(items) >= MIN_ITEMS:
            lead = outline.hit(section.chunks[0])
            english = f"{len(items)} items under {section.label} ({outline.meta.label()})."
            return items_answer(query, kind, items, lead, hits, english)
    return None


def candidate_sections(query: "Query", hits: Sequence[Hit], concepts: Sequence[Concept]) -> list[Candidate]:
    """Every section (and every section above it) of the passages, best first.

    A section is scored by the question's concepts its heading path holds
    (二、…不足和原因 > (二)应急管理工作方面 is about shortcomings *and* emergency
    management), so a sub-section wins over its parent only by a concept of its
    own heading; a concept typed in Chinese counts at IN_PASSAGE when a passage
    right in the section holds it (威海 防汛措施: the section whose item is 防汛).
    Among equals the wider section wins (a vague question gets the broad list)."""
    total = sum(c.weight for c in concepts) or 1.0
    own_text: dict[tuple[str, str], str] = {}
    for hit in hits:
        key = (hit.chunk.doc_id, hit.chunk.section)
        own_text[key] = own_text.get(key, "") + hit.chunk.text
    best: dict[tuple[str, str], Candidate] = {}
    for rank, hit in enumerate(hits):
        parts = hit.chunk.section.split(PATH_SEPARATOR) if hit.chunk.section else []
        for depth in range(1, len(parts) + 1):
            path = PATH_SEPARATOR.join(parts[:depth])
            text = own_text.get((hit.chunk.doc_id, path), "")
            score = sum(c.weight * max(found_in(c, path), IN_PASSAGE * _typed(c) * found_in(c, text))
                        for c in concepts) / total
            score += YEAR_BONUS * any(str(y) in path for y in query.years)
            score += PLAN_BONUS * bool(query.wants_plan and PLAN_HEADING.search(parts[0]))
            score += RANK_PRIOR / (1 + rank)
            key = (hit.chunk.doc_id, path)
            if key not in best or score > best[key].score:
                best[key] = Candidate(hit.chunk.doc_id, path, score)
    return sorted(best.values(), key=lambda c: (-c.score, c.path.count(PATH_SEPARATOR)))


def _typed(concept: Concept) -> bool:
    """A word the question typed in Chinese: exact enough to look for in a whole
    passage (an English word's renderings, line -> 队伍, match long text by chance)."""
    return is_han(concept.name)


def section_items(outline: Outline, section: Section) -> list[AnswerItem]:
    """A section's items: its sub-sections, else the numbered items of its text."""
    children = outline.children(section)
    if len(children) >= MIN_ITEMS:
        return [_child_item(outline, child) for child in children[:MAX_ITEMS]]
    text = outline.text_of(section)
    return [AnswerItem(short_item(item.text), item_figures(item.text), outline.hit_at(section.start + item.start))
            for item in split_items(text)[:MAX_ITEMS]]


def _child_item(outline: Outline, child: Section) -> AnswerItem:
    """A sub-section as an item: its heading (without its number), its first figures."""
    body = outline.text_of(child)
    if body.startswith(child.label):  # "(一)加强领导。全面落实…": the heading sentence opens the body
        body = body[len(child.label):]
    return AnswerItem(short_item(child.label), item_figures(body), outline.hit(child.chunks[0]))
