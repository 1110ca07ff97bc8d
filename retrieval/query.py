"""What a question asks: place, years, search terms, the kind of answer.

>>> table = RegionTable.from_regions([("金华市", ""), ("静海区", "天津市")])
>>> q = parse_question("How many fines did Jinhua issue in 2020?", table)
>>> q.region, q.years, q.wants_number, "罚款" in q.terms
('金华市', [2020], True, True)
>>> parse_question("How many fines did Hangzhou issue in 2020?", table).unknown_places
['杭州']
>>> parse_question("天津静海区二〇一九年罚款多少?", table).region
'静海区'

Pipeline of ``parse_question``: normalise (``textnorm``), find places
(indexed regions first, then any other Chinese or foreign place), years,
search terms (jieba tokens for Chinese, glossary + CC-CEDICT translations for
English), then the kind of answer wanted (number? which unit? when? which?).
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from retrieval.glossary import (MONTHS, QUESTION_WORDS, STOPWORDS, Cedict, CedictEntry, Glossary,
                                TermMatch, Vocabulary, lemmatize)
from retrieval.textnorm import find_years, normalize, replace_cn_numerals

MAX_QUESTION_CHARS = 500


class QuestionError(ValueError):
    """The question cannot be parsed: empty, or too long."""


# ================================================================ region names

# Administrative suffixes, longest first; English words for each.
ADMIN_SUFFIXES: dict[str, tuple[str, ...]] = {
    "特别行政区": ("special administrative region", "sar"),
    "自治区": ("autonomous region", "region"),
    "自治州": ("autonomous prefecture", "prefecture"),
    "自治县": ("autonomous county", "county"),
    "自治旗": ("autonomous banner", "banner"),
    "新区": ("new area", "new district", "district"),
    "地区": ("prefecture", "region"),
    "林区": ("forestry district", "district"),
    "省": ("province", "sheng"),
    "市": ("city", "shi", "municipality", "prefecture"),
    "县": ("county", "xian"),
    "区": ("district", "qu"),
    "州": ("prefecture", "zhou"),
    "旗": ("banner", "qi"),
    "盟": ("league", "meng"),
}
SUFFIX_CHARS = "省市县区州旗盟"
# Pinyin suffixes count as type words only after a name ("Jinghai Qu"); "Xian" alone is 西安.
PINYIN_TYPE_WORDS = frozenset({"sheng", "shi", "xian", "qu", "zhou", "qi", "meng"})
PLACE_TYPE_WORDS = frozenset(w for words in ADMIN_SUFFIXES.values() for ws in words
                             for w in ws.split()) - {"new", "special", "administrative", "sar"}
PLACE_TYPE_WORDS = (PLACE_TYPE_WORDS | {"level", "prefecture-level", "county-level"}) - PINYIN_TYPE_WORDS


def short_name(name: str) -> str:
    """Name without its administrative suffix, if at least 2 characters remain.

    >>> short_name("金华市"), short_name("静海区"), short_name("东安县"), short_name("城区")
    ('金华', '静海', '东安', '城区')
    """
    for suffix in ADMIN_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def name_suffix(name: str) -> str:
    """The administrative suffix of ``name`` ('' if none): 静海区 -> 区."""
    short = short_name(name)
    return name[len(short):]


_UMLAUT_VARIANTS = (("ü", "v"), ("ü", "u"))


def pinyin_keys(chinese: str) -> set[str]:
    """Glued, lowercase pinyin spellings of a Chinese name (ü written ü, v or u).

    >>> sorted(pinyin_keys("东安"))
    ['dongan']
    >>> sorted(pinyin_keys("吕梁"))
    ['luliang', 'lvliang', 'lüliang']
    """
    from pypinyin import Style, lazy_pinyin

    glued = "".join(lazy_pinyin(chinese, style=Style.NORMAL, v_to_u=True, errors="ignore"))
    return _umlaut_variants(glued.lower())


def _umlaut_variants(key: str) -> set[str]:
    keys = {key}
    for a, b in _UMLAUT_VARIANTS:
        keys.add(key.replace(a, b))
    return {k for k in keys if k}


def glue(words: Iterable[str]) -> str:
    """Lowercase key of an English spelling: spaces, apostrophes and hyphens dropped.

    >>> glue(["Dong'an"]), glue(["jin", "hua"]), glue(["Xi-an"])
    ('dongan', 'jinhua', 'xian')
    """
    return re.sub(r"['’\-\s]", "", "".join(words)).lower()


@dataclass
class Region:
    """One place with all the ways to write it."""

    name: str  # canonical, e.g. 静海区
    parents: list[str] = field(default_factory=list)  # e.g. [天津市]; 鼓楼区 may have several
    kind: str = "region"  # "region" (indexed) or "parent" (only the parent of one)
    aliases: set[str] = field(default_factory=set)  # Chinese spellings
    keys: set[str] = field(default_factory=set)  # glued pinyin / English spellings

    @property
    def short(self) -> str:
        return short_name(self.name)

    @property
    def parent(self) -> str:
        """The parent region when there is exactly one, else ''."""
        return self.parents[0] if len(self.parents) == 1 else ""


@dataclass
class RegionTable:
    """Every way to name the indexed regions (and their parents).

    >>> t = RegionTable.from_regions([("静海区", "天津市"), ("东安县", "永州市")])
    >>> t.match_key("jinghai"), t.match_key("dongan"), t.match_key("tianjin")
    ('静海区', '东安县', '天津市')
    >>> t.canonical("天津市静海区"), t.canonical("靜海")
    ('静海区', '静海区')
    """

    regions: dict[str, Region] = field(default_factory=dict)
    parents: dict[str, Region] = field(default_factory=dict)
    _zh: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _keys: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _zh_pattern: re.Pattern | None = field(default=None, repr=False)
    _jieba_ready: bool = field(default=False, repr=False)  # its words are in jieba's dictionary

    @classmethod
    def from_regions(cls, regions: Iterable[tuple[str, str]]) -> "RegionTable":
        """Build from (region, parent_region) pairs as indexed; empty names are skipped."""
        parents_of: dict[str, list[str]] = {}
        for name, parent in regions:
            name, parent = normalize(name or "").strip(), normalize(parent or "").strip()
            if name:
                known = parents_of.setdefault(name, [])
                if parent and parent != name and parent not in known:
                    known.append(parent)
        table = cls()
        for name, parents in parents_of.items():
            table.regions[name] = _describe(name, parents, "region")
        for parent in dict.fromkeys(p for ps in parents_of.values() for p in ps):
            if parent not in table.regions:
                table.parents[parent] = _describe(parent, [], "parent")
        table._index()
        return table

    def _index(self) -> None:
        for region in [*self.regions.values(), *self.parents.values()]:
            for alias in region.aliases:
                self._zh.setdefault(alias, []).append(region.name)
            for key in region.keys:
                self._keys.setdefault(key, []).append(region.name)
        aliases = sorted(self._zh, key=len, reverse=True)
        self._zh_pattern = re.compile("|".join(map(re.escape, aliases))) if aliases else None

    def __len__(self) -> int:
        return len(self.regions)

    def names(self) -> list[str]:
        """Indexed region names."""
        return list(self.regions)

    def get(self, name: str) -> Region | None:
        return self.regions.get(name) or self.parents.get(name)

    def canonical(self, text: str) -> str | None:
        """The region a whole string names (Chinese or pinyin), or None."""
        text = normalize(text).strip()
        names = self._zh.get(text) or self._keys.get(glue([text]))
        return names[0] if names else None

    def match_key(self, key: str, type_word: str = "") -> str | None:
        """Region (or parent) whose glued pinyin/English spelling is ``key``.

        When several share the key, ``type_word`` (county, district...) decides.
        """
        names = self._keys.get(key)
        if not names:
            return None
        if type_word and len(names) > 1:
            for name in names:
                if type_word in ADMIN_SUFFIXES.get(name_suffix(name), ()):
                    return name
        return names[0]

    def zh_matches(self, text: str) -> Iterable[tuple[int, int, str]]:
        """(start, end, alias) for Chinese aliases in ``text``, longest at each place."""
        if self._zh_pattern is None:
            return []
        return [(m.start(), m.end(), m.group()) for m in self._zh_pattern.finditer(text)]

    def names_for_alias(self, alias: str) -> list[str]:
        return self._zh.get(alias, [])

    def parent_written_in(self, name: str, spelling: str) -> str:
        """The parent a spelling starts with: ('鼓楼区', '南京市鼓楼区') -> '南京市'.

        Works for Chinese aliases and glued pinyin keys ('nanjinggulou').
        """
        region = self.regions.get(name)
        for parent in region.parents if region else []:
            spellings = {parent, short_name(parent), *pinyin_keys(short_name(parent))}
            if any(spelling.startswith(p) and spelling != p for p in spellings):
                return parent
        return ""


def _describe(name: str, parents: list[str], kind: str) -> Region:
    """All spellings of one region: full, short, with parent, traditional, pinyin."""
    region = Region(name=name, parents=list(parents), kind=kind)
    short = short_name(name)
    suffix = name[len(short):]
    zh = {name}
    if short != name and not _is_common_word(short):
        zh.add(short)
    for parent in parents:
        for p in {parent, short_name(parent)}:
            zh.update({p + name, p + short})
    zh |= {_to_traditional(a) for a in zh}
    region.aliases = zh
    keys: set[str] = set()
    for base in {short, name}:
        keys |= pinyin_keys(base)
    for base_key in list(pinyin_keys(short)):
        for english in ADMIN_SUFFIXES.get(suffix, ()):
            keys.add(base_key + glue([english]))
    keys |= _cedict_keys(short)
    for parent in parents:
        for pk in pinyin_keys(short_name(parent)):
            keys |= {pk + k for k in pinyin_keys(short)}
    region.keys = keys
    return region


def _is_common_word(word: str) -> bool:
    """A short name that is also an everyday word (和平 'peace') is too ambiguous alone."""
    try:
        return Cedict.load().is_common_word(word)
    except FileNotFoundError:  # pragma: no cover - dictionary missing
        return False


def _cedict_keys(short: str) -> set[str]:
    """Spellings CC-CEDICT gives a place name (its own pinyin, e.g. Dong1 an1 -> dongan)."""
    try:
        entries = Cedict.load().lookup(short)
    except FileNotFoundError:  # pragma: no cover
        return set()
    keys = set()
    for e in entries:
        if e.proper:
            keys |= _umlaut_variants(_cedict_pinyin_key(e.pinyin))
    return keys


def _cedict_pinyin_key(pinyin: str) -> str:
    """'Hang2 zhou1' -> 'hangzhou'; 'Lu:3 liang2' -> 'lüliang'."""
    return re.sub(r"[\d\s·,]", "", pinyin.replace("u:", "ü")).lower()


@lru_cache(maxsize=1)
def _t2s_inverse():
    import opencc

    return opencc.OpenCC("s2t")


def _to_traditional(text: str) -> str:
    try:
        return _t2s_inverse().convert(text)
    except Exception:  # pragma: no cover - converter missing
        return text


# ================================================================ other places (CC-CEDICT)

_PLACE_DEF = re.compile(r"\b(?:city|county|district|province|prefecture|municipality|"
                        r"autonomous region|banner|capital of)\b")
_MAJOR_DEF = re.compile(r"prefecture[- ]level city|subprovincial city|\bprovince\b|"
                        r"\bmunicipality\b|autonomous region|capital of|"
                        r"special administrative region")
_COUNTRY_DEF = re.compile(r"\b(?:country|nation|kingdom|republic|state|capital)\b", re.I)
_ENGLISH_NAME = re.compile(r"^([A-Z][A-Za-z'’\-]*(?: [A-Z][A-Za-z'’\-]*)*)")
HOME_COUNTRY = frozenset({"中国", "中华人民共和国", "中华"})


@dataclass(frozen=True)
class Place:
    """A place CC-CEDICT knows: Chinese headword, English name, definition."""

    name: str  # simplified headword, e.g. 杭州
    english: str  # e.g. Hangzhou
    definition: str
    major: bool = False  # province / prefecture-level city / municipality
    foreign: bool = False


@dataclass
class Gazetteer:
    """Chinese and foreign places from CC-CEDICT, by spelling and by headword."""

    by_key: dict[str, list[Place]]
    by_name: dict[str, Place]
    foreign: dict[str, Place]  # lowercase English name -> place (france -> 法国)
    foreign_by_name: dict[str, Place] = field(default_factory=dict)  # 法国 -> place

    @classmethod
    @lru_cache(maxsize=1)
    def load(cls) -> "Gazetteer":
        by_key: dict[str, list[Place]] = {}
        by_name: dict[str, Place] = {}
        foreign: dict[str, Place] = {}
        for trad, simp, pinyin, defs in Cedict.load().rows:
            if not pinyin[:1].isupper() or len(simp) < 2 or not _is_han(simp):
                continue
            e = CedictEntry(trad, simp, pinyin, tuple(defs.split("/")))
            place_defs = [d for d in e.definitions if _PLACE_DEF.search(d)]
            if place_defs:
                place = _place_from(e.simp, place_defs)
                by_name.setdefault(e.simp, place)
                keys = _umlaut_variants(_cedict_pinyin_key(e.pinyin))
                keys |= {glue([_english_name(d)]) for d in place_defs if _english_name(d)}
                for key in keys:
                    by_key.setdefault(key, []).append(place)
            elif e.simp not in HOME_COUNTRY and _looks_foreign(e.simp, e.definitions):
                place = Place(e.simp, e.definitions[0], "/".join(e.definitions), foreign=True)
                foreign.setdefault(e.definitions[0].lower(), place)
        for places in by_key.values():  # 杭州 before 杭州市; prefecture cities first
            places.sort(key=lambda p: (not p.major, len(p.name)))
        return cls(by_key, by_name, foreign, {p.name: p for p in foreign.values()})

    def lookup_key(self, key: str) -> list[Place]:
        return self.by_key.get(key, [])

    def place(self, name: str) -> Place | None:
        """The CC-CEDICT place written ``name`` (or ``name`` without its suffix)."""
        return self.by_name.get(name) or self.by_name.get(short_name(name))


def _place_from(simp: str, place_defs: list[str]) -> Place:
    english = next((_english_name(d) for d in place_defs if _english_name(d)), "")
    major = any(_MAJOR_DEF.search(d) for d in place_defs)
    return Place(simp, english, "/".join(place_defs), major=major)


def _english_name(definition: str) -> str:
    """'Jinhua prefecture-level city in Zhejiang' -> 'Jinhua'."""
    m = _ENGLISH_NAME.match(definition)
    return m.group(1) if m else ""


def _looks_foreign(simp: str, definitions: tuple[str, ...]) -> bool:
    """A country-like proper noun: 法国 'France', 美国 'United States', 日本 'Japan'."""
    first = definitions[0]
    if not _ENGLISH_NAME.fullmatch(first) and not re.fullmatch(r"[A-Z][a-z]+", first):
        return False
    return simp.endswith(("国", "洲")) or any(_COUNTRY_DEF.search(d) for d in definitions[1:])


_HAN_RE = re.compile(r"[\u4e00-\u9fff]")


def _is_han(text: str) -> bool:
    return bool(text) and all("\u4e00" <= ch <= "\u9fff" for ch in text)


# ================================================================ place mentions


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
    [('杭州', 'place')]
    >>> [(m.name, m.kind) for m in find_place_mentions("请问杭州市2020年罚款多少")]
    [('杭州市', 'place')]
    """
    regions = regions or RegionTable()
    text = normalize(text)
    mentions = _zh_mentions(text, regions) + _en_mentions(text, regions)
    return sorted(mentions, key=lambda m: m.start)


