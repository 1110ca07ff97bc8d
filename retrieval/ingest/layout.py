"""Printed lines -> paragraphs, for PDF text layers and OCR alike.

A PDF page or a scan has no paragraphs, only boxes of text at positions.
``reading_order`` turns one page's boxes into lines (columns left to right,
rows top to bottom, table rows kept as cells); ``join_lines`` joins the
lines a paragraph was wrapped into, whatever the wrap width, and never cuts
a number from its unit ("…播放公益广告2000" | "余次").
"""
from __future__ import annotations

import re
import statistics
import unicodedata
from dataclasses import dataclass, replace

from .chunking import heading_level
from .tables import pad, table_sentences

GAP_LINES = 1.5  # a vertical gap this many line heights high starts a new band of the page
GUTTER_LINES = 1.5  # a clear vertical strip this wide (in line heights) between columns
CELL_GAP = 0.8  # boxes of one row farther apart than this (line heights) are table cells
CELL_GAP_BY_MARK = 1.8  # ... beside a full-width mark, whose ink fills half its box
ROW_OVERLAP = 0.5  # boxes overlapping this share of the smaller height are on one row
RIGHT_EDGE_QUANTILE = 0.8  # a column's right margin: where most lines end (one overrun does not move it)
INDENT_LINES = 1.2  # a line starting this far right of its column (in line heights) is indented
NUMBER_CUT_LINES = 4.0  # a line ending in a number this close to the margin (line heights) was cut inside it

_TERMINAL = "。！？；：!?;:…"
_CLOSING = "”’」』)）》]】"
# what may follow a number as its unit or rest: "2000" | "余次", "1584." | "66万元"
_UNIT_START = re.compile(r"^([\d.,%‰]|余|多|万|亿|千|百|元|次|家|人|个|件|起|项|处|名|场|台|辆|吨|米|亩|公里|"
                         r"平方|户|所|条|篇|期|批|份|分钟|小时|天|年|月|日|号|倍|[a-zA-Z%])")
_ENDS_NUMBER = re.compile(r"[\d.]$")
_CONTINUES = "，,、(（《“‘「—-"  # a short line ending in one of these goes on
_HALF_EMPTY = "。，、；：！？”’）》」』,.;:!?)"  # glyphs inked on the left half of their box
_OPENERS = "“‘《（「『【〔"  # glyphs inked on the right half of their box
_LABEL_LINE = re.compile(r"^(发布日期|发布时间|成文日期|日期|时间|来源|信息来源|索引号|文号|发布机构)\s*[:：]")
# what a line breaker moves to the next line as one piece: a run of digits or
# Latin letters, or one character; an opening mark takes the next piece along
_UNBREAKABLE = re.compile(r"[“‘《〈（(\[【「『]*(?:[A-Za-z0-9.,%‰+\-/:·()\[\]]+|.)")
_NO_LINE_START = "，。、；：！？）》”’」』,.;:!?)%"  # may not open a line: pulls the character before along
# a page number alone on the first or last line of a page: "- 3 -", "—3—", "第3页 共9页", "3/9", "3"
PAGE_NUMBER = re.compile(r"^([-—–]\s*\d{1,4}\s*[-—–]|第\s*\d{1,4}\s*页\s*[,，]?\s*(共\s*\d{1,4}\s*页)?|"
                         r"\d{1,4}\s*/\s*\d{1,4}|\d{1,3})$")


@dataclass
class Line:
    """One printed line (or box of text): its text and place on the page,
    y growing downwards, in any unit (pixels, points)."""

    text: str
    page: int = 1
    x0: float = 0.0
    x1: float = 0.0
    y0: float = 0.0
    y1: float = 0.0
    left: float = 0.0  # left edge of its column
    right: float = 0.0  # right edge of its column
    cells: tuple[str, ...] = ()  # a table row's cells (boxes far apart on one row)

    @property
    def height(self) -> float:
        return self.y1 - self.y0


# ================================================================ reading order


