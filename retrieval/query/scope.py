"""Is a question inside what the index covers? The places and years of the
indexed reports, the refusal when a question names others, and the one
"Indexed: ..." line that tells a user what the index does hold."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..index.backend import Reader
from ..records import Metadata
from .parse import Query

HOLDINGS_PLACES_MAX = 12  # more places than this: the holdings line counts them instead of listing


def holdings_line(metas: Iterable[Metadata]) -> str:
    """One line on what the index holds: places and the years their reports cover.

    >>> holdings_line([Metadata(region="金华市", year=2020), Metadata(region="威海市", year=2021)])
    'Indexed: 威海市 2021; 金华市 2020.'
    """
    metas = list(metas)
    by_region: dict[str, set[int]] = {}
    for m in metas:
        by_region.setdefault(m.region or "?", set()).update([m.year] if m.year else [])
    if len(by_region) > HOLDINGS_PLACES_MAX:
        return f"Indexed: {len(metas)} reports from {len(by_region)} places (see `govqa index list`)."
    parts = [f"{r} {', '.join(map(str, sorted(y)))}".strip() for r, y in sorted(by_region.items())]
    return "Indexed: " + "; ".join(parts) + "."


@dataclass
class Coverage:
    """Places and years of one index generation."""

    years_by_region: dict[str, set[int]]  # years each place's reports cover or mention
    covered_years: dict[str, set[int]]  # years each place's reports cover
    holdings: str  # the "Indexed: ..." line

    @classmethod
    def of(cls, reader: Reader) -> "Coverage":
        covered: dict[str, set[int]] = {}
        mentioned: dict[str, set[int]] = {}
        years_of = reader.document_years()  # stored at index time (backend.years_mentioned)
        for d in reader.documents.values():
            # a 2020 report's plans for 2021 answer what-questions about 2021
            years = set(years_of.get(d.doc_id, ())) | ({d.meta.year} if d.meta.year else set())
            for region in d.meta.places():
                covered.setdefault(region, set()).update([d.meta.year] if d.meta.year else [])
                mentioned.setdefault(region, set()).update(years)
        return cls(mentioned, covered, holdings_line(d.meta for d in reader.documents.values()))

    def report_years(self, region: str) -> str:
        """The years ``region``'s reports cover: '2020, 2021' or 'no dated report'."""
        return ", ".join(map(str, sorted(self.covered_years.get(region, ())))) or "no dated report"


def out_of_scope(query: Query, coverage: Coverage, about_figures: bool = False) -> str:
    """A refusal message when the question names a place or year that no
    indexed report covers; empty when it is in scope. ``about_figures``:
    the question compares reported figures (even without "how many")."""
    place = query.region or query.parent_region
    if query.ambiguous_places and not place:
        return f"Which place do you mean: {'; '.join(query.ambiguous_places)}? {coverage.holdings}"
    if query.unknown_places and not place:
        return f"No report for {'、'.join(query.unknown_places)} is indexed. {coverage.holdings}"
    # Figures belong to the year a report covers; a year a report only
    # mentions (its plans for next year) answers what-questions alone.
    figures = (query.wants_number or about_figures) and not query.wants_plan
    by_region = coverage.covered_years if figures else coverage.years_by_region
    if place and query.years:
        covered = by_region.get(place, set())
        missing = [y for y in query.years if y not in covered]
        if missing:
            return (f"No {'/'.join(map(str, missing))} report for {place} is indexed; "
                    f"indexed for {place}: {coverage.report_years(place)}.")
    if query.years and not place:
        covered = set().union(*by_region.values()) if by_region else set()
        if not any(y in covered for y in query.years):
            return f"No indexed report covers {'/'.join(map(str, query.years))}. {coverage.holdings}"
    return ""


def soft_context_year(query: Query, coverage: Coverage) -> Query:
    """A year carried over from the previous question is dropped when the
    place now asked about has no report for it ("what about Weihai?" after a
    question on Jinhua 2020, when Weihai's report covers 2021). A year the
    follow-up asks for itself ("and the year before?") is kept."""
    if "year" in query.from_context and not query.year_offset and query.region:
        if not set(query.years) & coverage.covered_years.get(query.region, set()):
            query.years = []
    return query
