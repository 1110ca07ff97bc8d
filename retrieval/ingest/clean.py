"""From raw text to a report's text: normalised, one paragraph per line,
lines broken inside sentences joined, page furniture removed.

>>> clean_text("当前位置: 首页 > 公示公告\\n\\n  一、工作情况\\n打印本页 关闭窗口")
'一、工作情况'
"""
from __future__ import annotations

import re

from ..text import normalise
from ..text.sentences import LINE_END, ends_sentence, has_sentence_end
from ..text.table_rows import is_table_row
from .pages import is_page_marker

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_OPENERS = "《“‘「『([【〔"
_CLOSERS = "》”’」』)]】〕,.;:!?、。，；：！？"


def prepare_text(raw: str, unwrap: bool = False) -> str:
    """Normalised text, one paragraph per line, no blank lines, no indentation.

    Lines broken inside a sentence by scraped link markup (a line that starts
    with closing punctuation, or follows a line ending in 《 or “) are joined
    back. With ``unwrap`` (wiki-style sources, where paragraphs are separated
    by blank lines), every single line break that does not follow the end of
    a sentence is joined too. Nothing is removed: metadata is read from this form.

    >>> prepare_text("  听取了总理所作的\\n政府工作报告\\n。会议同意。\\n\\n\\n二、下步打算")
    '听取了总理所作的政府工作报告。会议同意。\\n二、下步打算'
    >>> prepare_text("广义货币M\\n2\\n增长13%。\\n要加强协同。", unwrap=True)
    '广义货币M2增长13%。\\n要加强协同。'
    """
    text = normalise.normalize(raw).translate(_INVISIBLE)
    paragraphs: list[str] = []
    for block in re.split(r"\n\s*\n", text):
        lines = [line.strip() for line in block.split("\n")]
        lines = _join_soft_breaks([line for line in lines if line])
        paragraphs.extend(_unwrap(lines) if unwrap else lines)
    return "\n".join(paragraphs)


def _unwrap(lines: list[str]) -> list[str]:
    """Join the lines of one block except after the end of a sentence.

    >>> _unwrap(["政府工作报", "告"])
    ['政府工作报告']
    >>> _unwrap(["各位代表:", "现在,我代表国务院"])
    ['各位代表:', '现在,我代表国务院']
    """
    out: list[str] = []
    for line in lines:
        if out and not ends_sentence(out[-1]) and not (is_page_marker(out[-1]) or is_page_marker(line)):
            out[-1] += line
        else:
            out.append(line)
    return out


def _join_soft_breaks(lines: list[str]) -> list[str]:
    """Join lines of one block that were split inside a sentence.

    >>> _join_soft_breaks(["根据《", "安全生产法", "》要求", "二、打算"])
    ['根据《安全生产法》要求', '二、打算']
    """
    out: list[str] = []
    for i, line in enumerate(lines):
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if out and _continues(out[-1], line, nxt):
            out[-1] += line
        else:
            out.append(line)
    return out


def _continues(prev: str, line: str, nxt: str) -> bool:
    if is_page_marker(prev) or is_page_marker(line):
        return False  # a page marker line (``pages``) stays a line of its own
    if is_page_marker(nxt):
        nxt = ""
    if line[0] in _CLOSERS or prev[-1] in _OPENERS:
        return True
    # a short fragment wedged between two pieces of one sentence:
    # "...所作的" / "政府工作报告" / "。会议..."
    return (bool(nxt) and nxt[0] in _CLOSERS and prev[-1] not in LINE_END
            and len(line) <= 30 and not any(ch in LINE_END for ch in line))


# ================================================================ furniture

# Page chrome, matched against a whole stripped line. Only short lines
# without a 。 are candidates (a report sentence is never chrome).
_CHROME = [re.compile(p) for p in (
    r"^(当前位置|您的位置|你的位置|您现在的位置|所在位置)",
    r"^首页\s*(>|›|»|$)",
    r"^(>>|»|›)",
    r"\S\s*>>\s*\S",  # "政务公开 >> 通知公告"
    r"^(相关链接|相关文章|相关阅读|相关新闻|友情链接|分享到)\s*:?",
    r"^扫一扫",
    r"^(上一篇|下一篇)\s*:",
    r"(访问次数|浏览次数|点击次数|阅读次数|点击数|浏览量)\s*:",
    r"^无障碍",
    r"^[|\s\-_=*·•.>#~—]+$",  # separator rows: "| | | |", "-----"
    r"\d{4}年\d{1,2}月\d{1,2}日\s*星期[一二三四五六日天]$",  # site header with today's date
)]
# Buttons and switches: a line made of these words only is chrome.
_BUTTONS = re.compile(r"打印本页|打印|关闭窗口|关闭本页|关闭|返回顶部|返回|收藏本页|收藏|分享|"
                      r"字号|大|中|小|简体|繁体|English|无障碍|长者模式|[\[\]【】()|/:\s]")
