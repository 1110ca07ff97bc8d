"""The lexicon: Chinese text rules and word lists that several stages share.

One home for each: where the data files are, Han characters, administrative
place suffixes, stopwords, approximation markers, length limits.
"""
from __future__ import annotations

import re
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"  # retrieval/data: units, measures, glossary
GLOSSARY_PATH = DATA_DIR / "glossary.tsv"  # english<TAB>中文|中文, the curated emergency-management glossary

# ---------------------------------------------------------------- Han characters

HAN_RANGE = "\u4e00-\u9fff"  # CJK Unified Ideographs: the characters of (normalised) Chinese text
HAN = re.compile(f"[{HAN_RANGE}]")


def has_han(text: str) -> bool:
    """Holds at least one Chinese character: ``has_han("Jinhua 2020年")`` is True."""
    return HAN.search(text) is not None


def is_han(text: str) -> bool:
    """Non-empty and Chinese characters only: ``is_han("金华市")`` is True, ``is_han("M2")`` False."""
    return bool(text) and all("\u4e00" <= ch <= "\u9fff" for ch in text)

# ---------------------------------------------------------------- English words

EN_STOPWORDS = frozenset("""
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

# ---------------------------------------------------------------- the glossary file


def read_glossary_file(path: Path = GLOSSARY_PATH) -> list[tuple[str, list[str]]]:
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


