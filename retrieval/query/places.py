"""Places named in a question: indexed regions, their parents, other Chinese
places, foreign countries; in Chinese or in English."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..text.lexicon import EN_STOPWORDS as STOPWORDS
from ..text.lexicon import MONTHS, QUESTION_WORDS, SUFFIX_CHARS, has_han, is_han, name_suffix, short_name
from ..text.normalise import normalize
from .cedict import Cedict, english_vocabulary
from ..places import Gazetteer as Places
from ..places import Place
from .gazetteer import Gazetteer
from ..places.spelling import FuzzyKeys, pinyin_keys
from .regions import PINYIN_TYPE_WORDS, PLACE_TYPE_WORDS, RegionTable, is_common_word, to_traditional, glue

@dataclass
class PlaceMention:
    """A place named in a question.

    kind: "region" (an indexed region), "parent" (parent of an indexed region),
    "place" (a Chinese place no indexed report covers), "foreign".
    """

    name: str  # Chinese where known (金华市, 杭州), else the English words
    text: str  # as written
    start: int
    end: int
    kind: str
    english: str = ""
    parent: str = ""  # parent written with it: 南京市 in 南京市鼓楼区
    fuzzy: bool = False  # matched despite a typo (Jinhau -> 金华市)


# Words ending in 省/市/县/区/州/旗 that are not place names.
PLACE_STOPLIST = frozenset("""
全省 本省 我省 该省 各省 外省 省级 省内 省委 省政府 分省
全市 本市 我市 该市 各市 外市 市级 市内 市区 市委 市政府 城市 都市 超市 上市 门市 夜市 集市 股市 菜市 县市 省市 地市 区市
全县 本县 我县 该县 各县 县级 县城 县区 区县 县委 县政府 郡县
全区 本区 我区 该区 各区 区级 城区 社区 辖区 园区 景区 山区 库区 灾区 矿区 林区 片区 小区 街区 新区 郊区 地区 厂区 校区 营区 禁区 盲区 误区 分区 防区 疫区 老区 湾区 牧区 功能区 行政区 开发区 示范区 保护区 风景区 工业区 高新区 试验区 经济区 旅游区 生活区 作业区 危险区 警戒区 集聚区 核心区 重点区 服务区 管控区 风险区 易发区 避险区 安置区 居住区 商业区 施工区 储存区 库区 水域区 水源保护区 自然保护区
全州 州级 神州 九州 自治州
红旗 国旗 党旗 锦旗 彩旗 旗帜 队旗 团旗 会旗 旗下
""".split())
_NOT_PLACE_START = set("的和与及在了是对把被从到向各全本我该每其这那此某个些多少几哪")


def find_place_mentions(text: str, regions: RegionTable | None = None) -> list[PlaceMention]:
    """Every place a question names, in order: indexed regions, their parents, other
    Chinese places, foreign countries.

    >>> [(m.name, m.kind) for m in find_place_mentions("How many fines did Hangzhou issue?")]
    [('杭州市', 'place')]
    >>> [(m.name, m.kind) for m in find_place_mentions("请问杭州市2020年罚款多少")]
    [('杭州市', 'place')]
    """
    regions = regions or RegionTable()
    text = normalize(text)
    mentions = _zh_mentions(text, regions) + _en_mentions(text, regions)
    return sorted(mentions, key=lambda m: m.start)


# ---------------------------------------------------------------- Chinese


def _zh_mentions(text: str, regions: RegionTable) -> list[PlaceMention]:
    if not has_han(text):
        return []
    tokens = regions.split(text)
    bounds = {s for _, s, _ in tokens} | {e for _, _, e in tokens}
    found = _zh_indexed(text, regions, bounds)
    taken = [False] * len(text)
    for m in found:
        taken[m.start:m.end] = [True] * (m.end - m.start)
    found += _zh_other(text, tokens, taken, regions)
    return found


def _zh_indexed(text: str, regions: RegionTable, bounds: set[int]) -> list[PlaceMention]:
    """Aliases of indexed regions and parents; a bare short name must be a whole word."""
    out = []
    for start, end, alias in regions.zh_matches(text):
        names = regions.names_for_alias(alias)
        region = regions.get(names[0])
        if region is None:
            continue
        is_short = alias in {region.short, to_traditional(region.short)} and alias != region.name
        if is_short and (start not in bounds or end not in bounds):
            continue
        out.append(PlaceMention(names[0], alias, start, end, region.kind,
                                parent=regions.parent_written_in(names[0], alias)))
    return out


def _zh_other(text: str, tokens: list[tuple[str, int, int]], taken: list[bool],
              regions: RegionTable) -> list[PlaceMention]:
    """Places no indexed report covers: any place of the gazetteer (杭州, 杭州市),
    X省/X市/X县/X区 it does not know, and foreign countries (法国)."""
    out = []
    for i, (tok, start, end) in enumerate(tokens):
        if any(taken[start:end]):
            continue
        span = _suffixed_span(tokens, i)
        if span:
            s, e = span
            if not any(taken[s:e]):
                name = text[s:e]
                place = _known_place(name)
                out.append((_homophone(name, s, e, regions) if place is None else None)
                           or PlaceMention(place.name if place else name, name, s, e, "place",
                                           place.english if place else ""))
                taken[s:e] = [True] * (e - s)
            continue
        place = _known_place(tok) if len(tok) >= 2 and not is_common_word(tok) else None
        foreign = Gazetteer.load().foreign_by_name.get(tok)
        if place or (foreign and not is_common_word(tok)):
            name, english, kind = (place.name, place.english, "place") if place else (tok, foreign.english, "foreign")
            out.append(PlaceMention(name, tok, start, end, kind, english))
            taken[start:end] = [True] * (end - start)
    return out


def _homophone(written: str, start: int, end: int, regions: RegionTable) -> PlaceMention | None:
    """A place no gazetteer knows that sounds like an indexed one (明西县 for
    明溪县): the indexed place, marked as a typo so the answer says so."""
    for key in pinyin_keys(short_name(written)):
        name = regions.match_key(key)
        region = regions.get(name) if name else None
        if region is not None and name_suffix(name) == name_suffix(written):
            return PlaceMention(name, written, start, end, region.kind, fuzzy=True)
    return None


def _known_place(written: str) -> Place | None:
    """The gazetteer's place for a Chinese name or short name (杭州 -> 杭州市)."""
    return Places.load().place(written)


