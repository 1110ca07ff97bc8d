"""PDF files: the text layer (pypdf), page numbers dropped, wrapped lines joined."""
from __future__ import annotations

import io
import logging
import re
import unicodedata
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..text.sentences import ends_sentence
from .errors import IngestError


def pdf_text(path: Path, data: bytes) -> str:
    """The text layer of every page: page numbers dropped, lines the PDF
    wrapped inside a paragraph joined again (``reflow_pdf_lines``)."""
    import pypdf

    with _pypdf_warnings() as warned:
        try:
            reader = pypdf.PdfReader(io.BytesIO(data))
            if reader.is_encrypted and not reader.decrypt(""):
                raise IngestError(path, "encrypted PDF (needs a password)")
            pages = [_page_lines(page, warned) for page in reader.pages]
        except IngestError:
            raise
        except Exception as exc:  # pypdf raises many types on damaged files
            raise IngestError(path, _pdf_problem(data, exc)) from None
    if not pages:
        raise IngestError(path, "PDF has no pages")
    if not any(pages):
        if any(_has_fonts(page) for page in reader.pages):
            reason = warned[0] if warned else "fonts without a Unicode map?"
            raise IngestError(path, f"text layer could not be read ({reason})")
        raise IngestError(path, f"no text layer (scanned PDF?): {len(pages)} page(s) of images only; "
                                f"run OCR first")
    return "\n".join(reflow_pdf_lines([line for lines in pages for line in lines]))


# a page number alone on the first or last line of a page: "- 3 -", "—3—", "第3页 共9页", "3/9", "3"
_PAGE_NUMBER = re.compile(r"^([-—–]\s*\d{1,4}\s*[-—–]|第\s*\d{1,4}\s*页\s*[,，]?\s*(共\s*\d{1,4}\s*页)?|"
                          r"\d{1,4}\s*/\s*\d{1,4}|\d{1,3})$")


def _page_lines(page, warned: list[str]) -> list[str]:
    """Non-empty lines of one page without its page number; a page pypdf
    cannot read gives no lines (and a warning) instead of failing the file."""
    try:
        text = page.extract_text() or ""
    except Exception as exc:
        warned.append(f"{type(exc).__name__}: {exc}")
        return []
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    while lines and _PAGE_NUMBER.match(lines[-1]):
        lines.pop()
    while lines and _PAGE_NUMBER.match(lines[0]):
        lines.pop(0)
    return lines


def reflow_pdf_lines(lines: list[str]) -> list[str]:
    """Join the lines a PDF broke inside a paragraph.

    A PDF has no paragraphs, only lines; a paragraph longer than the text
    width comes out as several full lines and a shorter last one. The full
    width is the most common line width (at least three lines share it); a
    line that wide not ending a sentence is joined with the next one.
    Headings and short lines stay as they are.

    >>> full = "全年共检查生产经营单位2731家,行政处罚"  # three lines this wide: the full width
    >>> out = reflow_pdf_lines(["一、执法", full, "703次。", full, "99次。", full, "5次。", "二、打算"])
    >>> out[:2], len(out)
    (['一、执法', '全年共检查生产经营单位2731家,行政处罚703次。'], 5)
    """
    full = _full_width(lines)
    if not full:
        return lines
    out: list[str] = []
    wrapped = False
    for line in lines:
        if wrapped:
            out[-1] += line
        else:
            out.append(line)
        wrapped = _width(line) >= full - 2 and not ends_sentence(line)
    return out


def _full_width(lines: list[str]) -> int:
    """The width of a full line, or 0 when the text shows no wrapping.

    Wrapped text has most of its long lines at one width (within one CJK
    character): at least three, and a third of the lines 30 columns wide or
    more. Unwrapped paragraphs have widths all over the place.
    """
    widths = [_width(line) for line in lines if _width(line) >= 30]
    best, best_count = 0, 0
    for width in set(widths):
        count = sum(1 for w in widths if width - 2 <= w <= width)
        if count > best_count or (count == best_count and width > best):
            best, best_count = width, count
    return best if best_count >= max(3, len(widths) / 3) else 0


def _width(line: str) -> int:
    """Printed width: CJK and full-width characters count two, others one."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


class _ListHandler(logging.Handler):
    def __init__(self, messages: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.messages = messages

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _pypdf_warnings() -> Iterator[list[str]]:
    """Collect pypdf's log warnings while one file is read, instead of
    printing them (errors are reported as one line per file)."""
    logger = logging.getLogger("pypdf")
    messages: list[str] = []
    handler = _ListHandler(messages)
    propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield messages
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def _has_fonts(page) -> bool:
    """Does the page (or a form drawn on it) declare fonts, i.e. mean to show text?"""
    try:
        resources = page.get("/Resources") or {}
        if "/Font" in resources:
            return True
        xobjects = resources.get("/XObject") or {}
        return any("/Font" in (xobjects[name].get_object().get("/Resources") or {}) for name in xobjects)
    except Exception:  # damaged resources: say nothing about fonts
        return False


def _pdf_problem(data: bytes, exc: Exception) -> str:
    """One line saying why pypdf could not read a file.

    >>> _pdf_problem(b"%PDF-1.4 1 0 obj <<", ValueError("x"))
    'truncated PDF (no %%EOF end marker; the file was cut short): ValueError: x'
    >>> _pdf_problem(b"<html>", ValueError("x"))
    'not a PDF (no %PDF header): ValueError: x'
    """
    detail = f"{type(exc).__name__}: {exc}"
    if not data.lstrip()[:1024].startswith(b"%PDF") and b"%PDF" not in data[:1024]:
        return f"not a PDF (no %PDF header): {detail}"
    if b"%%EOF" not in data[-2048:]:
        return f"truncated PDF (no %%EOF end marker; the file was cut short): {detail}"
    return f"corrupt PDF ({detail})"
