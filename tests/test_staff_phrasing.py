"""Questions written the way staff write them (issue 11, classes 4, 7 and 8):
typos and pinyin in place names and words, questions typed in pinyin, years
said relative to the one talked about, a typed place that wins over the
context, and the dense model's say among close candidate sentences."""
from __future__ import annotations

import pytest

from retrieval.answer.extract import Concept, candidates, extract
from retrieval.query.glossary import corrected
from retrieval.query.parse import parse_question
from retrieval.query.pinyin import PinyinWords, is_pinyin_word, to_chinese
from retrieval.query.regions import RegionTable
from retrieval.records import Chunk, Hit, Metadata

TABLE = RegionTable.from_regions([("金华市", "浙江省"), ("威海市", "山东省"), ("静海区", "天津市"),
                                  ("明溪县", "三明市")])

# ---------------------------------------------------------------- typos in place names (class 8)


@pytest.mark.parametrize("question, region", [
    ("how many fnes did Jinhau issue in 2020", "金华市"),
    ("how many emergency helipads did weihia build in 2021", "威海市"),
    ("how many assault boats does Jinhgai district have?", "静海区"),
    ("明西县近三年建成了几处安全宣传教育阵地?", "明溪县"),  # a homophone no gazetteer knows
])
def test_a_place_one_typo_away_is_matched_and_said(question, region):
    q = parse_question(question, TABLE)
    assert q.region == region and q.unknown_places == []
    assert any(note.endswith(f"= {region}") for note in q.place_notes)  # the answer says which place


def test_a_typo_close_to_two_places_asks_which():
    table = RegionTable.from_regions([("金华市", ""), ("金山区", "上海市"), ("金沙县", "毕节市")])
    q = parse_question("How many fines did Jinsha issue?", table)
    assert q.region == "金沙县"  # spelt right: no question
    q = parse_question("How many fines did Jinshn issue?", table)
    assert q.region is None and sorted(q.ambiguous_places[0].split(" or ")) == ["金山区", "金沙县"]


def test_a_typo_of_a_place_no_report_covers_is_refused_not_answered_elsewhere():
    q = parse_question("How many fines did Hangzou issue in 2020?", TABLE)
    assert (q.region, q.unknown_places) == (None, ["杭州市"])


def test_english_words_are_never_read_as_places():
    q = parse_question("How many inspections were carried out in 2020?", TABLE)
    assert q.place_mentions == []


# ---------------------------------------------------------------- typos in words


@pytest.mark.parametrize("typed, meant", [("fnes", "fines"), ("hazrds", "hazards"), ("inspectoins", "inspections")])
def test_a_word_one_typo_from_a_glossary_word(typed, meant):
    assert corrected(typed) == meant


def test_a_known_word_or_a_name_is_left_alone():
    assert [corrected(w) for w in ("fines", "lekima", "xyzzy")] == ["fines", "lekima", "xyzzy"]


# ---------------------------------------------------------------- pinyin questions


def test_pinyin_syllables():
    assert all(map(is_pinyin_word, ("jinhua", "fakuan", "duoshao", "xingzheng", "chufa", "lüliang")))
    assert not any(map(is_pinyin_word, ("fines", "how", "many", "inspections")))


def test_a_question_typed_in_pinyin_is_read_through_the_index_words():
    words = PinyinWords({"罚款": 30, "行政处罚": 12, "处罚": 20, "出发": 2, "检查": 40})
    assert to_chinese("jinhua 2020 fakuan duoshao", words, TABLE.match_key) == "金华市 2020 罚款 多少"
    assert to_chinese("mingxi xian 2024 xingzheng chufa", words, TABLE.match_key) == "明溪县 2024 行政处罚"
    assert to_chinese("how many fines in jinhua", words, TABLE.match_key) is None  # English, not pinyin
    assert to_chinese("jinhua", words, TABLE.match_key) is None  # only a place: nothing to ask


def test_pinyin_particles_are_dropped_and_glued_words_split():
    words = PinyinWords({"收到": 9, "政府": 30, "信息公开": 12, "申请": 20, "更新": 5, "信息": 40})
    # le, ma-less particles and measure words spell nothing indexed: dropped, the rest read
    assert to_chinese("jinhua 2021 shoudao xinxi gongkai shenqing le", words, TABLE.match_key) == \
        "金华市 2021 收到 信息公开 申请"
    assert to_chinese("jinhua 2020 xinxi gengxin duoshao tiao", words, TABLE.match_key) == "金华市 2020 信息 更新 多少"
    # a syllable that spells a question word stands alone ("ji qi" is 几 起, not the word 及其)
    both = PinyinWords({"森林火灾": 5, "及其": 50})
    assert to_chinese("jinhua senlin huozai ji qi", both, TABLE.match_key) == "金华市 森林火灾 几"
    # one pinyin word that glues two indexed words
    assert to_chinese("jinhua zhengfuxinxi duoshao", words, TABLE.match_key) == "金华市 政府 信息 多少"
    # a word of several syllables that spells nothing indexed: not taken for pinyin
    assert to_chinese("jinhua 2020 shoudao huangdi", words, TABLE.match_key) is None
    # mostly unread syllables: not pinyin either
    assert to_chinese("jinhua shoudao le ge ba ne", words, TABLE.match_key) is None


# ---------------------------------------------------------------- follow-ups (class 7)


def test_the_year_before_is_relative_to_the_year_talked_about():
    ctx = parse_question("静海区2019年查改了多少隐患?", TABLE).context()
    q = parse_question("and the year before?", TABLE).with_context(ctx)
    assert (q.region, q.years) == ("静海区", [2018])
    q = parse_question("那去年呢?", TABLE).with_context(ctx)
    assert q.years == [2018]
    q = parse_question("那前年呢?", TABLE).with_context(ctx)
    assert q.years == [2017]


