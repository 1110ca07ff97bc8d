"""Plain-text rendering of answers and document tables for the terminal."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from retrieval import Answer, Citation, Figure

# A yes/no answer's verdict as the terminal says it (English, with the Chinese word staff use).
VERDICTS = {"yes": "Yes (是)", "no": "No (否)", "not stated": "Not stated (报告未提及); the nearest passage:",
            "yes (planned)": "Yes, planned - not yet done (计划中)"}


def figure_text(answer: Answer) -> str:
    """The figures of an answer as written: '703次 · 1584.66万元'."""
    return figures_text(answer.figures)


def figures_text(figures: Sequence[Figure]) -> str:
    """Figures as written, joined: '703次 · 1584.66万元'."""
    return " · ".join(f.text or f"{f.value:g}{f.unit}" for f in figures)


def render_answer(answer: Answer) -> str:
    """Answer, figures, English line, source; or the refusal message."""
    place = f"Understood: {answer.scope}" if answer.scope else ""
    if not answer.answered:
        return "\n".join(x for x in (f"Not found. {answer.message}".strip(), place) if x)
    lines = [place] if place else []
    if answer.kind == "yesno":
        lines.append(VERDICTS.get(answer.verdict, answer.verdict))
    if answer.figures:
        lines.append(f"» {figure_text(answer)}")
    if answer.items:
        lines.append(items_lead(answer))
        lines += render_items(answer)
    else:
        lines.append(answer.answer)
    if answer.english and not answer.items and answer.kind != "yesno":  # a yes/no's is its verdict line
        lines.append(answer.english)
    if "\n" in answer.message:  # a comparison: the full table, with sources
        lines += ["", answer.message]
        return "\n".join(lines)
    if answer.source is not None:
        cite = report_or_passage(answer)
        lines.append("")
        lines.append(f"Source: {cite.title}")
        lines.append("        " + " | ".join([*cite.details(), f"file {cite.source}"]))
    return "\n".join(lines)


def report_or_passage(answer: Answer) -> Citation:
    """The citation of an answer's source: the whole report for a summary, else its passage."""
    hit = answer.source
    return Citation.of(hit.meta, hit.source) if answer.kind == "summary" else Citation.of_hit(hit)


def items_lead(answer: Answer) -> str:
    """What the items are: the English line, else the section (a list) or report (a summary)."""
    if answer.english:
        return answer.english
    cite = report_or_passage(answer)
    return f"{(cite.section.split(' > ')[-1] if cite.section else cite.title)}:"


@dataclass
class ItemRow:
    """One item of a list or summary as the front-ends lay it out."""

    number: int
    heading: str  # a summary item's section heading ("" for a list item)
    text: str
    figures: list[Figure]  # its figures not already written in its text
    place: str  # place and year of its report: "威海市 2021"
    section: str  # its section; both "" when the same as the row before's


def item_rows(answer: Answer) -> list[ItemRow]:
    """The items of a list or summary, numbered, each with its figures and
    where it stands (said once for a run of items from the same section)."""
    rows, previous = [], None
    for n, item in enumerate(answer.items, 1):
        cite = Citation.of_hit(item.hit) if item.hit is not None else None
        where = (cite.place, cite.section) if cite else ("", "")
        shown = where if where != previous else ("", "")
        previous = where
        extra = [f for f in item.figures if (f.text or "") not in item.text]
        rows.append(ItemRow(n, item.heading, item.text, extra, *shown))
    return rows


def render_items(answer: Answer) -> list[str]:
    """A list's or a summary's items for the terminal: '1. text  » figures' and '[place | section]'."""
    lines = []
    for row in item_rows(answer):
        text = " - ".join(x for x in (row.heading, row.text) if x)
        lines.append(f"{row.number:>2}. {text}" + (f"  » {figures_text(row.figures)}" if row.figures else ""))
        if row.place or row.section:
            lines.append(f"    [{' | '.join(x for x in (row.place, row.section) if x)}]")
    return lines


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
