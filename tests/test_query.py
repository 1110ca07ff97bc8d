"""Question parsing: regions, places, years, terms, answer kind, follow-ups."""
from __future__ import annotations

import pytest

from retrieval.query.parse import Query, QuestionError, parse_question
from retrieval.query.places import find_place_mentions
from retrieval.query.regions import RegionTable, pinyin_keys
from retrieval.text.lexicon import MAX_QUESTION_CHARS, short_name
from retrieval.text.tokenize import domain_words

SEED_REGIONS = [("金华市", ""), ("威海市", ""), ("静海区", "天津市"), ("明溪县", ""), ("十堰市", "")]


@pytest.fixture(scope="module")
def table() -> RegionTable:
    return RegionTable.from_regions(SEED_REGIONS + [("东安县", "永州市")])


def region_of(text: str, table: RegionTable) -> str | None:
    return parse_question(text, table).region


# ---------------------------------------------------------------- region names


def test_short_names_strip_one_suffix_when_two_characters_remain():
    assert [short_name(n) for n in ("金华市", "静海区", "明溪县", "城区", "浙江省", "延边朝鲜族自治州")] == [
        "金华", "静海", "明溪", "城区", "浙江", "延边"]


def test_pinyin_keys_write_u_umlaut_three_ways():
    assert {"lvliang", "luliang", "lüliang"} <= pinyin_keys("吕梁")


@pytest.mark.parametrize("question, region", [
    ("how many fines did Jinhua issue in 2020", "金华市"),
    ("jinhua city fines", "金华市"),
    ("Jin Hua", "金华市"),
    ("JINHUA", "金华市"),
    ("Weihai", "威海市"),
    ("weihai city", "威海市"),
    ("Jinghai district", "静海区"),
    ("Jinghai", "静海区"),
    ("jinghai qu", "静海区"),
    ("Tianjin Jinghai", "静海区"),
    ("Jinghai District, Tianjin", "静海区"),
    ("Mingxi county", "明溪县"),
    ("Mingxi County's hazard rectification rate", "明溪县"),
    ("ming xi", "明溪县"),
    ("Shiyan", "十堰市"),
    ("Shi-yan city", "十堰市"),
    ("Dong'an county", "东安县"),
    ("Dongan", "东安县"),
    ("dong an county", "东安县"),
    ("Dong-An", "东安县"),
])
def test_pinyin_spellings_of_indexed_regions(question, region, table):
    assert region_of(question, table) == region


@pytest.mark.parametrize("question, region", [
    ("金华市2020年罚款多少", "金华市"),
    ("金华2020年罚款多少", "金华市"),
    ("金華市罰款多少", "金华市"),
    ("金華罰款", "金华市"),
    ("金华市应急管理局聘请了哪家律师事务所?", "金华市"),
    ("天津市静海区罚款", "静海区"),
    ("天津静海罚款", "静海区"),
    ("静海区设置了多少个Ⅱ级网格", "静海区"),
    ("明溪县2024年行政处罚多少次", "明溪县"),
    ("永州市东安县", "东安县"),
    ("东安县", "东安县"),
])
def test_chinese_spellings_of_indexed_regions(question, region, table):
    assert region_of(question, table) == region


def test_short_name_inside_another_word_is_not_a_region(table):
    q = parse_question("广东安全生产罚款多少", table)  # 东安 inside 广东安全
    assert q.region is None and "东安县" not in q.place_mentions


def test_canonical_accepts_every_spelling(table):
    assert table.canonical("天津市静海区") == "静海区"
    assert table.canonical("靜海") == "静海区"
    assert table.canonical("Jinghai") == "静海区"
    assert table.canonical("杭州") is None


# ---------------------------------------------------------------- places no report covers


def test_hangzhou_is_a_place_no_report_covers(table):
    q = parse_question("How many fines did Hangzhou issue in 2020?", table)
    assert q.region is None
    assert q.unknown_places in (["杭州"], ["杭州市"])
    assert q.place_mentions == q.unknown_places