def reading_order(boxes: list[Line]) -> list[Line]:
    """Boxes of one page as lines in reading order, page numbers dropped.

    The page is cut into bands at wide vertical gaps; a band whose boxes
    leave a clear gutter, with running text on both sides, is read as columns
    left to right; boxes on one row are one line (far-apart boxes are kept as
    table cells), rows top to bottom.
    """
    if not boxes:
        return []
    h = statistics.median(b.height for b in boxes)
    out: list[Line] = []
    for band in _bands(boxes, GAP_LINES * h):
        for column in _columns(band, h):
            left = min(b.x0 for b in column)
            right = _right_edge(column)
            out.extend(_merge_row(row, left, right, h) for row in _rows(column))
    return _drop_page_numbers(out)


def _drop_page_numbers(lines: list[Line]) -> list[Line]:
    while lines and PAGE_NUMBER.match(lines[-1].text.strip()):
        lines.pop()
    while lines and PAGE_NUMBER.match(lines[0].text.strip()):
        lines.pop(0)
    return lines


def _right_edge(column: list[Line]) -> float:
    ends = sorted(b.x1 for b in column)
    return ends[-1] if len(ends) <= 3 else ends[int(RIGHT_EDGE_QUANTILE * (len(ends) - 1))]


def _bands(boxes: list[Line], gap: float) -> list[list[Line]]:
    bands: list[list[Line]] = []
    bottom = 0.0
    for box in sorted(boxes, key=lambda b: b.y0):
        if not bands or box.y0 - bottom > gap:
            bands.append([])
            bottom = box.y1
        bands[-1].append(box)
        bottom = max(bottom, box.y1)
    return bands


def _columns(band: list[Line], h: float) -> list[list[Line]]:
    """Split a band at a vertical gutter no box crosses, when both sides hold
    running text: at least 3 boxes each, most filling their side (table
    cells do not)."""
    lo, hi = min(b.x0 for b in band), max(b.x1 for b in band)
    covered = sorted((b.x0, b.x1) for b in band)
    gutters = []
    reach = covered[0][1]
    for x0, x1 in covered[1:]:
        if x0 - reach >= GUTTER_LINES * h:
            gutters.append((reach + x0) / 2)
        reach = max(reach, x1)
    for cut in gutters:
        left = [b for b in band if b.x1 <= cut]
        right = [b for b in band if b.x0 >= cut]
        if len(left) >= 3 and len(right) >= 3 and _running(left, lo, cut) and _running(right, cut, hi):
            return _columns(left, h) + _columns(right, h)
    return [band]


def _running(boxes: list[Line], lo: float, hi: float) -> bool:
    return statistics.median(b.x1 - b.x0 for b in boxes) >= 0.5 * (hi - lo)


def _rows(boxes: list[Line]) -> list[list[Line]]:
    """Boxes overlapping by half the smaller height are one row (overlap, not
    centres: a lone "、" sits low in its line)."""
    rows: list[list[Line]] = []
    for box in sorted(boxes, key=lambda b: (b.y0 + b.y1) / 2):
        for row in reversed(rows[-3:]):
            top, bottom = min(b.y0 for b in row), max(b.y1 for b in row)
            overlap = min(bottom, box.y1) - max(top, box.y0)
            if overlap >= ROW_OVERLAP * min(box.height, bottom - top):
                row.append(box)
                break
        else:
            rows.append([box])
    return sorted(rows, key=lambda r: min(b.y0 for b in r))


def _merge_row(row: list[Line], left: float, right: float, h: float) -> Line:
    """One line from the boxes of a row; boxes far apart are kept as cells."""
    row.sort(key=lambda b: b.x0)
    cells = [row[0].text]
    for a, b in zip(row, row[1:]):
        by_mark = a.text[-1:] in _HALF_EMPTY or b.text[:1] in _OPENERS
        if b.x0 - a.x1 > (CELL_GAP_BY_MARK if by_mark else CELL_GAP) * h:
            cells.append(b.text)
        else:
            cells[-1] = glue(cells[-1], b.text)
    return Line(" ".join(cells), row[0].page, row[0].x0, row[-1].x1, min(b.y0 for b in row),
                max(b.y1 for b in row), left, right, tuple(cells) if len(cells) > 1 else ())


def glue(a: str, b: str) -> str:
    """Two pieces of one line: a space only between two Latin letters or digits.

    >>> glue("全年", "罚款"), glue("COVID", "19")
    ('全年罚款', 'COVID 19')
    """
    space = a[-1:].isascii() and a[-1:].isalnum() and b[:1].isascii() and b[:1].isalnum()
    return a + (" " if space else "") + b


# ================================================================ paragraphs


