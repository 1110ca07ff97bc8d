"""Plain-text rendering of answers and document tables for the terminal."""
from __future__ import annotations

from typing import Sequence

from retrieval import Answer, Citation


def figure_text(answer: Answer) -> str:
    """The figures of an answer as written: '703次 · 1584.66万元'."""
    return " · ".join(f.text or f"{f.value:g}{f.unit}" for f in answer.figures)


def render_answer(answer: Answer) -> str:
    """Answer, figures, English line, source; or the refusal message."""
    if not answer.answered:
        return f"Not found. {answer.message}".strip()
    lines = []
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


def render_documents(docs: Sequence) -> None:
    """Table of indexed documents (rich when the terminal allows)."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{len(docs)} indexed document(s)")
    for col in ("id", "source", "region", "year", "type", "chunks", "added"):
        table.add_column(col)
    for d in docs:
        table.add_row(d.doc_id[:12], d.source, d.meta.region, str(d.meta.year or ""),
                      d.meta.doc_type, str(d.chunks), d.added_at)
    Console().print(table)
