"""What a report is, read from its own text (never from its file name).

``extract_metadata`` expects the normalised text with the page header lines
still in it (see ``ingest.prepare_text``): the 发布日期 / 撰写时间 lines give
the publish date, the title line gives issuer, place, year and type.

Places are found by their suffixes (省/自治区/市/州/盟/区/县/旗), not from a list,
so reports of bureaus nobody has seen work the same way.

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

HEADER_LINES = 20  # the top of a page: title, date and number lines live here
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

# first match wins: (type, pattern over the title)
DOC_TYPES: list[tuple[str, re.Pattern[str]]] = [
    ("政府信息公开年报", re.compile(r"政府信息公开.*(年报|年度报告|工作报告)")),
    ("法治政府建设报告", re.compile(r"法治政府建设.*(报告|情况)")),
    ("工作要点", re.compile(r"工作要点")),
    ("工作总结", re.compile(r"总结")),
    ("工作计划", re.compile(r"工作计划|工作安排|工作方案")),
    ("决议", re.compile(r"决议$")),  # e.g. 人大关于政府工作报告的决议
    ("政府工作报告", re.compile(r"政府工作报告")),
]

# ---------------------------------------------------------------- lines

_TITLE_END = re.compile(r"(报告|要点|通知|总结|计划|年报|意见|方案|办法|决定|决议|规划|公告|通报|"
                        r"批复|纲要|规定|细则|安排|函)(\(.{1,10}\))?$")
_NOT_TITLE = re.compile(r"^(当前位置|您的位置|首页|>>|来源|信息来源|发布|日期|撰写|时间|访问|字号|"
                        r"无障碍|索引号)|>|\||星期")
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
    """
    lines = _head_and_tail(text)
    title = normalise.normalize(title_hint).strip() or find_title(lines)
    issuer = find_issuer(title, lines)
    region, parent, level = find_region(issuer, title)
    return Metadata(
        title=title,
        issuer=issuer,
        region=region,
        parent_region=parent,
        level=level,
        year=year_hint or find_year(title, lines),
        doc_type=find_doc_type(title),
        publish_date=find_publish_date(lines),
        doc_number=find_doc_number(lines),
    )


def _head_and_tail(text: str) -> list[str]:
    """Normalised non-empty lines of the top and the end of the text (the
    only parts metadata is read from; normalising all of a long text is slow)."""
    lines = [line for line in text.split("\n") if line.strip()]
    if len(lines) > HEADER_LINES + SIGNATURE_LINES:
        lines = lines[:HEADER_LINES] + lines[-SIGNATURE_LINES:]
    return [normalise.normalize(line).strip() for line in lines]


def find_title(lines: list[str]) -> str:
    """The report's own title line: the first header line that ends like a
    title (…报告, …要点, …通知); else the first plausible header line.

    >>> find_title(["当前位置: 首页 > 公示公告", "威海市应急管理局关于2021年度法治政府建设情况的报告"])
    '威海市应急管理局关于2021年度法治政府建设情况的报告'
    """
    candidates = [line for line in lines[:HEADER_LINES]
                  if 6 <= len(line) <= 100 and not _NOT_TITLE.search(line)
                  and not any(ch in line for ch in "。;!?")]
    for line in candidates:
        if _TITLE_END.search(line):
            return line
    for line in candidates:
        if not line.endswith(":") and len(line) <= 60:
            return line
    return ""


def find_issuer(title: str, lines: list[str]) -> str:
    """Issuing body: a place-named body in the title (金华市应急管理局), a
    national body (国务院), else the signature at the end of the text.

    >>> find_issuer("金华市应急管理局(人防办)关于2020年度法治政府建设工作情况的报告", [])
    '金华市应急管理局'
    >>> find_issuer("2024年中华人民共和国国务院政府工作报告", [])
    '国务院'
    """
    for pattern in (_LOCAL_ORG, _NATIONAL_ORG):
        m = pattern.search(title)
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


def find_doc_type(title: str) -> str:
    """Type of report from keywords in its title (``DOC_TYPES``), else "other".

    >>> find_doc_type("关于印发《十堰市应急管理局2021年工作要点》的通知")
    '工作要点'
    """
    for doc_type, pattern in DOC_TYPES:
        if pattern.search(title):
            return doc_type
    return "other"


def find_publish_date(lines: list[str]) -> str | None:
    """ISO publish date: a 发布日期/发布时间/日期/撰写时间 header line (the value
    may be on the next line), a dated line like "——2024年3月5日在…", else the
    signature date at the end. Damaged dates are read by
    ``normalise.parse_date``, which refuses ambiguous ones.

    >>> find_publish_date(["某局报告", "日期:2025-01-23 15:28 来源:某局"])
    '2025-01-23'
    >>> find_publish_date(["某局报告", "一、成效", "某局", "20211月22"])
    '2021-01-22'
    """
    head = lines[:HEADER_LINES]
    for i, line in enumerate(head):
        m = _DATE_LABEL.search(line)
        if m:
            value = line[m.end():m.end() + 30] or (head[i + 1][:30] if i + 1 < len(head) else "")
            found = normalise.parse_date(value)
            if found:
                return found
    for line in head:
        if _DATED_LINE.match(line):
            found = normalise.parse_date(line)
            if found:
                return found
    for line in reversed(lines[-SIGNATURE_LINES:]):
        if len(line) <= 20 and re.search(r"\d{4}", line):
            found = normalise.parse_date(line)
            if found:
                return found
    return None


def find_doc_number(lines: list[str]) -> str:
    """文号 such as 十应急发〔2021〕6号 when the header has one on its own line
    (numbers cited inside sentences belong to other documents).

    >>> find_doc_number(["关于印发某要点的通知", "十应急发〔2021〕6号", "机关各室:"])
    '十应急发〔2021〕6号'
    """
    for line in lines[:HEADER_LINES]:
        value = _DOC_NUMBER_LABEL.sub("", line)
        if _DOC_NUMBER.fullmatch(value):
            return value
    return ""