# ---------------------------------------------------------------- Chinese


def _zh_mentions(text: str, regions: RegionTable) -> list[PlaceMention]:
    if not _HAN_RE.search(text):
        return []
    tokens = _jieba_tokens(text, regions)
    bounds = {s for _, s, _ in tokens} | {e for _, _, e in tokens}
    found = _zh_indexed(text, regions, bounds)
    taken = [False] * len(text)
    for m in found:
        taken[m.start:m.end] = [True] * (m.end - m.start)
    found += _zh_other(text, tokens, taken)
    return found


def _zh_indexed(text: str, regions: RegionTable, bounds: set[int]) -> list[PlaceMention]:
    """Aliases of indexed regions and parents; a bare short name must be a whole word."""
    out = []
    for start, end, alias in regions.zh_matches(text):
        names = regions.names_for_alias(alias)
        region = regions.get(names[0])
        if region is None:
            continue
        is_short = alias in {region.short, _to_traditional(region.short)} and alias != region.name
        if is_short and (start not in bounds or end not in bounds):
            continue
        out.append(PlaceMention(names[0], alias, start, end, region.kind,
                                parent=regions.parent_written_in(names[0], alias)))
    return out


def _zh_other(text: str, tokens: list[tuple[str, int, int]], taken: list[bool]) -> list[PlaceMention]:
    """Places no indexed report covers: X省/X市/X县/X区... and well-known bare names."""
    out = []
    gaz = Gazetteer.load()
    for i, (tok, start, end) in enumerate(tokens):
        if any(taken[start:end]):
            continue
        span = _suffixed_span(tokens, i)
        if span:
            s, e = span
            if not any(taken[s:e]):
                name = text[s:e]
                out.append(PlaceMention(name, name, s, e, "place"))
                taken[s:e] = [True] * (e - s)
            continue
        place = gaz.by_name.get(tok) or gaz.foreign_by_name.get(tok)
        if place and (place.major or place.foreign) and not _is_common_word(tok):
            kind = "foreign" if place.foreign else "place"
            out.append(PlaceMention(tok, tok, start, end, kind, place.english))
            taken[start:end] = [True] * (end - start)
    return out


