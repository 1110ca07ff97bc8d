"""The user cache folder for models govqa derives once (today: the ONNX e5).

Where: ``$GOVQA_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/govqa``, else
``~/.cache/govqa`` (read here and nowhere else in ``embeddings``).

A cached file is named ``<stem>.<checksum>.<suffix>``, the checksum being the
first 16 hex digits of its SHA-256, so a file is checked against its own name
when it is found (a damaged one is removed, with a one-line warning, and made
again). Files are written under a temporary name and renamed into place, and
the making is done under an exclusive lock, so processes that start at the
same time neither corrupt the file nor all make it.
"""
from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

CACHE_ENV = "GOVQA_CACHE_DIR"
CHECKSUM_CHARS = 16  # 64 bits of SHA-256: enough to tell files apart, short enough to read

log = logging.getLogger(__name__)


def cache_dir(explicit: Path | str | None = None) -> Path:
    """The folder for derived models: ``explicit``, else from the environment."""
    if explicit:
        return Path(explicit).expanduser()
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser() / "govqa"


def file_checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:CHECKSUM_CHARS]


def find_cached(folder: Path, stem: str, suffix: str) -> Path | None:
    """The cached file ``stem.<checksum>.suffix`` whose content matches its
    checksum; damaged ones are removed with a warning."""
    for path in sorted(folder.glob(f"{stem}.*.{suffix}")):
        checksum = path.name[len(stem) + 1 : -len(suffix) - 1]
        if len(checksum) == CHECKSUM_CHARS and file_checksum(path) == checksum:
            return path
        log.warning("cached model %s is damaged (checksum differs); making it again", path)
        path.unlink(missing_ok=True)
    return None


def temporary_path(folder: Path, stem: str, suffix: str) -> Path:
    """A new empty file in ``folder`` to write into before :func:`publish`.
    Call it under :func:`exclusive`: the temporary files of ``stem`` found
    there were left by a process killed while writing, and are removed."""
    folder.mkdir(parents=True, exist_ok=True)
    for orphan in folder.glob(f".{stem}.tmp-*"):
        orphan.unlink(missing_ok=True)
    handle, name = tempfile.mkstemp(dir=folder, prefix=f".{stem}.tmp-", suffix="." + suffix)
    os.close(handle)
    return Path(name)


def publish(written: Path, stem: str, suffix: str) -> Path:
    """Rename a finished file to ``stem.<checksum>.suffix`` beside it (atomic)."""
    final = written.with_name(f"{stem}.{file_checksum(written)}.{suffix}")
    os.chmod(written, 0o644)  # readable like any cache file (a temporary file is private)
    os.replace(written, final)
    return final


@contextmanager
def exclusive(folder: Path, stem: str) -> Iterator[None]:
    """Hold ``folder/stem.lock`` while a cached file is being made (POSIX; a
    no-op elsewhere: the atomic rename alone still keeps the file whole)."""
    folder.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    with open(folder / f"{stem}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
