"""Query understanding: a question -> a ``Query`` (place, years, search terms, the
kind of answer wanted) and a plan (an ordinary lookup, or a comparison).

Owns: the indexed places in every spelling (``regions``), other places
(``gazetteer``, ``places``), English -> Chinese terms (``glossary``,
``cedict``), question cues (``cues``, ``kind``), measures named in questions
(``measures``), parsing (``parse``), the lookup-or-comparison plan (``plan``)
and whether the index covers what is asked (``scope``).
Takes in: the question text; the index's regions, vocabulary, places and years.
Hands on: ``Query``, ``plan.Request`` and refusals to ranking and answering.

The names below are also the old ``retrieval.query`` module's (kept for one release).
"""
from __future__ import annotations

from ..text.lexicon import EN_STOPWORDS as STOPWORDS  # noqa: F401
from ..text.lexicon import MONTHS, QUESTION_WORDS  # noqa: F401
from ..text.lexicon import QUESTION_STOPWORDS as ZH_STOPWORDS
from ..text.lexicon import ADMIN_SUFFIXES, SUFFIX_CHARS, name_suffix, short_name
from ..text.normalise import find_years, normalize, replace_cn_numerals  # noqa: F401
from ..text.tokenize import domain_words
from .cedict import Cedict, CedictEntry  # noqa: F401
from .cues import (ASKED_DOC_TYPES, EN_UNIT_NOUNS, ISSUER_TERMS, META_WORDS, SUPPORT_VERBS,
                   ZH_MEASURE_UNITS, ZH_UNIT_ENDINGS)
from .gazetteer import HOME_COUNTRY, Gazetteer, Place
from .glossary import Glossary, TermMatch, Vocabulary, lemmatize  # noqa: F401
from .parse import MAX_QUESTION_CHARS, Query, QuestionError, parse_question
from .places import PLACE_STOPLIST, PlaceMention, find_place_mentions
from .regions import (PINYIN_TYPE_WORDS, PLACE_TYPE_WORDS, Region, RegionTable, glue, place_english,
                      pinyin_keys)

DOC_TYPES = tuple((pattern, name) for name, pattern in ASKED_DOC_TYPES)  # the old (pattern, type) order

__all__ = [
    "MAX_QUESTION_CHARS", "QuestionError", "Query", "parse_question", "RegionTable", "Region",
    "ADMIN_SUFFIXES", "SUFFIX_CHARS", "PINYIN_TYPE_WORDS", "PLACE_TYPE_WORDS", "short_name", "name_suffix",
    "pinyin_keys", "glue", "Place", "Gazetteer", "HOME_COUNTRY", "PlaceMention", "PLACE_STOPLIST",
    "find_place_mentions", "domain_words", "place_english", "ZH_STOPWORDS", "ISSUER_TERMS",
    "META_WORDS", "SUPPORT_VERBS", "EN_UNIT_NOUNS", "ZH_MEASURE_UNITS", "ZH_UNIT_ENDINGS", "DOC_TYPES",
]
