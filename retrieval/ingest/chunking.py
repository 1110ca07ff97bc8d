"""Split documents into sentences and paragraph-sized chunks.

A chunk is always a verbatim piece of ``Document.text`` (one paragraph, a few
short paragraphs, or a window of whole sentences of a long paragraph), and it
carries its section path, built from the headings above it:

    一、主要工作情况 > (五)规范提升行政执法能力

Heading levels, outermost first: 第一章/第一部分, 第一节, 一、, (一), 1., (1);
a list numbered the other way round (一、 items inside a (一) section) is
nested by its numbering (see ``_Outline``).
A heading line on its own goes into the section path, not into a chunk;
a paragraph that opens with a heading sentence ("(一)加强领导。全面落实…")
is a chunk, and its first sentence also names its section.

>>> from retrieval.records import Document, Metadata
>>> doc = Document("d1", "a.txt", "某局报告\\n一、主要工作\\n(一)执法。行政处罚703次。",
...                Metadata(title="某局报告"))
>>> [(c.section, c.text) for c in chunk_document(doc)]
[('一、主要工作 > (一)执法', '(一)执法。行政处罚703次。')]
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..records import Chunk, Document
from ..text import normalise
from ..text.lexicon import HAN_RANGE
from ..text.sentences import SENTENCE_END, sentence_spans, split_sentences
from ..text.table_rows import is_table_row
from .pages import page_at

SHORT_PARAGRAPH = 40  # shorter consecutive paragraphs of one section are merged
MAX_HEADING_LABEL = 40  # longer heading sentences are shortened in the section path

_CN = "一二三四五六七八九十百零〇"
# (kind, pattern); the kind is also the default nesting order, outermost first.
# Group "n" is the number, used to tell a next sibling from a nested list.
HEADING_PATTERNS: list[tuple[int, re.Pattern[str]]] = [
    (0, re.compile(rf"^第(?P<n>[{_CN}\d]+)(章|编|篇|部分)")),
    (1, re.compile(rf"^第(?P<n>[{_CN}\d]+)节")),
    (2, re.compile(rf"^(?P<n>[{_CN}]+)(、|\.(?!\d))")),  # 一、
    (3, re.compile(rf"^[(]?(?P<n>[{_CN}]+)[)]")),  # (一)  (also "六)" with its "(" lost)
    (4, re.compile(r"^(?P<n>\d{1,2})(、|\.(?!\d))")),  # 1.  1、  (not 1.5万)
    (5, re.compile(r"^[(](?P<n>\d{1,2})[)]")),  # (1)
]
UNNUMBERED_KIND = 2  # a bare short line right before a numbered heading: a lost "一、"
TABLE_NAME_KIND = 6  # a bare short line right before a table's rows names the table, inside its section


# ================================================================ headings


def heading_level(paragraph: str) -> int | None:
    """Kind of heading a paragraph opens with (0 第一章 … 5 (1)), or None.

    >>> heading_level("一、2021年工作情况"), heading_level("(五)规范执法"), heading_level("一是加强")
    (2, 3, None)
    >>> heading_level("1.5万元用于救灾") is None
    True
    """
    found = _heading_marker(paragraph)
    return found[0] if found and not is_table_row(paragraph) else None


def _heading_marker(paragraph: str) -> tuple[int, int | None] | None:
    """(kind, number) of a paragraph's heading marker: "(五)…" -> (3, 5)."""
    for kind, pattern in HEADING_PATTERNS:
        m = pattern.match(paragraph)
        if m:
            n = m.group("n")
            return kind, int(n) if n.isdigit() else normalise.cn_to_number(n)
    return None


def heading_label(paragraph: str) -> str:
    """Section-path label of a heading paragraph: its first sentence without
    the end punctuation, shortened if long.

    >>> heading_label("(一)加强党对法治建设的领导。全面落实党中央部署。")
    '(一)加强党对法治建设的领导'
    """
    spans = sentence_spans(paragraph)
    first = paragraph[spans[0][0]:spans[0][1]] if spans else paragraph
    label = first.rstrip(SENTENCE_END + ":,")
    if len(label) > MAX_HEADING_LABEL:
        cut = label.find(",")
        label = label[:cut] if 0 < cut <= MAX_HEADING_LABEL else label[:MAX_HEADING_LABEL] + "…"
    return label


def _is_heading_only(paragraph: str) -> bool:
    """A heading line with nothing after its heading sentence, short enough
    to stand whole in the section path (longer ones are also body text).

    >>> _is_heading_only("(五)规范提升行政执法能力"), _is_heading_only("(一)加强领导。全面落实。")
    (True, False)
    """
    spans = sentence_spans(paragraph)
    return len(spans) == 1 and heading_label(paragraph) == paragraph.rstrip(SENTENCE_END + ":,")


