"""The engine: open an index, ask questions, get answers.

>>> engine = Engine.open(Path("index"))                                  # doctest: +SKIP
>>> a = engine.ask("how many fines did Jinhua issue in 2020")            # doctest: +SKIP
>>> a.answer                                                             # doctest: +SKIP
'...行政处罚703次,罚款1584.66万元...'
>>> follow = engine.ask("and how many inspections?", context=a.context)  # doctest: +SKIP
"""
from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any


from .answer import compare
from . import answer as extraction
from .answer.english import english_line
from .index import fact_store
from .index.facts import Fact
from .index.store import IndexReader, ModelMismatchError, current_generation
from .query import Query, QuestionError, RegionTable, domain_words, parse_question
from .query.measures import select as select_facts
from .query.plan import plan as plan_question
from .rank.search import SearchRequest, doc_mask_for, rank
from .records import Answer, Hit
from .settings import Settings
from .text.normalise import find_years
from .text.tokenize import add_words, tokenize

log = logging.getLogger(__name__)

PASSAGES = 10  # hits kept with an answer (the bot pages through them)
RELOAD_CHECK_SECONDS = 2.0  # how often ask() looks for a newly published index

__all__ = ["Engine", "QuestionError"]


class Engine:
    """Question answering over one index folder. Thread-safe for ``ask``."""

    def __init__(self, root: Path, reader: IndexReader, settings: Settings):
        from embeddings import load_embedder

        self.root = root
        self.settings = settings
        model = reader.manifest["model"]
        if settings.model and settings.model != model:
            raise ModelMismatchError(
                f"index {root} was built with model {model!r}, not {settings.model!r}: "
                f"use --model {model} or rebuild the index")
        self.embedder = load_embedder(model, settings.batch_size)
        if self.embedder.dim != int(reader.manifest["dimension"]):
            raise ModelMismatchError(
                f"model {model!r} gives {self.embedder.dim}-d vectors but the index holds "
                f"{reader.manifest['dimension']}-d ones: rebuild the index")
        self._reload_lock = threading.Lock()
        self._snapshot = Snapshot.of(reader)
        self._checked_at = time.monotonic()

    @classmethod
    def open(cls, root: Path | str | None = None, settings: Settings | None = None) -> "Engine":
        settings = settings or Settings.from_env()
        root = Path(root) if root is not None else settings.index
        return cls(root, IndexReader.open(root), settings)

    # ------------------------------------------------------------ state

    @property
    def reader(self) -> IndexReader:
        return self._snapshot.reader

    def reload(self) -> bool:
        """Switch to a newer generation if one was published. True if it did."""
        with self._reload_lock:
            self._checked_at = time.monotonic()
            live = current_generation(self.root)
            if live is None or live == self._snapshot.reader.path:
                return False
            # One assignment: questions in flight keep the snapshot they started with.
            self._snapshot = Snapshot.of(IndexReader(live))
            log.info("switched to index generation %s", live.name)
            return True

    def _maybe_reload(self) -> None:
        """Pick up a rebuilt index without a restart (checked every few seconds)."""
        if time.monotonic() - self._checked_at < RELOAD_CHECK_SECONDS:
            return
        try:
            self.reload()
        except Exception:  # a broken new generation must not stop answers from the old one
            log.exception("could not switch to the new index generation")

    def sources(self) -> list[dict[str, Any]]:
        """The indexed reports, in index order."""
        return [
            {"doc_id": d.doc_id, "source": d.source, "title": d.meta.title, "issuer": d.meta.issuer,
             "region": d.meta.region, "year": d.meta.year, "doc_type": d.meta.doc_type,
             "publish_date": d.meta.publish_date, "chunks": d.chunks}
            for d in self.reader.documents.values()
        ]

    # ------------------------------------------------------------ asking

    def ask(self, question: str, context: dict[str, Any] | None = None) -> Answer:
        """Answer ``question``; ``context`` is a previous ``answer.context``."""
        started = time.perf_counter()
        self._maybe_reload()
        snap = self._snapshot
        query = parse_question(question, snap.regions, vocabulary=snap.reader.keyword.knows)
        if context:
            query = _soft_context_year(query.with_context(context), snap)
        result = self._answer(query, snap)
        result.question = question
        result.context = query.context()
        result.elapsed_ms = (time.perf_counter() - started) * 1000
        return result

    def _answer(self, query: Query, snap: "Snapshot") -> Answer:
        # Figures across reports come from the facts table. Before the refusal check:
        # "Weihai 2021 vs Mingxi 2024" names a year one of the places has no report for.
        comparison = compare.answer(query, fact_store.for_reader(snap.reader), snap.reader)
        if comparison is not None:
            return comparison
        refusal = out_of_scope(query, snap, about_figures=plan_question(query) is not None)
        if refusal:
            return Answer(question=query.raw, answered=False, message=refusal)
        hits = self.search(query, snap.reader)
        asked = extraction.metadata_question(query.text)
        if asked and hits:
            best = extraction.metadata_answer(*asked, hits)
            if best is not None:
                return _found(query, best, hits)
        concepts = extraction.weight_concepts(concepts_of(query), snap.idf, snap.idf_ceiling)
        if not concepts or not hits:
            return Answer(question=query.raw, answered=False, passages=hits,
                          message="Nothing in the indexed reports answers this. " + snap.holdings())
        best = extraction.extract(concepts, hits, query.wants_number, query.unit_hints, given_numbers(query))
        if best is None or best.coverage < extraction.MIN_COVERAGE or not best.matched:
            return Answer(question=query.raw, answered=False, passages=hits,
                          message="Nothing in the indexed reports answers this well enough. " + snap.holdings())
        if query.wants_number and not best.figures and not _has_count(best.answer):
            return Answer(question=query.raw, answered=False, passages=hits,
                          message="The reports mention this but give no figure for it. " + snap.holdings())
        return _found(query, best, hits)

    def search(self, query: Query, reader: IndexReader | None = None) -> list[Hit]:
        """The top passages for a parsed question."""
        reader = reader or self.reader
        text = query.text if query.lang == "zh" else f"{query.raw} {' '.join(query.terms)}"
        vector = self.embedder.encode_queries([text])[0]
        tokens = tokenize(query.text) if query.lang == "zh" else []
        tokens += [t for term in query.terms for t in tokenize(term)]
        tokens += [str(y) for y in query.years]
        mask = doc_mask_for(reader, query.region or query.parent_region, query.years)
        return rank(reader, SearchRequest(vector, tokens, mask, k=PASSAGES))

    # ------------------------------------------------------------ facts across reports

    @property
    def facts_store(self) -> fact_store.FactStore:
        """The facts table of the live index generation."""
        return fact_store.for_reader(self.reader)

    def facts(self, measure: str | None = None, region: str | None = None,
              year: int | None = None) -> list[Fact]:
        """Reported figures, filtered: ``engine.facts("fines", "Jinhua", 2020)``.

        ``measure``: a measure name (罚款金额), its English name (fines) or words
        naming it (罚款); ``region``: any spelling of an indexed place. An unknown
        measure matches nothing.
        """
        snap = self._snapshot
        return select_facts(fact_store.for_reader(snap.reader), measure, region, year,
                                 snap.regions.canonical)

    def chart_for(self, answer: Answer) -> bytes | None:
        """PNG bar chart for a comparison answer (ranked list, table, two-sided);
        None for any other answer."""
        if not answer.answered or not answer.question:
            return None
        snap = self._snapshot
        query = parse_question(answer.question, snap.regions, vocabulary=snap.reader.keyword.knows)
        return compare.chart_png(query, fact_store.for_reader(snap.reader))


