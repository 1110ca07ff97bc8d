"""Reading one published state of the Milvus back end (``backend.Reader``).

A state is (generation, epoch): every search and query is filtered on
``epoch <= E`` and on the removal markers visible at E, so rows a writer is
still adding (epoch E+1) or a removal not yet published are never seen.
Searches run on Milvus's side: FLAT/IP for vectors, its BM25 function over our
own tokens (same k1, b and statistics as bm25s: the lists equal the folder's),
filters as expressions; the ranker fuses the two lists itself (``rank.search``).
"""
from __future__ import annotations

import json
import threading
from dataclasses import fields
from typing import TYPE_CHECKING, Any, Iterator, Sequence

import numpy as np

from ..records import Chunk, metadata_from_dict
from .backend import Ranked
from .fact_store import select_reports
from .facts import Fact, Report
from .keyword import token_parts
from .milvus_client import BM25_K1, PARTS
from .milvus_write import place_keys
from .store import StoredDocument

if TYPE_CHECKING:  # pragma: no cover
    from .milvus import MilvusIndex

CHUNK_FIELDS = ["chunk_id", "doc_id", "ordinal", "section", "text", "sentences", "extra"]
DOC_FIELDS = ["doc_id", "source", "url", "meta", "chunks", "first_chunk", "years", "added_at", "epoch"]
ID_BATCH = 1_000  # ids per "in [...]" expression
_CHUNK_FIELDS = {f.name for f in fields(Chunk)}
_FACT_FIELDS = {f.name for f in fields(Fact)}


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _chunk(row: dict[str, Any]) -> Chunk:
    extra = {k: v for k, v in (row.get("extra") or {}).items() if k in _CHUNK_FIELDS}
    return Chunk(doc_id=row["doc_id"], ordinal=row["ordinal"], section=row["section"], text=row["text"],
                 sentences=list(row["sentences"] or []), chunk_id=row["chunk_id"], **extra)


def visible_expr(epoch: int, markers: Sequence[str], generation: str) -> str:
    """Rows a reader of ``epoch`` sees: added by then and not removed by then.

    A marker ``removed:<gen>:<R>:<doc>`` hides that document's rows of epochs
    <= R (it may be added again later). Written without ``not (...)``, which
    Lite 2.5.1 refuses.

    >>> visible_expr(3, ["removed:g1:000000002:ab", "removed:g1:000000004:cd"], "g1")
    'epoch <= 3 and (epoch > 2 or doc_id not in ["ab"])'
    """
    hidden: dict[int, list[str]] = {}
    for key in markers:
        _, gen, at, doc_id = key.split(":", 3)
        if gen == generation and int(at) <= epoch:
            hidden.setdefault(int(at), []).append(doc_id)
    return " and ".join([f"epoch <= {epoch}"] + [
        f"(epoch > {at} or doc_id not in {json.dumps(sorted(ids))})" for at, ids in sorted(hidden.items())])


