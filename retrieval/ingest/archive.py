"""Zip-based files (.docx, and any other Office or OpenDocument package):
refuse one that unpacks to far more than it weighs before any parser reads it.

An 812 KB .docx can hold 200 MB of XML (minutes of parsing, gigabytes of
memory, a million chunks). The sizes a zip declares can lie, so every member
is decompressed in 1 MB steps and counted, and reading stops at the cap.
"""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

from .errors import IngestError

ZIP_MAGIC = b"PK\x03\x04"
# A package may unpack to 20x the file size limit (text XML compresses 5-10x)...
EXPANSION_RATIO = 20
# ...and never past 100 MB, whatever the limit: a 300-page report is ~5 MB of XML.
EXPANSION_CEILING = 100_000_000
READ_STEP = 1 << 20


def expansion_limit(max_bytes: int) -> int:
    """Most bytes a zip-based file of at most ``max_bytes`` may unpack to.

    >>> expansion_limit(10_000_000), expansion_limit(1_000_000)
    (100000000, 20000000)
    """
    return min(EXPANSION_RATIO * max_bytes, EXPANSION_CEILING)


def check_expansion(path: Path, data: bytes, max_bytes: int) -> None:
    """Raise IngestError when the zip ``data`` unpacks to more than
    ``expansion_limit(max_bytes)``; anything else wrong with the zip is left
    to the format's reader to report."""
    if not data.startswith(ZIP_MAGIC):
        return
    limit = expansion_limit(max_bytes)
    total = 0
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                with archive.open(info) as member:
                    while block := member.read(READ_STEP):
                        total += len(block)
                        if total > limit:
                            raise IngestError(path, _too_big(limit, len(data)))
    except IngestError:
        raise
    except Exception:  # damaged, encrypted, unknown compression: the reader says which
        return


def _too_big(limit: int, size: int) -> str:
    return (f"unpacks to more than {limit / 1e6:.0f} MB from a {size / 1e3:,.0f} KB file (expands too much; "
            f"limit: {EXPANSION_RATIO}x GOVQA_MAX_FILE_BYTES, at most {EXPANSION_CEILING / 1e6:.0f} MB): not read")
