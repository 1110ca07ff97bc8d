"""Table rows as text: how ingest writes a table's data row, and how it is read back.

A row is one line of cells joined by ``CELL_SEP``: the row's labels first,
then each value with its column header (``ingest.tables`` writes them)::

    第二十条第(六)项 | 行政处罚 | 本年处理决定数量 703
    罚款 | 金额(万元) 1584.66

A number alone at the end of a cell is a figure (the header says what it
counts); a unit the header states in brackets is the figure's unit.
"""
from __future__ import annotations

import re

CELL_SEP = " | "
_ROW = re.compile(r"\s\|(?:\s|$)")  # a cell boundary; also a clause cut before it: "本年制发件数 2 |"
_HEADER_UNIT = re.compile(r"[(（](?:单位[:：]\s*)?([^()（）\d\s]{1,4})[)）]\s*$")


def is_table_row(text: str) -> bool:
    """Does ``text`` hold cells of a table row?

    >>> is_table_row("行政处罚 | 本年处理决定数量 703"), is_table_row("本年制发件数 2 |"), is_table_row("a|b")
    (True, True, False)
    """
    return bool(_ROW.search(text))


def row_cells(text: str) -> list[str]:
    """The non-empty cells of a row, stripped.

    >>> row_cells("规章 | 本年制发件数 0 | 现行有效件数 3 |")
    ['规章', '本年制发件数 0', '现行有效件数 3']
    """
    return [c.strip() for c in _ROW.split(text + " ") if c.strip()]


def header_unit(header: str) -> str:
    """The unit a column header states in brackets at its end, else "".

    >>> header_unit("罚款金额(万元)"), header_unit("培训人数(单位:人次)"), header_unit("本年处理决定数量")
    ('万元', '人次', '')
    """
    m = _HEADER_UNIT.search(header)
    return m.group(1) if m else ""