def _suffixed_span(tokens: list[tuple[str, int, int]], i: int) -> tuple[int, int] | None:
    """(start, end) of a place ending with token i's final 省/市/县/区/州/旗, if plausible."""
    tok, start, end = tokens[i]
    if not tok or tok[-1] not in SUFFIX_CHARS or tok in PLACE_STOPLIST or not _is_han(tok):
        return None
    gaz = Gazetteer.load()
    if gaz.place(tok) and not _is_common_word(tok):
        return start, end  # 杭州, 杭州市: a place by itself
    candidates = []
    if len(tok) >= 3:
        candidates.append((tok, start))
    elif i > 0:  # 静/海区, 某某/县: the name is the token before
        prev, pstart, _ = tokens[i - 1]
        if _is_han(prev) and len(prev) + len(tok) <= 7 and (len(prev) == 1 or not _is_common_word(prev)):
            candidates.append((prev + tok, pstart))
    known = [c for c in candidates if gaz.place(c[0])]
    for name, s in known or candidates:
        stem = short_name(name)
        if (len(stem) >= 2 and stem != name and name not in PLACE_STOPLIST
                and stem[0] not in _NOT_PLACE_START and not _is_everyday(name, stem, gaz)):
            return s, end
    return None


def _is_everyday(name: str, stem: str, gaz: Gazetteer) -> bool:
    """True for common words that merely end in a suffix character (城市, 超市)."""
    if gaz.place(name):
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
            found = _gazetteer_mention(span) or _foreign_mention(span) or _typed_mention(span)
        if found:
            return found
    return None


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


