"""The engine: open an index, ask questions, get answers. Orchestration only.

A question passes each stage once, in order:

1. parse (``query.parse``): place, years, terms, the kind of answer wanted;
2. plan (``query.plan``): an ordinary lookup, or a comparison across reports;
   a comparison is answered from the facts table (``answer.compare``), which
   names per side what is not indexed;
3. scope (``query.scope``): a place or year no indexed report covers is refused;
4. search (``rank.search``): dense + keyword passages of the right reports;
5. extract and render (``answer.lookup``): the clause that answers, with its
   citation and English line, or a refusal that says what the index holds;
   a list, summary or yes/no question gets its items or verdict, each cited
   (``answer.structured``), when the passages hold them.

>>> engine = Engine.open(Path("index"))                                  # doctest: +SKIP
>>> a = engine.ask("how many fines did Jinhua issue in 2020")            # doctest: +SKIP
>>> a.answer                                                             # doctest: +SKIP
'...行政处罚703次,罚款1584.66万元...'
>>> follow = engine.ask("and how many inspections?", context=a.context)  # doctest: +SKIP
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .answer import compare
from .answer.extract import idf_from_df
from .answer.lookup import answer_from_passages, refused
from .answer.structured import STRUCTURED, Library, structured_answer
from .index.backend import Facts, Index, IndexUnavailableError, ModelMismatchError, Reader, open_index
from .index.model import check_question_encoder, load_model
from .index.facts import Fact
from .query.measures import select as select_facts
from .query.parse import Query, QuestionError, parse_question
from .query.pinyin import PinyinWords, to_chinese, written_in_pinyin
from .query.plan import plan
from .query.regions import RegionTable
from .query.scope import Coverage, out_of_scope, soft_context_year
from .rank.search import query_text, search
from .records import Answer, Hit
from .settings import Settings
from .text.lexicon import has_han
from .text.tables import cached_table
from .text.tokenize import tokenize

log = logging.getLogger(__name__)

SEARCH_DEPTH = 10  # passages the extractor reads (and at least as many as are kept, GOVQA_TOP_K)
RELOAD_CHECK_SECONDS = 2.0  # how often ask() looks for a newly published index

__all__ = ["Engine", "QuestionError"]


class Engine:
    """Question answering over one index (a folder or Milvus: ``index.backend``).
    Thread-safe for ``ask``."""

    def __init__(self, index: Index, reader: Reader, settings: Settings):
        self.index = index
        self.settings = settings
        model = reader.manifest["model"]
        if settings.model and settings.model != model:
            raise ModelMismatchError(
                f"index {index.describe()} was built with model {model!r}, not {settings.model!r}: "
                f"use --model {model} or rebuild the index")
        self.embedder = load_model(model, settings)
        check_question_encoder(reader.manifest, self.embedder, index.describe())
        self._reload_lock = threading.Lock()
        self._snapshot = Snapshot.of(reader)
        self._checked_at = time.monotonic()
        self._refused: str | None = None  # a new generation that could not be loaded (said once)

    @classmethod
    def open(cls, root: Path | str | None = None, settings: Settings | None = None) -> "Engine":
        settings = settings or Settings.from_env()
        index = open_index(settings, root)
        return cls(index, index.open_reader(), settings)

    # ------------------------------------------------------------ state

    @property
    def reader(self) -> Reader:
        return self._snapshot.reader

    def reload(self) -> bool:
        """Switch to a newer published state if there is one. True if it did.

        The whole new snapshot (the folder: SQLite, FAISS, BM25, facts) is
        loaded before the switch; if any part cannot be read the old one
        stays live and the error (IndexDamagedError) is raised."""
        with self._reload_lock:
            self._checked_at = time.monotonic()
            live = self.index.live()
            if live is None or live == self._snapshot.reader.generation:
                return False
            snapshot = Snapshot.of(self.index.open_reader())
            # One assignment: questions in flight keep the snapshot they started with.
            self._snapshot = snapshot
            self._refused = None
            log.info("switched to index %s", live)
            return True

    def _maybe_reload(self) -> None:
        """Pick up a changed index without a restart (checked every few seconds)."""
        if time.monotonic() - self._checked_at < RELOAD_CHECK_SECONDS:
            return
        try:
            self.reload()
        except IndexUnavailableError as exc:  # the question that follows says so, if it cannot be answered
            log.warning("%s", exc)
        except Exception as exc:  # a broken new generation must not stop answers from the old one
            name = self._live_name()
            if name != self._refused:  # one line per broken generation, not one per question
                self._refused = name
                log.warning("could not switch to index generation %s, still answering from %s: %s",
                            name, self._snapshot.reader.generation, " ".join(str(exc).split()))

    def _live_name(self) -> str:
        try:
            return self.index.live() or "?"
        except Exception:  # the index cannot even say which state is live
            return "?"

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
        query = self._parse(question, snap, context)
        result = self._answer(query, snap)
        result.question = question
        result.context = query.context()
        result.scope = "; ".join(query.place_notes)
        result.elapsed_ms = (time.perf_counter() - started) * 1000
        return result

    def _parse(self, question: str, snap: "Snapshot", context: dict[str, Any] | None = None) -> Query:
        chinese = snap.pinyin_question(question)  # "jinhua 2020 fakuan duoshao" -> 金华市 2020 罚款 多少
        query = parse_question(chinese or question, snap.regions, vocabulary=snap.reader.knows,
                               max_chars=self.settings.max_question_chars)
        if chinese:
            query.raw = question
            query.place_notes.append(f"read as {chinese}")
        return soft_context_year(query.with_context(context), snap.coverage) if context else query

    def _answer(self, query: Query, snap: "Snapshot") -> Answer:
        request = plan(query)
        if request is not None:  # figures across reports, from the facts table
            comparison = compare.answer(query, snap.facts, snap.reader, request, snap.coverage.holdings)
            if comparison is not None:
                return comparison
        refusal = out_of_scope(query, snap.coverage, about_figures=request is not None)
        if refusal:
            return refused(query, refusal)
        vector = self.embedder.encode_queries([query_text(query)])[0]
        hits = search(snap.reader, query, vector, k=max(SEARCH_DEPTH, self.settings.top_k))

        def closeness(sentences: list[str]) -> list[float]:  # the dense model's say on close candidates
            return (self.embedder.encode_passages(sentences) @ vector).tolist()

        result = None
        if query.asks in STRUCTURED:  # a list, a summary, a yes/no; else the ordinary answer
            library = Library(snap.reader, snap.facts, snap.idf, snap.idf_ceiling, snap.coverage.holdings,
                              closeness)
            result = structured_answer(query, hits[:SEARCH_DEPTH], library)
        if result is None:
            result = answer_from_passages(query, hits[:SEARCH_DEPTH], snap.idf, snap.idf_ceiling,
                                          snap.coverage.holdings, rerank=closeness)
        result.passages = (result.passages + hits[SEARCH_DEPTH:])[: self.settings.top_k]
        return result

    def search(self, query: Query, reader: Reader | None = None) -> list[Hit]:
        """The top passages for a parsed question (``GOVQA_TOP_K``, at least ``SEARCH_DEPTH``)."""
        vector = self.embedder.encode_queries([query_text(query)])[0]
        return search(reader or self.reader, query, vector, k=max(SEARCH_DEPTH, self.settings.top_k))

    # ------------------------------------------------------------ facts across reports

    @property
    def facts_store(self) -> Facts:
        """The facts table of the live index generation."""
        return self._snapshot.facts

    def facts(self, measure: str | None = None, region: str | None = None,
              year: int | None = None) -> list[Fact]:
        """Reported figures, filtered: ``engine.facts("fines", "Jinhua", 2020)``.

        ``measure``: a measure name (罚款金额), its English name (fines) or words
        naming it (罚款); ``region``: any spelling of an indexed place. An unknown
        measure matches nothing.
        """
        snap = self._snapshot
        return select_facts(snap.facts, measure, region, year, snap.regions.canonical)

    def chart_for(self, answer: Answer) -> bytes | None:
        """PNG bar chart for a comparison answer (ranked list, table, two-sided);
        None for any other answer."""
        if not answer.answered or not answer.question:
            return None
        snap = self._snapshot
        return compare.chart_png(self._parse(answer.question, snap), snap.facts)


@dataclass
class Snapshot:
    """One generation of the index and everything questions derive from it.
    Replaced as a whole on reload, so a question never mixes two generations."""

    reader: Reader
    regions: RegionTable  # the indexed places in every spelling
    coverage: Coverage  # places and years the reports cover
    df: dict[str, int]  # chunks each token occurs in
    _pinyin: PinyinWords | None = None  # indexed words by their pinyin, made on the first pinyin question

    @classmethod
    def of(cls, reader: Reader) -> "Snapshot":
        """Everything loaded now (the folder: dense, keyword, facts), so a
        generation that cannot be read fails here, before it answers anything."""
        metas = [d.meta for d in reader.documents.values()]
        # describing every place (pinyin, CC-CEDICT, traditional forms) costs a new process ~0.3 s: kept on disk
        regions = cached_table("regions", lambda: RegionTable.from_metadata(metas), packages=["pypinyin", "opencc"],
                               inputs=repr(metas))
        regions.teach_tokenizer()
        snapshot = cls(reader, regions, Coverage.of(reader), reader.document_frequencies())
        reader.preload()
        return snapshot

    @property
    def facts(self) -> Facts:
        return self.reader.facts()

    def pinyin_question(self, question: str) -> str | None:
        """The question in Chinese when it is typed in pinyin (the index's words
        by their spelling are gathered on the first such question)."""
        if has_han(question) or not question.isascii() or not written_in_pinyin(question):
            return None  # English: the index's words by spelling (~0.3 s to gather) are not needed
        if self._pinyin is None:
            self._pinyin = PinyinWords(self.df)
        return to_chinese(question, self._pinyin, self.regions.match_key)

    @property
    def idf_ceiling(self) -> float:
        """idf of a term the index has never seen."""
        return idf_from_df(0, max(self.reader.size, 1))

    def idf(self, term: str) -> float | None:
        """Rarity of a term in the index (a term the tokenizer splits is as
        rare as its rarest part); None when the index never has it."""
        df = self.df.get(term.lower())
        if df is None:
            parts = [self.df[t] for t in tokenize(term) if t in self.df]
            if not parts:
                return None
            df = min(parts)
        return idf_from_df(df, max(self.reader.size, 1))
