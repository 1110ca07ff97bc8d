"""The Milvus back end: govqa's index in a Milvus server or cluster, or in a
Milvus Lite file, shared by every process that uses the same URI.

Collections (every name starts with ``govqa_``)::

    govqa_control             append-only rows key -> JSON: "current:<seq>" (the
                              newest is live: generation, epoch, counts, next ids),
                              "manifest:<gen>", "heartbeat:<seq>", "removed:<gen>:<epoch>:<doc>"
    govqa_writer_lock         exists while a writer works
    govqa_<gen>_chunks        chunk rows: text, our tokens -> BM25 sparse vector, dense vector,
                              doc_id, regions, year, epoch
    govqa_<gen>_docs          documents: metadata JSON, chunk count, years mentioned
    govqa_<gen>_texts         document text in pages
    govqa_<gen>_facts         the facts table
    govqa_<gen>_vocab         document-frequency changes per epoch (the engine's vocabulary)

Publishing without aliases (Lite has none) and without upserts (not atomic
for readers): a reader pins (generation, epoch) of the newest "current" row
and filters everything on it. ``index build`` writes a new generation, checks
it and appends "current"; ``index add``/``remove`` write rows at epoch E+1
(invisible) and removal markers, then append "current" with E+1; removed rows
are deleted by a later writer, ``GC_GRACE_SECONDS`` after their removal.
"""
from __future__ import annotations

import json
import os
import socket
import threading
import time
import uuid
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, Iterator, Sequence

from .backend import BackendError, Batch, IndexLockedError, IndexMissingError, ModelMismatchError
from .milvus_client import CONSISTENCY, PARTS, Milvus, generation_schemas
from .milvus_read import MilvusReader
from .milvus_write import FORMAT_VERSION, df_of, write_rows
from .model import FINGERPRINT_KEY, same_encoder, stored_fingerprint

KEEP_GENERATIONS = 2  # the live generation and the one before it, as the folder keeps
LEASE_SECONDS = 120.0  # a writer lock whose heartbeat is older than this was left by a killed writer
BEAT_SECONDS = 10.0  # how often a working writer renews its heartbeat
# Removed rows stay this long after their removal is published: a reader looks
# for a newer state every 2 s and before each question, and no question takes a minute.
GC_GRACE_SECONDS = 60.0


class MilvusIndex:
    """One Milvus location holding govqa's index (see ``backend.Index``)."""

    def __init__(self, uri: str, token: str = "", prefix: str = "govqa", timeout: float = 10.0):
        self.uri = uri
        self.db = Milvus(uri, token, prefix, timeout)
        self._control_exists = False
        self._df: tuple[str, int, dict[str, int]] | None = None  # (generation, epoch, frequencies)
        self._df_lock = threading.Lock()

    def state(self) -> dict[str, Any] | None:
        """The newest "current" row: generation, epoch, counts (None = nothing built)."""
        if not self._control_exists:
            self._control_exists = self.db.has_control()
            if not self._control_exists:
                return None
        return self.db.latest("current")

    def live(self) -> str | None:
        state = self.state()
        return None if state is None else f"{state['generation']}/{state['epoch']}"

    def open_reader(self) -> MilvusReader:
        state = self.state()
        if state is None:
            raise IndexMissingError(f"no index in Milvus at {self.uri}: run `govqa index build --docs seeds/` "
                                    "(with the same GOVQA_BACKEND and GOVQA_MILVUS_URI) first")
        return self._reader(state)

    def _reader(self, state: dict[str, Any]) -> MilvusReader:
        gen = state["generation"]
        manifest = self.db.get(f"manifest:{gen}")
        if manifest is None:
            raise BackendError(f"Milvus at {self.uri}: generation {gen} has no manifest; rebuild the index")
        changed = time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(state.get("at", time.time())))
        manifest = {**manifest, "documents": state["documents"], "chunks": state["chunks"], "built_at": changed}
        return MilvusReader(self, state, manifest, self.db.keys(f"removed:{gen}:"))

    def document_frequencies(self, gen: str, epoch: int) -> dict[str, int]:
        """Chunks each token occurs in at (gen, epoch): the changes of the epochs
        since the last state asked for are added to it, not all read again."""
        with self._df_lock:
            cached = self._df
            if cached and cached[:2] == (gen, epoch):
                return cached[2]
            if cached and cached[0] == gen and cached[1] < epoch:
                df, expr = dict(cached[2]), f"epoch > {cached[1]} and epoch <= {epoch}"
            else:
                df, expr = {}, f"epoch <= {epoch}"
            for row in self.db.rows(self.db.name(gen, "vocab"), expr, ["term", "df"]):
                df[row["term"]] = df.get(row["term"], 0) + int(row["df"])
            df = {t: n for t, n in df.items() if n > 0}
            self._df = (gen, epoch, df)
            return df

    @contextmanager
    def writer(self) -> Iterator["MilvusWriter"]:
        with WriterLock(self.db) as lock:
            writer = MilvusWriter(self, lock.beat)
            writer.tidy()
            yield writer

    def verify(self) -> list[str]:
        try:
            state = self.state()
            if state is None:
                return [f"no index in Milvus at {self.uri}"]
            reader = self._reader(state)
            problems = []
            if reader.manifest.get("format_version") != FORMAT_VERSION:
                problems.append(f"format version {reader.manifest.get('format_version')} != {FORMAT_VERSION}")
            return problems + reader.check()
        except BackendError as exc:
            return [str(exc)]

    def describe(self) -> str:
        return f"Milvus at {self.uri}"

    def size_on_disk(self) -> int | None:
        """Bytes of a Milvus Lite file (all generations); None for a server."""
        path = Path(self.uri)
        if "://" in self.uri or not path.exists():
            return None
        return path.stat().st_size if path.is_file() else sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


