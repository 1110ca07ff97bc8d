"""Ingest: report files -> ``Document`` records (cleaned text + metadata) -> ``Chunk`` records.

Owns: reading each file format (``read``: .txt .md .html .pdf .docx .jsonl),
cleaning page furniture (``clean``), metadata read from the text itself
(``metadata``), walking folders into documents (``load``), and cutting
documents into section-labelled chunks (``chunking``).
Takes in: file and folder paths. Hands on: ``Document`` and ``Chunk`` records
(``records``) to the index; ``IngestError`` for every file it could not read.

The names below are also the old ``retrieval.ingest`` module's (kept for one release).
"""
from __future__ import annotations

from .clean import clean_text, is_furniture, prepare_text, remove_furniture
from .errors import IngestError, SkippedFile
from .html import html_to_text
from .load import document_id, load_documents, make_document
from .pdf import reflow_pdf_lines
from .plain import markdown_to_text
from .read import (DEFAULT_MAX_BYTES, DOCX_SUFFIXES, HTML_SUFFIXES, JSONL_SUFFIXES, MARKDOWN_SUFFIXES,
                   PDF_SUFFIXES, SUPPORTED_SUFFIXES, TEXT_SUFFIXES, read_text)

__all__ = [
    "IngestError", "SkippedFile", "read_text", "markdown_to_text", "html_to_text", "reflow_pdf_lines",
    "prepare_text", "clean_text", "remove_furniture", "is_furniture", "load_documents", "make_document",
    "document_id", "SUPPORTED_SUFFIXES", "DEFAULT_MAX_BYTES", "TEXT_SUFFIXES", "MARKDOWN_SUFFIXES",
    "HTML_SUFFIXES", "JSONL_SUFFIXES", "PDF_SUFFIXES", "DOCX_SUFFIXES",
]