def _is_bare_heading(paragraph: str, following: str | None) -> bool:
    """A short line without punctuation right before a numbered heading
    (a heading whose "一、" was lost, e.g. "完善应急管理体制机制"), or right
    before a table's rows (the sheet's or table's name, "表1 执法情况").

    >>> _is_bare_heading("表1 执法情况", "行政处罚 | 本年处理决定数量 703")
    True
    """
    if following is None or heading_level(paragraph) is not None or len(paragraph) > 30 or is_table_row(paragraph):
        return False
    if is_table_row(following):
        return re.fullmatch(rf"[\w{HAN_RANGE}()《》“”、 ]+", paragraph) is not None
    return heading_level(following) is not None and re.fullmatch(rf"[\w{HAN_RANGE}()《》“”、]+", paragraph) is not None


# ================================================================ chunks


@dataclass
class _Piece:
    """A paragraph (or run of paragraphs) waiting to become chunks."""

    start: int  # offset in the document text
    end: int
    section: str


def chunk_document(doc: Document, max_chars: int = 350, overlap: int = 1) -> list[Chunk]:
    """Paragraph-level chunks of a document, each with its section path.

    Long paragraphs are cut at sentence ends into windows of at most
    ``max_chars``, the last ``overlap`` sentences of a window repeated at the
    start of the next; a sentence is never cut, unless it alone is longer than
    ``2 * max_chars`` (then at commas). Short consecutive paragraphs of one
    section are merged. The title line is not a chunk but names the section
    of the chunks before the first heading. A chunk of a paged source
    (``doc.pages``) carries the page it starts on.

    >>> from retrieval.records import Metadata
    >>> doc = Document("d", "s", "某局报告\\n正文第一句。正文第二句。正文第三句。", Metadata(title="某局报告"))
    >>> [(c.section, c.text) for c in chunk_document(doc, max_chars=12)]
    [('某局报告', '正文第一句。正文第二句。'), ('某局报告', '正文第二句。正文第三句。')]
    """
    text = doc.text
    pieces = _merge_short(list(_body_paragraphs(doc)), text, max_chars)
    chunks: list[Chunk] = []
    for piece in pieces:
        for start, end in _windows(text, piece.start, piece.end, max_chars, overlap):
            body = text[start:end]
            chunks.append(Chunk(doc_id=doc.doc_id, ordinal=len(chunks), section=piece.section,
                                text=body, sentences=split_sentences(body), page=page_at(start, doc.pages)))
    return chunks


