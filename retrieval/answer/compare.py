"""Comparison answers: figures across reports, from the facts table.

``query.plan`` says what is compared (rank, table, versus, list); this module
finds the rows (``compare``) and words the answer. A report in scope that
states no figure for the measure is named as lacking it, never dropped.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..index.fact_store import FactStore
from ..index.facts import Fact, Report
from ..query.plan import Request, Side, plan
from ..query.regions import place_english
from ..query.scope import holdings_line
from ..records import Answer, Chunk, Hit
from ..text.lexicon import MAX_ANSWER_CHARS
from ..text.units import measure_english
from .english import english_value
from .sources import Citation

if TYPE_CHECKING:  # pragma: no cover
    from ..index.backend import Reader
    from ..query.parse import Query


__all__ = ["Request", "Side", "ComparisonRow", "Comparison", "plan", "compare", "answer", "chart_png"]


# ================================================================ the figures


@dataclass
class ComparisonRow:
    """One report in a comparison: its figure for the measure, or none."""

    report: Report
    fact: Fact | None  # the headline figure (the largest of the report's figures for the measure)
    others: list[Fact] = field(default_factory=list)  # the report's other figures for the measure

    @property
    def missing(self) -> bool:
        return self.fact is None


@dataclass
class Comparison:
    """Rows for one measure, ranked; reports lacking the measure come last."""

    request: Request
    measure: str
    rows: list[ComparisonRow]
    unknown: list[Side] = field(default_factory=list)  # sides with no indexed report

    @property
    def present(self) -> list[ComparisonRow]:
        return [r for r in self.rows if not r.missing]

    @property
    def missing(self) -> list[ComparisonRow]:
        return [r for r in self.rows if r.missing]


def compare(request: Request, store: FactStore) -> Comparison | None:
    """The figures a rank/table/versus request asks for; None when no report is in scope."""
    assert request.measure is not None
    groups = [(side, store.reports_in(side.region, side.year)) for side in request.sides] or \
        [(Side(), list(store.reports.values()))]
    unknown = [side for side, reports in groups if not reports]
    if request.kind == "versus":
        rows = [_side_row(reports, request.measure, store) for _, reports in groups if reports]
        return Comparison(request, request.measure, rows, unknown) if rows else None
    reports = list({r.doc_id: r for _, rs in groups for r in rs}.values())
    if not reports:
        return None
    rows = [_report_row(r, request.measure, store) for r in reports]
    return Comparison(request, request.measure, _ranked(rows, request.ascending), unknown)


def _report_row(report: Report, measure: str, store: FactStore) -> ComparisonRow:
    facts = store.facts(measure=measure, doc_id=report.doc_id)
    if not facts:
        return ComparisonRow(report, None)
    best = max(facts, key=lambda f: f.base_value)
    return ComparisonRow(report, best, [f for f in facts if f is not best])


def _side_row(reports: list[Report], measure: str, store: FactStore) -> ComparisonRow:
    """One side of a versus question: the best row among the side's reports."""
    rows = [_report_row(r, measure, store) for r in reports]
    found = [r for r in rows if not r.missing]
    return max(found, key=lambda r: r.fact.base_value) if found else rows[0]


def _ranked(rows: list[ComparisonRow], ascending: bool) -> list[ComparisonRow]:
    present = sorted((r for r in rows if not r.missing), key=lambda r: r.fact.base_value,
                     reverse=not ascending)
    return present + [r for r in rows if r.missing]


# ================================================================ answers


def answer(query: "Query", store: FactStore, reader: "Reader | None" = None,
           request: Request | None = None, holdings: str | None = None) -> Answer | None:
    """The Answer to a comparison question, or None when ``query`` is no comparison
    (or names no indexed report at all: the ordinary refusal then explains).

    ``request`` is ``plan(query)`` when the caller has it; ``holdings`` the
    "Indexed: ..." line (``query.scope``), made from ``store`` when not given.
    """
    request = request or plan(query)
    if request is None:
        return None
    if query.unknown_places:
        held = holdings or holdings_line(r.meta for r in store.reports.values())
        return Answer(question=query.raw, answered=False,
                      message=f"No report for {'、'.join(query.unknown_places)} is indexed, so it "
                              f"cannot be compared. {held}")
    if request.kind == "list":
        return _list_answer(query, request, store, reader)
    comparison = compare(request, store)
    if comparison is None:
        return None
    if request.kind == "versus":
        return _versus_answer(query, comparison, store, reader)
    return _table_answer(query, comparison, reader)


