"""Yes/no answers: an explicit verdict on the best evidence, which is shown.

"Did Jinhua set up an emergency management college?", "明溪县防汛期间有人员伤亡吗?":
the evidence is the clause ``extract`` picks for the question's topic. The verdict is

- "not stated" when that clause (with its sentence's section heading) holds
  too little of the question (YESNO_SUPPORT), or lacks a Chinese verb the
  question turns on (发生 in 发生森林火灾了吗: a forest-fire *drill* is no fire) -
  still an answer, with the nearest passage cited;
- "no" when a negation in the clause governs what is asked (未制定…规范性文件,
  零伤亡 for "were there casualties");
- "yes" otherwise, "yes (planned)" when the evidence is a plan (a 工作要点, or
  a section of next year's work): planned is not done.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..query.cedict import Cedict
from ..query.cues import ZH_SUPPORT_VERBS
from ..records import Answer, Hit
from ..text.lexicon import NEGATION_PREFIXES, NEGATION_WORDS, is_han
from ..text.sentences import split_clauses
from ..text.tokenize import tokenizer, word_spans
from .extract import MIN_COVERAGE, PREDICATE_WEIGHT, Concept, Extraction, extract
from .items import Library, found_in, is_planned, topic_concepts
from .sources import citation

if TYPE_CHECKING:  # pragma: no cover
    from ..query.parse import Query

YESNO_SUPPORT = 0.5  # share of the question's concept weight the evidence clause and its heading must hold
HEAD_NOUN_CHARS = 4  # a Chinese term this long is also found by its head noun (人员伤亡 -> 伤亡)
RELATIVE = "的"  # 未发生[造成人员伤亡的]森林火灾: the negation denies the qualified thing only
NOT_ALL = ("其他", "其它", "其余", "另外", "别的")  # after a negation: "no others", so some there were
NOT_STATED = "The indexed reports do not say; the nearest passage is cited."


def yesno_answer(query: "Query", hits: Sequence[Hit], library: Library) -> Answer | None:
    """The verdict and its evidence, or None when the question has no topic or nothing was found."""
    concepts = [_with_head_noun(_verb_at_full_weight(c)) for c in topic_concepts(query, library)]
    if not concepts or not hits:
        return None
    best = extract(concepts, hits, False, (), query.given_numbers(), library.rerank)
    if best is None:
        return None
    verdict = decide(best, concepts)
    ordered = [best.hit] + [h for h in hits if h is not best.hit]
    message = citation(best.hit) if verdict != "not stated" else f"{NOT_STATED} {citation(best.hit)}"
    english = {"yes": "Yes.", "no": "No.", "not stated": "Not stated in the reports."}.get(verdict, "Yes, as planned.")
    return Answer(question=query.raw, answered=True, answer=best.answer, passages=ordered, message=message,
                  english=english if query.lang == "en" else "", kind="yesno", verdict=verdict)


def decide(best: Extraction, concepts: Sequence[Concept]) -> str:
    """"yes", "yes (planned)", "no" or "not stated" for the evidence ``best``."""
    evidence = f"{best.hit.chunk.section} {best.answer}"
    total = sum(c.weight for c in concepts) or 1.0
    support = sum(c.weight * found_in(c, evidence) for c in concepts) / total
    lacks_verb = any(_is_content_verb(c) and found_in(c, evidence) < 1 for c in concepts)
    if best.coverage < MIN_COVERAGE or support < YESNO_SUPPORT or lacks_verb:
        return "not stated"
    if negated(best.answer, concepts):
        return "no"
    return "yes (planned)" if is_planned(best.hit.meta, best.hit.chunk.section) else "yes"


def negated(text: str, concepts: Sequence[Concept]) -> bool:
    """True when, in a clause of ``text``, a negation word stands before a
    concept of the question (未制定…文件; 零伤亡 for 伤亡) with no 的 between
    them: 未发生造成人员伤亡的森林火灾 denies deadly fires, not fires.

    >>> negated("经自查,我局未制定相抵触的规范性文件。", [Concept("conflict", ["抵触"]), Concept("文件", ["规范性文件"])])
    True
    >>> negated("实现“零伤亡、少损失”目标", [Concept("伤亡", ["伤亡"])])
    True
    >>> negated("不断完善规范性文件管理,未来继续推进", [Concept("文件", ["规范性文件"])])
    False
    >>> negated("行政复议各1起,无其他行政复议案件", [Concept("复议", ["行政复议"])])
    False
    >>> negated("发生森林火灾3起,未发生造成人员伤亡的森林火灾", [Concept("fire", ["森林火灾"])])
    False
    """
    for clause in split_clauses(text):
        for word, start, end in word_spans(clause):
            if word in NEGATION_WORDS:
                after = clause[end:]
                if after.startswith(NOT_ALL):  # 无其他…案件: there were some, and no others
                    continue
            elif word.startswith(NEGATION_PREFIXES) and len(word) > 1:
                after = word[1:] + clause[end:]  # 零伤亡: the negation glued to what it denies
                after = after if any(c.found_in(word[1:]) for c in concepts) else ""
            else:
                continue
            scope = after.split(RELATIVE)[0]  # up to a 的: what follows it is a narrower thing
            if any(c.found_in(scope) >= 1 for c in concepts):
                return True
    return False


def _is_content_verb(concept: Concept) -> bool:
    """A verb the question turns on (发生, 签订), not a light one (开展, 进行).
    Only a word of two characters or more typed in Chinese counts: an English
    verb's translations (sign -> 标志/签署) and a colloquial one-character verb
    (装 where the report writes 建成) miss the report's own word too often."""
    name = concept.name
    return (is_han(name) and len(name) > 1 and name not in ZH_SUPPORT_VERBS
            and Cedict.load().is_predicate(name))


def _verb_at_full_weight(concept: Concept) -> Concept:
    """An English verb weighs as much as a noun here (``weight_concepts`` lowers
    it for other questions): "did Jinghai *suffer* an earthquake" asks about the
    event, and a plan that only names earthquakes does not answer it."""
    name = concept.name
    if name.isascii() and not name.endswith("ly") and Cedict.load().is_predicate(name):
        concept.weight /= PREDICATE_WEIGHT
    return concept


def _with_head_noun(concept: Concept) -> Concept:
    """A long Chinese term is also found by its head noun: 人员伤亡 by 伤亡 (零伤亡), as
    a report words it; its other parts stay in the term."""
    name = concept.name
    if not is_han(name) or len(name) < HEAD_NOUN_CHARS:
        return concept
    parts = [p for p in tokenizer().lcut_for_search(name) if len(p) >= 2 and p != name and name.endswith(p)]
    if not parts:
        return concept
    return Concept(concept.name, list(dict.fromkeys([*concept.alternatives, parts[-1]])), concept.weight)
