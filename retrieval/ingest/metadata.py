"""What a report is, read from its own text (never from its file name).

``extract_metadata`` expects the normalised text with the page header lines
still in it (see ``ingest.prepare_text``). The head of the page (``head``)
gives the label fields (发布机构, 来源, 文号, 发布日期) and the title; the place
is weighed from the whole page against the gazetteer (``place``); the year
from the title, else the opening; the type from the title, else the opening.

>>> m = extract_metadata("天津市静海区应急管理局2019年法治政府建设情况报告\\n"
...                      "来源:区政府 发布时间:2020-03-30 00:00\\n一、主要举措")
>>> m.issuer, m.region, m.parent_region, m.level, m.year, m.publish_date
('天津市静海区应急管理局', '静海区', '天津市', '区', 2019, '2020-03-30')
"""
from __future__ import annotations

import re
from collections import Counter

from ..records import Metadata
from ..text import normalise
from ..text.lexicon import HAN_RANGE, PLACE_SUFFIX_PATTERN, place_level
from .head import HEADER_LINES, Head, find_title, read_head
from .place import OPENING_CHARS, PlaceReading, read_place

SIGNATURE_LINES = 6  # the end of a report: issuer and date of signature

# ---------------------------------------------------------------- places and bodies

_HAN = HAN_RANGE
# a place name: 2-9 characters (not ones that end an organisation name or
# join words), then an administrative suffix; only counties have one-character
# names (赵县), and two characters keep 杭州市 from reading as 杭州 + 市
_NAME_CHAR = rf"(?![局厅委办部院署关于的和及与对在为是])[{_HAN}]"
_PLACE_SUFFIX = rf"(?:{PLACE_SUFFIX_PATTERN})"
_PLACE = rf"(?:{_NAME_CHAR}{{2,9}}?{_PLACE_SUFFIX}|{_NAME_CHAR}县)"
_BODY = (rf"[{_HAN}]{{0,14}}?(?:委员会|办公室|人民政府|政府|管理局|局|厅|委|办|中心|署|部)")
_LOCAL_ORG = re.compile(rf"(?:{_PLACE}){{1,3}}{_BODY}")
_PLACE_AT_START = re.compile(rf"^{_PLACE}")
_NATIONAL_ORG = re.compile(
    r"国务院|全国人民代表大会(?:常务委员会)?|中共中央|应急管理部|"
    rf"国家[{_HAN}]{{2,10}}?(?:总局|局|部|委员会)")

# ---------------------------------------------------------------- document types

# (type, pattern): the keyword that comes first in a title names its type
# ("2022年工作总结和2023年工作要点" is a summary; "法治政府建设工作总结" a rule-of-law report)
DOC_TYPES: list[tuple[str, re.Pattern[str]]] = [
    ("政府信息公开年报", re.compile(r"政府信息公开.{0,6}(年报|年度报告|工作报告)")),
    ("法治政府建设报告", re.compile(r"法治(政府)?建设")),
    ("工作要点", re.compile(r"工作要点")),
    ("工作总结", re.compile(r"总结")),
    ("工作计划", re.compile(r"工作计划|工作安排|工作方案|工作思路")),
    ("政府工作报告", re.compile(r"政府工作报告")),
]
RESOLUTION = ("决议", re.compile(r"决议$"))  # 人大关于政府工作报告的决议: what a title ends with wins
# (type, pattern) counted in the opening of a page with no title: the words each kind of report repeats
BODY_TYPES: list[tuple[str, re.Pattern[str]]] = [
    ("政府信息公开年报", re.compile(r"政府信息公开|主动公开|依申请公开")),
    ("法治政府建设报告", re.compile(r"法治政府建设|法治建设|依法行政")),
    ("工作总结", re.compile(r"工作总结|今年以来|一年来")),
    ("工作要点", re.compile(r"工作要点|总体要求|主要目标")),
]
BODY_TYPE_CHARS = 2000  # how much of the opening the type is counted in

