"""The child process of a ``govqa bench`` ask row: everything measured on one
index (``python -m retrieval.dev.bench_worker query ROOT``), so that peak RSS
belongs to it alone. With ``GOVQA_BACKEND=milvus`` the engine reads Milvus
(holding the same chunks and vectors as the folder ROOT, which still gives
the floor and the exact neighbours)."""
from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ..engine import Engine
from ..index.folder import FolderReader
from ..index.model import load_model
from ..index.store import read_manifest
from ..rank.search import CANDIDATES  # how deep the ranker asks FAISS: the floor asks as deep
from ..settings import Settings
from .bench import timed, cycled, load_questions, percentile
from .synthetic import NOISE

RECALL_QUERIES = 200

def query_worker(root: Path, questions: int) -> dict[str, Any]:
    """Everything measured on one index, in this process.

    Phase 1 (memory): model loaded, index opened, every question asked;
    peak RSS then, minus peak RSS with only the model loaded.
    Phase 2 (speed): for each question in turn, one ``engine.ask`` and one
    floor (encode + exact search). Then recall@10 of the dense index."""
    settings = Settings.from_env()
    manifest = read_manifest(root)
    embedder = load_model(manifest["model"], settings)
    embedder.encode_queries(["预热"])
    model_rss = _reset_peak_rss()
    started = time.perf_counter()
    engine = Engine.open(root, settings)
    open_s = time.perf_counter() - started
    asked = cycled(load_questions(), questions)
    for q in asked:
        engine.ask(q)
    peak_rss = _peak_rss_mb()

    # the same vectors, for exact search: the engine's own reader when it reads the folder
    folder = engine.reader if isinstance(engine.reader, FolderReader) else FolderReader.open(root)
    exact = exact_index(folder)
    ask_ms, floor_ms = [], []
    for q in asked:
        ask_ms.append(timed(lambda: engine.ask(q)) * 1000)
        floor_ms.append(timed(lambda: exact.search(embedder.encode_queries([q]), CANDIDATES)) * 1000)
    recall, dense_ms, exact_ms = dense_recall(engine.reader, folder, exact,
                                              embedder.encode_queries(list(dict.fromkeys(asked))))
    index = "Milvus " + engine.reader.manifest["dense"] if settings.backend == "milvus" else \
        manifest.get("faiss_index", "IndexFlatIP")
    return {
        "chunks": engine.reader.size, "index": index,
        "ask_p50": percentile(ask_ms, 0.5), "ask_p95": percentile(ask_ms, 0.95),
        "floor_p50": percentile(floor_ms, 0.5), "floor_p95": percentile(floor_ms, 0.95),
        "dense_ms": dense_ms, "exact_ms": exact_ms, "recall": recall, "open_s": open_s,
        "model_rss_mb": model_rss, "peak_rss_mb": peak_rss, "rss_beyond_model_mb": peak_rss - model_rss,
    }


def _peak_rss_mb() -> float:
    """Peak RSS of this process in MB: ``VmHWM`` on Linux (``ru_maxrss`` of a
    child also counts the parent's memory it was forked with)."""
    return _proc_status_kb("VmHWM") / 1024 or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _reset_peak_rss() -> float:
    """Current RSS in MB, made the new peak (Linux ``clear_refs`` 5), so that a
    transient peak while loading the model does not hide what comes after."""
    rss_kb = _proc_status_kb("VmRSS")
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")
    except OSError:  # not Linux, or not allowed: the peak so far stays the baseline
        return _peak_rss_mb()
    return rss_kb / 1024


def _proc_status_kb(field_name: str) -> int:
    """A ``kB`` field of /proc/self/status; 0 when there is none."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            return next((int(line.split()[1]) for line in fh if line.startswith(field_name + ":")), 0)
    except OSError:
        return 0


def exact_index(reader: Any) -> Any:
    """An ``IndexFlatIP`` over the reader's vectors (the index itself when exact)."""
    import faiss

    if reader.dense.kind == "flat":
        return reader.faiss
    flat = faiss.IndexFlatIP(int(reader.manifest["dimension"]))
    step = 100_000
    for start in range(0, reader.size, step):
        flat.add(reader.vectors(np.arange(start, min(start + step, reader.size))))
    return flat


def dense_recall(reader: Any, folder: Any, exact: Any, question_vectors: np.ndarray
                 ) -> tuple[float | None, float, float]:
    """recall@10 of the index ``reader`` searches against exact search (None
    when it is FAISS's exact index), and median ms of one dense search and of
    one exact search.

    Queries: the dev questions, plus stored vectors (of ``folder``) with noise
    (questions about the bulk of the index) up to RECALL_QUERIES."""
    rng = np.random.default_rng(7)
    extra = max(RECALL_QUERIES - len(question_vectors), 0)
    near = folder.vectors(np.sort(rng.choice(folder.size, size=min(extra, folder.size), replace=False)))
    near = near + rng.normal(0, NOISE, near.shape).astype(np.float32)
    queries = np.vstack([question_vectors, near / np.linalg.norm(near, axis=1, keepdims=True)]).astype(np.float32)
    found, dense_ms, exact_ms = 0, [], []
    for q in queries:
        started = time.perf_counter()
        ids = reader.search_dense(q, CANDIDATES).ids
        dense_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        _, truth = exact.search(q.reshape(1, -1), CANDIDATES)
        exact_ms.append((time.perf_counter() - started) * 1000)
        found += len(set(ids[:10].tolist()) & set(truth[0][:10].tolist()))
    recall = None if isinstance(reader, FolderReader) and reader.dense.kind == "flat" else found / (10 * len(queries))
    return recall, statistics.median(dense_ms), statistics.median(exact_ms)



def _worker_main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m retrieval.dev.bench_worker")
    parser.add_argument("what", choices=["query"])
    parser.add_argument("root", type=Path)
    parser.add_argument("--questions", type=int, default=100)
    args = parser.parse_args(argv)
    print(json.dumps(query_worker(args.root, args.questions)))
    return 0


if __name__ == "__main__":
    sys.exit(_worker_main(sys.argv[1:]))
