"""Where an answer comes from: the one citation of a passage.

Every front-end lays a citation out its own way (one line in ``Answer.message``,
two lines in the terminal, HTML in Telegram) from the same ``Citation``.

>>> from retrieval.records import Metadata
>>> Citation.of(Metadata(title="某局报告", issuer="某局", publish_date="2021-01-25"), "a.txt", "一、成效").line()
'某局报告 | 某局 | 一、成效 | published 2021-01-25'
>>> Citation.of(Metadata(title="某局报告"), "scan.pdf", "一、成效", page=2).line()
'某局报告 | 一、成效 | p. 2'
"""
from __future__ import annotations

from dataclasses import dataclass

from ..records import Hit, Metadata


@dataclass(frozen=True)
class Citation:
    """A report's title, issuing body, the section of the passage, publish date, file."""

    title: str  # the report's own title, else its file name
    issuer: str = ""
    section: str = ""
    published: str = ""  # yyyy-mm-dd, "" when the report gives none
    source: str = ""  # file name (for .jsonl corpora: file name + line)
    place: str = ""  # place and year: "金华市 2020"
    page: int | None = None  # page of a paged source (PDF, scan) the passage starts on

    @classmethod
    def of(cls, meta: Metadata, source: str, section: str = "", page: int | None = None) -> "Citation":
        return cls(meta.title or source, meta.issuer, section, meta.publish_date or "", source, meta.label(), page)

    @classmethod
    def of_hit(cls, hit: Hit) -> "Citation":
        return cls.of(hit.meta, hit.source, hit.chunk.section, hit.chunk.page)

    def page_label(self) -> str:
        """'p. 3' for a paged source, else ''."""
        return f"p. {self.page}" if self.page else ""

    def details(self) -> list[str]:
        """What follows the title: issuer, section, page, 'published yyyy-mm-dd' (those known)."""
        parts = [self.issuer, self.section, self.page_label(), f"published {self.published}" if self.published else ""]
        return [p for p in parts if p]

    def line(self) -> str:
        """'title | issuer | section | p. 3 | published yyyy-mm-dd'."""
        return " | ".join([self.title, *self.details()])


def citation(hit: Hit) -> str:
    """The citation line of a passage (``Citation.line``)."""
    return Citation.of_hit(hit).line()
