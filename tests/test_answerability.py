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


