"""Reading a report's place from any bureau's page, and finding it from any way a
question names it: the gazetteer, the page layouts of failure class 1 (made-up
pages, one per layout), and the question side (aliases, parents, places a
report only names, reports whose place could not be read)."""
from __future__ import annotations

import pytest

from retrieval.ingest.metadata import extract_metadata
from retrieval.places import Gazetteer
from retrieval.query.parse import parse_question
from retrieval.query.regions import RegionTable
from retrieval.records import Metadata

# ---------------------------------------------------------------- the gazetteer


def test_every_level_with_its_parents():
    gaz = Gazetteer.load()
    assert len(gaz.places) > 3000
    assert gaz.place("广德市").parents == ("宣城市", "安徽省")
    assert (gaz.place("广西壮族自治区").level, gaz.place("金华市").level) == ("province", "city")
    assert (gaz.place("武清区").level, gaz.place("武清区").parents) == ("district", ("天津市",))
    assert gaz.place("大冶市").level == "county"  # a county-level city


@pytest.mark.parametrize("written, name", [
    ("广西", "广西壮族自治区"), ("新疆", "新疆维吾尔自治区"), ("内蒙古", "内蒙古自治区"),
    ("黔南州", "黔南布依族苗族自治州"), ("呼市", "呼和浩特市"), ("高台", "高台县")])
def test_short_names_and_aliases(written, name):
    assert Gazetteer.load().place(written).name == name


def test_a_name_shared_by_several_places_is_resolved_by_its_parent():
    gaz = Gazetteer.load()
    assert len(gaz.lookup("鼓楼区")) >= 4
    assert gaz.place("鼓楼区", within=["福州市"]).parents[0] == "福州市"


@pytest.mark.parametrize("name, english", [("西安市", "Xi'an"), ("广德市", "Guangde"), ("六盘水市", "Liupanshui")])
def test_english_spellings(name, english):
    gaz = Gazetteer.load()
    assert gaz.place(name).english == english
    assert gaz.place(name) in gaz.lookup_key(english.lower().replace("'", ""))


# ---------------------------------------------------------------- page layouts (failure class 1)

BODY = "\n一、主要工作\n全年开展执法检查120次,行政处罚35次。\n二、下一步打算\n继续加强执法。"


def _meta(page: str) -> Metadata:
    return extract_metadata(page)


def test_issuer_in_a_table_row():
    m = _meta("索 引 号 | 1137/2022-01 | 公开方式 | 主动公开 |\n发布机构 | 济宁市应急管理局 | 组配分类 | 部门文件 |\n"
              "成文日期 | 2022-03-02 | 失效日期 | |\n济应急发〔2022〕1号 关于印发《2022年工作要点》的通知" + BODY)
    assert (m.region, m.issuer, m.doc_number, m.publish_date) == ("济宁市", "济宁市应急管理局", "济应急发〔2022〕1号", "2022-03-02")
    assert (m.year, m.doc_type) == (2022, "工作要点")


def test_title_split_over_two_lines():
    m = _meta("西安市未央区应急管理局2025年法治政府建设\n工作总结及2026年工作思路\n今年以来,区应急管理局依法履职。" + BODY)
    assert m.title == "西安市未央区应急管理局2025年法治政府建设工作总结及2026年工作思路"
    assert (m.region, m.parents, m.year, m.doc_type) == ("未央区", ["西安市", "陕西省"], 2025, "法治政府建设报告")


def test_org_name_and_title_on_two_lines():
    m = _meta("南昌市应急管理局\n2023年度法治政府建设情况报告\n2023年,市应急管理局深入推进依法行政。" + BODY)
    assert (m.title, m.region, m.year) == ("南昌市应急管理局2023年度法治政府建设情况报告", "南昌市", 2023)


