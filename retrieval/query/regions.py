"""Every way to write the indexed places: Chinese, traditional, pinyin, English.

>>> t = RegionTable.from_regions([("静海区", "天津市"), ("东安县", "永州市")])
>>> t.match_key("jinghai"), t.canonical("靜海")
('静海区', '静海区')
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from ..places.spelling import FuzzyKeys, glue, pinyin_keys, place_english, umlaut_variants  # noqa: F401
from ..text.lexicon import ADMIN_SUFFIXES, name_suffix, short_name
from ..places import Gazetteer
from ..records import Metadata
from ..text.normalise import normalize
from ..text.tokenize import add_words, domain_words, word_spans
from .cedict import Cedict

# Pinyin suffixes count as type words only after a name ("Jinghai Qu"); "Xian" alone is 西安.
PINYIN_TYPE_WORDS = frozenset({"sheng", "shi", "xian", "qu", "zhou", "qi", "meng"})
PLACE_TYPE_WORDS = frozenset(w for words in ADMIN_SUFFIXES.values() for ws in words
                             for w in ws.split()) - {"new", "special", "administrative", "sar"}
PLACE_TYPE_WORDS = (PLACE_TYPE_WORDS | {"level", "prefecture-level", "county-level"}) - PINYIN_TYPE_WORDS


@dataclass
class Region:
    """One place with all the ways to write it."""

    name: str  # canonical, e.g. 静海区
    parents: list[str] = field(default_factory=list)  # e.g. [天津市]; 鼓楼区 may have several
    kind: str = "region"  # "region" (a report is by it), "parent" (above one), "named" (a report names it)
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
    parents: dict[str, Region] = field(default_factory=dict)  # places above a region, and places reports name
    _zh: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _keys: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _zh_pattern: re.Pattern | None = field(default=None, repr=False)
    _words_added: bool = field(default=False, repr=False)  # its words are in govqa's tokenizer
    _fuzzy: FuzzyKeys | None = field(default=None, repr=False)  # keys found despite a typo, made on first use

    @classmethod
    def from_regions(cls, regions: Iterable[tuple[str, str]]) -> "RegionTable":
        """Build from (region, parent_region) pairs as indexed; empty names are skipped."""
        return cls.from_places((name, [parent] if parent else []) for name, parent in regions)

    @classmethod
    def from_metadata(cls, metas: Iterable[Metadata]) -> "RegionTable":
        """The places of the indexed reports: each region with every place above
        it (a question naming 安徽 finds a county of 安徽), and the places reports
        name as issuer or subject in their title, fields or signature."""
        metas = list(metas)
        chains = [(m.region, m.parents or ([m.parent_region] if m.parent_region else [])) for m in metas]
        return cls.from_places(chains, named=[p for m in metas for p in m.named_places])

    @classmethod
    def from_places(cls, chains: Iterable[tuple[str, list[str]]], named: Iterable[str] = ()) -> "RegionTable":
        """Build from (region, [places above it, nearest first]) pairs; ``named``
        are places reports name without being by them."""
        parents_of: dict[str, list[str]] = {}
        for name, parents in chains:
            name = normalize(name or "").strip()
            if not name:
                continue
            known = parents_of.setdefault(name, [])
            for parent in (normalize(p).strip() for p in parents):
                if parent and parent != name and parent not in known:
                    known.append(parent)
        table = cls()
        for name, parents in parents_of.items():
            table.regions[name] = _describe(name, parents, "region")
        for parent in dict.fromkeys(p for ps in parents_of.values() for p in ps):
            if parent not in table.regions:
                table.parents[parent] = _describe(parent, [], "parent")
        for place in dict.fromkeys(normalize(n).strip() for n in named):
            if place and not table.get(place):
                table.parents[place] = _describe(place, [], "named")
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

    def __iter__(self) -> Iterator[tuple[str, str]]:
        """(region, parent) pairs, as the table was built from (parent '' when none)."""
        for region in self.regions.values():
            for parent in region.parents or [""]:
                yield region.name, parent

    def teach_tokenizer(self) -> None:
        """Put this table's place names (and the glossary terms) into govqa's
        tokenizer, once per table: documents and questions then split alike."""
        if not self._words_added:
            add_words(domain_words(self))
            self._words_added = True

    def split(self, text: str) -> list[tuple[str, int, int]]:
        """(word, start, end) of ``text`` with govqa's tokenizer, which knows this table's places."""
        self.teach_tokenizer()
        return word_spans(text)

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

    def near_key(self, word: str) -> list[str]:
        """Places whose spelling is one edit from ``word`` (Jinhau -> 金华市), each once."""
        if self._fuzzy is None:
            self._fuzzy = FuzzyKeys(self._keys)
        return list(dict.fromkeys(n for key in self._fuzzy.near(word) for n in self._keys[key]))

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
    suffix = name_suffix(name)
    zh = {name, *Gazetteer.load().extra_aliases.get(name, [])}  # 黔南州 for 黔南布依族苗族自治州
    if short != name and not is_common_word(short):
        zh.add(short)
    for parent in parents:
        for p in {parent, short_name(parent)}:
            zh.update({p + name, p + short})
    zh |= {to_traditional(a) for a in zh}
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


def is_common_word(word: str) -> bool:
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
            keys |= umlaut_variants(cedict_pinyin_key(e.pinyin))
    return keys


def cedict_pinyin_key(pinyin: str) -> str:
    """'Hang2 zhou1' -> 'hangzhou'; 'Lu:3 liang2' -> 'lüliang'."""
    return re.sub(r"[\d\s·,]", "", pinyin.replace("u:", "ü")).lower()


@lru_cache(maxsize=1)
def _t2s_inverse():
    import opencc

    return opencc.OpenCC("s2t")


def to_traditional(text: str) -> str:
    try:
        return _t2s_inverse().convert(text)
    except Exception:  # pragma: no cover - converter missing
        return text