@pytest.mark.parametrize("question", ["杭州市2020年罚款多少?", "请问杭州2020年罚款多少", "hangzhou fines"])
def test_hangzhou_in_chinese_and_lowercase(question, table):
    q = parse_question(question, table)
    assert q.region is None
    assert q.unknown_places and q.unknown_places[0].startswith("杭州")


def test_unindexed_district_with_suffix_is_found(table):
    q = parse_question("北辰区2019年罚款多少", table)
    assert q.unknown_places == ["北辰区"] and q.region is None


@pytest.mark.parametrize("question", ["What is the capital of France?", "法国的首都是哪里?"])
def test_france_is_not_an_indexed_region(question, table):
    q = parse_question(question, table)
    assert q.region is None and q.parent_region == ""
    assert q.unknown_places in ([], ["法国"])


def test_pinyin_that_spells_a_suffix_word_alone_is_still_a_name(table):
    assert parse_question("Xian fines", table).unknown_places == ["西安市"]


@pytest.mark.parametrize("text", [
    "全市共检查生产经营单位27315家", "城区和社区的隐患", "超市和城市", "本市市级演练", "各县区罚款",
    "What was the rate in May?", "Which typhoon hit in August?", "How many drills?",
])
def test_common_words_questions_and_months_are_not_places(text):
    assert find_place_mentions(text) == []


def test_provinces_that_locate_an_indexed_region_are_not_unknown(table):
    q = parse_question("Fines in Jinhua, Zhejiang in 2020", table)
    assert q.region == "金华市" and q.unknown_places == []
    q = parse_question("福建省三明市明溪县2024年罚款多少", table)
    assert q.region == "明溪县" and q.unknown_places == []


def test_parent_alone_sets_parent_region_only(table):
    q = parse_question("How many fines did Tianjin issue?", table)
    assert q.region is None and q.parent_region == "天津市" and q.unknown_places == []


def test_indexed_region_and_unknown_place_together(table):
    q = parse_question("Compare Jinhua and Hangzhou fines", table)
    assert q.region == "金华市" and q.unknown_places == ["杭州市"]


# ---------------------------------------------------------------- years


@pytest.mark.parametrize("question, years", [
    ("金华市二〇二〇年罚款多少", [2020]),
    ("How many fines did Jinhua issue in 2020?", [2020]),
    ("2019年和2020年", [2019, 2020]),
    ("hazards found in the 20-day campaign", []),
    ("威海市发放了多少份宣传资料", []),
])
def test_years(question, years, table):
    assert parse_question(question, table).years == years


def test_text_is_normalised_with_digits_for_chinese_numerals(table):
    q = parse_question("金華市二〇二〇年罰款多少?", table)
    assert q.text == "金华市2020年罚款多少?" and q.lang == "zh"


# ---------------------------------------------------------------- answer kind


@pytest.mark.parametrize("question, first_unit", [
    ("金华2020年建成了多少家应急宣教体验馆", "家"),
    ("威海市2021年完成了多少次市级演练", "次"),
    ("明溪县转移了多少人", "人"),
    ("静海区储备了多少件救生衣", "件"),
    ("明溪县拆改了多少处障碍物", "处"),
    ("金华市2023年罚款多少?", "万元"),
    ("明溪县2024年下拨了多少自然灾害救灾资金", "万元"),
    ("明溪县隐患整改率是多少", "%"),
    ("How many enterprises were fined in Jinghai district in 2019?", "家"),
    ("How many people were evacuated in Mingxi?", "人"),
    ("How many forest firefighters were recruited in Weihai?", "人"),
    ("How many petition cases did Jinhua receive?", "件"),
    ("How many hidden hazards were found?", "项"),
    ("How much did Weihai spend purchasing emergency supplies?", "万元"),
    ("What was Mingxi county's hazard rectification rate in 2024?", "%"),
    ("How many emergency drills did Mingxi hold?", "次"),
])
def test_number_questions_and_their_units(question, first_unit, table):
    q = parse_question(question, table)
    assert q.wants_number and q.asks == "number"
    assert q.unit_hints and q.unit_hints[0] == first_unit, q.unit_hints


