"""Engine and writer processes for the Milvus network tests:
``python -m tests.milvus_procs MODE URI ...`` (run from the project folder).

Every process uses ``StableEmbedder``: the tests' fake embedder with a hash
that is the same in every process (Python's ``hash`` of a str is not).

- ``answer URI QUESTIONS.json``: open the engine, print one JSON answer per question;
- ``watch URI STOP_FILE``: until STOP_FILE exists, reload, check the snapshot is
  whole (every document's chunks all there, no chunk without its document,
  the facts of every document) and ask a question; print what it saw;
- ``add URI PATH``: ``index add PATH``, with each insert slowed down (a wider
  window in which a reader could see a half-added report).
"""
from __future__ import annotations

import json
import sys
import time
import zlib
from pathlib import Path

import numpy as np

from tests.conftest import FakeEmbedder

WATCH_QUESTION = "东安县2021年开展应急演练多少次"
INSERT_DELAY = 0.3  # seconds added after each insert call of the writer


class StableEmbedder(FakeEmbedder):
    """Hashed character bigrams with crc32: the same vectors in every process."""

    def _vec(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)
        for a, b in zip(text, text[1:]):
            v[zlib.crc32((a + b).encode()) % self.dim] += 1.0
        n = np.linalg.norm(v)
        return v / n if n else v


def use_stable_embedder() -> StableEmbedder:
    import embeddings
    import embeddings.loader

    fake = StableEmbedder()
    embeddings.load_embedder = embeddings.loader.load_embedder = lambda name="", batch_size=32, cache=None: fake
    return fake


def milvus_settings(uri: str, **kw):
    from retrieval.settings import Settings

    return Settings(**{"backend": "milvus", "milvus_uri": uri, "milvus_token": "root:Milvus", "milvus_timeout": 5, **kw})


def answer_dict(answer) -> dict:
    d = answer.to_dict()
    d.pop("elapsed_ms")
    return d


def answer(uri: str, questions_file: str) -> None:
    from retrieval.engine import Engine

    engine = Engine.open(None, milvus_settings(uri))
    for q in json.loads(Path(questions_file).read_text(encoding="utf-8")):
        print(json.dumps(answer_dict(engine.ask(q)), ensure_ascii=False), flush=True)


def whole(reader) -> list[str]:
    """What is wrong with a snapshot (empty: it is whole)."""
    per_doc: dict[str, int] = {}
    for chunk, _, _ in reader.iter_chunks():
        per_doc[chunk.doc_id] = per_doc.get(chunk.doc_id, 0) + 1
    problems = [f"{d.source}: {per_doc.get(i, 0)} of {d.chunks} chunks"
                for i, d in reader.documents.items() if per_doc.get(i, 0) != d.chunks]
    problems += [f"chunks of {i} without its document" for i in set(per_doc) - set(reader.documents)]
    if sum(per_doc.values()) != reader.size:
        problems.append(f"{sum(per_doc.values())} chunks, the state says {reader.size}")
    facts = reader.facts()
    problems += [f"{d.source}: no facts" for i, d in reader.documents.items() if not facts.facts(doc_id=i)]
    return problems


def watch(uri: str, stop_file: str) -> None:
    from retrieval.engine import Engine

    engine = Engine.open(None, milvus_settings(uri))
    seen: dict[str, list[str]] = {}
    checks, answers = 0, set()
    print("ready", flush=True)
    while not Path(stop_file).exists():
        engine.reload()
        snap_reader = engine.reader
        problems = whole(snap_reader)
        state = f"{snap_reader.generation} {sorted(d.source for d in snap_reader.documents.values())}"
        seen.setdefault(state, []).extend(problems)
        answers.add(engine.ask(WATCH_QUESTION).answered)
        checks += 1
    print(json.dumps({"checks": checks, "states": seen, "answered": sorted(answers)}, ensure_ascii=False))


def add(uri: str, path: str) -> None:
    from retrieval.index.indexer import add_documents
    from retrieval.index.milvus_client import Milvus

    real_insert = Milvus.insert

    def slow_insert(self, *args, **kw):
        real_insert(self, *args, **kw)
        time.sleep(INSERT_DELAY)

    Milvus.insert = slow_insert
    report = add_documents([Path(path)], Path("unused"), milvus_settings(uri))
    print(report.summary(), flush=True)


if __name__ == "__main__":
    use_stable_embedder()
    mode, *args = sys.argv[1:]
    {"answer": answer, "watch": watch, "add": add}[mode](*args)
