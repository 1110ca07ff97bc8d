"""Answer quality on the seed index, scored exactly like `govqa eval`.

The dev questions are a sample of what staff ask; tests/qa/seed_qa.jsonl
holds more of our own. Both must stay at the issue's targets.
"""
from __future__ import annotations

import pytest

from retrieval.dev import evaluation

from .conftest import PROJECT, SHARED

DEV_QA = SHARED / "eval" / "dev_qa.jsonl"
OWN_QA = PROJECT / "tests" / "qa" / "seed_qa.jsonl"


@pytest.fixture(scope="module")
def dev_report(seed_engine):
    return evaluation.run(seed_engine.ask, evaluation.load_questions(DEV_QA))


def test_dev_set_meets_the_targets(dev_report):
    f = dev_report.figures()
    print(dev_report.summary())
    assert f["hit@5"] >= 0.97
    assert f["answer"] >= 0.90
    assert f["refusal"] >= 0.90
    assert f["false_refusal"] <= 0.05


def test_dev_set_english_subset(dev_report):
    assert dev_report.figures("en")["answer"] >= 0.85


def test_our_own_questions(seed_engine):
    report = evaluation.run(seed_engine.ask, evaluation.load_questions(OWN_QA))
    print(report.summary())
    f = report.figures()
    assert f["answer"] >= 0.85 and f["refusal"] >= 0.9 and f["false_refusal"] <= 0.1
