"""Chinese text rules, all in one place.

- width folding: full-width ASCII forms (，（）０-９Ａ) become half-width;
- traditional -> simplified characters (OpenCC tables, pure Python);
- Chinese numerals: 二〇二〇 -> 2020, 一千二百 -> 1200;
- dates, including the damaged forms of scraped pages (20211月22, 2021514).

>>> fold_width("罚款１５８４．６６万元，")
'罚款1584.66万元,'
>>> to_simplified("金華市")
'金华市'
>>> cn_to_number("一千二百")
1200
>>> parse_date("20211月22")
'2021-01-22'
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from datetime import date
from functools import lru_cache

from .lexicon import has_han

# ---------------------------------------------------------------- width

_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20  # ideographic space
_FULLWIDTH[0x00A0] = 0x20  # no-break space
_FULLWIDTH[0xFEFF] = None  # byte-order mark / zero-width no-break space
_FULLWIDTH[0x200B] = None  # zero-width space


def fold_width(text: str) -> str:
    """Full-width ASCII forms to half-width; odd spaces to plain spaces."""
    return text.translate(_FULLWIDTH)


# ---------------------------------------------------------------- script


@lru_cache(maxsize=1)
def _t2s():
    import opencc  # opencc-python-reimplemented

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional to simplified characters; text without Han is returned as is."""
    if not has_han(text):
        return text
    return _t2s().convert(text)


def normalize(text: str) -> str:
    """The one normalisation applied to documents and questions alike.

    Unicode NFC, width folding, traditional -> simplified, runs of spaces
    and tabs collapsed (newlines are kept: they separate paragraphs).
    """
    text = unicodedata.normalize("NFC", text)
    text = fold_width(text)
    text = to_simplified(text)
    text = re.sub(r"[ \t\r\f\v]+", " ", text)
    return text


def squash(text: str) -> str:
    """Remove all whitespace and fold width: the form used to compare spans."""
    return re.sub(r"\s+", "", fold_width(text))


NEAR_COPY_RATIO = 0.9  # a title printed again with a character lost or changed still counts


def near_copy(a: str, b: str) -> bool:
    """The two lines are the same text but for a character or two (squashed forms compared).

    >>> near_copy("某局2019年法治政府建设情况报告", "某局 2019年法治政府建设情况的报告")
    True
    """
    return difflib.SequenceMatcher(None, squash(a), squash(b)).ratio() >= NEAR_COPY_RATIO


# ---------------------------------------------------------------- numerals

_CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "两": 2,
              "三": 3, "叁": 3, "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6,
              "七": 7, "柒": 7, "八": 8, "捌": 8, "九": 9, "玖": 9}
_CN_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_CN_BIG = {"万": 10_000, "亿": 100_000_000}


def cn_to_number(text: str) -> int | None:
    """Value of a Chinese numeral, or None if it is not one.

    Handles positional digit strings (二〇二〇 -> 2020) and unit numerals
    (十五 -> 15, 一千二百 -> 1200, 三万五千 -> 35000).
    """
    if not text or any(ch not in _CN_DIGITS and ch not in _CN_UNITS and ch not in _CN_BIG
                       for ch in text):
        return None
    if all(ch in _CN_DIGITS for ch in text):
        if len(text) == 1:
            return _CN_DIGITS[text]
        return int("".join(str(_CN_DIGITS[ch]) for ch in text))
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            section += (1 if digit is None else digit) * _CN_UNITS[ch]
            digit = None
        else:  # 万 / 亿
            section += digit or 0
            total = (total + section) * _CN_BIG[ch]
            section, digit = 0, None
    return total + section + (digit or 0)


_CN_YEAR = re.compile(r"[〇零○一二三四五六七八九]{4}(?=年)")
_CN_COUNT = re.compile(r"[零一二两三四五六七八九十百千万亿]{2,}(?=[年月日次家人名项件个份起处万元%])")


def replace_cn_numerals(text: str) -> str:
    """Rewrite Chinese numerals that stand for quantities or years as digits.

    Only runs that are clearly numbers are touched (a year before 年, or a
    multi-character numeral before a measure word): 一是 or 三同时 stay.

    >>> replace_cn_numerals("二〇二〇年罚款一千二百次")
    '2020年罚款1200次'
    """
    text = _CN_YEAR.sub(lambda m: str(cn_to_number(m.group())), text)

    def count(m: re.Match) -> str:
        value = cn_to_number(m.group())
        return str(value) if value is not None else m.group()

    return _CN_COUNT.sub(count, text)


# ---------------------------------------------------------------- dates


def _valid(y: int, m: int, d: int) -> bool:
    try:
        date(y, m, d)
    except ValueError:
        return False
    return 1949 <= y <= 2100


def _iso(y: int, m: int, d: int) -> str:
    return f"{y:04d}-{m:02d}-{d:02d}"


_DATE_FULL = re.compile(r"(\d{4})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})\s*日?")
_DATE_LOST_YEAR_MARK = re.compile(r"(\d{4})(\d{1,2})月(\d{1,2})日?")  # 20211月22
_DATE_LOST_DAY_MARK = re.compile(r"(\d{4})年(\d{1,2})月?(\d{1,2})日?")  # 2020年330
_DIGITS_ONLY = re.compile(r"(?<!\d)(\d{6,8})(?!\d)")  # 2021514


def _split_digits(digits: str) -> list[tuple[int, int, int]]:
    """All valid (y, m, d) readings of a run like 2021514 (month/day lost their marks)."""
    y, rest = int(digits[:4]), digits[4:]
    readings = []
    for cut in (1, 2):
        if 0 < cut < len(rest) and len(rest) - cut <= 2:
            m, d = int(rest[:cut]), int(rest[cut:])
            if rest[cut] != "0" or len(rest) - cut == 2:
                if _valid(y, m, d):
                    readings.append((y, m, d))
    return readings


def parse_date(text: str) -> str | None:
    """First date in ``text`` as ISO ``yyyy-mm-dd``, or None.

    Damaged dates are read only when one reading is possible:
    ``20211月22`` -> 2021-01-22, ``2021514`` -> 2021-05-14 (51 is no month),
    ``2020年330`` -> 2020-03-30; ``2021111`` (1-11 or 11-1) -> None.
    """
    for pattern in (_DATE_FULL, _DATE_LOST_YEAR_MARK):
        m = pattern.search(text)
        if m and _valid(*(int(g) for g in m.groups())):
            return _iso(*(int(g) for g in m.groups()))
    m = _DATE_LOST_DAY_MARK.search(text)
    if m:
        y, rest = int(m.group(1)), m.group(2) + m.group(3)
        readings = _split_digits(f"{y}{rest}")
        if len(readings) == 1:
            return _iso(*readings[0])
    m = _DIGITS_ONLY.search(text)
    if m:
        readings = _split_digits(m.group(1))
        if len(readings) == 1:
            return _iso(*readings[0])
    return None


_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


def find_years(text: str) -> list[int]:
    """Four-digit years 1949-2100 in order of appearance (digits only; run
    ``replace_cn_numerals`` first for 二〇二〇)."""
    return [int(y) for y in _YEAR.findall(text) if 1949 <= int(y) <= 2100]
