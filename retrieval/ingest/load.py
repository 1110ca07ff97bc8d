"""Walk files and folders and turn each report into a ``Document``.

For each file: ``read_text`` (by format), ``prepare_text`` (normalised; the
metadata is read from this form, header lines still there), then
``remove_furniture`` gives ``Document.text``, and the page markers of paged
sources become ``Document.pages``. Errors are collected, never fatal.

A document's ``source`` is its path relative to the folder given
(``2020/report.pdf``), or the file name for a file named on the command line;
two different files that would get one source keep the paths as given, and
the clash is said in one line. Symbolic links inside a folder are followed
only while they stay inside the folders given.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Iterator

from ..records import Document
from .clean import prepare_text, remove_furniture
from .errors import IngestError, Notice, SkippedFile
from .metadata import extract_metadata
from .options import PageRead, ReadOptions
from .pages import split_page_marks
from .read import DEFAULT_MAX_BYTES, JSONL_SUFFIXES, SUPPORTED_SUFFIXES, read_text


@dataclass
class FileRead:
    """What reading one file gave: its line in ``govqa index build``."""

    path: Path
    documents: int = 0
    pages: int = 0
    ocr_pages: int = 0
    ocr_seconds: float = 0.0
    skipped_pages: int = 0  # pages without a text layer left unread (--no-ocr)

    def count(self, read: PageRead) -> None:
        self.pages = read.pages
        if read.how == "ocr":
            self.ocr_pages += 1
            self.ocr_seconds += read.seconds
        elif read.how == "skipped":
            self.skipped_pages += 1

    def line(self) -> str:
        """'read scan.pdf: 3 pages, 2 by OCR (4.1 s/page)'.

        >>> FileRead(Path("a/scan.pdf"), 1, 3, 2, 8.2).line()
        'read scan.pdf: 3 pages, 2 by OCR (4.1 s/page)'
        >>> FileRead(Path("c.jsonl"), 2).line(), FileRead(Path("s.pdf"), 1, 2, skipped_pages=1).line()
        ('read c.jsonl: 2 documents', 'read s.pdf: 2 pages, 1 without a text layer not read (--no-ocr)')
        """
        parts = [f"{self.pages} page{'s' * (self.pages != 1)}"] if self.pages else []
        if self.ocr_pages:
            parts.append(f"{self.ocr_pages} by OCR ({self.ocr_seconds / self.ocr_pages:.1f} s/page)")
        if self.skipped_pages:
            parts.append(f"{self.skipped_pages} without a text layer not read (--no-ocr)")
        if self.documents != 1:
            parts.insert(0, f"{self.documents} documents")
        return f"read {self.path.name}" + (": " + ", ".join(parts) if parts else "")


def load_documents(paths: list[Path], max_bytes: int = DEFAULT_MAX_BYTES,
                   on_error: Callable[[IngestError], None] | None = None,
                   options: ReadOptions | None = None,
                   on_file: Callable[[FileRead], None] | None = None,
                   ) -> tuple[list[Document], list[IngestError]]:
    """Load every supported file under ``paths`` (files or folders).

    Folders are walked recursively in sorted order, hidden files skipped.
    Problems never stop the run: each one becomes an ``IngestError`` in the
    returned list (and is passed to ``on_error`` as it happens); files of an
    unsupported type met in a folder are ``SkippedFile`` errors (``.skipped``
    is True), which callers list as skipped rather than failed. ``options``
    say how files are read (OCR on or off, told of every page read);
    ``on_file`` is told what each file read gave.

    Example (from the project folder)::

        docs, errors = load_documents([Path("seeds")])
        docs[0].source, docs[0].meta.region   # ('000_7d684337e85e8840.txt', '威海市')
    """
    errors: list[IngestError] = []

    def fail(err: IngestError) -> None:
        errors.append(err)
        if on_error:
            on_error(err)

    docs = list(iter_documents(paths, max_bytes, fail, options, on_file))
    return docs, errors


def iter_documents(paths: list[Path], max_bytes: int, fail: Callable[[IngestError], None],
                   options: ReadOptions | None = None,
                   on_file: Callable[[FileRead], None] | None = None) -> Iterator[Document]:
    """The documents of :func:`load_documents`, one at a time as each file is
    read (the indexer encodes one while it reads the next); problems go to
    ``fail``. Sources are settled from the whole list of files first, so a
    clash of names is known before the first file is read."""
    options = options or ReadOptions()
    files = _without_clashes(list(_expand(paths, fail)), fail)
    for path, source in files:
        read = FileRead(path)
        file_options = replace(options, on_page=_counting(read, options.on_page))
        try:
            if path.suffix.lower() in JSONL_SUFFIXES:
                found = _load_jsonl(path, max_bytes, fail, source)
            else:
                found = [_load_file(path, max_bytes, source, file_options)]
        except IngestError as err:
            fail(err)
            continue
        read.documents = len(found)
        if on_file and found:
            on_file(read)
        yield from found


def _counting(read: FileRead, then: Callable[[PageRead], None] | None) -> Callable[[PageRead], None]:
    def on_page(page: PageRead) -> None:
        read.count(page)
        if then:
            then(page)
    return on_page


def _without_clashes(files: list[tuple[Path, str]],
                     fail: Callable[[IngestError], None]) -> list[tuple[Path, str]]:
    """(file, source) with every clash settled: different files that would get
    one source take their paths as given instead (``a/report.txt``,
    ``b/report.txt``); all are kept and each clash is one line."""
    by_source: dict[str, dict[Path, Path]] = {}  # source -> {the file itself: path as given}
    for path, source in files:
        by_source.setdefault(source, {}).setdefault(_identity(path), path)
    clashes = {source: same for source, same in by_source.items() if len(same) > 1}
    for source, same in clashes.items():
        renamed = ", ".join(p.as_posix() for p in same.values())
        fail(Notice(source, f"clash: {len(same)} different files have this name; kept all, as {renamed}"))
    return [(path, path.as_posix() if source in clashes else source) for path, source in files]


def _identity(path: Path) -> Path:
    """The file itself, however it was named (``a.txt``, ``./a.txt``, ``docs/../a.txt``)."""
    try:
        return path.resolve()
    except OSError:
        return path.absolute()


def _expand(paths: list[Path], fail: Callable[[IngestError], None]) -> Iterator[tuple[Path, str]]:
    """(file, source) for each file named and each supported file found under
    the folders named; the source is the path relative to its folder, or the
    file name of a file named.

    A folder is walked recursively in sorted path order; hidden files and
    folders (``.git``) are passed over silently, files of other types and
    symbolic links leading out of the folders given are reported as
    ``SkippedFile``, unreadable sub-folders as errors.
    """
    paths = list(map(Path, paths))
    inside = [p.resolve() for p in paths if _is_dir(p)]
    for path in paths:
        try:
            is_dir = path.is_dir()
            exists = is_dir or path.exists() or path.is_symlink()
        except OSError as exc:
            fail(IngestError(path, f"not readable ({exc.strerror or exc})"))
            continue
        if is_dir:
            yield from ((f, f.relative_to(path).as_posix()) for f in _walk(path, inside, fail))
        elif exists:
            yield path, path.name
        else:
            fail(IngestError(path, "file not found"))


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


def _walk(folder: Path, inside: list[Path], fail: Callable[[IngestError], None]) -> Iterator[Path]:
    """Supported files under ``folder``, sorted by path."""
    def unreadable(exc: OSError) -> None:
        fail(IngestError(exc.filename or folder, f"folder not readable ({exc.strerror or exc})"))

    found: list[Path] = []
    for top, dirs, files in os.walk(folder, onerror=unreadable):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for d in dirs:  # os.walk does not enter linked folders: say so when the link leads out
            if os.path.islink(os.path.join(top, d)):
                _leads_out(Path(top, d), folder, inside, fail)
        found.extend(Path(top, f) for f in files if not f.startswith("."))
    for path in sorted(found):
        if path.is_symlink() and _leads_out(path, folder, inside, fail):
            continue
        if path.suffix.lower() in SUPPORTED_SUFFIXES:
            yield path
        else:
            fail(SkippedFile(path, f"unsupported file type {path.suffix.lower() or '(no extension)'!r}"))


def _leads_out(link: Path, folder: Path, inside: list[Path], fail: Callable[[IngestError], None]) -> bool:
    """True (and one ``skipped`` line) when symbolic link ``link`` points
    outside every folder given: its content is not the administrator's to index."""
    target = link.resolve()
    if any(target == root or root in target.parents for root in inside):
        return False
    fail(SkippedFile(link, f"symlink outside {folder} (to {target}), not followed"))
    return True


