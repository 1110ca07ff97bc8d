"""The facts table: every figure a report states, with what it counts.

At indexing time each sentence's figures (``figures.find_figures``) become
*facts*: region, year, document, section, sentence, the value as written and
in base units (1584.66万元 -> 15,846,600 元), the normalised measure
(``measures.tsv``: 罚款金额 "fines"), and qualifiers (approximate: 余/近/约;
scope: 全市 = the whole region, 本局 = the bureau itself). They are written to
``facts.sqlite`` inside the generation folder, beside (never inside) the main
``meta.sqlite``, so the main schema stays as it is.

>>> from retrieval.records import Chunk, Metadata
>>> meta = Metadata(title="某市应急管理局报告", region="金华市", year=2020)
>>> chunk = Chunk("d1", 0, "一、主要工作", "全市行政处罚703次,罚款1584.66万元。",
...               ["全市行政处罚703次,罚款1584.66万元。"])
>>> [(f.measure, f.base_value, f.base_unit, f.scope)
...  for f in extract_facts([Report("d1", "a.txt", meta)], [(0, chunk)])]
[('行政处罚次数', 703.0, '次', '全市'), ('罚款金额', 15846600.0, '元', '全市')]

Reading: ``FactStore.open(gen)`` (or ``for_reader(reader)``, which falls back
to extracting in memory when a generation was built before facts existed);
``store.facts(measure=..., region=..., year=...)``; ``select`` does the same
for names as people write them ("fines", "Jinhua"); ``resolve_measure`` turns
"fines", "罚款" or "罚款金额" into the measure name.
"""
from __future__ import annotations

import json
import re
import sqlite3
import threading
import weakref
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

from .figures import classify_measure, find_figures, measure_english, measures, to_base
from .records import Chunk, Document, Figure, Metadata

if TYPE_CHECKING:  # pragma: no cover
    from .store import IndexReader

FACTS_FILE = "facts.sqlite"
FACTS_FORMAT = 1

__all__ = ["Fact", "Report", "FactStore", "extract_facts", "write_facts", "for_reader", "select",
           "resolve_measure", "question_measures", "scope_of", "FACTS_FILE"]


# ================================================================ records


@dataclass
class Report:
    """One indexed report as the facts table knows it."""

    doc_id: str
    source: str
    meta: Metadata = field(default_factory=Metadata)

    def label(self) -> str:
        """Place (with its parent when the name needs it) and year: 天津市静海区 2019.

        >>> Report("d", "s", Metadata(region="静海区", parent_region="天津市", year=2019)).label()
        '天津市静海区 2019'
        """
        m = self.meta
        place = m.region or m.issuer or m.title[:20] or self.source
        if m.parent_region and m.region and not m.region.startswith(m.parent_region):
            place = m.parent_region + m.region
        return f"{place} {m.year}" if m.year else place


@dataclass
class Fact:
    """One reported figure of one report."""

    doc_id: str
    region: str
    year: int | None
    section: str
    sentence: str
    text: str  # the figure as written: "1584.66万元"
    value: float  # 1584.66
    unit: str  # 万元 (as written)
    base_value: float  # 15846600.0
    base_unit: str  # 元
    label: str  # what the sentence says is counted: 罚款
    measure: str = ""  # normalised: 罚款金额 ("" when no measure fits)
    approx: bool = False
    approx_word: str = ""  # 余 / 近 / 约 / 多 / 以上 / 超过 ...
    scope: str = ""  # 全市 (the whole region) / 本局 (the bureau) / ""
    scope_word: str = ""  # as written: 全区, 我局, 各县(市、区) ...
    unit_borrowed: bool = False  # unit missing in the text, taken from the figure before
    chunk_id: int = -1  # the chunk (= passage) the sentence is in
    position: int = 0  # order of the fact in its report
    parent_region: str = ""
    fact_id: int = -1

    @property
    def measure_en(self) -> str:
        """English name of the measure ('' when none)."""
        return measure_english(self.measure) or "" if self.measure else ""

    def figure(self) -> Figure:
        """The fact as a records.Figure (for answers)."""
        return Figure(self.value, self.unit, self.label, self.text, self.approx)

    def qualifiers(self) -> list[str]:
        """Human words for the qualifiers: ['约 (approximate)', '全市'].

        >>> Fact("d", "r", 2020, "", "", "近百人", 100, "人", 100, "人", "x", approx=True,
        ...      approx_word="近", scope="全市", scope_word="全县").qualifiers()
        ['近 (approximate)', '全县 (whole region)']
        """
        out = []
        if self.approx:
            out.append(f"{self.approx_word or '约'} (approximate)")
        if self.scope:
            out.append(f"{self.scope_word} ({'whole region' if self.scope == '全市' else 'the bureau itself'})")
        if self.unit_borrowed:
            out.append(f"unit {self.unit} from the figure before")
        return out

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["measure_en"] = self.measure_en
        return d