def _gazetteer_mention(span: _Span) -> tuple[PlaceMention, int] | None:
    """A Chinese place from CC-CEDICT: 'Hangzhou', 'Xi'an', 'Foshan city', 'hangzhou'."""
    places = Gazetteer.load().lookup_key(span.key)
    if not places or (span.common and not span.typed):
        return None
    place = places[0]
    lowercase_ok = span.n == 1 and place.major and len(span.key) >= 5
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


@lru_cache(maxsize=1)
def _english_vocabulary() -> frozenset[str]:
    return Cedict.load().english_vocabulary


# ================================================================ jieba


_prepared: set[frozenset[str]] = set()


def domain_words(regions: RegionTable | Iterable[tuple[str, str]] | None = None) -> list[str]:
    """Words jieba must keep whole: region names and short names, parents, glossary terms.

    The indexer passes them to ``jieba.add_word`` so that 静海区 stays one token;
    ``parse_question`` does the same, so questions and documents split alike.

    >>> words = domain_words([("静海区", "天津市")])
    >>> "静海区" in words and "静海" in words and "生产经营单位" in words
    True
    """
    if regions is not None and not isinstance(regions, RegionTable):
        regions = RegionTable.from_regions(regions)
    words: dict[str, None] = {}
    if regions is not None:
        for region in [*regions.regions.values(), *regions.parents.values()]:
            for w in (region.name, region.short):
                if len(w) >= 2:
                    words.setdefault(w, None)
    for term in Glossary.load().chinese_terms():
        if 2 <= len(term) <= 7 and _is_han(term):
            words.setdefault(term, None)
    return list(words)


def add_domain_words_to_jieba(regions: RegionTable | None = None) -> None:
    """Add ``domain_words(regions)`` that jieba lacks to its dictionary (once per set).

    Words jieba already has are left alone, so a frequency the indexer gave
    them (``keyword.add_words``) is never lowered and documents and questions
    keep splitting alike.
    """
    import jieba

    if regions is not None and regions._jieba_ready:  # asked once per question: skip the rebuild
        return
    words = domain_words(regions)
    key = frozenset(words)
    if key in _prepared:
        if regions is not None:
            regions._jieba_ready = True
        return
    jieba.dt.check_initialized()
    for w in words:
        if not jieba.dt.FREQ.get(w):
            jieba.add_word(w)
    _prepared.add(key)
    if regions is not None:
        regions._jieba_ready = True


add_region_words_to_jieba = add_domain_words_to_jieba


def _jieba_tokens(text: str, regions: RegionTable) -> list[tuple[str, int, int]]:
    import jieba

    add_domain_words_to_jieba(regions)
    return list(jieba.tokenize(text))


# ================================================================ the question


ZH_STOPWORDS = frozenset("""
的 了 是 在 和 与 及 或 共 有 为 对 把 被 从 到 向 等 个 年 月 日 号 多少 几 哪 哪些 哪个 哪家 哪里
哪儿 哪位 谁 什么 怎么 怎样 如何 何时 吗 呢 吧 啊 呀 请问 请 问 一下 那 那么 这 这个 那个 该
其 其中 中 以及 并 还 也 都 又 就 所 之 给 让 指 是否 有没有 总共 一共 共计 合计 总计 全年 年度
今年 去年 明年 当年 全市 全县 全区 全省 本市 本县 本区 各类 各项 情况 数量 多 又 来 去 做 做了
分别 大约 大概 约 左右 一共有 共有 到底 究竟 具体 相关 方面 期间 时候 时间 当时 吗 嘛 呐 一些
过 着 得 地 要 能 会 可以 应该 需要 已经 曾经 将 把 被 通过 进行 多大 几个 几次 多久 上 下 里 内
市 县 区 省 州 镇 乡 村
""".split())
ISSUER_TERMS = frozenset({"应急管理局", "应急局", "管理局", "应急管理部门", "应急管理部", "人防办", "局"})
# Words that shape the answer (count, when, plans) rather than name its topic.
META_WORDS = frozenset("""number total amount count figure quantity sum year years month time
times many much bureau city county district province prefecture municipality level plan day
week hour percent percentage proportion share fraction""".split())
# Support verbs: "impose penalties", "issue fines", "hold drills" - the noun is the topic.
SUPPORT_VERBS = frozenset("""do make have get give take impose issue conduct carry perform
undertake hold see happen occur record put""".split()) | {"carry out"}
_EN_SPAN = re.compile(r"\b(\d+(?:\.\d+)?)[- ]?(day|week|month|year|hour)s?\b", re.I)
_EN_SPAN_ZH = {"day": "天", "week": "周", "month": "个月", "year": "年", "hour": "小时"}
_PUNCT_TOKEN = re.compile(r"^[\W_]+$")