def _suffixed_span(tokens: list[tuple[str, int, int]], i: int) -> tuple[int, int] | None:
    """(start, end) of a place ending with token i's final 省/市/县/区/州/旗, if plausible."""
    tok, start, end = tokens[i]
    if not tok or tok[-1] not in SUFFIX_CHARS or tok in PLACE_STOPLIST or not is_han(tok):
        return None
    if _known_place(tok) and not is_common_word(tok):
        return start, end  # 杭州, 杭州市: a place by itself
    candidates = []
    if len(tok) >= 3:
        candidates.append((tok, start))
    elif i > 0:  # 静/海区, 某某/县: the name is the token before
        prev, pstart, _ = tokens[i - 1]
        if is_han(prev) and len(prev) + len(tok) <= 7 and (len(prev) == 1 or not is_common_word(prev)):
            candidates.append((prev + tok, pstart))
    known = [c for c in candidates if _known_place(c[0])]
    for name, s in known or candidates:
        stem = short_name(name)
        if (len(stem) >= 2 and stem != name and name not in PLACE_STOPLIST
                and stem[0] not in _NOT_PLACE_START and not _is_everyday(name, stem)):
            return s, end
    return None


def _is_everyday(name: str, stem: str) -> bool:
    """True for common words that merely end in a suffix character (城市, 超市)."""
    if _known_place(name):
        return False
    cedict = Cedict.load()
    return cedict.is_common_word(name) or (len(stem) == 2 and cedict.is_common_word(stem)
                                           and not cedict.lookup(name))


# ---------------------------------------------------------------- English

