"""Structured answers to list, summary and yes/no questions (``Query.asks``),
each item cited; None when the passages hold no such answer (no numbered items,
no outline, no topic), and the ordinary answer (``lookup``) is given instead.

- list (``lists``): the items of the section asked about;
- summary (``summary``): the report's section headings with key figures, or a
  topic's items;
- yes/no (``yesno``): "yes", "yes (planned)", "no" or "not stated", with the evidence.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..records import Answer, Hit
from .items import Library, topic_concepts
from .lists import list_answer
from .summary import summary_answer
from .yesno import yesno_answer

if TYPE_CHECKING:  # pragma: no cover
    from ..query.parse import Query

STRUCTURED = ("list", "summary", "yesno")  # the values of ``Query.asks`` answered here

__all__ = ["STRUCTURED", "Library", "structured_answer"]


def structured_answer(query: "Query", hits: Sequence[Hit], library: Library) -> Answer | None:
    """The structured answer ``query.asks`` for, from ``hits`` (best first), or None."""
    if query.asks == "yesno":
        return yesno_answer(query, hits, library)
    if query.asks == "summary":
        return summary_answer(query, hits, library, topic_concepts(query, library))
    if query.asks == "list":
        return list_answer(query, hits, library, topic_concepts(query, library))
    return None
