"""Which documents ``govqa index remove KEY...`` means, or why it means none.

A key names documents by, in order: exact source (``reports/2020/a.pdf``),
full document id, or an id prefix that matches exactly one document. Nothing
is removed when a key matches nothing or a prefix matches several (the
matches are listed), and more than one document goes only when every key was
exact (a full id or a source naming one document) or ``yes`` is given.

>>> from retrieval.records import Document, Metadata
>>> docs = [Document(i, s, "", Metadata()) for i, s in
...         [("0a11", "a.txt"), ("0b22", "b.txt"), ("c333", "c.txt")]]
>>> [d.source for d in select_for_removal(["c3"], docs)[0]]
['c.txt']
>>> chosen, errors = select_for_removal(["0"], docs)
>>> chosen, str(errors[0])
([], '0: matches 2 documents (0a11 a.txt; 0b22 b.txt): give more of the id, or the source')
>>> str(select_for_removal(["0a", "0b"], docs)[1][0])
'0a 0b: would remove 2 documents not each named by full id or source: give those, or add --yes'
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

from ..ingest import IngestError
from ..records import Document

SHOWN_MATCHES = 20  # matches listed for an ambiguous prefix


def select_for_removal(keys: Sequence[str], docs: Sequence[Document],
                       yes: bool = False) -> tuple[list[Document], list[IngestError]]:
    """(documents to remove, in index order; errors). With any error the list is empty."""
    chosen: dict[str, Document] = {}
    errors: list[IngestError] = []
    prefixes: list[str] = []
    for key in keys:
        matches, exact = _matches(key, docs)
        if not matches:
            errors.append(IngestError(Path(key), "no indexed document has this id or source"))
        elif len(matches) > 1 and not exact:
            shown = "; ".join(f"{d.doc_id} {d.source}" for d in matches[:SHOWN_MATCHES])
            more = f"; and {len(matches) - SHOWN_MATCHES} more" if len(matches) > SHOWN_MATCHES else ""
            errors.append(IngestError(Path(key), f"matches {len(matches)} documents ({shown}{more}): "
                                                 "give more of the id, or the source"))
        else:
            chosen.update((d.doc_id, d) for d in matches)
            if not exact or len(matches) > 1:
                prefixes.append(key)
    if not errors and len(chosen) > 1 and prefixes and not yes:
        errors.append(IngestError(Path(" ".join(prefixes)), f"would remove {len(chosen)} documents not each named "
                                  "by full id or source: give those, or add --yes"))
    if errors:
        return [], errors
    order = {d.doc_id: i for i, d in enumerate(docs)}
    return sorted(chosen.values(), key=lambda d: order[d.doc_id]), []


def _matches(key: str, docs: Sequence[Document]) -> tuple[list[Document], bool]:
    """(documents ``key`` names, whether it named them exactly)."""
    key = key.strip()
    if not key:
        return [], True
    exact = [d for d in docs if d.source == key or d.doc_id == key]
    if exact:
        return exact, True
    return [d for d in docs if d.doc_id.startswith(key)], False
