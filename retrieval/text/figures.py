"""Reported figures in Chinese report sentences.

A *figure* is a number the report states as a fact: 行政处罚703次, 罚款1584.66万元,
整改率99.76%, 招录450余名森林消防员. Years, dates, document numbers, ordinals,
versions and numbers inside names (《...》, “...”) are not figures.

>>> [(f.value, f.unit, f.label) for f in find_figures("行政处罚703次,罚款1584.66万元。")]
[(703.0, '次', '行政处罚'), (1584.66, '万元', '罚款')]
>>> f = find_figures("招录450余名森林消防员")[0]
>>> (f.value, f.unit, f.label, f.approx)
(450.0, '名', '森林消防员', True)

How it works, top-down:

1. ``_excluded_spans`` marks text that holds no figures: *hard* spans (years,
   dates, clock times, document numbers) also cut labels; *soft* spans
   (book titles, short quotations, model codes, ordinals) stay part of labels.
2. ``FIGURE`` finds number + approximation markers + unit; ``_read_match``
   turns a match into a candidate, rejecting unit-less numbers that do not end
   a clause and Chinese numerals without a measure word.
3. ``label_for`` (``figure_labels``) picks the noun phrase the number counts:
   the phrase right after a classifier (306家企业) or the phrase before the
   number (罚款742万元).

Units are data (``units``: ``retrieval/data/units.tsv``); how a figure is said
in English is ``answer.english``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..records import Figure
from .figure_labels import LABEL_STOP, Span, inside, label_for
from .lexicon import APPROX_AFTER, APPROX_BEFORE
from .normalise import cn_to_number
from .table_rows import header_unit, is_table_row, row_cells
from .units import units_table

# ================================================================ patterns

# A number written in digits: 703, 1584.66, 27,315 (thousands groups only of three).
_DIGITS = r"(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?"
# A number written in Chinese numerals: 一千二百, 两, 三十五. Checked later:
# a lone 一 (一是, 一起, 一套) and numerals without a digit (千家万户) are refused.
_CN_NUM = r"[零〇两一二三四五六七八九十百千万亿]+"
# Markers of approximation in front of the number: 近1000家, 约200人, 超过50次.
_APPROX_BEFORE = "|".join(APPROX_BEFORE)
# ... and after it: 50000余份, 140余万元, 60%以上, 3万人左右.
_APPROX_AFTER = "|".join(APPROX_AFTER)


def _units_alternation() -> str:
    """All unit spellings from units.tsv (without 万/亿 prefixes), longest first
    so that 人次 wins over 人 and 个月 over 个."""
    units = [u for u in units_table() if u not in ("万", "亿")]
    return "|".join(re.escape(u) for u in sorted(units, key=len, reverse=True))


# Number, optional range, approximation markers, multiplier, unit, and a short
# bracketed unit note such as 66项(次) or 71台(套).
FIGURE = re.compile(
    rf"""
    (?P<pre>{_APPROX_BEFORE})?
    (?P<num>(?<![\d.]){_DIGITS}|{_CN_NUM})      # digits: not the tail of a longer number
    (?:\s*(?P<sep>[-~～—–至到])\s*(?P<num2>{_DIGITS}|{_CN_NUM}))?   # 3-5天, 3至5人
    (?P<more1>余|多)?
    (?P<mult>万|亿)?
    (?P<more2>余|多)?
    (?P<unit>{_units_alternation()})?
    (?P<post>{_APPROX_AFTER})?
    (?P<note>\((?:[次套台件个家人项名]、?)+\))?
    (?P<since>(?<=[年月天])(?:以来|来))?          # 三年来: "in the last three years"
    """,
    re.VERBOSE,
)

# Two-character words whose first character looks like a unit: 10部门 is not
# "10 部", 3场所 not "3 场". A unit followed this way is no unit.
_UNIT_FALSE_WORDS = {"部门", "项目", "条例", "处理", "处置", "名单", "台账", "场所", "期间",
                     "天然", "家庭", "所有", "批复", "支持", "支队", "名称", "次数", "件数",
                     "类型", "年度", "年底", "年初", "年末", "本级", "张贴", "间隔", "组织",
                     "队伍", "户籍", "种类", "周边", "周年"}

# ---------------------------------------------------------------- spans without figures

# Hard spans: no figure inside, and a label never reaches across them.
_HARD_PATTERNS = [
    # Years and year ranges: 2020年, 2021年度, 2021-2025年, damaged 20212025年.
    re.compile(r"(?<![\d.])(?:19|20)\d{2}(?:\s*[-—–~至到]\s*(?:19|20)?\d{2}|\d{4})?\s*年度?"),
    # ISO-ish dates and clock times: 2022-01-14, 15:50:00.
    re.compile(r"(?<!\d)\d{4}-\d{1,2}-\d{1,2}(?!\d)"),
    re.compile(r"(?<!\d)\d{1,2}:\d{2}(?::\d{2})?(?!\d)"),
    # Month and day dates: 1月22日, 4月底, 11月中旬, damaged 201812月, 2020831日, 7日内.
    re.compile(r"(?<![\d.])\d{1,8}\s*月(?:\s*\d{1,2}\s*[日号])?(?:上旬|中旬|下旬|初|底|末|份)?"),
    re.compile(r"(?<![\d.])\d{1,8}\s*[日号]"),
    # Document numbers: 十应急发〔2021〕6号, 安监总政法[2017]150号.
    re.compile(r"[〔\[【(]\s*(?:19|20)\d{2}\s*[〕\]】)]\s*\d*\s*号?"),
]

# Soft spans: no figure inside, but the text may belong to a label.
_SOFT_PATTERNS = [
    re.compile(r"《[^《》\n]*》"),  # book and law titles
    re.compile(r"<[^<>\n]*>"),  # nested titles written with < >
    re.compile(r"“[^“”\n]{0,15}”"),  # short quoted names: “1+4+X”, “五个一百”, “5·12”
    re.compile(r'"[^"\n]{0,15}"'),
    re.compile(r"[A-Za-z][A-Za-z0-9\-.]*\d[A-Za-z0-9\-.]*"),  # model codes: H135M-171
    re.compile(r"\d+(?:\.\d+)?[A-Za-z]+"),  # 5G, 2.0T
    re.compile(r"第\s*[\d零〇一二两三四五六七八九十百千]+"),  # ordinals: 第一, 第二批
    # Names built on numbers: 三年行动, 十年规划, 二期工程, 三项制度.
    re.compile(r"[\d一二两三四五六七八九十]+(?:年(?=行动|规划|计划|攻坚)|期(?=工程|项目)|项制度)"),
]
# Unquoted dotted dates (5.12防灾减灾日, 5·12) need no pattern: a number without
# unit that does not end a clause is never a figure.

# Characters ending a clause: a unit-less number must stand right before one.
_CLAUSE_END = set(",;:。!?;,\n)")


def _excluded_spans(text: str) -> tuple[list[Span], list[Span]]:
    """(hard, soft) spans of ``text`` that hold no figures."""
    hard = [m.span() for p in _HARD_PATTERNS for m in p.finditer(text)]
    soft = [m.span() for p in _SOFT_PATTERNS for m in p.finditer(text)]
    return hard, soft


# ================================================================ candidates


@dataclass
class _Candidate:
    """A figure before its label is chosen."""

    start: int  # span start, including a leading approximation marker
    end: int  # span end, after unit, markers and unit note
    value: float
    unit: str
    text: str
    approx: bool


def number_value(raw: str) -> float | None:
    """Value of a digit or Chinese numeral string.

    >>> number_value("27,315"), number_value("一千二百"), number_value("两")
    (27315.0, 1200.0, 2.0)
    """
    if raw[0].isdigit():
        return float(raw.replace(",", ""))
    value = cn_to_number(raw)
    return float(value) if value is not None else None


def _is_plausible_cn_numeral(raw: str, approx: bool) -> bool:
    """Chinese numerals that count something: not a lone 一 (一是, 一套救援方案),
    and with at least one digit character or 十 (千家万户 is an idiom); a bare
    百/千/万 counts only after 近/约 (近百人)."""
    if raw == "一":
        return False
    if raw in ("百", "千", "万") and approx:
        return True
    return any(ch in "零〇两一二三四五六七八九十" for ch in raw)


def _split_cn_multiplier(raw: str, mult: str | None) -> tuple[str, str | None]:
    """五万 + 元 reads as 5 万元 (the multiplier stays in the unit, like 5万元).

    >>> _split_cn_multiplier("一千二百万", None)
    ('一千二百', '万')
    >>> _split_cn_multiplier("万", None)  # 近万人
    ('一', '万')
    """
    if mult is None and raw[-1] in "万亿" and not raw[0].isdigit():
        return (raw[:-1] or "一"), raw[-1]
    return raw, mult


def _read_match(text: str, m: re.Match, hard: list[Span], soft: list[Span]) -> _Candidate | None:
    """Turn one regex match into a candidate, or None when it is no figure."""
    num_start = m.start("num")
    if inside(num_start, hard) or inside(num_start, soft):
        return None
    is_cn = not m.group("num")[0].isdigit()
    if is_cn and not _is_plausible_cn_numeral(m.group("num"), bool(m.group("pre"))):
        return None
    raw, mult = _split_cn_multiplier(m.group("num"), m.group("mult"))
    unit = m.group("unit") or ""
    if unit and text[m.start("unit"):m.start("unit") + 2] in _UNIT_FALSE_WORDS:
        return None
    if not unit and not mult and not _is_bare_figure(text, m, hard):
        return None
    value = number_value(raw)
    if value is None:
        return None
    start = m.start("pre") if m.group("pre") else num_start
    end = m.end()
    approx = bool(m.group("pre") or m.group("more1") or m.group("more2") or m.group("post"))
    if m.group("pre") == "近" and m.group("since"):  # 近三年来: "in the last three years"
        approx = bool(m.group("more1") or m.group("more2") or m.group("post"))
    return _Candidate(start, end, value, (mult or "") + unit, text[start:end], approx)


def _is_bare_figure(text: str, m: re.Match, hard: list[Span]) -> bool:
    """A number without unit is a figure only when it ends a clause
    (现场帮扶整改46932。), is written in digits, is no range, does not look like
    a year or a damaged date (2019, 2021514), and does not follow a date
    directly (20211月22)."""
    raw = m.group("num")
    if not raw[0].isdigit() or m.group("num2") or not _ends_clause(text, m.end("num")):
        return False
    if re.fullmatch(r"(?:19|20)\d{2}(?:\d{2,4})?", raw):
        return False
    return not inside(m.start("num") - 1, hard)


def _ends_clause(text: str, pos: int) -> bool:
    return pos >= len(text) or text[pos] in _CLAUSE_END


def _candidates(text: str) -> list[_Candidate]:
    hard, soft = _excluded_spans(text)
    found = []
    for m in FIGURE.finditer(text):
        cand = _read_match(text, m, hard, soft)
        if cand is not None:
            found.append(cand)
    return found



# ================================================================ public: finding


def find_figures(text: str) -> list[Figure]:
    """Every reported figure in ``text`` (a clause, sentence or paragraph).

    >>> [(f.value, f.unit, f.label, f.approx) for f in find_figures("对306家企业罚款742万元")]
    [(306.0, '家', '企业', False), (742.0, '万元', '罚款', False)]
    >>> find_figures("2020年1月22日,十应急发〔2021〕6号,一是推进2.0平台")
    []
    >>> [(f.value, f.unit, f.text) for f in find_figures("培训3-5天")]
    [(3.0, '天', '3-5天')]

    In a table row (``table_rows``) a number alone at the end of a cell is
    a figure, labelled by the row's labels and its column header:

    >>> [(f.value, f.unit, f.label) for f in find_figures("行政处罚 | 本年处理决定数量 703 | 罚款(万元) 80")]
    [(703.0, '', '行政处罚 本年处理决定数量'), (80.0, '万元', '行政处罚 罚款(万元)')]
    """
    if is_table_row(text):
        return _row_figures(text)
    return _text_figures(text)


def _row_figures(row: str) -> list[Figure]:
    """Figures of a table row, cell by cell: the cells before the first
    figure are the row's labels; a unit stated by the header is the unit."""
    figures: list[Figure] = []
    labels: list[str] = []
    for cell in row_cells(row):
        found = _text_figures(cell)
        if not found and not figures:
            labels.append(cell)
        for fig in found:
            label = " ".join([*labels, fig.label.strip()])
            figures.append(Figure(fig.value, fig.unit or header_unit(fig.label), label, fig.text, fig.approx))
    return figures


def _text_figures(text: str) -> list[Figure]:
    """Figures of running text (``find_figures`` without the table rows)."""
    hard, _ = _excluded_spans(text)
    figures: list[Figure] = []
    floor = 0  # a label never reaches back past the previous figure
    shared = ""  # a before-label the next bare figure may share (49次、2097人)
    for cand in _candidates(text):
        if cand.start < floor:  # inside the previous figure's label
            continue
        label = label_for(cand.start, cand.end, cand.unit, text, floor, hard)
        text_label = label.text
        if not label.source and shared and _same_clause(text, floor, cand.start):
            text_label = shared
        figures.append(Figure(cand.value, cand.unit, text_label, cand.text, cand.approx))
        shared = text_label if label.source != "after" else ""
        floor = max(cand.end, label.end)
    return figures


def _same_clause(text: str, a: int, b: int) -> bool:
    """No clause boundary (other than 、 and 和) between positions a and b."""
    return not any(ch in LABEL_STOP for ch in text[a:b])
