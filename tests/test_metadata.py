"""Metadata read from the reports' own text: the five seeds and the national corpus."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import pytest

from retrieval.ingest import load_documents, prepare_text
from retrieval.ingest.metadata import (extract_metadata, find_doc_type, find_publish_date, find_region,
                                       find_title, split_places)
from retrieval.records import Document

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
CORPUS = ROOT.parent / "shared" / "corpora" / "government_work_reports.jsonl"


@lru_cache(maxsize=1)
def seed_docs() -> dict[str, Document]:
    docs, errors = load_documents([SEEDS])
    assert errors == []
    return {d.source: d for d in docs}


EXPECTED = {
    "000_7d684337e85e8840.txt": dict(
        title="威海市应急管理局关于2021年度法治政府建设情况的报告", issuer="威海市应急管理局",
        region="威海市", parent_region="山东省", level="市", year=2021, doc_type="法治政府建设报告",
        publish_date="2022-01-14", doc_number=""),
    "001_e1a8097ded6aa1af.txt": dict(
        title="天津市静海区应急管理局2019年法治政府建设情况报告", issuer="天津市静海区应急管理局",
        region="静海区", parent_region="天津市", level="区", year=2019, doc_type="法治政府建设报告",
        publish_date="2020-03-30", doc_number=""),
    "002_563dbec16d3c29c3.txt": dict(
        title="明溪县应急管理局2024年法治政府建设情况报告", issuer="明溪县应急管理局",
        region="明溪县", parent_region="三明市", level="县", year=2024, doc_type="法治政府建设报告",
        publish_date="2025-01-23", doc_number=""),
    "003_0397d3017966e19b.txt": dict(
        title="关于印发《十堰市应急管理局2021年工作要点》的通知", issuer="十堰市应急管理局",
        region="十堰市", parent_region="湖北省", level="市", year=2021, doc_type="工作要点",
        publish_date="2021-05-14", doc_number="十应急发〔2021〕6号"),
    "004_e939aaac88e3997d.txt": dict(
        title="金华市应急管理局(人防办)关于2020年度法治政府建设工作情况的报告",
        issuer="金华市应急管理局", region="金华市", parent_region="浙江省", level="市", year=2020,
        doc_type="法治政府建设报告", publish_date="2021-01-25", doc_number=""),
}


@pytest.mark.parametrize("source", sorted(EXPECTED))
@pytest.mark.parametrize("field", ["title", "issuer", "region", "parent_region", "level", "year",
                                   "doc_type", "publish_date", "doc_number"])
def test_seed_metadata(source: str, field: str) -> None:
    meta = seed_docs()[source].meta
    assert getattr(meta, field) == EXPECTED[source][field]


def test_all_five_seeds_are_loaded() -> None:
    assert sorted(seed_docs()) == sorted(EXPECTED)


def test_metadata_never_comes_from_the_file_name(tmp_path: Path) -> None:
    text = (SEEDS / "004_e939aaac88e3997d.txt").read_text(encoding="utf-8")
    target = tmp_path / "威海市_2019_工作要点.txt"
    target.write_text(text, encoding="utf-8")
    docs, _ = load_documents([target])
    assert (docs[0].meta.region, docs[0].meta.year, docs[0].meta.doc_type) == (
        "金华市", 2020, "法治政府建设报告")


# ---------------------------------------------------------------- national corpus


def corpus_line(number: int) -> dict:
    assert CORPUS.exists(), f"national corpus missing: {CORPUS}"
    with CORPUS.open(encoding="utf-8") as f:
        for i, line in enumerate(f, start=1):
            if i == number:
                return json.loads(line)
    raise AssertionError(f"no line {number}")


def test_national_report_metadata() -> None:
    record = corpus_line(3)  # the 2024 report
    meta = extract_metadata(prepare_text(record["content"], unwrap=True),
                            title_hint=record["title"], year_hint=int(record["year"]))
    assert meta.title == "2024年中华人民共和国国务院政府工作报告"
    assert (meta.issuer, meta.region, meta.parent_region, meta.level) == ("国务院", "全国", "", "国家")
    assert (meta.year, meta.doc_type) == (2024, "政府工作报告")
    # "——2024年3月5日在第十四届全国人民代表大会第二次会议上"
    assert meta.publish_date == "2024-03-05"


def test_jsonl_title_and_year_are_used_as_hints(tmp_path: Path) -> None:
    record = corpus_line(3)
    path = tmp_path / "national.jsonl"
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    (doc,), errors = load_documents([path])
    assert errors == []
    assert (doc.source, doc.meta.title, doc.meta.year) == (
        "national.jsonl#1", "2024年中华人民共和国国务院政府工作报告", 2024)
    assert doc.url == record["url"]


def test_national_resolution_has_its_own_type_and_a_year_from_the_text() -> None:
    record = corpus_line(2)  # 第十四届全国人民代表大会第三次会议关于政府工作报告的决议, year null
    assert record["year"] is None
    meta = extract_metadata(prepare_text(record["content"], unwrap=True), title_hint=record["title"])
    assert meta.issuer == "全国人民代表大会"
    assert meta.level == "国家"
    assert meta.doc_type == "决议"
    assert meta.year == 2025  # "同意报告提出的2025年经济社会发展的总体要求"


# ---------------------------------------------------------------- rules on unseen bureaus


@pytest.mark.parametrize("title, issuer, region, parent, level", [
    ("广东省应急管理厅2022年法治政府建设年度报告", "广东省应急管理厅", "广东省", "", "省"),
    ("杭州市西湖区应急管理局关于2022年度法治政府建设工作情况的报告", "杭州市西湖区应急管理局", "西湖区", "杭州市", "区"),
    ("内蒙古自治区阿拉善盟应急管理局2023年工作总结", "内蒙古自治区阿拉善盟应急管理局", "阿拉善盟", "内蒙古自治区", "市"),
    ("鄂尔多斯市伊金霍洛旗应急管理局2021年工作要点", "鄂尔多斯市伊金霍洛旗应急管理局", "伊金霍洛旗", "鄂尔多斯市", "县"),
    ("重庆市应急管理局2020年政府信息公开工作年度报告", "重庆市应急管理局", "重庆市", "", "省"),
    ("恩施土家族苗族自治州应急管理局2022年工作计划", "恩施土家族苗族自治州应急管理局", "恩施土家族苗族自治州", "湖北省", "市"),
    # not in the gazetteer: what the issuer's name says
    ("天府新区应急管理局2023年工作总结", "天府新区应急管理局", "天府新区", "", "区"),
])
def test_unseen_bureaus(title: str, issuer: str, region: str, parent: str, level: str) -> None:
    meta = extract_metadata(f"{title}\n发布日期:2023-02-01\n一、主要工作")
    assert (meta.title, meta.issuer, meta.region, meta.parent_region, meta.level) == (
        title, issuer, region, parent, level)
    assert meta.publish_date == "2023-02-01"


@pytest.mark.parametrize("title, doc_type", [
    ("某县应急管理局2022年政府信息公开工作年度报告", "政府信息公开年报"),
    ("某市应急管理局2023年工作总结", "工作总结"),
    ("某市应急管理局2024年工作计划", "工作计划"),
    ("关于印发《某市应急管理局2021年工作要点》的通知", "工作要点"),
    ("某市应急管理局关于开展安全检查的通知", "other"),
])
def test_doc_type_table(title: str, doc_type: str) -> None:
    assert find_doc_type(title) == doc_type


def test_year_from_the_title_not_the_publish_date() -> None:
    meta = extract_metadata("某市应急管理局关于2020年度法治政府建设工作情况的报告\n"
                            "发布日期: 2021-01-25\n2021年工作思路")
    assert meta.year == 2020
    assert meta.publish_date == "2021-01-25"


def test_year_without_title_year_is_the_most_frequent_in_the_opening() -> None:
    meta = extract_metadata("某市应急管理局工作情况报告\n2023年,我局……2023年完成……\n2024年打算")
    assert meta.year == 2023


def test_damaged_and_ambiguous_signature_dates() -> None:
    assert find_publish_date(["某局报告", "正文。", "某局", "2021514"]) == "2021-05-14"
    assert find_publish_date(["某局报告", "正文。", "某局", "20211月22"]) == "2021-01-22"
    # 2021111 reads as 1 Nov or 11 Jan: no date rather than a guess
    assert find_publish_date(["某局报告", "正文。", "某局", "2021111"]) is None


def test_date_value_on_the_line_after_its_label() -> None:
    assert find_publish_date(["某局通知", "撰写时间", "2021年05月14日 15:50:00"]) == "2021-05-14"


def test_doc_number_only_from_a_header_line() -> None:
    meta = extract_metadata("某市应急管理局工作报告\n正文根据《通知》(原安监总政法[2017]150号)要求。")
    assert meta.doc_number == ""


def test_title_skips_breadcrumbs_and_site_headers() -> None:
    lines = ["当前位置: 首页 > 公示公告", "天津市静海区人民政府 2019年12月3日星期二",
             "无障碍 简体| 繁体", "天津市静海区应急管理局2019年法治政府建设情况报告"]
    assert find_title(lines) == "天津市静海区应急管理局2019年法治政府建设情况报告"


def test_places_are_found_by_suffix() -> None:
    assert split_places("天津市静海区应急管理局") == ["天津市", "静海区"]
    assert find_region("") == ("", "", "")
    assert find_region("国务院") == ("全国", "", "国家")
