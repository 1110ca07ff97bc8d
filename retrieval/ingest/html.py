"""HTML pages: the main text, without scripts, navigation, header and footer."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from .plain import plain_text


def html_file_text(path: Path, data: bytes) -> str:
    return html_to_text(plain_text(path, data))


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
    """Main text of an HTML page: scripts, styles, navigation, header and
    footer dropped; block elements become line breaks.

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
