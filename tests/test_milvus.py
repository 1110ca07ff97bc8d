"""The Milvus back end on a real Milvus Lite file in tmp_path (never a mock):
built from the seeds with the real model and answering the dev questions as
the FAISS folder does; add, remove, verify, a reopened client, a model or
dimension mismatch, a second writer, an unreachable server.
(Several processes over the network protocol: test_milvus_network.py.)"""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from retrieval.dev.evaluation import load_questions, run
from retrieval.engine import Engine
from retrieval.index.backend import (IndexLockedError, IndexMissingError, IndexUnavailableError, ModelMismatchError,
                                     open_index)
from retrieval.index.indexer import add_documents, build_index, remove_documents
from retrieval.index.milvus import MilvusIndex
from retrieval.settings import Settings

from .conftest import SEEDS, SHARED, FakeEmbedder, fresh_tokenizer
from .test_store import REPORT_A, docs  # noqa: F401 (docs: the fixture of two small reports)

DEV_QA = SHARED / "eval" / "dev_qa.jsonl"
STAFF_QA = Path(__file__).resolve().parent / "qa" / "staff_qa.jsonl"
DRILLS = "东安县2021年开展应急演练多少次"
FINES = "安宁市2020年罚款多少"


def answer_dict(answer) -> dict:
    d = answer.to_dict()
    d.pop("elapsed_ms")
    return d


def milvus(tmp_path: Path, name: str = "govqa.db", **kw) -> Settings:
    return Settings(backend="milvus", milvus_uri=str(tmp_path / name), **kw)


@pytest.fixture(scope="session")
def milvus_seeds(tmp_path_factory, settings, seed_index_dir) -> Settings:
    """The seeds indexed in a Milvus Lite file with the real model: ``index build``
    as a user runs it, except that the model's vectors of the seed chunks are
    taken from the folder index of the same seeds (same model, same texts;
    encoding them again costs a minute on a busy machine)."""
    from retrieval.index.indexer import passage_text
    from retrieval.index.model import load_model

    folder = open_index(settings, seed_index_dir).open_reader()
    known = {passage_text(c): folder.vectors([c.chunk_id])[0] for c, _, _ in folder.iter_chunks()}
    embedder = load_model(folder.manifest["model"], settings)  # the instance the build will load
    encode = embedder.encode_passages

    def encode_known(texts, progress=None):
        if all(t in known for t in texts):
            if progress:
                progress(len(texts))
            return np.stack([known[t] for t in texts])
        return encode(texts, progress=progress)

    s = replace(settings, backend="milvus", milvus_uri=str(tmp_path_factory.mktemp("milvus-seeds") / "seeds.db"))
    embedder.encode_passages = encode_known
    try:
        with fresh_tokenizer():  # as seed_index_dir was built
            report = build_index([SEEDS], Path("unused"), s)
    finally:
        del embedder.encode_passages
    assert report.documents == 5 and not report.errors and report.embedded == folder.size, report.summary()
    assert "Milvus at" in report.summary()
    return s


# ---------------------------------------------------------------- seeds, real model


def test_seeds_in_milvus_hold_what_the_folder_holds(milvus_seeds, seed_index_dir):
    index = open_index(milvus_seeds)
    assert index.verify() == []
    m, f = index.open_reader(), open_index(Settings(), seed_index_dir).open_reader()
    assert list(m.documents) == list(f.documents)  # same index order
    assert [d.meta for d in m.documents.values()] == [d.meta for d in f.documents.values()]
    assert (m.size, m.manifest["model"], m.manifest["dimension"]) == (f.size, f.manifest["model"], f.manifest["dimension"])
    assert m.document_frequencies() == f.document_frequencies()
    terms = [t for tok in list(f.document_frequencies())[:300] for t in (tok, tok[:2], tok[-2:], tok + "局")]
    assert [m.knows(t) for t in terms] == [f.knows(t) for t in terms] and not m.knows("不存在的词语")
    assert m.document_years() == f.document_years()
    assert [c.text for c in m.chunks(range(m.size))] == [c.text for c in f.chunks(range(f.size))]
    assert len(m.facts().facts()) == len(f.facts().facts()) > 100


