"""OCR of page images (scanned PDF pages, .png/.jpg/.tif files) with RapidOCR.

``rapidocr-onnxruntime`` carries the PP-OCRv4 Chinese detection and
recognition models inside its wheel (nothing is downloaded); it gives boxes
of text, which ``layout`` puts in reading order and joins into paragraphs.
"""
from __future__ import annotations

import io
import time
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from .errors import IngestError, MissingTool, SkippedFile
from .layout import Line, join_lines, reading_order
from .options import PageRead, ReadOptions
from .pages import with_page_marks

MIN_SCORE = 0.5  # recognition confidence below which a box is dropped (stamps, specks)
MAX_IMAGE_PIXELS = 60_000_000  # larger than an A0 page at 200 dpi: refused before decoding
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp"}
OCR_PACKAGE = "rapidocr-onnxruntime"


@lru_cache(maxsize=1)
def ocr_engine():
    """The one RapidOCR engine (loads in ~0.2 s, kept for the process)."""
    from rapidocr_onnxruntime import RapidOCR

    # No angle classifier: on upright scans it turned whole lines of
    # “”-quoted text upside down (one line lost per page, measured); scans
    # are upright.
    return RapidOCR(use_cls=False)


def ocr_available() -> bool:
    try:
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def missing_ocr(path: Path) -> MissingTool:
    return MissingTool(path, OCR_PACKAGE, f"pip install {OCR_PACKAGE} (Python < 3.13), or index with --no-ocr",
                       "pages without a text layer")


def ocr_lines(image, page: int, path: Path) -> list[Line]:
    """Lines of one page image in reading order, page numbers dropped."""
    import numpy as np

    try:
        result, _ = ocr_engine()(np.asarray(image.convert("RGB")))
    except Exception as exc:  # an image mode or size the engine cannot take
        raise IngestError(path, f"OCR failed on page {page} ({type(exc).__name__}: {exc})") from None
    boxes = [_box(points, text, page) for points, text, score in (result or [])
             if float(score) >= MIN_SCORE and text.strip()]
    return reading_order(boxes)


def _box(points, text: str, page: int) -> Line:
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return Line(text.strip(), page, min(xs), max(xs), min(ys), max(ys))


def image_text(path: Path, data: bytes, options: ReadOptions) -> str:
    """Text of a .png/.jpg/.tif/.bmp scan by OCR; every frame of a multi-page
    TIFF is a page. Page markers before each page's paragraphs."""
    if not options.ocr:
        raise SkippedFile(path, "an image: needs OCR, which --no-ocr turned off")
    if not ocr_available():
        raise missing_ocr(path)
    image, frames = _open_image(path, data)
    lines: list[Line] = []
    with warnings.catch_warnings():  # Pillow warns about odd metadata ("Corrupt EXIF data"): not our reader's line
        warnings.simplefilter("ignore")
        for number, frame in _frames(path, image, frames):
            started = time.perf_counter()
            lines.extend(ocr_lines(frame, number, path))
            options.page_read(PageRead(path.name, number, frames, "ocr", time.perf_counter() - started))
    if not lines:
        raise IngestError(path, f"no text found by OCR ({frames} page(s))")
    return with_page_marks(join_lines(lines))


def _open_image(path: Path, data: bytes):
    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data))
        frames = getattr(image, "n_frames", 1)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise IngestError(path, "not a readable image (damaged, or not PNG/JPEG/TIFF/BMP)") from None
    width, height = image.size
    if width * height > MAX_IMAGE_PIXELS:
        raise IngestError(path, f"image too large ({width}x{height} pixels, limit {MAX_IMAGE_PIXELS:,})")
    return image, frames


def _frames(path: Path, image, frames: int) -> Iterator[tuple[int, object]]:
    for k in range(frames):
        try:
            image.seek(k)
            image.load()
        except (OSError, ValueError) as exc:
            raise IngestError(path, f"damaged image (page {k + 1}: {exc})") from None
        yield k + 1, image.copy()
