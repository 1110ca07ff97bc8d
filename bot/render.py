"""Plain-text rendering of answers and document tables for the terminal."""
from __future__ import annotations

from typing import Sequence

from retrieval import Answer, Citation


def figure_text(answer: Answer) -> str:
    """The figures of an answer as written: '703次 · 1584.66万元'."""
    return " · ".join(f.text or f"{f.value:g}{f.unit}" for f in answer.figures)


def render_answer(answer: Answer) -> str:
    """Answer, figures, English line, source; or the refusal message."""
    place = f"Understood: {answer.scope}" if answer.scope else ""
    if not answer.answered:
        return "\n".join(x for x in (f"Not found. {answer.message}".strip(), place) if x)
    lines = [place] if place else []
    if answer.figures:
        lines.append(f"» {figure_text(answer)}")
    lines.append(answer.answer)
    if answer.english:
        lines.append(answer.english)
    if "\n" in answer.message:  # a comparison: the full table, with sources
        lines += ["", answer.message]
        return "\n".join(lines)
    if answer.source is not None:
        cite = Citation.of_hit(answer.source)
        lines.append("")
        lines.append(f"Source: {cite.title}")
        lines.append("        " + " | ".join([*cite.details(), f"file {cite.source}"]))
    return "\n".join(lines)


UNSURE_PLACE = 0.6  # below this share of the page's place evidence, the place is flagged for a look
WIDE_OUTPUT = 200  # columns when the output is not a terminal (a file or a pipe): nothing cut


def render_documents(docs: Sequence) -> None:
    """Table of indexed documents (rich when the terminal allows): where each
    place was read from, and a flag on places or years that could not be read."""
    import sys

    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{len(docs)} indexed document(s)")
    for col in ("id", "source", "region", "from", "year", "type", "chunks", "added", "check"):
        table.add_column(col)
    for d in docs:
        m = d.meta
        table.add_row(d.doc_id[:12], d.source, m.region, m.place_source, str(m.year or ""),
                      m.doc_type, str(d.chunks), d.added_at, " ".join(document_flags(m)))
    Console(width=None if sys.stdout.isatty() else WIDE_OUTPUT).print(table)


def document_flags(meta) -> list[str]:
    """What an administrator should look at: 'place?' (not read, or read on thin
    evidence) and 'year?' (not read)."""
    flags = []
    if not meta.region or (meta.place_source and meta.place_confidence < UNSURE_PLACE):
        flags.append("place?")
    if not meta.year:
        flags.append("year?")
    return flags