# Units implied by a counted noun (English lemma) or a Chinese head word.
_MONEY = ("万元", "元", "亿元")
EN_UNIT_NOUNS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys("person people worker staff personnel resident firefighter officer member "
                    "employee volunteer inspector trainee participant villager victim casualty "
                    "student cadre expert rescuer ranger gridder citizen".split(), ("人", "名", "人次")),
    **dict.fromkeys("death injury fatality".split(), ("人", "名")),
    **dict.fromkeys("time occasion penalty drill exercise inspection check training session "
                    "meeting campaign activity visit patrol lecture".split(), ("次", "场", "起")),
    "fine": ("次", "起", *_MONEY),
    **dict.fromkeys("accident fire incident".split(), ("起", "次")),
    **dict.fromkeys("enterprise unit company firm business factory plant mine station "
                    "shop store hotel school hospital".split(), ("家", "个")),
    **dict.fromkeys("case petition complaint report claim letter".split(), ("件", "起")),
    **dict.fromkeys("item hazard problem danger risk defect".split(), ("项", "处", "个", "条")),
    **dict.fromkeys("money fund funding yuan rmb cost budget investment expenditure spending "
                    "compensation payment payout subsidy indemnity premium".split(), _MONEY),
    **dict.fromkeys("rate percent percentage proportion ratio share".split(), ("%",)),
    **dict.fromkeys("certificate license licence permit".split(), ("份", "个", "本", "张")),
    **dict.fromkeys("material leaflet brochure booklet copy poster".split(), ("份", "册", "张")),
    **dict.fromkeys("household family".split(), ("户",)),
    **dict.fromkeys("point site place location spot shelter grid hall base village community "
                    "team group plan document".split(), ("个", "处", "支")),
    **dict.fromkeys("vehicle truck boat drone".split(), ("辆", "台", "艘", "架")),
    **dict.fromkeys("equipment device pump generator".split(), ("台", "套", "件")),
    **dict.fromkeys("jacket lifejacket tent quilt sandbag".split(), ("件", "顶", "床", "条", "个")),
    **dict.fromkeys("hectare mu".split(), ("亩", "公顷")),
    **dict.fromkeys("ton tonne".split(), ("吨",)),
    **dict.fromkeys("kilometer kilometre km".split(), ("公里", "千米")),
    **dict.fromkeys("day".split(), ("天", "日")),
    **dict.fromkeys("hour".split(), ("小时",)),
}
ZH_MEASURE_UNITS: dict[str, tuple[str, ...]] = {
    "人": ("人", "名", "人次"), "名": ("名", "人"), "人次": ("人次",), "次": ("次",),
    "家": ("家",), "件": ("件",), "起": ("起",), "项": ("项",), "处": ("处",), "个": ("个",),
    "份": ("份",), "本": ("本",), "张": ("张",), "册": ("册",), "户": ("户",), "支": ("支",),
    "场": ("场",), "期": ("期",), "批": ("批",), "条": ("条",), "台": ("台",), "套": ("套",),
    "辆": ("辆",), "艘": ("艘",), "架": ("架",), "座": ("座",), "所": ("所",), "种": ("种",),
    "类": ("类",), "天": ("天", "日"), "亩": ("亩",), "吨": ("吨",), "公里": ("公里",),
    "元": _MONEY, "万元": _MONEY, "亿元": _MONEY, "万": _MONEY, "钱": _MONEY,
}
# Chinese head words (by how they end) -> units.
ZH_UNIT_ENDINGS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("率", "比例", "比重", "占比", "百分比"), ("%",)),
    (("款", "罚款", "罚没", "资金", "经费", "金额", "费用", "投入", "预算", "支出", "钱", "补贴", "补助", "保费"), _MONEY),
    (("企业", "单位", "公司", "工厂", "矿山", "场所", "门店", "学校", "医院"), ("家", "个", "处")),
    (("人员", "群众", "人数", "员", "者", "人", "干部", "职工", "队员"), ("人", "名", "人次")),
    (("证", "证书", "许可证", "资料", "材料", "手册"), ("份", "本", "张", "个")),
    (("隐患", "问题", "障碍物"), ("项", "处", "个", "条")),
    (("案件", "信访", "举报", "投诉", "件"), ("件", "起")),
    (("事故", "火灾"), ("起", "次")),
    (("演练", "培训", "检查", "活动", "会议", "宣传", "讲座"), ("次", "场", "期")),
    (("处罚",), ("次", "起", "件")),
    (("网格", "点", "站", "馆", "基地", "队伍", "队", "场所"), ("个", "处", "支")),
    (("衣", "物资", "设备", "装备"), ("件", "套", "台")),
)

_EN_NUMBER = re.compile(
    r"\bhow (?:many|much)\b|\bnumber of\b|\bwhat (?:percent|percentage|proportion|share|"
    r"fraction|amount|number|rate|total|sum)\b|\b(?:rate|percent|percentage|proportion|ratio|"
    r"total|amount|count|quantity|sum)\b")