def test_place_and_year_masks_filter_on_milvus_fields(milvus_seeds, seed_index_dir):
    from retrieval.rank.search import doc_mask_for

    m, f = open_index(milvus_seeds).open_reader(), open_index(Settings(), seed_index_dir).open_reader()
    places = sorted({p for d in m.documents.values() for p in d.meta.places()})
    assert len(places) >= 5
    for place in places:
        for years in ([], [2020], [2019, 2021]):
            mask = doc_mask_for(m, place, years)
            assert m.mask_expr(mask).startswith("array_contains_any(regions, "), (place, years)
            assert m.search_keywords(["罚款", "检查"], 50, mask).ids.tolist() == \
                f.search_keywords(["罚款", "检查"], 50, mask).ids.tolist()
    odd = np.zeros(len(m.documents), dtype=bool)
    odd[[0, 2]] = True  # no place or year rule gives these two: a list of ids
    assert m.mask_expr(odd).startswith("doc_id in ")
    assert set(m.search_dense(f.vectors([0])[0], 20, odd).docs.tolist()) <= {0, 2}


def test_dev_eval_through_milvus_answers_as_the_folder_does(milvus_seeds, seed_engine):
    """The dev questions and the staff's (lists, summaries, yes/no, follow-ups) alike."""
    engine = Engine.open(None, milvus_seeds)
    assert engine.index.describe().startswith("Milvus at")
    items = load_questions(DEV_QA) + load_questions(STAFF_QA)
    ours, theirs = run(engine.ask, items), run(seed_engine.ask, items)
    figures = [{k: v for k, v in scores.figures().items() if k != "p50_ms"} for scores in (ours, theirs)]
    assert figures[0] == figures[1] and figures[0]["answer"] >= 0.9
    for item, a, b in zip(items, ours.scored, theirs.scored):
        assert answer_dict(a.answer) == answer_dict(b.answer), item["question"]


def test_comparisons_and_facts_come_from_milvus(milvus_seeds, seed_engine):
    engine = Engine.open(None, milvus_seeds)
    for question in ("各地罚款金额对比", "Which city fined the most?"):
        assert answer_dict(engine.ask(question)) == answer_dict(seed_engine.ask(question))
    assert [f.text for f in engine.facts("fines", "Jinhua", 2020)] == [f.text for f in seed_engine.facts("fines", "Jinhua", 2020)]


# ---------------------------------------------------------------- changes, fake embedder


def test_add_remove_and_a_reopened_client(fake_embedder, tmp_path, docs):
    s = milvus(tmp_path)
    build_index([docs / "a.txt"], Path("unused"), s)
    engine = Engine.open(None, s)
    assert not engine.ask(DRILLS).answered
    report = add_documents([docs], Path("unused"), s)
    assert report.added == ["b.txt"] and report.reused >= 1 and report.embedded >= 1
    assert any("already indexed" in line for line in report.skipped)
    assert engine.reload() and "35次" in engine.ask(DRILLS).answer
    index = open_index(s)
    assert index.verify() == []

    removed = remove_documents(["b.txt"], Path("unused"), s)
    assert len(removed.removed) == 1 and not removed.errors
    assert engine.reload() and [d.source for d in engine.reader.documents.values()] == ["a.txt"]
    assert len(engine.reader.search_keywords(["演练"], 10)[0]) == 0  # BM25 forgot it
    assert engine.reader.knows("演练") is False and not engine.ask(DRILLS).answered
    assert index.verify() == []

    (docs / "a.txt").write_text(REPORT_A.replace("120次", "121次"), encoding="utf-8")
    replaced = add_documents([docs / "a.txt"], Path("unused"), s)
    assert replaced.added == ["a.txt"] and len(replaced.removed) == 1
    engine.reload()
    before = answer_dict(engine.ask(FINES))
    assert "121次" in before["answer"] and index.verify() == []

    index.db.close()  # a new client on the same file sees the same index
    again = MilvusIndex(s.milvus_uri)
    reader = again.open_reader()
    assert [d.source for d in reader.documents.values()] == ["a.txt"] and again.verify() == []
    assert answer_dict(Engine(again, reader, s).ask(FINES)) == before