class MilvusReader:
    """One (generation, epoch) of a Milvus index, read-only, thread-safe."""

    def __init__(self, index: "MilvusIndex", state: dict[str, Any], manifest: dict[str, Any],
                 markers: Sequence[str]):
        self.index, self.db = index, index.db
        self.state, self.manifest = state, manifest
        self.epoch = int(state["epoch"])
        self.gen = state["generation"]
        self.generation = f"{self.gen}/{self.epoch}"
        self.size = int(state["chunks"])
        self.visible = visible_expr(self.epoch, markers, self.gen)
        self._chunks = self.db.name(self.gen, "chunks")
        rows = self.db.rows(self.db.name(self.gen, "docs"), self.visible, DOC_FIELDS)
        rows.sort(key=lambda r: r["first_chunk"])  # index order, as the folder's
        self.documents = {r["doc_id"]: StoredDocument(r["doc_id"], r["source"], metadata_from_dict(r["meta"]),
                                                      r["chunks"], r["added_at"], r["url"]) for r in rows}
        self._years = {r["doc_id"]: tuple(r["years"] or ()) for r in rows}
        self._doc_ids = list(self.documents)
        self._doc_pos = {d: i for i, d in enumerate(self._doc_ids)}
        self._keys = [place_keys(d.meta) for d in self.documents.values()]  # what the regions field holds
        self._by_key: dict[str, list[int]] = {}
        for i, keys in enumerate(self._keys):
            for key in keys:
                self._by_key.setdefault(key, []).append(i)
        self._report_years = np.array([d.meta.year or 0 for d in self.documents.values()], dtype=np.int64)
        self._facts: MilvusFacts | None = None
        self._parts: set[str] | None = None  # heads and tails of the tokens, made on first use
        self._lock = threading.Lock()

    # ------------------------------------------------------------ searches

    def mask_expr(self, mask: np.ndarray | None) -> str | None:
        """A document mask as a filter expression: '' = every document, None =
        none. A mask that is one place (with or without the reports whose place
        could not be read, with or without their years) becomes a filter on the
        ``regions`` and ``year`` fields, checked against the mask itself; any
        other mask, a list of document ids."""
        if mask is None:
            return ""
        mask = np.asarray(mask, dtype=bool)
        allowed = np.flatnonzero(mask)
        if len(allowed) == len(self._doc_ids):
            return ""
        if len(allowed) == 0:
            return None
        placed = next((i for i in allowed if "" not in self._keys[i]), allowed[0])  # a report whose place was read
        years = sorted(set(self._report_years[allowed].tolist()))
        for place in self._keys[placed]:
            for names in ([place], [place, ""]) if place else ([place],):
                by_place = np.zeros(len(mask), dtype=bool)
                by_place[[i for name in names for i in self._by_key.get(name, [])]] = True
                expr = f"array_contains_any(regions, {json.dumps(names, ensure_ascii=False)})"
                if np.array_equal(by_place, mask):
                    return expr
                if np.array_equal(by_place & np.isin(self._report_years, years), mask):
                    return f"{expr} and year in {years}"
        return f"doc_id in {json.dumps([self._doc_ids[i] for i in allowed])}"

    def _search(self, data: Any, field: str, metric: str, k: int, mask: np.ndarray | None) -> list[Any]:
        extra = self.mask_expr(mask)
        if extra is None or k <= 0:
            return []
        expr = f"{self.visible} and {extra}" if extra else self.visible
        return self.db.call("search", self._chunks, data=[data], anns_field=field, limit=min(k, 16_384),
                            filter=expr, output_fields=["doc_id"], search_params={"metric_type": metric})[0]

    def _ranked(self, hits: list[tuple[float, int, str]]) -> Ranked:
        """(score, chunk id, doc id) -> best first, ties by ascending chunk id."""
        hits.sort(key=lambda h: (-h[0], h[1]))
        return Ranked(np.array([h[1] for h in hits], dtype=np.int64), np.array([h[0] for h in hits], dtype=np.float32),
                      np.array([self._doc_pos[h[2]] for h in hits], dtype=np.int64))

    def search_dense(self, vector: np.ndarray, k: int, mask: np.ndarray | None = None) -> Ranked:
        hits = self._search(np.asarray(vector, dtype=np.float32).tolist(), "vector", "IP", k, mask)
        return self._ranked([(float(h["distance"]), int(h["id"]), h["entity"]["doc_id"]) for h in hits])

    def search_keywords(self, tokens: Sequence[str], k: int, mask: np.ndarray | None = None) -> Ranked:
        """Milvus's BM25 over our tokens. Its score is (k1 + 1) times bm25s's,
        so it is divided back: keyword scores read the same on both back ends."""
        text = " ".join(dict.fromkeys(t for t in tokens if t.strip()))
        if not text or self.size == 0:
            return self._ranked([])
        hits = self._search(text, "sparse", "BM25", k, mask)
        return self._ranked([(float(h["distance"]) / (BM25_K1 + 1), int(h["id"]), h["entity"]["doc_id"])
                             for h in hits if h["distance"] > 0])

    # ------------------------------------------------------------ rows

    def _by_ids(self, ids: Sequence[int], fields_: list[str]) -> dict[int, dict[str, Any]]:
        out: dict[int, dict[str, Any]] = {}
        for start in range(0, len(ids), ID_BATCH):
            part = [int(i) for i in ids[start:start + ID_BATCH]]
            for row in self.db.call("query", self._chunks, filter=f"chunk_id in {part}", output_fields=fields_):
                out[int(row["chunk_id"])] = row
        return out

    def chunks(self, chunk_ids: Sequence[int]) -> list[Chunk]:
        ids = [int(i) for i in chunk_ids]
        rows = self._by_ids(ids, CHUNK_FIELDS) if ids else {}
        return [_chunk(rows[i]) for i in ids if i in rows]

    def vectors(self, chunk_ids: Sequence[int]) -> np.ndarray:
        ids = [int(i) for i in chunk_ids]
        rows = self._by_ids(ids, ["chunk_id", "vector"]) if ids else {}
        dim = int(self.manifest["dimension"])
        return np.array([rows[i]["vector"] for i in ids], dtype=np.float32).reshape(len(ids), dim)

    def vectors_by_key(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], np.ndarray]:
        wanted = set(keys)
        hashes = sorted({h for _, h in wanted})
        found: dict[tuple[str, str], np.ndarray] = {}
        for start in range(0, len(hashes), ID_BATCH):
            expr = f"{self.visible} and text_hash in {json.dumps(hashes[start:start + ID_BATCH])}"
            for row in self.db.rows(self._chunks, expr, ["section", "text_hash", "vector"]):
                key = (row["section"], row["text_hash"])
                if key in wanted:
                    found.setdefault(key, np.asarray(row["vector"], dtype=np.float32))
        return found

    def iter_chunks(self) -> Iterator[tuple[Chunk, str, list[str]]]:
        rows = self.db.rows(self._chunks, self.visible, CHUNK_FIELDS + ["text_hash", "tokens"])
        for row in sorted(rows, key=lambda r: r["chunk_id"]):
            yield _chunk(row), row["text_hash"], row["tokens"].split()

    def document_text(self, doc_id: str) -> str:
        expr = f"{self.visible} and doc_id == {_quote(doc_id)}"
        rows = self.db.rows(self.db.name(self.gen, "texts"), expr, ["page", "text", "epoch"])
        newest = max((r["epoch"] for r in rows), default=0)  # a document added again after a removal
        return "".join(r["text"] for r in sorted(rows, key=lambda r: r["page"]) if r["epoch"] == newest)

    def document_chunks(self, doc_id: str) -> list[Chunk]:
        rows = self.db.rows(self._chunks, f"{self.visible} and doc_id == {_quote(doc_id)}", CHUNK_FIELDS)
        return [_chunk(r) for r in sorted(rows, key=lambda r: r["chunk_id"])]

    def document_pages(self, doc_id: str) -> list[tuple[int, int]]:
        """[]: Milvus keeps no page offsets of a text (each chunk keeps its page)."""
        return []

    def document_years(self) -> dict[str, tuple[int, ...]]:
        return self._years

    def document_frequencies(self) -> dict[str, int]:
        return self.index.document_frequencies(self.gen, self.epoch)

    def knows(self, term: str) -> bool:
        """As the folder's: a token, or the head or tail of one (``keyword.token_parts``)."""
        term = term.lower()
        df = self.document_frequencies()
        if term in df:
            return True
        with self._lock:
            if self._parts is None:
                self._parts = token_parts(df)
        return term in self._parts

    def facts(self) -> "MilvusFacts":
        with self._lock:
            if self._facts is None:
                self._facts = MilvusFacts(self)
            return self._facts

    def preload(self) -> None:
        """Nothing to load: the server holds the collections (``facts`` counts them once)."""
        len(self.facts())

    def close(self) -> None:
        """Nothing to release: the client belongs to the index (shared by its readers)."""

    # ------------------------------------------------------------ verify

    def check(self) -> list[str]:
        """Every disagreement between the live state, the manifest and the collections."""
        problems: list[str] = []
        names = set(self.db.call("list_collections"))
        missing = [p for p in PARTS if self.db.name(self.gen, p) not in names]
        if missing:
            return [f"generation {self.gen} lacks its collections: {', '.join(missing)}"]
        vector = next(f for f in self.db.call("describe_collection", self._chunks)["fields"] if f["name"] == "vector")
        if int(vector["params"]["dim"]) != int(self.manifest.get("dimension", 0)):
            problems.append(f"vectors are {vector['params']['dim']}-d, the manifest says {self.manifest.get('dimension')}")
        per_doc: dict[str, int] = {}
        rows = self.db.rows(self._chunks, self.visible, ["chunk_id", "doc_id"])
        for row in rows:
            per_doc[row["doc_id"]] = per_doc.get(row["doc_id"], 0) + 1
        expected = {"chunks": (len(rows), self.size),
                    "documents": (len(self.documents), int(self.state["documents"])),
                    "facts": (self.db.count(self.db.name(self.gen, "facts"), self.visible), int(self.state["facts"]))}
        for what, (held, said) in expected.items():
            if held != said:
                problems.append(f"Milvus holds {held} {what}, the live state says {said}")
        for doc_id, doc in self.documents.items():
            if per_doc.get(doc_id, 0) != doc.chunks:
                problems.append(f"document {doc_id[:6]} {doc.source}: {per_doc.get(doc_id, 0)} chunks stored, "
                                f"{doc.chunks} expected")
        orphans = set(per_doc) - set(self.documents)
        if orphans:
            problems.append(f"{len(orphans)} documents' chunks have no document row")
        unfinished = self.db.count(self._chunks, f"epoch > {self.epoch}")
        if unfinished:
            problems.append(f"{unfinished} chunks of an unfinished change (the next change removes them)")
        return problems


