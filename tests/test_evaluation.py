"""The scorer must follow the rules of `govqa eval` exactly."""
from __future__ import annotations

import json

import pytest

from retrieval.dev.evaluation import Scores, has_number_token, load_questions, score_one
from retrieval.records import Answer, Chunk, Hit, Metadata


def _answer(text: str, answered: bool = True, passages: tuple[str, ...] = ()) -> Answer:
    hits = [Hit(Chunk("d", i, "", p), Metadata(), "x.txt", 1.0) for i, p in enumerate(passages)]
    return Answer(question="q", answered=answered, answer=text, passages=hits)


@pytest.mark.parametrize("text,number,expected", [
    ("动员全市7000余名网格员", "7000", True),
    ("共1684起", "16", False),
    ("罚款1584.66万元", "1584.66", True),
    ("罚款1584.66万元", "1584", False),
    ("4月底完成各项汛前准备", "4", True),
    ("罚款４４.４５万元", "44.45", True),  # full-width digits are folded
])
def test_number_tokens(text, number, expected):
    assert has_number_token(text, number) is expected


def test_numeric_needs_every_number():
    item = {"kind": "numeric", "gold_substring": "行政处罚703次,罚款1584.66万元", "answer_numbers": ["703", "1584.66"]}
    assert score_one(item, _answer("行政处罚703次,罚款1584.66万元")).correct
    assert not score_one(item, _answer("行政处罚703次")).correct
    assert not score_one(item, _answer("行政处罚703次,罚款1584.66万元" + "。" * 200)).correct  # > 200 chars
    assert not score_one(item, _answer("行政处罚703次,罚款1584.66万元", answered=False)).correct


def test_descriptive_and_hit_rank_ignore_whitespace_and_width():
    item = {"kind": "descriptive", "gold_substring": "聘请金华一剑律师事务所", "answer_numbers": []}
    s = score_one(item, _answer("聘请 金华一剑律师事务所，担任法律顾问", passages=("别的", "聘请金华 一剑律师事务所")))
    assert s.correct and s.hit_rank == 2


def test_refusal_figures():
    report = Scores()
    report.scored.append(score_one({"kind": "unanswerable"}, _answer("", answered=False)))
    report.scored.append(score_one({"kind": "numeric", "gold_substring": "x", "answer_numbers": ["1"]},
                                   _answer("", answered=False)))
    f = report.figures()
    assert f["refusal"] == 1.0 and f["false_refusal"] == 1.0 and f["answer"] == 0.0


def test_broken_qa_line_is_named(tmp_path):
    qa = tmp_path / "qa.jsonl"
    qa.write_text(json.dumps({"question": "a"}) + "\n{broken\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"qa.jsonl:2"):
        load_questions(qa)
