"""End to end through the real model and the real FAISS index of seeds/."""
from __future__ import annotations

import json

import pytest

JINHUA = "004_e939aaac88e3997d.txt"


def test_jinhua_fines_in_english(seed_engine):
    a = seed_engine.ask("how many fines did Jinhua issue in 2020")
    assert a.answered
    assert "703" in a.answer and "1584.66" in a.answer
    assert a.passages[0].source == JINHUA
    assert a.passages[0].meta.region == "金华市" and a.passages[0].meta.year == 2020
    assert a.english == ("Jinhua (金华市), 2020: 703 administrative penalties; "
                         "fines of 15.8466 million yuan (1584.66万元)")
    assert any(f.value == 1584.66 and f.unit == "万元" for f in a.figures)
    assert "金华市应急管理局" in a.message  # the citation names the issuing body


@pytest.mark.parametrize("question", ["金华市2020年罚款多少", "金華市2020年罰款多少", "金华二〇二〇年罚款多少"])
def test_jinhua_fines_in_chinese_forms(seed_engine, question):
    a = seed_engine.ask(question)
    assert a.answered and "1584.66" in a.answer
    assert a.passages[0].source == JINHUA
    assert a.english == ""  # Chinese questions get no English line


def test_json_shape(seed_engine):
    d = seed_engine.ask("金华市2020年罚款多少").to_dict()
    assert set(d) >= {"id", "question", "answered", "answer", "message", "figures", "passages", "elapsed_ms"}
    assert len(d["passages"]) == 5
    assert set(d["passages"][0]) == {"doc", "title", "region", "year", "section", "page", "text", "score"}
    assert d["passages"][0]["score"] >= d["passages"][1]["score"] or d["passages"][0]["doc"] == JINHUA
    json.dumps(d, ensure_ascii=False)


def test_unindexed_place_is_refused_with_what_is_held(seed_engine):
    a = seed_engine.ask("How many fines did Hangzhou issue in 2020?")
    assert not a.answered and a.answer == ""
    assert "杭州" in a.message and "金华市" in a.message


def test_unindexed_year_is_refused_naming_indexed_years(seed_engine):
    a = seed_engine.ask("金华市2023年罚款多少?")
    assert not a.answered
    assert "2023" in a.message and "金华市: 2020" in a.message


def test_question_from_outside_the_corpus_is_refused(seed_engine):
    assert not seed_engine.ask("What is the capital of France?").answered


def test_follow_up_reuses_place_and_year(seed_engine):
    first = seed_engine.ask("how many fines did Jinhua issue in 2020")
    follow = seed_engine.ask("how many production and business units were inspected?", context=first.context)
    assert follow.answered and "27315" in follow.answer
    assert follow.passages[0].meta.region == "金华市"


def test_report_metadata_question(seed_engine):
    a = seed_engine.ask("十堰市应急管理局2021年工作要点的文号是什么")
    assert a.answered and "十应急发〔2021〕6号" in a.answer


def test_bad_questions_raise_one_line_errors(seed_engine):
    from retrieval import QuestionError

    for bad in ("", "   ", "罚款" * 400):
        with pytest.raises(QuestionError) as err:
            seed_engine.ask(bad)
        assert "\n" not in str(err.value)


def test_sources_lists_the_five_reports(seed_engine):
    sources = seed_engine.sources()
    assert {s["region"] for s in sources} == {"金华市", "威海市", "静海区", "明溪县", "十堰市"}
    assert all(s["chunks"] > 0 for s in sources)


def test_question_without_words_is_a_clear_error(seed_engine):
    from retrieval import QuestionError

    for bad in ("???", "\x01\x02\x03", "。。。"):
        with pytest.raises(QuestionError, match="no words"):
            seed_engine.ask(bad)


# ---------------------------------------------------------------- settings the engine honours


def test_engine_honours_max_question_chars(seed_index_dir, settings):
    """GOVQA_MAX_QUESTION_CHARS is the engine's limit too, not a hard-coded 500."""
    from dataclasses import replace

    from retrieval import Engine, QuestionError

    strict = Engine.open(seed_index_dir, replace(settings, max_question_chars=30))
    with pytest.raises(QuestionError, match="at most 30"):
        strict.ask("how many fines did Jinhua issue in 2020, please?")
    roomy = Engine.open(seed_index_dir, replace(settings, max_question_chars=1000))
    padded = "金华市2020年罚款多少" + " " * 600  # longer than the old fixed limit of 500
    assert roomy.ask(padded).answered


def test_engine_honours_top_k(seed_index_dir, settings, seed_engine):
    """GOVQA_TOP_K is how many passages come with an answer; the answer itself does not change."""
    from dataclasses import replace

    from retrieval import Engine

    few = Engine.open(seed_index_dir, replace(settings, top_k=3)).ask("金华市2020年罚款多少")
    usual = seed_engine.ask("金华市2020年罚款多少")
    assert len(few.passages) == 3 and len(usual.passages) == 10
    assert few.answer == usual.answer and few.passages[0].source == usual.passages[0].source == JINHUA
    many = Engine.open(seed_index_dir, replace(settings, top_k=15)).ask("金华市2020年罚款多少")
    assert len(many.passages) == 15 and many.answer == usual.answer
