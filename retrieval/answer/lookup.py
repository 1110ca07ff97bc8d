"""An ordinary question answered from the ranked passages, or refused with the reason.

Questions about a report itself (its 文号, publish date, issuer) are answered
from its metadata; any other from the clause ``extract`` finds, when the
passage holds enough of the question's concepts (and, for a how-many question,
a figure).
"""
from __future__ import annotations

import re
from collections.abc import Callable

from ..query.parse import Query
from ..records import Answer, Figure, Hit
from .english import english_line
from .extract import Extraction, concepts_of, extract, weight_concepts
from .report_fields import metadata_answer, metadata_question
from .sources import citation

NOTHING = "Nothing in the indexed reports answers this."
NOT_WELL_ENOUGH = "Nothing in the indexed reports answers this well enough."
NO_FIGURE = "The reports mention this but give no figure for it."


def answer_from_passages(query: Query, hits: list[Hit], idf: Callable[[str], float | None],
                         idf_ceiling: float, holdings: str,
                         rerank: Callable[[list[str]], list[float]] | None = None) -> Answer:
    """The answer to ``query`` from ``hits`` (best first); a refusal names what the
    index holds. ``rerank`` gives the dense model's similarity of sentences to the question."""
    asked = metadata_question(query.text)
    if asked and hits:
        best = metadata_answer(*asked, hits)
        if best is not None:
            return found(query, best, hits)
    concepts = weight_concepts(concepts_of(query), idf, idf_ceiling)
    if not concepts or not hits:
        return refused(query, f"{NOTHING} {holdings}", hits)
    best = extract(concepts, hits, query.wants_number, query.unit_hints, query.given_numbers(), rerank,
                   query.items_asked)
    if best is None or not best.covers() or not best.matched:
        return refused(query, f"{NOT_WELL_ENOUGH} {holdings}", hits)
    if query.wants_number and not best.figures and not has_count(best.answer):
        return refused(query, f"{NO_FIGURE} {holdings}", hits)
    if query.wants_number and best.figures and not figures_answer(query, best.figures):
        return refused(query, f"{NO_FIGURE} {holdings}", hits)
    if query.entity_asked and not names_entity(best.answer, query.entity_asked):  # 哪家律师事务所: none named
        return refused(query, f"{NOT_WELL_ENOUGH} {holdings}", hits)
    return found(query, best, hits)


def found(query: Query, best: Extraction, hits: list[Hit]) -> Answer:
    """An answer from an extraction: its passage first, the citation as the
    message, an English line for an English question."""
    ordered = [best.hit] + [h for h in hits if h is not best.hit]
    result = Answer(question=query.raw, answered=True, answer=best.answer,
                    figures=best.figures, passages=ordered, message=citation(best.hit))
    if query.lang == "en":
        result.english = english_line(best.hit.meta, best.figures, best.answer)
    return result


def refused(query: Query, message: str, hits: list[Hit] | None = None) -> Answer:
    """No answer: ``message`` says why (and what is indexed); the passages found are kept."""
    return Answer(question=query.raw, answered=False, passages=list(hits or []), message=message)


def figures_answer(query: Query, figures: list[Figure]) -> bool:
    """A figure of the kind asked is among ``figures``: a count is no
    percentage (死亡人数下降17.4% does not say how many died), a counter asked
    in so many words is answered in it (几部卫星电话 is not 14个村庄).

    >>> q = Query("几部", "几部", "zh", units_required=("部", "台"), count_required=True)
    >>> figures_answer(q, [Figure(14, "个", "村庄")]), figures_answer(q, [Figure(3, "部", "卫星电话")])
    (False, True)
    >>> figures_answer(q, [Figure(4, "", "卫星电话 配备数")])  # a table cell: the header says what it counts
    True
    """
    if query.count_required and all(f.unit == "%" for f in figures):
        return False
    # a table cell's bare number (本年制发件数 4) has no unit to disagree with
    return not query.units_required or any(not f.unit or u in f.unit for f in figures for u in query.units_required)


def names_entity(answer: str, entity: str) -> bool:
    """The answer names a thing of the kind asked (哪家律师事务所 -> …律师事务所; the span
    captured after 哪个 may run on into its predicate, so its head or its end will do).

    >>> names_entity("聘请陕西博硕律师事务所为法律顾问", "律师事务所"), names_entity("聘请法律顾问", "律师事务所")
    (True, False)
    """
    return entity[:2] in answer or entity[-2:] in answer


def has_count(text: str) -> bool:
    """True if ``text`` holds a number that is not a year (a figure whose
    unit the scraped text lost, as in 设置10临时起降点).

    >>> has_count("设置10临时起降点"), has_count("2021年工作要点")
    (True, False)
    """
    return any(not (len(n) == 4 and n[:2] in ("19", "20")) for n in re.findall(r"(?<![\d.])\d+(?:\.\d+)?", text))
