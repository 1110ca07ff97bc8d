"""The lexicon: Chinese text rules and word lists that several stages share.

One home for each: where the data files are, Han characters, administrative
place suffixes, stopwords, approximation markers, length limits.
"""
from __future__ import annotations

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"  # retrieval/data: units, measures, glossary