# ---------------------------------------------------------------- lines

_DATE_LABEL = re.compile(r"(发布日期|发布时间|撰写时间|成文日期|发文日期|印发日期|^日期|^时间)\s*:?\s*")
_DATED_LINE = re.compile(r"^[—\-(\s]*\d{4}年\d{1,2}月\d{1,2}日")  # "——2024年3月5日在..."
_DOC_NUMBER = re.compile(rf"[{_HAN}]{{1,12}}[〔\[【(]\d{{4}}[〕\]】)]\s*第?\d{{1,4}}号")
_DOC_NUMBER_LABEL = re.compile(r"^(文号|发文字号|发文文号)\s*:?\s*")


def extract_metadata(text: str, title_hint: str = "", year_hint: int | None = None) -> Metadata:
    """Metadata of one report from its normalised text.

    ``title_hint``/``year_hint`` (e.g. from a .jsonl corpus) win over what
    the text says.

    >>> m = extract_metadata("关于印发《十堰市应急管理局2021年工作要点》的通知\\n撰写时间\\n"
    ...                      "2021年05月14日 15:50:00\\n十应急发〔2021〕6号\\n机关各室:")
    >>> m.issuer, m.region, m.level, m.year, m.doc_type, m.publish_date, m.doc_number
    ('十堰市应急管理局', '十堰市', '市', 2021, '工作要点', '2021-05-14', '十应急发〔2021〕6号')
    >>> m.parents, m.place_source
    (['湖北省'], 'title')
    """
    lines = _page_lines(text)
    head = read_head(lines)
    title = normalise.normalize(title_hint).strip() or head.title
    edges = _head_and_tail(lines)
    issuer = find_issuer(title, edges, head.fields)
    meta = Metadata(title=title, issuer=issuer, year=year_hint or find_year(title, _year_lines(lines, head)),
                    doc_type=find_doc_type(title, lines), publish_date=find_publish_date(edges, head.fields),
                    doc_number=find_doc_number(edges, head.fields))
    if meta.doc_number and meta.title.startswith(meta.doc_number):  # 济应急发〔2022〕1号 关于印发…
        meta.title = meta.title[len(meta.doc_number):].strip()
    national = find_region(issuer, title)
    if national[0] == NATIONAL:
        meta.region, meta.level, meta.place_source = NATIONAL, national[2], "title"
        return meta
    _set_place(meta, read_place(lines, head), national)
    if not meta.issuer and meta.region:
        meta.issuer = _issuer_in_text(meta.region, "\n".join(lines))
    return meta


NATIONAL = "全国"  # region of national bodies' reports (国务院)


def _set_place(meta: Metadata, reading: PlaceReading, written: tuple[str, str, str]) -> None:
    """Region, parents and level from the gazetteer reading; a place the
    gazetteer does not know keeps what its issuer's name says (新区, 开发区)."""
    meta.named_places = reading.named
    if reading.place is not None:
        p = reading.place
        meta.region, meta.parents, meta.level = p.name, list(p.parents), p.level_zh
        meta.parent_region = p.parents[0] if p.parents else ""
        meta.place_source, meta.place_confidence = reading.source, reading.confidence
    elif written[0]:
        meta.region, meta.parent_region, meta.level = written
        meta.parents = [written[1]] if written[1] else []
        meta.place_source, meta.place_confidence = "title", 1.0


def _page_lines(text: str) -> list[str]:
    """Normalised non-empty lines of the part of the page metadata is read from:
    the opening (``OPENING_CHARS``) and the signature lines."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    opening, size = [], 0
    for line in lines:
        if size > OPENING_CHARS:
            break
        opening.append(line)
        size += len(line)
    tail = lines[max(len(opening), len(lines) - SIGNATURE_LINES):]
    return [normalise.normalize(line).strip() for line in opening + tail]


def _head_and_tail(lines: list[str]) -> list[str]:
    """The top and the end of the page: where dates, numbers and signatures stand."""
    if len(lines) > HEADER_LINES + SIGNATURE_LINES:
        return lines[:HEADER_LINES] + lines[-SIGNATURE_LINES:]
    return lines


def _year_lines(lines: list[str], head: Head) -> list[str]:
    """Head lines a report's year may be read from: not label fields, not a
    site's own date line (2019年12月3日星期二 above a 2025 report)."""
    return [line for i, line in enumerate(lines[:HEADER_LINES])
            if i not in head.field_lines and "星期" not in line and not _DATED_LINE.match(line)]