def splits_number(prev: str, nxt: str) -> bool:
    """A number cut from its unit or its other digits.

    >>> splits_number("播放公益广告2000", "余次。"), splits_number("罚款1584.", "66万元")
    (True, True)
    >>> splits_number("二、2024年", "主要工作"), splits_number("共9次。", "二")
    (False, False)
    """
    return bool(_ENDS_NUMBER.search(prev)) and bool(_UNIT_START.match(nxt))


def join_lines(lines: list[Line]) -> list[tuple[int, str]]:
    """(page, paragraph) from printed lines in reading order.

    A line reaching its column's right edge that does not end a sentence goes
    on in the next line (across a page break too), unless that one is
    indented, a heading or a "发布日期:" label line; a number is never split
    from its unit. Where paragraphs start with an indent, an indent alone
    starts one, and a full line ending in 。 may still go on. Runs of two or
    more table rows become one sentence per row (``tables``).
    """
    lines = _lone_rows_as_text(lines)
    out: list[tuple[int, str]] = []
    indents = _uses_indent(lines)
    k = 0
    while k < len(lines):
        if lines[k].cells:
            run = [lines[k]]
            while k + 1 < len(lines) and lines[k + 1].cells:
                k += 1
                run.append(lines[k])
            rows = pad([list(line.cells) for line in run])
            out.extend((run[0].page, sentence) for sentence in table_sentences(rows))
        elif out and k and _joins(lines[k - 1], lines[k], indents):
            out[-1] = (out[-1][0], out[-1][1] + lines[k].text)
        else:
            out.append((lines[k].page, lines[k].text))
        k += 1
    return out


def _lone_rows_as_text(lines: list[Line]) -> list[Line]:
    """A row split into cells is a table row only beside another one; a lone
    one is a line of prose with a wide gap (its pieces glued again)."""
    out = []
    for k, line in enumerate(lines):
        near = [lines[j] for j in (k - 1, k + 1) if 0 <= j < len(lines)]
        if line.cells and not any(n.cells for n in near):
            text = line.cells[0]
            for cell in line.cells[1:]:
                text = glue(text, cell)
            line = replace(line, text=text, cells=())
        out.append(line)
    return out


def _uses_indent(lines: list[Line]) -> bool:
    """Paragraphs start with a first-line indent (about two characters)."""
    return sum(1 for line in lines if _indented(line) and line.x0 - line.left < 3.5 * line.height) >= 2


def _indented(line: Line) -> bool:
    return line.x0 - line.left > INDENT_LINES * line.height


def _ends_sentence(text: str) -> bool:
    stripped = text.rstrip(_CLOSING)
    return bool(stripped) and stripped[-1] in _TERMINAL


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _full(prev: Line, nxt: Line) -> bool:
    """Was ``prev`` ended by the margin? True when the first unbreakable piece
    of ``nxt`` (a character, or a run of digits/Latin letters, plus a mark
    that may not open a line) would not have fitted in the space left."""
    em = prev.height
    first = _UNBREAKABLE.match(nxt.text).group()
    need = _width(first) / 2 * em
    if len(nxt.text) > len(first) and nxt.text[len(first)] in _NO_LINE_START:
        need += em
    slack = 1.5 * em if prev.text[-1] in _HALF_EMPTY else 0.5 * em
    return prev.right - prev.x1 < need + slack


def _joins(prev: Line, line: Line, indents: bool) -> bool:
    """Does ``line`` go on with the paragraph that ``prev`` ended?"""
    if prev.cells or line.cells:
        return False
    if (indents and _indented(line)) or heading_level(line.text) is not None or _LABEL_LINE.match(line.text):
        return False  # a new paragraph, a heading or a header line
    if _LABEL_LINE.match(prev.text):
        return False  # "日期:2025-01-23" is not cut from the "2024年,…" under it
    if splits_number(prev.text, line.text) and prev.right - prev.x1 < NUMBER_CUT_LINES * prev.height:
        return True
    if _full(prev, line):
        if not _ends_sentence(prev.text):
            return True
        # a full line ending a sentence goes on where paragraphs are marked by
        # indents, unless the next line is short and unpunctuated (a heading, a signature)
        return indents and not (line.right - line.x1 > 2 * line.height and not _ends_sentence(line.text))
    return prev.text[-1] in _CONTINUES and not _ends_sentence(prev.text)