_ZH_NUMBER = re.compile(r"多少|几(?=[^乎]|$)|数量|总数|总量|人数|次数|金额|总额|比例|比率|占比|百分之|"
                        r"百分比|[\u4e00-\u9fff]率|多大|多高|多长|多久")
_EN_WHEN = re.compile(r"\bwhen\b|\bwhat (?:date|time|day|month)\b|\bby what date\b|\bdeadline\b")
_ZH_WHEN = re.compile(r"什么时候|何时|哪天|哪一天|几月|哪个月|日期|截止|期限|时限|之前完成|前完成")
_EN_WHICH = re.compile(r"\bwhich\b")
_ZH_WHICH = re.compile(r"哪[家个些种类项位所条里儿]|哪")
_EN_WHO = re.compile(r"\bwho(?:m|se)?\b")
_ZH_WHO = re.compile(r"谁|哪位|何人")
_EN_WHAT = re.compile(r"\bwhat\b|\bhow\b|\bdescribe\b|\bexplain\b|\blist\b|\btell me\b")
_ZH_WHAT = re.compile(r"什么|啥|如何|怎么|怎样|哪些|内容|措施|包括|指")
_EN_FOLLOWUP = re.compile(r"^\s*(?:and|what about|how about|also|same for|and what about)\b", re.I)
_ZH_FOLLOWUP = re.compile(r"^\s*(?:那|那么|还有|另外)|呢\s*[?？]?\s*$")
_EN_PLAN = re.compile(r"\b(?:plan|plans|planned|planning|will|going to|intend|intends|aim|aims|"
                      r"target|targets|next year|next step|future)\b", re.I)
_ZH_PLAN = re.compile(r"计划|打算|拟|下一步|明年|今后|将要|规划|目标|工作要点|部署")
DOC_TYPES: tuple[tuple[re.Pattern, str], ...] = (
    (re.compile(r"work (?:plan|points|priorities)|key (?:work|tasks) for|工作要点|工作计划", re.I), "工作要点"),
    (re.compile(r"rule[- ]of[- ]law|law[- ]based government|法治政府|法治建设|依法行政", re.I),
     "法治政府建设报告"),
    (re.compile(r"work summary|annual summary|工作总结|年度总结", re.I), "工作总结"),
)


@dataclass
class Query:
    """A parsed question.

    ``terms`` are Chinese search terms; ``context()`` is what a follow-up
    question needs ({"region", "year", "topic", ...}).
    """

    raw: str
    text: str  # normalised, Chinese numerals as digits
    lang: str  # "zh" or "en"
    region: str | None = None  # canonical indexed region
    parent_region: str = ""
    regions: list[str] = field(default_factory=list)  # every indexed region named
    place_mentions: list[str] = field(default_factory=list)  # every place named, Chinese if known
    unknown_places: list[str] = field(default_factory=list)  # named, but no indexed report covers it
    years: list[int] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)
    english_terms: list[str] = field(default_factory=list)
    matches: list[TermMatch] = field(default_factory=list)  # English -> Chinese, for display
    wants_number: bool = False
    unit_hints: list[str] = field(default_factory=list)
    asks: str = "other"  # number / what / when / which / who / other
    doc_type: str = ""  # 工作要点 / 法治政府建设报告 / 工作总结 / ""
    wants_plan: bool = False  # asks what will be done (plans are in the previous year's report)
    followup: bool = False  # elliptical: "and in 2021?", "那罚款呢?"
    from_context: list[str] = field(default_factory=list)  # fields filled by with_context

    @property
    def year(self) -> int | None:
        """The first year named, or None."""
        return self.years[0] if self.years else None

    @property
    def topic(self) -> str:
        return " ".join(self.terms)

    def context(self) -> dict[str, Any]:
        """What the next question may lean on.

        >>> Query("q", "q", "en", region="金华市", years=[2020], terms=["罚款"]).context()["topic"]
        '罚款'
        """
        return {
            "region": self.region or "",
            "parent_region": self.parent_region,
            "year": self.year,
            "topic": self.topic,
            "wants_number": self.wants_number,
            "units": list(self.unit_hints),
            "asks": self.asks,
        }

    def with_context(self, context: dict[str, Any] | None) -> "Query":
        """Fill what a follow-up leaves out from the previous turn's ``context()``.

        Region and year are taken when the question names none (a question naming a
        place no report covers keeps no region); the previous topic terms are taken
        when the question has no topic of its own ("and in 2021?", "what about Weihai?").
        """
        if not context:
            return self
        q = replace(self, from_context=list(self.from_context))
        if not q.place_mentions and context.get("region"):
            q.region = context["region"]
            q.parent_region = context.get("parent_region") or ""
            q.regions = [q.region]
            q.from_context.append("region")
        if not q.years and context.get("year"):
            q.years = [int(context["year"])]
            q.from_context.append("year")
        own_topic = bool(q.terms)
        if not own_topic and context.get("topic"):
            q.terms = [t for t in str(context["topic"]).split() if t]
            q.from_context.append("topic")
        leans_on_previous = q.followup or not own_topic
        if leans_on_previous and q.asks == "other" and context.get("asks"):
            q.asks = str(context["asks"])
            q.wants_number = q.wants_number or bool(context.get("wants_number"))
            q.from_context.append("asks")
        if q.wants_number and not q.unit_hints:
            q.unit_hints = _units(q) or list(context.get("units") or [])
        return q


