"""Tables as sentences: one line per data row, every value with its header.

A disclosure report (政府信息公开年报) carries its figures in tables; a table
cell "703" means nothing without its row and column. Each data row becomes
one line that keeps them, cells joined by ``CELL_SEP``::

    第二十条第(六)项 | 行政处罚 | 本年处理决定数量 703

so its figures are found by search, answered (``text.figures`` reads a bare
number at the end of a cell), and go into the facts table.

Readers turn their tables into a *grid* first: rows of equal length, with a
merged cell repeated into every position it covers (.xlsx merged ranges,
HTML rowspan/colspan, .doc rows from antiword, OCRed table rows).
"""
from __future__ import annotations

import re

from ..text.table_rows import CELL_SEP

_VALUE = re.compile(r"^[-+]?\d[\d,]*(\.\d+)?\s*(%|‰|[\u4e00-\u9fff]{0,3})?$|^[-—/×xX]$|^$")
MAX_SPAN = 100  # a rowspan/colspan larger than this is a trap (colspan=10000), not a table


def is_value(cell: str) -> bool:
    """A figure cell (12, 3.5%, 80万元, -, ×) or an empty one.

    >>> is_value("703"), is_value("80万元"), is_value("行政处罚"), is_value("")
    (True, True, False, True)
    """
    return bool(_VALUE.match(cell.strip()))


def table_sentences(grid: list[list[str]]) -> list[str]:
    """One sentence per data row of a table, each value with its column header.

    Rows made only of labels are header rows: several in a row are a
    multi-row header, their labels stacked per column ("申请人情况 法人或其他组织
    商业企业"); a row holding one label across the width is a caption and
    prefixes the rows under it. A data row's leading label cells name the
    row; every other cell is "header value"; labels every value column shares
    are said once.

    >>> grid = [["第二十条第(一)项"] * 4,
    ...         ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
    ...         ["规章", "0", "0", "3"]]
    >>> table_sentences(grid)
    ['第二十条第(一)项 | 规章 | 本年制发件数 0 | 本年废止件数 0 | 现行有效件数 3']
    >>> table_sentences([["", "申请人情况", "申请人情况"], ["", "自然人", "总计"], ["新收申请数量", "26", "31"]])
    ['新收申请数量 | 申请人情况 | 自然人 26 | 总计 31']
    """
    sentences: list[str] = []
    header: list[list[str]] = []
    caption = ""
    header_open = False
    for row in grid:
        cells = [" ".join(c.split()) for c in row]
        filled = [c for c in cells if c]
        if not filled:
            continue
        if len(cells) > 1 and len(filled) == len(cells) and len(set(filled)) == 1:
            caption, header, header_open = filled[0], [], False  # one label merged across the table
            continue
        if all(not is_value(c) for c in filled):  # labels only: a header row
            if not header_open:
                header = []
            header.append(cells)
            header_open = True
            continue
        header_open = False
        sentences.append(_row_sentence(caption, cells, _label_count(cells), header))
    return [s for s in sentences if s]


def _row_sentence(caption: str, cells: list[str], n_labels: int, header: list[list[str]]) -> str:
    labels = _dedupe([c for c in cells[:n_labels] if c])
    values: list[tuple[list[str], str]] = []
    seen = set()
    for col in range(n_labels, len(cells)):
        head = _dedupe([row[col] for row in header if col < len(row) and row[col]])
        key = (tuple(head), cells[col])
        if key in seen or not cells[col]:
            continue  # a merged value cell (said once), or nothing to say
        seen.add(key)
        values.append((head, cells[col]))
    shared = _shared_prefix([head for head, _ in values]) if len(values) > 1 else []
    parts = [caption, " ".join(labels), " ".join(shared)]
    parts += [" ".join(head[len(shared):] + [value]) for head, value in values]
    return CELL_SEP.join(p for p in parts if p)


def _label_count(cells: list[str]) -> int:
    """Leading cells that are labels, or empty (under a row label merged above)."""
    n = 0
    while n < len(cells) and (not cells[n] or not is_value(cells[n])):
        n += 1
    return n


def _shared_prefix(heads: list[list[str]]) -> list[str]:
    """Leading labels every column has ("申请人情况" over all applicant columns)."""
    shared: list[str] = []
    for labels in zip(*heads):
        if len(set(labels)) != 1:
            break
        shared.append(labels[0])
    return shared


def _dedupe(items: list[str]) -> list[str]:
    """Items without empty ones and without a repeat of the one before (a merged cell)."""
    out: list[str] = []
    for item in items:
        if item and (not out or out[-1] != item):
            out.append(item)
    return out


def pad(rows: list[list[str]]) -> list[list[str]]:
    """Rows of one width; a short row (a merged cell at its end) repeats its last cell.

    >>> pad([["a", "b", "c"], ["d"]])
    [['a', 'b', 'c'], ['d', 'd', 'd']]
    """
    width = max((len(r) for r in rows), default=0)
    return [r + [r[-1] if r else ""] * (width - len(r)) for r in rows]


def span(value: str | None) -> int:
    """A rowspan/colspan attribute as a number from 1 to ``MAX_SPAN``.

    >>> span("3"), span("10000"), span("x"), span(None)
    (3, 100, 1, 1)
    """
    try:
        return max(1, min(int(value or 1), MAX_SPAN))
    except ValueError:
        return 1