# ================================================================ extraction

# Markers of scope: the whole region (全市, 我县, 各区市) or the bureau itself (我局).
_REGION_SCOPE = re.compile(r"全[市区县省州旗盟镇乡]|[我本][市区县省州旗]|各区市|各县市区|各县\(市、区\)|各乡\(?镇\)?")
_BUREAU_SCOPE = re.compile(r"[我本]局|局机关|局党委|[市区县]应急(?:管理)?局")
_TITLE = re.compile(r"《[^《》]*》?")
_APPROX_WORD = re.compile(r"^(将近|接近|大约|超过|近|约|逾)|(左右|以上|上下|余|多)")


def scope_of(before: str) -> tuple[str, str]:
    """(scope, marker) from the sentence text before a figure: the nearest marker wins.

    >>> scope_of("2019年,全区共检查企事业单位")
    ('全市', '全区')
    >>> scope_of("全市工作中,我局采购执法记录")
    ('本局', '我局')
    >>> scope_of("组织开展防汛安全检查,排查场所")
    ('', '')
    >>> scope_of("制定了《金华市应急管理局开展示范创建活动的实施方案》,细化创建")
    ('', '')
    """
    before = _TITLE.sub(lambda m: " " * len(m.group()), before)  # 《金华市应急管理局…方案》 is a name
    best: tuple[int, str, str] = (-1, "", "")
    for pattern, scope in ((_REGION_SCOPE, "全市"), (_BUREAU_SCOPE, "本局")):
        for m in pattern.finditer(before):
            if m.start() > best[0]:
                best = (m.start(), scope, m.group())
    return best[1], best[2]


def approx_word(figure_text: str) -> str:
    """The approximation marker of a figure as written: 近百人 -> 近, 450余名 -> 余."""
    m = _APPROX_WORD.search(figure_text)
    return (m.group(1) or m.group(2)) if m else ""


def extract_facts(reports: Sequence[Report], chunks: Iterable[tuple[int, Chunk]]) -> list[Fact]:
    """Every fact of every sentence of ``chunks`` ((chunk_id, chunk) pairs).

    A sentence repeated by overlapping chunk windows gives its facts once;
    ``position`` numbers facts in document order within each report.
    """
    by_id = {r.doc_id: r for r in reports}
    seen: set[tuple[str, str]] = set()
    positions: dict[str, int] = {}
    facts: list[Fact] = []
    for chunk_id, chunk in chunks:
        report = by_id.get(chunk.doc_id)
        if report is None:
            continue
        for sentence in chunk.sentences or [chunk.text]:
            if (chunk.doc_id, sentence) in seen:
                continue
            seen.add((chunk.doc_id, sentence))
            for fact in sentence_facts(sentence, report, chunk.section, chunk_id):
                fact.position = positions.get(chunk.doc_id, 0)
                positions[chunk.doc_id] = fact.position + 1
                facts.append(fact)
    return facts