def _issuer_in_text(region: str, text: str) -> str:
    """The bureau of ``region`` as the page names it (焦作市应急管理局), or ''."""
    from ..places import Gazetteer

    place = Gazetteer.load().place(region)
    names = [region] + ([place.short] if place and place.short != region else [])
    m = re.search(rf"(?:{'|'.join(map(re.escape, names))})(?:应急管理局|应急管理厅|应急局)", text)
    if not m:
        return ""
    found = m.group()
    return found if found.startswith(region) else region + found[len(names[-1]):]


def find_issuer(title: str, lines: list[str], fields: dict[str, str] | None = None) -> str:
    """Issuing body: a place-named body in the title (金华市应急管理局), a
    national body (国务院), else a 发布机构/来源 field, else the signature at the
    end of the text.

    >>> find_issuer("金华市应急管理局(人防办)关于2020年度法治政府建设工作情况的报告", [])
    '金华市应急管理局'
    >>> find_issuer("2024年中华人民共和国国务院政府工作报告", [])
    '国务院'
    """
    for pattern in (_LOCAL_ORG, _NATIONAL_ORG):
        m = pattern.search(title)
        if m:
            return m.group()
    for key in ("发布机构", "来源"):
        m = _LOCAL_ORG.search((fields or {}).get(key, ""))
        if m:
            return m.group()
    for line in reversed(lines[-SIGNATURE_LINES:]):
        m = _LOCAL_ORG.fullmatch(line) if len(line) <= 30 else None
        if m:
            return m.group()
    for line in lines[:HEADER_LINES]:
        m = re.search(rf"来源\s*:?\s*({_LOCAL_ORG.pattern})", line)
        if m:
            return m.group(1)
    return ""


def split_places(name: str) -> list[str]:
    """Leading place names of an organisation name, outermost first.

    >>> split_places("天津市静海区应急管理局")
    ['天津市', '静海区']
    >>> split_places("内蒙古自治区阿拉善盟应急管理局")
    ['内蒙古自治区', '阿拉善盟']
    >>> split_places("杭州市西湖区应急管理局"), split_places("赵县应急管理局")
    (['杭州市', '西湖区'], ['赵县'])
    """
    places = []
    rest = name
    while len(places) < 3:
        m = _PLACE_AT_START.match(rest)
        if not m or m.end() == len(rest):
            break
        places.append(m.group())
        rest = rest[m.end():]
    return places


def find_region(issuer: str, title: str = "") -> tuple[str, str, str]:
    """(region, parent_region, level) from the issuer's (else the title's)
    place names; national bodies give ("全国", "", "国家").

    >>> find_region("天津市静海区应急管理局")
    ('静海区', '天津市', '区')
    >>> find_region("国务院")
    ('全国', '', '国家')
    """
    for name in (issuer, title):
        if not name:
            continue
        places = split_places(name)
        if places:
            region = places[-1]
            parent = places[-2] if len(places) > 1 else ""
            return region, parent, place_level(region)
        if _NATIONAL_ORG.match(name):
            return "全国", "", "国家"
    return "", "", ""


