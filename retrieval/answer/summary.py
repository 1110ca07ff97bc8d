"""Summary answers: a report's own section headings, each with its key figures, cited.

"Summarise Jinhua's 2020 report", "威海2021年的报告讲了什么": the report is the
one the best passage is from (of the type asked for, when one is); its items
are its top-level headings, the biggest one opened into the headings under it
while there are fewer than SUMMARY_TARGET (a report of three parts - work
done, shortcomings, plans - is summarised by the work done, part by part).
Each item shows one or two figures of its section from the facts table, those
of the measures most reports state first, in the clause that states them.

A summary of one topic ("总结一下金华2020年的执法工作") is that topic's section,
answered as a list is; so is a report with a single heading.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..records import Answer, AnswerItem, Hit
from ..text.enumeration import short_item
from ..text.sentences import split_clauses, split_sentences
from .extract import Concept
from .items import ITEM_SEPARATOR, Library, found_in, items_answer
from .lists import MIN_ITEMS, list_answer, section_items
from .sections import PATH_SEPARATOR, Outline, Section
from .sources import Citation

if TYPE_CHECKING:  # pragma: no cover
    from ..index.facts import Fact
    from ..query.parse import Query

SUMMARY_TARGET = 6  # fewer top-level headings than this: open the biggest into its sub-headings
SUMMARY_MAX = 12  # ... unless that makes more items than this
SUMMARY_FIGURES = 2  # key figures per section
SUMMARY_CLAUSE_CHARS = 40  # the words before a section's key figures shown with them
SUMMARY_ITEMS_SHOWN = 3  # a section without figures is shown by its first items (or first sentence)
CLAUSE_SEPARATOR = "，"  # between the clauses of an item's figures
ABOUT_REPORT = 0.5  # a concept this much in the report's title names the report, not a topic


def summary_answer(query: "Query", hits: Sequence[Hit], library: Library,
                   concepts: Sequence[Concept]) -> Answer | None:
    """The summary of the report (or of the topic) asked about, or None."""
    if not hits:
        return None
    lead = report_hit(query, hits)
    topic = [c for c in concepts if c.found_in(lead.meta.title) < ABOUT_REPORT]
    if any(found_in(c, f"{h.chunk.section} {h.chunk.text}") >= 1 for c in topic for h in hits):
        return list_answer(query, hits, library, topic, kind="summary")  # a topic the passages hold
    outline = Outline.of(library.reader, lead.chunk.doc_id)
    sections = summary_sections(outline)
    if len(sections) < MIN_ITEMS:  # one heading (a page cut short): the items of what there is
        return list_answer(query, hits, library, topic, kind="summary")
    facts = library.facts.facts(doc_id=outline.doc_id)
    common = dict(library.facts.measures())
    items = [summary_item(outline, s, facts, common) for s in sections]
    english = f"The {len(items)} parts of the {outline.meta.label()} report, with key figures."
    report = Citation.of(outline.meta, outline.source).line()  # the whole report, no one section
    return items_answer(query, "summary", items, outline.hit(outline.chunks[0]), hits, english, report)


def report_hit(query: "Query", hits: Sequence[Hit]) -> Hit:
    """The best passage of a report of the type asked for (any report when none is asked)."""
    return next((h for h in hits if query.doc_type and h.meta.doc_type == query.doc_type), hits[0])


def summary_sections(outline: Outline) -> list[Section]:
    """The top-level sections, the biggest opened into its sub-sections while
    there are fewer than SUMMARY_TARGET and the result stays within SUMMARY_MAX."""
    sections = outline.top()
    while len(sections) < SUMMARY_TARGET:
        sizes = {s.path: len(outline.children(s)) for s in sections}
        biggest = max(sections, key=lambda s: sizes[s.path], default=None)
        if biggest is None or sizes[biggest.path] < MIN_ITEMS or len(sections) - 1 + sizes[biggest.path] > SUMMARY_MAX:
            break
        i = sections.index(biggest)
        sections = sections[:i] + outline.children(biggest) + sections[i + 1:]
    return sections


def summary_item(outline: Outline, section: Section, facts: Sequence["Fact"], common: dict[str, int]) -> AnswerItem:
    """A section as a summary item: its heading, its key figures in the clauses
    that state them (else its first items, else its first sentence), and the
    passage they stand in."""
    key = key_facts(facts, section.path, common)
    if key:
        clauses = _excerpts(key)
        chunk = next((c for c in section.chunks if c.chunk_id == key[0].chunk_id), section.chunks[0])
        return AnswerItem(CLAUSE_SEPARATOR.join(clauses), [f.figure() for f in key], outline.hit(chunk),
                          heading=section.label)
    parts = [i.text for i in section_items(outline, section)[:SUMMARY_ITEMS_SHOWN]]
    text = ITEM_SEPARATOR.join(parts) if parts else _first_sentence(outline, section)
    return AnswerItem(text, [], outline.hit(section.chunks[0]), heading=section.label)


def key_facts(facts: Sequence["Fact"], path: str, common: dict[str, int]) -> list["Fact"]:
    """Up to SUMMARY_FIGURES figures of a section: those of a named measure
    first, of the measures the index holds most often first, in text order among equals."""
    inside = [f for f in facts if f.section == path or f.section.startswith(path + PATH_SEPARATOR)]
    ranked = sorted(inside, key=lambda f: (-common.get(f.measure, 0) if f.measure else 1, f.position))
    return sorted(ranked[:SUMMARY_FIGURES], key=lambda f: f.position)


def _excerpts(facts: Sequence["Fact"]) -> list[str]:
    """The words that state ``facts``: per clause of their sentences, from at most
    SUMMARY_CLAUSE_CHARS before its first figure (cut after a 、 if cut) to its
    last figure and what that counts when it follows (9支乡(镇)综合救援队伍).

    >>> from retrieval.index.facts import Fact
    >>> s = "共发放各类宣传资料27053余份、悬挂横幅1399余条。"
    >>> f1 = Fact("d", "r", 2024, "", s, "27053余份", 27053, "份", 27053, "份", "宣传资料")
    >>> f2 = Fact("d", "r", 2024, "", s, "1399余条", 1399, "条", 1399, "条", "悬挂横幅")
    >>> _excerpts([f1, f2])
    ['共发放各类宣传资料27053余份、悬挂横幅1399余条']
    """
    spans: dict[tuple[str, str], list[int]] = {}
    for fact in facts:
        clause = next((c for c in split_clauses(fact.sentence) if fact.text in c), fact.sentence)
        at = max(clause.find(fact.text), 0)
        end = at + len(fact.text)
        if fact.label and clause[end:].startswith(fact.label):
            end += len(fact.label)
        span = spans.setdefault((fact.sentence, clause), [at, end])
        span[0], span[1] = min(span[0], at), max(span[1], end)
    out = []
    for (_, clause), (at, end) in spans.items():
        start = max(0, at - SUMMARY_CLAUSE_CHARS)
        if start > 0:
            pause = clause.find("、", start, at)
            start = pause + 1 if pause >= 0 else start
        out.append(("…" if start > 0 else "") + short_item(clause[start:end], end - start))
    return out


def _first_sentence(outline: Outline, section: Section) -> str:
    """The first sentence of a section's text that is not its heading, shortened."""
    for sentence in split_sentences(outline.text_of(section)):
        if sentence.rstrip("。:：") != section.label and section.label not in sentence[: len(section.label)]:
            return short_item(sentence)
    return ""