def _load_file(path: Path, max_bytes: int, source: str, options: ReadOptions) -> Document:
    raw = read_text(path, max_bytes, options)
    return make_document(raw, source=source, path=path)


def _load_jsonl(path: Path, max_bytes: int, fail: Callable[[IngestError], None], source: str) -> list[Document]:
    """One Document per line of ``{"title", "content", "year", "url"}``; a
    broken line is reported and skipped."""
    docs = []
    for number, line in enumerate(read_text(path, max_bytes).split("\n"), start=1):
        if not line.strip():
            continue
        try:
            docs.append(_jsonl_document(path, number, line, source))
        except IngestError as err:
            fail(err)
    return docs


def _jsonl_document(path: Path, number: int, line: str, source: str) -> Document:
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
    return make_document(content, source=f"{source}#{number}", path=path, line=number,
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
    meta = extract_metadata(split_page_marks(prepared)[0], title_hint=title_hint, year_hint=year_hint)
    text, pages = split_page_marks(remove_furniture(prepared))
    if not text:
        raise IngestError(path or source, "no text left after removing page furniture", line=line)
    return Document(doc_id=document_id(text), source=source, text=text, meta=meta, url=url, pages=pages)


def document_id(text: str) -> str:
    """First 16 hex characters of the SHA-256 of the cleaned text.

    >>> document_id("abc")
    'ba7816bf8f01cfea'
    """
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