# Footer of Wikisource pages (the national corpus): may hold a 。
_LICENCE = [re.compile(p) for p in (
    r"^本作品.*(公有领域|著作权法)",
    r"^注:中文维基文库",
    r"^本模板所指",
    r"^(Public domain|false|true)+$",
)]

# "label: value" header lines; read by metadata before they are dropped
_HEADER_LABELS = ("发布日期", "发布时间", "撰写时间", "成文日期", "发文日期", "日期", "时间",
                  "来源", "信息来源", "文章来源", "作者", "责任编辑", "编辑", "索引号",
                  "发布机构", "发文机关", "主题分类", "字号")
_HEADER_LINE = re.compile(rf"^({'|'.join(_HEADER_LABELS)})\s*[:]")
_LABEL_ONLY = re.compile(rf"^({'|'.join(_HEADER_LABELS)})$")
_EMPTY_ATTACHMENT = re.compile(r"^附件\s*[:]?\s*$")
HEADER_ZONE = 15  # lines at the top of a page where header furniture lives


def is_furniture(line: str) -> bool:
    """Page chrome that never belongs to a report's text.

    >>> [is_furniture(s) for s in ("打印本页 关闭窗口", "| | | |", "字号:[ ]", "一、主要工作情况")]
    [True, True, True, False]
    >>> is_furniture("关闭不具备安全生产条件的非煤矿山")
    False
    """
    if any(p.search(line) for p in _LICENCE):
        return True
    if len(line) > 150 or "。" in line:
        return False
    return any(p.search(line) for p in _CHROME) or not _BUTTONS.sub("", line)


def clean_text(raw: str, unwrap: bool = False) -> str:
    """Report text without page furniture: one paragraph per line.

    Keeps the title line; drops breadcrumbs, print/close buttons, visit
    counters, the 发布日期/来源 header lines, a title repeated in broken
    pieces, and an empty 附件: at the end.

    >>> clean_text("无障碍 简体| 繁体\\n\\n某局2019年报告\\n来源:办公室 发布时间:2020-03-30\\n一、成效")
    '某局2019年报告\\n一、成效'
    """
    return remove_furniture(prepare_text(raw, unwrap=unwrap))


def remove_furniture(prepared: str) -> str:
    """The furniture-removal half of ``clean_text``, for text already passed
    through ``prepare_text``."""
    lines = _drop_licence_footer(prepared.split("\n"))
    lines = [line for line in lines if line and (is_page_marker(line) or not is_furniture(line))]
    lines = _drop_header_lines(lines)
    lines = _drop_repeated_title(lines)
    while lines and _EMPTY_ATTACHMENT.match(lines[-1]):
        lines.pop()
    return "\n".join(lines)


def _drop_licence_footer(lines: list[str]) -> list[str]:
    """Cut a Wikisource licence footer ("本作品…属于公有领域。") and what follows it."""
    for i, line in enumerate(lines):
        if any(p.search(line) for p in _LICENCE[:1]):
            return lines[:i]
    return lines


def _drop_header_lines(lines: list[str]) -> list[str]:
    """Drop "发布日期: ..." lines, and "撰写时间" / "2021年05月14日" label/value
    pairs, in the first lines of a page."""
    out: list[str] = []
    skip_value = False
    for i, line in enumerate(lines):
        if is_page_marker(line):
            out.append(line)
            continue
        if skip_value:
            skip_value = False
            if len(line) <= 40 and "。" not in line:
                continue
        if i < HEADER_ZONE and _LABEL_ONLY.match(line):
            skip_value = True
            continue
        if i < HEADER_ZONE and _HEADER_LINE.match(line) and len(line) <= 150 and "。" not in line:
            continue
        out.append(line)
    return out


def _drop_repeated_title(lines: list[str]) -> list[str]:
    """Drop a copy of an earlier header line (the title printed again, maybe
    broken over two lines and missing a character: "某局2019" / "法治政府建设情况报告").
    Table rows that differ only in their figures are no copies; page markers stay."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if i < HEADER_ZONE and not has_sentence_end(line) and not _kept_whole(line):
            earlier = [x for x in out if not has_sentence_end(x) and not _kept_whole(x)]
            pair = line + lines[i + 1] if i + 1 < len(lines) and not _kept_whole(lines[i + 1]) else None
            if pair and not has_sentence_end(lines[i + 1]) and _near_copy(pair, earlier):
                i += 2
                continue
            if _near_copy(line, earlier):
                i += 1
                continue
        out.append(line)
        i += 1
    return out


def _kept_whole(line: str) -> bool:
    return is_page_marker(line) or is_table_row(line)


def _near_copy(candidate: str, earlier: list[str]) -> bool:
    """A copy of an earlier line (8+ characters, maybe a character missing)."""
    return len(normalise.squash(candidate)) >= 8 and any(normalise.near_copy(candidate, e) for e in earlier)
