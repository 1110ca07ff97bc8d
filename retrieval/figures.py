"""Reported figures in Chinese report sentences, and how to say them in English.

A *figure* is a number the report states as a fact: 行政处罚703次, 罚款1584.66万元,
整改率99.76%, 招录450余名森林消防员. Years, dates, document numbers, ordinals,
versions and numbers inside names (《...》, “...”) are not figures.

>>> [(f.value, f.unit, f.label) for f in find_figures("行政处罚703次,罚款1584.66万元。")]
[(703.0, '次', '行政处罚'), (1584.66, '万元', '罚款')]
>>> f = find_figures("招录450余名森林消防员")[0]
>>> (f.value, f.unit, f.label, f.approx)
(450.0, '名', '森林消防员', True)
>>> english_value(find_figures("罚款1584.66万元")[0])
'15.8466 million yuan'
>>> describe_figure_en(find_figures("行政处罚703次")[0], "administrative penalties")
'703 administrative penalties'

How it works, top-down:

1. ``_excluded_spans`` marks text that holds no figures: *hard* spans (years,
   dates, clock times, document numbers) also cut labels; *soft* spans
   (book titles, short quotations, model codes, ordinals) stay part of labels.
2. ``_FIGURE`` finds number + approximation markers + unit; ``_read_match``
   turns a match into a candidate, rejecting unit-less numbers that do not end
   a clause and Chinese numerals without a measure word.
3. ``_label_for`` picks the noun phrase the number counts: the phrase right
   after a classifier (306家企业) or the phrase before the number (罚款742万元).

Units are data: ``retrieval/data/units.tsv`` gives English names, the base unit
and the factor to it (万元 -> 元 x 10000); 万/亿 in front of any listed unit
multiply it (14.3万余项 -> 143,000 项).
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from retrieval.records import Figure
from retrieval.textnorm import cn_to_number

DATA_DIR = Path(__file__).resolve().parent / "data"

__all__ = [
    "find_figures",
    "english_value",
    "english_unit",
    "describe_figure_en",
    "to_base",
    "unit_info",
    "UnitInfo",
    "classify_measure",
    "measure_english",
    "measures",
    "Measure",
]

# ================================================================ units table


@dataclass(frozen=True)
class UnitInfo:
    """One row of units.tsv (or a 万/亿-multiplied row built from one)."""

    unit: str
    singular: str
    plural: str
    base: str  # unit to compare in, e.g. 元 for 万元
    factor: Decimal  # value in ``unit`` x factor = value in ``base``
    kind: str  # classifier | money | percent | measure


_MULTIPLIERS = {"万": Decimal(10_000), "亿": Decimal(100_000_000), "千": Decimal(1000)}


@lru_cache(maxsize=1)
def _units_table() -> dict[str, UnitInfo]:
    """units.tsv as {unit: UnitInfo}; lines starting with # are comments."""
    table: dict[str, UnitInfo] = {}
    with open(DATA_DIR / "units.tsv", encoding="utf-8") as fh:
        for row in csv.reader(fh, delimiter="\t"):
            if not row or row[0].startswith("#"):
                continue
            unit, singular, plural, base, factor, kind = (c.strip() for c in row[:6])
            table[unit] = UnitInfo(unit, singular, plural, base, Decimal(factor), kind)
    return table


def unit_info(unit: str) -> UnitInfo | None:
    """Table row for ``unit``; 万/亿/千 + a listed unit is built on the fly.

    >>> unit_info("万元").factor
    Decimal('10000')
    >>> (unit_info("万项").base, unit_info("万项").factor)
    ('项', Decimal('10000'))
    >>> unit_info("斤") is None
    True
    """
    table = _units_table()
    if unit in table:
        return table[unit]
    if len(unit) > 1 and unit[0] in _MULTIPLIERS and unit[1:] in table:
        inner = table[unit[1:]]
        return UnitInfo(unit, inner.singular, inner.plural, inner.base,
                        inner.factor * _MULTIPLIERS[unit[0]], inner.kind)
    return None


def _unit_kind(unit: str) -> str:
    info = unit_info(unit)
    return info.kind if info else "classifier"


# ================================================================ patterns

