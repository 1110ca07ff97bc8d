"""``read_text``: one file -> its text, by extension, or an ``IngestError``
with a one-line reason. The readers of each format family live beside it
(plain text and Markdown, HTML, PDF, images by OCR, Word, Excel)."""
from __future__ import annotations

import stat
from pathlib import Path
from typing import Callable

from .zipguard import ZIP_MAGIC, check_zip
from .errors import IngestError
from .html import html_file_text
from .ocr import IMAGE_SUFFIXES, image_text
from .office import doc_text, xlsx_text
from .options import ReadOptions
from .pdf import pdf_text
from .plain import markdown_file_text, plain_text
from .word import docx_text

TEXT_SUFFIXES = {".txt"}
MARKDOWN_SUFFIXES = {".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
JSONL_SUFFIXES = {".jsonl"}
PDF_SUFFIXES = {".pdf"}
DOCX_SUFFIXES = {".docx"}
DOC_SUFFIXES = {".doc"}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}
SUPPORTED_SUFFIXES = (TEXT_SUFFIXES | MARKDOWN_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES
                      | PDF_SUFFIXES | DOCX_SUFFIXES | DOC_SUFFIXES | XLSX_SUFFIXES | IMAGE_SUFFIXES)
DEFAULT_MAX_BYTES = 10_000_000  # Settings.max_file_bytes, GOVQA_MAX_FILE_BYTES


def read_text(path: Path, max_bytes: int = DEFAULT_MAX_BYTES, options: ReadOptions | None = None) -> str:
    """Text of one file, by extension:

    - ``.txt``/``.jsonl``: decoded (UTF-8, UTF-8 with BOM, else GB18030);
    - ``.md``: decoded, Markdown markup (#, **, links, table pipes) removed;
    - ``.html``/``.htm``: decoded, reduced to the main text;
    - ``.pdf``: page by page, the text layer (pypdfium2), else OCR; page markers (``pages``);
    - ``.png``/``.jpg``/``.tif``/``.bmp``: OCR, a TIFF's frames as pages;
    - ``.docx``: paragraphs and tables in document order (python-docx);
    - ``.doc``: through antiword; ``.xlsx``: each sheet's rows as sentences (openpyxl).

    Raises ``IngestError`` with a one-line reason for a missing, unreadable,
    empty, binary, corrupt or too large file, a PDF or image without any
    text, a missing converter (``MissingTool``), and an unsupported extension.

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
    data = _read_bytes(path, max_bytes)
    if data.startswith(ZIP_MAGIC):  # any zip-based format: no zip bomb reaches a parser
        check_zip(path, data, max_bytes)
    text = reader(path, data, options or ReadOptions())
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



Reader = Callable[[Path, bytes, ReadOptions], str]


def _plain(read: Callable[[Path, bytes], str]) -> Reader:
    """A reader that needs no options."""
    return lambda path, data, options: read(path, data)


_READERS: dict[str, Reader] = {
    **dict.fromkeys(TEXT_SUFFIXES | JSONL_SUFFIXES, _plain(plain_text)),
    **dict.fromkeys(MARKDOWN_SUFFIXES, _plain(markdown_file_text)),
    **dict.fromkeys(HTML_SUFFIXES, _plain(html_file_text)),
    **dict.fromkeys(PDF_SUFFIXES, pdf_text),
    **dict.fromkeys(IMAGE_SUFFIXES, image_text),
    **dict.fromkeys(DOCX_SUFFIXES, _plain(docx_text)),
    **dict.fromkeys(DOC_SUFFIXES, _plain(doc_text)),
    **dict.fromkeys(XLSX_SUFFIXES, _plain(xlsx_text)),
}
