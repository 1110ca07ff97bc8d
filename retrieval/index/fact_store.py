"""The facts table of a generation: ``facts.sqlite`` beside ``meta.sqlite``.

Reading: ``FactStore.open(gen)`` (or ``for_reader(reader)``, which falls back
to extracting in memory when a generation was built before facts existed);
``store.facts(measure=..., region=..., year=...)``.
"""
from __future__ import annotations

import json
import sqlite3
import threading
import weakref
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from ..records import Chunk, Document, metadata_from_dict, metadata_to_dict
from .facts import Fact, Report, extract_facts
from .generations import reading

if TYPE_CHECKING:  # pragma: no cover
    from .store import IndexReader

FACTS_FILE = "facts.sqlite"
FACTS_FORMAT = 1

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
    unit_borrowed INTEGER NOT NULL, chunk_id INTEGER NOT NULL, position INTEGER NOT NULL,
    page INTEGER                   -- page of a paged source; NULL otherwise (and absent in older files)
);
CREATE INDEX facts_measure ON facts(measure);
CREATE INDEX facts_doc ON facts(doc_id, position);
"""
_COLUMNS = ("fact_id", "doc_id", "region", "parent_region", "year", "section", "sentence", "text",
            "value", "unit", "base_value", "base_unit", "label", "measure", "approx", "approx_word",
            "scope", "scope_word", "unit_borrowed", "chunk_id", "position", "page")


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
              f.scope, f.scope_word, int(f.unit_borrowed), f.chunk_id, f.position, f.page)
             for i, f in enumerate(facts)])


# ================================================================ reading


class FactStore:
    """Read-only facts of one generation; safe to share between threads.

    >>> store = FactStore.open(Path("index/gen-..."))               # doctest: +SKIP
    >>> [f.text for f in store.facts(measure="罚款金额", region="金华市")]  # doctest: +SKIP
    ['1584.66万元']
    """

    def __init__(self, con: sqlite3.Connection, gen: Path | None = None):
        self._con = con
        self._con.row_factory = sqlite3.Row  # rows are read by column name
        self._lock = threading.Lock()
        self._gen = gen  # None in memory; else a damaged file is reported as such
        present = {r["name"] for r in self._query("PRAGMA table_info(facts)")}
        self._columns = [c for c in _COLUMNS if c in present]  # files written before pages have no page
        self.reports: dict[str, Report] = self._load_reports()

    @classmethod
    def open(cls, gen: Path) -> "FactStore":
        """The facts file of generation folder ``gen`` (read-only)."""
        path = gen / FACTS_FILE
        if not path.exists():
            raise FileNotFoundError(f"{path}: no facts table in this generation")
        with reading(gen, FACTS_FILE):
            return cls(sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False), gen)

    @classmethod
    def in_memory(cls, reports: Sequence[Report], chunks: Iterable[tuple[int, Chunk]]) -> "FactStore":
        """Facts extracted now and kept in memory (index built before facts existed, tests)."""
        con = sqlite3.connect(":memory:", check_same_thread=False)
        _fill(con, reports, extract_facts(reports, chunks))
        return cls(con)

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._lock, (reading(self._gen, FACTS_FILE) if self._gen else nullcontext()):
            return self._con.execute(sql, params).fetchall()

    def _load_reports(self) -> dict[str, Report]:
        rows = self._query("SELECT doc_id, source, meta FROM reports ORDER BY rowid")
        return {r["doc_id"]: Report(r["doc_id"], r["source"], metadata_from_dict(json.loads(r["meta"]))) for r in rows}

    def __len__(self) -> int:
        return int(self._query("SELECT COUNT(*) AS n FROM facts")[0]["n"])

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
        sql = f"SELECT {', '.join(self._columns)} FROM facts"
        if where:
            sql += " WHERE " + " AND ".join(where)
        order = {d: i for i, d in enumerate(self.reports)}
        facts = [_row_fact(r) for r in self._query(sql, params)]
        return sorted(facts, key=lambda f: (order.get(f.doc_id, len(order)), f.position))

    def reports_in(self, region: str | None = None, year: int | None = None) -> list[Report]:
        """Reports of a region (or its parent) and year, in index order."""
        return select_reports(self.reports, region, year)

    def measures(self) -> list[tuple[str, int]]:
        """(measure, number of facts) for every measure found, most frequent first."""
        rows = self._query("SELECT measure, COUNT(*) AS n FROM facts WHERE measure != '' "
                           "GROUP BY measure ORDER BY COUNT(*) DESC, measure")
        return [(r["measure"], int(r["n"])) for r in rows]

    def close(self) -> None:
        with self._lock:
            self._con.close()


def select_reports(reports: dict[str, Report], region: str | None = None, year: int | None = None) -> list[Report]:
    """Reports of a place (theirs, one above it, or one they name) and year, in index order
    (every back end's rule)."""
    return [r for r in reports.values()
            if (not region or region in r.meta.places())
            and (not year or r.meta.year == year)]


def _row_fact(row: sqlite3.Row) -> Fact:
    d = {name: row[name] for name in row.keys()}
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