def test_changes_in_milvus_and_in_the_folder_answer_alike(fake_embedder, tmp_path, docs):
    folder, mil = Settings(index=tmp_path / "index"), milvus(tmp_path)
    for s in (folder, mil):
        build_index([docs / "a.txt"], s.index, s)
        add_documents([docs / "b.txt"], s.index, s)
        remove_documents(["a.txt"], s.index, s)
        add_documents([docs / "a.txt"], s.index, s)
    engines = [Engine.open(None, s) for s in (folder, mil)]
    for question in (DRILLS, FINES, "东安县转移群众多少人", "how many drills"):
        assert answer_dict(engines[0].ask(question)) == answer_dict(engines[1].ask(question))
    readers = [e.reader for e in engines]
    assert [d.source for d in readers[0].documents.values()] == [d.source for d in readers[1].documents.values()]
    assert readers[0].document_frequencies() == readers[1].document_frequencies()


def test_verify_finds_chunks_missing_in_milvus(fake_embedder, tmp_path, docs):
    s = milvus(tmp_path)
    build_index([docs], Path("unused"), s)
    index = open_index(s)
    reader = index.open_reader()
    first = next(iter(reader.documents.values()))
    index.db.call("delete", index.db.name(reader.gen, "chunks"), filter="chunk_id == 0")
    problems = index.verify()
    assert any(f"{first.source}: {first.chunks - 1} chunks stored, {first.chunks} expected" in p for p in problems)
    assert any("Milvus holds" in p and "chunks" in p for p in problems)


def test_a_model_or_dimension_mismatch_is_one_line(fake_embedder, tmp_path, docs, monkeypatch):
    s = milvus(tmp_path)
    build_index([docs], Path("unused"), s)  # recorded as the encoder that ran: 'fake', 64-d
    with pytest.raises(ModelMismatchError, match="built with model 'fake', not 'm3e-small'") as err:
        Engine.open(None, s.with_overrides(model="m3e-small"))
    assert "Milvus at" in str(err.value) and "\n" not in str(err.value)
    with pytest.raises(ModelMismatchError):
        add_documents([docs], Path("unused"), s.with_overrides(model="m3e-small"))

    class Narrow(FakeEmbedder):
        dim = 32

    import embeddings

    monkeypatch.setattr(embeddings, "load_embedder", lambda name="", batch_size=32, cache=None: Narrow())
    with pytest.raises(ModelMismatchError, match="gives 32-d vectors but the index Milvus at .* holds 64-d"):
        Engine.open(None, s)
    (docs / "c.txt").write_text(REPORT_A.replace("安宁市", "平安县"), encoding="utf-8")
    with pytest.raises(ModelMismatchError, match="gives 32-d vectors but the index holds 64-d"):
        add_documents([docs / "c.txt"], Path("unused"), s)
    assert open_index(s).verify() == [] and len(open_index(s).open_reader().documents) == 2


