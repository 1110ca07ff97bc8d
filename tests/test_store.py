"""Index store and administration, with a fake embedder (fast, deterministic)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from retrieval.index.indexer import add_documents, build_index, remove_documents
from retrieval.index.store import (IndexLockedError, IndexReader, ModelMismatchError, WriterLock,
                                   current_generation)
from retrieval.index.verify import verify
from retrieval.settings import Settings

from .conftest import PROJECT, SEEDS

REPORT_A = "安宁市应急管理局2020年法治政府建设情况报告\n发布日期:2021-01-05\n一、主要工作\n全年行政处罚120次,罚款88万元。\n"
REPORT_B = "东安县应急管理局2021年工作总结\n发布日期:2022-01-10\n一、主要工作\n全年开展应急演练35次,转移群众900人。\n"


@pytest.fixture
def docs(tmp_path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text(REPORT_A, encoding="utf-8")
    (folder / "b.txt").write_text(REPORT_B, encoding="utf-8")
    return folder


def _settings(tmp_path) -> Settings:
    return Settings(index=tmp_path / "index")


def test_build_writes_a_consistent_generation(fake_embedder, tmp_path, docs):
    s = _settings(tmp_path)
    report = build_index([docs], s.index, s)
    assert report.documents == 2 and report.chunks >= 2 and not report.errors
    assert verify(s.index) == []
    reader = IndexReader.open(s.index)
    assert reader.faiss.ntotal == reader.size == report.chunks
    assert {d.meta.region for d in reader.documents.values()} == {"安宁市", "东安县"}


def test_add_skips_identical_and_reuses_vectors(fake_embedder, tmp_path, docs):
    s = _settings(tmp_path)
    build_index([docs / "a.txt"], s.index, s)
    report = add_documents([docs], s.index, s)
    assert report.added == ["b.txt"]
    assert any("a.txt" in line and "already indexed" in line for line in report.skipped)
    assert report.reused >= 1 and report.embedded >= 1  # only the new document was encoded
    again = add_documents([docs], s.index, s)
    assert again.added == [] and len(again.skipped) == 2
    assert verify(s.index) == []


def test_new_version_of_a_source_replaces_the_old(fake_embedder, tmp_path, docs):
    s = _settings(tmp_path)
    build_index([docs], s.index, s)
    (docs / "a.txt").write_text(REPORT_A.replace("120次", "121次"), encoding="utf-8")
    report = add_documents([docs / "a.txt"], s.index, s)
    assert report.added == ["a.txt"] and len(report.removed) == 1
    reader = IndexReader.open(s.index)
    texts = " ".join(c.text for c, _, _ in reader.iter_chunks())
    assert "121次" in texts and "120次" not in texts
    assert len(reader.documents) == 2


def test_remove_takes_text_out_of_every_index(fake_embedder, tmp_path, docs):
    s = _settings(tmp_path)
    build_index([docs], s.index, s)
    report = remove_documents(["b.txt"], s.index, s)
    assert len(report.removed) == 1 and not report.errors
    reader = IndexReader.open(s.index)
    assert [d.source for d in reader.documents.values()] == ["a.txt"]
    assert reader.keyword.scores(["演练"]).max(initial=0) == 0  # BM25 forgot it
    assert reader.faiss.ntotal == reader.size
    assert verify(s.index) == []
    unknown = remove_documents(["nope.txt"], s.index, s)
    assert unknown.errors and "nope.txt" in str(unknown.errors[0])


def test_bad_files_are_reported_and_the_rest_indexed(fake_embedder, tmp_path, docs):
    (docs / "empty.txt").write_text("", encoding="utf-8")
    (docs / "junk.txt").write_bytes(bytes(range(256)) * 40)
    (docs / "gbk.txt").write_bytes(REPORT_B.replace("东安县", "平安县").encode("gbk"))
    s = _settings(tmp_path)
    report = build_index([docs, tmp_path / "missing"], s.index, s)
    failed = {str(e) for e in report.errors}
    assert any("empty.txt" in e for e in failed) and any("junk.txt" in e for e in failed)
    assert any("missing" in e for e in failed)
    assert all("\n" not in e for e in failed)
    regions = {d.meta.region for d in IndexReader.open(s.index).documents.values()}
    assert regions == {"安宁市", "东安县", "平安县"}  # GBK decoded


def test_one_writer_at_a_time(tmp_path):
    root = tmp_path / "index"
    with WriterLock(root):
        with pytest.raises(IndexLockedError, match=f"PID {os.getpid()}"):
            with WriterLock(root):
                pass
    with WriterLock(root):  # released
        pass


def test_model_mismatch_is_an_error(fake_embedder, tmp_path, docs):
    from retrieval.engine import Engine

    s = _settings(tmp_path)
    build_index([docs], s.index, s)
    with pytest.raises(ModelMismatchError, match="built with model"):
        Engine.open(s.index, s.with_overrides(model="some-other-model"))
    with pytest.raises(ModelMismatchError):
        add_documents([docs], s.index, s.with_overrides(model="some-other-model"))


def test_verify_finds_disagreement(fake_embedder, tmp_path, docs):
    import sqlite3

    s = _settings(tmp_path)
    build_index([docs], s.index, s)
    gen = current_generation(s.index)
    con = sqlite3.connect(gen / "meta.sqlite")
    with con:
        con.execute("DELETE FROM chunks WHERE chunk_id = (SELECT MAX(chunk_id) FROM chunks)")
    con.close()
    problems = verify(s.index)
    assert any("FAISS holds" in p for p in problems)


KILLED_BUILD = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {project!r}); sys.path.insert(0, {tests!r})
    import embeddings
    from conftest import FakeEmbedder
    class Slow(FakeEmbedder):
        def encode_passages(self, texts, progress=None):
            print("encoding", flush=True); time.sleep(60)
    embeddings.load_embedder = lambda name='', batch_size=32, cache=None: Slow()
    from pathlib import Path
    from retrieval.index.indexer import build_index
    from retrieval.settings import Settings
    build_index([Path({docs!r})], Path({index!r}), Settings())
""")