def _paragraph_offsets(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-empty line, surrounding spaces excluded."""
    out = []
    pos = 0
    for line in text.split("\n"):
        left = len(line) - len(line.lstrip())
        right = len(line.rstrip())
        if right > left:
            out.append((pos + left, pos + right))
        pos += len(line) + 1
    return out


@dataclass
class _Heading:
    rank: int  # nesting depth order: a heading closes the open ones of equal or higher rank
    kind: int
    number: int | None
    label: str


class _Outline:
    """The open headings above the current paragraph.

    A heading's rank comes from its kind (一、 above (一) above 1.), except
    for a list nested the "wrong" way round, told by its numbering: a "一、"
    inside "(一)" of a "三、" section restarts at 1 and goes under "(一)";
    its "二、" follows it there instead of closing the section.

    >>> o = _Outline()
    >>> for h in ("三、问题", "(一)工业", "一、设计", "二、施工", "(二)农业"):
    ...     o.open(h)
    ...     print(o.path())
    三、问题
    三、问题 > (一)工业
    三、问题 > (一)工业 > 一、设计
    三、问题 > (一)工业 > 二、施工
    三、问题 > (二)农业
    """

    def __init__(self) -> None:
        self.headings: list[_Heading] = []

    def open(self, paragraph: str, kind: int | None = None) -> None:
        marker = _heading_marker(paragraph)
        kind, number = marker if marker else (kind if kind is not None else UNNUMBERED_KIND, None)
        rank = self._rank(kind, number)
        while self.headings and self.headings[-1].rank >= rank:
            self.headings.pop()
        self.headings.append(_Heading(rank, kind, number, heading_label(paragraph)))

    def _rank(self, kind: int, number: int | None) -> int:
        rank = kind * 10
        same = [i for i, h in enumerate(self.headings) if h.kind == kind]
        if not same or number is None:
            return rank
        inner = self.headings[same[-1]]
        if inner.number is not None and number == inner.number + 1:
            return inner.rank  # next sibling of the innermost list of this kind
        deeper = [h for h in self.headings[same[0] + 1:] if h.kind != kind]
        if number == 1 and deeper:
            return deeper[-1].rank + 1  # a list restarting inside a deeper heading
        return rank

    def path(self, default: str = "") -> str:
        return " > ".join(h.label for h in self.headings) if self.headings else default


def _body_paragraphs(doc: Document):
    """Body paragraphs with their section paths; heading lines feed the path.

    A heading that gets no body before the next heading of its level is
    still yielded (as a paragraph of its own), so no text is lost.
    """
    text, title = doc.text, doc.meta.title
    paragraphs = _paragraph_offsets(text)
    skip = _title_lines(text, paragraphs, title)
    outline = _Outline()
    pending: _Piece | None = None  # heading-only line without body yet
    for k, (start, end) in enumerate(paragraphs):
        if k < skip:
            continue
        para = text[start:end]
        nxt = text[slice(*paragraphs[k + 1])] if k + 1 < len(paragraphs) else None
        bare = heading_level(para) is None and _is_bare_heading(para, nxt)
        if heading_level(para) is None and not bare:
            pending = None
            yield _Piece(start, end, outline.path(title))
            continue
        depth = len(outline.headings)
        outline.open(para, TABLE_NAME_KIND if bare and nxt is not None and is_table_row(nxt) else None)
        if pending is not None and len(outline.headings) <= depth:
            yield pending  # the previous heading was closed with nothing under it
        pending = None
        piece = _Piece(start, end, outline.path(title))
        if _is_heading_only(para):
            pending = piece
        else:
            yield piece
    if pending is not None:
        yield pending


def _title_lines(text: str, paragraphs: list[tuple[int, int]], title: str) -> int:
    """How many leading paragraphs repeat the title (they are not chunks)."""
    if not title:
        return 0
    wanted = normalise.squash(title)
    skip = 0
    for start, end in paragraphs[:3]:
        line = normalise.squash(text[start:end])
        if len(line) < 4 or "。" in line:
            break
        similar = normalise.near_copy(line, wanted)
        if line == wanted or line in wanted or similar:
            skip += 1
        else:
            break
    return skip


def _merge_short(pieces: list[_Piece], text: str, max_chars: int) -> list[_Piece]:
    """Merge runs of consecutive short paragraphs (< SHORT_PARAGRAPH chars)
    of one section, up to ``max_chars``."""
    merged: list[_Piece] = []
    for piece in pieces:
        last = merged[-1] if merged else None
        if (last is not None and last.section == piece.section
                and piece.end - piece.start < SHORT_PARAGRAPH
                and _all_short(text[last.start:last.end])
                and text[last.end:piece.start].strip() == ""
                and piece.end - last.start <= max_chars):
            last.end = piece.end
        else:
            merged.append(_Piece(piece.start, piece.end, piece.section))
    return merged


def _all_short(block: str) -> bool:
    return all(len(line.strip()) < SHORT_PARAGRAPH for line in block.split("\n"))


# ================================================================ windows


def _windows(text: str, start: int, end: int, max_chars: int,
             overlap: int) -> list[tuple[int, int]]:
    """(start, end) offsets of the chunks of one piece of text."""
    if end - start <= max_chars:
        return [(start, end)]
    spans = [(start + a, start + b) for a, b in sentence_spans(text[start:end])]
    out: list[tuple[int, int]] = []
    for first, last in sentence_windows(spans, max_chars, overlap):
        a, b = spans[first][0], spans[last][1]
        if first == last and b - a > 2 * max_chars:
            out.extend(_comma_pieces(text, a, b, max_chars))
        else:
            out.append((a, b))
    return out


def sentence_windows(spans: list[tuple[int, int]], max_chars: int,
                     overlap: int = 1) -> list[tuple[int, int]]:
    """Greedy windows (first, last sentence index, inclusive) of at most
    ``max_chars`` characters; each window repeats up to ``overlap`` sentences
    of the one before (if they fit) and always adds at least one new sentence.

    >>> sentence_windows([(0, 5), (5, 10), (10, 15), (15, 20)], max_chars=10)
    [(0, 1), (1, 2), (2, 3)]
    >>> sentence_windows([(0, 5), (5, 30), (30, 35)], max_chars=10)
    [(0, 0), (1, 1), (2, 2)]
    """
    def width(i: int, j: int) -> int:
        return spans[j][1] - spans[i][0]

    windows: list[tuple[int, int]] = []
    new = 0
    while new < len(spans):
        first = new
        if windows and overlap > 0:
            first = max(new - overlap, windows[-1][0] + 1)
            while first < new and width(first, new) > max_chars:
                first += 1
        last = new
        while last + 1 < len(spans) and width(first, last + 1) <= max_chars:
            last += 1
        windows.append((first, last))
        new = last + 1
    return windows


def _comma_pieces(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """Cut one very long sentence at commas into pieces of at most ``max_chars``
    (a piece without a comma to cut at stays whole)."""
    cuts = [m.end() for m in re.finditer(r"[,，]", text[start:end])]
    bounds = [(start + a, start + b) for a, b in zip([0] + cuts, cuts + [end - start]) if b > a]
    pieces: list[tuple[int, int]] = []
    for a, b in bounds:
        if pieces and b - pieces[-1][0] <= max_chars:
            pieces[-1] = (pieces[-1][0], b)
        else:
            pieces.append((a, b))
    return pieces