class MilvusFacts:
    """The facts table of one state, queried on Milvus's side (``backend.Facts``)."""

    def __init__(self, reader: MilvusReader):
        self._reader = reader
        self._collection = reader.db.name(reader.gen, "facts")
        self.reports = {d.doc_id: Report(d.doc_id, d.source, d.meta) for d in reader.documents.values()}
        self._measures: list[tuple[str, int]] | None = None

    def facts(self, measure: str | None = None, region: str | None = None, year: int | None = None,
              doc_id: str | None = None) -> list[Fact]:
        """As ``FactStore.facts``: every filter given, in report then document order."""
        where = [self._reader.visible]
        if measure:
            where.append(f"measure == {_quote(measure)}")
        if region:
            where.append(f"array_contains(regions, {_quote(region)})")
        if year:
            where.append(f"year == {int(year)}")
        if doc_id:
            where.append(f"doc_id == {_quote(doc_id)}")
        rows = self._reader.db.rows(self._collection, " and ".join(where), ["fact"])
        facts = [Fact(**{k: v for k, v in row["fact"].items() if k in _FACT_FIELDS}) for row in rows]
        order = {d: i for i, d in enumerate(self.reports)}
        return sorted(facts, key=lambda f: (order.get(f.doc_id, len(order)), f.position))

    def reports_in(self, region: str | None = None, year: int | None = None) -> list[Report]:
        return select_reports(self.reports, region, year)

    def measures(self) -> list[tuple[str, int]]:
        """As ``FactStore.measures`` (counted once per state: a state never changes)."""
        if self._measures is None:
            counts: dict[str, int] = {}
            for row in self._reader.db.rows(self._collection, self._reader.visible, ["measure"]):
                if row["measure"]:
                    counts[row["measure"]] = counts.get(row["measure"], 0) + 1
            self._measures = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        return self._measures

    def __len__(self) -> int:
        return self._reader.db.count(self._collection, self._reader.visible)