# ---------------------------------------------------------------- the index, derived


@dataclass
class Snapshot:
    """One generation of the index and everything questions derive from it.
    Replaced as a whole on reload, so a question never mixes two generations."""

    reader: IndexReader
    regions: RegionTable
    years_by_region: dict[str, set[int]]  # years each place's reports cover or mention
    covered_years: dict[str, set[int]]  # years each place's reports cover
    df: dict[str, int]

    @classmethod
    def of(cls, reader: IndexReader) -> "Snapshot":
        metas = [d.meta for d in reader.documents.values()]
        regions = sorted({(m.region, m.parent_region) for m in metas if m.region})
        add_words(domain_words(regions))
        covered: dict[str, set[int]] = {}
        for m in metas:
            for region in {m.region, m.parent_region} - {""}:
                covered.setdefault(region, set()).update([m.year] if m.year else [])
        return cls(reader, RegionTable.from_regions(regions), _years_by_region(reader), covered,
                   reader.keyword.document_frequencies())

    @property
    def idf_ceiling(self) -> float:
        """idf of a term the index has never seen."""
        return extraction.idf_from_df(0, max(self.reader.size, 1))

    def idf(self, term: str) -> float | None:
        """Rarity of a term in the index (a term jieba splits is as rare as
        its rarest part); None when the index never has it."""
        df = self.df.get(term.lower())
        if df is None:
            parts = [self.df[t] for t in tokenize(term) if t in self.df]
            if not parts:
                return None
            df = min(parts)
        return extraction.idf_from_df(df, max(self.reader.size, 1))

    def report_years(self, region: str) -> str:
        years = sorted({d.meta.year for d in self.reader.documents.values()
                        if region in (d.meta.region, d.meta.parent_region) and d.meta.year})
        return ", ".join(map(str, years)) or "no dated report"

    def holdings(self) -> str:
        """One line on what the index holds: places and years."""
        by_region: dict[str, set[int]] = {}
        for d in self.reader.documents.values():
            by_region.setdefault(d.meta.region or "?", set()).update([d.meta.year] if d.meta.year else [])
        if len(by_region) > 12:
            return (f"Indexed: {len(self.reader.documents)} reports from {len(by_region)} places "
                    "(see `govqa index list`).")
        parts = [f"{r} {', '.join(map(str, sorted(y)))}".strip() for r, y in sorted(by_region.items())]
        return "Indexed: " + "; ".join(parts) + "."