def test_no_title_place_in_the_label_block():
    m = _meta("- 索 引 号:370406/2026-00217\n- 发布机构:区应急局\n- 成文时间:2026年01月29日\n"
              "- 标 题:山亭区应急局2025年工作总结和2026年工作计划\n一、亮点工作\n全区共检查企业91家次。" + BODY)
    assert (m.region, m.year, m.doc_type, m.place_source) == ("山亭区", 2025, "工作总结", "title")
    assert m.parents == ["枣庄市", "山东省"]


def test_no_title_place_only_in_document_names():
    m = _meta("一、总体情况\n2019年,市应急管理局认真贯彻《政府信息公开条例》,印发《六盘水市应急局2019年政务公开工作要点》"
              "《六盘水市应急管理局推进社会公益事业政府信息公开工作方案》。\n(一)主动公开\n2019年,市应急管理局主动公开信息694条。")
    assert (m.region, m.year, m.doc_type) == ("六盘水市", 2019, "政府信息公开年报")
    assert m.issuer == "六盘水市应急局"


def test_no_title_place_only_in_the_signature():
    m = _meta("一、总体情况\n今年以来,我县主动公开政府信息51条,全县政务公开工作有序推进。\n二、存在问题\n公开质量有待提高。\n"
              "五原县应急管理局\n2022年1月10日")
    assert (m.region, m.level, m.publish_date) == ("五原县", "县", "2022-01-10")


def test_no_title_place_in_the_body_beside_the_bureau():
    m = _meta("您现在的位置: > 首页 > 政府信息公开年报\n2022年,焦作市应急管理局在市委、市政府的正确领导下,"
              "深入推进法治政府建设。\n一、推进法治政府建设的主要举措\n我局高度重视法治政府工作。")
    assert (m.region, m.place_source, m.year) == ("焦作市", "org", 2022)
    assert m.doc_type == "法治政府建设报告"  # the breadcrumb's 政府信息公开年报 is not the type


def test_no_title_place_in_a_slogan_and_the_kind_of_place_from_我市():
    m = _meta("2023年,我局紧紧围绕市委市政府的工作重心,结合我市安全生产工作实际,努力建设更高水平的法治辽阳。\n"
              "一、主要举措\n全市共发生各类安全生产亡人事故66起。")
    assert (m.region, m.level) == ("辽阳市", "市")  # 辽阳县 is under 辽阳市: 我市 says a city


def test_title_without_the_place_names_it_in_the_source_line():
    m = _meta("市应急管理局2020年法治政府建设情况报告\n来源: 南通市应急管理局 发布时间:2021-02-24 16:38 累计次数: 字体:[ ]\n"
              "2020年,市应急管理局紧紧围绕安全发展。" + BODY)
    assert (m.region, m.issuer, m.place_source, m.publish_date) == ("南通市", "南通市应急管理局", "issuer", "2021-02-24")


def test_a_provincial_report_with_only_its_short_name():
    m = _meta("2024年,省应急管理厅坚持以习近平新时代中国特色社会主义思想为指导,在2023年度平安广东建设考评中获得优秀等次。"
              "印发《广东省应急管理法治建设实施意见》。\n一、主要举措\n全省生产安全事故起数下降。")
    assert (m.region, m.level, m.year) == ("广东省", "省", 2024)


def test_a_stale_site_date_is_not_the_report_year():
    m = _meta("天津市宁河区人民政府\n2019年12月3日星期二\n一、总体情况\n2025年,宁河区应急管理局坚持政务公开。"
              "全年主动公开政府信息38条。")
    assert (m.region, m.year, m.publish_date) == ("宁河区", 2025, None)


def test_no_evidence_no_place():
    m = _meta("一、总体情况\n今年以来,我局认真落实各项工作,全年开展检查120次。\n二、下一步\n继续努力。")
    assert (m.region, m.place_source) == ("", "")


def test_a_place_written_with_another_suffix_is_not_the_gazetteers():
    m = _meta("平安县应急管理局2023年工作总结" + BODY)  # 平安区 of 海东市 is not 平安县
    assert m.region == "平安县"


# ---------------------------------------------------------------- questions (failure class 2)


