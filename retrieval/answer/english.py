"""English for answers to English questions: places, amounts, units, labels.

>>> english_value(Figure(1584.66, "万元", "罚款", "1584.66万元"))
'15.8466 million yuan'
>>> describe_figure_en(Figure(703, "次", "行政处罚", "703次"), "administrative penalties")
'703 administrative penalties'
>>> english_line(Metadata(region="金华市", year=2020), [Figure(703, "次", "行政处罚", "703次")], "")
'Jinhua (金华市), 2020: 703 administrative penalties'
"""
from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache

from ..glossary import GLOSSARY_PATH, read_glossary_file
from ..records import Figure, Metadata
from ..query.regions import place_english
from ..text.figures import FIGURE, number_value
from ..text.lexicon import APPROX_AFTER, APPROX_BEFORE, APPROX_MEANING
from ..text.units import to_decimal, unit_info

@lru_cache(maxsize=1)
def _chinese_to_english() -> dict[str, str]:
    """Reverse of the curated glossary: Chinese term -> English phrase. A
    term's own line (where it is listed first) wins over lines that merely
    accept it: 行政处罚 -> "administrative penalty", not "fine"."""
    rows = read_glossary_file(GLOSSARY_PATH)
    out: dict[str, str] = {}
    for english, terms in rows:  # first pass: primary terms
        if terms:
            out.setdefault(terms[0], english)
    for english, terms in rows:  # second pass: the other terms
        for term in terms[1:]:
            out.setdefault(term, english)
    return out


def label_english(label: str) -> str | None:
    """English for a figure label: the glossary term that ends latest in it
    (a Chinese noun phrase ends with its head), the longest on a tie.

    >>> label_english("防汛、危险化学品生产安全事故等各类应急演练") in ("emergency drill", "drill")
    True
    """
    table = _chinese_to_english()
    if label in table:
        return table[label]
    inside = [(label.rfind(t) + len(t), len(t), t) for t in table
              if len(t) >= 2 and t in label and t not in _GENERIC_HEADS]
    if not inside:
        return None
    return table[max(inside)[2]]


# First words that make a glossary phrase a verb phrase ("suspend production"):
# such a phrase cannot stand after a number, so the Chinese label is shown.
_VERBS = frozenset("""suspend inspect rectify issue conduct carry hold organise organize investigate
check handle review revoke order impose punish recruit purchase evacuate relocate allocate train
publicise publicize release launch build set establish complete strengthen improve""".split())
_UNCOUNTABLE = frozenset("""equipment information publicity training supervision enforcement funding
investment spending expenditure money income revenue compensation insurance people personnel staff
police""".split())
# Generic heads (the amount of, the number of): the term before them names the thing.
_GENERIC_HEADS = frozenset({"金额", "数量", "总数", "总额", "总量", "数", "人数", "次数", "数额"})


def plural(phrase: str) -> str:
    """Plural of an English noun phrase's last word: enterprise -> enterprises."""
    head, _, last = phrase.rpartition(" ")
    if not last or last in _UNCOUNTABLE or last.endswith("s"):
        return phrase
    if last.endswith("y") and last[-2:-1] not in "aeiou":
        last = last[:-1] + "ies"
    elif last.endswith(("x", "ch", "sh")):
        last += "es"
    else:
        last += "s"
    return f"{head} {last}".strip()


def figure_label_english(fig: Figure) -> str | None:
    """English label for a figure, in the plural for counts above one; None
    when the glossary only offers a verb phrase."""
    label = label_english(fig.label)
    if not label or label.split()[0] in _VERBS:
        return None
    info = unit_info(fig.unit)
    if info is not None and info.kind == "percent":
        return label
    return plural(label) if fig.value != 1 else label


def english_line(meta: Metadata, figures: list[Figure], answer: str) -> str:
    """'Jinhua (金华市), 2020: 703 administrative penalties; fines of 15.8466 million yuan (1584.66万元)'."""
    place = f"{place_english(meta.region)} ({meta.region})" if meta.region else meta.issuer or meta.title
    head = f"{place}, {meta.year}" if meta.year else place
    if not figures:
        return f"{head}: see the Chinese sentence above."
    parts = [describe_figure_en(f, figure_label_english(f)) for f in figures]
    return f"{head}: " + "; ".join(re.sub(r"\s+", " ", p).strip() for p in parts)


# ================================================================ amounts

_ONE_MILLION = Decimal(1_000_000)
_ONE_BILLION = Decimal(1_000_000_000)


