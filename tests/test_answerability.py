"""Answerability beyond the glossary (issue 11, classes 3 and 5): the words of a
question that name no topic (the bureau itself, chat fillers, verbs the reports
phrase their own way) do not decide whether a passage answers it."""
from __future__ import annotations

import pytest

from retrieval.answer.extract import PREDICATE_WEIGHT, concepts_of, weight_concepts
from retrieval.query.parse import parse_question
from retrieval.query.regions import RegionTable

TABLE = RegionTable.from_regions([("西安市", ""), ("黑龙江省", ""), ("明溪县", "三明市")])


def _concepts(question: str):
    q = parse_question(question, TABLE)
    return {c.name: c for c in weight_concepts(concepts_of(q), lambda t: 2.0, 6.0)}


@pytest.mark.parametrize("question", [
    "How many officials did the Xi'an emergency management bureau have in 2019?",
    "How many requests did the Heilongjiang provincial emergency department receive in 2023?",
    "How many officials did Xi'an's emergency bureau's staff list show in 2019?",
])
def test_the_issuer_is_no_topic(question):
    names = set(_concepts(question))
    assert not names & {"emergency management bureau", "emergency bureau", "emergency department", "bureau",
                        "provincial", "department", "bureau'"}, names


def test_chat_fillers_are_no_topic():
    names = set(_concepts("hi, could you please tell me roughly how much money Mingxi got altogether in 2024? thanks"))
    assert not names & {"hi", "roughly", "altogether", "thank", "thanks", "please"}, names
    zh = parse_question("你好,麻烦问一下,明溪县2024年下拨了多少救灾资金呀?谢谢", TABLE)
    assert not set(zh.terms) & {"你好", "麻烦", "谢谢", "呀"}, zh.terms


def test_english_verbs_weigh_less_than_what_is_counted():
    c = _concepts("How many firefighting pumps did Mingxi swiftly procure in 2024?")
    nouns = [v.weight for k, v in c.items() if k not in ("procure", "swiftly")]
    assert nouns and all(c[v].weight <= PREDICATE_WEIGHT * 3.0 < min(nouns) for v in ("procure", "swiftly"))




# ---------------------------------------------------------------- words no report holds (issue 11 follow-up)


def _passage(text: str):
    from retrieval.records import Chunk, Hit, Metadata

    meta = Metadata(title="山亭区应急管理局2025年工作总结", year=2025, doc_type="工作总结")
    return Hit(Chunk("d", 0, "一、主要工作", text, [text]), meta, "a.txt", 1.0)


def _best(question_terms: dict[str, float | None], text: str):
    """The best extraction for concepts with these idf weights (None: the index never holds it)."""
    from retrieval.answer.extract import Concept, candidates

    concepts = weight_concepts([Concept(t, [t]) for t in question_terms], question_terms.get, 6.0)
    return candidates(concepts, [_passage(text)], wants_number=True)[0]


SENTENCE = "对14个易失联村庄开展极端灾害通信标准化建设。"


def test_words_no_report_holds_count_less_than_words_the_passage_lacks():
    # 村子, 搞, 容易, 断联, 那份 are words no indexed report holds: no passage could hold them
    colloquial = _best({"说": 2.0, "极端": 4.5, "灾害": 2.0, "通信": 4.2, "标准化": 3.3,
                        "村子": None, "搞": None, "容易": None, "断联": None, "那份": None}, SENTENCE)
    assert colloquial.coverage < 0.5 <= colloquial.known_coverage and colloquial.covers()
    # the same share missing, but in words the reports do hold: another topic, refused
    other_topic = _best({"极端": 4.5, "灾害": 2.0, "通信": 4.2, "标准化": 3.3, "预算": 5.0, "死亡": 5.0, "罚款": 5.0,
                         "人数": 4.0},
                        SENTENCE)
    assert not other_topic.covers()
    # mostly words no report holds ("who won the football world cup"): about something else
    unknown = _best({"通信": 4.2, "标准化": 3.3, "足球": None, "世界杯": None, "冠军": None}, SENTENCE)
    assert unknown.known_coverage == 1.0 and unknown.coverage >= 0.3 and not unknown.covers()


# ---------------------------------------------------------------- a figure of the kind asked


