"""The facts table: every figure a report states, with what it counts.

At indexing time each sentence's figures (``figures.find_figures``) become
*facts*: region, year, document, section, sentence, the value as written and
in base units (1584.66万元 -> 15,846,600 元), the normalised measure
(``measures.tsv``: 罚款金额 "fines"), and qualifiers (approximate: 余/近/约;
scope: 全市 = the whole region, 本局 = the bureau itself). They are written to
``facts.sqlite`` inside the generation folder, beside (never inside) the main
``meta.sqlite``, so the main schema stays as it is.

>>> from retrieval.records import Chunk, Metadata
>>> meta = Metadata(title="某市应急管理局报告", region="金华市", year=2020)
>>> chunk = Chunk("d1", 0, "一、主要工作", "全市行政处罚703次,罚款1584.66万元。",
...               ["全市行政处罚703次,罚款1584.66万元。"])
>>> [(f.measure, f.base_value, f.base_unit, f.scope)
...  for f in extract_facts([Report("d1", "a.txt", meta)], [(0, chunk)])]
[('行政处罚次数', 703.0, '次', '全市'), ('罚款金额', 15846600.0, '元', '全市')]

Reading: ``FactStore.open(gen)`` (or ``for_reader(reader)``, which falls back
to extracting in memory when a generation was built before facts existed);
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable, Sequence

from ..records import Chunk, Figure, Metadata
from ..text.figures import find_figures
from ..text.lexicon import APPROX_AFTER, APPROX_BEFORE
from ..text.units import classify_measure, measure_english, to_base, unit_info

# ================================================================ records


@dataclass
class Report:
    """One indexed report as the facts table knows it."""

    doc_id: str
    source: str
    meta: Metadata = field(default_factory=Metadata)

    def label(self) -> str:
        """Place (a district with its parent: many cities have a 鼓楼区) and year: 天津市静海区 2019.

        >>> Report("d", "s", Metadata(region="静海区", parent_region="天津市", level="区", year=2019)).label()
        '天津市静海区 2019'
        """
        m = self.meta
        place = m.region or m.issuer or m.title[:20] or self.source
        if m.parent_region and m.region.endswith("区") and m.level == "区" and not m.region.startswith(m.parent_region):
            place = m.parent_region + m.region
        return f"{place} {m.year}" if m.year else place


@dataclass
class Fact:
    """One reported figure of one report."""

    doc_id: str
    region: str
    year: int | None
    section: str
    sentence: str
    text: str  # the figure as written: "1584.66万元"
    value: float  # 1584.66
    unit: str  # 万元 (as written)
    base_value: float  # 15846600.0
    base_unit: str  # 元
    label: str  # what the sentence says is counted: 罚款
    measure: str = ""  # normalised: 罚款金额 ("" when no measure fits)
    approx: bool = False
    approx_word: str = ""  # 余 / 近 / 约 / 多 / 以上 / 超过 ...
    scope: str = ""  # 全市 (the whole region) / 本局 (the bureau) / ""
    scope_word: str = ""  # as written: 全区, 我局, 各县(市、区) ...
    unit_borrowed: bool = False  # unit missing in the text, taken from the figure before
    chunk_id: int = -1  # the chunk (= passage) the sentence is in
    position: int = 0  # order of the fact in its report
    parent_region: str = ""
    fact_id: int = -1
    page: int | None = None  # page of a paged source (PDF, scan) the sentence's chunk starts on

    @property
    def measure_en(self) -> str:
        """English name of the measure ('' when none)."""
        return measure_english(self.measure) or "" if self.measure else ""

    def figure(self) -> Figure:
        """The fact as a records.Figure (for answers)."""
        return Figure(self.value, self.unit, self.label, self.text, self.approx)

    def qualifiers(self) -> list[str]:
        """Human words for the qualifiers: ['约 (approximate)', '全市'].

        >>> Fact("d", "r", 2020, "", "", "近百人", 100, "人", 100, "人", "x", approx=True,
        ...      approx_word="近", scope="全市", scope_word="全县").qualifiers()
        ['近 (approximate)', '全县 (whole region)']
        """
        out = []
        if self.approx:
            out.append(f"{self.approx_word or '约'} (approximate)")
        if self.scope:
            out.append(f"{self.scope_word} ({'whole region' if self.scope == '全市' else 'the bureau itself'})")
        if self.unit_borrowed:
            out.append(f"unit {self.unit} from the figure before")
        return out

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["measure_en"] = self.measure_en
        return d


# ================================================================ extraction

# Markers of scope: the whole region (全市, 我县, 各区市) or the bureau itself (我局).
_REGION_SCOPE = re.compile(r"全[市区县省州旗盟镇乡]|[我本][市区县省州旗]|各区市|各县市区|各县\(市、区\)|各乡\(?镇\)?")
_BUREAU_SCOPE = re.compile(r"[我本]局|局机关|局党委|[市区县]应急(?:管理)?局")
_TITLE = re.compile(r"《[^《》]*》?")
_APPROX_WORD = re.compile(f"^({'|'.join(APPROX_BEFORE)})|({'|'.join(APPROX_AFTER)})")


def scope_of(before: str) -> tuple[str, str]:
    """(scope, marker) from the sentence text before a figure: the nearest marker wins.

    >>> scope_of("2019年,全区共检查企事业单位")
    ('全市', '全区')
    >>> scope_of("全市工作中,我局采购执法记录")
    ('本局', '我局')
    >>> scope_of("组织开展防汛安全检查,排查场所")
    ('', '')
    >>> scope_of("制定了《金华市应急管理局开展示范创建活动的实施方案》,细化创建")
    ('', '')
    """
    before = _TITLE.sub(lambda m: " " * len(m.group()), before)  # 《金华市应急管理局…方案》 is a name
    best: tuple[int, str, str] = (-1, "", "")
    for pattern, scope in ((_REGION_SCOPE, "全市"), (_BUREAU_SCOPE, "本局")):
        for m in pattern.finditer(before):
            if m.start() > best[0]:
                best = (m.start(), scope, m.group())
    return best[1], best[2]


def approx_word(figure_text: str) -> str:
    """The approximation marker of a figure as written: 近百人 -> 近, 450余名 -> 余."""
    m = _APPROX_WORD.search(figure_text)
    return (m.group(1) or m.group(2)) if m else ""


def extract_facts(reports: Sequence[Report], chunks: Iterable[tuple[int, Chunk]]) -> list[Fact]:
    """Every fact of every sentence of ``chunks`` ((chunk_id, chunk) pairs).

    A sentence repeated by overlapping chunk windows gives its facts once;
    ``position`` numbers facts in document order within each report.
    """
    by_id = {r.doc_id: r for r in reports}
    seen: set[tuple[str, str]] = set()
    positions: dict[str, int] = {}
    facts: list[Fact] = []
    for chunk_id, chunk in chunks:
        report = by_id.get(chunk.doc_id)
        if report is None:
            continue
        for sentence in chunk.sentences or [chunk.text]:
            if (chunk.doc_id, sentence) in seen:
                continue
            seen.add((chunk.doc_id, sentence))
            for fact in sentence_facts(sentence, report, chunk.section, chunk_id):
                fact.page = chunk.page
                fact.position = positions.get(chunk.doc_id, 0)
                positions[chunk.doc_id] = fact.position + 1
                facts.append(fact)
    return facts


def sentence_facts(sentence: str, report: Report, section: str = "", chunk_id: int = -1) -> list[Fact]:
    """The facts of one sentence of ``report``.

    >>> r = Report("d", "s", Metadata(region="金华市", year=2020))
    >>> [(f.text, f.unit, f.measure, f.unit_borrowed)
    ...  for f in sentence_facts("发现问题隐患51560项,现场帮扶整改46932。", r)]
    [('51560项', '项', '排查隐患数', False), ('46932', '项', '整改隐患数', True)]
    """
    facts: list[Fact] = []
    cursor = 0
    previous: Figure | None = None
    for fig in find_figures(sentence):
        at = sentence.find(fig.text, cursor) if fig.text else -1
        start = at if at >= 0 else cursor
        cursor = start + len(fig.text) if at >= 0 else cursor
        fig, borrowed = _with_unit(fig, previous, sentence[start - 1:start] if start else "")
        facts.append(_fact(fig, borrowed, sentence, start, report, section, chunk_id))
        previous = fig
    return facts


def _with_unit(fig: Figure, previous: Figure | None, char_before: str) -> tuple[Figure, bool]:
    """A unit-less count right after a counted figure, in the next clause, takes
    its unit: 发现问题隐患51560项,现场帮扶整改46932 -> 46932项 (the report left
    the unit out). Percentages, money and measures are never lent."""
    if fig.unit or previous is None or not previous.unit:
        return fig, False
    info = unit_info(previous.unit)
    if info is None or info.kind != "classifier" or char_before in "0123456789.":
        return fig, False
    return Figure(fig.value, previous.unit, fig.label, fig.text, fig.approx), True


def _fact(fig: Figure, borrowed: bool, sentence: str, start: int, report: Report,
          section: str, chunk_id: int) -> Fact:
    base_value, base_unit = to_base(fig)
    scope, marker = scope_of(sentence[:start])
    meta = report.meta
    return Fact(
        doc_id=report.doc_id, region=meta.region, year=meta.year, section=section,
        sentence=sentence, text=fig.text, value=float(fig.value), unit=fig.unit,
        base_value=base_value, base_unit=base_unit, label=fig.label,
        measure=classify_measure(fig) or "", approx=fig.approx,
        approx_word=approx_word(fig.text) if fig.approx else "", scope=scope, scope_word=marker,
        unit_borrowed=borrowed, chunk_id=chunk_id, parent_region=meta.parent_region,
    )
