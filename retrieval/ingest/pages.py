"""Page numbers through cleaning: marker lines in the raw text, offsets after.

Paged readers (PDF, images, TIFF) put a *marker line* before the first
paragraph that starts on each page. The marker is a private-use character
and the page number: it never occurs in a report, is not whitespace (so
``prepare_text`` keeps it), survives normalisation and matches no furniture
rule. ``make_document`` takes the markers out again after cleaning and keeps
``Document.pages``: where each page starts in the cleaned text. A chunk is
cited on the page it starts on (``page_at``).

>>> text, pages = split_page_marks(with_page_marks([(1, "标题"), (1, "正文。"), (2, "第二页。")]))
>>> text, pages, page_at(text.index("第二页"), pages)
('标题\\n正文。\\n第二页。', [(0, 1), (7, 2)], 2)
"""
from __future__ import annotations

import re
from typing import Iterable, Sequence

PAGE_MARK = "\ue000"
_PAGE_LINE = re.compile(rf"^{PAGE_MARK}(\d+)$")


def page_marker(page: int) -> str:
    """The marker line put before the first paragraph starting on ``page`` (1-based)."""
    return f"{PAGE_MARK}{page}"


def is_page_marker(line: str) -> bool:
    return line.startswith(PAGE_MARK)


def with_page_marks(paragraphs: Iterable[tuple[int, str]]) -> str:
    """Text of (page, paragraph) pairs: one paragraph a line, a marker line
    where the page changes."""
    out: list[str] = []
    page = None
    for number, text in paragraphs:
        if number != page:
            out.append(page_marker(number))
            page = number
        out.append(text)
    return "\n".join(out)


def split_page_marks(text: str) -> tuple[str, list[tuple[int, int]]]:
    """Text without marker lines, and (offset, page) where each page starts.
    Text without markers comes back as it was, with no pages.

    >>> split_page_marks("\\ue0001\\n标题\\n\\ue0003\\n正文。")
    ('标题\\n正文。', [(0, 1), (3, 3)])
    >>> split_page_marks("一、成效")
    ('一、成效', [])
    """
    if PAGE_MARK not in text:
        return text, []
    starts: list[tuple[int, int]] = []
    out: list[str] = []
    offset = 0
    for line in text.split("\n"):
        m = _PAGE_LINE.match(line)
        if m:
            if starts and starts[-1][0] == offset:  # an empty page: the next one starts here
                starts.pop()
            starts.append((offset, int(m.group(1))))
            continue
        out.append(line)
        offset += len(line) + 1
    return "\n".join(out), starts


def page_at(offset: int, starts: Sequence[tuple[int, int]]) -> int | None:
    """Page holding ``offset`` (None for a source without pages)."""
    page = None
    for start, number in starts:
        if start > offset:
            break
        page = number
    return page