def sentence_facts(sentence: str, report: Report, section: str = "", chunk_id: int = -1) -> list[Fact]:
    """The facts of one sentence of ``report``.

    >>> r = Report("d", "s", Metadata(region="金华市", year=2020))
    >>> [(f.text, f.unit, f.measure, f.unit_borrowed)
    ...  for f in sentence_facts("发现问题隐患51560项,现场帮扶整改46932。", r)]
    [('51560项', '项', '排查隐患数', False), ('46932', '项', '整改隐患数', True)]
    """
    facts: list[Fact] = []
    cursor = 0
    previous: Figure | None = None
    for fig in find_figures(sentence):
        at = sentence.find(fig.text, cursor) if fig.text else -1
        start = at if at >= 0 else cursor
        cursor = start + len(fig.text) if at >= 0 else cursor
        fig, borrowed = _with_unit(fig, previous, sentence[start - 1:start] if start else "")
        facts.append(_fact(fig, borrowed, sentence, start, report, section, chunk_id))
        previous = fig
    return facts


def _with_unit(fig: Figure, previous: Figure | None, char_before: str) -> tuple[Figure, bool]:
    """A unit-less count right after a counted figure, in the next clause, takes
    its unit: 发现问题隐患51560项,现场帮扶整改46932 -> 46932项 (the report left
    the unit out). Percentages, money and measures are never lent."""
    from .figures import unit_info

    if fig.unit or previous is None or not previous.unit:
        return fig, False
    info = unit_info(previous.unit)
    if info is None or info.kind != "classifier" or char_before in "0123456789.":
        return fig, False
    return Figure(fig.value, previous.unit, fig.label, fig.text, fig.approx), True


def _fact(fig: Figure, borrowed: bool, sentence: str, start: int, report: Report,
          section: str, chunk_id: int) -> Fact:
    base_value, base_unit = to_base(fig)
    scope, marker = scope_of(sentence[:start])
    meta = report.meta
    return Fact(
        doc_id=report.doc_id, region=meta.region, year=meta.year, section=section,
        sentence=sentence, text=fig.text, value=float(fig.value), unit=fig.unit,
        base_value=base_value, base_unit=base_unit, label=fig.label,
        measure=classify_measure(fig) or "", approx=fig.approx,
        approx_word=approx_word(fig.text) if fig.approx else "", scope=scope, scope_word=marker,
        unit_borrowed=borrowed, chunk_id=chunk_id, parent_region=meta.parent_region,
    )


# ================================================================ writing

_SCHEMA = """
CREATE TABLE info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE reports (
    doc_id TEXT PRIMARY KEY, source TEXT NOT NULL, meta TEXT NOT NULL,  -- JSON of records.Metadata
    region TEXT, parent_region TEXT, year INTEGER
);
CREATE TABLE facts (
    fact_id INTEGER PRIMARY KEY, doc_id TEXT NOT NULL REFERENCES reports(doc_id),
    region TEXT, parent_region TEXT, year INTEGER, section TEXT NOT NULL, sentence TEXT NOT NULL,
    text TEXT NOT NULL, value REAL NOT NULL, unit TEXT NOT NULL,
    base_value REAL NOT NULL, base_unit TEXT NOT NULL, label TEXT NOT NULL, measure TEXT NOT NULL,
    approx INTEGER NOT NULL, approx_word TEXT NOT NULL, scope TEXT NOT NULL, scope_word TEXT NOT NULL,
    unit_borrowed INTEGER NOT NULL, chunk_id INTEGER NOT NULL, position INTEGER NOT NULL
);
CREATE INDEX facts_measure ON facts(measure);
CREATE INDEX facts_doc ON facts(doc_id, position);
"""
_COLUMNS = ("fact_id", "doc_id", "region", "parent_region", "year", "section", "sentence", "text",
            "value", "unit", "base_value", "base_unit", "label", "measure", "approx", "approx_word",
            "scope", "scope_word", "unit_borrowed", "chunk_id", "position")


def write_facts(gen: Path, docs: Sequence[Document], chunks: Sequence[Chunk]) -> int:
    """Extract the facts of ``docs`` and write ``gen/facts.sqlite``; chunk ids are
    positions in ``chunks`` (as in ``store.write_generation``). Returns the count."""
    reports = [Report(d.doc_id, d.source, d.meta) for d in docs]
    facts = extract_facts(reports, enumerate(chunks))
    con = sqlite3.connect(gen / FACTS_FILE)
    try:
        _fill(con, reports, facts)
    finally:
        con.close()
    return len(facts)


