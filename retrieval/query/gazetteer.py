"""Places CC-CEDICT knows, Chinese and foreign: a question may name a place no
indexed report covers (Hangzhou, France), and must be told so."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from ..text.lexicon import is_han
from ..text.tables import cached_table
from .cedict import Cedict, CedictEntry, cedict_path
from .regions import cedict_pinyin_key, umlaut_variants, glue, short_name

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
        """The table, made once and kept on disk (``text.tables``)."""
        return cached_table("cedict-gazetteer", cls.build, [cedict_path()])

    @classmethod
    def build(cls) -> "Gazetteer":
        by_key: dict[str, list[Place]] = {}
        by_name: dict[str, Place] = {}
        foreign: dict[str, Place] = {}
        for trad, simp, pinyin, defs in Cedict.load().rows:
            if not pinyin[:1].isupper() or len(simp) < 2 or not is_han(simp):
                continue
            e = CedictEntry(trad, simp, pinyin, tuple(defs.split("/")))
            place_defs = [d for d in e.definitions if _PLACE_DEF.search(d)]
            if place_defs:
                place = _place_from(e.simp, place_defs)
                by_name.setdefault(e.simp, place)
                keys = umlaut_variants(cedict_pinyin_key(e.pinyin))
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

