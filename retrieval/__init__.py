"""govqa's retrieval side: documents in, answers out. The front-ends (``bot``)
use only the names exported here.

>>> from retrieval import Engine                      # doctest: +SKIP
>>> engine = Engine.open("index")                      # doctest: +SKIP
>>> engine.ask("金华市2020年罚款多少").to_dict()        # doctest: +SKIP

Packages, in data-flow order (each ``__init__`` says what it owns, takes in
and hands on): ``text`` (Chinese text rules, tokenizer, figures) ->
``ingest`` (files -> documents -> chunks) -> ``index`` (vectors, BM25,
SQLite, facts) -> ``query`` (question -> Query, plan, scope) -> ``rank``
(passages) -> ``answer`` (extraction, comparisons, English, citations);
``engine`` runs a question through them; ``dev`` measures them.

Names are imported lazily so that light commands (``govqa --help``) start fast.
"""
from __future__ import annotations

import importlib
from typing import Any

# exported name -> (module, attribute)
_EXPORTS: dict[str, tuple[str, str]] = {
    # asking
    "Engine": ("engine", "Engine"),
    "QuestionError": ("query.parse", "QuestionError"),
    "Answer": ("records", "Answer"),
    "AnswerItem": ("records", "AnswerItem"),
    "Hit": ("records", "Hit"),
    "Figure": ("records", "Figure"),
    "Metadata": ("records", "Metadata"),
    "Citation": ("answer.sources", "Citation"),
    "place_english": ("query.regions", "place_english"),
    "has_han": ("text.lexicon", "has_han"),
    # settings
    "Settings": ("settings", "Settings"),
    "setup_logging": ("settings", "setup_logging"),
    # the index
    "build_index": ("index.indexer", "build_index"),
    "add_documents": ("index.indexer", "add_documents"),
    "remove_documents": ("index.indexer", "remove_documents"),
    "IndexReader": ("index.store", "IndexReader"),
    "read_manifest": ("index.store", "read_manifest"),
    "IndexMissingError": ("index.store", "IndexMissingError"),
    "IndexLockedError": ("index.store", "IndexLockedError"),
    "IndexDamagedError": ("index.generations", "IndexDamagedError"),
    "IndexWriteError": ("index.generations", "IndexWriteError"),
    "ModelMismatchError": ("index.store", "ModelMismatchError"),
    "verify_index": ("index.verify", "verify"),
    "open_index": ("index.backend", "open_index"),  # the folder or Milvus (GOVQA_BACKEND)
    "IndexUnavailableError": ("index.backend", "IndexUnavailableError"),
    "BackendError": ("index.backend", "BackendError"),
    # the facts table (``govqa facts`` reads it without loading the model)
    "facts_of": ("index.fact_store", "for_reader"),
    "RegionTable": ("query.regions", "RegionTable"),
    "measures": ("text.units", "measures"),
    "resolve_measure": ("query.measures", "resolve_measure"),
    "select_facts": ("query.measures", "select"),
    # measuring
    "load_qa": ("dev.evaluation", "load_questions"),
    "evaluate": ("dev.evaluation", "run"),
    "Scored": ("dev.evaluation", "Scored"),
    "BenchConfig": ("dev.bench", "BenchConfig"),
    "ColdStart": ("dev.bench", "ColdStart"),
    "BENCH_WORK": ("dev.bench", "WORK"),
    "parse_sizes": ("dev.bench", "parse_sizes"),
    "run_bench": ("dev.bench", "main"),
}

__all__ = list(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'retrieval' has no attribute {name!r}")
    module, attribute = _EXPORTS[name]
    value = getattr(importlib.import_module(f".{module}", __name__), attribute)
    globals()[name] = value  # imported once
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