def find_year(title: str, lines: list[str]) -> int | None:
    """The year a report covers: the year named in its title, else the most
    frequent year in its opening lines (ties: the earliest mentioned).

    >>> find_year("金华市应急管理局关于2020年度法治政府建设工作情况的报告", [])
    2020
    >>> find_year("", ["会议同意报告提出的2025年发展目标", "2024年工作回顾", "2025年任务"])
    2025
    """
    years = normalise.find_years(normalise.replace_cn_numerals(title))
    if years:
        return years[0]
    opening = "\n".join(line for line in lines[:HEADER_LINES] if not _DATE_LABEL.search(line))
    years = normalise.find_years(normalise.replace_cn_numerals(opening[:1000]))
    if not years:
        return None
    counts = Counter(years)
    return max(counts, key=lambda y: (counts[y], -years.index(y)))


def find_doc_type(title: str, lines: list[str] = ()) -> str:
    """Type of report: the type keyword that comes first in its title
    (``DOC_TYPES``); a page with no typed title is typed by the words its
    opening repeats (``BODY_TYPES``; breadcrumbs left out); else "other".

    >>> find_doc_type("关于印发《十堰市应急管理局2021年工作要点》的通知")
    '工作要点'
    >>> find_doc_type("南昌市应急管理局2022年工作总结和2023年工作要点")
    '工作总结'
    >>> find_doc_type("", ["首页 > 政府信息公开年报", "2022年,某局推进法治政府建设,法治建设成效明显。"])
    '法治政府建设报告'
    """
    if RESOLUTION[1].search(title):
        return RESOLUTION[0]
    found = [(m.start(), name) for name, pattern in DOC_TYPES for m in [pattern.search(title)] if m]
    if found:
        return min(found)[1]
    opening = "\n".join(line for line in lines if ">" not in line)[:BODY_TYPE_CHARS]
    counts = {name: len(pattern.findall(opening)) for name, pattern in BODY_TYPES}
    best = max(counts, key=counts.get) if counts else ""
    return best if best and counts[best] else "other"


def find_publish_date(lines: list[str], fields: dict[str, str] | None = None) -> str | None:
    """ISO publish date: a 发布日期/发布时间/日期/撰写时间 header line (the value
    may be on the next line), a dated line like "——2024年3月5日在…", else the
    signature date at the end. Damaged dates are read by
    ``normalise.parse_date``, which refuses ambiguous ones.

    >>> find_publish_date(["某局报告", "日期:2025-01-23 15:28 来源:某局"])
    '2025-01-23'
    >>> find_publish_date(["某局报告", "一、成效", "某局", "20211月22"])
    '2021-01-22'
    """
    for key in ("发布日期", "成文日期"):
        found = normalise.parse_date((fields or {}).get(key, "")[:30])
        if found:
            return found
    head = lines[:HEADER_LINES]
    for i, line in enumerate(head):
        m = _DATE_LABEL.search(line)
        if m:
            value = line[m.end():m.end() + 30] or (head[i + 1][:30] if i + 1 < len(head) else "")
            found = normalise.parse_date(value)
            if found:
                return found
    for line in head:
        if _DATED_LINE.match(line) and "星期" not in line:  # 2019年12月3日星期二: the site's clock, not the report
            found = normalise.parse_date(line)
            if found:
                return found
    for line in reversed(lines[-SIGNATURE_LINES:]):
        if len(line) <= 20 and re.search(r"\d{4}", line) and "星期" not in line:
            found = normalise.parse_date(line)
            if found:
                return found
    return None


def find_doc_number(lines: list[str], fields: dict[str, str] | None = None) -> str:
    """文号 such as 十应急发〔2021〕6号 when the header has one on its own line
    (numbers cited inside sentences belong to other documents).

    >>> find_doc_number(["关于印发某要点的通知", "十应急发〔2021〕6号", "机关各室:"])
    '十应急发〔2021〕6号'
    """
    candidates = [(fields or {}).get("文号", "")] + [_DOC_NUMBER_LABEL.sub("", line) for line in lines[:HEADER_LINES]]
    for value in candidates:
        m = _DOC_NUMBER.match(value.strip())
        # on its own, or leading the title line: 济应急发〔2022〕1号 关于印发《…》的通知
        if m and (m.end() == len(value.strip()) or value.strip()[m.end():m.end() + 1] == " "):
            return m.group()
    return ""
