"""Plain text and Markdown files: decoding (UTF-8, BOM, GB18030), binary
files refused, Markdown markup removed."""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from .errors import IngestError


def plain_text(path: Path, data: bytes) -> str:
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



def markdown_file_text(path: Path, data: bytes) -> str:
    return markdown_to_text(plain_text(path, data))


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