def _fill(con: sqlite3.Connection, reports: Sequence[Report], facts: Sequence[Fact]) -> None:
    from .records import metadata_to_dict

    with con:
        con.executescript(_SCHEMA)
        con.execute("INSERT INTO info VALUES ('format', ?)", (str(FACTS_FORMAT),))
        con.executemany(
            "INSERT INTO reports VALUES (?,?,?,?,?,?)",
            [(r.doc_id, r.source, json.dumps(metadata_to_dict(r.meta), ensure_ascii=False),
              r.meta.region, r.meta.parent_region, r.meta.year) for r in reports])
        marks = ",".join("?" * len(_COLUMNS))
        con.executemany(
            f"INSERT INTO facts VALUES ({marks})",
            [(i, f.doc_id, f.region, f.parent_region, f.year, f.section, f.sentence, f.text, f.value,
              f.unit, f.base_value, f.base_unit, f.label, f.measure, int(f.approx), f.approx_word,
              f.scope, f.scope_word, int(f.unit_borrowed), f.chunk_id, f.position)
             for i, f in enumerate(facts)])


# ================================================================ reading


class FactStore:
    """Read-only facts of one generation; safe to share between threads.

    >>> store = FactStore.open(Path("index/gen-..."))               # doctest: +SKIP
    >>> [f.text for f in store.facts(measure="罚款金额", region="金华市")]  # doctest: +SKIP
    ['1584.66万元']
    """

    def __init__(self, con: sqlite3.Connection):
        self._con = con
        self._lock = threading.Lock()
        self.reports: dict[str, Report] = self._load_reports()

    @classmethod
    def open(cls, gen: Path) -> "FactStore":
        """The facts file of generation folder ``gen`` (read-only)."""
        path = gen / FACTS_FILE
        if not path.exists():
            raise FileNotFoundError(f"{path}: no facts table in this generation")
        return cls(sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False))

    @classmethod
    def in_memory(cls, reports: Sequence[Report], chunks: Iterable[tuple[int, Chunk]]) -> "FactStore":
        """Facts extracted now and kept in memory (index built before facts existed, tests)."""
        con = sqlite3.connect(":memory:", check_same_thread=False)
        _fill(con, reports, extract_facts(reports, chunks))
        return cls(con)

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        with self._lock:
            return self._con.execute(sql, params).fetchall()

    def _load_reports(self) -> dict[str, Report]:
        from .records import metadata_from_dict

        rows = self._query("SELECT doc_id, source, meta FROM reports ORDER BY rowid")
        return {r[0]: Report(r[0], r[1], metadata_from_dict(json.loads(r[2]))) for r in rows}

    def __len__(self) -> int:
        return int(self._query("SELECT COUNT(*) FROM facts")[0][0])

    def facts(self, measure: str | None = None, region: str | None = None, year: int | None = None,
              doc_id: str | None = None) -> list[Fact]:
        """Facts matching every filter given, in report order then document order.

        ``region`` matches a report's region or its parent (天津市 finds 静海区);
        ``measure`` is a measure name (see ``resolve_measure`` for other spellings).
        """
        where, params = [], []
        if measure:
            where.append("measure = ?")
            params.append(measure)
        if region:
            where.append("(region = ? OR parent_region = ?)")
            params += [region, region]
        if year:
            where.append("year = ?")
            params.append(int(year))
        if doc_id:
            where.append("doc_id = ?")
            params.append(doc_id)
        sql = f"SELECT {', '.join(_COLUMNS)} FROM facts"
        if where:
            sql += " WHERE " + " AND ".join(where)
        order = {d: i for i, d in enumerate(self.reports)}
        facts = [_row_fact(r) for r in self._query(sql, params)]
        return sorted(facts, key=lambda f: (order.get(f.doc_id, len(order)), f.position))

    def reports_in(self, region: str | None = None, year: int | None = None) -> list[Report]:
        """Reports of a region (or its parent) and year, in index order."""
        return [r for r in self.reports.values()
                if (not region or region in (r.meta.region, r.meta.parent_region))
                and (not year or r.meta.year == year)]

    def measures(self) -> list[tuple[str, int]]:
        """(measure, number of facts) for every measure found, most frequent first."""
        rows = self._query("SELECT measure, COUNT(*) FROM facts WHERE measure != '' "
                           "GROUP BY measure ORDER BY COUNT(*) DESC, measure")
        return [(r[0], int(r[1])) for r in rows]

    def close(self) -> None:
        with self._lock:
            self._con.close()


