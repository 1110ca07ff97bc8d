"""HTML pages: the article, without the site's furniture.

A government web page wraps its report in navigation bars, breadcrumbs,
language and size switches, login links, "related links" and a footer
(版权所有, ICP备, 网站标识码, 主办单位). ``trafilatura`` (a maintained main-text
extractor) drops them by structure: nav/header/footer elements, link
density, boilerplate classes. Two steps come before it, because an
extractor drops what we need:

1. the 索引号/发布机构/成文日期 block is read first, one "label: value" line
   each (metadata reads them);
2. data tables (cells holding figures) become one sentence per row
   (``tables``), rowspan/colspan expanded; layout tables become plain blocks
   so the extractor judges their parts one by one.

A page the extractor finds no article in (a fragment, a bare list) is read
by the simple parser below (``html_to_text``).
"""
from __future__ import annotations

import logging
import re
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

from .plain import plain_text
from .tables import is_value, span, table_sentences

INFO_LABELS = ("索引号", "发布机构", "发文机关", "成文日期", "发布日期", "文号", "发文字号", "主题分类",
               "公开方式", "组配分类", "有效性", "失效日期", "生成日期", "公开时限", "信息来源")
MIN_INFO_LABELS = 3  # a block with this many of the labels is the document's info block


def html_file_text(path: Path, data: bytes) -> str:
    html = plain_text(path, data)
    return html_main_text(html) or html_to_text(html)


def html_main_text(html: str) -> str:
    """Info block lines, then the article's paragraphs ("" when no article is found).

    >>> page = ("<html><body><nav><a href='/'>首页</a> <a href='/a'>政务公开</a></nav><div class='article'>"
    ...         "<h1>某县应急管理局2023年工作总结</h1><p>全年检查企业512家,整改隐患1024处。</p>"
    ...         "<table><tr><td>指标</td><td>数量</td></tr><tr><td>演练</td><td>35</td></tr>"
    ...         "<tr><td>培训</td><td>12</td></tr></table></div>"
    ...         "<footer>版权所有:某县应急管理局 ICP备0001号</footer></body></html>")
    >>> print(html_main_text(page))
    某县应急管理局2023年工作总结
    全年检查企业512家,整改隐患1024处。
    演练 | 数量 35
    培训 | 数量 12
    """
    import lxml.html
    import trafilatura

    root = _parse(html)
    if root is None:
        return ""
    info = info_block(root)
    title = _heading(root)
    _drop_furniture_elements(root)
    _flatten_tables(root)
    logging.getLogger("trafilatura").setLevel(logging.ERROR)  # it warns about short pages
    try:
        text = trafilatura.extract(lxml.html.tostring(root, encoding="unicode"), include_tables=False,
                                   include_comments=False, include_links=False, include_images=False,
                                   deduplicate=False, config=_extractor_settings()) or ""
    except Exception:  # a page the extractor chokes on is read by the simple parser instead
        return ""
    if not text.strip():
        return ""
    if title and _squash(title) not in _squash(text):
        text = f"{title}\n{text}"  # the extractor keeps the <h1> as metadata, we want it as the first line
    return "\n".join([*info, text]) if info else text


@lru_cache(maxsize=1)
def _extractor_settings():
    """trafilatura's defaults, but a short article is still an article: below
    250 characters it falls back to reading the whole page, furniture and all
    (measured on a gov.cn-style page with a 300-character report)."""
    from trafilatura.settings import use_config

    config = use_config()
    config.set("DEFAULT", "MIN_EXTRACTED_SIZE", "1")
    return config


FURNITURE_TAGS = ("nav", "aside", "script", "style", "noscript", "template", "iframe", "button", "select")
PAGE_FURNITURE_TAGS = ("header", "footer")  # the page's, not an <article>'s own (its title and date)
INLINE_TAGS = ("b", "strong", "i", "em", "u", "font", "span", "sub", "sup", "small", "big")


def _drop_furniture_elements(root) -> None:
    """Remove elements that are furniture by their tag, and unwrap inline
    formatting, before the extractor judges the rest (on a short page it
    falls back to a plain reading that keeps <nav> and breaks lines at <b>)."""
    import lxml.etree

    for el in list(root.iter(*FURNITURE_TAGS, *PAGE_FURNITURE_TAGS)):
        if el.tag in PAGE_FURNITURE_TAGS and any(a.tag in ("article", "main") for a in el.iterancestors()):
            continue
        if el.getparent() is not None:
            el.drop_tree()
    lxml.etree.strip_tags(root, *INLINE_TAGS)


def _heading(root) -> str:
    """The report's title as the page shows it: its first <h1>, else the
    element whose text is the page's <title> (or a part of it: "标题 - 网站名");
    "" when neither is found."""
    h1 = next((" ".join(h.text_content().split()) for h in root.iter("h1")), "")
    if h1:
        return h1
    title = next((t.text_content() for t in root.iter("title")), "")
    parts = {_squash(p) for p in re.split(r"\s[-_|—–]+\s|_", title) if len(_squash(p)) >= 6}
    for el in root.iter("div", "p", "td", "h2", "h3", "strong", "span"):
        text = " ".join(el.text_content().split())
        if len(text) <= 100 and _squash(text) in parts:
            return text
    return ""


def _squash(text: str) -> str:
    return "".join(text.split())


def _parse(html: str):
    import lxml.html

    html = re.sub(r"^\s*<\?xml[^>]*>", "", html)  # lxml refuses a str with an encoding declaration
    try:
        return lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return None


# ================================================================ the info block