def _plain(d: Decimal) -> str:
    """Decimal without exponent or trailing zeros, thousands grouped.

    >>> _plain(Decimal("444500.00")), _plain(Decimal("3.2E+2")), _plain(Decimal("12.50"))
    ('444,500', '320', '12.5')
    """
    d = d.normalize()
    if d == d.to_integral_value():
        d = d.quantize(Decimal(1))
    return f"{d:,f}"


def _big(amount: Decimal) -> str:
    """A base amount in words English readers expect: 15.8466 million, 444,500."""
    if abs(amount) >= _ONE_BILLION:
        return f"{_plain(amount / _ONE_BILLION)} billion"
    if abs(amount) >= _ONE_MILLION:
        return f"{_plain(amount / _ONE_MILLION)} million"
    return _plain(amount)


def _approx_word(fig: Figure) -> str:
    """over / nearly / about, from the markers kept in ``fig.text``."""
    if not fig.approx:
        return ""
    t = fig.text
    before = APPROX_MEANING.get(next((w for w in APPROX_BEFORE if t.startswith(w)), ""))
    if before in ("nearly", "over"):
        return before
    return "over" if any(APPROX_MEANING[w] == "over" and w in t for w in APPROX_AFTER) else "about"




def _range_upper(fig: Figure) -> Decimal | None:
    """Upper value of a range figure (text 3-5天 -> 5), else None."""
    m = FIGURE.search(fig.text)
    if not m or not m.group("num2"):
        return None
    value = number_value(m.group("num2"))
    return Decimal(repr(value)) if value is not None else None


def english_value(fig: Figure) -> str:
    """The figure's amount in English: base units, million/billion, approximation.

    >>> english_value(Figure(1584.66, "万元", "罚款", "1584.66万元"))
    '15.8466 million yuan'
    >>> english_value(Figure(44.45, "万元", "罚款", "44.45万元"))
    '444,500 yuan'
    >>> english_value(Figure(50000, "份", "宣传资料", "50000余份", True))
    'over 50,000'
    >>> english_value(Figure(99.76, "%", "整改率", "99.76%"))
    '99.76%'
    """
    info = unit_info(fig.unit)
    factor = info.factor if info else Decimal(1)
    kind = info.kind if info else "classifier"
    amount = to_decimal(fig.value) * factor
    upper = _range_upper(fig)
    if upper is not None:
        number = f"{_big(amount)}-{_big(upper * factor)}"
    else:
        number = _big(amount)
    if kind == "percent":
        words = f"{number}{fig.unit}" if fig.unit in ("%", "‰") else f"{number} percent"
    elif kind == "money":
        words = f"{number} yuan"
    elif kind == "measure":
        count = upper * factor if upper is not None else amount
        words = f"{number} {english_unit(info.base if info else fig.unit, float(count))}"
    else:
        words = number
    prefix = _approx_word(fig)
    return f"{prefix} {words}" if prefix else words


def english_unit(unit: str, count: float) -> str:
    """English name of a unit, singular for a count of 1, else plural.

    Unknown units come back as written.

    >>> english_unit("次", 1), english_unit("次", 3), english_unit("公里", 650)
    ('time', 'times', 'km')
    >>> english_unit("万项", 14.3)
    'items'
    """
    info = unit_info(unit)
    if info is None:
        return unit
    return info.singular if count == 1 else info.plural


def describe_figure_en(fig: Figure, label_en: str | None = None) -> str:
    """One English phrase for a figure.

    Counts read "<number> <what>", amounts read "<what> of <amount>"; the
    Chinese figure is added in brackets when a 万/亿 multiplier was converted,
    and the Chinese label when no English label is given.

    >>> describe_figure_en(Figure(1584.66, "万元", "罚款", "1584.66万元"), "fines")
    'fines of 15.8466 million yuan (1584.66万元)'
    >>> describe_figure_en(Figure(21470, "份", "特种作业人员操作证", "21470份"))
    '21,470 (特种作业人员操作证)'
    """
    value_en = english_value(fig)
    info = unit_info(fig.unit)
    kind = info.kind if info else "classifier"
    notes = []
    if not label_en and fig.label:
        notes.append(fig.label)
    if info is not None and info.factor != 1 and info.base:
        notes.append(fig.text or f"{_plain(to_decimal(fig.value))}{fig.unit}")
    bracket = f" ({', '.join(notes)})" if notes else ""
    if kind == "classifier":
        if label_en:
            return f"{value_en} {label_en}{bracket}"
        if not fig.label:  # nothing names the thing: fall back to the unit
            return f"{value_en} {english_unit(fig.unit, fig.value)}{bracket}".strip()
        return f"{value_en}{bracket}"
    if label_en:
        return f"{label_en} of {value_en}{bracket}"
    return f"{value_en}{bracket}"
