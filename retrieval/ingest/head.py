"""The head of a captured page: label fields and the report's title.

Government sites put a block of labelled fields above the text, in many
shapes: one per line (``发布机构:区应急局``), several on a line
(``来源: 南通市应急管理局 发布时间:2021-02-24``), bulleted with spaced labels
(``- 标 题:…``) or as a flattened table (``| 发布机构 | 济宁市应急管理局 | 组配分类 |``).
The title may stand on one line, be split over two, sit in a 标题 field, or
be missing.

>>> h = read_head(["- 索 引 号:370406/2026-00217", "- 发布机构:区应急局",
...                "- 标 题:山亭区应急局2025年工作总结", "一、亮点工作"])
>>> h.fields["发布机构"], h.title
('区应急局', '山亭区应急局2025年工作总结')
>>> read_head(["索 引 号 | 113708/2022-04687 | 公开方式 | 主动公开 |",
...            "发布机构 | 济宁市应急管理局 | 组配分类 | 部门文件 |"]).fields["发布机构"]
'济宁市应急管理局'
>>> read_head(["西安市应急管理局", "2023年度法治政府建设情况报告", "2023年,市应急管理局…"]).title
'西安市应急管理局2023年度法治政府建设情况报告'
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

HEADER_LINES = 20  # the top of a page: title, date and number lines live here
MAX_TITLE_CHARS = 100
MAX_TITLE_PART_CHARS = 40  # each line of a title split over two lines

# Labels of the fields sites print above a report (spaces inside are ignored:
# "标 题", "文 号"). Values are kept under the first name of their row.
LABELS: dict[str, tuple[str, ...]] = {
    "标题": ("标题", "名称", "文件名称"),
    "发布机构": ("发布机构", "发文机关", "发布单位", "发文单位", "公开主体"),
    "来源": ("来源", "信息来源", "文章来源", "稿件来源"),
    "文号": ("文号", "发文字号", "发文文号"),
    "索引号": ("索引号",),
    "成文日期": ("成文日期", "成文时间"),
    "发布日期": ("发布日期", "发布时间", "发文时间", "发文日期", "发表日期", "日期", "时间", "撰写时间"),
}
_OTHER_LABELS = ("主题分类", "组配分类", "体裁分类", "公开方式", "效力状态", "有效性", "失效日期",
                 "作者", "字体", "字号", "访问量", "访问次数", "累计次数", "浏览次数", "点击数", "分享")
_CANONICAL = {name.replace(" ", ""): key for key, names in LABELS.items() for name in names}
_ALL_LABELS = sorted([*_CANONICAL, *_OTHER_LABELS], key=len, reverse=True)
_SPACED = "|".join(r"\s*".join(map(re.escape, label)) for label in _ALL_LABELS)
_FIELD = re.compile(rf"(?:^|(?<=\s)|(?<=[-·•]))({_SPACED})\s*[:]\s*")
_BULLET = re.compile(r"^[-·•*]\s*")

TITLE_END = re.compile(r"(报告|要点|通知|总结|计划|年报|意见|方案|办法|决定|决议|规划|公告|通报|"
                       r"批复|纲要|规定|细则|安排|函|思路|打算)(\(.{1,10}\))?$")  # how a title ends
# Lines that are never the title: breadcrumbs, site switches, dates, section headings.
_NOT_TITLE = re.compile(r"^(当前位置|您的位置|您现在的位置|您当前所在位置|首页|>>|无障碍|长者|来源|信息来源|"
                        r"发布|日期|撰写|时间|访问|字号|索引号)|>|\||星期|"
                        r"^\d{4}[-./年]\d{1,2}[-./月]\d{1,2}|^[一二三四五六七八九十]+、|^\([一二三四五六七八九十]+\)")
_ORG_LINE = re.compile(r"(局|厅|委员会|办公室|政府|中心)(\(.{1,10}\))?$")


@dataclass
class Head:
    title: str = ""
    fields: dict[str, str] = field(default_factory=dict)  # canonical label -> value
    field_lines: set[int] = field(default_factory=set)  # indexes of lines that were fields


def read_head(lines: list[str]) -> Head:
    """Fields and title from the first lines of a normalised page."""
    head = Head()
    top = lines[:HEADER_LINES]
    for i, line in enumerate(top):
        found = _table_fields(line) if "|" in line else _line_fields(_BULLET.sub("", line))
        if found:
            head.field_lines.add(i)
            for key, value in found.items():
                head.fields.setdefault(key, value)
    head.title = head.fields.get("标题") or find_title(
        [line for i, line in enumerate(top) if i not in head.field_lines])
    return head


def _line_fields(line: str) -> dict[str, str]:
    """``来源: 南通市应急管理局 发布时间:2021-02-24`` -> {来源: …, 发布日期: …}."""
    marks = list(_FIELD.finditer(line))
    if not marks or marks[0].start() > 0:
        return {}
    out: dict[str, str] = {}
    for m, nxt in zip(marks, [*marks[1:], None]):
        value = line[m.end():nxt.start() if nxt else len(line)].strip()
        key = _CANONICAL.get(re.sub(r"\s", "", m.group(1)))
        if key and value:
            out.setdefault(key, value)
    return out or {"": ""}  # a label line with no value we keep is still a field line


def _table_fields(line: str) -> dict[str, str]:
    """``发布机构 | 济宁市应急管理局 | 组配分类 | 部门文件 |`` -> {发布机构: …}."""
    cells = [c.strip() for c in line.split("|")]
    out: dict[str, str] = {}
    labelled = False
    for i, cell in enumerate(cells):
        name = re.sub(r"\s", "", cell)
        if name in _CANONICAL or name in _OTHER_LABELS:
            labelled = True
            value = cells[i + 1] if i + 1 < len(cells) else ""
            key = _CANONICAL.get(name)
            if key and value and re.sub(r"\s", "", value) not in _CANONICAL:
                out.setdefault(key, value)
    return out if out else ({"": ""} if labelled else {})


def find_title(lines: list[str]) -> str:
    """The report's own title: a header line that ends like a title (…报告,
    …要点, …通知), or two short lines that do together; else the first
    plausible header line.

    >>> find_title(["当前位置: 首页 > 公示公告", "威海市应急管理局关于2021年度法治政府建设情况的报告"])
    '威海市应急管理局关于2021年度法治政府建设情况的报告'
    """
    candidates = [line for line in lines if _could_be_title(line)]
    for i, line in enumerate(candidates):
        if TITLE_END.search(line):
            return line
        nxt = candidates[i + 1] if i + 1 < len(candidates) else ""
        if (nxt and len(line) <= MAX_TITLE_PART_CHARS and len(nxt) <= MAX_TITLE_PART_CHARS
                and lines.index(nxt) == lines.index(line) + 1 and TITLE_END.search(nxt)
                and (_ORG_LINE.search(line) or not TITLE_END.search(line))):
            return line + nxt
    for line in candidates:  # no title-like ending: a short line that is neither a sentence nor a site name
        if len(line) <= 60 and "," not in line and not _ORG_LINE.search(line):
            return line
    return ""


def _could_be_title(line: str) -> bool:
    return (6 <= len(line) <= MAX_TITLE_CHARS and not _NOT_TITLE.search(line)
            and not any(ch in line for ch in "。;!?:"))