def test_a_count_is_not_answered_by_a_percentage_or_another_counter():
    from retrieval.answer.lookup import figures_answer
    from retrieval.records import Figure

    percent, villages, phones = Figure(17.4, "%", "死亡人数"), Figure(14, "个", "村庄"), Figure(3, "部", "卫星电话")
    deaths = parse_question("How many fatalities did Mingxi record in 2024?", TABLE)
    assert deaths.count_required and not figures_answer(deaths, [percent])
    fall = parse_question("明溪县2024年死亡人数下降了多少?", TABLE)  # a change: a percentage answers it
    assert figures_answer(fall, [percent])
    assert not figures_answer(parse_question("明溪县2024年配了几部卫星电话?", TABLE), [villages])
    assert figures_answer(parse_question("明溪县2024年配了几部卫星电话?", TABLE), [villages, phones])
    # an occasion is counted in 次, 场 or 期 alike; 个 asks for anything
    assert figures_answer(parse_question("西安市2023年开了几场座谈会?", TABLE), [Figure(5, "次", "座谈会")])
    assert figures_answer(parse_question("明溪县2024年建了多少个站点?", TABLE), [Figure(6, "处", "站点")])
    assert not figures_answer(parse_question("明溪县2024年罚没金额合计是多少?", TABLE), [Figure(17, "件", "处罚")])


def test_how_big_asks_a_number_and_how_often_a_period():
    assert parse_question("How big was Mingxi's budget in 2024?", TABLE).wants_number
    assert parse_question("How long did Mingxi's flood season last in 2024?", TABLE).wants_number
    # 每月 answers 多久一次: a period, not a figure
    assert not parse_question("明溪县2024年安全生产考核排名多久一次?", TABLE).wants_number
    assert not parse_question("明溪县 2024 考核 排名 多久 一次", TABLE).wants_number
    assert parse_question("明溪县2024年防汛持续了多久?", TABLE).wants_number


def test_a_role_word_is_the_topic_only_when_the_question_asks_who():
    assert "director" in _concepts("Who was the director of the Xi'an emergency management bureau in 2023?")
    assert "director" not in _concepts("My director needs this: how many officials did Xi'an have in 2019?")


def test_an_ordinal_suffix_is_no_word():
    assert "th" not in _concepts("How many meetings has Mingxi hosted since the 14th Five-Year Plan began?")


def test_a_date_does_not_glue_to_the_next_word_and_how_often_asks_a_period():
    q = parse_question("明溪县2024年局党组多长时间专门学一次法律法规?", TABLE)
    assert "年局" not in q.terms and "党组" in q.terms and not q.wants_number
    assert {"多长时间", "一次"}.isdisjoint(q.terms)
    assert parse_question("明溪县2024年防汛持续了多长时间?", TABLE).wants_number  # a duration is a figure


def test_a_clause_listing_as_many_items_as_asked_is_preferred():
    from retrieval.answer.extract import Concept, candidates
    from retrieval.records import Chunk, Hit, Metadata

    plan = "全面实施“1234”发展计划,锚定目标。全面夯实“安全生产、灾害防治、应急救援”三大工作基础,确保形势平稳。"
    hit = Hit(Chunk("d", 0, "一、总体要求", plan, plan.split("。")), Metadata(title="济宁市2022年工作要点"), "a.txt", 1.0)
    q = parse_question("济宁市2022年工作要点中“1234”发展计划的工作基础是哪三个方面?", TABLE)
    assert q.items_asked == 3
    concepts = weight_concepts([Concept("发展计划", ["发展计划"]), Concept("工作基础", ["工作基础"])], lambda t: 2.0, 6.0)
    best = candidates(concepts, [hit], False, items_asked=q.items_asked)[0]
    assert "安全生产、灾害防治、应急救援" in best.clause
    assert parse_question("What four guiding principles did Mingxi set in 2024?", TABLE).items_asked == 4


def test_a_word_found_but_for_one_end_character_earns_partial_credit():
    from retrieval.answer.extract import ONE_END_CREDIT, Concept

    chair = Concept("任组长", ["任组长"])  # 由局主要领导任组长, the report: 以局主要领导为组长
    assert chair.found_in("以局主要领导为组长,党委委员为副组长") == ONE_END_CREDIT < 1.0
    assert Concept("罚款", ["罚款"]).found_in("存款") == 0.0  # two characters: a whole word or nothing
    assert Concept("任组长", ["任组长"]).found_in("成立领导小组") == 0.0


def test_which_named_thing_is_asked_and_an_answer_must_name_one():
    from retrieval.answer.lookup import names_entity

    q = parse_question("明溪县2024年聘请的法律顾问是哪家律师事务所的?", TABLE)
    assert q.entity_asked == "律师事务所"
    assert not names_entity("制定法律顾问制度,聘请法律顾问提供法律服务", q.entity_asked)
    assert names_entity("聘请福建某某律师事务所担任法律顾问", q.entity_asked)
    assert parse_question("明溪县2024年有哪些措施?", TABLE).entity_asked == ""  # many things: a list
