"""The kind of answer a question wants: a number (and in which units), a date,
a name; a structured answer (the items of a list, a report's summary, yes or
no); whether it asks about plans, or follows up the last question.

>>> from retrieval.query.parse import Query
>>> def asks(text, lang="zh"):
...     q = Query(text, text, lang)
...     answer_kind(q)
...     return q.asks
>>> asks("明溪县2024年的主要措施有哪些?"), asks("金华2020年的报告讲了什么"), asks("威海发生森林火灾了吗?")
('list', 'summary', 'yesno')
>>> asks("List the training programmes", "en"), asks("Summarise Jinhua's 2020 report", "en")
('list', 'summary')
>>> asks("Did Jinhua set up an emergency management college?", "en"), asks("列出静海区2019年的所有数据")
('yesno', 'other')
>>> asks("威海有哪几项防汛措施?"), asks("威海有几项防汛措施?"), asks("sum up Mingxi's report", "en")
('list', 'number', 'summary')
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..text.lexicon import EN_STOPWORDS as STOPWORDS
from ..text.normalise import cn_to_number
from .cues import (COMPARE, EN_COUNT, EN_NP_END, EN_NUMBER_WORDS, ITEMS_ASKED, MONEY, RATE, ZH_WHICH_ENTITY, STRUCTURE, ZH_COUNTER_ANSWERS, ZH_MEASURE_AFTER,
                   ZH_MONEY_HEADS, ASK, ASKED_DOC_TYPES, EN_UNIT_NOUNS, ZH_MEASURE_UNITS, ZH_UNIT_ENDINGS)
from .glossary import corrected, lemmatize

if TYPE_CHECKING:  # pragma: no cover
    from .parse import Query


def dedupe(items: Iterable[str]) -> list[str]:
    """Non-empty items, each once, in order."""
    return list(dict.fromkeys(i for i in items if i))


def answer_kind(q: Query) -> None:
    """wants_number, unit_hints, asks, doc_type, wants_plan, followup."""
    text = q.text
    low = text.lower()
    cues = ASK[q.lang]
    own = text if q.lang == "zh" else low
    shape = _structure(own, q.lang)
    # the words asking for a list or summary (哪几项措施, sum up) ask for no number
    counted = _without_shape(own, shape, q.lang)
    # a Chinese question may ask "how many" in English words too
    q.wants_number = bool(cues.number.search(counted)) or bool(ASK["en"].number.search(counted.lower()))
    q.followup = bool(cues.followup.search(own))
    q.wants_plan = bool(cues.plan.search(own))
    q.unit_hints = units_wanted(q) if q.wants_number else []
    if q.wants_number and not RATE.search(low):
        q.units_required = units_required(text) if q.lang == "zh" else ()
        q.count_required = bool(q.units_required or EN_COUNT.search(low) or re.search(r"几(?!乎)", text))
    q.items_asked = 0 if q.wants_number else items_asked(own, q.lang)
    which = ZH_WHICH_ENTITY.search(text) if q.lang == "zh" and not q.wants_number else None
    q.entity_asked = which.group(1) if which else ""
    q.asks = "number" if q.wants_number else shape or _asks(q, low)
    q.doc_type = next((name for name, rx in ASKED_DOC_TYPES if rx.search(text)), "")



def items_asked(own: str, lang: str) -> int:
    """How many items the question names ("哪三个方面", "which three things"), else 0.

    >>> items_asked("具体是哪三个方面?", "zh"), items_asked("what four guiding principles did it set", "en")
    (3, 4)
    """
    m = ITEMS_ASKED[lang].search(own)
    if not m:
        return 0
    word = m.group(1)
    return EN_NUMBER_WORDS.get(word) or cn_to_number(word.replace("两", "二")) or 0


def units_required(text: str) -> tuple[str, ...]:
    """The counters that answer a Chinese question asking for one in so many
    words (开了几场 -> 次/场/期; 多少万人 -> 人/名; 罚没金额是多少 -> 元), else ().

    >>> units_required("西安2023年开了几场座谈会"), units_required("广西转移群众多少万人?")
    (('次', '场', '期', '轮', '批'), ('人', '名'))
    >>> units_required("宁河区罚没金额合计是多少?"), units_required("建了多少个站点")
    (('万元', '元', '亿元'), ())
    """
    m = ZH_MEASURE_AFTER.search(text)
    if m:
        return ZH_COUNTER_ANSWERS.get(m.group(1), ZH_MEASURE_UNITS[m.group(1)] if m.group(1) != "个" else ())
    before = re.search(r"(\w+?)(?:合计|总计|共计|一共|总共)?(?:是|为|有)?多少", text)
    if before and before.group(1).endswith(ZH_MONEY_HEADS):
        return MONEY
    return ()


def _structure(own: str, lang: str) -> str:
    """"summary", "list" or "yesno" when the question asks for a structured
    answer, else "". A list of *figures* ("列出…的所有数据") is a comparison's
    listing (``plan``), not a list of items."""
    cues = STRUCTURE[lang]
    if not COMPARE[lang].listing.search(own):
        if cues.summary.search(own):
            return "summary"
        if cues.listing.search(own):
            return "list"
    return "yesno" if cues.yesno.search(own) else ""


def units_wanted(q: Query) -> list[str]:
    """Units the question's own words imply (see ``_zh_units`` / ``_en_units``);
    a question about a rate wants a percentage above all."""
    units = _zh_units(q.text) if q.lang == "zh" else _en_units(q.text.lower())
    if RATE.search(q.text.lower()):
        units = ["%", *(u for u in units if u != "%")]
    return units


def _without_shape(own: str, shape: str, lang: str) -> str:
    """The question without the words that ask for a list or a summary."""
    cue = {"list": STRUCTURE[lang].listing, "summary": STRUCTURE[lang].summary}.get(shape)
    return cue.sub(" ", own) if cue else own


def _asks(q: Query, low: str) -> str:
    if q.wants_number:
        return "number"
    cues = ASK[q.lang]
    if cues.when.search(low):
        return "when"
    if cues.who.search(low):
        return "who"
    if cues.which.search(low):
        return "which"
    if q.followup and not q.terms:
        return "other"
    if re.search(r"^\s*(?:what|how) about\b", low):
        return "other"
    if cues.what.search(low):
        return "what"
    return "other"



def _en_units(low: str) -> list[str]:
    """Units an English question implies: the noun after 'how many' first.

    >>> _en_units("how many enterprises were fined, and for how much?")
    ['家', '个', '万元', '元', '亿元', '次', '起']
    """
    words = [corrected(w) for w in re.findall(r"[a-z]+|%", low)]  # how many fnes -> fines
    units: list[str] = []
    for i, w in enumerate(words):
        if w in ("many", "much") and i > 0 and words[i - 1] == "how":
            phrase = _noun_phrase(words, i + 1)
            if w == "much" and not any(lemmatize(p) in EN_UNIT_NOUNS for p in phrase):
                units += MONEY
            for p in reversed(phrase):
                units += EN_UNIT_NOUNS.get(lemmatize(p), ())
    if re.search(r"\b(?:spend|spent|cost|costs|pay|paid|invest|invested|fund|budget)\b", low):
        units += MONEY
    for w in words:
        units += EN_UNIT_NOUNS.get(lemmatize(w), ()) if w not in STOPWORDS else ()
    return dedupe(units)


def _noun_phrase(words: list[str], i: int) -> list[str]:
    """Words after 'how many' up to the verb or preposition: the counted noun phrase.

    >>> _noun_phrase("how many households received insurance payouts".split(), 2)
    ['households']
    """
    out = []
    while i < len(words) and words[i] not in EN_NP_END and not _looks_past_tense(words[i]):
        out.append(words[i])
        i += 1
    return out


def _looks_past_tense(word: str) -> bool:
    """received, visited, recruited: a verb ends the noun phrase (but 'red', 'seed' do not)."""
    return len(word) > 4 and word.endswith("ed") and lemmatize(word) != word



def _zh_units(text: str) -> list[str]:
    """Units a Chinese question implies: 多少家 -> 家; 罚款多少 -> 万元; 整改率 -> %.

    >>> _zh_units("明溪县2024年行政处罚多少次,罚款多少")
    ['次', '起', '件', '万元', '元', '亿元']
    """
    units: list[str] = []
    for m in ZH_MEASURE_AFTER.finditer(text):
        units += ZH_MEASURE_UNITS[m.group(1)]
    for clause in re.split(r"[,，;；?？。!！、]", text):
        units += _zh_clause_units(clause)
    return dedupe(units)


def _zh_clause_units(clause: str) -> list[str]:
    """Units from the head noun around 多少/几 in one clause, then from any noun."""
    m = re.search(r"多少|几", clause)
    heads: list[str] = []
    if m:
        after = re.sub(r"^(?:" + "|".join(ZH_MEASURE_UNITS) + ")", "", clause[m.end():])
        heads = [after.strip("?？ ")] if after.strip("?？ ") else []
        heads.append(clause[:m.start()])  # 罚款多少: the noun comes first
    else:
        heads = [clause]
    units: list[str] = []
    for head in heads:
        head = head.rstrip("呢吗吧啊呀?？ ").removesuffix("是").removesuffix("为")
        for endings, hint in ZH_UNIT_ENDINGS:
            if head.endswith(endings):
                units += hint
                break
    for endings, hint in ZH_UNIT_ENDINGS:
        if any(e in clause for e in endings if len(e) >= 2):
            units += hint
    return units
