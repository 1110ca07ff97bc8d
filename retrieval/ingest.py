"""Read report files into ``Document`` records.

Three steps, in this order:

1. ``read_text`` turns one file into a string (.txt/.md/.jsonl with encoding
   detection, .html/.htm main text, .pdf text layer, .docx paragraphs and
   tables) or raises ``IngestError`` with a one-line reason;
2. ``prepare_text`` normalises it (``textnorm.normalize``, one paragraph per
   line, soft line breaks of scraped pages re-joined); metadata is read from
   this form, while the page header lines (发布日期, 来源 ...) are still there;
3. ``clean_text`` drops the page furniture (breadcrumbs, 打印本页, 访问次数 ...)
   and the header lines, giving ``Document.text``.

``load_documents`` walks files and folders and does all of it, collecting the
errors instead of stopping at the first one.

>>> clean_text("当前位置: 首页 > 公示公告\\n\\n  一、工作情况\\n打印本页 关闭窗口")
'一、工作情况'
"""
from __future__ import annotations

import difflib
import hashlib
import io
import json
import logging
import os
import re
import stat
import unicodedata
import zipfile
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from typing import Callable, Iterator

from . import textnorm
from .metadata import extract_metadata
from .records import Document

TEXT_SUFFIXES = {".txt"}
MARKDOWN_SUFFIXES = {".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
JSONL_SUFFIXES = {".jsonl"}
PDF_SUFFIXES = {".pdf"}
DOCX_SUFFIXES = {".docx"}
SUPPORTED_SUFFIXES = (TEXT_SUFFIXES | MARKDOWN_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES
                      | PDF_SUFFIXES | DOCX_SUFFIXES)
DEFAULT_MAX_BYTES = 10_000_000  # Settings.max_file_bytes, GOVQA_MAX_FILE_BYTES


class IngestError(Exception):
    """A file (or one line of a .jsonl file) that could not be loaded.

    >>> str(IngestError("a.txt", "file is empty"))
    'a.txt: file is empty'
    >>> str(IngestError("c.jsonl", "invalid JSON", line=3))
    'c.jsonl: line 3: invalid JSON'
    """

    skipped = False  # True for files passed over on purpose (see SkippedFile)

    def __init__(self, path: Path | str, message: str, line: int | None = None) -> None:
        self.path = Path(path)
        self.message = " ".join(str(message).split())  # always one line
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.path}: line {self.line}" if self.line is not None else str(self.path)
        return f"{where}: {self.message}"


class SkippedFile(IngestError):
    """A file found in a folder walk whose type is not read (a .xlsx, a .jpg):
    listed as skipped, not a failure. A file *named* on the command line with
    such a type is a plain ``IngestError``."""

    skipped = True


# ================================================================ reading files