def parse_question(text: str, regions: RegionTable | None = None,
                   vocabulary: Vocabulary = None) -> Query:
    """Parse one question (Chinese or English) against the indexed regions.

    ``vocabulary`` (terms occurring in the indexed documents: a set or a
    predicate) filters CC-CEDICT translations of English words.

    >>> parse_question("金华2020年建成了多少家应急宣教体验馆").unit_hints[0]
    '家'
    """
    if text is None or not text.strip():
        raise QuestionError("The question is empty.")
    if len(text) > MAX_QUESTION_CHARS:
        raise QuestionError(f"The question is too long ({len(text)} characters, at most "
                            f"{MAX_QUESTION_CHARS}).")
    if not re.search(r"[^\W_]", text):
        raise QuestionError("The question has no words, only punctuation or control characters.")
    regions = regions or RegionTable()
    clean = replace_cn_numerals(normalize(text)).strip()
    lang = "zh" if _HAN_RE.search(clean) else "en"
    q = Query(raw=text, text=clean, lang=lang)
    mentions = find_place_mentions(clean, regions)
    _set_places(q, mentions, regions)
    q.years = list(dict.fromkeys(find_years(clean)))
    place_spans = [(m.start, m.end) for m in mentions]
    if lang == "zh":
        _zh_terms(q, regions, place_spans, vocabulary)
    else:
        _en_terms(q, clean, mentions, vocabulary)
    _answer_kind(q)
    return q


# ---------------------------------------------------------------- places -> query


def _set_places(q: Query, mentions: list[PlaceMention], regions: RegionTable) -> None:
    """region / parent_region / place_mentions / unknown_places from the mentions."""
    named = [m for m in mentions if m.kind == "region"]
    q.regions = list(dict.fromkeys(m.name for m in named))
    parents = [m.name for m in mentions if m.kind == "parent"] + [m.parent for m in named if m.parent]
    if q.regions:
        q.region = _pick_region(q.regions, parents, regions)
        info = regions.get(q.region)
        named_parent = [p for p in parents if info and p in info.parents]
        q.parent_region = named_parent[0] if named_parent else (info.parent if info else "")
    elif parents:
        q.parent_region = parents[0]
    q.place_mentions = list(dict.fromkeys(m.name for m in mentions))
    unknown = [m for m in mentions if m.kind in ("place", "foreign")
               and not _is_context_of(m, q.regions, regions)]
    q.unknown_places = list(dict.fromkeys(m.name for m in unknown))


def _pick_region(names: list[str], parents: list[str], regions: RegionTable) -> str:
    """The region the question is about: one whose parent is also named, else the first."""
    for name in names:
        info = regions.get(name)
        if info and set(info.parents) & set(parents):
            return name
    return names[0]


def _is_context_of(mention: PlaceMention, named: list[str], regions: RegionTable) -> bool:
    """True if the place only locates a named region (浙江 for 金华市, 三明 for 明溪县)."""
    gaz = Gazetteer.load()
    place = gaz.place(mention.name)
    spellings = {mention.name, short_name(mention.name)}
    if place:
        spellings |= {place.name, place.english}
    spellings.discard("")
    for name in named:
        info = regions.get(name)
        if info and any(p in spellings or short_name(p) in spellings for p in info.parents):
            return True
        own = gaz.place(name)
        if own and any(s in own.definition for s in spellings):
            return True
    return False


# ---------------------------------------------------------------- terms


def _zh_terms(q: Query, regions: RegionTable, place_spans: list[tuple[int, int]],
              vocabulary: Vocabulary) -> None:
    """jieba tokens minus stopwords, question words, places, years and the issuer."""
    years = {str(y) for y in q.years}
    terms: list[str] = []
    english_bits: list[str] = []
    tokens = _jieba_tokens(q.text, regions)
    for i, (tok, start, end) in enumerate(tokens):
        tok = tok.strip()
        if not tok or any(s < end and start < e for s, e in place_spans):
            continue
        if _ASKED_QUANTITY.fullmatch(tok) or (
                i > 0 and tokens[i - 1][0] in ("多少", "几") and tok in ZH_MEASURE_UNITS):
            continue  # 多少次, 多少/家: the question word and its unit, not a topic
        if tok.isascii() and tok.isalpha():
            if tok.lower() not in STOPWORDS and len(tok) > 2:
                english_bits.append(tok)
                continue
        if (_PUNCT_TOKEN.match(tok) or tok in ZH_STOPWORDS or tok in years
                or tok in ISSUER_TERMS or tok.lower() in STOPWORDS):
            continue
        terms.append(tok)
    if english_bits:
        matches = Glossary.load().translate(" ".join(english_bits), vocabulary)
        q.matches = matches
        q.english_terms = [lemmatize(w) for w in english_bits]
        terms += [t for m in matches for t in m.chinese]
    q.terms = _dedupe(t for t in terms if t not in ISSUER_TERMS)


def _en_terms(q: Query, text: str, mentions: list[PlaceMention], vocabulary: Vocabulary) -> None:
    """Glossary + CC-CEDICT translations of the content words (places removed)."""
    blanked = text
    for m in sorted(mentions, key=lambda m: m.start, reverse=True):
        blanked = blanked[:m.start] + " , " + blanked[m.end:]
    skip = (META_WORDS | SUPPORT_VERBS | _proper_words(blanked)
            | {w.lower() for m in mentions for w in re.findall(r"[A-Za-z]+", m.text)})
    matches = Glossary.load().translate(blanked, vocabulary, skip=skip)
    matches = [m for m in matches if m.english not in skip]
    q.matches = matches
    spans = [m.group(1) + _EN_SPAN_ZH[m.group(2).lower()] for m in _EN_SPAN.finditer(blanked)
             if not (m.group(2).lower() == "year" and find_years(m.group(1)))]
    q.terms = _dedupe([*(t for m in matches for t in m.chinese if t not in ISSUER_TERMS), *spans])
    words = [lemmatize(w) for w in re.findall(r"[A-Za-z]+(?:['’][a-z]+)?", blanked.lower())]
    q.english_terms = _dedupe(w for w in words if len(w) > 1 and w not in STOPWORDS
                              and w not in MONTHS and w not in META_WORDS and w not in skip)


def _proper_words(text: str) -> set[str]:
    """Capitalised words inside a sentence (names: Lekima, York); CC-CEDICT would
    translate them as common words, so they are searched for as they are or not at all."""
    out = set()
    for m in re.finditer(r"(?<=[A-Za-z0-9,;:'’\-] )([A-Z][a-z]+)", text):
        out.add(m.group(1).lower())
    return out


