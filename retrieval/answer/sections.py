"""A report's outline, read back from its stored chunks: its sections, where
each stands in the text, and the passage (``Hit``) to cite for any place in it.

Each chunk carries its section path ("一、主要工作情况 > (五)规范提升行政执法能力",
see ``ingest.chunking``) and is a verbatim piece of the document's text, so a
section is the stretch of text from its first chunk to its last, sub-sections
included; the chunks before the first heading (named by the title) are the
preamble, no section.

>>> from retrieval.records import Chunk, Metadata
>>> text = "某局报告\\n一、工作\\n(一)执法。罚款5万元。\\n(二)普法。一是培训。二是宣传。"
>>> chunks = [Chunk("d", 0, "一、工作 > (一)执法", "(一)执法。罚款5万元。"),
...           Chunk("d", 1, "一、工作 > (二)普法", "(二)普法。一是培训。二是宣传。")]
>>> outline = Outline.of_parts("d", "a.txt", Metadata(title="某局报告"), text, chunks)
>>> [s.label for s in outline.top()], [s.label for s in outline.children(outline.top()[0])]
(['一、工作'], ['(一)执法', '(二)普法'])
>>> outline.text_of(outline.sections["一、工作 > (二)普法"])
'(二)普法。一是培训。二是宣传。'
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..ingest.chunking import heading_level
from ..records import Chunk, Hit, Metadata

if TYPE_CHECKING:  # pragma: no cover
    from ..index.backend import Reader

PATH_SEPARATOR = " > "  # between the headings of a chunk's section path (``ingest.chunking``)


@dataclass
class Section:
    """One heading of a report and the stretch of text under it."""

    path: str  # "一、主要工作情况 > (五)规范提升行政执法能力"
    start: int  # offset of its first chunk in the document text
    end: int  # end of its last chunk (sub-sections included)
    chunks: list[Chunk] = field(default_factory=list)  # its own chunks and its sub-sections', in order

    @property
    def parts(self) -> list[str]:
        return self.path.split(PATH_SEPARATOR)

    @property
    def label(self) -> str:
        """Its own heading, as written: "(五)规范提升行政执法能力"."""
        return self.parts[-1]

    @property
    def depth(self) -> int:
        return len(self.parts)


@dataclass
class Outline:
    """The sections of one report, in document order."""

    doc_id: str
    source: str
    meta: Metadata
    text: str
    chunks: list[Chunk]  # in document order
    offsets: list[int]  # where each chunk starts in ``text``
    sections: dict[str, Section]  # path -> section, in document order (parents before children)

    @classmethod
    def of(cls, reader: "Reader", doc_id: str) -> "Outline":
        """The outline of an indexed report."""
        doc = reader.documents[doc_id]
        return cls.of_parts(doc_id, doc.source, doc.meta, reader.document_text(doc_id),
                            reader.document_chunks(doc_id))

    @classmethod
    def of_parts(cls, doc_id: str, source: str, meta: Metadata, text: str, chunks: list[Chunk]) -> "Outline":
        """The outline of a report given as its text and its chunks."""
        chunks = sorted(chunks, key=lambda c: c.ordinal)
        offsets, cursor = [], 0
        for chunk in chunks:
            at = text.find(chunk.text, cursor)
            at = at if at >= 0 else cursor  # a chunk is verbatim text; keep order if not found
            offsets.append(at)
            cursor = at + 1
        preamble = _preamble_label(meta, text, chunks)
        sections: dict[str, Section] = {}
        for chunk, at in zip(chunks, offsets):
            if not chunk.section or chunk.section == preamble:
                continue
            parts = chunk.section.split(PATH_SEPARATOR)
            for depth in range(1, len(parts) + 1):
                path = PATH_SEPARATOR.join(parts[:depth])
                section = sections.setdefault(path, Section(path, at, at))
                section.end = max(section.end, at + len(chunk.text))
                section.chunks.append(chunk)
        return cls(doc_id, source, meta, text, chunks, offsets, sections)

    # ------------------------------------------------------------ structure

    def top(self) -> list[Section]:
        """The top-level sections."""
        return [s for s in self.sections.values() if s.depth == 1]

    def children(self, section: Section) -> list[Section]:
        """The sections right under ``section``."""
        prefix = section.path + PATH_SEPARATOR
        return [s for s in self.sections.values() if s.depth == section.depth + 1 and s.path.startswith(prefix)]

    def text_of(self, section: Section) -> str:
        """The verbatim text of a section, sub-sections included."""
        return self.text[section.start:section.end]

    # ------------------------------------------------------------ citations

    def hit_at(self, offset: int) -> Hit:
        """The passage holding the text at ``offset`` (the last chunk starting at or before it)."""
        i = max((i for i, at in enumerate(self.offsets) if at <= offset), default=0)
        return self.hit(self.chunks[i])

    def hit(self, chunk: Chunk) -> Hit:
        """A chunk of this report as a cited passage."""
        return Hit(chunk=chunk, meta=self.meta, source=self.source, score=0.0)


def _preamble_label(meta: Metadata, text: str, chunks: list[Chunk]) -> str:
    """The section name of the chunks before the first heading: the title line
    (``ingest.chunking`` names them by it), when the first chunk has it (a
    numbered heading, as in a page without a title, is a section)."""
    first_line = text.strip().split("\n", 1)[0].strip() if text.strip() else ""
    first = chunks[0].section if chunks else ""
    titled = first in (meta.title, first_line) and heading_level(first) is None
    return first if first and PATH_SEPARATOR not in first and titled else ""
