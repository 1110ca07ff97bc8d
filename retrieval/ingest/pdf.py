"""PDF files, page by page: the text layer where a page has one, OCR of the
rendered page where it has none (a scanned page, or fonts without a Unicode
map). Mixed files are common: a typed report with scanned annex pages.

The text layer is read with pypdfium2 (pdfium, Chrome's PDF engine) as boxes
of text with their positions, so that ``layout`` joins wrapped lines by
where they end on the page rather than by counting characters.
"""
from __future__ import annotations

import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .errors import IngestError, SkippedFile
from .layout import Line, join_lines, reading_order
from .ocr import ocr_available, ocr_lines, missing_ocr
from .options import PageRead, ReadOptions
from .pages import with_page_marks

RENDER_SCALE = 2.0  # 144 dpi: Chinese body text ~30 px high; same accuracy as 1.5, better on poor scans
MAX_UNREADABLE = 0.3  # a text layer with more unreadable characters than this share is OCRed instead
MIN_LAYER_CHARS = 30  # a scanned page with a stamped-on line of text (a page number, a file name) is still a scan
SCAN_COVER = 0.5  # ... when an image covers this share of the page (a seal or a logo does not)


@dataclass
class _Page:
    lines: list[Line]
    how: str  # text / ocr / skipped / empty
    unreadable_layer: bool = False  # text objects whose characters cannot be read


def pdf_text(path: Path, data: bytes, options: ReadOptions) -> str:
    """Text of every page with page markers; wrapped lines joined, page
    numbers dropped. Pages without a text layer are OCRed unless
    ``options.ocr`` is off."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise IngestError(path, _pdf_problem(data, exc)) from None
    pages: list[_Page] = []
    try:
        for k in range(len(pdf)):
            pages.append(_read_page(path, pdf[k], k + 1, len(pdf), options))
    except IngestError:
        raise
    except Exception as exc:  # pdfium on a damaged page object
        raise IngestError(path, f"corrupt PDF (page {len(pages) + 1}: {type(exc).__name__}: {exc})") from None
    finally:
        pdf.close()
    lines = [line for page in pages for line in page.lines]
    if not pages:
        raise IngestError(path, "PDF has no pages")
    if not lines:
        raise _why_no_text(path, pages)
    return with_page_marks(join_lines(lines))


def _read_page(path: Path, page, number: int, pages: int, options: ReadOptions) -> _Page:
    started = time.perf_counter()
    boxes, has_objects, unreadable = _text_layer(page, number)
    if boxes:
        result = _Page(reading_order(boxes), "text")
    elif not has_objects:
        result = _Page([], "empty")  # a blank page, or content that could not be decoded
    elif not options.ocr:
        result = _Page([], "skipped", unreadable)
    elif not ocr_available():
        raise missing_ocr(path)
    else:
        image = page.render(scale=RENDER_SCALE, grayscale=True).to_pil()
        result = _Page(ocr_lines(image, number, path), "ocr", unreadable)
    if result.how in ("text", "ocr", "skipped"):
        options.page_read(PageRead(path.name, number, pages, result.how, time.perf_counter() - started))
    return result


def _text_layer(page, number: int) -> tuple[list[Line], bool, bool]:
    """(boxes of the text layer, does the page draw anything, is its text
    layer unreadable). Boxes are pdfium's text rectangles (about one per
    printed line) in top-down coordinates like OCR boxes."""
    import pypdfium2.raw as pdfium_c

    objects = list(page.get_objects())
    kinds = {obj.type for obj in objects}
    textpage = page.get_textpage()
    height = page.get_height()
    boxes = []
    for i in range(textpage.count_rects()):
        left, bottom, right, top = textpage.get_rect(i)
        text = " ".join(textpage.get_text_bounded(left, bottom, right, top).split())
        if text:
            boxes.append(_box(text, number, left, right, height - top, height - bottom))
    has_text_objects = pdfium_c.FPDF_PAGEOBJ_TEXT in kinds
    layer = "".join(b.text for b in boxes)
    if boxes and _unreadable_share(layer) > MAX_UNREADABLE:
        return [], True, True
    if len(layer) < MIN_LAYER_CHARS and _scanned(page, objects):
        return [], True, False  # a scan with a few words stamped on it: OCR reads the whole page
    return boxes, bool(kinds), has_text_objects and not boxes


def _scanned(page, objects) -> bool:
    """Does an image cover most of the page (a scan, not a logo or a seal)?"""
    import pypdfium2.raw as pdfium_c

    area = page.get_width() * page.get_height()
    for obj in objects:
        if obj.type == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            left, bottom, right, top = obj.get_bounds()
            if (right - left) * (top - bottom) >= SCAN_COVER * area:
                return True
    return False


def _box(text: str, number: int, left: float, right: float, top: float, bottom: float) -> Line:
    box = Line(text, number, left, right, top, bottom)
    em = (right - left) / max(1.0, sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text) / 2)
    if box.height < 0.5 * em:  # fonts without metrics give flat boxes: one em high around the baseline
        box.y0, box.y1 = box.y0 - em / 2, box.y0 + em / 2
    return box


def _unreadable_share(text: str) -> float:
    """Share of characters that are no text: U+FFFD, controls, private use."""
    bad = sum(1 for ch in text if ch == "\ufffd" or unicodedata.category(ch) in ("Cc", "Co", "Cn"))
    return bad / max(len(text), 1)


def _why_no_text(path: Path, pages: list[_Page]) -> IngestError:
    """The one-line reason a PDF gave no text at all."""
    n = len(pages)
    skipped = sum(1 for p in pages if p.how == "skipped")
    if skipped:
        kind = ("text layer could not be read (fonts without a Unicode map?)"
                if any(p.unreadable_layer for p in pages) else "no text layer (scanned PDF?)")
        return SkippedFile(path, f"{kind}: {skipped} of {n} page(s) need OCR, which --no-ocr turned off")
    if any(p.how == "ocr" for p in pages):
        return IngestError(path, f"no text found, not even by OCR ({n} page(s))")
    return IngestError(path, f"no text: the {n} page(s) draw nothing readable (blank, or damaged content)")


def _pdf_problem(data: bytes, exc: Exception) -> str:
    """One line saying why pdfium could not open a file.

    >>> _pdf_problem(b"%PDF-1.4 1 0 obj <<", ValueError("x"))
    'truncated PDF (no %%EOF end marker; the file was cut short): x'
    >>> _pdf_problem(b"<html>", ValueError("x"))
    'not a PDF (no %PDF header): x'
    """
    detail = str(exc).replace("Failed to load document ", "").strip("(). ") or type(exc).__name__
    if "password" in detail.lower():
        return "encrypted PDF (needs a password)"
    if b"%PDF" not in data[:1024]:
        return f"not a PDF (no %PDF header): {detail}"
    if b"%%EOF" not in data[-2048:]:
        return f"truncated PDF (no %%EOF end marker; the file was cut short): {detail}"
    return f"corrupt PDF ({detail})"
