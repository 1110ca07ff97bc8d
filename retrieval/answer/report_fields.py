"""Questions about a report itself (its 文号, publish date, issuer), answered
from its metadata: the sentence of the report that states the value, else
'label: value' with the report's title."""
from __future__ import annotations

import re
from collections.abc import Sequence

from ..records import Hit
from ..text.lexicon import MAX_ANSWER_CHARS
from .extract import Extraction

# Questions about the report itself, answered from its metadata:
# (metadata field, label, pattern of the question).
METADATA_FIELDS: tuple[tuple[str, str, re.Pattern], ...] = (
    ("doc_number", "文号", re.compile(r"文号|发文字号|document number|reference number|file number", re.I)),
    ("publish_date", "发布日期", re.compile(
        r"发布日期|发布时间|何时发布|什么时候发布|哪天发布|when was .*(?:published|released|issued)|"
        r"publish(?:ed|ing)? date|release date", re.I)),
    ("issuer", "发文机关", re.compile(
        r"发文单位|发文机关|发布单位|发布机关|哪个(?:部门|单位)发布|who (?:issued|published|wrote)|issuing body", re.I)),
)


def metadata_question(text: str) -> tuple[str, str] | None:
    """(field, label) when the question asks for a property of the report."""
    for field_name, label, pattern in METADATA_FIELDS:
        if pattern.search(text):
            return field_name, label
    return None


def metadata_answer(field_name: str, label: str, hits: Sequence[Hit]) -> Extraction | None:
    """Answer from the metadata of the best-ranked report that has the field:
    the sentence of the report that states it, else 'label: value'."""
    for rank, hit in enumerate(hits):
        value = getattr(hit.meta, field_name, "") or ""
        if not value:
            continue
        for other_rank, other in enumerate(hits):
            if other.chunk.doc_id != hit.chunk.doc_id:
                continue
            for sentence in other.chunk.sentences or [other.chunk.text]:
                if value in sentence and len(sentence) <= MAX_ANSWER_CHARS:
                    return Extraction(other, other_rank, sentence, sentence.strip(), [], 1.0, 1.0, sentence, [label])
        title = hit.meta.title or hit.source
        text = f"《{title}》{label}: {value}"[:MAX_ANSWER_CHARS]
        return Extraction(hit, rank, text, text, [], 1.0, 1.0, text, [label])
    return None
