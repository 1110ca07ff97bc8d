"""Scanned pages made in the tests: a report's paragraphs drawn on an A4 page
with a CJK font (Noto Sans CJK SC, shipped by mplfonts), as a scanner would
give them: a PNG, or an image-only PDF page.

``page_image`` returns the image and the exact lines drawn on it (the ground
truth for OCR accuracy); ``accuracy`` is 1 - edit distance / length.
"""
from __future__ import annotations

import io
from pathlib import Path

A4_MM = (210, 297)
MARGIN_MM = (28, 37, 26, 35)  # left, top, right, bottom: GB/T 9704 official-document margins


def cjk_font_path() -> Path:
    import mplfonts

    return Path(mplfonts.__file__).parent / "fonts" / "NotoSansCJKsc-Regular.otf"


def page_image(paragraphs: list[str], dpi: int = 200, size_pt: float = 14, page_number: int | None = None):
    """(image, lines drawn): one A4 page, body paragraphs with a two-character
    first-line indent, short lines (headings) flush left, an optional
    "- n -" page number at the foot (not part of the text)."""
    from PIL import Image, ImageDraw, ImageFont

    px = lambda mm: round(mm / 25.4 * dpi)  # noqa: E731
    width, height = px(A4_MM[0]), px(A4_MM[1])
    left, top, right, bottom = (px(m) for m in MARGIN_MM)
    font = ImageFont.truetype(str(cjk_font_path()), round(size_pt / 72 * dpi))
    line_h = round(font.size * 1.75)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    drawn: list[str] = []
    y = top
    for para in paragraphs:
        indent = 0 if len(para) <= 40 and "。" not in para else 2 * font.size
        for k, line in enumerate(_wrap(para, font, width - left - right, indent)):
            if y + line_h > height - bottom:
                raise ValueError("the paragraphs do not fit on one page")
            draw.text((left + (indent if k == 0 else 0), y), line, font=font, fill=0)
            drawn.append(line)
            y += line_h
    if page_number is not None:
        label = f"- {page_number} -"
        draw.text(((width - font.getlength(label)) / 2, height - bottom + line_h), label, font=font, fill=0)
    return image, drawn


def _wrap(text: str, font, width: float, indent: float) -> list[str]:
    """Break ``text`` character by character, as Chinese typesetting does
    (numbers and their units may be cut)."""
    lines, line, limit = [], "", width - indent
    for ch in text:
        if font.getlength(line + ch) > limit and line:
            lines.append(line)
            line, limit = "", width
        line += ch
    return lines + [line] if line else lines


def png_bytes(image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def image_pdf(image, dpi: int = 200) -> bytes:
    """An image-only PDF page: what a scanner makes."""
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "PDF", resolution=dpi)
    return buffer.getvalue()


def joined_pdf(*parts: bytes) -> bytes:
    """One PDF of the pages of several (pypdfium2)."""
    import pypdfium2 as pdfium

    out = pdfium.PdfDocument.new()
    for data in parts:
        out.import_pages(pdfium.PdfDocument(data))
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()


def accuracy(got: str, truth: str) -> float:
    """1 - edit distance / length of the truth, whitespace removed; both
    sides normalised as every document is (full-width marks folded)."""
    from retrieval.text.normalise import normalize

    a, b = ("".join(normalize(s).split()) for s in (got, truth))
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return 1 - prev[-1] / max(len(b), 1)
