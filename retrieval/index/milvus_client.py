"""Talking to Milvus: one client per location, every call with a timeout and
its failures as one line, the collections' schemas, and the control rows.

Measured on milvus-lite 2.5.1 with pymilvus 3.0.2 (README "Scaling out"):

- a call to a hung server without a timeout waits forever, and pymilvus
  retries some server errors for minutes: every call passes ``timeout``;
- a lost server is a ``MilvusException`` (code 2) or, past the deadline, a raw
  ``grpc.RpcError`` (DEADLINE_EXCEEDED): both become ``IndexUnavailableError``;
  the same client works again once the server is back;
- an upsert is not atomic for a concurrent reader (12-19 % of reads saw no
  row), so nothing a reader depends on is ever updated in place: control rows
  are appended (``current:<seq>``) and the newest one wins;
- Lite has no aliases, so the switch to a new state is such an appended row.
"""
from __future__ import annotations

import contextlib
import json
import logging
import os
import time
import warnings
from typing import Any, Iterator

from .backend import BackendError, IndexUnavailableError

CONTROL = "control"  # collection of append-only key -> JSON rows
DUMMY = "_v"  # a Milvus cluster (>= 2.4.4) refuses collections without a vector field: a 2-d placeholder
EMPTY = [0.0, 0.0]
PARTS = ("chunks", "docs", "texts", "facts", "vocab")  # collections of one generation
BM25_K1, BM25_B = 1.5, 0.75  # bm25s's defaults: keyword lists equal the folder back end's (Milvus's k1 is 1.2)
TEXT_PAGE_BYTES = 60_000  # a cluster enforces VARCHAR max_length = 65,535 bytes (Lite does not)
INSERT_ROWS = 1_000  # rows per insert: one gRPC message stays far below 64 MB
READ_ROWS = 5_000  # rows per query_iterator page
MAX_CHARS = 65_535  # VARCHAR max_length for free text (bytes on a cluster)
MAX_PLACES = 64  # places in a chunk's ``regions`` (its place, those above it, those its head names)
CONSISTENCY = "Strong"  # a reader that sees a "current" row must see every row written before it
_DOWN = ("UNAVAILABLE", "DEADLINE_EXCEEDED", "CANCELLED")

log = logging.getLogger(__name__)

# gRPC's C core prints its own lines on stderr (e.g. an idle client's "too_many_pings" GOAWAY, after
# which it reconnects by itself); failures reach the user as our one line instead. Read when gRPC
# starts, so set before any module of ours imports pymilvus (they all import this one first).
os.environ.setdefault("GRPC_VERBOSITY", "NONE")


def one_line(exc: BaseException) -> str:
    """The message of a pymilvus or gRPC error, on one line."""
    text = " ".join(str(exc).split())
    if "message=" in text:  # <MilvusException: (code=2, message=...)>
        text = text.split("message=", 1)[1].rstrip(")>")
    code = getattr(exc, "code", None)
    if callable(code):  # a raw grpc error: DEADLINE_EXCEEDED is not wrapped by pymilvus
        details = getattr(exc, "details", lambda: "")() or ""
        text = f"{getattr(code(), 'name', code())} {' '.join(details.split())}".strip()
    return text[:200]


@contextlib.contextmanager
def errors_as_lines(uri: str) -> Iterator[None]:
    """pymilvus/gRPC failures -> ``IndexUnavailableError`` when Milvus cannot be
    reached or did not answer in time, else ``BackendError``; one line each."""
    import grpc
    from pymilvus import MilvusException

    try:
        yield
    except (MilvusException, grpc.RpcError) as exc:
        text = one_line(exc)
        status = exc.code() if isinstance(exc, grpc.RpcError) else None
        down = getattr(status, "name", "") in _DOWN or getattr(exc, "code", None) == 2 \
            or any(word in str(exc) for word in ("Retry timeout", "server unavailable", "Fail connecting", *_DOWN))
        if down:
            raise IndexUnavailableError(f"the index is unavailable (Milvus at {uri}: {text}); try again") from None
        raise BackendError(f"Milvus at {uri} refused the request: {text}") from None


def new_client(uri: str, token: str, timeout: float) -> Any:
    """A ``MilvusClient`` (a Milvus Lite file starts its local server here)."""
    with warnings.catch_warnings():  # milvus_lite imports pkg_resources, which warns on import
        warnings.simplefilter("ignore")
        from pymilvus import MilvusClient

        # pymilvus installs its own log handler on import and logs the errors we report as one line
        logging.getLogger("pymilvus").setLevel(logging.CRITICAL)
        with errors_as_lines(uri):
            return MilvusClient(uri=uri, timeout=timeout, **({"token": token} if token else {}))


