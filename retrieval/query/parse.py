"""What a question asks: place, years, search terms, the kind of answer.

>>> table = RegionTable.from_regions([("金华市", ""), ("静海区", "天津市")])
>>> q = parse_question("How many fines did Jinhua issue in 2020?", table)
>>> q.region, q.years, q.wants_number, "罚款" in q.terms
('金华市', [2020], True, True)
>>> parse_question("How many fines did Hangzhou issue in 2020?", table).unknown_places
['杭州市']
>>> parse_question("天津静海区二〇一九年罚款多少?", table).region
'静海区'

Pipeline of ``parse_question``: normalise (``text.normalise``), find places
(indexed regions first, then any other Chinese or foreign place), years,
search terms (jieba tokens for Chinese, glossary + CC-CEDICT translations for
English), then the kind of answer wanted (number? which unit? when? which?).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from ..text.lexicon import EN_STOPWORDS as STOPWORDS
from ..text.lexicon import EN_ROLE_WORDS, MAX_QUESTION_CHARS, MONTHS, QUESTION_STOPWORDS, has_han, short_name
from ..text.normalise import find_years, normalize, replace_cn_numerals
from .cues import (ASK, ASKED_QUANTITY, EN_SPAN, EN_SPAN_ZH, PUNCT_TOKEN, ISSUER_TERMS, META_WORDS, RELATIVE_NEEDS_CONTEXT,
                   RELATIVE_YEARS,
                   SUPPORT_VERBS, ZH_MEASURE_UNITS)
from ..places import Gazetteer as Places
from .glossary import Glossary, TermMatch, Vocabulary, corrected, lemmatize
from .kind import answer_kind, dedupe, units_wanted
from .places import PlaceMention, find_place_mentions
from .regions import RegionTable



class QuestionError(ValueError):
    """The question cannot be parsed: empty, or too long."""



@dataclass
class Query:
    """A parsed question.

    ``terms`` are Chinese search terms; ``context()`` is what a follow-up
    question needs ({"region", "year", "topic", ...}).
    """

    raw: str
    text: str  # normalised, Chinese numerals as digits
    lang: str  # "zh" or "en"
    region: str | None = None  # canonical indexed region
    parent_region: str = ""
    regions: list[str] = field(default_factory=list)  # every indexed region named
    place_mentions: list[str] = field(default_factory=list)  # every place named, Chinese if known
    unknown_places: list[str] = field(default_factory=list)  # named, but no indexed report covers it
    years: list[int] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)
    english_terms: list[str] = field(default_factory=list)
    matches: list[TermMatch] = field(default_factory=list)  # English -> Chinese, for display
    wants_number: bool = False
    unit_hints: list[str] = field(default_factory=list)
    units_required: tuple[str, ...] = ()  # a counter asked in so many words: an answer's figure is in one
    count_required: bool = False  # a count ("how many", 几): a percentage alone does not answer it
    items_asked: int = 0  # "which three foundations": a clause listing three items fits
    entity_asked: str = ""  # 哪家律师事务所: the answer names a 律师事务所
    asks: str = "other"  # number / what / when / which / who / other
    doc_type: str = ""  # 工作要点 / 法治政府建设报告 / 工作总结 / ""
    wants_plan: bool = False  # asks what will be done (plans are in the previous year's report)
    followup: bool = False  # elliptical: "and in 2021?", "那罚款呢?"
    place_notes: list[str] = field(default_factory=list)  # how a place as written was read: "广西 = 广西壮族自治区"
    ambiguous_places: list[str] = field(default_factory=list)  # a typo close to several places: "金华市 or 静海区"
    year_offset: int | None = None  # 去年 -1, "the year before" -1, 明年 +1: relative to the year talked about
    relative: list[str] = field(default_factory=list)  # fields set from today that a context would set instead
    from_context: list[str] = field(default_factory=list)  # fields filled by with_context

    @property
    def year(self) -> int | None:
        """The first year named, or None."""
        return self.years[0] if self.years else None

    @property
    def topic(self) -> str:
        return " ".join(self.terms)

    def given_numbers(self) -> list[str]:
        """Numbers the question states itself, not years: "the 20-day campaign" -> ['20']."""
        return [f"{float(n):g}" for n in re.findall(r"\d+(?:\.\d+)?", self.text) if int(float(n)) not in self.years]

    def context(self) -> dict[str, Any]:
        """What the next question may lean on.

        >>> Query("q", "q", "en", region="金华市", years=[2020], terms=["罚款"]).context()["topic"]
        '罚款'
        """
        return {
            "region": self.region or "",
            "parent_region": self.parent_region,
            "year": self.year,
            "topic": self.topic,
            # an English question's concepts as it grouped them: [phrase, its Chinese terms...]
            "topic_groups": [[m.english, *m.chinese] for m in self.matches if m.chinese],
            "wants_number": self.wants_number,
            "units": list(self.unit_hints),
            "asks": self.asks,
        }

    def with_context(self, context: dict[str, Any] | None) -> "Query":
        """Fill what a follow-up leaves out from the previous turn's ``context()``.

        Region and year are taken when the question names none (a question naming a
        place no report covers keeps no region); the previous topic terms are taken
        when the question has no topic of its own ("and in 2021?", "what about Weihai?").
        """
        if not context:
            return self
        q = replace(self, from_context=list(self.from_context))
        if not q.place_mentions and context.get("region"):
            q.region = context["region"]
            q.parent_region = context.get("parent_region") or ""
            q.regions = [q.region]
            q.from_context.append("region")
        if context.get("year") and (not q.years or "year" in q.relative):
            q.years = [int(context["year"]) + (q.year_offset or 0)]  # 那去年呢? after 2020: 2019
            q.relative = [r for r in q.relative if r != "year"]
            q.from_context.append("year")
        own_topic = bool(q.terms)
        if not own_topic and context.get("topic"):
            q.terms = [t for t in str(context["topic"]).split() if t]
            q.from_context.append("topic")
            if q.lang == "en" and context.get("topic_groups"):  # "how many were withdrawn?": one concept
                q.matches = [TermMatch(g[0], tuple(g[1:]), "context", -1)  # per phrase, as first asked
                             for g in context["topic_groups"]]
        leans_on_previous = q.followup or not own_topic
        if leans_on_previous and q.asks == "other" and context.get("asks"):
            q.asks = str(context["asks"])
            q.wants_number = q.wants_number or bool(context.get("wants_number"))
            q.from_context.append("asks")
        if q.wants_number and not q.unit_hints:
            q.unit_hints = units_wanted(q) or list(context.get("units") or [])
        return q


def parse_question(text: str, regions: RegionTable | None = None,
                   vocabulary: Vocabulary = None, max_chars: int = MAX_QUESTION_CHARS) -> Query:
    """Parse one question (Chinese or English) against the indexed regions.

    ``vocabulary`` (terms occurring in the indexed documents: a set or a
    predicate) filters CC-CEDICT translations of English words; a question
    longer than ``max_chars`` (``GOVQA_MAX_QUESTION_CHARS``) is refused.

    >>> parse_question("金华2020年建成了多少家应急宣教体验馆").unit_hints[0]
    '家'
    """
    if text is None or not text.strip():
        raise QuestionError("The question is empty.")
    if len(text) > max_chars:
        raise QuestionError(f"The question is too long ({len(text)} characters, at most {max_chars}).")
    if not re.search(r"[^\W_]", text):
        raise QuestionError("The question has no words, only punctuation or control characters.")
    regions = regions or RegionTable()
    clean = replace_cn_numerals(normalize(text)).strip()
    lang = "zh" if has_han(clean) else "en"
    q = Query(raw=text, text=clean, lang=lang)
    mentions = find_place_mentions(clean, regions)
    _set_places(q, mentions, regions)
    q.years = list(dict.fromkeys(find_years(clean)))
    _relative_year(q)
    place_spans = [(m.start, m.end) for m in mentions]
    if lang == "zh":
        _zh_terms(q, regions, place_spans, vocabulary)
    else:
        _en_terms(q, clean, mentions, vocabulary)
    answer_kind(q)
    return q


# ---------------------------------------------------------------- places -> query


def _set_places(q: Query, mentions: list[PlaceMention], regions: RegionTable) -> None:
    """region / parent_region / place_mentions / unknown_places from the mentions."""
    named = [m for m in mentions if m.kind == "region"]
    q.regions = list(dict.fromkeys(m.name for m in named))
    # a place above an indexed region, or one a report names: searched as a parent is
    parents = [m.name for m in mentions if m.kind in ("parent", "named")] + [m.parent for m in named if m.parent]
    if q.regions:
        q.region = _pick_region(q.regions, parents, regions)
        info = regions.get(q.region)
        named_parent = [p for p in parents if info and p in info.parents]
        q.parent_region = named_parent[0] if named_parent else (info.parent if info else "")
    elif parents:
        q.parent_region = parents[0]
    q.place_mentions = list(dict.fromkeys(m.name for m in mentions))
    q.place_notes = place_notes(mentions, q.region or q.parent_region)
    q.ambiguous_places = [m.name for m in mentions if m.kind == "ambiguous"]
    unknown = [m for m in mentions if m.kind in ("place", "foreign")
               and not _is_context_of(m, q.regions, regions)]
    q.unknown_places = list(dict.fromkeys(m.name for m in unknown))


def _relative_year(q: Query) -> None:
    """A year said relative to another (去年, "the year before"): the context's
    year decides it (``with_context``); alone, today's, except "next year",
    which alone is a plan word."""
    if q.years:
        return
    for pattern, offset in RELATIVE_YEARS:
        if pattern.search(q.text):
            q.year_offset = offset
            if offset not in RELATIVE_NEEDS_CONTEXT:
                q.years = [date.today().year + offset]
                q.relative.append("year")
            return


def place_notes(mentions: list[PlaceMention], used: str | None) -> list[str]:
    """What the user is told about the place searched, when it is not plainly
    what they wrote: an alias or short name (广西 = 广西壮族自治区), a place
    above the indexed ones (安徽省 and the places under it).

    >>> place_notes([PlaceMention("广西壮族自治区", "广西", 0, 2, "region")], "广西壮族自治区")
    ['广西 = 广西壮族自治区']
    >>> place_notes([PlaceMention("安徽省", "Anhui", 0, 5, "parent")], "安徽省")
    ['Anhui = 安徽省: its reports and those of the places under it']
    >>> place_notes([PlaceMention("金华市", "金华", 0, 2, "region")], "金华市")
    []
    """
    notes = []
    for m in mentions:
        if m.name != used or m.kind not in ("region", "parent", "named"):
            continue
        if m.kind == "parent":
            notes.append(f"{m.text} = {m.name}: its reports and those of the places under it")
        elif m.fuzzy or (has_han(m.text) and len(m.name) - len(m.text) > 1):
            notes.append(f"{m.text} = {m.name}")  # a typo, or more than the suffix left out
    return list(dict.fromkeys(notes))


def _pick_region(names: list[str], parents: list[str], regions: RegionTable) -> str:
    """The region the question is about: one whose parent is also named, else the first."""
    for name in names:
        info = regions.get(name)
        if info and set(info.parents) & set(parents):
            return name
    return names[0]


def _is_context_of(mention: PlaceMention, named: list[str], regions: RegionTable) -> bool:
    """True if the place only locates a named region (浙江 for 金华市, 三明 for 明溪县)."""
    gaz = Places.load()
    spellings = {mention.name, short_name(mention.name)} - {""}
    for name in named:
        info = regions.get(name)
        above = set(info.parents if info else ())
        above |= {p for place in gaz.lookup(name) for p in place.parents}
        if any(p in spellings or short_name(p) in spellings for p in above):
            return True
    return False


# ---------------------------------------------------------------- terms


def _zh_terms(q: Query, regions: RegionTable, place_spans: list[tuple[int, int]],
              vocabulary: Vocabulary) -> None:
    """jieba tokens minus stopwords, question words, places, years and the issuer."""
    years = {str(y) for y in q.years}
    terms: list[str] = []
    english_bits: list[str] = []
    tokens = regions.split(q.text)
    for i, (tok, start, end) in enumerate(tokens):
        tok = tok.strip()
        if not tok or any(s < end and start < e for s, e in place_spans):
            continue
        if i > 0 and tokens[i - 1][0].isdigit() and tok[0] in "年月日":
            tok = tok[1:]  # 2019年局党组 splits as 2019 | 年局 | 党组: the date's 年 is no part of a word
            if len(tok) < 2:
                continue
        if ASKED_QUANTITY.fullmatch(tok) or (
                i > 0 and tokens[i - 1][0] in ("多少", "几") and tok in ZH_MEASURE_UNITS):
            continue  # 多少次, 多少/家: the question word and its unit, not a topic
        if tok.isascii() and tok.isalpha():
            if tok.lower() not in STOPWORDS and len(tok) > 2:
                english_bits.append(tok)
                continue
        if (PUNCT_TOKEN.match(tok) or tok in QUESTION_STOPWORDS or tok in years
                or tok in ISSUER_TERMS or tok.lower() in STOPWORDS):
            continue
        terms.append(tok)
    if english_bits:
        matches = Glossary.load().translate(" ".join(english_bits), vocabulary)
        q.matches = matches
        q.english_terms = [lemmatize(w) for w in english_bits]
        terms += [t for m in matches for t in m.chinese]
    q.terms = dedupe(t for t in terms if t not in ISSUER_TERMS)


def _en_terms(q: Query, text: str, mentions: list[PlaceMention], vocabulary: Vocabulary) -> None:
    """Glossary + CC-CEDICT translations of the content words (places removed)."""
    blanked = text
    for m in sorted(mentions, key=lambda m: m.start, reverse=True):
        blanked = blanked[:m.start] + " , " + blanked[m.end:]
    skip = (META_WORDS | SUPPORT_VERBS | _proper_words(blanked)
            | {w.lower() for m in mentions for w in re.findall(r"[A-Za-z]+", m.text)})
    if not ASK["en"].who.search(text.lower()):  # "who was the director": the director is the topic
        skip |= EN_ROLE_WORDS
    matches = Glossary.load().translate(blanked, vocabulary, skip=skip)
    issuer = [m for m in matches if set(m.chinese) <= ISSUER_TERMS]  # "the emergency management bureau"
    skip |= {w for m in issuer for w in m.english.split()}
    matches = [m for m in matches if m.english not in skip and m not in issuer]
    q.matches = matches
    spans = [m.group(1) + EN_SPAN_ZH[m.group(2).lower()] for m in EN_SPAN.finditer(blanked)
             if not (m.group(2).lower() == "year" and find_years(m.group(1)))]
    q.terms = dedupe([*(t for m in matches for t in m.chinese if t not in ISSUER_TERMS), *spans])
    words = [lemmatize(corrected(re.sub(r"['’]s?$", "", w)))
             for w in re.findall(r"(?<![0-9])[A-Za-z]+(?:['’][a-z]*)?", blanked.lower())]  # not 14th's th
    q.english_terms = dedupe(w for w in words if len(w) > 1 and w not in STOPWORDS
                              and w not in MONTHS and w not in META_WORDS and w not in skip)


def _proper_words(text: str) -> set[str]:
    """Capitalised words inside a sentence (names: Lekima, York); CC-CEDICT would
    translate them as common words, so they are searched for as they are or not at all."""
    out = set()
    for m in re.finditer(r"(?<=[A-Za-z0-9,;:'’\-] )([A-Z][a-z]+)", text):
        out.add(m.group(1).lower())
    return out

