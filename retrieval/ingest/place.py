"""Which place a report is by: every place the page names, weighed by where it stands.

A bureau's page names its own place in many ways: in the title (金华市应急管理局
关于…), in a 来源/发布机构 field or a ``| 发布机构 | X |`` table row, in its first
sentence (2022年,焦作市应急管理局…), in its signature, in the names of its own
documents (《六盘水市应急管理局…方案》), in slogans (法治辽阳, 平安广东) or an
account name (“高台应急管理”). It names other places too: parents (在黄石市应急管理局
的指导下), neighbours, examples.

Each mention the gazetteer knows is evidence, weighed by where it stands; the
words the page uses of itself (我市, 全区, 市应急管理局) say which kind of place
the bureau serves and favour candidates of that kind. The best candidate wins
when its evidence is strong enough; otherwise no place is set (never invented).

>>> lines = ["2022年,焦作市应急管理局在市委、市政府的领导下,推进法治政府建设。", "一、主要举措"]
>>> r = read_place(lines, Head())
>>> r.place.name, r.source, r.place.parents
('焦作市', 'org', ('河南省',))
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from ..places import Gazetteer, Place
from ..text.lexicon import ADMIN_SUFFIXES
from .head import Head

# Weight of one mention, by where it stands.
W_TITLE = 6.0  # the report's title names a place
W_TITLE_ORG = 20.0  # ... followed by its bureau (十堰市应急管理局): the issuer, near certain
W_ISSUER = 6.0  # a 来源 / 发布机构 field, a signature line
W_ORG = 3.0  # "X应急管理局", "X人民政府", "X应急管理" in the opening: a body of that place
W_OWN_WORD = 2.0  # 法治X, 平安X, X自贸港: slogans a place uses of itself
W_DOCUMENT = 1.0  # inside 《》: documents cited are mostly the bureau's own
W_BODY = 0.5  # any other full name in the opening
W_SELF_OWN = 2  # 我市/本县 say more of the bureau's own kind than 全市 (全省 is often the parent)
LEVEL_FACTOR = 2.0  # a candidate of the kind the page calls itself (我市 -> a 市)
MIN_SCORE = 2.0  # below this the place stays unread: one stray mention is not evidence
OPENING_CHARS = 3000  # mentions further in are not weighed (neighbours, examples)
SIGNATURE_LINES = 6  # the last lines, where a signature stands
SIGNATURE_MAX_CHARS = 30

ISSUER_FIELDS = ("发布机构", "来源")  # head fields that name the publishing body
SOURCES = ("title", "issuer", "org", "own", "document", "body")  # where a place was read, surest first
_ORG_AFTER = re.compile(r"^(?:应急管理|应急|人民政府|政府|市委|区委|县委|省委|委员会|安委|减灾委)")
_OWN_BEFORE = re.compile(r"(?:法治|平安|美丽|幸福|建设)$")
_OWN_AFTER = re.compile(r"^(?:自贸港|人民)")
# How a page calls itself: 我市, 全区, 本县; 市应急管理局 with no place before it.
_SELF = re.compile(r"[我本全]([省市区县州旗盟])|(?<![\u4e00-\u9fff])([省市区县州旗盟])应急(?:管理)?[局厅]")


@dataclass
class PlaceReading:
    """The place a page is by, and the evidence for it."""

    place: Place | None
    source: str = ""  # where the winning evidence stood: title, issuer, org, own, document, body
    score: float = 0.0
    runner_up: float = 0.0
    named: list[str] = field(default_factory=list)  # places its title, fields or signature name

    @property
    def confidence(self) -> float:
        """Share of the evidence that went to the winner (0-1)."""
        total = self.score + self.runner_up
        return round(self.score / total, 2) if total else 0.0


@dataclass
class _Evidence:
    place: Place
    score: float = 0.0
    by_source: Counter = field(default_factory=Counter)


def read_place(lines: list[str], head: Head) -> PlaceReading:
    """The place of a page from its normalised lines (head, body, signature)."""
    gaz = Gazetteer.load()
    issuer = " ".join(head.fields.get(k, "") for k in ISSUER_FIELDS)
    kind = self_kind(issuer, "\n".join(lines))
    evidence: dict[tuple[str, ...], _Evidence] = {}
    for zone, text in _zones(lines, head):
        for place, weight, source in _mentions(gaz, text, zone):
            ev = evidence.setdefault(place.chain, _Evidence(place))
            weight *= LEVEL_FACTOR if kind and place.name.endswith(kind) else 1.0
            ev.score += weight
            ev.by_source[source] += weight
    named = sorted({e.place.name for e in evidence.values() if e.by_source.keys() & {"title", "issuer"}})
    ranked = sorted(evidence.values(), key=lambda e: e.score, reverse=True)
    if not ranked:
        return PlaceReading(None, named=named)
    best, runner = ranked[0], ranked[1].score if len(ranked) > 1 else 0.0
    if best.score < MIN_SCORE:
        return PlaceReading(None, score=best.score, runner_up=runner, named=named)
    source = next(s for s in SOURCES if best.by_source[s])
    return PlaceReading(best.place, source, best.score, runner, named)


def self_kind(issuer: str, text: str) -> str:
    """The suffix a page uses of itself: its issuer field's (发布机构:区应急局),
    else the most frequent of 我市/全市/市应急管理局 ('' on a tie or none).

    >>> self_kind("区应急局", "全市"), self_kind("", "我县…全县…全市"), self_kind("", "全省…全市")
    ('区', '县', '')
    """
    m = _SELF.search(issuer)
    if m:
        return m.group(1) or m.group(2)
    counts: Counter = Counter()
    for m in _SELF.finditer(text):
        counts[m.group(1) or m.group(2)] += W_SELF_OWN if m.group().startswith(("我", "本")) else 1
    top = counts.most_common(2)
    if not top or (len(top) == 2 and top[0][1] == top[1][1]):
        return ""
    return top[0][0]


def _zones(lines: list[str], head: Head) -> list[tuple[str, str]]:
    """(zone, text): the title, the issuer fields, the opening of the body, the signature."""
    zones = [("title", head.title)] if head.title else []
    zones += [("issuer", head.fields[k]) for k in ISSUER_FIELDS if head.fields.get(k)]
    body = "\n".join(line for i, line in enumerate(lines) if i not in head.field_lines and line != head.title)
    zones.append(("body", body[:OPENING_CHARS]))
    zones += [("issuer", line) for line in lines[-SIGNATURE_LINES:]
              if len(line) <= SIGNATURE_MAX_CHARS and not re.search(r"[。,;]", line)]
    return zones


def _mentions(gaz: Gazetteer, text: str, zone: str) -> Iterator[tuple[Place, float, str]]:
    """(place, weight, source) for each place named in one zone; a chain written
    together (天津市静海区) counts once, for its most specific place."""
    found = list(gaz.mentions(text))
    i = 0
    while i < len(found):
        start, end, written = found[i]
        chain = [written]
        while i + 1 < len(found) and found[i + 1][0] == end:
            i += 1
            end = found[i][1]
            chain.append(found[i][2])
        i += 1
        place = _resolve(gaz, chain)
        if place is not None and not _other_suffix(text, end, place):
            source, weight = _weigh(text, start, end, zone, full=chain[-1] == place.name)
            if weight:
                yield place, weight, source


def _resolve(gaz: Gazetteer, chain: list[str]) -> Place | None:
    """The place a chain written together names: 天津市+和平区 -> 和平区 under 天津市."""
    place: Place | None = None
    for written in chain:
        candidates = gaz.lookup(written)
        if place is not None:
            candidates = [p for p in candidates if place.name in p.parents]
        if not candidates:
            break
        place = candidates[0]
    return place


def _other_suffix(text: str, end: int, place: Place) -> bool:
    """A short name written with another suffix names another place: 平安县 is
    not 平安区, 白沙区 not 白沙黎族自治县 (the written name wins)."""
    suffix = next((sfx for sfx in ADMIN_SUFFIXES if text.startswith(sfx, end)), "")
    return bool(suffix) and place.short + suffix != place.name


def _weigh(text: str, start: int, end: int, zone: str, full: bool) -> tuple[str, float]:
    """Where a mention stands, and its weight. A bare short name in running
    text (平安, 和平) counts only beside a body or in a slogan."""
    before, after = text[max(0, start - 4):start], text[end:end + 8]
    org = bool(_ORG_AFTER.search(after))
    own = bool(_OWN_BEFORE.search(before) or _OWN_AFTER.search(after))
    if zone == "title":
        return zone, W_TITLE_ORG if org else W_TITLE
    if zone == "issuer":
        return zone, W_ISSUER
    if org:
        return "org", W_ORG
    if own:
        return "own", W_OWN_WORD
    if not full:
        return "", 0.0
    if text.rfind("《", 0, start) > text.rfind("》", 0, start):
        return "document", W_DOCUMENT
    return "body", W_BODY
