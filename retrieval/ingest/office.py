"""Old Word (.doc, through antiword) and Excel (.xlsx, openpyxl) files.

Tables become one sentence per data row (``tables``), cited under the
sheet's (or the table's) name.
"""
from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

from ..text import normalise
from .errors import IngestError, MissingTool
from .tables import is_value, pad, table_sentences

DOC_TOOL = "antiword"
DOC_TOOL_TIMEOUT_S = 60  # a damaged file that makes the converter spin is given up
MAX_CELLS = 200_000  # cells read from one workbook: a report's tables hold hundreds
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # header of Word 97-2003 (and other OLE2) files


# ================================================================ .doc


def doc_text(path: Path, data: bytes) -> str:
    """Text of a Word 97-2003 file through ``antiword`` (Debian package
    ``antiword``, found on PATH at run time): UTF-8, no wrapping, page
    headers and footers left out; table rows (``|a |b |``) become row sentences."""
    exe = shutil.which(DOC_TOOL)
    if exe is None:
        raise MissingTool(path, DOC_TOOL, "apt-get install antiword (or save the file as .docx)", ".doc files")
    if data[:4] == b"PK\x03\x04":
        raise IngestError(path, "a .docx (zip) file named .doc: rename it to .docx")
    if not data.startswith(_OLE2):
        raise IngestError(path, "not a Word 97-2003 document (no OLE2 header)")
    try:
        done = subprocess.run([exe, "-w", "0", "-m", "UTF-8.txt", "-"], input=data, capture_output=True,
                              timeout=DOC_TOOL_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise IngestError(path, f"antiword gave up after {DOC_TOOL_TIMEOUT_S} s (damaged .doc?)") from None
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise IngestError(path, "not a readable Word 97-2003 file (antiword: "
                                f"{reason[0] if reason else 'exit ' + str(done.returncode)})")
    return antiword_lines(done.stdout.decode("utf-8", "replace"))


def antiword_lines(text: str) -> str:
    """antiword's output with its table rows (``|cell |cell |``) made into row sentences.

    >>> print(antiword_lines("一、情况\\n|指标 |本年 |\\n|罚款(万元) |80 |\\n二、打算"))
    一、情况
    罚款(万元) | 本年 80
    二、打算
    """
    out: list[str] = []
    table: list[list[str]] = []
    for line in text.split("\n") + [""]:
        stripped = line.strip()
        if len(stripped) > 1 and stripped.startswith("|") and stripped.endswith("|"):
            table.append([cell.strip() for cell in stripped[1:-1].split("|")])
            continue
        if table:
            out.extend(table_sentences(pad(table)))
            table = []
        if stripped:
            out.append(stripped)
    return "\n".join(out)


# ================================================================ .xlsx


def xlsx_text(path: Path, data: bytes) -> str:
    """Every visible sheet: its title (a first row holding one text across
    the sheet) and name as lines, then one sentence per data row."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)  # not read_only: merged cells
    except Exception as exc:  # openpyxl raises many types on damaged files
        raise IngestError(path, f"not a readable .xlsx workbook ({type(exc).__name__}: {exc})") from None
    out: list[str] = []
    cells = 0
    for sheet in book.worksheets:
        if sheet.sheet_state != "visible":
            continue
        cells += (sheet.max_row or 0) * (sheet.max_column or 0)
        if cells > MAX_CELLS:
            raise IngestError(path, f"workbook too large (over {MAX_CELLS:,} cells)")
        grid = sheet_grid(sheet)
        if not grid:
            continue
        title, grid = _title_row(grid)
        if title:
            out.append(title)
        if not title or normalise.squash(sheet.title) not in normalise.squash(title):
            out.append(sheet.title)  # the sheet's name heads its rows (their section in citations)
        out.extend(table_sentences(grid))
    return "\n".join(out)


def sheet_grid(sheet) -> list[list[str]]:
    """Cell texts with merged ranges repeated into every cell they cover;
    empty rows and columns dropped."""
    values = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    for merged in sheet.merged_cells.ranges:
        top = values[merged.min_row - 1][merged.min_col - 1]
        for r in range(merged.min_row - 1, min(merged.max_row, len(values))):
            for c in range(merged.min_col - 1, min(merged.max_col, len(values[r]))):
                values[r][c] = top
    values = [row for row in values if any(row)]
    keep = [c for c in range(max((len(r) for r in values), default=0)) if any(r[c] for r in values)]
    return [[row[c] for c in keep] for row in values]


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


def _title_row(grid: list[list[str]]) -> tuple[str, list[list[str]]]:
    """A first row holding one text (merged across, or alone in its first
    cell of a wide sheet) is the table's title."""
    first = [c for c in grid[0] if c]
    if len(grid) > 1 and first and not is_value(first[0]):
        if len(set(first)) == 1 and (len(first) == len(grid[0]) or (len(first) == 1 and grid[0][0] and
                                                                     len(grid[0]) > 2)):
            return first[0], grid[1:]
    return "", grid
