"""Scoring the engine on a QA file (``govqa eval``).

Each line of the file: ``id, lang, question, doc, gold_substring,
answer_numbers, kind`` (kind: numeric, descriptive, unanswerable, comparison,
list, summary, yesno).

- A comparison item gives ``top_value`` (and optionally ``top_region``): it is
  correct when the answer holds that value as a whole number (after the region).
- A list or summary item gives ``gold_items`` (verbatim snippets of the items or
  section headings): correct when at least ``ITEMS_NEEDED`` of them are in the answer.
- A yesno item gives ``verdict`` ("yes", "no", "not stated"): correct when the
  answer's verdict says the same (a plan's "yes (planned)" is a yes), with the
  ``gold_substring`` evidence in the answer for a yes or a no.
- Any item may give ``follows``: the id of an earlier item; it is asked with
  that item's answer as context, as a chat would.

>>> has_number_token("招录450余名森林消防员", "450")
True
>>> has_number_token("共1684起", "16")
False
"""
from __future__ import annotations

import json
import re
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from ..records import Answer
from ..text.lexicon import MAX_ANSWER_CHARS
from ..text.normalise import squash



def has_number_token(text: str, number: str) -> bool:
    """``number`` appears in ``text`` as a whole number (not part of a longer one)."""
    pattern = rf"(?<![\d.]){re.escape(number)}(?!\d|\.\d)"
    return re.search(pattern, squash(text)) is not None


def load_questions(path: Path) -> list[dict[str, Any]]:
    """Read a QA .jsonl file; a broken line is an error naming its number."""
    items = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{n}: not valid JSON ({exc.msg})") from None
        if "question" not in item:
            raise ValueError(f"{path}:{n}: no 'question' field")
        item.setdefault("id", f"q{n}")
        item.setdefault("kind", "descriptive")
        items.append(item)
    return items


@dataclass
class Scored:
    item: dict[str, Any]
    answer: Answer
    hit_rank: int | None  # 1-based rank of the first passage holding the gold text
    correct: bool

    @property
    def answerable(self) -> bool:
        return self.item.get("kind") != "unanswerable"


ITEMS_NEEDED = 0.8  # share of a list's or summary's gold items the answer must hold


def score_one(item: dict[str, Any], answer: Answer) -> Scored:
    kind = item.get("kind")
    gold = squash(item.get("gold_substring") or "")
    hit_rank = None
    if gold:
        for i, hit in enumerate(answer.passages[:5]):
            if gold in squash(hit.chunk.text):
                hit_rank = i + 1
                break
    if kind == "unanswerable":
        correct = not answer.answered
    else:
        ok_length = answer.answered and len(answer.answer) <= MAX_ANSWER_CHARS
        if kind == "numeric":
            correct = ok_length and all(has_number_token(answer.answer, n) for n in item.get("answer_numbers", []))
        elif kind == "comparison":
            correct = ok_length and comparison_correct(item, answer.answer)
        elif kind in ("list", "summary"):
            correct = answer.answered and items_correct(item, answer)
        elif kind == "yesno":
            correct = answer.answered and verdict_correct(item, answer, gold)
        else:
            correct = ok_length and bool(gold) and gold in squash(answer.answer)
    return Scored(item, answer, hit_rank, correct)


def items_correct(item: dict[str, Any], answer: Answer) -> bool:
    """At least ``ITEMS_NEEDED`` of the gold items are in the answer's items (or its text)."""
    gold = [squash(g) for g in item.get("gold_items") or []]
    said = squash(" ".join([answer.answer, *(f"{i.heading} {i.text}" for i in answer.items)]))
    return bool(gold) and sum(g in said for g in gold) >= ITEMS_NEEDED * len(gold)


def verdict_correct(item: dict[str, Any], answer: Answer, gold: str) -> bool:
    """The verdict matches; a yes or a no also shows its evidence."""
    want = item.get("verdict", "")
    got = answer.verdict.split(" (")[0]
    return got == want and (want == "not stated" or not gold or gold in squash(answer.answer))


def comparison_correct(item: dict[str, Any], text: str) -> bool:
    """The ranked answer holds ``top_value`` as a whole number, and ``top_region``
    (when given) before it.

    >>> item = {"top_value": "1584.66", "top_region": "金华市"}
    >>> comparison_correct(item, "罚款金额从高到低: 1. 金华市 2020: 1584.66万元; 2. 天津市静海区 2019: 742万元")
    True
    >>> comparison_correct(item, "罚款金额从高到低: 1. 天津市静海区 2019: 742万元; 2. 金华市 2020: 1584.6万元")
    False
    """
    value = str(item.get("top_value", ""))
    if not value or not has_number_token(text, value):
        return False
    region = item.get("top_region")
    if not region:
        return True
    flat = squash(text)
    at_value = re.search(rf"(?<![\d.]){re.escape(value)}(?!\d|\.\d)", flat)
    return 0 <= flat.find(squash(region)) < at_value.start()


@dataclass
class Scores:
    scored: list[Scored] = field(default_factory=list)

    def _share(self, rows: list[Scored], test: Callable[[Scored], bool]) -> float:
        return sum(map(test, rows)) / len(rows) if rows else 0.0

    def figures(self, lang: str | None = None) -> dict[str, float]:
        rows = [s for s in self.scored if lang is None or s.item.get("lang") == lang]
        answerable = [s for s in rows if s.answerable]
        unanswerable = [s for s in rows if not s.answerable]
        passage_scored = [s for s in answerable if s.item.get("gold_substring")]  # items with a gold passage
        times = [s.answer.elapsed_ms for s in rows]
        return {
            "n": len(rows),
            "hit@1": self._share(passage_scored, lambda s: s.hit_rank == 1),
            "hit@5": self._share(passage_scored, lambda s: s.hit_rank is not None),
            "answer": self._share(answerable, lambda s: s.correct),
            "refusal": self._share(unanswerable, lambda s: not s.answer.answered),
            "false_refusal": self._share(answerable, lambda s: not s.answer.answered),
            "p50_ms": statistics.median(times) if times else 0.0,
        }

    def summary(self, lang: str | None = None) -> str:
        f = self.figures(lang)
        head = "eval" if lang is None else f"eval[{lang}]"
        return (f"{head}: n={f['n']} hit@1={f['hit@1']:.2f} hit@5={f['hit@5']:.2f} answer={f['answer']:.2f} "
                f"refusal={f['refusal']:.2f} false_refusal={f['false_refusal']:.2f} p50_ms={f['p50_ms']:.0f}")

    def failures(self) -> Iterable[Scored]:
        return (s for s in self.scored if not s.correct)


def run(ask: Callable[..., Answer], items: list[dict[str, Any]],
        on_result: Callable[[Scored], None] | None = None) -> Scores:
    """Ask every item (``ask(question, context=...)``), follow-ups with the
    context of the item they follow, and score each."""
    report = Scores()
    contexts: dict[str, dict[str, Any]] = {}
    for item in items:
        context = contexts.get(str(item.get("follows", "")))
        answer = ask(item["question"], context=context) if context is not None else ask(item["question"])
        answer.id = str(item.get("id", ""))
        contexts[answer.id] = answer.context
        scored = score_one(item, answer)
        report.scored.append(scored)
        if on_result:
            on_result(scored)
    return report