# ---------------------------------------------------------------- rank / table


def _table_answer(query: "Query", comp: Comparison, reader: "Reader | None") -> Answer:
    order = "从低到高" if comp.request.ascending else "从高到低"
    items = [f"{r.report.label()}: {_shown(r.fact)}" for r in comp.present]  # ": " keeps year and value apart
    lacking = [r.report.label() for r in comp.missing]
    tail = [f"无此数据: {'、'.join(lacking)}"] if lacking else []
    head = f"{comp.measure}{order}: " if comp.present else f"{comp.measure}: "
    if not comp.present:
        return Answer(question=query.raw, answered=False, message=_table_text(comp),
                      english=_table_english(comp) if query.lang == "en" else "")
    result = Answer(question=query.raw, answered=True,
                    answer=_fit(head, [f"{i}. {s}" for i, s in enumerate(items, 1)], tail),
                    message=_table_text(comp),
                    figures=[r.fact.figure() for r in comp.present],
                    passages=_hits([r.fact for r in comp.present], _reports_of(comp), reader))
    if query.lang == "en":
        result.english = _table_english(comp)
    return result


def _reports_of(comp: Comparison) -> dict[str, Report]:
    return {r.report.doc_id: r.report for r in comp.rows}


def _table_text(comp: Comparison) -> str:
    """The full table: rank, report, figure (and base value), sentence, source; then the lacking."""
    english = measure_english(comp.measure) or ""
    order = "lowest first" if comp.request.ascending else "highest first"
    lines = [f"{comp.measure} ({english}) in {len(comp.rows)} report(s), {order}:"]
    for i, row in enumerate(comp.present, 1):
        lines += _row_lines(i, row)
    units = list(dict.fromkeys(r.fact.base_unit for r in comp.present))
    if len(units) > 1:
        lines.append(f"Note: these figures count in different units ({', '.join(units)}); compare with care.")
    for row in comp.missing:
        lines.append(f"—  {row.report.label()}: no {comp.measure} figure in this report "
                     f"({row.report.meta.title or row.report.source})")
    for side in comp.unknown:
        lines.append(f"—  {side.describe()}: no indexed report")
    return "\n".join(lines)


def _row_lines(rank: int, row: ComparisonRow) -> list[str]:
    fact = row.fact
    base = f" = {_number(fact.base_value)} {fact.base_unit}" if fact.base_unit and fact.base_value != fact.value else ""
    notes = " · ".join([fact.label, *fact.qualifiers()]) if fact.label else " · ".join(fact.qualifiers())
    lines = [f"{rank}. {row.report.label()}: {_shown(fact)}{base}" + (f"  [{notes}]" if notes else ""),
             f"   “{_excerpt(fact.sentence, fact.text)}”",
             f"   Source: {Citation.of(row.report.meta, row.report.source, fact.section, fact.page).line()}"]
    if row.others:
        also = "; ".join(f"{_shown(f)} {f.label}".strip() for f in row.others[:6])
        more = f" (+{len(row.others) - 6} more)" if len(row.others) > 6 else ""
        lines.append(f"   Also in this report: {also}{more}")
    return lines


def _table_english(comp: Comparison) -> str:
    """'Fines (罚款金额), highest first: Jinhua 2020: 15.8466 million yuan (1584.66万元); …'."""
    english = (measure_english(comp.measure) or comp.measure)
    order = "lowest first" if comp.request.ascending else "highest first"
    parts = [f"{_place_en(r.report)}: {english_value(r.fact.figure())} ({_shown(r.fact)})" for r in comp.present]
    line = f"{english[:1].upper()}{english[1:]} ({comp.measure}), {order}: " + "; ".join(parts)
    if comp.missing:
        line += ". No figure in: " + ", ".join(_place_en(r.report) for r in comp.missing)
    return line + "."


# ---------------------------------------------------------------- versus


