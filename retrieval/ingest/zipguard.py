"""A guard for zip packages (.docx, .xlsx) before a library opens them:
refuse one that unpacks to far more than a report could (a zip bomb).

The sizes a zip declares can lie, and ``zipfile``'s ``read()`` inflates a
part whole before checking it against the declared size (measured: a part
declared as 1 KB took +286 MB of memory), so every part is inflated here in
1 MB steps, counting what really comes out and stopping at the limit. One
helper for every Office reader.
"""
from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

from .errors import IngestError

ZIP_MAGIC = b"PK\x03\x04"  # how every zip-based file (.docx, .xlsx, OpenDocument) starts
EXPANSION_RATIO = 20  # a package may unpack to 20x the file size limit (GOVQA_MAX_FILE_BYTES)...
EXPANSION_CEILING = 100_000_000  # ...and never past 100 MB: a 300-page report is ~5 MB of XML
MAX_ZIP_RATIO = 200  # XML compresses 10-30x; 200x its own size and more is a bomb
MAX_ZIP_MEMBERS = 10_000
STEP = 1 << 20  # inflate 1 MB at a time


def expansion_limit(file_limit: int) -> int:
    """Most bytes a package may unpack to when files may weigh ``file_limit``.

    >>> expansion_limit(10_000_000), expansion_limit(1_000_000)
    (100000000, 20000000)
    """
    return min(EXPANSION_RATIO * file_limit, EXPANSION_CEILING)


def check_zip(path: Path, data: bytes, file_limit: int = 10_000_000) -> None:
    """Raise ``IngestError`` for a package that is not a readable zip, has
    too many parts, or unpacks to more than ``expansion_limit(file_limit)``
    (or MAX_ZIP_RATIO times its own size).

    >>> buffer = io.BytesIO()
    >>> with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
    ...     z.writestr("x.xml", b"0" * 3_000_000)
    >>> try:
    ...     check_zip(Path("bomb.xlsx"), buffer.getvalue())
    ... except IngestError as err:
    ...     print(err.message.startswith("refused: unpacks to more than"), "zip bomb?" in err.message)
    True True
    """
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise IngestError(path, f"damaged Office file (not a readable zip: {exc})") from None
    if len(members) > MAX_ZIP_MEMBERS:
        raise IngestError(path, f"Office file with {len(members):,} parts (limit {MAX_ZIP_MEMBERS:,}); refused")
    limit = min(expansion_limit(file_limit), MAX_ZIP_RATIO * len(data))
    total = 0
    for member in members:
        total += _inflated_size(path, data, member, limit - total)
        if total > limit:
            raise IngestError(path, f"refused: unpacks to more than {limit:,} bytes from {len(data):,} bytes: "
                                    f"expands too much (at most {EXPANSION_RATIO}x GOVQA_MAX_FILE_BYTES, "
                                    f"{EXPANSION_CEILING // 10**6} MB, or {MAX_ZIP_RATIO}x the file; a zip bomb?)")


def _inflated_size(path: Path, data: bytes, member: zipfile.ZipInfo, budget: int) -> int:
    """Bytes one part unpacks to, counted up to just past ``budget``."""
    start = member.header_offset
    if data[start:start + 4] != b"PK\x03\x04":
        raise IngestError(path, f"damaged Office file (part {member.filename!r} not found)")
    name_len, extra_len = struct.unpack("<HH", data[start + 26:start + 30])
    body_start = start + 30 + name_len + extra_len
    body = data[body_start:body_start + member.compress_size]
    if member.compress_type == zipfile.ZIP_STORED:
        return len(body)
    if member.compress_type != zipfile.ZIP_DEFLATED:
        raise IngestError(path, f"Office file with a part compressed by method {member.compress_type} "
                                f"(Word and Excel use deflate); refused")
    inflater = zlib.decompressobj(-15)
    size = 0
    try:
        chunk = inflater.decompress(body, STEP)
        while chunk and size <= budget:
            size += len(chunk)
            chunk = inflater.decompress(inflater.unconsumed_tail, STEP)
    except zlib.error as exc:
        raise IngestError(path, f"damaged Office file (part {member.filename!r}: {exc})") from None
    return size