def test_fines_and_how_much_imply_count_and_money(table):
    q = parse_question("How many enterprises were fined in Jinghai district in 2019, and for how much?", table)
    assert {"家", "万元"} <= set(q.unit_hints)
    q = parse_question("明溪县2024年行政处罚多少次,罚款多少", table)
    assert q.unit_hints[0] == "次" and "万元" in q.unit_hints


@pytest.mark.parametrize("question, asks", [
    ("金华市应急管理局聘请了哪家律师事务所?", "which"),
    ("Which typhoon hit Jinghai in 2019?", "which"),
    ("By when should Shiyan finish its flood-season preparations?", "when"),
    ("十堰市应急管理局2021年工作要点的文号是什么", "what"),
    ("What does Jinhua plan for law enforcement in 2021?", "what"),
    ("Who reviews the penalty cases in Jinghai?", "who"),
])
def test_descriptive_questions(question, asks, table):
    q = parse_question(question, table)
    assert not q.wants_number and q.asks == asks and q.unit_hints == []


def test_doc_type_and_plan_hints(table):
    assert parse_question("十堰市2021年工作要点的文号是什么", table).doc_type == "工作要点"
    assert parse_question("Jinhua rule-of-law report 2020", table).doc_type == "法治政府建设报告"
    assert parse_question("What does Jinhua plan for law enforcement in 2021?", table).wants_plan
    assert not parse_question("How many fines did Jinhua issue?", table).wants_plan


# ---------------------------------------------------------------- terms


def test_english_terms_are_translated(table):
    q = parse_question("how many fines did Jinhua issue in 2020", table)
    assert q.lang == "en" and "罚款" in q.terms
    assert "fine" in q.english_terms and "jinhua" not in q.english_terms


def test_english_phrases_become_domain_terms(table):
    q = parse_question("How many production and business units did Jinhua inspect in 2020?", table)
    assert q.terms[:2] == ["生产经营单位", "检查"]
    q = parse_question("How many forest firefighters were recruited in Weihai?", table)
    assert "森林消防员" in q.terms and "招录" in q.terms


def test_issuer_place_and_meta_words_are_not_terms(table):
    q = parse_question("How much did the Weihai emergency management bureau fine in 2021?", table)
    assert q.terms == ["罚款", "行政处罚"]  # "fine" also means the penalty it is


def test_number_spans_become_chinese_terms(table):
    q = parse_question("How many hidden hazards were found in Jinhua's 20-day safety campaign?", table)
    assert "隐患" in q.terms and "20天" in q.terms


def test_vocabulary_filters_dictionary_translations(table):
    q = parse_question("How many shelters were renovated?", table, vocabulary={"避难场所", "改造"})
    assert "避难场所" in q.terms
    q = parse_question("How many wheelbarrows?", table, vocabulary=set())
    assert q.terms == []


def test_chinese_terms_drop_places_years_units_and_question_words(table):
    q = parse_question("金华2020年责令停产整顿多少家生产经营单位", table)
    assert q.terms == ["责令停产整顿", "生产经营单位"]
    q = parse_question("金华市应急管理局聘请了哪家律师事务所?", table)
    assert q.terms == ["聘请", "律师事务所"]
    assert parse_question("明溪县2024年行政处罚多少次", table).terms == ["行政处罚"]  # jieba: 多少次
    assert parse_question("威海市有几个网格员", table).terms == ["网格员"]


def test_tokenizer_keeps_region_and_domain_words_whole(table):
    from retrieval.text.tokenize import add_words, tokenize

    words = domain_words(table)
    assert {"静海区", "静海", "金华", "生产经营单位"} <= set(words)
    add_words(words)
    assert "静海区" in tokenize("静海区设置了多少个网格")
    assert [w for w, _, _ in table.split("静海区设置了多少个网格")][0] == "静海区"


# ---------------------------------------------------------------- follow-ups


def test_follow_up_takes_region_and_topic_from_context(table):
    first = parse_question("How many fines did Jinhua issue in 2020?", table)
    ctx = first.context()
    assert ctx["region"] == "金华市" and ctx["year"] == 2020 and "罚款" in ctx["topic"].split()
    second = parse_question("And in 2021?", table).with_context(ctx)
    assert second.region == "金华市" and second.years == [2021]
    assert "罚款" in second.terms and second.wants_number