@pytest.fixture(scope="module")
def table() -> RegionTable:
    metas = [
        Metadata(region="广西壮族自治区", level="省", year=2024, named_places=["广西壮族自治区"]),
        Metadata(region="广德市", parents=["宣城市", "安徽省"], parent_region="宣城市", level="县", year=2023),
        Metadata(region="武清区", parents=["天津市"], parent_region="天津市", level="区", year=2024),
        Metadata(region="西安市", parents=["陕西省"], parent_region="陕西省", level="市", year=2019,
                 named_places=["西安市", "未央区"]),
    ]
    return RegionTable.from_metadata(metas)


@pytest.mark.parametrize("question, region", [
    ("广西2024年主动公开政府信息多少条?", "广西壮族自治区"),
    ("How many items did Guangxi publish in 2024?", "广西壮族自治区"),
    ("廣西2024年公开了多少条信息", "广西壮族自治区"),
    ("武清2024年主动公开多少条", "武清区"),
])
def test_a_short_name_or_alias_finds_the_indexed_place(table, question, region):
    q = parse_question(question, table)
    assert (q.region, q.unknown_places) == (region, [])


@pytest.mark.parametrize("question", ["安徽2023年检查了多少家企业?", "How many firms did Anhui inspect in 2023?"])
def test_a_parent_finds_the_places_under_it(table, question):
    q = parse_question(question, table)
    assert (q.region, q.parent_region, q.unknown_places) == (None, "安徽省", [])


def test_a_place_a_report_only_names_is_not_unknown(table):
    q = parse_question("未央区的执法检查情况", table)
    assert q.unknown_places == [] and q.parent_region == "未央区"


def test_a_place_no_report_names_is_unknown(table):
    assert parse_question("杭州2020年罚款多少", table).unknown_places == ["杭州市"]


# ---------------------------------------------------------------- searching (real model, small index)

UNPLACED = ("一、总体情况\n今年以来,我局认真落实各项工作。\n二、主要做法\n全年组织应急演练18次,培训救援队员260人。")
JINHUA = ("金华市应急管理局2022年工作总结\n一、主要做法\n全年组织应急演练42次,检查企业3100家。")
WEIHAI = ("威海市应急管理局2022年工作总结\n一、主要做法\n全年组织应急演练27次,检查企业1800家。")


@pytest.fixture(scope="module")
def small_engine(tmp_path_factory, settings):
    from retrieval.engine import Engine
    from retrieval.index.indexer import build_index

    docs = tmp_path_factory.mktemp("places-docs")
    for name, text in (("unplaced.txt", UNPLACED), ("jinhua.txt", JINHUA), ("weihai.txt", WEIHAI)):
        (docs / name).write_text(text, encoding="utf-8")
    root = tmp_path_factory.mktemp("places-index")
    assert build_index([docs], root, settings).documents == 3
    return Engine.open(root, settings)


def test_a_report_whose_place_is_unread_is_still_searched(small_engine):
    [unplaced] = [s for s in small_engine.sources() if s["source"] == "unplaced.txt"]
    assert unplaced["region"] == ""
    a = small_engine.ask("金华市2022年培训了多少名救援队员?")
    assert "unplaced.txt" in {p.source for p in a.passages}  # searched, not filtered out
    assert a.passages[0].source in ("jinhua.txt", "unplaced.txt")
    assert "weihai.txt" not in {p.source for p in a.passages}


def test_the_place_asked_about_ranks_first(small_engine):
    a = small_engine.ask("金华市2022年组织了多少次应急演练?")
    assert a.answered and a.passages[0].source == "jinhua.txt" and "42" in a.answer


def test_the_answer_says_which_place_it_used(small_engine):
    a = small_engine.ask("How many drills did Zhejiang hold in 2022?")  # 金华市 is under 浙江省
    assert a.answered and a.passages[0].source == "jinhua.txt"
    assert a.scope == "Zhejiang = 浙江省: its reports and those of the places under it"
    assert a.to_dict()["scope"] == a.scope
