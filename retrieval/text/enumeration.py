"""Enumerations in report text: the items of 一是…二是…, (一)(二), 1. 2., (1)(2), ①②, 第一/第二.

Reports list what they did as numbered items inside a paragraph or as one
paragraph per item. ``split_items`` finds the outermost numbered run of a
passage and cuts the passage at its markers; ``short_item`` keeps an item's
first sentence or clause, as written.

>>> text = "(三)加大执法力度。一是开展隐患大排查。全年排查隐患1683条;二是深入开展治本攻坚三年行动。"
>>> [short_item(i.text) for i in split_items(text)]
['开展隐患大排查', '深入开展治本攻坚三年行动']

A paragraph whose number the page lost ("是提升…", or no marker at all) is
still an item when the numbering around it skips exactly as many numbers as
there are such paragraphs:

>>> [short_item(i.text) for i in split_items("一是加强领导。\\n是提升能力。\\n完善制度。\\n四是规范执法。")]
['加强领导', '提升能力', '完善制度', '规范执法']
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .normalise import cn_to_number
from .sentences import CLAUSE_END, SENTENCE_END

_CN = "一二三四五六七八九十"
_BOUNDARY = r"(?:^|(?<=[\n。；;：:！!？?，,”)）]))[ \t]*"  # a marker starts a line or follows punctuation
# Families of item markers, in the order a tie is broken (the one that starts first wins anyway).
MARKERS: dict[str, re.Pattern[str]] = {  # group "m": the whole marker; "n": its number
    "是": re.compile(rf"{_BOUNDARY}(?P<m>(?P<n>[{_CN}]{{1,3}})是)"),  # 一是 二是
    "(一)": re.compile(rf"{_BOUNDARY}(?P<m>[(（]?(?P<n>[{_CN}]{{1,3}})[)）])"),  # (一), also 六) with its ( lost
    "一、": re.compile(rf"{_BOUNDARY}(?P<m>(?P<n>[{_CN}]{{1,3}})、)"),
    "第一": re.compile(rf"{_BOUNDARY}(?P<m>第(?P<n>[{_CN}]{{1,3}})(?:[,，、:：]|是))"),  # 第一, 第二是
    "1.": re.compile(rf"{_BOUNDARY}(?P<m>(?P<n>\d{{1,2}})[.．、](?!\d))"),
    "(1)": re.compile(rf"{_BOUNDARY}(?P<m>[(（](?P<n>\d{{1,2}})[)）])"),
    "①": re.compile(r"(?P<m>(?P<n>[\u2460-\u2473]))"),  # ① … ⑳, wherever they stand
}
MAX_SKIP = 3  # a run may skip this many numbers the page lost (一是, 四是: 二, 三 lost)
MIN_ITEMS = 2  # a single marker is no enumeration
ITEM_SENTENCE_CHARS = 30  # an item's first sentence this short is shown whole, a longer one by its first clause
ITEM_CHARS = 60  # and never more than this
MIN_ITEM_CHARS = 6  # a first clause shorter than this ("2021年,", "今年以来,") says little: read on


@dataclass(frozen=True)
class Marker:
    """One item marker: its family, its number, where it stands."""

    family: str
    number: int
    start: int  # where the marker begins
    end: int  # where the item's own text begins


@dataclass(frozen=True)
class Item:
    """One enumerated item: offsets in the text it was found in, and its text."""

    start: int  # where its text begins (after the marker)
    end: int  # where the next item (or the text) begins
    text: str  # its text without the marker, whitespace trimmed
    number: int  # as numbered in the text (a lost number is inferred)


def find_markers(text: str) -> list[Marker]:
    """Every item marker of ``text``, in order of position."""
    out = []
    for family, pattern in MARKERS.items():
        for m in pattern.finditer(text):
            n = m.group("n")
            number = ord(n) - 0x2460 + 1 if family == "①" else int(n) if n.isdigit() else cn_to_number(n)
            if number:
                out.append(Marker(family, int(number), m.start("m"), m.end()))
    return sorted(out, key=lambda m: m.start)


def numbered_runs(markers: list[Marker]) -> list[Marker]:
    """The outermost enumeration: the runs numbered 1, 2, 3 … (each skipping at
    most MAX_SKIP lost numbers at a time, at least MIN_ITEMS long) of the
    family whose first run starts first; every such run of that family, in
    order (a section may hold two lists one after the other)."""
    runs: dict[str, list[list[Marker]]] = {}
    for m in markers:
        family_runs = runs.setdefault(m.family, [])
        if m.number == 1:
            family_runs.append([m])
        elif family_runs and family_runs[-1][-1].number < m.number <= family_runs[-1][-1].number + 1 + MAX_SKIP:
            family_runs[-1].append(m)
    valid = {f: [r for r in rs if len(r) >= MIN_ITEMS] for f, rs in runs.items()}
    valid = {f: rs for f, rs in valid.items() if rs}
    if not valid:
        return []
    family = min(valid, key=lambda f: valid[f][0][0].start)
    return [m for run in valid[family] for m in run]


def split_items(text: str) -> list[Item]:
    """The items of the outermost numbered run of ``text`` (none when it has no
    run of at least MIN_ITEMS); text before the first marker is left out."""
    run = numbered_runs(find_markers(text))
    if not run:
        return []
    starts: list[tuple[int, int, int]] = []  # (where the item begins, where its text begins, number)
    for m, following in zip(run, run[1:] + [None]):
        starts.append((m.start, m.end, m.number))
        if following is not None and following.number > m.number + 1:
            starts += _lost_items(text, m, following)
    items = []
    for (_, start, number), (end, _, _) in zip(starts, starts[1:] + [(len(text), 0, 0)]):
        body = text[start:end].strip()
        if body:
            items.append(Item(start, end, body, number))
    return items


def _lost_items(text: str, before: Marker, after: Marker) -> list[tuple[int, int, int]]:
    """Item starts between two markers whose numbering skips: the paragraphs
    in between, when there are exactly as many as numbers skipped."""
    between = text[before.end:after.start]
    lines = [m.end() for m in re.finditer(r"\n[ \t]*", between) if between[m.end():].strip()]
    skipped = after.number - before.number - 1
    if len(lines) != skipped:
        return []
    return [(before.end + offset, before.end + offset, before.number + i + 1) for i, offset in enumerate(lines)]


def short_item(text: str, limit: int = ITEM_CHARS) -> str:
    """An item as a list shows it: its first sentence if short (ITEM_SENTENCE_CHARS),
    else its first clause, within ``limit`` characters; without end punctuation.

    >>> short_item("一是领导带头学法。局党委理论学习中心组…")
    '领导带头学法'
    >>> short_item("加强党对法治建设的领导,全面贯彻落实习近平总书记关于依法治国重要论述精神,把法治工作纳入应急管理系统党委建设重要内容。")
    '加强党对法治建设的领导'
    """
    text = _without_marker(text.strip())
    sentence = re.split(rf"(?<=[{re.escape(SENTENCE_END)}：:])", text, maxsplit=1)[0]
    if len(sentence.rstrip(SENTENCE_END + "：:,，")) > ITEM_SENTENCE_CHARS:
        clauses = re.split(rf"(?<=[{re.escape(CLAUSE_END)}])", sentence)
        sentence = next((c for c in _growing(clauses) if len(c.rstrip(CLAUSE_END)) >= MIN_ITEM_CHARS), sentence)
    if len(sentence) > limit:
        sentence = _cut(sentence, limit)
    return sentence.strip().rstrip(CLAUSE_END + "、 ")


def _growing(clauses: list[str]) -> list[str]:
    """The first clause, the first two, … (for a first clause too short to stand alone)."""
    return ["".join(clauses[: i + 1]) for i in range(len(clauses))]


def _without_marker(text: str) -> str:
    """"一是…", "(二)…", "1.…", "①…", and a lone "是" left by a lost number, removed."""
    for pattern in MARKERS.values():
        m = pattern.match(text)
        if m:
            return text[m.end():].lstrip()
    return text[1:] if text.startswith("是") and len(text) > 1 else text


def _cut(text: str, limit: int) -> str:
    """The first ``limit`` characters and "…", never inside a number."""
    cut = limit
    while cut > 0 and (text[cut - 1].isdigit() or text[cut - 1] == ".") and cut < len(text) and text[cut].isdigit():
        cut -= 1
    return text[:cut].rstrip(CLAUSE_END) + "…"


# ---------------------------------------------------------------- lists inside a clause

_QUOTED = re.compile(r"“([^“”]{1,80})”")
_COUNT_AFTER = re.compile(r"([两二三四五六七八九十]|\d{1,2})(?:个|项|件|大|条|种|类|方面|件事)")


def listed_counts(clause: str) -> set[int]:
    """How many items a clause lists: a quoted list ("防、救、新" -> 3) or a
    count written right after a quote ("安全生产、灾害防治、应急救援"三大工作基础 -> 3).

    >>> sorted(listed_counts("聚焦“防、救、新”三件事,部署实施行动")), listed_counts("全面实施“1234”发展计划")
    ([3], set())
    """
    counts: set[int] = set()
    for m in _QUOTED.finditer(clause):
        parts = [p for p in re.split(r"[、,，]", m.group(1)) if p.strip()]
        if len(parts) >= MIN_ITEMS:
            counts.add(len(parts))
        after = _COUNT_AFTER.match(clause, m.end())
        if after:
            n = int(after.group(1)) if after.group(1).isdigit() else cn_to_number(after.group(1).replace("两", "二"))
            counts.update([n] if n else [])
    return counts