class Milvus:
    """One Milvus location: the client, calls with timeouts, collection names,
    and the append-only control rows."""

    def __init__(self, uri: str, token: str = "", prefix: str = "govqa", timeout: float = 10.0):
        self.uri, self.token, self.prefix, self.timeout = uri, token, prefix, float(timeout)
        self._client: Any = None

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = new_client(self.uri, self.token, self.timeout)
        return self._client

    def call(self, method: str, *args: Any, **kw: Any) -> Any:
        kw.setdefault("timeout", self.timeout)
        with errors_as_lines(self.uri):
            return getattr(self.client, method)(*args, **kw)

    def close(self) -> None:
        if self._client is not None:
            with contextlib.suppress(Exception):
                self._client.close()
            self._client = None

    def name(self, gen: str, part: str) -> str:
        return f"{self.prefix}_{gen}_{part}"

    @property
    def control(self) -> str:
        return f"{self.prefix}_{CONTROL}"

    # ------------------------------------------------------------ rows

    def insert(self, collection: str, rows: list[dict[str, Any]], every: Any = None) -> None:
        """Insert in batches of ``INSERT_ROWS``; ``every()`` runs between batches (heartbeat)."""
        for start in range(0, len(rows), INSERT_ROWS):
            self.call("insert", collection, rows[start:start + INSERT_ROWS])
            if every:
                every()

    def rows(self, collection: str, expr: str, fields: list[str]) -> list[dict[str, Any]]:
        """Every row matching ``expr`` (paged: a query returns at most 16,384 rows)."""
        out: list[dict[str, Any]] = []
        with errors_as_lines(self.uri):
            it = self.client.query_iterator(collection, batch_size=READ_ROWS, filter=expr, output_fields=fields,
                                            timeout=self.timeout)
            try:
                while batch := it.next():
                    out.extend(batch)
            finally:
                it.close()
        return out

    def count(self, collection: str, expr: str) -> int:
        return int(self.call("query", collection, filter=expr, output_fields=["count(*)"])[0]["count(*)"])

    # ------------------------------------------------------------ control rows

    def has_control(self) -> bool:
        return bool(self.call("has_collection", self.control))

    def ensure_control(self) -> None:
        if not self.has_control():
            from pymilvus import DataType

            schema, index = _schema_with_dummy("key", DataType.VARCHAR, max_length=1024)
            schema.add_field("value", DataType.VARCHAR, max_length=MAX_CHARS)
            self.call("create_collection", self.control, schema=schema, index_params=index,
                      consistency_level=CONSISTENCY)

    def get(self, key: str) -> Any:
        rows = self.call("query", self.control, filter=f"key == {json.dumps(key)}", output_fields=["value"])
        return json.loads(rows[0]["value"]) if rows else None

    def put_once(self, key: str, value: Any) -> None:
        """A control row that is never changed afterwards (never upserted)."""
        self.call("insert", self.control, [{"key": key, "value": json.dumps(value, ensure_ascii=False),
                                             DUMMY: EMPTY}])

    def keys(self, prefix: str) -> list[str]:
        return [r["key"] for r in self.rows(self.control, f'key like "{prefix}%"', ["key"])]

    def latest(self, kind: str) -> Any:
        """Value of the newest ``<kind>:<seq>`` row; None when there is none."""
        rows = self.call("query", self.control, filter=f'key like "{kind}:%"', output_fields=["value"])
        return json.loads(max(rows, key=lambda r: r["key"])["value"]) if rows else None

    def append(self, kind: str, value: Any) -> None:
        """A new ``<kind>:<seq>`` row, then rows older than the one before it
        are deleted: a reader finds the old row or the new one, never none
        (0 misses in 2,780 concurrent reads)."""
        seq = max([int(k.rsplit(":", 1)[1]) for k in self.keys(f"{kind}:")] + [0]) + 1
        self.put_once(f"{kind}:{seq:012d}", {**value, "at": time.time()})
        self.call("delete", self.control, filter=f'key like "{kind}:%" and key < "{kind}:{seq - 1:012d}"')


# ---------------------------------------------------------------- schemas


def _schema_with_dummy(pk: str, pk_type: Any, **kw: Any) -> tuple[Any, Any]:
    """A schema with primary key ``pk`` and the placeholder vector, and its index."""
    from pymilvus import DataType, MilvusClient

    schema = MilvusClient.create_schema(auto_id=False)
    schema.add_field(pk, pk_type, is_primary=True, **kw)
    schema.add_field(DUMMY, DataType.FLOAT_VECTOR, dim=len(EMPTY))
    index = MilvusClient.prepare_index_params()
    index.add_index(DUMMY, index_type="FLAT", metric_type="L2")
    return schema, index


