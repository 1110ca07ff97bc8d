"""What a figure counts: the noun phrase before or after the number.

Classifiers count the noun right after them (306家企业); money, percentages
and measures are named before the number (罚款742万元) unless that phrase is
only a verb (采购212.2万元应急物资).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .lexicon import HAN_RANGE
from .units import unit_kind

# Characters that bound the phrase a label is read from.
LABEL_STOP = set(",;:。!?;,:\n")

Span = tuple[int, int]


def inside(pos: int, spans: list[Span]) -> bool:
    return any(a <= pos < b for a, b in spans)


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
_AFTER_PHRASE = re.compile(rf"的?([{HAN_RANGE}“”《》<>()、A-Za-z·Ⅰ-Ⅻ]{{1,30}})")
# A phrase must start like a noun: a Han character, a quotation or a title.
_PHRASE_START = re.compile(rf"[{HAN_RANGE}“《<Ⅰ-Ⅻ]")
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
    while i > floor and text[i - 1] not in LABEL_STOP and not inside(i - 1, hard):
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
class Label:
    text: str
    end: int  # end of the text used (after an after-phrase)
    source: str  # "after", "before" or "" (nothing found)


def label_for(start: int, end: int, unit: str, text: str, floor: int, hard: list[Span]) -> Label:
    """The label of one candidate.

    Classifiers count the noun right after them (306家企业, 450余名森林消防员);
    money, percentages and measures are named before the number (罚款742万元,
    整改率99.76%) unless that phrase is only a verb (采购212.2万元应急物资) or
    the amount qualifies what follows (价值58.9万元的个人防护用品).
    """
    before = _strip_fillers(_before_phrase(text, start, floor, hard))
    kind = unit_kind(unit)
    if kind != "classifier" and text[end:end + 1] == "的":
        # 价值58.9万元的个人防护用品500余套: the phrase names both numbers,
        # so it is not used up here.
        after, _ = _after_phrase(text, end, shared=True)
        if after:
            return Label(after, end, "after")
    after, after_end = _after_phrase(text, end)
    if after and (kind == "classifier" or not before or _ends_with_verb(before)):
        return Label(after, after_end, "after")
    return Label(before, end, "before" if before else "")