def info_block(root) -> list[str]:
    """The "label value" pairs of a gov.cn document info block (索引号, 发布机构,
    成文日期, 文号 ...), one "label: value" line each; [] when there is none.
    The smallest element holding the labels is read."""
    best: list[tuple[str, str]] = []
    best_size = 0
    for block in root.iter("table", "div", "ul", "dl"):
        if block.find(".//table") is not None and block.tag == "table":
            continue
        cells = [" ".join(el.text_content().split()) for el in block.iter("td", "th", "li", "span", "dt", "dd")]
        if sum(1 for c in cells if _info_label(c)) < MIN_INFO_LABELS:
            continue
        pairs = _label_value_pairs(cells)
        if pairs and (not best or len(cells) < best_size):
            best, best_size = pairs, len(cells)
    return [f"{label}: {value}" for label, value in best]


def _info_label(cell: str) -> str:
    bare = re.sub(r"[\s:：]", "", cell)
    return next((label for label in INFO_LABELS if bare.startswith(label)), "")


def _label_value_pairs(cells: list[str]) -> list[tuple[str, str]]:
    """(label, value) from cells "索引号:" "xxx" or "索引号:xxx"."""
    pairs: list[tuple[str, str]] = []
    k = 0
    while k < len(cells):
        label = _info_label(cells[k])
        if not label:
            k += 1
            continue
        rest = re.sub(r"^[^:：]*[:：]\s*", "", cells[k]) if re.search("[:：]", cells[k]) else ""
        if rest:
            pairs.append((label, rest))
            k += 1
        elif k + 1 < len(cells) and not _info_label(cells[k + 1]):
            if cells[k + 1]:
                pairs.append((label, cells[k + 1]))
            k += 2
        else:
            k += 1
    return _dedupe_pairs(pairs)


def _dedupe_pairs(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    seen: set[tuple[str, str]] = set()
    return [p for p in pairs if not (p in seen or seen.add(p))]


# ================================================================ tables


def _flatten_tables(root) -> None:
    """Data tables -> a caption line and row sentences; layout tables -> <div>s."""
    import lxml.html

    for table in reversed(list(root.iter("table"))):  # innermost first
        parent = table.getparent()
        if parent is None:
            continue
        grid = html_grid(table)
        if table.find(".//table") is None and _is_data_table(grid):
            block = lxml.html.Element("div")
            caption = table.find("caption")
            lines = [" ".join(caption.text_content().split())] if caption is not None else []
            for text in [*lines, *table_sentences(grid)]:
                p = lxml.html.Element("p")
                p.text = text
                block.append(p)
            block.tail = table.tail
            parent.replace(table, block)
        else:
            for el in [table, *table.iter("tbody", "thead", "tfoot", "tr", "td", "th", "caption")]:
                el.tag = "div"


def _is_data_table(grid: list[list[str]]) -> bool:
    if len(grid) < 2 or max(len(r) for r in grid) < 2:
        return False
    cells = [c for row in grid for c in row if c]
    return sum(1 for c in cells if is_value(c)) >= 2 and not any(_info_label(c) for c in cells[:4])


def html_grid(table) -> list[list[str]]:
    """Cell texts of a table's rows, rowspan/colspan expanded (merged cells
    repeated into every position they cover)."""
    grid: dict[tuple[int, int], str] = {}
    rows = [tr for tr in table.iter("tr")]
    for r, tr in enumerate(rows):
        c = 0
        for cell in tr:
            if cell.tag not in ("td", "th"):
                continue
            while (r, c) in grid:
                c += 1
            text = " ".join(cell.text_content().split())
            rowspan, colspan = span(cell.get("rowspan")), span(cell.get("colspan"))
            for dr in range(min(rowspan, len(rows) - r)):
                for dc in range(colspan):
                    grid[(r + dr, c + dc)] = text
            c += colspan
    if not grid:
        return []
    n_rows = max(r for r, _ in grid) + 1
    n_cols = max(c for _, c in grid) + 1
    return [[grid.get((r, c), "") for c in range(n_cols)] for r in range(n_rows)]


# ================================================================ the simple parser


class _MainText(HTMLParser):
    """Collects the visible text of a page, one block element per line."""

    SKIP = {"script", "style", "nav", "header", "footer", "aside", "noscript", "template",
            "head", "iframe", "svg", "button", "select"}
    BLOCK = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr",
             "table", "section", "article", "main", "blockquote", "pre", "hr", "dd", "dt",
             "dl", "td", "th", "form", "center", "address", "figure", "figcaption", "body"}
    VOID = {"br", "hr", "img", "meta", "link", "input", "area", "base", "col", "embed",
            "source", "track", "wbr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping: list[str] = []  # open skipped elements

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag == "body":
            self.skipping.clear()  # a <head> that was never closed
        if tag in self.SKIP and tag not in self.VOID:
            self.skipping.append(tag)
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs) -> None:
        if tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.skipping:
            # close the innermost open skipped element of this name (and any
            # unclosed ones opened inside it)
            while self.skipping and self.skipping.pop() != tag:
                pass
        elif tag in self.BLOCK and not self.skipping:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(re.sub(r"[ \t\r\n]+", " ", data))


def html_to_text(html: str) -> str:
    """Visible text of an HTML page or fragment: scripts, styles, navigation,
    header and footer dropped; block elements become line breaks.

    >>> html_to_text("<nav>首页</nav><p>罚款<b>742</b>万元</p><script>x()</script>")
    '罚款742万元'
    >>> html_to_text("<head><title>门户网站</title><body><p>正文</p>")
    '正文'
    """
    parser = _MainText()
    parser.feed(html)
    parser.close()
    lines = (line.strip() for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line)
