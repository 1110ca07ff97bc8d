"""Word (.docx) files: paragraphs and tables in document order (python-docx)."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

from .errors import IngestError


def docx_text(path: Path, data: bytes) -> str:
    """Paragraphs and tables of a Word document, in document order."""
    import docx
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
        lines: list[str] = []
        for block in document.iter_inner_content():
            lines.extend(_table_lines(block) if isinstance(block, Table) else [block.text])
    except zipfile.BadZipFile:
        raise IngestError(path, "not a .docx file (not a zip package; an old .doc renamed? "
                                "save it as .docx)") from None
    except Exception as exc:  # python-docx / lxml on damaged packages
        raise IngestError(path, f"corrupt .docx ({type(exc).__name__}: {exc})") from None
    return "\n".join(lines)


def _table_lines(table) -> list[str]:
    """Lines of a Word table: a row of short cells (a data table) becomes one
    line, "隐患整改 2150处"; cells holding sentences or several paragraphs (a
    layout table) give one line per paragraph."""
    from docx.table import Table

    lines: list[str] = []
    for row in table.rows:
        cells = _distinct_cells(row.cells)
        texts = [c.text.strip() for c in cells]
        if all(len(c.paragraphs) <= 1 and not c.tables and "。" not in t for c, t in zip(cells, texts)):
            lines.append(" ".join(t for t in texts if t))
            continue
        for cell in cells:
            for block in cell.iter_inner_content():
                lines.extend(_table_lines(block) if isinstance(block, Table) else [block.text])
    return lines


def _distinct_cells(cells: list) -> list:
    """Row cells with horizontally merged ones (the same cell repeated) once."""
    out: list = []
    for cell in cells:
        if not out or cell._tc is not out[-1]._tc:
            out.append(cell)
    return out
