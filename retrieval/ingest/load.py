"""Walk files and folders and turn each report into a ``Document``.

For each file: ``read_text`` (by format), ``prepare_text`` (normalised; the
metadata is read from this form, header lines still there), then
``remove_furniture`` gives ``Document.text``. Errors are collected, never fatal.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Callable, Iterator

from ..records import Document
from .clean import prepare_text, remove_furniture
from .errors import IngestError, SkippedFile
from .metadata import extract_metadata
from .read import DEFAULT_MAX_BYTES, JSONL_SUFFIXES, SUPPORTED_SUFFIXES, read_text


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
    errors: list[IngestError] = []

    def fail(err: IngestError) -> None:
        errors.append(err)
        if on_error:
            on_error(err)

    docs = list(iter_documents(paths, max_bytes, fail))
    return docs, errors


def iter_documents(paths: list[Path], max_bytes: int, fail: Callable[[IngestError], None]) -> Iterator[Document]:
    """The documents of :func:`load_documents`, one at a time as each file is
    read (the indexer encodes one while it reads the next); problems go to ``fail``."""
    for path in _expand(paths, fail):
        try:
            if path.suffix.lower() in JSONL_SUFFIXES:
                yield from _load_jsonl(path, max_bytes, fail)
            else:
                yield _load_file(path, max_bytes)
        except IngestError as err:
            fail(err)


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