def _dedupe(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(i for i in items if i))


# ---------------------------------------------------------------- kind of answer


def _answer_kind(q: Query) -> None:
    """wants_number, unit_hints, asks, doc_type, wants_plan, followup."""
    text = q.text
    low = text.lower()
    if q.lang == "zh":
        q.wants_number = bool(_ZH_NUMBER.search(text)) or bool(_EN_NUMBER.search(low))
        q.followup = bool(_ZH_FOLLOWUP.search(text))
        q.wants_plan = bool(_ZH_PLAN.search(text))
    else:
        q.wants_number = bool(_EN_NUMBER.search(low))
        q.followup = bool(_EN_FOLLOWUP.search(low))
        q.wants_plan = bool(_EN_PLAN.search(low))
    q.unit_hints = _units(q) if q.wants_number else []
    q.asks = _asks(q, low)
    q.doc_type = next((name for rx, name in DOC_TYPES if rx.search(text)), "")


_RATE = re.compile(r"\b(?:rate|percent|percentage|proportion|ratio)\b|[\u4e00-\u9fff]率|比例|占比|百分")


def _units(q: Query) -> list[str]:
    """Units the question's own words imply (see ``_zh_units`` / ``_en_units``);
    a question about a rate wants a percentage above all."""
    units = _zh_units(q.text) if q.lang == "zh" else _en_units(q.text.lower())
    if _RATE.search(q.text.lower()):
        units = ["%", *(u for u in units if u != "%")]
    return units


def _asks(q: Query, low: str) -> str:
    if q.wants_number:
        return "number"
    zh = q.lang == "zh"
    if (_ZH_WHEN if zh else _EN_WHEN).search(low):
        return "when"
    if (_ZH_WHO if zh else _EN_WHO).search(low):
        return "who"
    if (_ZH_WHICH if zh else _EN_WHICH).search(low):
        return "which"
    if q.followup and not q.terms:
        return "other"
    if re.search(r"^\s*(?:what|how) about\b", low):
        return "other"
    if (_ZH_WHAT if zh else _EN_WHAT).search(low):
        return "what"
    return "other"


_EN_NP_END = STOPWORDS | {"did", "do", "does", "were", "was", "are", "is", "have", "has", "had"}


def _en_units(low: str) -> list[str]:
    """Units an English question implies: the noun after 'how many' first.

    >>> _en_units("how many enterprises were fined, and for how much?")
    ['家', '个', '万元', '元', '亿元', '次', '起']
    """
    words = re.findall(r"[a-z]+|%", low)
    units: list[str] = []
    for i, w in enumerate(words):
        if w in ("many", "much") and i > 0 and words[i - 1] == "how":
            phrase = _noun_phrase(words, i + 1)
            if w == "much" and not any(lemmatize(p) in EN_UNIT_NOUNS for p in phrase):
                units += _MONEY
            for p in reversed(phrase):
                units += EN_UNIT_NOUNS.get(lemmatize(p), ())
    if re.search(r"\b(?:spend|spent|cost|costs|pay|paid|invest|invested|fund|budget)\b", low):
        units += _MONEY
    for w in words:
        units += EN_UNIT_NOUNS.get(lemmatize(w), ()) if w not in STOPWORDS else ()
    return _dedupe(units)


def _noun_phrase(words: list[str], i: int) -> list[str]:
    """Words after 'how many' up to the verb or preposition: the counted noun phrase.

    >>> _noun_phrase("how many households received insurance payouts".split(), 2)
    ['households']
    """
    out = []
    while i < len(words) and words[i] not in _EN_NP_END and not _looks_past_tense(words[i]):
        out.append(words[i])
        i += 1
    return out


_ASKED_QUANTITY = re.compile(r"(?:多少|几)(?:" + "|".join(ZH_MEASURE_UNITS) + ")?")
def _looks_past_tense(word: str) -> bool:
    """received, visited, recruited: a verb ends the noun phrase (but 'red', 'seed' do not)."""
    return len(word) > 4 and word.endswith("ed") and lemmatize(word) != word


_ZH_MEASURE_AFTER = re.compile(r"(?:多少|几)(" + "|".join(
    sorted(ZH_MEASURE_UNITS, key=len, reverse=True)) + ")")


def _zh_units(text: str) -> list[str]:
    """Units a Chinese question implies: 多少家 -> 家; 罚款多少 -> 万元; 整改率 -> %.

    >>> _zh_units("明溪县2024年行政处罚多少次,罚款多少")
    ['次', '起', '件', '万元', '元', '亿元']
    """
    units: list[str] = []
    for m in _ZH_MEASURE_AFTER.finditer(text):
        units += ZH_MEASURE_UNITS[m.group(1)]
    for clause in re.split(r"[,，;；?？。!！、]", text):
        units += _zh_clause_units(clause)
    return _dedupe(units)


def _zh_clause_units(clause: str) -> list[str]:
    """Units from the head noun around 多少/几 in one clause, then from any noun."""
    m = re.search(r"多少|几", clause)
    heads: list[str] = []
    if m:
        after = re.sub(r"^(?:" + "|".join(ZH_MEASURE_UNITS) + ")", "", clause[m.end():])
        heads = [after.strip("?？ ")] if after.strip("?？ ") else []
        heads.append(clause[:m.start()])  # 罚款多少: the noun comes first
    else:
        heads = [clause]
    units: list[str] = []
    for head in heads:
        head = head.rstrip("呢吗吧啊呀?？ ").removesuffix("是").removesuffix("为")
        for endings, hint in ZH_UNIT_ENDINGS:
            if head.endswith(endings):
                units += hint
                break
    for endings, hint in ZH_UNIT_ENDINGS:
        if any(e in clause for e in endings if len(e) >= 2):
            units += hint
    return units