def test_a_relative_year_alone_is_relative_to_today():
    from datetime import date

    assert parse_question("金华去年罚款多少?", TABLE).years == [date.today().year - 1]


def test_a_typed_place_and_year_win_over_the_context():
    ctx = parse_question("How many cases did Weihai investigate in 2021?", TABLE).context()
    q = parse_question("how many fnes did Jinhau issue in 2020", TABLE).with_context(ctx)
    assert (q.region, q.years, "region" in q.from_context) == ("金华市", [2020], False)


# ---------------------------------------------------------------- the sentence that answers (class 4)


def _hit(text: str) -> Hit:
    sentences = [s + "。" for s in text.split("。") if s]
    return Hit(Chunk("d", 0, "一、主要工作", text, sentences, 0), Metadata(region="明溪县"), "m.txt", 1.0)


def test_the_dense_model_decides_among_close_sentences_only():
    hit = _hit("今年争取资金30万元,用于防寒物资。今年共向上争取各类资金831.16万元。")
    concepts = [Concept("money", ["资金"], 2.0), Concept("higher", ["上级"], 2.0)]
    ranked = candidates(concepts, [hit], wants_number=True, unit_hints=["万元"])
    assert len(ranked) == 2 and ranked[0].score - ranked[1].score < 1.0
    closer_to_second = lambda sentences: [0.70 if "30万元" in s else 0.80 for s in sentences]  # noqa: E731
    assert "831.16" in extract(concepts, [hit], True, ["万元"], rerank=closer_to_second).answer
    far_apart = [Concept("money", ["资金"], 2.0), Concept("cold", ["防寒"], 6.0)]
    assert "30万元" in extract(far_apart, [hit], True, ["万元"], rerank=closer_to_second).answer


def test_the_dense_model_never_prefers_a_worse_figure_for_a_how_many_question():
    hit = _hit("对行政处罚和行政许可卷中存在的问题进行通报。全年行政处罚703次,罚款1584.66万元。")
    concepts = [Concept("fine", ["行政处罚", "罚款"], 3.0)]
    ranked = candidates(concepts, [hit], wants_number=True, unit_hints=["次", "万元"])
    assert "703" in ranked[0].clause
    prefers_first = lambda sentences: [0.9 if "通报" in s else 0.7 for s in sentences]  # noqa: E731
    assert "703" in extract(concepts, [hit], True, ["次", "万元"], rerank=prefers_first).answer


def test_irregular_verbs_and_phrasal_verbs():
    from retrieval.answer.extract import head_word
    from retrieval.query.glossary import lemmatize

    assert [lemmatize(w) for w in ("died", "struck", "fell")] == ["die", "strike", "fall"]
    assert [head_word(p) for p in ("set up", "carry out", "work safety")] == ["set", "carry", "safety"]


def test_a_count_whose_unit_the_page_lost_still_answers_a_how_many():
    hit = _hit("发现问题隐患51560项,现场帮扶整改46932。")
    concepts = [Concept("整改", ["整改"], 2.0), Concept("帮扶", ["帮扶"], 3.0)]
    assert "46932" in extract(concepts, [hit], True, ["项"]).clause


def test_a_word_the_report_says_a_passage_away_counts_for_coverage():
    first = Hit(Chunk("d", 3, "一、主要工作", "开展为期20天的安全生产集中攻坚行动。", [], 3), Metadata(), "m.txt", 1.0)
    second = Hit(Chunk("d", 4, "一、主要工作", "全市发现问题隐患51560项,现场帮扶整改46932。", [], 4), Metadata(), "m.txt", 1.0)
    other = Hit(Chunk("e", 4, "二、其他", "开展为期20天的攻坚行动。", [], 9), Metadata(), "o.txt", 1.0)
    concepts = [Concept("攻坚行动", ["攻坚行动"], 5.0), Concept("现场", ["现场"], 3.0),
                Concept("帮扶", ["帮扶"], 3.0), Concept("整改", ["整改"], 2.0)]
    alone = extract(concepts, [second], True, ["项"], ["20"])  # the question says "20天": no answer
    together = extract(concepts, [second, first], True, ["项"], ["20"])
    elsewhere = extract(concepts, [second, other], True, ["项"], ["20"])
    assert alone.coverage < 0.7 <= together.coverage and "46932" in together.answer
    assert elsewhere.coverage == alone.coverage  # another report's passage does not count


def test_a_relative_year_is_not_dropped_when_no_report_covers_it():
    from retrieval.query.scope import Coverage, soft_context_year

    ctx = parse_question("How many fines did Jinhua issue in 2020?", TABLE).context()
    coverage = Coverage(years_by_region={"金华市": {2019, 2020}}, covered_years={"金华市": {2020}}, holdings="")
    before = soft_context_year(parse_question("and the year before?", TABLE).with_context(ctx), coverage)
    assert before.years == [2019]  # asked for: refused as not indexed, never answered from 2020
    weihai = soft_context_year(parse_question("what about Weihai?", TABLE).with_context(ctx), coverage)
    assert weihai.years == []  # only carried: dropped for a place with no 2020 report


def test_an_english_follow_up_keeps_the_previous_concepts_as_grouped():
    from retrieval.answer.extract import concepts_of

    first = parse_question("How many information disclosure applications did Jinhua receive in 2020?", TABLE)
    follow = parse_question("and in 2021?", TABLE).with_context(first.context())  # no topic of its own
    names = [c.name for c in concepts_of(follow)]
    assert names == [m.english for m in first.matches]  # one concept per phrase, as first asked
    assert not set(names) & set(first.terms)  # not one concept per Chinese alternative
    assert (follow.region, follow.years) == ("金华市", [2021])
