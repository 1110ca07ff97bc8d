"""How files are read (``ReadOptions``, from the settings) and what a paged
reader tells about each page it read (``PageRead``), for progress and for the
file's line in ``govqa index build``."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Literal

HowRead = Literal["text", "ocr", "skipped"]  # text layer, OCR, or left unread (--no-ocr)


@dataclass(frozen=True)
class PageRead:
    """One page of a paged file (PDF, image, TIFF) has been read."""

    source: str  # file name
    page: int  # 1-based
    pages: int  # pages in the file
    how: HowRead
    seconds: float = 0.0  # time spent on the page (rendering and OCR included)


@dataclass(frozen=True)
class ReadOptions:
    """``ocr``: read pages without a text layer, and images, by OCR
    (``Settings.ocr``, ``GOVQA_OCR``, ``--no-ocr``); ``on_page``: told after
    every page of a paged file."""

    ocr: bool = True
    on_page: Callable[[PageRead], None] | None = None

    def page_read(self, read: PageRead) -> None:
        if self.on_page is not None:
            self.on_page(read)