def _versus_answer(query: "Query", comp: Comparison, store: FactStore,
                   reader: "Reader | None") -> Answer:
    request = comp.request
    if comp.unknown:
        side = comp.unknown[0]
        held = ", ".join(r.label() for r in store.reports_in(side.region)) or "none"
        return Answer(question=query.raw, answered=False,
                      message=f"No indexed report for {side.describe()}, so it cannot be compared; "
                              f"indexed for {side.region or 'that year'}: {held}.")
    a, b = comp.rows[0], comp.rows[1]
    present = [r for r in (a, b) if not r.missing]
    if len(present) < 2:
        lacking = "、".join(r.report.label() for r in (a, b) if r.missing)
        known = "; ".join(f"{r.report.label()}: {_shown(r.fact)}" for r in present)
        text = f"无法比较: {lacking} 无{comp.measure}数据" + (f"; {known}" if known else "")
        result = Answer(question=query.raw, answered=bool(present), answer=text[:MAX_ANSWER_CHARS],
                        message=_table_text(comp), figures=[r.fact.figure() for r in present],
                        passages=_hits([r.fact for r in present], _reports_of(comp), reader))
        if query.lang == "en":
            result.english = (f"Cannot compare: no {measure_english(comp.measure) or comp.measure} figure for "
                              + ", ".join(_place_en(r.report) for r in (a, b) if r.missing) + ".")
        return result
    bigger = a.fact.base_value > b.fact.base_value
    equal = a.fact.base_value == b.fact.base_value
    yes = (not equal) and (bigger if request.more else not bigger)
    relation = "等于" if equal else ("多于" if bigger else "少于")
    text = (f"{'是' if yes else '否'}。{a.report.label()} {comp.measure} {_shown(a.fact)},"
            f"{relation} {b.report.label()} 的 {_shown(b.fact)}。")
    result = Answer(question=query.raw, answered=True, answer=text[:MAX_ANSWER_CHARS],
                    message=_table_text(Comparison(request, comp.measure, _ranked(comp.rows, False))),
                    figures=[a.fact.figure(), b.fact.figure()],
                    passages=_hits([a.fact, b.fact], _reports_of(comp), reader))
    if query.lang == "en":
        english = measure_english(comp.measure) or comp.measure
        word = "equal to" if equal else ("more than" if bigger else "less than")
        result.english = (f"{'Yes' if yes else 'No'}: {english} — {_place_en(a.report)}: "
                          f"{english_value(a.fact.figure())} ({_shown(a.fact)}), {word} "
                          f"{_place_en(b.report)}: {english_value(b.fact.figure())} ({_shown(b.fact)}).")
    return result


# ---------------------------------------------------------------- list


def _list_answer(query: "Query", request: Request, store: FactStore,
                 reader: "Reader | None") -> Answer | None:
    reports = list({r.doc_id: r for s in request.sides for r in store.reports_in(s.region, s.year)}.values())
    if not reports:
        return None
    facts = [f for r in reports for f in store.facts(measure=request.measure, doc_id=r.doc_id)]
    by_id = {r.doc_id: r for r in reports}
    names = "、".join(r.label() for r in reports)
    if not facts:
        what = f"{request.measure} figures" if request.measure else "figures"
        return Answer(question=query.raw, answered=False, message=f"{names}: the report states no {what}.")
    sections = len({(f.doc_id, f.section) for f in facts})
    head = f"{names}: {len(facts)} 个数据, {sections} 个部分。"
    items = [f"{f.label} {_shown(f)}".strip() for f in facts]
    result = Answer(question=query.raw, answered=True, answer=_fit(head, items, []),
                    message=_listing_text(facts, by_id), figures=[f.figure() for f in facts],
                    passages=_hits(facts, by_id, reader))
    if query.lang == "en":
        places = ", ".join(_place_en(r) for r in reports)
        result.english = (f"{places}: {len(facts)} figures in {sections} sections, listed by section "
                          f"(e.g. {'; '.join(_fact_en(f) for f in facts[:3])}).")
    return result