def _years_by_region(reader: IndexReader) -> dict[str, set[int]]:
    """Years each place's reports cover or mention (a 2020 report's plans for
    2021 answer questions about 2021)."""
    out: dict[str, set[int]] = {}
    for d in reader.documents.values():
        years = set(find_years(reader.document_text(d.doc_id)))
        if d.meta.year:
            years.add(d.meta.year)
        for region in {d.meta.region, d.meta.parent_region} - {""}:
            out.setdefault(region, set()).update(years)
    return out


# ---------------------------------------------------------------- the question, derived


def out_of_scope(query: Query, snap: Snapshot, about_figures: bool = False) -> str:
    """A refusal message when the question names a place or year that no
    indexed report covers; empty when it is in scope. ``about_figures``:
    the question compares reported figures (even without "how many")."""
    if query.unknown_places and not query.region:
        return f"No report for {'、'.join(query.unknown_places)} is indexed. {snap.holdings()}"
    # Figures belong to the year a report covers; a year a report only
    # mentions (its plans for next year) answers what-questions alone.
    figures = (query.wants_number or about_figures) and not query.wants_plan
    by_region = snap.covered_years if figures else snap.years_by_region
    if query.region and query.years:
        covered = by_region.get(query.region, set())
        missing = [y for y in query.years if y not in covered]
        if missing:
            return (f"No {'/'.join(map(str, missing))} report for {query.region} is indexed; "
                    f"indexed for {query.region}: {snap.report_years(query.region)}.")
    if query.years and not query.region:
        covered = set().union(*by_region.values()) if by_region else set()
        if not any(y in covered for y in query.years):
            return f"No indexed report covers {'/'.join(map(str, query.years))}. {snap.holdings()}"
    return ""


def _soft_context_year(query: Query, snap: Snapshot) -> Query:
    """A year carried over from the previous question is dropped when the
    place now asked about has no report for it ("what about Weihai?" after a
    question on Jinhua 2020, when Weihai's report covers 2021)."""
    if "year" in query.from_context and query.region:
        if not set(query.years) & snap.covered_years.get(query.region, set()):
            query.years = []
    return query


PLAN_TERMS = ("工作打算", "工作思路", "工作计划", "工作安排", "下一步", "计划", "打算", "规划")
_QUESTION_WORD = re.compile(r"^(多少|几|哪|什么|怎么|如何)")


def concepts_of(query: Query) -> list[extraction.Concept]:
    """The question's concepts.

    Chinese question: one per content word. English question: one per
    translated phrase (its Chinese terms are the alternatives), plus one with
    no alternatives for each content word nothing translates, so that
    "the capital of France" cannot be half-answered from an unrelated passage.
    """
    if query.lang == "zh" or not query.matches:
        concepts = [extraction.Concept(t, [t]) for t in dict.fromkeys(query.terms) if not _QUESTION_WORD.match(t)]
    else:
        concepts = [extraction.Concept(m.english, list(m.chinese)) for m in query.matches if m.chinese]
        covered = {w for m in query.matches for w in m.english.split()}
        concepts += [extraction.Concept(w, []) for w in query.english_terms if w not in covered]
    if not concepts and query.wants_plan:  # "What does Wuzhong plan for 2023?": the plan is the topic
        concepts = [extraction.Concept("plan", list(PLAN_TERMS))]
    return concepts


def _has_count(text: str) -> bool:
    """True if ``text`` holds a number that is not a year (a figure whose
    unit the scraped text lost, as in 设置10临时起降点)."""
    return any(not (len(n) == 4 and n[:2] in ("19", "20")) for n in re.findall(r"(?<![\d.])\d+(?:\.\d+)?", text))


def given_numbers(query: Query) -> list[str]:
    """Numbers the question states itself (not years): "the 20-day campaign"."""
    return [f"{float(n):g}" for n in re.findall(r"\d+(?:\.\d+)?", query.text)
            if int(float(n)) not in query.years]


def _found(query: Query, best: extraction.Extraction, hits: list[Hit]) -> Answer:
    """An answer from an extraction; its passage is listed first."""
    ordered = [best.hit] + [h for h in hits if h is not best.hit]
    result = Answer(question=query.raw, answered=True, answer=best.answer,
                    figures=best.figures, passages=ordered, message=citation(best.hit))
    if query.lang == "en":
        result.english = english_line(best.hit.meta, best.figures, best.answer)
    return result


def citation(hit: Hit) -> str:
    """'title | issuer | section | published yyyy-mm-dd'."""
    m = hit.meta
    parts = [m.title or hit.source]
    if m.issuer:
        parts.append(m.issuer)
    if hit.chunk.section:
        parts.append(hit.chunk.section)
    if m.publish_date:
        parts.append(f"published {m.publish_date}")
    return " | ".join(parts)
