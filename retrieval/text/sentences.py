"""Sentences: where Chinese report text ends a sentence.

>>> split_sentences("印发《关于加强管理。的通知》。他说:“好!”然后走了;完")
['印发《关于加强管理。的通知》。', '他说:“好!”然后走了;', '完']
"""
from __future__ import annotations

import re

SENTENCE_END = "。！？；!?;"
CLOSERS = "”’」』)）》】"  # kept with the sentence that ends just before them
QUOTE_PAIRS = {"《": "》", "“": "”", "「": "」", "『": "』"}
MAX_QUOTE_CHARS = 300  # a quote left open longer than this is a typo, not a quote
LINE_END = SENTENCE_END + "：:"  # a colon may also end a line: "各位代表:"
CLAUSE_END = SENTENCE_END + ",:，："  # where a clause ends: after , ; : and sentence ends
_TRAILING_CLOSERS = "”’」』)》]"  # may follow the end mark: 。” 。)


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text``, each keeping its end punctuation.

    Splits at 。！？；!? and ; (and at line breaks), never inside 《》 or “”.

    >>> split_sentences("印发《关于加强管理。的通知》。他说:“好!”然后走了;完")
    ['印发《关于加强管理。的通知》。', '他说:“好!”然后走了;', '完']
    """
    return [text[a:b] for a, b in sentence_spans(text)]


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of ``text``, whitespace trimmed."""
    protected = _quoted_offsets(text)
    spans: list[tuple[int, int]] = []
    start, i, n = 0, 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\n":
            _add_span(spans, text, start, i)
            start = i + 1
        elif ch in SENTENCE_END and i not in protected:
            end = i + 1
            while end < n and (text[end] in SENTENCE_END or text[end] in CLOSERS):
                end += 1
            _add_span(spans, text, start, end)
            start, i = end, end
            continue
        i += 1
    _add_span(spans, text, start, n)
    return spans


def _add_span(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))


def _quoted_offsets(text: str) -> set[int]:
    """Offsets inside matched 《》 / “” pairs on one line (unmatched marks are ignored)."""
    inside: set[int] = set()
    stack: list[tuple[str, int]] = []
    for i, ch in enumerate(text):
        if ch == "\n":
            stack.clear()
        elif ch in QUOTE_PAIRS:
            stack.append((ch, i))
        elif stack and ch == QUOTE_PAIRS[stack[-1][0]]:
            _, opened = stack.pop()
            if i - opened <= MAX_QUOTE_CHARS:
                inside.update(range(opened + 1, i))
        elif ch in QUOTE_PAIRS.values():
            # a closer for an outer quote: drop inner quotes left open
            for depth in range(len(stack) - 1, -1, -1):
                if QUOTE_PAIRS[stack[depth][0]] == ch:
                    _, opened = stack[depth]
                    del stack[depth:]
                    if i - opened <= MAX_QUOTE_CHARS:
                        inside.update(range(opened + 1, i))
                    break
    return inside


def ends_sentence(line: str) -> bool:
    """Ends in 。!?;: or … (maybe followed by closing quotes or brackets).

    >>> ends_sentence("要加强协同。”"), ends_sentence("各位代表:"), ends_sentence("政府工作报")
    (True, True, False)
    """
    stripped = line.rstrip(_TRAILING_CLOSERS)
    return bool(stripped) and stripped[-1] in LINE_END + "…"


def has_sentence_end(text: str) -> bool:
    """Holds a sentence end (。!?;) anywhere: a heading or title line has none."""
    return any(ch in SENTENCE_END for ch in text)


# a table row's cells (" | ", text.table_rows) are clauses too
_AFTER_CLAUSE = re.compile(f"(?<=[{re.escape(CLAUSE_END)}])|(?<= \\|)")


def split_clauses(sentence: str) -> list[str]:
    """Split a sentence after , ; : (and sentence ends), keeping punctuation.

    >>> split_clauses("行政处罚703次,罚款1584.66万元。")
    ['行政处罚703次,', '罚款1584.66万元。']
    >>> split_clauses("规章 | 本年制发件数 0 | 现行有效件数 3")
    ['规章 |', ' 本年制发件数 0 |', ' 现行有效件数 3']
    """
    return [c for c in _AFTER_CLAUSE.split(sentence) if c.strip()]
