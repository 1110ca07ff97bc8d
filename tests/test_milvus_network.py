"""The Milvus back end over the network protocol a Milvus cluster speaks: a
real Milvus Lite server on 127.0.0.1 and several engine processes sharing it
(bot replicas with nothing on their disk). Vectors come from a fake embedder
whose hash is the same in every process (tests/milvus_procs.py)."""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.telegram.texts import T
from retrieval.dev.lite_server import LiteServer
from retrieval.engine import Engine
from retrieval.index.backend import IndexUnavailableError
from retrieval.index.indexer import build_index

from .conftest import PROJECT
from .milvus_procs import WATCH_QUESTION, StableEmbedder, answer_dict, milvus_settings
from .test_store import REPORT_A, REPORT_B
from .test_telegram_bot import converse, running_bot

QUESTIONS = [WATCH_QUESTION, "安宁市2020年罚款多少", "东安县转移群众多少人", "how many fines did Anning issue in 2020",
             "杭州2020年罚款多少", "各地罚款金额对比"]
PROCESS_SECONDS = 180  # ceiling for one helper process on a loaded machine


@pytest.fixture
def stable(monkeypatch):
    import embeddings
    import embeddings.loader

    fake = StableEmbedder()
    monkeypatch.setattr(embeddings, "load_embedder", lambda name="", batch_size=32, cache=None: fake)
    monkeypatch.setattr(embeddings.loader, "load_embedder", lambda name="", batch_size=32, cache=None: fake)
    return fake


@pytest.fixture
def server(tmp_path):
    with LiteServer(tmp_path / "milvus" / "govqa.db") as lite:
        yield lite


@pytest.fixture
def built(tmp_path, stable, server) -> str:
    """A and B indexed through the server; returns its URI."""
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text(REPORT_A, encoding="utf-8")
    (folder / "b.txt").write_text(REPORT_B, encoding="utf-8")
    report = build_index([folder], Path("unused"), milvus_settings(server.uri))
    assert report.documents == 2 and not report.errors
    return server.uri


def _process(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tests.milvus_procs", *args], cwd=PROJECT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _output(proc: subprocess.Popen) -> str:
    out, err = proc.communicate(timeout=PROCESS_SECONDS)
    assert proc.returncode == 0, err[-2000:]
    return out


def test_two_engine_processes_answer_the_same(built, tmp_path):
    questions = tmp_path / "questions.json"
    questions.write_text(json.dumps(QUESTIONS, ensure_ascii=False), encoding="utf-8")
    procs = [_process("answer", built, str(questions)) for _ in range(2)]
    answers = [[json.loads(line) for line in _output(p).splitlines()] for p in procs]
    here = Engine.open(None, milvus_settings(built))
    assert answers[0] == answers[1] == [answer_dict(here.ask(q)) for q in QUESTIONS]
    assert "35次" in answers[0][0]["answer"] and "88万元" in answers[0][1]["answer"]
    assert not answers[0][4]["answered"]  # 杭州 is not indexed: refused alike


def big_report(paragraphs: int = 40) -> str:
    """A report of many chunks, each with a figure (facts in every chunk)."""
    lines = ["平山县应急管理局2022年工作总结", "发布日期:2023-01-10", "一、主要工作"]
    lines += [f"第{i + 1}项工作:全年开展第{i + 1}类专项检查{100 + i}次,排查隐患{2000 + i}项,"
              f"整改率达到百分之九十以上,有关情况已按要求报送上级部门备案并向社会公开。" * 2 for i in range(paragraphs)]
    return "\n".join(lines) + "\n"


def test_a_report_added_while_another_process_answers_is_never_half_seen(built, tmp_path):
    new = tmp_path / "new" / "c.txt"
    new.parent.mkdir()
    new.write_text(big_report(), encoding="utf-8")
    stop = tmp_path / "stop"
    watcher = _process("watch", built, str(stop))
    assert watcher.stdout.readline().strip() == "ready"
    adder = _process("add", built, str(new.parent))
    assert "add: 3 docs" in _output(adder)
    time.sleep(1.0)  # the watcher sees the published state
    stop.touch()
    seen = json.loads(_output(watcher).strip().splitlines()[-1])
    assert {state: problems for state, problems in seen["states"].items() if problems} == {}
    sources = [state.split(" ", 1)[1] for state in seen["states"]]
    assert "['a.txt', 'b.txt']" in sources and "['a.txt', 'b.txt', 'c.txt']" in sources
    assert seen["checks"] >= 5 and seen["answered"] == [True]


def test_server_killed_mid_question_then_back(built, server):
    """The bot says the index is unavailable, and answers again once Milvus is back."""
    engine = Engine.open(None, milvus_settings(built, milvus_timeout=3))
    with running_bot(engine) as api:
        assert "35次" in converse(api, 7, WATCH_QUESTION).text
        reader = engine.reader
        keyword_search = reader.search_keywords

        def killed_between_searches(*args, **kw):  # the dense search has run, the keyword one will not
            del reader.search_keywords
            server.kill()
            return keyword_search(*args, **kw)

        reader.search_keywords = killed_between_searches
        assert converse(api, 7, WATCH_QUESTION).text == T("en", "unavailable")
        with pytest.raises(IndexUnavailableError) as down:
            engine.ask(WATCH_QUESTION)
        assert str(down.value).startswith("the index is unavailable (Milvus at http://127.0.0.1:")
        assert "\n" not in str(down.value)
        server.start()
        deadline = time.monotonic() + 60
        while "35次" not in (text := converse(api, 7, WATCH_QUESTION).text):
            assert text == T("en", "unavailable") and time.monotonic() < deadline
            time.sleep(0.5)