def test_vectors_of_another_encoder_are_refused_in_one_line(fake_embedder, tmp_path, docs, monkeypatch):
    """Same name and dimension, another fingerprint (e5-onnx made by another ONNX
    Runtime, or fallen back): Milvus adds rows beside the live ones, so it refuses."""
    s = milvus(tmp_path)
    build_index([docs / "a.txt"], Path("unused"), s)
    assert open_index(s).open_reader().manifest["model_fingerprint"] == "fake:1"

    class Other(FakeEmbedder):
        fingerprint = "fake:2"

    import embeddings

    monkeypatch.setattr(embeddings, "load_embedder", lambda name="", batch_size=32, cache=None: Other())
    before = open_index(s).live()
    with pytest.raises(ModelMismatchError, match="holds vectors of encoder fake:1, this machine's is fake:2") as err:
        add_documents([docs / "b.txt"], Path("unused"), s)
    assert "\n" not in str(err.value) and "govqa index build" in str(err.value)
    assert open_index(s).live() == before and len(open_index(s).open_reader().documents) == 1
    report = build_index([docs], Path("unused"), s)  # the way out: every vector from the new encoder
    assert not report.errors and report.reused == 0
    assert open_index(s).open_reader().manifest["model_fingerprint"] == "fake:2"


def test_the_chunk_cap_holds_on_milvus(fake_embedder, tmp_path, docs):
    s = milvus(tmp_path, max_chunks=3)
    build_index([docs / "a.txt"], Path("unused"), s)
    big = docs / "big.txt"
    big.write_text("长宁区应急管理局2021年工作总结\n一、主要工作\n" + "".join(
        f"第{i}项:全年开展应急演练{i}次,转移群众{i * 3}人,检查企业{i * 7}家。\n" * 8 for i in range(40)), encoding="utf-8")
    report = add_documents([big], Path("unused"), s)
    assert len(report.errors) == 1 and "big.txt" in str(report.errors[0]) and "GOVQA_MAX_CHUNKS" in str(report.errors[0])
    assert [d.source for d in open_index(s).open_reader().documents.values()] == ["a.txt"]


def test_a_second_writer_is_refused(tmp_path):
    uri = str(tmp_path / "govqa.db")
    with MilvusIndex(uri).writer():
        with pytest.raises(IndexLockedError, match="is being updated by .*; try again when it finishes"):
            with MilvusIndex(uri).writer():
                pass
    with MilvusIndex(uri).writer():  # released
        pass


def test_missing_and_unreachable_indexes_are_one_line(tmp_path, monkeypatch, capsys):
    from bot.cli import main
    from retrieval.dev.lite_server import free_port

    with pytest.raises(IndexMissingError, match="no index in Milvus at .*govqa index build"):
        open_index(milvus(tmp_path)).open_reader()
    nobody = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(IndexUnavailableError, match=f"the index is unavailable \\(Milvus at {nobody}.*try again"):
        open_index(Settings(backend="milvus", milvus_uri=nobody, milvus_timeout=3)).open_reader()
    monkeypatch.setenv("GOVQA_BACKEND", "milvus")
    monkeypatch.setenv("GOVQA_MILVUS_URI", nobody)
    monkeypatch.setenv("GOVQA_MILVUS_TIMEOUT", "3")
    assert main(["ask", "how many fines did Jinhua issue in 2020"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("govqa: the index is unavailable") and "\n" not in err
    monkeypatch.setenv("GOVQA_MILVUS_URI", "")
    assert main(["index", "list"]) == 2
    assert "GOVQA_BACKEND=milvus needs GOVQA_MILVUS_URI" in capsys.readouterr().err


def test_index_commands_work_on_milvus(fake_embedder, tmp_path, docs, monkeypatch, capsys):
    from bot.cli import main

    monkeypatch.setenv("GOVQA_BACKEND", "milvus")
    monkeypatch.setenv("GOVQA_MILVUS_URI", str(tmp_path / "govqa.db"))
    assert main(["index", "build", "--docs", str(docs)]) == 0
    assert main(["index", "verify"]) == 0 and "verify: ok" in capsys.readouterr().out
    assert main(["index", "stats"]) == 0
    stats = capsys.readouterr().out
    assert "Milvus at" in stats and "documents:  2" in stats and "on the Milvus server" not in stats
    assert main(["index", "list"]) == 0 and "a.txt" in capsys.readouterr().out
    assert main(["facts", "--format", "json"]) == 0
    assert {f["text"] for f in json.loads(capsys.readouterr().out)} >= {"120次", "88万元", "35次"}
