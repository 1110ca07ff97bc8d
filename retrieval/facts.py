"""Old import path, kept for one release: facts are extracted in ``retrieval.index.facts``,
stored in ``retrieval.index.fact_store``; measures are named in ``retrieval.query.measures``."""
from .index.fact_store import FACTS_FILE, FACTS_FORMAT, FactStore, for_reader, write_facts  # noqa: F401
from .index.facts import (Fact, Report, approx_word, extract_facts, scope_of,  # noqa: F401
                          sentence_facts)
from .query.measures import question_measures, resolve_measure, select  # noqa: F401

__all__ = ["Fact", "Report", "FactStore", "extract_facts", "write_facts", "for_reader", "select",
           "resolve_measure", "question_measures", "scope_of", "FACTS_FILE"]