def read_text(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Text of one file, by extension:

    - ``.txt``/``.jsonl``: decoded (UTF-8, UTF-8 with BOM, else GB18030);
    - ``.md``: decoded, Markdown markup (#, **, links, table pipes) removed;
    - ``.html``/``.htm``: decoded, reduced to the main text;
    - ``.pdf``: the text layer (pypdf), page by page;
    - ``.docx``: paragraphs and tables in document order (python-docx).

    Raises ``IngestError`` with a one-line reason for a missing, unreadable,
    empty, binary, corrupt or too large file, a PDF without a text layer, and
    an unsupported extension.

    >>> import tempfile, os
    >>> p = Path(tempfile.mkdtemp()) / "r.txt"
    >>> _ = p.write_bytes("罚款742万元".encode("gb18030"))
    >>> read_text(p)
    '罚款742万元'
    """
    path = Path(path)
    suffix = path.suffix.lower()
    reader = _READERS.get(suffix)
    if reader is None:
        raise IngestError(path, f"unsupported file type {suffix or '(no extension)'!r} "
                                f"(read: {', '.join(sorted(SUPPORTED_SUFFIXES))})")
    text = reader(path, _read_bytes(path, max_bytes))
    if not text.strip():
        raise IngestError(path, "no text (file holds only whitespace or markup)")
    return text


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    """Raw bytes, after the checks that need no decoding."""
    size = _file_size(path)
    if size > max_bytes:
        raise IngestError(path, f"file too large ({size:,} bytes, limit {max_bytes:,}; "
                                f"raise GOVQA_MAX_FILE_BYTES to allow it)")
    try:
        data = path.read_bytes()
    except PermissionError:
        raise IngestError(path, "file not readable (permission denied)") from None
    except OSError as exc:
        raise IngestError(path, f"file not readable ({exc.strerror or exc})") from None
    if not data:
        raise IngestError(path, "file is empty")
    return data


def _file_size(path: Path) -> int:
    """Size in bytes of a regular file; a clear error for anything else."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise IngestError(path, "file not found") from None
    except PermissionError:
        raise IngestError(path, "file not readable (permission denied)") from None
    except OSError as exc:
        raise IngestError(path, f"file not readable ({exc.strerror or exc})") from None
    if stat.S_ISDIR(info.st_mode):
        raise IngestError(path, "is a folder, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise IngestError(path, "not a regular file (device, pipe or socket)")
    return info.st_size


# ---------------------------------------------------------------- text files


def _plain_text(path: Path, data: bytes) -> str:
    """A text file's characters; whitespace-only and binary files refused."""
    if not data.strip():
        raise IngestError(path, "file holds only whitespace")
    if b"\x00" in data:
        raise IngestError(path, "binary file (contains NUL bytes), not text")
    text = _decode(data, path)
    if not text.strip():  # e.g. only U+3000 ideographic spaces
        raise IngestError(path, "file holds only whitespace")
    return text


def _decode(data: bytes, path: Path) -> str:
    """UTF-8 (with or without BOM), else GB18030; junk is refused as binary."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_binary(text):
            break
        return text
    raise IngestError(path, "binary or undecodable file (not UTF-8 or GB18030 text)")


def _looks_binary(text: str) -> bool:
    """More than 5 % control or unassigned characters: not a text file."""
    if not text:
        return False
    odd = sum(1 for ch in text
              if ch not in "\n\r\t\f" and unicodedata.category(ch) in ("Cc", "Cn", "Co", "Cs"))
    return odd / len(text) > 0.05


def _html_text(path: Path, data: bytes) -> str:
    return html_to_text(_plain_text(path, data))


def _markdown_text(path: Path, data: bytes) -> str:
    return markdown_to_text(_plain_text(path, data))


_MD_RULES = [(re.compile(p, re.M), r) for p, r in (
    (r"^[ \t]*(```|~~~).*$", ""),  # code fences
    (r"^[ \t]{0,3}#{1,6}[ \t]*(.*?)[ \t]*#*[ \t]*$", r"\1"),  # ATX headings
    (r"^[ \t]{0,3}>[ \t]?", ""),  # block quotes
    (r"^[ \t]*[-*+][ \t]+", ""),  # bullets
    (r"^[ \t]*\|?([ \t]*:?-{2,}:?[ \t]*\|)+[ \t]*(:?-*:?)[ \t]*\|?[ \t]*$", ""),  # table rule |---|---|
    (r"!\[[^\]\n]*\]\([^)\n]*\)", ""),  # images
    (r"\[([^\]\n]*)\]\([^)\n]*\)", r"\1"),  # links: keep the words
    (r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", r"\2"),  # **bold**
    (r"(?<![*A-Za-z0-9])\*(?=\S)([^*\n]+?)(?<=\S)\*(?!\*)", r"\1"),  # *italic*
    (r"`([^`\n]+)`", r"\1"),  # `code`
    (r"^[ \t]*\|(.*)\|[ \t]*$", lambda m: " ".join(c.strip() for c in m.group(1).split("|"))),  # table row
)]


def markdown_to_text(markdown: str) -> str:
    """Plain text of a Markdown report: heading marks, emphasis, links,
    bullets and table pipes removed; a table row becomes one line.

    >>> markdown_to_text("# 某县2023年工作要点\\n- 完成**演练35次**,见[附件](a.pdf)\\n| 指标 | 数值 |\\n|---|---|\\n| 罚款 | 80万元 |")
    '某县2023年工作要点\\n完成演练35次,见附件\\n指标 数值\\n\\n罚款 80万元'
    """
    for pattern, replacement in _MD_RULES:
        markdown = pattern.sub(replacement, markdown)
    return markdown


# ---------------------------------------------------------------- PDF


def _pdf_text(path: Path, data: bytes) -> str:
    """The text layer of every page: page numbers dropped, lines the PDF
    wrapped inside a paragraph joined again (``reflow_pdf_lines``)."""
    import pypdf

    with _pypdf_warnings() as warned:
        try:
            reader = pypdf.PdfReader(io.BytesIO(data))
            if reader.is_encrypted and not reader.decrypt(""):
                raise IngestError(path, "encrypted PDF (needs a password)")
            pages = [_page_lines(page, warned) for page in reader.pages]
        except IngestError:
            raise
        except Exception as exc:  # pypdf raises many types on damaged files
            raise IngestError(path, _pdf_problem(data, exc)) from None
    if not pages:
        raise IngestError(path, "PDF has no pages")
    if not any(pages):
        if any(_has_fonts(page) for page in reader.pages):
            reason = warned[0] if warned else "fonts without a Unicode map?"
            raise IngestError(path, f"text layer could not be read ({reason})")
        raise IngestError(path, f"no text layer (scanned PDF?): {len(pages)} page(s) of images only; "
                                f"run OCR first")
    return "\n".join(reflow_pdf_lines([line for lines in pages for line in lines]))


# a page number alone on the first or last line of a page: "- 3 -", "—3—", "第3页 共9页", "3/9", "3"
_PAGE_NUMBER = re.compile(r"^([-—–]\s*\d{1,4}\s*[-—–]|第\s*\d{1,4}\s*页\s*[,，]?\s*(共\s*\d{1,4}\s*页)?|"
                          r"\d{1,4}\s*/\s*\d{1,4}|\d{1,3})$")


def _page_lines(page, warned: list[str]) -> list[str]:
    """Non-empty lines of one page without its page number; a page pypdf
    cannot read gives no lines (and a warning) instead of failing the file."""
    try:
        text = page.extract_text() or ""
    except Exception as exc:
        warned.append(f"{type(exc).__name__}: {exc}")
        return []
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    while lines and _PAGE_NUMBER.match(lines[-1]):
        lines.pop()
    while lines and _PAGE_NUMBER.match(lines[0]):
        lines.pop(0)
    return lines


def reflow_pdf_lines(lines: list[str]) -> list[str]:
    """Join the lines a PDF broke inside a paragraph.

    A PDF has no paragraphs, only lines; a paragraph longer than the text
    width comes out as several full lines and a shorter last one. The full
    width is the most common line width (at least three lines share it); a
    line that wide not ending a sentence is joined with the next one.
    Headings and short lines stay as they are.

    >>> full = "全年共检查生产经营单位2731家,行政处罚"  # three lines this wide: the full width
    >>> out = reflow_pdf_lines(["一、执法", full, "703次。", full, "99次。", full, "5次。", "二、打算"])
    >>> out[:2], len(out)
    (['一、执法', '全年共检查生产经营单位2731家,行政处罚703次。'], 5)
    """
    full = _full_width(lines)
    if not full:
        return lines
    out: list[str] = []
    wrapped = False
    for line in lines:
        if wrapped:
            out[-1] += line
        else:
            out.append(line)
        wrapped = _width(line) >= full - 2 and not _ends_sentence(line)
    return out


def _full_width(lines: list[str]) -> int:
    """The width of a full line, or 0 when the text shows no wrapping.

    Wrapped text has most of its long lines at one width (within one CJK
    character): at least three, and a third of the lines 30 columns wide or
    more. Unwrapped paragraphs have widths all over the place.
    """
    widths = [_width(line) for line in lines if _width(line) >= 30]
    best, best_count = 0, 0
    for width in set(widths):
        count = sum(1 for w in widths if width - 2 <= w <= width)
        if count > best_count or (count == best_count and width > best):
            best, best_count = width, count
    return best if best_count >= max(3, len(widths) / 3) else 0


def _width(line: str) -> int:
    """Printed width: CJK and full-width characters count two, others one."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


class _ListHandler(logging.Handler):
    def __init__(self, messages: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.messages = messages

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _pypdf_warnings() -> Iterator[list[str]]:
    """Collect pypdf's log warnings while one file is read, instead of
    printing them (errors are reported as one line per file)."""
    logger = logging.getLogger("pypdf")
    messages: list[str] = []
    handler = _ListHandler(messages)
    propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield messages
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def _has_fonts(page) -> bool:
    """Does the page (or a form drawn on it) declare fonts, i.e. mean to show text?"""
    try:
        resources = page.get("/Resources") or {}
        if "/Font" in resources:
            return True
        xobjects = resources.get("/XObject") or {}
        return any("/Font" in (xobjects[name].get_object().get("/Resources") or {}) for name in xobjects)
    except Exception:  # damaged resources: say nothing about fonts
        return False


def _pdf_problem(data: bytes, exc: Exception) -> str:
    """One line saying why pypdf could not read a file.

    >>> _pdf_problem(b"%PDF-1.4 1 0 obj <<", ValueError("x"))
    'truncated PDF (no %%EOF end marker; the file was cut short): ValueError: x'
    >>> _pdf_problem(b"<html>", ValueError("x"))
    'not a PDF (no %PDF header): ValueError: x'
    """
    detail = f"{type(exc).__name__}: {exc}"
    if not data.lstrip()[:1024].startswith(b"%PDF") and b"%PDF" not in data[:1024]:
        return f"not a PDF (no %PDF header): {detail}"
    if b"%%EOF" not in data[-2048:]:
        return f"truncated PDF (no %%EOF end marker; the file was cut short): {detail}"
    return f"corrupt PDF ({detail})"


# ---------------------------------------------------------------- DOCX


def _docx_text(path: Path, data: bytes) -> str:
    """Paragraphs and tables of a Word document, in document order."""
    import docx
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
        lines: list[str] = []
        for block in document.iter_inner_content():
            lines.extend(_table_lines(block) if isinstance(block, Table) else [block.text])
    except zipfile.BadZipFile:
        raise IngestError(path, "not a .docx file (not a zip package; an old .doc renamed? "
                                "save it as .docx)") from None
    except Exception as exc:  # python-docx / lxml on damaged packages
        raise IngestError(path, f"corrupt .docx ({type(exc).__name__}: {exc})") from None
    return "\n".join(lines)


def _table_lines(table) -> list[str]:
    """Lines of a Word table: a row of short cells (a data table) becomes one
    line, "隐患整改 2150处"; cells holding sentences or several paragraphs (a
    layout table) give one line per paragraph."""
    from docx.table import Table

    lines: list[str] = []
    for row in table.rows:
        cells = _distinct_cells(row.cells)
        texts = [c.text.strip() for c in cells]
        if all(len(c.paragraphs) <= 1 and not c.tables and "。" not in t for c, t in zip(cells, texts)):
            lines.append(" ".join(t for t in texts if t))
            continue
        for cell in cells:
            for block in cell.iter_inner_content():
                lines.extend(_table_lines(block) if isinstance(block, Table) else [block.text])
    return lines


def _distinct_cells(cells: list) -> list:
    """Row cells with horizontally merged ones (the same cell repeated) once."""
    out: list = []
    for cell in cells:
        if not out or cell._tc is not out[-1]._tc:
            out.append(cell)
    return out


_READERS: dict[str, Callable[[Path, bytes], str]] = {
    **dict.fromkeys(TEXT_SUFFIXES | JSONL_SUFFIXES, _plain_text),
    **dict.fromkeys(MARKDOWN_SUFFIXES, _markdown_text),
    **dict.fromkeys(HTML_SUFFIXES, _html_text),
    **dict.fromkeys(PDF_SUFFIXES, _pdf_text),
    **dict.fromkeys(DOCX_SUFFIXES, _docx_text),
}


# ================================================================ HTML


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


# ================================================================ normalising

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_OPENERS = "《“‘「『([【〔"
_CLOSERS = "》”’」』)]】〕,.;:!?、。，；：！？"
_TERMINAL = "。！？；：!?;:"


def prepare_text(raw: str, unwrap: bool = False) -> str:
    """Normalised text, one paragraph per line, no blank lines, no indentation.

    Lines broken inside a sentence by scraped link markup (a line that starts
    with closing punctuation, or follows a line ending in 《 or “) are joined
    back. With ``unwrap`` (wiki-style sources, where paragraphs are separated
    by blank lines), every single line break that does not follow the end of
    a sentence is joined too. Nothing is removed: metadata is read from this form.

    >>> prepare_text("  听取了总理所作的\\n政府工作报告\\n。会议同意。\\n\\n\\n二、下步打算")
    '听取了总理所作的政府工作报告。会议同意。\\n二、下步打算'
    >>> prepare_text("广义货币M\\n2\\n增长13%。\\n要加强协同。", unwrap=True)
    '广义货币M2增长13%。\\n要加强协同。'
    """
    text = textnorm.normalize(raw).translate(_INVISIBLE)
    paragraphs: list[str] = []
    for block in re.split(r"\n\s*\n", text):
        lines = [line.strip() for line in block.split("\n")]
        lines = _join_soft_breaks([line for line in lines if line])
        paragraphs.extend(_unwrap(lines) if unwrap else lines)
    return "\n".join(paragraphs)


def _unwrap(lines: list[str]) -> list[str]:
    """Join the lines of one block except after the end of a sentence.

    >>> _unwrap(["政府工作报", "告"])
    ['政府工作报告']
    >>> _unwrap(["各位代表:", "现在,我代表国务院"])
    ['各位代表:', '现在,我代表国务院']
    """
    out: list[str] = []
    for line in lines:
        if out and not _ends_sentence(out[-1]):
            out[-1] += line
        else:
            out.append(line)
    return out


def _ends_sentence(line: str) -> bool:
    """Ends in 。!?;: (maybe followed by closing quotes or brackets)."""
    stripped = line.rstrip("”’」』)》]")
    return bool(stripped) and stripped[-1] in _TERMINAL + "…"


def _join_soft_breaks(lines: list[str]) -> list[str]:
    """Join lines of one block that were split inside a sentence.

    >>> _join_soft_breaks(["根据《", "安全生产法", "》要求", "二、打算"])
    ['根据《安全生产法》要求', '二、打算']
    """
    out: list[str] = []
    for i, line in enumerate(lines):
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if out and _continues(out[-1], line, nxt):
            out[-1] += line
        else:
            out.append(line)
    return out


def _continues(prev: str, line: str, nxt: str) -> bool:
    if line[0] in _CLOSERS or prev[-1] in _OPENERS:
        return True
    # a short fragment wedged between two pieces of one sentence:
    # "...所作的" / "政府工作报告" / "。会议..."
    return (bool(nxt) and nxt[0] in _CLOSERS and prev[-1] not in _TERMINAL
            and len(line) <= 30 and not any(ch in _TERMINAL for ch in line))


# ================================================================ furniture

# Page chrome, matched against a whole stripped line. Only short lines
# without a 。 are candidates (a report sentence is never chrome).
_CHROME = [re.compile(p) for p in (
    r"^(当前位置|您的位置|你的位置|您现在的位置|所在位置)",
    r"^首页\s*(>|›|»|$)",
    r"^(>>|»|›)",
    r"\S\s*>>\s*\S",  # "政务公开 >> 通知公告"
    r"^(相关链接|相关文章|相关阅读|相关新闻|友情链接|分享到)\s*:?",
    r"^扫一扫",
    r"^(上一篇|下一篇)\s*:",
    r"(访问次数|浏览次数|点击次数|阅读次数|点击数|浏览量)\s*:",
    r"^无障碍",
    r"^[|\s\-_=*·•.>#~—]+$",  # separator rows: "| | | |", "-----"
    r"\d{4}年\d{1,2}月\d{1,2}日\s*星期[一二三四五六日天]$",  # site header with today's date
)]
# Buttons and switches: a line made of these words only is chrome.
_BUTTONS = re.compile(r"打印本页|打印|关闭窗口|关闭本页|关闭|返回顶部|返回|收藏本页|收藏|分享|"
                      r"字号|大|中|小|简体|繁体|English|无障碍|长者模式|[\[\]【】()|/:\s]")
# Footer of Wikisource pages (the national corpus): may hold a 。
_LICENCE = [re.compile(p) for p in (
    r"^本作品.*(公有领域|著作权法)",
    r"^注:中文维基文库",
    r"^本模板所指",
    r"^(Public domain|false|true)+$",
)]

# "label: value" header lines; read by metadata before they are dropped
_HEADER_LABELS = ("发布日期", "发布时间", "撰写时间", "成文日期", "发文日期", "日期", "时间",
                  "来源", "信息来源", "文章来源", "作者", "责任编辑", "编辑", "索引号",
                  "发布机构", "发文机关", "主题分类", "字号")
_HEADER_LINE = re.compile(rf"^({'|'.join(_HEADER_LABELS)})\s*[:]")
_LABEL_ONLY = re.compile(rf"^({'|'.join(_HEADER_LABELS)})$")
_EMPTY_ATTACHMENT = re.compile(r"^附件\s*[:]?\s*$")
HEADER_ZONE = 15  # lines at the top of a page where header furniture lives


def is_furniture(line: str) -> bool:
    """Page chrome that never belongs to a report's text.

    >>> [is_furniture(s) for s in ("打印本页 关闭窗口", "| | | |", "字号:[ ]", "一、主要工作情况")]
    [True, True, True, False]
    >>> is_furniture("关闭不具备安全生产条件的非煤矿山")
    False
    """
    if any(p.search(line) for p in _LICENCE):
        return True
    if len(line) > 150 or "。" in line:
        return False
    return any(p.search(line) for p in _CHROME) or not _BUTTONS.sub("", line)


def clean_text(raw: str, unwrap: bool = False) -> str:
    """Report text without page furniture: one paragraph per line.

    Keeps the title line; drops breadcrumbs, print/close buttons, visit
    counters, the 发布日期/来源 header lines, a title repeated in broken
    pieces, and an empty 附件: at the end.

    >>> clean_text("无障碍 简体| 繁体\\n\\n某局2019年报告\\n来源:办公室 发布时间:2020-03-30\\n一、成效")
    '某局2019年报告\\n一、成效'
    """
    return remove_furniture(prepare_text(raw, unwrap=unwrap))


def remove_furniture(prepared: str) -> str:
    """The furniture-removal half of ``clean_text``, for text already passed
    through ``prepare_text``."""
    lines = _drop_licence_footer(prepared.split("\n"))
    lines = [line for line in lines if line and not is_furniture(line)]
    lines = _drop_header_lines(lines)
    lines = _drop_repeated_title(lines)
    while lines and _EMPTY_ATTACHMENT.match(lines[-1]):
        lines.pop()
    return "\n".join(lines)


def _drop_licence_footer(lines: list[str]) -> list[str]:
    """Cut a Wikisource licence footer ("本作品…属于公有领域。") and what follows it."""
    for i, line in enumerate(lines):
        if any(p.search(line) for p in _LICENCE[:1]):
            return lines[:i]
    return lines


def _drop_header_lines(lines: list[str]) -> list[str]:
    """Drop "发布日期: ..." lines, and "撰写时间" / "2021年05月14日" label/value
    pairs, in the first lines of a page."""
    out: list[str] = []
    skip_value = False
    for i, line in enumerate(lines):
        if skip_value:
            skip_value = False
            if len(line) <= 40 and "。" not in line:
                continue
        if i < HEADER_ZONE and _LABEL_ONLY.match(line):
            skip_value = True
            continue
        if i < HEADER_ZONE and _HEADER_LINE.match(line) and len(line) <= 150 and "。" not in line:
            continue
        out.append(line)
    return out


def _drop_repeated_title(lines: list[str]) -> list[str]:
    """Drop a copy of an earlier header line (the title printed again, maybe
    broken over two lines and missing a character: "某局2019" / "法治政府建设情况报告")."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if i < HEADER_ZONE and not _has_sentence_end(line):
            earlier = [x for x in out if not _has_sentence_end(x)]
            pair = line + lines[i + 1] if i + 1 < len(lines) else None
            if pair and not _has_sentence_end(lines[i + 1]) and _near_copy(pair, earlier):
                i += 2
                continue
            if _near_copy(line, earlier):
                i += 1
                continue
        out.append(line)
        i += 1
    return out


def _has_sentence_end(line: str) -> bool:
    return any(ch in "。!?;" for ch in line)


def _near_copy(candidate: str, earlier: list[str]) -> bool:
    a = textnorm.squash(candidate)
    return len(a) >= 8 and any(
        difflib.SequenceMatcher(None, a, textnorm.squash(e)).ratio() >= 0.9 for e in earlier)


# ================================================================ documents


def load_documents(paths: list[Path], max_bytes: int = DEFAULT_MAX_BYTES,
                   on_error: Callable[[IngestError], None] | None = None,
                   ) -> tuple[list[Document], list[IngestError]]:
    """Load every supported file under ``paths`` (files or folders).

    Folders are walked recursively in sorted order, hidden files skipped.
    Problems never stop the run: each one becomes an ``IngestError`` in the
    returned list (and is passed to ``on_error`` as it happens); files of an
    unsupported type met in a folder are ``SkippedFile`` errors (``.skipped``
    is True), which callers list as skipped rather than failed.

    Example (from the project folder)::

        docs, errors = load_documents([Path("seeds")])
        docs[0].source, docs[0].meta.region   # ('000_7d684337e85e8840.txt', '威海市')
    """
    docs: list[Document] = []
    errors: list[IngestError] = []

    def fail(err: IngestError) -> None:
        errors.append(err)
        if on_error:
            on_error(err)

    for path in _expand(paths, fail):
        try:
            if path.suffix.lower() in JSONL_SUFFIXES:
                docs.extend(_load_jsonl(path, max_bytes, fail))
            else:
                docs.append(_load_file(path, max_bytes))
        except IngestError as err:
            fail(err)
    return docs, errors


def _expand(paths: list[Path], fail: Callable[[IngestError], None]) -> Iterator[Path]:
    """Files named, and the supported files found under the folders named.

    A folder is walked recursively in sorted path order; hidden files and
    folders (``.git``) are passed over silently, files of other types are
    reported as ``SkippedFile`` and unreadable sub-folders as errors.
    """
    for path in map(Path, paths):
        try:
            is_dir = path.is_dir()
            exists = is_dir or path.exists() or path.is_symlink()
        except OSError as exc:
            fail(IngestError(path, f"not readable ({exc.strerror or exc})"))
            continue
        if is_dir:
            yield from _walk(path, fail)
        elif exists:
            yield path
        else:
            fail(IngestError(path, "file not found"))


def _walk(folder: Path, fail: Callable[[IngestError], None]) -> Iterator[Path]:
    """Supported files under ``folder``, sorted by path."""
    def unreadable(exc: OSError) -> None:
        fail(IngestError(exc.filename or folder, f"folder not readable ({exc.strerror or exc})"))

    found: list[Path] = []
    for top, dirs, files in os.walk(folder, onerror=unreadable):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found.extend(Path(top, f) for f in files if not f.startswith("."))
    for path in sorted(found):
        if path.suffix.lower() in SUPPORTED_SUFFIXES:
            yield path
        else:
            fail(SkippedFile(path, f"unsupported file type {path.suffix.lower() or '(no extension)'!r}"))


def _load_file(path: Path, max_bytes: int) -> Document:
    raw = read_text(path, max_bytes)
    return make_document(raw, source=path.name, path=path)


def _load_jsonl(path: Path, max_bytes: int, fail: Callable[[IngestError], None]) -> list[Document]:
    """One Document per line of ``{"title", "content", "year", "url"}``; a
    broken line is reported and skipped."""
    docs = []
    for number, line in enumerate(read_text(path, max_bytes).split("\n"), start=1):
        if not line.strip():
            continue
        try:
            docs.append(_jsonl_document(path, number, line))
        except IngestError as err:
            fail(err)
    return docs


def _jsonl_document(path: Path, number: int, line: str) -> Document:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise IngestError(path, f"invalid JSON ({exc.msg} at column {exc.colno})", line=number)
    if not isinstance(record, dict):
        raise IngestError(path, "not a JSON object", line=number)
    content = record.get("content")
    if not isinstance(content, str) or not content.strip():
        raise IngestError(path, "no 'content' text", line=number)
    title = record.get("title") if isinstance(record.get("title"), str) else ""
    url = record.get("url") if isinstance(record.get("url"), str) else ""
    # corpus content is wiki text: paragraphs are separated by blank lines,
    # single line breaks come from inline markup
    return make_document(content, source=f"{path.name}#{number}", path=path, line=number,
                         title_hint=title, year_hint=_year(record.get("year")), url=url,
                         unwrap=True)


def _year(value: object) -> int | None:
    """A year field given as 2024, "2024" or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        year = value
    elif isinstance(value, str) and re.fullmatch(r"\s*\d{4}\s*", value):
        year = int(value)
    else:
        return None
    return year if 1900 <= year <= 2100 else None


def make_document(raw: str, source: str, path: Path | str = "", line: int | None = None,
                  title_hint: str = "", year_hint: int | None = None, url: str = "",
                  unwrap: bool = False) -> Document:
    """Document from raw text: metadata read first (header lines still
    there), then the furniture removed.

    >>> doc = make_document("明溪县应急管理局2024年法治政府建设情况报告\\n日期:2025-01-23\\n一、成效", "m.txt")
    >>> doc.text, doc.meta.region, doc.meta.publish_date
    ('明溪县应急管理局2024年法治政府建设情况报告\\n一、成效', '明溪县', '2025-01-23')
    """
    prepared = prepare_text(raw, unwrap)
    meta = extract_metadata(prepared, title_hint=title_hint, year_hint=year_hint)
    text = remove_furniture(prepared)
    if not text:
        raise IngestError(path or source, "no text left after removing page furniture", line=line)
    return Document(doc_id=document_id(text), source=source, text=text, meta=meta, url=url)


def document_id(text: str) -> str:
    """First 16 hex characters of the SHA-256 of the cleaned text.

    >>> document_id("abc")
    'ba7816bf8f01cfea'
    """
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