_EN_TOKEN = re.compile(r"[A-Za-zÀ-ÿ]+(?:['’\-][A-Za-zÀ-ÿ]+)*")


@dataclass
class _Tok:
    word: str  # as written, possessive 's removed
    lower: str
    start: int
    end: int

    @property
    def capital(self) -> bool:
        return self.word[:1].isupper()


def _en_tokens(text: str) -> list[_Tok]:
    out = []
    for m in _EN_TOKEN.finditer(text):
        word = re.sub(r"['’]s$", "", m.group())
        out.append(_Tok(word, word.lower(), m.start(), m.start() + len(word)))
    return out


def _can_be_name_part(tok: _Tok, first: bool) -> bool:
    """Question words, months and (lowercase or leading) stopwords never start a name."""
    if not _can_be_inner_part(tok):
        return False
    if tok.lower in STOPWORDS:
        return tok.capital and not first  # "Dong An"
    return True


def _can_be_inner_part(tok: _Tok) -> bool:
    """A later syllable of an indexed region's name may be a stopword: 'dong an'."""
    return not (tok.lower in QUESTION_WORDS or tok.lower in MONTHS or tok.lower in PLACE_TYPE_WORDS)


def _en_mentions(text: str, regions: RegionTable) -> list[PlaceMention]:
    toks = _en_tokens(text)
    out: list[PlaceMention] = []
    i = 0
    while i < len(toks):
        found = _en_mention_at(toks, i, regions)
        if found:
            mention, i = found
            out.append(mention)
        else:
            i += 1
    return out


@dataclass
class _Span:
    """Tokens i..i+n as a possible name, with the type words after it."""

    toks: list[_Tok]
    i: int
    n: int

    def __post_init__(self) -> None:
        self.words = self.toks[self.i:self.i + self.n]
        self.key = glue(t.word for t in self.words)
        self.end_i, self.type_word = _type_words(self.toks, self.i + self.n)
        self.typed = self.end_i > self.i + self.n  # followed by county/city/...
        self.capital = self.words[0].capital
        self.common = self.key in _english_vocabulary() or self.key in STOPWORDS  # dean, china
        self.written = " ".join(t.word for t in self.toks[self.i:self.end_i])
        self.english = " ".join(t.word for t in self.words)
        self.start, self.end = self.words[0].start, self.toks[self.end_i - 1].end

    def adjacent(self) -> bool:
        """Words of one name follow each other (no comma or gap between them)."""
        return all(b.start - a.end <= 1 for a, b in zip(self.words, self.words[1:]))


def _en_mention_at(toks: list[_Tok], i: int, regions: RegionTable) -> tuple[PlaceMention, int] | None:
    """The longest place name starting at token i (1-4 words), with its type words."""
    if not _can_be_name_part(toks[i], first=True):
        return None
    for n in range(min(4, len(toks) - i), 0, -1):
        span = _Span(toks, i, n)
        if not span.adjacent() or not all(_can_be_inner_part(t) for t in span.words):
            continue
        strict = all(_can_be_name_part(t, first=(k == 0)) for k, t in enumerate(span.words))
        found = _indexed_mention(span, regions)
        if found is None and strict:
            found = (_gazetteer_mention(span) or _foreign_mention(span) or _fuzzy_mention(span, regions)
                     or _typed_mention(span) or _fuzzy_gazetteer_mention(span))
        if found:
            return found
    return _fuzzy_mention(_Span(toks, i, 1), regions)


def _indexed_mention(span: _Span, regions: RegionTable) -> tuple[PlaceMention, int] | None:
    """An indexed region or parent: 'Jinhua', 'jin hua city', 'Tianjin Jinghai', 'dong an'."""
    name = regions.match_key(span.key, span.type_word)
    if not name or (span.common and not span.typed and not (span.capital and span.i > 0)):
        return None
    region = regions.get(name)
    kind = region.kind if region else "region"
    parent = regions.parent_written_in(name, span.key)
    return PlaceMention(name, span.written, span.start, span.end, kind, span.english,
                        parent), span.end_i