def _listing_text(facts: list[Fact], reports: dict[str, Report]) -> str:
    """Every fact, grouped by report and section, in document order."""
    lines: list[str] = []
    current: tuple[str, str] | None = None
    for f in facts:
        if current is None or current[0] != f.doc_id:
            report = reports[f.doc_id]
            lines.append(f"{report.label()} — {report.meta.title or report.source}")
        if current != (f.doc_id, f.section):
            lines.append(f"  § {f.section or '(no section)'}")
            current = (f.doc_id, f.section)
        measure = f" [{f.measure}]" if f.measure else ""
        notes = f" ({', '.join(f.qualifiers())})" if f.qualifiers() else ""
        lines.append(f"    - {f.label or '?'}: {_shown(f)}{measure}{notes}")
    return "\n".join(lines)


# ---------------------------------------------------------------- shared helpers


def _shown(fact: Fact) -> str:
    """The figure as the report wrote it (with a borrowed unit made visible)."""
    return f"{fact.text}{fact.unit}" if fact.unit_borrowed else fact.text


def _fact_en(fact: Fact) -> str:
    name = measure_english(fact.measure) if fact.measure else ""
    return f"{name or fact.label}: {english_value(fact.figure())}"


def _place_en(report: Report) -> str:
    m = report.meta
    place = place_english(m.region) if m.region else (m.issuer or report.source)
    return f"{place} {m.year}" if m.year else place


def _number(value: float) -> str:
    """15846600.0 -> '15,846,600'; 99.76 -> '99.76'."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.4f}".rstrip("0").rstrip(".")


def _fit(head: str, items: list[str], tail: list[str], limit: int = MAX_ANSWER_CHARS) -> str:
    """head + as many items as fit in ``limit`` characters (+ tail when it fits).

    >>> _fit("罚款: ", ["a 1", "b 2", "c 3"], ["无: d"], limit=14)
    '罚款: a 1; b 2…'
    """
    out = head + (items[0] if items else "")
    for item in items[1:]:
        if len(out) + len(item) + 3 > limit:
            return out + "…"
        out += "; " + item
    for item in tail:
        if len(out) + len(item) + 2 <= limit:
            out += "; " + item
    return out[:limit]


def _excerpt(sentence: str, figure: str, width: int = 70) -> str:
    """The part of ``sentence`` around ``figure``, at most ``width`` characters."""
    if len(sentence) <= width:
        return sentence
    at = max(sentence.find(figure), 0)
    start = max(0, min(at - width // 2, len(sentence) - width))
    piece = sentence[start:start + width]
    return ("…" if start else "") + piece + ("…" if start + width < len(sentence) else "")


def _hits(facts: list[Fact], reports: dict[str, Report], reader: "Reader | None") -> list[Hit]:
    """The passages the facts come from, one per chunk, in the facts' order."""
    chunk_ids = list(dict.fromkeys(f.chunk_id for f in facts))
    chunks: dict[int, Chunk] = {}
    if reader is not None:
        chunks = {c.chunk_id: c for c in reader.chunks([i for i in chunk_ids if i >= 0])}
    first = {}
    for f in facts:
        first.setdefault(f.chunk_id, f)
    hits = []
    for rank, chunk_id in enumerate(chunk_ids):
        fact = first[chunk_id]
        chunk = chunks.get(chunk_id) or Chunk(fact.doc_id, -1, fact.section, fact.sentence,
                                              [fact.sentence], chunk_id)
        report = reports[fact.doc_id]
        hits.append(Hit(chunk, report.meta, report.source, score=1.0 / (1 + rank)))
    return hits


# ================================================================ chart


def chart_png(query: "Query", store: FactStore) -> bytes | None:
    """A bar chart (PNG bytes) for a rank/table/versus question; None otherwise."""
    from .chart import Bar, bar_chart

    request = plan(query)
    if request is None or request.kind == "list" or query.unknown_places:
        return None
    comp = compare(request, store)
    if comp is None or not comp.present:
        return None
    bars = [Bar(r.report.label(), r.fact.base_value, _shown(r.fact)) for r in comp.present]
    bars += [Bar(r.report.label(), None, "无数据 no figure") for r in comp.missing]
    english = measure_english(comp.measure) or ""
    unit = comp.present[0].fact.base_unit
    return bar_chart(f"{comp.measure} ({english})" if english else comp.measure, bars, unit)
