"""Records that cross module lines: documents, chunks, hits, figures, answers.

Everything here is a plain dataclass so that it can be stored, printed and
turned into JSON without surprises.

>>> meta = Metadata(title="金华市应急管理局关于2020年度法治政府建设工作情况的报告",
...                 region="金华市", year=2020)
>>> meta.label()
'金华市 2020'
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Metadata:
    """What a report is, read from its own text (never from its file name)."""

    title: str = ""
    issuer: str = ""  # issuing body, e.g. 金华市应急管理局
    region: str = ""  # most specific place, e.g. 金华市, 静海区, 明溪县; "" when it could not be read
    parent_region: str = ""  # the place right above it, e.g. 天津市 for 静海区
    level: str = ""  # 省 / 市 / 区 / 县 / 国家
    parents: list[str] = field(default_factory=list)  # every place above it, nearest first
    place_source: str = ""  # where the place was read: title, issuer, org, own, document, body
    place_confidence: float = 0.0  # share of the page's place evidence that went to ``region`` (0-1)
    named_places: list[str] = field(default_factory=list)  # places its title, fields or signature name
    year: int | None = None  # the year the report covers
    doc_type: str = "other"  # 法治政府建设报告, 工作要点, 工作总结, ...
    publish_date: str | None = None  # ISO yyyy-mm-dd, or None when not readable
    doc_number: str = ""  # 文号, e.g. 十应急发〔2021〕6号

    def places(self) -> set[str]:
        """Every place a question may name to mean this report: its region, the
        places above it, and the places its title, fields or signature name."""
        return {self.region, self.parent_region, *self.parents, *self.named_places} - {""}

    def label(self) -> str:
        """Short human label: place and year."""
        parts = [self.region or self.issuer or self.title[:20]]
        if self.year:
            parts.append(str(self.year))
        return " ".join(p for p in parts if p)


@dataclass
class Document:
    """One ingested report: cleaned text plus metadata."""

    doc_id: str  # content hash (hex, 16 chars)
    source: str  # path relative to the folder given, or the file name (.jsonl corpora: + "#" line number)
    text: str  # cleaned, normalised text; paragraphs separated by "\n"
    meta: Metadata = field(default_factory=Metadata)
    url: str = ""
    added_at: str = ""  # when it entered the index (kept across index add/remove); "" = not yet
    # where each page of a paged source (PDF, scan) starts in ``text``: (offset, page); [] = no pages
    pages: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class Chunk:
    """A paragraph-sized piece of a document, with its section path."""

    doc_id: str
    ordinal: int  # position within the document, 0-based
    section: str  # e.g. "一、主要工作情况 > (五)规范提升行政执法能力"
    text: str
    sentences: list[str] = field(default_factory=list)
    chunk_id: int = -1  # row id in the store (= FAISS id); -1 before storing
    page: int | None = None  # page it starts on, for paged sources (PDF, scans); None otherwise


@dataclass
class Hit:
    """A retrieved chunk with its document's metadata and scores."""

    chunk: Chunk
    meta: Metadata
    source: str
    score: float
    dense: float = 0.0
    keyword: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "doc": self.source,
            "title": self.meta.title,
            "region": self.meta.region,
            "year": self.meta.year,
            "section": self.chunk.section,
            "page": self.chunk.page,
            "text": self.chunk.text,
            "score": round(float(self.score), 4),
        }


@dataclass
class Figure:
    """A number found in text: 1584.66万元 -> value 1584.66, unit 万元."""

    value: float
    unit: str  # as written, e.g. 万元, 次, 家, %, 人
    label: str  # what is counted, e.g. 罚款, 行政处罚
    text: str = ""  # the literal span, e.g. "1584.66万元"
    approx: bool = False  # 余/近/约/多

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "unit": self.unit, "label": self.label}


@dataclass
class AnswerItem:
    """One item of a structured answer: a measure of a list, a section of a summary."""

    text: str  # as written in the report, short
    figures: list[Figure] = field(default_factory=list)
    hit: Hit | None = None  # the passage it stands in (its citation)
    heading: str = ""  # a summary item's section heading

    def to_dict(self) -> dict[str, Any]:
        where = self.hit.to_dict() if self.hit else {}
        return {"text": self.text, "heading": self.heading, "figures": [f.to_dict() for f in self.figures],
                "doc": where.get("doc", ""), "section": where.get("section", "")}


@dataclass
class Answer:
    """What the engine says to a question."""

    question: str
    answered: bool
    answer: str = ""  # the sentence or clause holding the answer (<= 200 chars)
    message: str = ""  # human text: refusal reason, or a short lead-in
    english: str = ""  # English line, for English questions
    figures: list[Figure] = field(default_factory=list)
    passages: list[Hit] = field(default_factory=list)
    elapsed_ms: float = 0.0
    id: str = ""
    # What the question was understood to be about, for follow-ups:
    # {"region": "金华市", "year": 2020, "topic": "罚款 行政处罚"}. Pass it back
    # as ``engine.ask(next_question, context=answer.context)``.
    context: dict[str, Any] = field(default_factory=dict)
    scope: str = ""  # how the place asked about was read, when not as written: "广西 = 广西壮族自治区"
    kind: str = ""  # "list", "summary", "yesno" for structured answers; "" for a sentence or a comparison
    items: list[AnswerItem] = field(default_factory=list)  # a list's or a summary's items, each cited
    verdict: str = ""  # a yes/no question's: "yes", "no", "not stated" ("yes (planned)" for a plan)

    @property
    def source(self) -> Hit | None:
        """The passage the answer was taken from (first passage)."""
        return self.passages[0] if self.passages else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "question": self.question,
            "answered": self.answered,
            "answer": self.answer if self.answered else "",
            "message": self.message,
            "english": self.english,
            "figures": [f.to_dict() for f in self.figures],
            "passages": [h.to_dict() for h in self.passages[:5]],
            "elapsed_ms": round(self.elapsed_ms, 1),
            "scope": self.scope,
            "kind": self.kind,
            "items": [i.to_dict() for i in self.items],
            "verdict": self.verdict,
        }


def metadata_from_dict(d: dict[str, Any]) -> Metadata:
    """Rebuild Metadata from a stored dict, ignoring unknown keys."""
    known = Metadata.__dataclass_fields__
    return Metadata(**{k: v for k, v in d.items() if k in known})


def metadata_to_dict(m: Metadata) -> dict[str, Any]:
    return asdict(m)
