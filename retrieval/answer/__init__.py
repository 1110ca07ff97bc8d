"""Answer: from the ranked passages (or the facts table) to an ``Answer``.

Owns: the clause that answers and the concepts it is scored by (``extract``),
an ordinary question's answer or refusal (``lookup``), questions about a report itself
(``report_fields``), the one citation
(``sources``), the English line (``english``), comparisons across reports
(``compare``, ``chart``).
Takes in: a parsed ``Query`` and ranked ``Hit`` passages, or the facts table.
Hands on: ``records.Answer`` to the engine and the front-ends.

The names below are also the old ``retrieval.answer`` module's (kept for one release).
"""
from __future__ import annotations

from .extract import (MAX_ANSWER_CHARS, MIN_COVERAGE, SHORT_ANSWER_CHARS,
                      UNTRANSLATED_WEIGHT, Concept, Extraction, extract, idf_from_df, is_signature,
                      split_clauses, weight_concepts)
from .report_fields import METADATA_FIELDS, metadata_answer, metadata_question

__all__ = ["MAX_ANSWER_CHARS", "MIN_COVERAGE", "UNTRANSLATED_WEIGHT", "SHORT_ANSWER_CHARS",
           "METADATA_FIELDS", "Concept", "Extraction", "split_clauses", "weight_concepts", "extract",
           "is_signature", "metadata_question", "metadata_answer", "idf_from_df"]