FUZZY_MIN_CHARS = 5  # a shorter word (or a lowercase one of 4 letters) is too often one edit from a name


def _fuzzy_mention(span: _Span, regions: RegionTable) -> tuple[PlaceMention, int] | None:
    """An indexed place written with one typo ('Jinhau', 'weihia', 'Jinhgai
    district'); a word that is English or too short is never one. Two places
    one edit away give an 'ambiguous' mention: the user is asked which."""
    word = span.key
    too_short = len(word) < FUZZY_MIN_CHARS and not (span.capital and len(word) == FUZZY_MIN_CHARS - 1)
    if too_short or span.common or not word.isalpha() or word in _english_vocabulary():
        return None
    names = regions.near_key(word)
    if not names:
        return None
    if len(names) > 1:
        return PlaceMention(" or ".join(names), span.written, span.start, span.end, "ambiguous",
                            fuzzy=True), span.end_i
    region = regions.get(names[0])
    return PlaceMention(names[0], span.written, span.start, span.end, region.kind if region else "region",
                        span.english, fuzzy=True), span.end_i


def _fuzzy_gazetteer_mention(span: _Span) -> tuple[PlaceMention, int] | None:
    """A capitalised name one typo from a province or city no report covers
    ('Hangzou' -> 杭州市): named, so the question is refused rather than answered
    about another place."""
    if span.n > 1 or not span.capital or span.common or len(span.key) < FUZZY_MIN_CHARS:
        return None
    near = [p for key in _gazetteer_keys().near(span.key) for p in Places.load().lookup_key(key)
            if p.level in ("province", "city")]
    if len(near) != 1:
        return None
    return PlaceMention(near[0].name, span.written, span.start, span.end, "place", near[0].english,
                        fuzzy=True), span.end_i


@lru_cache(maxsize=1)
def _gazetteer_keys() -> FuzzyKeys:
    return FuzzyKeys(Places.load().by_key)


def _gazetteer_mention(span: _Span) -> tuple[PlaceMention, int] | None:
    """A Chinese place from the gazetteer (else CC-CEDICT): 'Hangzhou', 'Xi'an',
    'Foshan city', 'hangzhou'."""
    places = Places.load().lookup_key(span.key) or Gazetteer.load().lookup_key(span.key)
    if not places or (span.common and not span.typed):
        return None
    place = places[0]
    major = getattr(place, "major", False) or getattr(place, "level", "") in ("province", "city")
    lowercase_ok = span.n == 1 and major and len(span.key) >= 5
    if not (span.capital or span.typed or lowercase_ok):
        return None
    return PlaceMention(place.name, span.written, span.start, span.end, "place",
                        place.english), span.end_i


def _foreign_mention(span: _Span) -> tuple[PlaceMention, int] | None:
    """A country CC-CEDICT knows, written with capitals: 'France' -> 法国."""
    place = Gazetteer.load().foreign.get(" ".join(t.lower for t in span.words))
    if not place or not all(t.capital for t in span.words):
        return None
    end = span.words[-1].end
    return PlaceMention(place.name, span.english, span.start, end, "foreign",
                        place.english), span.i + span.n


def _typed_mention(span: _Span) -> tuple[PlaceMention, int] | None:
    """An unknown capitalised name followed by county/city/...: 'Foo County'."""
    if span.n == 1 and span.typed and span.capital and not span.common:
        return PlaceMention(span.written, span.written, span.start, span.end, "place",
                            span.written), span.end_i
    return None


def _type_words(toks: list[_Tok], j: int) -> tuple[int, str]:
    """Skip 'city' / 'county' / 'autonomous county' after a name; (next index, main type word)."""
    main = ""
    while j < len(toks) and toks[j].lower in PLACE_TYPE_WORDS | PINYIN_TYPE_WORDS | {"autonomous"}:
        if toks[j].lower != "autonomous":
            main = main or toks[j].lower
        j += 1
    return j, main


def _english_vocabulary() -> frozenset[str]:
    return english_vocabulary()