def test_follow_up_new_region_keeps_year_and_topic(table):
    ctx = {"region": "金华市", "year": 2020, "topic": "罚款 行政处罚"}
    q = parse_question("what about Weihai?", table).with_context(ctx)
    assert q.region == "威海市" and q.years == [2020] and q.terms == ["罚款", "行政处罚"]


def test_follow_up_with_its_own_topic_keeps_it(table):
    ctx = {"region": "明溪县", "year": 2024, "topic": "演练", "wants_number": True,
           "units": ["次"], "asks": "number"}
    q = parse_question("那罚款呢?", table).with_context(ctx)
    assert q.terms == ["罚款"] and q.region == "明溪县" and q.years == [2024]
    assert q.wants_number and q.unit_hints[0] == "万元"


def test_follow_up_naming_an_unknown_place_takes_no_region(table):
    ctx = {"region": "金华市", "year": 2020, "topic": "罚款"}
    q = parse_question("What about Hangzhou?", table).with_context(ctx)
    assert q.region is None and q.unknown_places == ["杭州市"]


def test_empty_context_changes_nothing(table):
    q = parse_question("金华市2020年罚款多少", table)
    assert q.with_context({}) is q and q.with_context(None) is q


def test_context_round_trip_is_plain_data():
    q = Query(raw="x", text="x", lang="en", region="静海区", parent_region="天津市",
              years=[2019, 2020], terms=["罚款", "企业"])
    assert q.context()["year"] == 2019 and q.context()["topic"] == "罚款 企业"


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize("text", ["", "   ", "\n\t "])
def test_empty_question_is_an_error(text, table):
    with pytest.raises(QuestionError):
        parse_question(text, table)


def test_too_long_question_is_an_error(table):
    with pytest.raises(QuestionError, match="too long") as info:
        parse_question("罚" * (MAX_QUESTION_CHARS + 1), table)
    assert "\n" not in str(info.value)
    assert isinstance(info.value, ValueError)
    parse_question("罚款" + "多" * (MAX_QUESTION_CHARS - 2), table)  # at the limit: fine


def test_domain_words_have_one_frequency_and_leave_jieba_alone(table):
    """Documents (indexer) and questions (parse) add the same words the same
    way, to govqa's own tokenizer: jieba's global dictionary is never changed."""
    import jieba

    from retrieval.text.tokenize import DOMAIN_WORD_FREQ, add_words, tokenizer, word_frequency

    table.split("静海区罚款多少")  # a question: the table teaches its words
    add_words(domain_words([("静海区", "天津市"), ("金华市", "")]))  # the indexer: again
    assert word_frequency("静海区") == DOMAIN_WORD_FREQ and tokenizer() is not jieba.dt
    jieba.dt.check_initialized()
    assert not jieba.dt.FREQ.get("静海区")


def test_support_verbs_are_not_topics(table):
    q = parse_question("How many administrative penalties did Mingxi impose in 2024?", table)
    assert q.terms == ["行政处罚"] and q.english_terms == ["administrative", "penalty"]
    q = parse_question("How many fines were issued by Jinhua?", table)
    assert q.terms == ["罚款", "行政处罚"]


def test_same_district_name_under_two_parents():
    t = RegionTable.from_regions([("鼓楼区", "南京市"), ("鼓楼区", "福州市"), ("金华市", "")])
    assert t.regions["鼓楼区"].parents == ["南京市", "福州市"]
    q = parse_question("福州市鼓楼区2021年罚款多少", t)
    assert q.region == "鼓楼区" and q.parent_region == "福州市" and q.unknown_places == []
    q = parse_question("How many fines did Gulou district in Nanjing issue?", t)
    assert q.region == "鼓楼区" and q.parent_region == "南京市"
    assert parse_question("Nanjing Gulou fines", t).parent_region == "南京市"
    assert parse_question("鼓楼区罚款多少", t).parent_region == ""  # which 鼓楼区: not said