class MilvusWriter:
    """The one writer of a Milvus index (see ``backend.Writer``)."""

    rewrites = False  # a change adds rows beside the live ones: vectors of another encoder are refused

    def __init__(self, index: MilvusIndex, beat: Any):
        self.index, self.db, self.beat = index, index.db, beat

    def live(self) -> MilvusReader | None:
        state = self.index.state()
        return None if state is None else self.index._reader(state)

    def replace(self, batch: Batch) -> None:
        """A new generation holding exactly ``batch``, checked, then made live."""
        gen = "g" + time.strftime("%Y%m%d%H%M%S") + uuid.uuid4().hex[:6]
        dim = int(batch.finish().shape[1])
        for part, (schema, params) in generation_schemas(dim).items():
            self.db.call("create_collection", self.db.name(gen, part), schema=schema, index_params=params,
                         consistency_level=CONSISTENCY)
        state = {"generation": gen, "epoch": 1, "next_chunk_id": 0, "next_fact_id": 0,
                 "documents": 0, "chunks": 0, "facts": 0}
        write_rows(self.db, gen, 1, state, batch, df_of(batch.tokens), self.beat)
        self.db.put_once(f"manifest:{gen}", {
            "format_version": FORMAT_VERSION, "backend": "milvus", "model": batch.model, "dimension": dim,
            FINGERPRINT_KEY: batch.fingerprint or batch.model,
            "keyword": "BM25 k1=1.5 b=0.75 over govqa's tokens (Milvus whitespace analyzer)",
            "dense": "FLAT IP", "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")})
        problems = self.index._reader({**state, "at": time.time()}).check()
        if problems:
            raise BackendError(f"the new generation {gen} failed its check and was not published: {problems[0]}")
        self.db.append("current", state)
        self._drop_generations(keep=gen)

    def change(self, batch: Batch, removed: Sequence[str]) -> int:
        """Rows of ``batch`` and removal markers at epoch E+1, published by one appended row."""
        reader = self.live()
        if reader is None:
            self.replace(batch)
            return 0
        _same_encoder(reader.manifest, batch, self.index.uri)
        state = dict(reader.state)
        gen, epoch = state["generation"], int(state["epoch"]) + 1
        gone = [d for d in dict.fromkeys(removed) if d in reader.documents]
        gone_rows: list[dict[str, Any]] = []
        gone_facts = 0
        if gone:
            where = f"{reader.visible} and doc_id in {json.dumps(gone)}"
            gone_rows = self.db.rows(self.db.name(gen, "chunks"), where, ["chunk_id", "tokens"])
            gone_facts = self.db.count(self.db.name(gen, "facts"), where)
        df = df_of(batch.tokens)
        for token, n in df_of([r["tokens"].split() for r in gone_rows]).items():
            df[token] = df.get(token, 0) - n
        write_rows(self.db, gen, epoch, state, batch, {t: n for t, n in df.items() if n}, self.beat)
        for doc_id in gone:
            self.db.put_once(f"removed:{gen}:{epoch:09d}:{doc_id}", {"at": time.time()})
        state.update(epoch=epoch, documents=state["documents"] - len(gone), chunks=state["chunks"] - len(gone_rows),
                     facts=state["facts"] - gone_facts)
        added = self.db.count(self.db.name(gen, "chunks"), f"epoch == {epoch}")
        if added != len(batch.chunks):
            raise BackendError(f"Milvus holds {added} of the {len(batch.chunks)} new chunks; nothing was published")
        state.pop("at", None)
        self.db.append("current", state)
        return reader.size - len(gone_rows)

    # ------------------------------------------------------------ tidying (under the lock)

    def tidy(self) -> None:
        """Remove what killed writers left and what removals made obsolete."""
        state = self.index.state()
        if state is not None:
            self._drop_unpublished(state)
            self._collect(state["generation"])
            self._drop_generations(keep=state["generation"])

    def _drop_unpublished(self, state: dict[str, Any]) -> None:
        """Rows and markers past the live epoch: a writer stopped before publishing."""
        gen, epoch = state["generation"], int(state["epoch"])
        for part in PARTS:
            self.db.call("delete", self.db.name(gen, part), filter=f"epoch > {epoch}")
        late = [k for k in self.db.keys(f"removed:{gen}:") if int(k.split(":")[2]) > epoch]
        if late:
            self.db.call("delete", self.db.control, filter=f"key in {json.dumps(late, ensure_ascii=False)}")

    def _collect(self, gen: str, grace: float = GC_GRACE_SECONDS) -> int:
        """Delete the rows of documents removed more than ``grace`` seconds ago.
        Returns how many removals were collected."""
        marks = self.db.rows(self.db.control, f'key like "removed:{gen}:%"', ["key", "value"])
        done = [m["key"] for m in marks if time.time() - json.loads(m["value"])["at"] >= grace]
        for key in done:
            removed_at, doc_id = int(key.split(":")[2]), key.split(":", 3)[3]
            where = f"doc_id == {json.dumps(doc_id)} and epoch <= {removed_at}"
            for part in ("chunks", "texts", "facts", "docs"):
                self.db.call("delete", self.db.name(gen, part), filter=where)
            self.db.call("delete", self.db.control, filter=f"key == {json.dumps(key, ensure_ascii=False)}")
        return len(done)

    def _drop_generations(self, keep: str) -> None:
        """Collections of generations other than ``keep`` and the newest one before it."""
        prefix = self.db.prefix + "_g"
        gens = sorted({n[len(self.db.prefix) + 1:].rsplit("_", 1)[0] for n in self.db.call("list_collections")
                       if n.startswith(prefix)})
        older = [g for g in gens if g < keep]
        kept = {keep, *older[-(KEEP_GENERATIONS - 1):]} if KEEP_GENERATIONS > 1 else {keep}
        for gen in gens:
            if gen in kept:
                continue
            for part in PARTS:
                self.db.call("drop_collection", self.db.name(gen, part))
            self.db.call("delete", self.db.control, filter=f'key == "manifest:{gen}" or key like "removed:{gen}:%"')


