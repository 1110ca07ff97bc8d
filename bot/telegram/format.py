"""Message formatting: pure functions from records to Telegram HTML.

Every piece of document text is escaped with ``html.escape``.
"""
from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING, Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from retrieval import Answer, Citation, Hit, place_english

from ..render import item_rows

from .texts import DEFAULT_EXAMPLES, DEMO_REPORT, T

if TYPE_CHECKING:  # pragma: no cover
    from .limits import BotStats

PASSAGES_PER_PAGE = 3  # "More passages" shows this many at a time
SOURCES_PER_PAGE = 10  # /sources page size
# A yes/no answer's verdict -> its text in ``texts``.
VERDICT_TEXTS = {"yes": "verdict_yes", "no": "verdict_no", "not stated": "verdict_not_stated",
                 "yes (planned)": "verdict_planned"}


def esc(value: Any) -> str:
    """Escape any text for Telegram HTML."""
    return html.escape(str(value), quote=False)


def format_answer(answer: Answer, lang: str) -> str:
    """The reply to a question: figures in bold, sentence, English line, citation.

    A refusal is the engine's message (what *is* indexed) and a hint.
    """
    place = f"📍 {esc(answer.scope)}" if answer.scope else ""
    if not answer.answered:
        message = answer.message or "No answer found in the indexed reports."
        return "\n".join(x for x in (place, esc(message)) if x) + f"\n\n{T(lang, 'refusal_tail')}"
    lines = [place] if place else []
    if answer.kind == "yesno":
        key = VERDICT_TEXTS.get(answer.verdict)
        lines.append(f"<b>{T(lang, key) if key else esc(answer.verdict)}</b>")
    if answer.figures:
        lines.append(format_figures(answer))
    if answer.english and answer.kind != "yesno":  # for a list or summary: what the items are
        lines.append(f"<i>{esc(answer.english)}</i>")
    if answer.items:
        lines += format_items(answer, lang)
    elif answer.answer:
        lines.append(esc(answer.answer))
    if not lines and answer.message:
        lines.append(esc(answer.message))
    text = "\n".join(lines)
    if answer.source is not None:
        text += "\n\n" + format_citation(answer.source, lang, whole_report=answer.kind == "summary")
    return text


def format_items(answer: Answer, lang: str) -> list[str]:
    """A list's or a summary's items, numbered: heading in bold, text, figures in
    bold (those not in its text), and "§ place · section" where it changes."""
    lines = []
    for row in item_rows(answer):
        head = f"<b>{esc(row.heading)}</b> " if row.heading else ""
        shown = " · ".join(f"<b>{esc(f.text or f'{f.value:g}{f.unit}')}</b>" for f in row.figures)
        lines.append(f"{row.number}. {head}{esc(row.text)}" + (f" » {shown}" if shown else ""))
        if row.place or row.section:
            lines.append(f"   <i>§ {esc(' · '.join(x for x in (row.place, row.section) if x))}</i>")
    return lines


def format_figures(answer: Answer, limit: int = 3) -> str:
    """"行政处罚 <b>703次</b> · 罚款 <b>1584.66万元</b>"."""
    parts = []
    for figure in answer.figures[:limit]:
        shown = figure.text or f"{figure.value:g}{figure.unit}"
        label = f"{esc(figure.label)} " if figure.label else ""
        parts.append(f"{label}<b>{esc(shown)}</b>")
    return " · ".join(parts)


def format_citation(hit: Hit, lang: str, whole_report: bool = False) -> str:
    """Report title, section, place and year, publish date of a passage (no
    section when the answer is about the ``whole_report``, as a summary is)."""
    cite = Citation.of(hit.meta, hit.source) if whole_report else Citation.of_hit(hit)
    lines = [f"📄 {esc(cite.title)}"]
    if cite.section or cite.page:
        lines.append(f"§ {esc(', '.join(p for p in (cite.section, cite.page_label()) if p))}")
    details = [esc(cite.place)] if cite.place else []
    if cite.published:
        details.append(f"{T(lang, 'published')} {esc(cite.published)}")
    if details:
        lines.append(" · ".join(details))
    return "\n".join(lines)


def format_passage(hit: Hit, number: int, lang: str) -> str:
    """One passage: number, place/year, section, then its full text."""
    head = f"<b>{number}.</b> {esc(hit.meta.label() or hit.source)}"
    if hit.chunk.section:
        head += f" · {esc(hit.chunk.section)}"
    return f"{head}\n{esc(hit.chunk.text)}"


def format_passages(
    answer: Answer, answer_id: int, start: int, lang: str
) -> tuple[str, InlineKeyboardMarkup | None]:
    """A page of further passages and the keyboard for the page after it."""
    page = answer.passages[start : start + PASSAGES_PER_PAGE]
    if not page:
        return T(lang, "no_more"), None
    total = len(answer.passages)
    title = T(lang, "passages_title", first=start + 1, last=start + len(page), total=total)
    blocks = [title] + [format_passage(hit, start + i + 1, lang) for i, hit in enumerate(page)]
    following = start + PASSAGES_PER_PAGE
    keyboard = None
    if following < total:
        button = InlineKeyboardButton(T(lang, "more"), callback_data=f"more:{answer_id}:{following}")
        keyboard = InlineKeyboardMarkup([[button]])
    return "\n\n".join(blocks), keyboard


