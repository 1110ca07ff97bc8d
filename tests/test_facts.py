"""Tests for retrieval.facts: the facts stored for the five seed reports.

``SEED_FACTS`` is the table of expected stored facts: for each sentence (a
substring that picks it out of its report), facts that must be stored for it,
as (figure as written, measure, base value, base unit, approx, scope); the
measure "" means no measure fits, the scope "" means the sentence names none.
``tests/test_figures.py`` tests how clauses are read; these tests are about
what ends up in the table: the normalised measure and the base value.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from retrieval.ingest.chunking import chunk_document
from retrieval.index.fact_store import FACTS_FILE, FactStore, for_reader, write_facts
from retrieval.index.facts import Fact, Report, extract_facts, sentence_facts
from retrieval.query.measures import question_measures, resolve_measure, select
from retrieval.ingest import load_documents
from retrieval.records import Metadata

SEEDS = Path(__file__).resolve().parents[1] / "seeds"

Expected = tuple[str, str, float, str, bool, str]  # text, measure, base value, base unit, approx, scope

SEED_FACTS: list[tuple[str, str, list[Expected]]] = [
    # ---------------------------------------------------------------- 金华市 2020
    ("金华市", "行政处罚703次,罚款1584.66万元", [
        ("27315家", "检查单位数", 27315, "家", False, "全市"),
        ("1701次", "检查次数", 1701, "次", False, "全市"),
        ("100%", "", 100, "%", False, "全市"),
        ("703次", "行政处罚次数", 703, "次", False, "全市"),
        ("1584.66万元", "罚款金额", 15_846_600, "元", False, "全市"),
        ("19家", "停产整顿单位数", 19, "家", False, "全市")]),
    ("金华市", "发现问题隐患51560项", [
        ("61983家次", "检查单位数", 61983, "家次", False, "全市"),
        ("51560项", "排查隐患数", 51560, "项", False, "全市"),
        ("46932", "整改隐患数", 46932, "项", False, "全市")]),  # unit left out: borrowed from 51560项
    ("金华市", "特种作业人员操作证21470份", [
        ("47家", "行政许可数", 47, "家", False, ""),
        ("1083份", "行政许可数", 1083, "份", False, ""),
        ("21470份", "行政许可数", 21470, "份", False, ""),
        ("17项", "", 17, "项", False, "")]),
    ("金华市", "完成培训总人数达8万余人次", [("8万余人次", "培训人次", 80000, "人次", True, "")]),
    ("金华市", "全年共接到或转办信访件53件", [("53件", "信访件数", 53, "件", False, "")]),
    ("金华市", "分发宣传册10万余份", [
        ("140余条", "", 140, "条", True, ""),
        ("16万余条", "宣传短信条数", 160_000, "条", True, ""),
        ("10万余份", "宣传资料份数", 100_000, "份", True, ""),
        ("6万余人次", "宣传教育人次", 60_000, "人次", True, "")]),
    ("金华市", "建成应急宣教体验馆50家", [
        ("50家", "", 50, "家", False, ""),
        ("3万人次", "宣传教育人次", 30_000, "人次", False, "")]),
    ("金华市", "我局采购执法记录18台", [
        ("100%", "", 100, "%", False, "全市"),
        ("18台", "", 18, "台", False, "本局")]),
    ("金华市", "实施联合执法5次", [("5次", "执法行动次数", 5, "次", False, "")]),
    ("金华市", "分管领导50余人参加培训", [("50余人", "", 50, "人", True, "")]),
    ("金华市", "共研究“三重一大”事项101项", [("101项", "", 101, "项", False, "")]),
    ("金华市", "出台复工复产八条指导意见", [
        ("八条", "", 8, "条", False, ""),  # a Chinese numeral
        ("20天", "", 20, "天", False, "")]),
    ("金华市", "细化创建97项任务", [("97项", "", 97, "项", False, "")]),  # 《…应急管理局…》 is a title, no scope
    ("金华市", "上报省厅2020年失信企业1家", [("1家", "", 1, "家", False, "")]),
    ("金华市", "制发的行政规范性文件7件", [
        ("7件", "", 7, "件", False, ""),
        ("16件", "", 16, "件", False, "")]),
    # ---------------------------------------------------------------- 静海区 2019
    ("静海区", "对306家企业罚款742万元", [
        ("5.3万家次", "检查单位数", 53_000, "家次", False, "全市"),
        ("8.8万项", "排查隐患数", 88_000, "项", False, "全市"),
        ("2.5万份", "执法文书数", 25_000, "份", False, "全市"),
        ("306家", "", 306, "家", False, "全市"),
        ("742万元", "罚款金额", 7_420_000, "元", False, "全市"),
        ("127家", "停产整顿单位数", 127, "家", False, "全市"),
        ("71台(套)", "", 71, "台", False, "全市"),
        ("280家", "曝光企业数", 280, "家", False, "全市"),
        ("201人次", "约谈人次", 201, "人次", False, "全市")]),
    ("静海区", "配备网格员719名", [
        ("23个", "", 23, "个", False, ""),
        ("432个", "", 432, "个", False, ""),
        ("719名", "应急救援人员", 719, "人", False, "")]),
    ("静海区", "应急救援人员400余人", [
        ("16支", "救援队伍数", 16, "支", False, "全市"),
        ("400余人", "应急救援人员", 400, "人", True, "全市"),
        ("2万余人", "应急救援人员", 20_000, "人", True, "全市")]),
    ("静海区", "共办理信访及举报203件", [("203件", "信访件数", 203, "件", False, "本局")]),
    ("静海区", "救生衣1162件", [
        ("4.3万条", "", 43_000, "条", False, ""),
        ("1162件", "", 1162, "件", False, ""),
        ("227只", "", 227, "只", False, "")]),
    ("静海区", "审核行政处罚案件62起", [("62起", "", 62, "起", False, "")]),  # reviews, not penalties
    ("静海区", "重点检查企业382家次", [
        ("610家次", "", 610, "家次", False, ""),  # a plan, not a result
        ("382家次", "检查单位数", 382, "家次", False, "")]),
    ("静海区", "新取得执法资格人员9人", [
        ("9人", "", 9, "人", False, "本局"),
        ("37名", "", 37, "人", False, "本局")]),
    ("静海区", "曝光涉及违法行为企业35家", [("35家", "曝光企业数", 35, "家", False, "全市")]),
    ("静海区", "调整职权118项(次)", [("118项(次)", "", 118, "项", False, "")]),
    ("静海区", "先后开展了两次有针对性的规范文件清理工作", [("两次", "", 2, "次", False, "全市")]),
    # ---------------------------------------------------------------- 威海市 2021
    ("威海市", "罚款44.45万元", [
        ("45件", "行政许可数", 45, "件", False, ""),
        ("12000余件", "行政许可数", 12_000, "件", True, ""),
        ("66项(次)", "立案查处数", 66, "项", False, ""),
        ("44.45万元", "罚款金额", 444_500, "元", False, "")]),
    ("威海市", "查改各类问题隐患14.3万余项", [("14.3万余项", "排查隐患数", 143_000, "项", True, "全市")]),
    ("威海市", "整改问题隐患1719项", [
        ("1200余万元", "投入资金", 12_000_000, "元", True, ""),
        ("1719项", "整改隐患数", 1719, "项", False, "")]),
    ("威海市", "排查场所2199处", [
        ("2199处", "检查单位数", 2199, "处", False, ""),
        ("397项", "整改隐患数", 397, "项", False, "")]),
    ("威海市", "招录450余名森林消防员", [
        ("450余名", "应急救援人员", 450, "人", True, ""),
        ("7期", "培训次数", 7, "期", False, "")]),
    ("威海市", "支付理赔款417.367万元", [
        ("417件", "", 417, "件", False, "全市"),
        ("417.367万元", "理赔金额", 4_173_670, "元", False, "全市")]),
    ("威海市", "年内21次", [("21次", "演练次数", 21, "次", False, "")]),
    ("威海市", "法律法规宣传资料50000余份", [
        ("6次", "", 6, "次", False, ""),
        ("50000余份", "宣传资料份数", 50_000, "份", True, "")]),
    ("威海市", "开展培训16次", [
        ("22项", "", 22, "项", False, ""),
        ("16次", "培训次数", 16, "次", False, ""),
        ("1.64万余条", "", 16_400, "条", True, "")]),
    ("威海市", "采购212.2万元应急物资和设备", [("212.2万元", "投入资金", 2_122_000, "元", False, "")]),
    ("威海市", "分管领导近百人参加培训", [
        ("两天", "", 2, "天", False, ""),
        ("近百人", "", 100, "人", True, "全市")]),
    ("威海市", "组织全市近1000家企业参加活动", [("近1000家", "", 1000, "家", True, "全市")]),
    ("威海市", "动员全市7000余名网格员", [
        ("8项", "", 8, "项", False, ""),
        ("7000余名", "应急救援人员", 7000, "人", True, "全市")]),
    ("威海市", "总里程650余公里", [
        ("两架", "", 2, "架", False, ""),
        ("12处", "", 12, "处", False, "全市"),
        ("650余公里", "", 650, "公里", True, "全市")]),
    # ---------------------------------------------------------------- 明溪县 2024
    ("明溪县", "行政处罚195次,罚款76.026万元", [
        ("1683条", "排查隐患数", 1683, "条", False, "全市"),
        ("1679条", "整改隐患数", 1679, "条", False, "全市"),
        ("99.76%", "整改率", 99.76, "%", False, "全市"),
        ("195次", "行政处罚次数", 195, "次", False, "全市"),
        ("76.026万元", "罚款金额", 760_260, "元", False, "全市")]),
    ("明溪县", "转移群众3028人", [
        ("6063人", "", 6063, "人", False, ""),
        ("3028人", "转移群众人数", 3028, "人", False, "")]),
    ("明溪县", "各类应急演练", [
        ("100余支", "救援队伍数", 100, "支", True, "全市"),
        ("119次", "演练次数", 119, "次", False, "全市"),
        ("20000余人次", "", 20_000, "人次", True, "全市")]),
    ("明溪县", "累计下拨135万元自然灾害救灾资金", [("135万元", "救灾资金", 1_350_000, "元", False, "")]),
    ("明溪县", "今年共向上争取各类资金831.16万元", [
        ("831.16万元", "争取资金", 8_311_600, "元", False, ""),
        ("135万元", "救灾资金", 1_350_000, "元", False, "")]),
    ("明溪县", "近三年来共投入140余万元", [
        ("140余万元", "投入资金", 1_400_000, "元", True, ""),
        ("3处", "", 3, "处", False, "")]),
    ("明溪县", "救助受灾群众400余人", [("400余人", "救助受灾人数", 400, "人", True, "")]),
    ("明溪县", "共发放安全生产、防灾减灾", [
        ("27053余份", "宣传资料份数", 27053, "份", True, ""),
        ("6033辆次", "", 6033, "辆次", False, ""),
        ("36637余条", "宣传短信条数", 36637, "条", True, "")]),
    ("明溪县", "企业负责人专题安全教育培训49次", [
        ("49次", "培训次数", 49, "次", False, ""),
        ("2097人", "培训人次", 2097, "人", False, ""),
        ("745人次", "培训人次", 745, "人次", False, ""),
        ("6966人次", "宣传教育人次", 6966, "人次", False, ""),
        ("73条", "排查隐患数", 73, "条", False, "")]),
    ("明溪县", "各执法中队共开展连片联合执法116次", [("116次", "执法行动次数", 116, "次", False, "")]),
    ("明溪县", "执法人员培训43场次", [
        ("43场次", "培训次数", 43, "场次", False, "全市"),
        ("2100余人", "", 2100, "人", True, "全市")]),
    ("明溪县", "乡级水泵队伍建队率60%以上", [
        ("100%", "", 100, "%", False, "全市"),
        ("60%以上", "", 60, "%", True, "全市")]),
    ("明溪县", "先后召开安全生产相关工作会7次", [("7次", "", 7, "次", False, "")]),
    ("明溪县", "我县争取资金96万元", [
        ("96万元", "争取资金", 960_000, "元", False, "全市"),
        ("90台套", "", 90, "台套", False, "全市")]),
]


@pytest.fixture(scope="module")
def seed_facts() -> list[Fact]:
    """Facts of the five seeds, extracted as the indexer does (no model needed)."""
    docs, errors = load_documents([SEEDS])
    assert len(docs) == 5 and not errors
    chunks = [c for d in docs for c in chunk_document(d)]
    return extract_facts([Report(d.doc_id, d.source, d.meta) for d in docs], enumerate(chunks))


def test_table_covers_forty_sentences() -> None:
    assert len(SEED_FACTS) >= 40
    assert sum(len(expected) for _, _, expected in SEED_FACTS) >= 100


@pytest.mark.parametrize("region,key,expected", SEED_FACTS, ids=[f"{r}:{k[:12]}" for r, k, _ in SEED_FACTS])
def test_seed_sentence_facts(seed_facts: list[Fact], region: str, key: str, expected: list[Expected]) -> None:
    facts = [f for f in seed_facts if f.region == region and key in f.sentence]
    assert facts, f"no facts stored for the {region} sentence with {key!r}"
    assert len({f.sentence for f in facts}) == 1, "the key must pick out one sentence"
    stored = [(f.text, f.measure, f.base_value, f.base_unit, f.approx, f.scope) for f in facts]
    for text, measure, base, unit, approx, scope in expected:
        assert (text, measure, pytest.approx(base), unit, approx, scope) in stored, (text, stored)


def test_each_sentence_stored_once(seed_facts: list[Fact]) -> None:
    """Overlapping chunk windows repeat sentences; their facts are stored once."""
    weihai = [f for f in seed_facts if f.region == "威海市" and f.text == "14.3万余项"]
    assert len(weihai) == 1
    keys = [(f.doc_id, f.sentence, f.text, f.label, f.position) for f in seed_facts]
    assert len(keys) == len(set(keys))


def test_work_plan_without_figures_is_still_a_report(seed_facts: list[Fact]) -> None:
    assert not [f for f in seed_facts if f.region == "十堰市"]


def test_positions_follow_the_document(seed_facts: list[Fact]) -> None:
    jinhua = [f for f in seed_facts if f.region == "金华市"]
    assert [f.position for f in jinhua] == list(range(len(jinhua)))
    texts = [f.text for f in jinhua]
    assert texts.index("703次") < texts.index("1584.66万元") < texts.index("19家")


# ---------------------------------------------------------------- one sentence


REPORT = Report("d1", "a.txt", Metadata(title="某市应急管理局报告", region="金华市", year=2020))


def test_one_sentence_two_facts() -> None:
    facts = sentence_facts("行政处罚703次,罚款1584.66万元", REPORT, "一、主要工作")
    assert [(f.measure, f.value, f.unit, f.base_value, f.base_unit) for f in facts] == [
        ("行政处罚次数", 703, "次", 703, "次"), ("罚款金额", 1584.66, "万元", 15_846_600, "元")]
    assert facts[1].measure_en == "fines" and facts[1].section == "一、主要工作"
    assert facts[1].figure().text == "1584.66万元"


@pytest.mark.parametrize("sentence,text,value,base,unit,approx_word", [
    ("共培训一千二百人次", "一千二百人次", 1200, 1200, "人次", ""),  # Chinese numerals
    ("整改率99.76%", "99.76%", 99.76, 99.76, "%", ""),
    ("开展培训3-5天", "3-5天", 3, 3, "天", ""),  # a range keeps its lower bound; the text keeps both
    ("招录450余名森林消防员", "450余名", 450, 450, "人", "余"),
    ("组织全市近1000家企业参加活动", "近1000家", 1000, 1000, "家", "近"),
    ("约200人参加", "约200人", 200, 200, "人", "约"),
    ("建队率60%以上", "60%以上", 60, 60, "%", "以上"),
    ("罚款2.5亿元", "2.5亿元", 2.5, 250_000_000, "元", ""),
])
def test_values_units_and_approximation(sentence: str, text: str, value: float, base: float, unit: str,
                                        approx_word: str) -> None:
    fact = next(f for f in sentence_facts(sentence, REPORT) if f.text == text)
    assert (fact.value, fact.base_value, fact.base_unit) == (pytest.approx(value), pytest.approx(base), unit)
    assert fact.approx == bool(approx_word) and fact.approx_word == approx_word


def test_scope_and_qualifiers() -> None:
    region_wide, bureau = sentence_facts("全市共检查企业300家,我局约谈企业负责人约20人次", REPORT)
    assert (region_wide.scope, region_wide.scope_word) == ("全市", "全市")
    assert (bureau.scope, bureau.scope_word) == ("本局", "我局")
    assert bureau.qualifiers() == ["约 (approximate)", "我局 (the bureau itself)"]


def test_unit_is_borrowed_only_for_counts() -> None:
    borrowed = sentence_facts("发现问题隐患51560项,现场帮扶整改46932。", REPORT)[1]
    assert borrowed.unit_borrowed and borrowed.unit == "项" and borrowed.measure == "整改隐患数"
    money = sentence_facts("罚款742万元,整改46932。", REPORT)[1]
    assert not money.unit_borrowed and money.unit == ""


# ---------------------------------------------------------------- measures by name


@pytest.mark.parametrize("question,measure", [
    ("Which city fined the most?", "罚款金额"),
    ("Compare fines across all reports", "罚款金额"),
    ("罚款最多的是哪个地区?", "罚款金额"),
    ("各地行政处罚次数对比", "行政处罚次数"),
    ("Which report has the most administrative penalties?", "行政处罚次数"),
    ("Which city found the most hidden hazards?", "排查隐患数"),
    ("Which city had the most hazards rectified?", "整改隐患数"),
    ("哪个地区转移群众最多?", "转移群众人数"),
    ("Which county evacuated the most people?", "转移群众人数"),
    ("各地整改率对比", "整改率"),
    ("Which city inspected the most enterprises?", "检查单位数"),
    ("Rank the reports by petitions received", "信访件数"),
])
def test_question_measures(question: str, measure: str) -> None:
    assert question_measures(question)[0] == measure


def test_resolve_measure() -> None:
    assert resolve_measure("fines") == resolve_measure("罚款") == resolve_measure("罚款金额") == "罚款金额"
    assert resolve_measure("administrative penalties") == "行政处罚次数"
    assert resolve_measure("no such thing") is None
    assert question_measures("What is the capital of France?") == []


# ---------------------------------------------------------------- the file and the store


def test_write_and_read_the_facts_file(tmp_path: Path) -> None:
    docs, _ = load_documents([SEEDS])
    chunks = [c for d in docs for c in chunk_document(d)]
    count = write_facts(tmp_path, docs, chunks)
    store = FactStore.open(tmp_path)
    assert len(store) == count > 150
    assert len(store.reports) == 5  # 十堰市 too, though it states no figure
    fines = store.facts(measure="罚款金额")
    assert sorted(f.base_value for f in fines) == [444_500, 760_260, 7_420_000, 15_846_600]
    assert [f.text for f in store.facts(measure="罚款金额", region="天津市")] == ["742万元"]  # parent region
    assert [f.text for f in store.facts(measure="罚款金额", year=2024)] == ["76.026万元"]
    jinhua = store.facts(region="金华市", year=2020)
    assert [f.position for f in jinhua] == sorted(f.position for f in jinhua)
    assert all(f.chunk_id >= 0 and chunks[f.chunk_id].doc_id == f.doc_id for f in jinhua)
    assert dict(store.measures())["罚款金额"] == 4
    assert [r.label() for r in store.reports_in("静海区")] == ["天津市静海区 2019"]
    assert select(store, "fines", "金华市", 2020)[0].text == "1584.66万元"
    assert select(store, "no such measure") == []
    store.close()


def test_facts_file_leaves_the_main_schema_alone(tmp_path: Path) -> None:
    write_facts(tmp_path, [], [])
    con = sqlite3.connect(tmp_path / FACTS_FILE)
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    con.close()
    assert tables == {"info", "reports", "facts"}
    assert not (tmp_path / "meta.sqlite").exists()


def test_index_build_writes_facts_and_old_generations_still_work(tmp_path: Path, settings, fake_embedder) -> None:
    """The indexer writes facts.sqlite into each generation; a generation built
    before facts existed is read by extracting its facts in memory."""
    from retrieval.index.indexer import build_index
    from retrieval.index.store import IndexReader, current_generation

    root = tmp_path / "index"
    build_index([SEEDS], root, settings)
    gen = current_generation(root)
    assert (gen / FACTS_FILE).exists()
    with_file = len(FactStore.open(gen))
    (gen / FACTS_FILE).unlink()
    reader = IndexReader(gen)
    store = for_reader(reader)
    assert len(store) == with_file
    assert for_reader(reader) is store  # opened once per reader
    reader.close()


def test_engine_facts(seed_engine) -> None:
    assert [f.text for f in seed_engine.facts("fines", "Jinhua", 2020)] == ["1584.66万元"]
    assert len(seed_engine.facts(measure="罚款")) == 4
    assert {f.region for f in seed_engine.facts(region="Mingxi")} == {"明溪县"}
    assert seed_engine.facts(measure="no such measure") == []
    assert len(seed_engine.facts()) == len(seed_engine.facts_store)


def test_cli_facts(seed_index_dir: Path, capsys) -> None:
    import csv
    import io
    import json

    from bot.cli import main

    assert main(["facts", "--index", str(seed_index_dir), "--measure", "fines", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {r["report"]: r["base_value"] for r in rows}["金华市 2020"] == "15846600"
    assert main(["facts", "--index", str(seed_index_dir), "--region", "Jinghai", "--year", "2019",
                 "--format", "json"]) == 0
    facts = json.loads(capsys.readouterr().out)
    assert {f["region"] for f in facts} == {"静海区"} and any(f["text"] == "742万元" for f in facts)
    assert main(["facts", "--index", str(seed_index_dir), "--measure", "行政处罚次数"]) == 0
    assert "703次" in capsys.readouterr().out
    assert main(["facts", "--index", str(seed_index_dir), "--measure", "nonsense"]) == 2
    assert "unknown measure" in capsys.readouterr().err