# A number written in digits: 703, 1584.66, 27,315 (thousands groups only of three).
_DIGITS = r"(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?"
# A number written in Chinese numerals: 一千二百, 两, 三十五. Checked later:
# a lone 一 (一是, 一起, 一套) and numerals without a digit (千家万户) are refused.
_CN_NUM = r"[零〇两一二三四五六七八九十百千万亿]+"
# Markers of approximation in front of the number: 近1000家, 约200人, 超过50次.
_APPROX_BEFORE = r"将近|接近|大约|超过|近|约|逾"
# ... and after it: 50000余份, 140余万元, 60%以上, 3万人左右.
_APPROX_AFTER = r"左右|以上|上下|余|多"


def _units_alternation() -> str:
    """All unit spellings from units.tsv (without 万/亿 prefixes), longest first
    so that 人次 wins over 人 and 个月 over 个."""
    units = [u for u in _units_table() if u not in ("万", "亿")]
    return "|".join(re.escape(u) for u in sorted(units, key=len, reverse=True))


# Number, optional range, approximation markers, multiplier, unit, and a short
# bracketed unit note such as 66项(次) or 71台(套).
_FIGURE = re.compile(
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
# Characters that bound the phrase a label is read from.
_LABEL_STOP = set(",;:。!?;,:\n")

Span = tuple[int, int]


def _excluded_spans(text: str) -> tuple[list[Span], list[Span]]:
    """(hard, soft) spans of ``text`` that hold no figures."""
    hard = [m.span() for p in _HARD_PATTERNS for m in p.finditer(text)]
    soft = [m.span() for p in _SOFT_PATTERNS for m in p.finditer(text)]
    return hard, soft


def _inside(pos: int, spans: list[Span]) -> bool:
    return any(a <= pos < b for a, b in spans)


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


def _number_value(raw: str) -> float | None:
    """Value of a digit or Chinese numeral string.

    >>> _number_value("27,315"), _number_value("一千二百"), _number_value("两")
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
    if _inside(num_start, hard) or _inside(num_start, soft):
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
    value = _number_value(raw)
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
    return not _inside(m.start("num") - 1, hard)


def _ends_clause(text: str, pos: int) -> bool:
    return pos >= len(text) or text[pos] in _CLAUSE_END


def _candidates(text: str) -> list[_Candidate]:
    hard, soft = _excluded_spans(text)
    found = []
    for m in _FIGURE.finditer(text):
        cand = _read_match(text, m, hard, soft)
        if cand is not None:
            found.append(cand)
    return found


# ================================================================ labels

# Words stripped from the front of a label: adverbs of scope and time, and light
# verbs that do not change what is counted (开展, 组织, 完成 ...). Action verbs
# that do (检查, 排查, 整改, 处罚, 培训) stay.
_LEAD_FILLERS = sorted("""
共计 合计 总计 累计 共 全年 全市 全区 全县 全省 全局 全镇 今年以来 今年来 今年 年内 以来 目前
其中 已经 已 先后 分别 依法 开展 完成 发放 组织 进行 进一步 有效 各类 各项 了 向上 向 和 的 等
以前 以后 以及 并 同时 还 又 均 通过 我局 我县 我区 我市 我省 现有 另有 主要有 全部 期间 此外 另外
设置 配备 实施 举办
""".split(), key=len, reverse=True)

# Words stripped from the end of a label: 整改率达到 -> 整改率, 队伍共 -> 队伍.
_TRAIL_FILLERS = sorted("""
共计 合计 总计 累计 共 达到 达 为 均为 均 约 近 超过 逾 各 等 以及 和 及 是 分别 的
""".split(), key=len, reverse=True)

# Verbs after which the counted thing follows the number: 采购212.2万元应急物资.
_OBJECT_VERBS = sorted("""
采购 购置 购买 购入 增购 下拨 拨付 投入 支付 筹集 安排 落实 争取 兑现 下达 奖励 募集 捐赠 申请 获得
使用 投资 招录 招聘 动员 建成 建立 储备 调拨 救助 完善 修编 细化 明确 编制 印发 执行 为期 开展
组织 完成 发放 新建 改造 配发 发送 发布 出动 派出 录入 制定 培训 提供
""".split(), key=len, reverse=True)

# A phrase after a classifier is not what is counted when it starts like this
# (7件(4件保留、3件废止): 保留 and 废止 do name what is counted; 2万余人的 is
# fine, 的 is dropped first).
_NOT_NOUN_START = ("继续", "参加", "参与", "进行", "通过", "完成", "等",
                   "得到", "获得", "受到", "予以", "实现", "达到", "按期", "全部", "已", "均", "被",
                   "来", "以来", "内", "以内", "前", "后", "之", "中", "和", "及", "与", "、", "至",
                   "(", "的", "是", "在", "共", "都", "分别")

# Words at which a phrase after a number stops: 306家企业罚款742万元 -> 企业.
_AFTER_CUT = ("罚款", "参加", "参与", "进行", "用于", "签订", "全部", "按期", "已", "均", "来袭",
              "实现", "得到", "开展", "扩充", "覆盖", "完成", "落实", "每", "制作", "录入", "赴", "驻防")
# Words that join list items or announce a total: a phrase ending in one still
# names the figure before it (9支队伍、10支; 100余支队伍共1753人).
_CONNECTORS = ("、", "和", "及", "以及", "与", "共", "共计", "合计", "总计")

# The run of text that can make up a phrase after the number: Han characters,
# quotes, titles, brackets, enumeration commas; no digits, no clause punctuation.
# The run of text that can make up a phrase after the number: Han characters,
# quotes, titles, brackets, enumeration commas; no digits, no clause punctuation.
_AFTER_PHRASE = re.compile(r"的?([\u4e00-\u9fff“”《》<>()、A-Za-z·Ⅰ-Ⅻ]{1,30})")
# A phrase must start like a noun: a Han character, a quotation or a title.
_PHRASE_START = re.compile(r"[\u4e00-\u9fff“《<Ⅰ-Ⅻ]")
# Bracketed notes that are no part of what is counted: (包括原市安监局、市人防办).
_ASIDE = re.compile(r"\((?:包括|含|其中)[^()]*\)")
_MAX_LABEL = 30


def _strip_fillers(label: str) -> str:
    """Drop leading fillers and trailing fillers until nothing changes.

    >>> _strip_fillers("全市共检查生产经营单位")
    '检查生产经营单位'
    >>> _strip_fillers("即办率均达到")
    '即办率'
    """
    changed = True
    while changed and label:
        changed = False
        label = label.strip(" 、")
        for word in _LEAD_FILLERS:
            if label.startswith(word) and len(label) > len(word):
                label, changed = label[len(word):], True
                break
        for word in _TRAIL_FILLERS:
            if label.endswith(word) and len(label) > len(word):
                label, changed = label[:-len(word)], True
                break
    return label.strip(" 、")


def _after_unmatched_brackets(segment: str) -> str:
    """Text after the first unmatched ")" and after the last unmatched "(".

    >>> _after_unmatched_brackets("原判)和行政复议(建设费)各")
    '和行政复议(建设费)各'
    >>> _after_unmatched_brackets("文件16件(提出继续有效")
    '提出继续有效'
    """
    depth, cut = 0, 0
    for i, ch in enumerate(segment):
        if ch == "(":
            depth += 1
        elif ch == ")":
            if depth == 0:
                cut = i + 1
            depth = max(depth - 1, 0)
    segment = segment[cut:]
    depth = 0
    for i in range(len(segment) - 1, -1, -1):
        if segment[i] == ")":
            depth += 1
        elif segment[i] == "(":
            if depth == 0:
                return segment[i + 1:]
            depth -= 1
    return segment


def _clean_segment(segment: str) -> str:
    """Keep the part of a phrase that belongs to this number: no asides, text
    after unmatched brackets and after 主要有, at most _MAX_LABEL characters
    (cut after a closing quote when the phrase is longer)."""
    segment = _after_unmatched_brackets(_ASIDE.sub("", segment))
    if "主要有" in segment:
        segment = segment.split("主要有")[-1]
    if len(segment) > _MAX_LABEL:  # start the tail at a natural break
        tail = segment[-_MAX_LABEL:]
        breaks = [i for i, ch in enumerate(tail) if ch == "”"]
        segment = tail[breaks[0] + 1:] if breaks else tail
    return segment


def _before_phrase(text: str, start: int, floor: int, hard: list[Span]) -> str:
    """The raw phrase between the last boundary and ``start``."""
    i = start
    while i > floor and text[i - 1] not in _LABEL_STOP and not _inside(i - 1, hard):
        i -= 1
    return _clean_segment(text[i:start])


def _after_phrase(text: str, end: int, shared: bool = False) -> tuple[str, int]:
    """The noun phrase right after a figure and where it ends, or ("", end).

    A phrase that runs straight into the next number names that number
    (31条流域面积50平方公里: 流域面积 is the 50's), unless it ends a list item
    or ``shared`` says the phrase may serve both numbers.

    >>> _after_phrase("306家企业罚款742万元", 4)
    ('企业', 6)
    >>> _after_phrase("31条流域面积50平方公里", 3)
    ('', 3)
    """
    m = _AFTER_PHRASE.match(text, end)
    if not m or not _PHRASE_START.match(m.group(1)) or m.group(1).startswith(_NOT_NOUN_START):
        return "", end
    phrase = _before_unmatched_close(m.group(1))
    cut = min((phrase.find(w) for w in _AFTER_CUT if phrase.find(w) > 0), default=len(phrase))
    runs_into_number = cut == len(phrase) and text[m.end():m.end() + 1].isdigit()
    phrase = phrase[:cut]
    if runs_into_number and not shared and not phrase.endswith(_CONNECTORS):
        return "", end
    trimmed = _strip_trailing(phrase)
    if not trimmed:
        return "", end
    return trimmed, m.start(1) + len(phrase)


def _before_unmatched_close(phrase: str) -> str:
    """Cut a phrase at its first unmatched ")": 废止),以及 -> 废止."""
    depth = 0
    for i, ch in enumerate(phrase):
        if ch == "(":
            depth += 1
        elif ch == ")":
            if depth == 0:
                return phrase[:i]
            depth -= 1
    return phrase


def _strip_trailing(phrase: str) -> str:
    for word in _TRAIL_FILLERS:
        if phrase.endswith(word) and len(phrase) > len(word):
            return _strip_trailing(phrase[:-len(word)])
    return phrase.rstrip("、(")


def _ends_with_verb(label: str) -> bool:
    return label.endswith(tuple(_OBJECT_VERBS))


@dataclass
class _Label:
    text: str
    end: int  # end of the text used (after an after-phrase)
    source: str  # "after", "before" or "" (nothing found)


def _label_for(cand: _Candidate, text: str, floor: int, hard: list[Span]) -> _Label:
    """The label of one candidate.

    Classifiers count the noun right after them (306家企业, 450余名森林消防员);
    money, percentages and measures are named before the number (罚款742万元,
    整改率99.76%) unless that phrase is only a verb (采购212.2万元应急物资) or
    the amount qualifies what follows (价值58.9万元的个人防护用品).
    """
    before = _strip_fillers(_before_phrase(text, cand.start, floor, hard))
    kind = _unit_kind(cand.unit)
    if kind != "classifier" and text[cand.end:cand.end + 1] == "的":
        # 价值58.9万元的个人防护用品500余套: the phrase names both numbers,
        # so it is not used up here.
        after, _ = _after_phrase(text, cand.end, shared=True)
        if after:
            return _Label(after, cand.end, "after")
    after, after_end = _after_phrase(text, cand.end)
    if after and (kind == "classifier" or not before or _ends_with_verb(before)):
        return _Label(after, after_end, "after")
    return _Label(before, cand.end, "before" if before else "")



# ================================================================ public: finding


def find_figures(text: str) -> list[Figure]:
    """Every reported figure in ``text`` (a clause, sentence or paragraph).

    >>> [(f.value, f.unit, f.label, f.approx) for f in find_figures("对306家企业罚款742万元")]
    [(306.0, '家', '企业', False), (742.0, '万元', '罚款', False)]
    >>> find_figures("2020年1月22日,十应急发〔2021〕6号,一是推进2.0平台")
    []
    >>> [(f.value, f.unit, f.text) for f in find_figures("培训3-5天")]
    [(3.0, '天', '3-5天')]
    """
    hard, _ = _excluded_spans(text)
    figures: list[Figure] = []
    floor = 0  # a label never reaches back past the previous figure
    shared = ""  # a before-label the next bare figure may share (49次、2097人)
    for cand in _candidates(text):
        if cand.start < floor:  # inside the previous figure's label
            continue
        label = _label_for(cand, text, floor, hard)
        text_label = label.text
        if not label.source and shared and _same_clause(text, floor, cand.start):
            text_label = shared
        figures.append(Figure(cand.value, cand.unit, text_label, cand.text, cand.approx))
        shared = text_label if label.source != "after" else ""
        floor = max(cand.end, label.end)
    return figures


def _same_clause(text: str, a: int, b: int) -> bool:
    """No clause boundary (other than 、 and 和) between positions a and b."""
    return not any(ch in _LABEL_STOP for ch in text[a:b])


# ================================================================ public: English

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
    if t.startswith(("近", "将近", "接近")):
        return "nearly"
    if t.startswith(("超过", "逾")) or any(w in t for w in ("余", "多", "以上")):
        return "over"
    return "about"


def _to_decimal(value: float) -> Decimal:
    """The decimal the report wrote: repr(1584.66) is '1584.66', no float noise."""
    return Decimal(repr(float(value)))


def _range_upper(fig: Figure) -> Decimal | None:
    """Upper value of a range figure (text 3-5天 -> 5), else None."""
    m = _FIGURE.search(fig.text)
    if not m or not m.group("num2"):
        return None
    value = _number_value(m.group("num2"))
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
    amount = _to_decimal(fig.value) * factor
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
        notes.append(fig.text or f"{_plain(_to_decimal(fig.value))}{fig.unit}")
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


def to_base(fig: Figure) -> tuple[float, str]:
    """(value, base unit) for comparing figures across reports.

    >>> to_base(Figure(1584.66, "万元", "罚款"))
    (15846600.0, '元')
    >>> to_base(Figure(2, "万人", "民兵"))
    (20000.0, '人')
    """
    info = unit_info(fig.unit)
    if info is None:
        return float(fig.value), fig.unit
    return float(_to_decimal(fig.value) * info.factor), info.base or fig.unit


# ================================================================ measures


@dataclass(frozen=True)
class Measure:
    """One row of measures.tsv: a normalised measure across reports."""

    name: str  # e.g. 罚款金额
    english: str  # e.g. fines
    keywords: tuple[tuple[str, ...], ...]  # any group whose words all occur in the label
    excludes: tuple[str, ...]  # words that veto the measure
    bases: tuple[str, ...]  # base units the figure must have
    ask_zh: tuple[str, ...] = ()  # extra Chinese words naming it in a question: 罚没
    ask_en: str = ""  # regex naming it in an English question: fin(e|es|ed)


@lru_cache(maxsize=1)
def _measures() -> tuple[Measure, ...]:
    """measures.tsv in file order (first matching row wins)."""
    rows = []
    with open(DATA_DIR / "measures.tsv", encoding="utf-8") as fh:
        for row in csv.reader(fh, delimiter="\t"):
            if not row or row[0].startswith("#"):
                continue
            name, english, keywords, excludes, bases, ask_zh, ask_en = (
                c.strip() for c in (row + ["", ""])[:7])
            groups = tuple(tuple(g.split("&")) for g in keywords.split("|") if g)
            rows.append(Measure(name, english, groups,
                                tuple(w for w in excludes.split("|") if w),
                                tuple(b for b in bases.split("|") if b),
                                tuple(w for w in ask_zh.split("|") if w), ask_en))
    return tuple(rows)


def classify_measure(fig: Figure) -> str | None:
    """Normalised measure name of a figure, or None.

    >>> classify_measure(Figure(703, "次", "行政处罚"))
    '行政处罚次数'
    >>> classify_measure(Figure(1584.66, "万元", "罚款"))
    '罚款金额'
    """
    _, base = to_base(fig)
    for measure in _measures():
        if measure.bases and base not in measure.bases:
            continue
        if any(w in fig.label for w in measure.excludes):
            continue
        if any(all(w in fig.label for w in group) for group in measure.keywords):
            return measure.name
    return None


def measures() -> tuple[Measure, ...]:
    """Every normalised measure, in measures.tsv order."""
    return _measures()


def measure_english(name: str) -> str | None:
    """English name of a normalised measure: 罚款金额 -> fines."""
    return next((m.english for m in _measures() if m.name == name), None)
