"""Ingest: report files -> ``Document`` records (cleaned text + metadata) -> ``Chunk`` records.

Owns: reading each file format (``read``: .txt .md .html .pdf .docx .doc
.xlsx .jsonl and scanned images; ``ocr`` and ``layout`` for pages, ``tables``
for tables, ``zipguard`` for Office packages), cleaning page furniture
(``clean``), metadata read from the text itself (``metadata``), walking
folders into documents (``load``), page numbers through cleaning
(``pages``), and cutting documents into section-labelled chunks (``chunking``).
Takes in: file and folder paths. Hands on: ``Document`` and ``Chunk`` records
(``records``) to the index; ``IngestError`` for every file it could not read.

The names below are also the old ``retrieval.ingest`` module's (kept for one release).
"""
from __future__ import annotations

from .clean import clean_text, is_furniture, prepare_text, remove_furniture
from .errors import IngestError, MissingTool, SkippedFile
from .html import html_to_text
from .load import FileRead, document_id, load_documents, make_document
from .options import PageRead, ReadOptions
from .plain import markdown_to_text
from .read import (DEFAULT_MAX_BYTES, DOC_SUFFIXES, DOCX_SUFFIXES, HTML_SUFFIXES, IMAGE_SUFFIXES, JSONL_SUFFIXES,
                   MARKDOWN_SUFFIXES, PDF_SUFFIXES, SUPPORTED_SUFFIXES, TEXT_SUFFIXES, XLSX_SUFFIXES, read_text)
from .zipguard import check_zip

__all__ = [
    "IngestError", "SkippedFile", "MissingTool", "read_text", "ReadOptions", "PageRead", "FileRead",
    "markdown_to_text", "html_to_text", "check_zip",
    "prepare_text", "clean_text", "remove_furniture", "is_furniture", "load_documents", "make_document",
    "document_id", "SUPPORTED_SUFFIXES", "DEFAULT_MAX_BYTES", "TEXT_SUFFIXES", "MARKDOWN_SUFFIXES",
    "HTML_SUFFIXES", "JSONL_SUFFIXES", "PDF_SUFFIXES", "DOCX_SUFFIXES", "DOC_SUFFIXES", "XLSX_SUFFIXES",
    "IMAGE_SUFFIXES",
]
