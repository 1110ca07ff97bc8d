"""``govqa bench --backend milvus``: the Milvus back end beside FAISS in the
same run, on the same synthetic index (same chunks, tokens and vectors).

For each size: a Milvus Lite server on 127.0.0.1 (the network protocol of a
cluster) is filled from the synthetic FAISS folder through the back end's own
writer (insert rate: chunks/s of ``Writer.replace``, which also extracts the
facts, writes the vocabulary and checks the generation), then the same ask
row as FAISS's runs in a child process with ``GOVQA_BACKEND=milvus``; the
server's RSS is read after the questions.
"""
from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Callable, Sequence

from ..index.backend import Batch
from ..index.folder import FolderReader
from ..index.milvus import MilvusIndex
from ..index.model import stored_fingerprint
from ..settings import Settings
from .lite_server import LITE_TOKEN, LiteServer

Log = Callable[[str], None]
ROW_INSERT, ROW_ASK = "milvus insert", "ask (milvus)"


def milvus_rows(root: Path, n: int, work: Path, questions: int, settings: Settings, log: Log,
                query_row: Callable[..., object]) -> list:
    """Insert and ask rows for the synthetic folder index ``root`` of ``n`` chunks."""
    from .bench import BenchRow

    folder = work / f"milvus-{n}"
    shutil.rmtree(folder, ignore_errors=True)  # the insert is measured: start empty
    with LiteServer(folder / "govqa.db") as server:
        index = MilvusIndex(server.uri, LITE_TOKEN, timeout=max(settings.milvus_timeout, 60))
        batch = _batch(root)
        log(f"milvus: inserting {n:,} chunks into Milvus Lite at {server.uri}")
        started = time.perf_counter()
        with index.writer() as writer:
            writer.replace(batch)
        seconds = time.perf_counter() - started
        index.db.close()
        rate = len(batch.chunks) / seconds
        insert = BenchRow(ROW_INSERT, len(batch.chunks), "Milvus Lite 2.5.1", f"{rate:,.0f} chunks/s",
                          data=f"synthetic; {seconds:.0f} s incl. facts, vocabulary, check",
                          raw={"size": n, "insert_rate": rate, "insert_s": seconds})
        log(f"ask: {n:,} chunks on Milvus")
        milvus = settings.with_overrides(backend="milvus", milvus_uri=server.uri, milvus_token=LITE_TOKEN)
        ask = query_row(root, questions, milvus, size=n, data="synthetic, questions real")
        ask.measure = ROW_ASK
        ask.disk = _bytes(folder) / max(len(batch.chunks), 1)
        ask.raw["server_rss_mb"] = server.rss_mb()
        ask.data += f"; server RSS {ask.raw['server_rss_mb']:,.0f} MB"
    return [insert, ask]


def _batch(root: Path) -> Batch:
    """Everything the synthetic folder index holds, as one writer batch."""
    reader = FolderReader.open(root)
    try:
        rows = list(reader.iter_chunks())
        vectors = reader.vectors([c.chunk_id for c, _, _ in rows])
        return Batch(reader.stored_documents(), [c for c, _, _ in rows], [t for _, _, t in rows], vectors,
                     reader.manifest["model"], stored_fingerprint(reader.manifest))
    finally:
        reader.close()


def _bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def milvus_summary(rows: Sequence) -> str:
    """One line per size: Milvus's hybrid ask beside FAISS's, insert rate, server RSS."""
    lines = []
    for ask in (r for r in rows if r.measure == ROW_ASK):
        n = ask.raw["size"]
        faiss = next((r for r in rows if r.measure == "ask" and r.raw.get("size") == n), None)
        insert = next(r for r in rows if r.measure == ROW_INSERT and r.raw["size"] == n)
        beside = f" (FAISS p50 {faiss.raw['ask_p50']:.0f} / p95 {faiss.raw['ask_p95']:.0f} ms)" if faiss else ""
        lines.append(f"milvus@{n // 1000}k: hybrid ask p50 {ask.raw['ask_p50']:.0f} / p95 {ask.raw['ask_p95']:.0f} ms"
                     f"{beside}; insert {insert.raw['insert_rate']:,.0f} chunks/s; "
                     f"server RSS {ask.raw['server_rss_mb']:,.0f} MB; synthetic vectors")
    return "\n".join(lines)