def test_build_killed_midway_leaves_the_old_index_working(fake_embedder, tmp_path, docs):
    s = _settings(tmp_path)
    build_index([docs / "a.txt"], s.index, s)
    before = current_generation(s.index)
    script = KILLED_BUILD.format(project=str(PROJECT), tests=str(PROJECT / "tests"),
                                 docs=str(docs), index=str(s.index))
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "encoding"  # the build is under way
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert current_generation(s.index) == before
    assert verify(s.index) == []
    assert [d.source for d in IndexReader.open(s.index).documents.values()] == ["a.txt"]
    # the next writer cleans up whatever the killed one left
    add_documents([docs / "b.txt"], s.index, s)
    assert not list(s.index.glob("*.tmp"))
    assert verify(s.index) == []


def test_seed_metadata_survives_the_store(fake_embedder, tmp_path):
    s = _settings(tmp_path)
    build_index([SEEDS], s.index, s)
    reader = IndexReader.open(s.index)
    metas = {d.source: d.meta for d in reader.documents.values()}
    assert metas["004_e939aaac88e3997d.txt"].publish_date == "2021-01-25"
    assert metas["001_e1a8097ded6aa1af.txt"].parent_region == "天津市"


def test_added_time_survives_add_and_remove(fake_embedder, tmp_path, docs):
    s = _settings(tmp_path)
    build_index([docs / "a.txt"], s.index, s)
    first = {d.source: d.added_at for d in IndexReader.open(s.index).documents.values()}
    time.sleep(1.1)  # added_at has one-second resolution
    add_documents([docs / "b.txt"], s.index, s)
    after_add = {d.source: d.added_at for d in IndexReader.open(s.index).documents.values()}
    assert after_add["a.txt"] == first["a.txt"] and after_add["b.txt"] > first["a.txt"]
    remove_documents(["b.txt"], s.index, s)
    after_remove = {d.source: d.added_at for d in IndexReader.open(s.index).documents.values()}
    assert after_remove == {"a.txt": first["a.txt"]}


def test_store_rows_are_read_by_column_name():
    """SQLite rows are read by column name (``row["text"]``), never by position."""
    import re

    for name in ("index/store.py", "index/fact_store.py"):
        source = (PROJECT / "retrieval" / name).read_text(encoding="utf-8")
        assert not re.search(r"\b(?:r|row|rows\[0\])\[\d+\]", source), name