def _row_fact(row: tuple) -> Fact:
    d = dict(zip(_COLUMNS, row))
    d["approx"] = bool(d["approx"])
    d["unit_borrowed"] = bool(d["unit_borrowed"])
    return Fact(**d)


_STORES: "weakref.WeakKeyDictionary[Any, FactStore]" = weakref.WeakKeyDictionary()
_STORES_LOCK = threading.Lock()


def for_reader(reader: "IndexReader") -> FactStore:
    """The facts of the generation ``reader`` reads, opened once per reader.

    A generation written before the facts table existed has no facts.sqlite:
    its facts are then extracted from the stored chunks, in memory.
    """
    with _STORES_LOCK:
        store = _STORES.get(reader)
        if store is None:
            store = _open_for(reader)
            _STORES[reader] = store
        return store


def _open_for(reader: "IndexReader") -> FactStore:
    try:
        return FactStore.open(reader.path)
    except FileNotFoundError:
        reports = [Report(d.doc_id, d.source, d.meta) for d in reader.documents.values()]
        return FactStore.in_memory(reports, ((c.chunk_id, c) for c, _, _ in reader.iter_chunks()))


def select(store: FactStore, measure: str | None = None, region: str | None = None,
           year: int | None = None, canonical: "Callable[[str], str | None] | None" = None) -> list[Fact]:
    """Facts filtered the way people ask: measure by any name ("fines", 罚款,
    罚款金额), region by any spelling ``canonical`` knows ("Jinhua" -> 金华市).
    An unknown measure matches nothing.
    """
    name = resolve_measure(measure) if measure else None
    if measure and name is None:
        return []
    place = ((canonical(region) if canonical else None) or region) if region else None
    return store.facts(measure=name, region=place, year=year)


# ================================================================ measures by name


def question_measures(text: str) -> list[str]:
    """Measures a question names, best first.

    Chinese: the measure's own name wins (行政处罚次数), then the longest of its
    label keywords or question words found (罚款 -> 罚款金额). English: the
    longest match of the measure's ``ask_en`` pattern (fines -> 罚款金额,
    "hazards rectified" beats "hazards").

    >>> question_measures("各地行政处罚次数对比")[0]
    '行政处罚次数'
    >>> question_measures("罚款最多的是哪个地区?")[0]
    '罚款金额'
    >>> question_measures("Which city fined the most?")[0]
    '罚款金额'
    >>> question_measures("Which city had the most hazards rectified?")[0]
    '整改隐患数'
    >>> question_measures("what is the capital of France")
    []
    """
    low = text.lower()
    scored: list[tuple[int, int, str]] = []
    for order, m in enumerate(measures()):
        score = _zh_score(m, text)
        if m.ask_en:
            hits = [len(x.group()) for x in re.finditer(rf"\b(?:{m.ask_en})\b", low)]
            score = max([score, *hits])
        if score:
            scored.append((-score, order, m.name))
    return [name for _, _, name in sorted(scored)]


def _zh_score(m: Any, text: str) -> int:
    """How well a Chinese question names measure ``m`` (0: not at all)."""
    if m.name in text:
        return 100 + len(m.name)
    if any(w in text for w in m.excludes):
        return 0
    words = [len("".join(g)) for g in m.keywords if all(w in text for w in g)]
    words += [len(w) for w in m.ask_zh if w in text]
    return max(words, default=0)


def resolve_measure(name: str) -> str | None:
    """The measure a user means: its name, its English name, or words naming it.

    >>> resolve_measure("fines"), resolve_measure("罚款"), resolve_measure("检查单位数")
    ('罚款金额', '罚款金额', '检查单位数')
    >>> resolve_measure("no such thing") is None
    True
    """
    name = name.strip()
    for m in measures():
        if name == m.name or name.lower() == m.english.lower():
            return m.name
    found = question_measures(name)
    return found[0] if found else None