def _same_encoder(manifest: dict[str, Any], batch: Batch, uri: str) -> None:
    """New rows must come from the encoder of the rows already there (same
    fingerprint and dimension); else one line, nothing written."""
    if not batch.chunks:
        return
    stored = stored_fingerprint(manifest)
    dim = int(batch.finish().shape[1])
    if dim != int(manifest["dimension"]) or not same_encoder(stored, batch.fingerprint or batch.model):
        raise ModelMismatchError(f"the index in Milvus at {uri} holds vectors of encoder {stored} "
                                 f"({manifest['dimension']}-d), these are {batch.fingerprint or batch.model}'s "
                                 f"({dim}-d): rebuild it with `govqa index build`")


class WriterLock:
    """One writer at a time across processes and machines.

    Milvus has no lock or compare-and-set, but DDL on one name is serialised:
    creating a collection whose schema differs from an existing one of the same
    name fails, so a lock collection whose description holds the writer's id
    is an atomic test-and-set (2 processes x 8 rounds: one winner each round).
    Release = drop. A lock whose heartbeat is older than ``LEASE_SECONDS``
    (its writer was killed) is broken once."""

    def __init__(self, db: Milvus):
        self.db = db
        self.name = f"{db.prefix}_writer_lock"
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self._beaten = 0.0

    def __enter__(self) -> "WriterLock":
        from pymilvus import DataType, MilvusClient

        self.db.ensure_control()
        schema = MilvusClient.create_schema(auto_id=False, description=json.dumps(
            {"owner": self.owner, "since": time.time()}))
        schema.add_field("k", DataType.INT64, is_primary=True)
        schema.add_field("_v", DataType.FLOAT_VECTOR, dim=2)
        for attempt in (1, 2):
            try:
                self.db.call("create_collection", self.name, schema=schema)
                break
            except BackendError as exc:
                if "different parameters" not in str(exc) and "already exist" not in str(exc):
                    raise
                holder = json.loads(self.db.call("describe_collection", self.name).get("description") or "{}")
                if attempt == 2 or self._age(holder) < LEASE_SECONDS:
                    raise IndexLockedError(f"the index in Milvus at {self.db.uri} is being updated by "
                                           f"{holder.get('owner', 'another process')}; try again when it finishes"
                                           ) from None
                self.db.call("drop_collection", self.name)  # its writer stopped beating: break it once
        self.beat(force=True)
        return self

    def _age(self, holder: dict[str, Any]) -> float:
        beat = self.db.latest("heartbeat") or {}
        last = beat.get("at", 0) if beat.get("owner") == holder.get("owner") else holder.get("since", 0)
        return time.time() - last

    def beat(self, force: bool = False) -> None:
        """Renew the lease (called between insert batches; at most every ``BEAT_SECONDS``)."""
        if force or time.monotonic() - self._beaten >= BEAT_SECONDS:
            self.db.append("heartbeat", {"owner": self.owner})
            self._beaten = time.monotonic()

    def __exit__(self, *exc: object) -> None:
        with suppress(BackendError):
            self.db.call("drop_collection", self.name)