def format_source(hit: Hit, lang: str) -> str:
    """The whole paragraph a passage comes from, with its citation."""
    issuer = f"\n{esc(hit.meta.issuer)}" if hit.meta.issuer else ""
    return f"{format_citation(hit, lang)}{issuer}\n<code>{esc(hit.source)}</code>\n\n{esc(hit.chunk.text)}"


def answer_keyboard(answer_id: int, answer: Answer, lang: str) -> InlineKeyboardMarkup | None:
    """"More passages" (when there are more) and "Source" buttons for an answer."""
    if not answer.answered or not answer.passages:
        return None
    buttons = []
    if len(answer.passages) > 1:
        buttons.append(InlineKeyboardButton(T(lang, "more"), callback_data=f"more:{answer_id}:1"))
    buttons.append(InlineKeyboardButton(T(lang, "source"), callback_data=f"src:{answer_id}:0"))
    return InlineKeyboardMarkup([buttons])


def format_start(sources: list[dict], lang: str, name: str = "") -> str:
    """/start: greeting, what is indexed (reports, places, years), two examples."""
    shown_name = f", {esc(name)}" if name and lang == "en" else (f" {esc(name)}" if name else "")
    if not sources:
        return T(lang, "greeting_empty", name=shown_name)
    places = _unique(s.get("region") or s.get("issuer") or "" for s in sources)
    years = sorted({int(s["year"]) for s in sources if s.get("year")})
    greeting = T(
        lang,
        "greeting",
        name=shown_name,
        reports=len(sources),
        places=esc("、".join(places) if lang == "zh" else ", ".join(places)),
        years=", ".join(map(str, years)) or "-",
    )
    examples = "\n".join(f"• {esc(q)}" for q in example_questions(sources))
    return f"{greeting}\n\n{T(lang, 'ask_like')}\n{examples}\n\n{T(lang, 'start_tail')}"


def format_help(lang: str, sources: list[dict] | None = None) -> str:
    examples = "\n".join(f"• {esc(q)}" for q in example_questions(sources or []))
    return T(lang, "help", examples=examples)


def example_questions(sources: list[dict]) -> list[str]:
    """One Chinese and one English example question about an indexed report."""
    reports = [s for s in sources if s.get("region") and s.get("year")]
    if not reports or any((s["region"], s["year"]) == DEMO_REPORT for s in reports):
        return DEFAULT_EXAMPLES
    # Rule-of-law reports (法治政府建设) carry enforcement figures such as fines.
    report = next((s for s in reports if "法治" in (s.get("doc_type") or "") + (s.get("title") or "")), reports[0])
    region, year = report["region"], report["year"]
    return [f"{region}{year}年罚款多少?", f"How many fines did {english_place(region)} issue in {year}?"]


def english_place(region: str) -> str:
    """"金华市" -> "Jinhua": the place as an English question names it (no type word)."""
    return place_english(region, type_word=False)


def format_sources_page(
    sources: list[dict], page: int, lang: str
) -> tuple[str, InlineKeyboardMarkup | None]:
    """One page of /sources and its previous/next keyboard."""
    if not sources:
        return T(lang, "no_sources"), None
    pages = max(1, -(-len(sources) // SOURCES_PER_PAGE))
    page = min(max(page, 0), pages - 1)
    shown = sources[page * SOURCES_PER_PAGE : (page + 1) * SOURCES_PER_PAGE]
    lines = [T(lang, "sources_title", count=len(sources))]
    if pages > 1:
        lines[0] += " · " + T(lang, "sources_page", page=page + 1, pages=pages)
    for number, source in enumerate(shown, start=page * SOURCES_PER_PAGE + 1):
        lines.append(format_source_line(source, number, lang))
    buttons = []
    if page > 0:
        buttons.append(InlineKeyboardButton(T(lang, "prev"), callback_data=f"srcs:{page - 1}"))
    if page < pages - 1:
        buttons.append(InlineKeyboardButton(T(lang, "next"), callback_data=f"srcs:{page + 1}"))
    return "\n\n".join(lines), InlineKeyboardMarkup([buttons]) if buttons else None


def format_source_line(source: dict, number: int, lang: str) -> str:
    """"3. <b>金华市 2020</b> · 法治政府建设报告 · published 2021-01-25" + title."""
    place = " ".join(str(x) for x in (source.get("region"), source.get("year")) if x)
    details = [f"<b>{esc(place or source.get('issuer') or source.get('source', ''))}</b>"]
    if source.get("doc_type"):
        details.append(esc(source["doc_type"]))
    if source.get("publish_date"):
        details.append(f"{T(lang, 'published')} {esc(source['publish_date'])}")
    title = source.get("title") or source.get("source", "")
    return f"{number}. " + " · ".join(details) + f"\n{esc(title)}"


def format_stats(stats: "BotStats", reports: int) -> str:
    """/stats for administrators."""
    p50 = stats.p50_ms()
    return "\n".join(
        [
            "<b>Since start</b> ({:.0f} min ago)".format(stats.uptime_s() / 60),
            f"Questions answered: {stats.answered}",
            f"Refusals: {stats.refused}",
            "p50 latency: " + (f"{p50:.0f} ms" if p50 is not None else "-"),
            f"Rate-limited: {stats.rate_limited}",
            f"Errors: {stats.errors}",
            f"Reports indexed: {reports}",
        ]
    )


def _unique(items: Any) -> list[str]:
    return list(dict.fromkeys(x for x in items if x))


def html_to_plain(text: str) -> str:
    """Telegram HTML -> plain text (for callback-query alerts)."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))
