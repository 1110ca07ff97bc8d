"""Answer extraction: from the top passages, the clause that answers.

The question is reduced to *concepts* (a Chinese word, or the Chinese
translations of one English word), each weighted by how rare it is in the
index. Every clause of every retrieved sentence is scored by the concepts it
holds (fully in the clause, less in the surrounding sentence and passage), by
the passage's rank, and, for how-many questions, by holding a figure in the
unit the question implies. The answer is the best clause widened to as much
of its sentence as fits in 200 characters, preferring neighbouring clauses
that hold concepts or figures.

>>> split_clauses("行政处罚703次,罚款1584.66万元。")
['行政处罚703次,', '罚款1584.66万元。']
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Callable, Sequence

from ..query.cedict import Cedict
from ..query.cues import PLAN_TERMS, QUESTION_WORD_START
from ..records import Figure, Hit
from ..text.enumeration import listed_counts
from ..text.figures import find_figures
from ..text.lexicon import MAX_ANSWER_CHARS
from ..text.sentences import split_clauses
from ..text.table_rows import is_table_row

if TYPE_CHECKING:  # pragma: no cover
    from ..query.parse import Query

MIN_COVERAGE = 0.5  # share of the question's concept weight the passage must hold
# ... or, when the question has words no indexed report holds (colloquial Chinese, English nothing translates
# into the reports' words: no passage could hold them), this share of the words the index knows and 0.3 of all
MIN_KNOWN_COVERAGE, MIN_COVERAGE_WITH_UNKNOWN = 0.5, 0.3
MIN_KNOWN_SHARE = 0.5  # ... when the known words are at least half the question (else it is about something else)
UNTRANSLATED_WEIGHT = 0.5  # weight of an English word with no Chinese term, relative to the rarest term
PREDICATE_WEIGHT = 0.35  # an English verb or adverb: what is counted or named matters more than how
SHORT_ANSWER_CHARS = 60  # a what-answer shorter than this reads on into the next sentences

# How a clause is scored (the weights of its concepts are idf, see ``weight_concepts``):
IN_CLAUSE = 1.0  # a concept in the clause itself counts fully
IN_SENTENCE = 0.35  # in the clause's sentence or section heading: the clause is about it, less directly
IN_PASSAGE = 0.15  # only elsewhere in the passage or the report's title: context, weakly
CONCEPT_SCALE = 3.0  # concepts outweigh the rank prior and the figure fit below
RANK_PRIOR = 0.6  # prior / (1 + rank): a gentle preference for the ranker's order
NO_FIGURE = -1.0  # how-many question, clause without a figure: rarely the answer
UNIT_FIT = 0.8  # how-many question, a figure in the unit the question implies
ITEMS_FIT = UNIT_FIT  # "which three ...": a clause listing three items fits like a figure in the right unit
ANY_FIGURE = 0.3  # how-many question, a figure in another unit
COMPOUND_MIN_CHARS = 6  # a term this long is a compound whose two-character parts earn credit
COMPOUND_PART_CREDIT = 0.6  # credit when all those parts are there (never a full match)
ONE_END_CREDIT = 0.5  # a 3-5 character word found but for its first or last character (任组长 ~ 组长)
RERANK_DEPTH = 6  # the dense model reads at most this many of the best sentences
RERANK_MARGIN = 1.0  # ... those scoring within this of the best (a clear lexical winner stays)
RERANK_WEIGHT = 20.0  # score per unit of cosine: 0.05 cosine apart weighs like a figure in the right unit


@dataclass
class Concept:
    """One thing the question asks about, with the Chinese ways to say it."""

    name: str
    alternatives: list[str]
    weight: float = 1.0
    known: bool = True  # some alternative occurs in the index (``weight_concepts`` says)

    def found_in(self, text: str) -> float:
        """1.0 if an alternative is in ``text``; partial credit for a long compound (6+ characters)
        whose two-character parts are there, or a shorter word there but for one end character; else 0."""
        best = 0.0
        for alt in self.alternatives:
            if alt in text:
                return 1.0
            if len(alt) >= COMPOUND_MIN_CHARS:  # a long compound: credit for its two-character parts
                parts = [alt[i : i + 2] for i in range(0, len(alt) - 1, 2)]
                best = max(best, COMPOUND_PART_CREDIT * sum(p in text for p in parts) / len(parts))
            elif len(alt) >= 3 and not alt.isascii() and (alt[1:] in text or alt[:-1] in text):
                best = max(best, ONE_END_CREDIT)  # 由局长任组长 / 以局长为组长: the same 组长
        return best


@dataclass
class Extraction:
    hit: Hit
    hit_rank: int
    sentence: str
    answer: str
    figures: list[Figure]
    coverage: float  # share of concept weight found in the answer's passage
    score: float
    clause: str = ""
    matched: list[str] = field(default_factory=list)
    fit: float = 0.0  # how well its figures fit a how-many question (``_number_fit``)
    known_coverage: float = 0.0  # share of the weight of the concepts the index knows, found there
    known_share: float = 1.0  # the known concepts' share of the question's concept weight

    def covers(self) -> bool:
        """The passage holds enough of the question to answer it (``MIN_COVERAGE``;
        words no indexed report holds count less, see ``MIN_KNOWN_COVERAGE``)."""
        return self.coverage >= MIN_COVERAGE or (
            self.known_coverage >= MIN_KNOWN_COVERAGE and self.coverage >= MIN_COVERAGE_WITH_UNKNOWN
            and self.known_share >= MIN_KNOWN_SHARE)


PARTICLES = frozenset("up out off down in on over back away".split())  # set up, carry out: the verb leads


def head_word(phrase: str) -> str:
    """The word an English phrase is about: its last (work safety -> safety),
    the first of a phrasal verb (set up -> set).

    >>> head_word("work safety"), head_word("set up"), head_word("disclose")
    ('safety', 'set', 'disclose')
    """
    words = phrase.split()
    return words[0] if len(words) > 1 and words[-1] in PARTICLES else words[-1]


def weight_concepts(concepts: list[Concept], idf: Callable[[str], float | None],
                    ceiling: float) -> list[Concept]:
    """Weight each concept by the most common of its alternatives that the
    index holds (``idf`` returns None for a term it has never seen): a
    concept is only as specific as the plainest word that expresses it
    ("hit" -> 影响 outweighs nothing, though 袭击 is rare).

    A concept none of whose terms occur (or an English word nothing
    translates) still counts against coverage, at half the top weight: it may
    be a plain verb ("hit", "issue") as well as a topic the reports lack.
    """
    for c in concepts:
        weights = [w for w in map(idf, c.alternatives) if w is not None]
        c.weight = min(weights) if weights else UNTRANSLATED_WEIGHT * ceiling
        c.known = bool(weights)
        if c.name.isascii() and Cedict.load().is_predicate(head_word(c.name)):
            c.weight *= PREDICATE_WEIGHT  # "disclose", "set up": reports say it in words no glossary lists
    return concepts


def concepts_of(query: "Query") -> list[Concept]:
    """The question's concepts.

    Chinese question: one per content word. English question: one per
    translated phrase (its Chinese terms are the alternatives), plus one with
    no alternatives for each content word nothing translates, so that
    "the capital of France" cannot be half-answered from an unrelated passage.
    """
    if query.lang == "zh" or not query.matches:
        concepts = [Concept(t, [t]) for t in dict.fromkeys(query.terms) if not QUESTION_WORD_START.match(t)]
    else:
        concepts = [Concept(m.english, list(m.chinese)) for m in query.matches if m.chinese]
        covered = {w for m in query.matches for w in m.english.split()}
        concepts += [Concept(w, []) for w in query.english_terms if w not in covered]
    if not concepts and query.wants_plan:  # "What does Wuzhong plan for 2023?": the plan is the topic
        concepts = [Concept("plan", list(PLAN_TERMS))]
    return concepts


def extract(
    concepts: Sequence[Concept],
    hits: Sequence[Hit],
    wants_number: bool,
    unit_hints: Sequence[str] = (),
    given_numbers: Sequence[str] = (),
    rerank: Callable[[list[str]], list[float]] | None = None,
    items_asked: int = 0,
) -> Extraction | None:
    """The best answering span among ``hits`` (best first), or None.

    ``given_numbers`` are numbers the question itself states ("the 20-day
    campaign"): a figure equal to one of them is not the answer. ``rerank``
    (sentences -> their similarity to the question, from the dense model)
    decides among the best few sentences when given.
    """
    ranked = candidates(concepts, hits, wants_number, unit_hints, given_numbers, items_asked)
    if not ranked:
        return None
    best = _reranked(ranked, rerank) if rerank else ranked[0]
    best.answer = _add_neighbour_sentences(best, concepts)
    if not wants_number:
        best.answer = _continue_short(best)
    best.figures = _answer_figures(best, concepts, wants_number)
    return best


def candidates(
    concepts: Sequence[Concept],
    hits: Sequence[Hit],
    wants_number: bool,
    unit_hints: Sequence[str] = (),
    given_numbers: Sequence[str] = (),
    items_asked: int = 0,
) -> list[Extraction]:
    """Every sentence's best clause as an answer, best first (by concepts,
    passage rank and, for how-many questions, figures in the right unit)."""
    total = sum(c.weight for c in concepts) or 1.0
    known_total = sum(c.weight for c in concepts if c.known) or 1e-9  # none known: known coverage 0
    out: list[Extraction] = []
    for rank, hit in enumerate(hits):
        in_passage = [c.found_in(_surroundings(hit, hits)) for c in concepts]
        coverage = sum(c.weight * m for c, m in zip(concepts, in_passage)) / total
        known = sum(c.weight * m for c, m in zip(concepts, in_passage) if c.known) / known_total
        prior = RANK_PRIOR / (1 + rank)
        for sentence in hit.chunk.sentences or [hit.chunk.text]:
            if is_signature(sentence, hit.meta.issuer):
                continue
            # The section heading is the topic of each of its sentences.
            in_sentence = [c.found_in(f"{hit.chunk.section} {sentence}") for c in concepts]
            clauses = split_clauses(sentence)
            best: Extraction | None = None
            for ci, clause in enumerate(clauses):
                score, matched = _clause_score(clause, concepts, in_sentence, in_passage, total)
                figures = [f for f in _figures(clause) if _number(f) not in given_numbers]
                fit = _number_fit(figures, wants_number, unit_hints, _bare_count(clause, given_numbers))
                fit += ITEMS_FIT if items_asked and items_asked in listed_counts(clause) else 0.0
                score += prior + fit
                if best is None or score > best.score:
                    best = Extraction(hit, rank, sentence, _widen(clauses, ci, concepts), [], coverage, score,
                                      clause, matched, fit, known, known_total / total)
            if best is not None:
                out.append(best)
    return sorted(out, key=lambda e: -e.score)  # stable: earlier passages first among equals


def _surroundings(hit: Hit, hits: Sequence[Hit]) -> str:
    """What a passage's sentences stand in: the report's title, the section
    heading, the passage, and the retrieved passages of the same section or
    right next to it (a question may name what the report says a few
    sentences away: the 20-day campaign, then the figures of that campaign)."""
    near = [h.chunk.text for h in hits if h is not hit and h.chunk.doc_id == hit.chunk.doc_id
            and (h.chunk.section == hit.chunk.section or abs(h.chunk.ordinal - hit.chunk.ordinal) <= 1)]
    return " ".join([hit.meta.title, hit.chunk.section, hit.chunk.text, *near])


def _reranked(ranked: list[Extraction], rerank: Callable[[list[str]], list[float]]) -> Extraction:
    """Among the sentences within RERANK_MARGIN of the best, the one the dense
    model finds closest to the question weighs in (RERANK_WEIGHT per unit of cosine)."""
    top = ranked[0]  # a sentence whose figures fit a how-many question worse is never preferred
    close = [e for e in ranked[:RERANK_DEPTH] if e.score >= top.score - RERANK_MARGIN and e.fit >= top.fit]
    if len(close) < 2:
        return ranked[0]
    similarity = rerank([e.sentence for e in close])
    return max(zip(close, similarity), key=lambda pair: pair[0].score + RERANK_WEIGHT * pair[1])[0]


def _continue_short(best: Extraction) -> str:
    """A what-question answered by a short item ("一是深化安全生产专项整治;")
    reads on with the sentences that follow it in the passage, within
    MAX_ANSWER_CHARS."""
    answer = best.answer
    sentences = best.hit.chunk.sentences or [best.hit.chunk.text]
    if len(answer) >= SHORT_ANSWER_CHARS or best.sentence not in sentences:
        return answer
    for extra in sentences[sentences.index(best.sentence) + 1:]:
        extra = extra.strip()
        if len(answer) >= SHORT_ANSWER_CHARS or len(answer) + len(extra) > MAX_ANSWER_CHARS:
            break
        if extra not in answer:
            answer += extra
    return answer


def _add_neighbour_sentences(best: Extraction, concepts: Sequence[Concept]) -> str:
    """When the question asks about something the answer's sentence lacks
    ("how many were found, and how many rectified?") and the next or
    previous sentence of the passage has it, join that sentence too, within
    MAX_ANSWER_CHARS."""
    answer = best.answer
    if best.sentence.strip() not in answer:  # the sentence itself was cut to fit
        return answer
    sentences = best.hit.chunk.sentences or [best.hit.chunk.text]
    try:
        i = sentences.index(best.sentence)
    except ValueError:
        return answer
    missing = [c for c in concepts if c.alternatives and c.found_in(answer) < 1]
    for j in (i + 1, i - 1):
        if not missing or not 0 <= j < len(sentences):
            continue
        extra = sentences[j].strip()
        if any(c.found_in(extra) >= 1 for c in missing) and len(answer) + len(extra) <= MAX_ANSWER_CHARS:
            answer = answer + extra if j > i else extra + answer
            missing = [c for c in missing if c.found_in(answer) < 1]
    return answer


_DATE_LINE = re.compile(r"^[\d年月日\s.-]*$")  # also matches an empty rest


def is_signature(sentence: str, issuer: str) -> bool:
    """A signature block line: the issuing body's name and/or a date, nothing else.

    >>> is_signature("苏州市吴中区应急管理局 2023年1月10日", "苏州市吴中区应急管理局")
    True
    >>> is_signature("一是深化安全生产专项整治;", "苏州市吴中区应急管理局")
    False
    """
    rest = sentence.replace(issuer, "") if issuer else sentence
    return all(_DATE_LINE.match(line.strip()) for line in rest.splitlines())


def _clause_score(clause: str, concepts: Sequence[Concept], in_sentence: list[float],
                  in_passage: list[float], total: float) -> tuple[float, list[str]]:
    score, matched = 0.0, []
    for c, ms, mp in zip(concepts, in_sentence, in_passage):
        mc = c.found_in(clause)
        if mc or ms >= 1:  # in the clause, or in its sentence or section heading
            matched.append(c.name)
        score += c.weight * (IN_CLAUSE * mc + IN_SENTENCE * ms + IN_PASSAGE * mp)
    return CONCEPT_SCALE * score / total, matched


def _figures(text: str) -> list[Figure]:
    return list(_figures_cached(text))


@lru_cache(maxsize=20_000)
def _figures_cached(text: str) -> tuple[Figure, ...]:
    # a bare number is no answer in running text; in a table row its header says what it counts
    return tuple(f for f in find_figures(text) if f.unit or is_table_row(text))


def _number(fig: Figure) -> str:
    return f"{fig.value:g}"


def _number_fit(figures: list[Figure], wants_number: bool, unit_hints: Sequence[str],
                bare_count: bool = False) -> float:
    """How well a clause's figures fit a how-many question (a count whose unit
    the scraped text lost, 整改46932, fits like a figure in another unit)."""
    if not wants_number:
        return 0.0
    if not figures:
        return ANY_FIGURE if bare_count else NO_FIGURE
    if unit_hints and any(_in_unit(f.unit, unit_hints) for f in figures):
        return UNIT_FIT
    return ANY_FIGURE


def _in_unit(unit: str, hints: Sequence[str]) -> bool:
    """``unit`` is one of ``hints``, a multiple of one (万元) or a compound counter of one
    (家次: units counted once per visit, 人次, 场次).

    >>> _in_unit("万元", ["元"]), _in_unit("家次", ["家", "个"]), _in_unit("次", ["家"])
    (True, True, False)
    """
    return unit in hints or unit.endswith(tuple(hints)) or (unit.endswith("次") and unit[:-1] in hints)


_BARE_COUNT = re.compile(r"[\u4e00-\u9fff](\d{2,})(?:[。;,]|$)")  # 整改46932。: a count, its unit lost


def _bare_count(clause: str, given_numbers: Sequence[str]) -> bool:
    """A number right after a word at the end of a clause, not a year or a
    number the question gave: a count whose unit the page lost."""
    m = _BARE_COUNT.search(clause.strip())
    return bool(m) and not re.fullmatch(r"(19|20)\d\d", m.group(1)) and f"{float(m.group(1)):g}" not in given_numbers


def _widen(clauses: list[str], i: int, concepts: Sequence[Concept]) -> str:
    """Grow the answer from clause ``i`` to whole neighbouring clauses while
    it fits in MAX_ANSWER_CHARS: clauses holding concepts or figures first,
    then nearest first."""
    chosen = {i}
    length = len(clauses[i])

    def useful(j: int) -> bool:
        return any(c.found_in(clauses[j]) >= 1 for c in concepts) or bool(_figures(clauses[j]))

    while True:
        lo, hi = min(chosen) - 1, max(chosen) + 1
        options = [j for j in (lo, hi) if 0 <= j < len(clauses) and length + len(clauses[j]) <= MAX_ANSWER_CHARS]
        if not options:
            break
        options.sort(key=lambda j: (not useful(j), abs(j - i)))
        chosen.add(options[0])
        length += len(clauses[options[0]])
    text = "".join(clauses[j] for j in sorted(chosen)).strip()
    return text[:MAX_ANSWER_CHARS]


def _answer_figures(best: Extraction, concepts: Sequence[Concept], wants_number: bool) -> list[Figure]:
    """Figures worth showing in bold: those of the best clause and of the
    answer's other clauses that hold a concept."""
    figures = list(_figures(best.clause))
    for clause in split_clauses(best.answer):
        if clause == best.clause:
            continue
        if any(c.found_in(clause) >= 1 for c in concepts):
            figures.extend(f for f in _figures(clause) if f not in figures)
    return figures


def idf_from_df(df: int, n: int) -> float:
    """BM25's idf; a term the index has never seen gets the highest value."""
    return math.log(1 + (n - df + 0.5) / (df + 0.5))
