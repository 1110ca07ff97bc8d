"""Tests for retrieval.compare and retrieval.chart: comparison questions.

Detection is tested on parsed questions alone; the answers go through
``seed_engine`` (the real model and index of seeds/), as staff would ask.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.dev import evaluation
from retrieval.query.parse import parse_question
from retrieval.query.plan import plan
from retrieval.query.regions import RegionTable

# Not in tests/data: test_cli_admin indexes that whole folder as a corpus, and a .jsonl there is read as one.
QA_FILE = Path(__file__).resolve().parent / "qa" / "compare_qa.jsonl"
SEED_REGIONS = RegionTable.from_regions([("金华市", ""), ("威海市", ""), ("静海区", "天津市"), ("明溪县", ""),
                                         ("十堰市", "")])
PNG = b"\x89PNG\r\n\x1a\n"


def kind_of(question: str, context: dict | None = None) -> str | None:
    query = parse_question(question, SEED_REGIONS)
    if context:
        query = query.with_context(context)
    request = plan(query)
    return request.kind if request else None


# ---------------------------------------------------------------- detection


@pytest.mark.parametrize("question,kind", [
    ("Which city fined the most?", "rank"),
    ("罚款最多的是哪个地区?", "rank"),
    ("Which place held the fewest drills?", "rank"),
    ("Rank the reports by petitions received", "rank"),
    ("各地罚款金额排名", "rank"),
    ("金华和明溪哪个地区罚款更多?", "rank"),
    ("Which of Jinhua and Mingxi fined more?", "rank"),
    ("Compare fines across all reports", "table"),
    ("各地行政处罚次数对比", "table"),
    ("Compare the hazard rectification rate across reports", "table"),
    ("Did Weihai fine more in 2021 than Mingxi in 2024?", "versus"),
    ("威海市2021年罚款比明溪县2024年多吗?", "versus"),
    ("明溪县2024年罚款比威海市2021年少吗?", "versus"),
    ("List Jinhua's figures for 2020", "list"),
    ("列出静海区2019年的所有数据", "list"),
])
def test_comparison_questions_are_detected(question: str, kind: str) -> None:
    assert kind_of(question) == kind


@pytest.mark.parametrize("question", [
    "how many fines did Jinhua issue in 2020",
    "金华市2020年罚款多少?",
    "金华市2020年核发了多少特种作业人员操作证?",
    "How many production and business units did Jinhua inspect in 2020?",
    "金华市应急管理局聘请了哪家律师事务所?",
    "How much did the Weihai emergency management bureau fine in 2021?",
    "How many petitions and reports did Jinghai handle in 2019?",
    "Which typhoon hit Jinghai in 2019?",
    "明溪县2024年行政处罚多少次,罚款多少",
    "What was Mingxi county's hazard rectification rate in 2024?",
    "How many temporary helicopter landing points does Shiyan plan to set up?",
    "金华推进“最多跑一次”改革做了什么?",  # 最多跑一次 is a reform's name, not a superlative
    "What did Jinhua do most to train enterprise staff in 2020?",  # one place: not a ranking
    "What is the capital of France?",
    # one place and one year: the asker compares, the question asks one report
    "我们在对比各地市的行政审批数据,威海市2021年的行政许可一共多少件?",
    "I'm putting together a comparison: how many fines did Jinhua issue in 2020?",
])
def test_ordinary_questions_stay_ordinary(question: str) -> None:
    assert kind_of(question) is None


def test_a_borrowed_region_does_not_narrow_a_ranking() -> None:
    context = {"region": "金华市", "year": 2020, "topic": "罚款"}
    query = parse_question("Which city fined the most?", SEED_REGIONS).with_context(context)
    assert query.region == "金华市"  # the follow-up machinery fills it in ...
    request = plan(query)
    assert request.kind == "rank" and request.sides == []  # ... but the ranking covers every report


# ---------------------------------------------------------------- answers through the engine

FINES_RANKED = ["1584.66万元", "742万元", "76.026万元", "44.45万元"]


@pytest.mark.parametrize("question", ["Which city fined the most?", "罚款最多的是哪个地区?"])
def test_ranked_list_with_citations(seed_engine, question: str) -> None:
    a = seed_engine.ask(question)
    assert a.answered and len(a.answer) <= 200
    assert a.answer.startswith("罚款金额从高到低: 1. 金华市 2020: 1584.66万元; 2. 天津市静海区 2019: 742万元")
    assert [f.text for f in a.figures] == FINES_RANKED
    # one passage per figure, in ranking order, each holding its figure: the citation
    assert [h.meta.region for h in a.passages] == ["金华市", "静海区", "明溪县", "威海市"]
    assert all(fig in hit.chunk.text for fig, hit in zip(FINES_RANKED, a.passages))
    assert a.passages[0].chunk.chunk_id >= 0 and a.passages[0].meta.title.startswith("金华市应急管理局")
    # the full table: every report, figures in base units, sources, the one lacking the measure
    assert "1. 金华市 2020: 1584.66万元 = 15,846,600 元" in a.message
    assert "Source: 金华市应急管理局(人防办)关于2020年度法治政府建设工作情况的报告" in a.message
    assert "十堰市 2021: no 罚款金额 figure in this report" in a.message
    assert "无此数据: 十堰市 2021" in a.answer
    if a.question.startswith("Which"):
        assert a.english.startswith("Fines (罚款金额), highest first: Jinhua 2020: 15.8466 million yuan")
        assert "No figure in: Shiyan 2021" in a.english
    else:
        assert a.english == ""


def test_table_and_chart(seed_engine, tmp_path: Path) -> None:
    a = seed_engine.ask("Compare fines across all reports")
    assert a.answered and [f.text for f in a.figures] == FINES_RANKED
    png = seed_engine.chart_for(a)
    assert png is not None and png.startswith(PNG) and len(png) > 5000
    (tmp_path / "fines.png").write_bytes(png)


def test_missing_measure_is_named_per_report(seed_engine) -> None:
    a = seed_engine.ask("各地行政处罚次数对比")
    assert a.answered
    assert a.answer.startswith("行政处罚次数从高到低: 1. 金华市 2020: 703次; 2. 明溪县 2024: 195次")
    for lacking in ("威海市 2021", "天津市静海区 2019", "十堰市 2021"):
        assert lacking in a.answer
        assert f"{lacking}: no 行政处罚次数 figure in this report" in a.message
    assert seed_engine.chart_for(a).startswith(PNG)


def test_listing_of_one_report_by_section(seed_engine) -> None:
    a = seed_engine.ask("List Jinhua's figures for 2020")
    facts = seed_engine.facts(region="金华市", year=2020)
    assert a.answered and len(a.answer) <= 200 and a.answer.startswith(f"金华市 2020: {len(facts)} 个数据")
    items = [line for line in a.message.splitlines() if line.startswith("    - ")]
    assert len(items) == len(facts) == len(a.figures)
    sections = [line.strip()[2:] for line in a.message.splitlines() if line.strip().startswith("§ ")]
    assert sections == list(dict.fromkeys(f.section for f in facts))  # document order, each once
    assert "    - 罚款: 1584.66万元 [罚款金额] (全市 (whole region))" in a.message
    assert a.english.startswith("Jinhua 2020: ")
    assert seed_engine.chart_for(a) is None


@pytest.mark.parametrize("question", ["Did Weihai fine more in 2021 than Mingxi in 2024?",
                                      "威海市2021年罚款比明溪县2024年多吗?"])
def test_two_sided_comparison(seed_engine, question: str) -> None:
    a = seed_engine.ask(question)
    assert a.answered
    assert a.answer == "否。威海市 2021 罚款金额 44.45万元,少于 明溪县 2024 的 76.026万元。"
    assert [f.text for f in a.figures] == ["44.45万元", "76.026万元"]
    assert [h.meta.region for h in a.passages] == ["威海市", "明溪县"]
    if question.startswith("Did"):
        assert a.english.startswith("No: fines — Weihai 2021: 444,500 yuan (44.45万元), less than Mingxi county")
    assert seed_engine.chart_for(a).startswith(PNG)


def test_two_sided_yes(seed_engine) -> None:
    a = seed_engine.ask("Did Jinhua impose more administrative penalties than Mingxi?")
    assert a.answer.startswith("是。金华市 2020 行政处罚次数 703次,多于 明溪县 2024 的 195次")


def test_comparisons_refuse_places_and_years_without_reports(seed_engine) -> None:
    missing_year = seed_engine.ask("Did Weihai fine more in 2021 than Mingxi in 2023?")
    assert not missing_year.answered and "明溪县 2023" in missing_year.message
    unknown = seed_engine.ask("Did Hangzhou fine more than Jinhua?")
    assert not unknown.answered and "杭州" in unknown.message
    no_year = seed_engine.ask("Which city fined the most in 2023?")
    assert not no_year.answered and "2023" in no_year.message
    assert seed_engine.chart_for(unknown) is None


def test_ordinary_question_is_unaffected(seed_engine) -> None:
    a = seed_engine.ask("how many fines did Jinhua issue in 2020")
    assert a.answered and "行政处罚703次,罚款1584.66万元" in a.answer
    assert "\n" not in a.message  # a one-line citation, not a table
    assert seed_engine.chart_for(a) is None


def test_follow_up_ranking_covers_every_report(seed_engine) -> None:
    first = seed_engine.ask("how many fines did Jinhua issue in 2020")
    ranked = seed_engine.ask("Which city fined the most?", context=first.context)
    assert [f.text for f in ranked.figures] == FINES_RANKED


def test_compare_qa_file_scores_perfectly(seed_engine) -> None:
    items = evaluation.load_questions(QA_FILE)
    assert sum(i["kind"] == "comparison" for i in items) >= 15
    report = evaluation.run(seed_engine.ask, items)
    failures = [(s.item["id"], s.answer.answer or s.answer.message) for s in report.failures()]
    assert not failures
    assert "answer=1.00 refusal=1.00 false_refusal=0.00" in report.summary()


def test_eval_scores_the_top_value() -> None:
    from retrieval.records import Answer

    item = {"kind": "comparison", "top_value": "1584.66", "top_region": "金华市"}
    right = Answer("q", True, answer="罚款金额从高到低: 1. 金华市 2020: 1584.66万元; 2. 天津市静海区 2019: 742万元")
    wrong = Answer("q", True, answer="罚款金额从高到低: 1. 天津市静海区 2019: 742万元; 2. 金华市 2020: 1584.6万元")
    assert evaluation.score_one(item, right).correct
    assert not evaluation.score_one(item, wrong).correct
    assert not evaluation.score_one(item, Answer("q", False, message="no")).correct


# ---------------------------------------------------------------- the chart


def test_chart_font_has_chinese_glyphs() -> None:
    from matplotlib.ft2font import FT2Font

    from retrieval.answer.chart import cjk_font_path

    path = cjk_font_path()
    assert path is not None, "no CJK font: pip install mplfonts (a project dependency)"
    font = FT2Font(str(path))
    assert all(font.get_char_index(ord(ch)) for ch in "罚款金额金华市天津静海区明溪县威海十堰无数据")


def test_chart_bytes() -> None:
    from retrieval.answer.chart import Bar, bar_chart

    png = bar_chart("罚款金额 (fines)", [Bar("金华市 2020", 15_846_600, "1584.66万元"),
                                      Bar("十堰市 2021", None, "无数据 no figure")], "元")
    assert png.startswith(PNG)
