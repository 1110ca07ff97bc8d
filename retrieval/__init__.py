"""govqa's retrieval side: ingest, index, search, answer.

>>> from retrieval import Engine                      # doctest: +SKIP
>>> engine = Engine.open("index")                      # doctest: +SKIP
>>> engine.ask("金华市2020年罚款多少").to_dict()        # doctest: +SKIP

Names are imported lazily so that light commands start fast.
"""
from __future__ import annotations

from typing import Any

__all__ = ["Engine", "QuestionError", "build_index", "add_documents", "remove_documents"]


def __getattr__(name: str) -> Any:
    if name in ("Engine", "QuestionError"):
        from . import engine

        return getattr(engine, name)
    if name in ("build_index", "add_documents", "remove_documents"):
        from . import indexer

        return getattr(indexer, name)
    raise AttributeError(name)