def generation_schemas(dim: int) -> dict[str, tuple[Any, Any]]:
    """Schema and index parameters of each collection of a generation.

    Every row carries the ``epoch`` that added it (see ``milvus.MilvusIndex``).
    ``regions`` (the places a document answers for; a fact's place and its
    parent) is an ARRAY for filtering only: Lite 2.5.1 returns ARRAY fields very slowly (10,000 rows ~18 s), so
    lists that are read back are JSON fields.
    """
    from pymilvus import DataType, Function, FunctionType, MilvusClient

    text, integer = DataType.VARCHAR, DataType.INT64

    def regions(schema: Any) -> None:
        schema.add_field("regions", DataType.ARRAY, element_type=text, max_capacity=MAX_PLACES, max_length=512)

    chunks = MilvusClient.create_schema(auto_id=False)
    chunks.add_field("chunk_id", integer, is_primary=True)
    chunks.add_field("doc_id", text, max_length=64)
    regions(chunks)
    for name in ("year", "epoch", "ordinal"):
        chunks.add_field(name, integer)
    for name in ("section", "text"):
        chunks.add_field(name, text, max_length=MAX_CHARS)
    chunks.add_field("sentences", DataType.JSON)
    chunks.add_field("extra", DataType.JSON)  # any other Chunk field (records.Chunk grows: page, ...)
    chunks.add_field("text_hash", text, max_length=64)
    # our own tokens, space-joined: Milvus's jieba cannot be given our place and domain words
    chunks.add_field("tokens", text, max_length=MAX_CHARS, enable_analyzer=True,
                     analyzer_params={"tokenizer": "whitespace"})
    chunks.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    chunks.add_field("vector", DataType.FLOAT_VECTOR, dim=dim)
    chunks.add_function(Function(name="bm25", function_type=FunctionType.BM25,
                                 input_field_names=["tokens"], output_field_names=["sparse"]))
    chunk_index = MilvusClient.prepare_index_params()
    chunk_index.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25",
                          params={"bm25_k1": BM25_K1, "bm25_b": BM25_B})
    chunk_index.add_index("vector", index_type="FLAT", metric_type="IP")  # exact, as FAISS's flat index

    docs, docs_index = _schema_with_dummy("key", text, max_length=128)  # doc_id:epoch
    docs.add_field("doc_id", text, max_length=64)
    for name in ("source", "url", "added_at"):
        docs.add_field(name, text, max_length=MAX_CHARS)
    docs.add_field("meta", DataType.JSON)  # records.metadata_to_dict: new Metadata fields flow through
    docs.add_field("years", DataType.JSON)  # years the text mentions
    for name in ("year", "chunks", "first_chunk", "epoch"):
        docs.add_field(name, integer)

    texts, texts_index = _schema_with_dummy("page_id", text, max_length=128)  # doc_id:epoch:page
    texts.add_field("doc_id", text, max_length=64)
    texts.add_field("page", integer)
    texts.add_field("epoch", integer)
    texts.add_field("text", text, max_length=MAX_CHARS)

    facts, facts_index = _schema_with_dummy("fact_id", integer)
    facts.add_field("doc_id", text, max_length=64)
    facts.add_field("measure", text, max_length=512)
    regions(facts)
    facts.add_field("year", integer)
    facts.add_field("epoch", integer)
    facts.add_field("fact", DataType.JSON)  # every field of facts.Fact

    vocab, vocab_index = _schema_with_dummy("key", text, max_length=MAX_CHARS)  # term + epoch
    vocab.add_field("term", text, max_length=MAX_CHARS)
    vocab.add_field("epoch", integer)
    vocab.add_field("df", integer)  # change of the term's document frequency at this epoch

    return {"chunks": (chunks, chunk_index), "docs": (docs, docs_index), "texts": (texts, texts_index),
            "facts": (facts, facts_index), "vocab": (vocab, vocab_index)}


def text_pages(text: str, limit: int = TEXT_PAGE_BYTES) -> list[str]:
    """``text`` cut into pieces of at most ``limit`` UTF-8 bytes.

    >>> [len(p) for p in text_pages("应急" * 5, limit=9)]
    [3, 3, 3, 1]
    """
    pages, start, size = [], 0, 0
    for i, ch in enumerate(text):
        n = len(ch.encode("utf-8"))
        if size + n > limit:
            pages.append(text[start:i])
            start, size = i, 0
        size += n
    pages.append(text[start:])
    return pages
