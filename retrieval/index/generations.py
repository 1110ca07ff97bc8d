"""Generation folders of an index and the pointer that makes one live.

Every change writes a complete new folder ``gen-*`` and then replaces
``CURRENT`` (one line: the live generation's name) in one atomic rename.
Around that switch:

- ``CHECKSUMS`` (``sha256sum`` format) is written into the generation just
  before it is published: ``verify`` and every later change check the live
  files against it, so damage is found before it is copied forward;
- ``HISTORY`` lists the generations ``CURRENT`` named, oldest first, one per
  switch. The generation kept for rollback is the one that was live before
  the last switch, never one chosen by folder name, and a generation named in
  the last two switches is never deleted;
- files are fsynced, then the generation folder and its sub-folders, then
  the index folder after the rename and again after ``CURRENT`` is replaced.

A damaged pointer (``CURRENT`` missing, empty, not a generation name, naming a
missing folder, or a live generation without a readable manifest) raises
:class:`IndexDamagedError`; only a folder that never held an index is
:class:`IndexMissingError`.
"""
from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import re
import shutil
import sqlite3
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

log = logging.getLogger(__name__)

CURRENT = "CURRENT"
HISTORY = "HISTORY"
CHECKSUMS = "CHECKSUMS"
GEN_PREFIX = "gen-"
TMP_SUFFIX = ".tmp"
HISTORY_LINES = 10  # switches remembered in HISTORY (two are enough to decide; the rest help an administrator)
KEPT_SWITCHES = 2  # generations named by the last two switches: the live one and its rollback
GEN_NAME = re.compile(r"gen-[0-9A-Za-z_-]+")  # no dot, no slash: a name can never leave the index folder
HASH_BLOCK = 1 << 20
DISK_FULL_BYTES = 1 << 20  # less free than this after a failed write: say the disk is full


class IndexMissingError(FileNotFoundError):
    """No index has been built in the folder."""


class IndexDamagedError(RuntimeError):
    """The index folder held an index that can no longer be read as it was written."""

    def __init__(self, root: Path, what: str):
        self.root, self.what = Path(root), one_line(what)
        super().__init__(f"index {root} is damaged: {self.what}; run `govqa index verify --index {root}` "
                         f"to see the damage, then `govqa index build --docs DIR --index {root}` to rebuild it")


class IndexWriteError(RuntimeError):
    """A new generation could not be written (disk full, file too large, I/O
    error); the live index was left as it was."""

    def __init__(self, name: str, exc: BaseException, disk_full: bool = False):
        self.name, self.reason = name, failure_reason(exc)
        if disk_full and os.strerror(errno.ENOSPC) not in self.reason:  # SQLite and numpy say it their way
            self.reason = f"disk full: {self.reason}"
        super().__init__(f"could not write {name} ({self.reason}): the index was left as it was; "
                         "free disk space or fix the cause, then run the command again")


def one_line(text: object) -> str:
    return " ".join(str(text).split())


def brief(exc: BaseException) -> str:
    """An exception as one short line (FAISS's C++ location prefix dropped)."""
    message = one_line(exc) or type(exc).__name__
    if message.startswith("Error in ") and "Error: " in message:
        message = message.rsplit("Error: ", 1)[1]
    return message[:240]


def failure_reason(exc: BaseException) -> str:
    """Why a write failed, short: 'No space left on device', 'File too large',
    'database or disk is full', else the message on one line."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    message = brief(exc)
    for code in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT, errno.EIO):
        if os.strerror(code) in message:  # faiss and numpy put strerror inside their message
            return os.strerror(code)
    return message


@contextmanager
def reading(gen: Path, name: str) -> Iterator[None]:
    """Turn any failure to read file ``name`` of generation ``gen`` into one
    IndexDamagedError naming it (damaged SQLite pages, a truncated FAISS or
    BM25 file, bad JSON)."""
    try:
        yield
    except (IndexDamagedError, IndexMissingError):
        raise
    except Exception as exc:
        raise IndexDamagedError(gen.parent, f"{gen.name}/{name}: {brief(exc)}") from exc


@contextmanager
def writing(gen: Path, name: str) -> Iterator[None]:
    """Turn a failure to write file ``name`` of a new generation (disk full,
    file too large, I/O error) into one IndexWriteError naming it."""
    try:
        yield
    except (IndexWriteError, IndexDamagedError):
        raise
    except (OSError, sqlite3.Error, RuntimeError, ValueError, MemoryError) as exc:
        raise IndexWriteError(f"{gen.name.removesuffix('.tmp')}/{name}", exc, disk_full(gen)) from exc


def disk_full(path: Path) -> bool:
    """True when the file system holding ``path`` has less than DISK_FULL_BYTES free."""
    for folder in (path, *path.parents):
        try:
            return shutil.disk_usage(folder).free < DISK_FULL_BYTES
        except OSError:
            continue
    return False


# ---------------------------------------------------------------- which generation is live


def read_pointer(root: Path) -> str | None:
    """The generation name in ``CURRENT``; None when there is no ``CURRENT``.
    Raises IndexDamagedError for anything but one generation name."""
    try:
        raw = (root / CURRENT).read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise IndexDamagedError(root, f"CURRENT cannot be read ({exc.strerror or exc})") from None
    name = raw.decode("utf-8", errors="replace").strip()
    if not GEN_NAME.fullmatch(name):
        shown = "empty" if not name else "not a generation name"
        raise IndexDamagedError(root, f"CURRENT is {shown}{last_live_hint(root)}")
    return name


def held_an_index(root: Path) -> bool:
    """True once a generation was ever published here (a folder holding only a
    killed first build's ``.tmp`` and the lock never held one)."""
    return (root / CURRENT).exists() or (root / HISTORY).exists() or bool(finished_generations(root))


def live_generation(root: Path) -> Path:
    """The live generation folder, with a readable manifest.

    Raises IndexMissingError when the folder never held an index, else
    IndexDamagedError naming what is wrong."""
    from .store import missing_index

    name = read_pointer(root)
    if name is None:
        if held_an_index(root):
            raise IndexDamagedError(root, f"CURRENT is missing{last_live_hint(root)}")
        raise missing_index(root)
    gen = root / name
    if not gen.is_dir():
        raise IndexDamagedError(root, f"CURRENT names {name}, which does not exist{last_live_hint(root, name)}")
    try:
        manifest = json.loads((gen / "manifest.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise IndexDamagedError(root, f"{name}/manifest.json is missing") from None
    except (OSError, ValueError) as exc:
        raise IndexDamagedError(root, f"{name}/manifest.json cannot be read ({exc})") from None
    if not isinstance(manifest, dict):
        raise IndexDamagedError(root, f"{name}/manifest.json is not a manifest")
    return gen


def current_generation(root: Path) -> Path | None:
    """The live generation folder, or None when there is none or it is damaged."""
    try:
        return live_generation(root)
    except (IndexMissingError, IndexDamagedError):
        return None


def history(root: Path) -> list[str]:
    """Generation names ``CURRENT`` held, oldest first (lines that are not names are ignored)."""
    try:
        lines = (root / HISTORY).read_bytes().decode("utf-8", errors="replace").split()
    except OSError:
        return []
    return [line for line in lines if GEN_NAME.fullmatch(line)]


def last_live_hint(root: Path, not_this: str = "") -> str:
    """'; HISTORY says gen-x was live last (it is still there)' when it helps an administrator."""
    for name in reversed(history(root)):
        if name != not_this and (root / name / "manifest.json").exists():
            return f"; HISTORY says {name} was live before (it is still there)"
    return ""


def finished_generations(root: Path) -> list[Path]:
    return sorted(p for p in root.glob(GEN_PREFIX + "*") if p.is_dir() and not p.name.endswith(TMP_SUFFIX))


# ---------------------------------------------------------------- publishing


def new_generation_dir(root: Path) -> Path:
    """A new, empty ``gen-<time>-<pid>-<n>.tmp`` folder whose name no generation has."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    name = ""
    while not name or (root / name).exists():  # two changes in one second may draw the same 4 digits
        name = f"{GEN_PREFIX}{stamp}-{os.getpid()}-{time.monotonic_ns() % 10_000:04d}"
    gen = root / f"{name}{TMP_SUFFIX}"
    gen.mkdir(parents=True)
    return gen


def publish(root: Path, gen: Path) -> Path:
    """Make ``gen`` (a finished ``.tmp`` folder) the live generation.

    Checksums, fsync of every file and folder, rename, fsync of the index
    folder, atomic replacement of ``CURRENT``, fsync again; then the switch
    is recorded in ``HISTORY`` and generations no longer needed are deleted.
    If ``CURRENT`` cannot be replaced the new folder is deleted and the old
    generation stays live."""
    before = _last_live(root)
    with writing(gen, CHECKSUMS):
        write_checksums(gen)
        fsync_tree(gen)
    final = gen.with_name(gen.name.removesuffix(TMP_SUFFIX))
    with writing(root, final.name):
        gen.rename(final)
        fsync_dir(root)
    try:
        with writing(root, CURRENT):
            replace_file(root / CURRENT, final.name + "\n")
    except BaseException:
        if _pointer_or_none(root) != final.name:  # never published: never kept
            shutil.rmtree(final, ignore_errors=True)
        raise
    try:
        _record_switch(root, before, final.name)
    except OSError as exc:  # the switch is done; HISTORY only helps choose what to keep
        log.warning("could not record the switch to %s in HISTORY: %s", final.name, failure_reason(exc))
    remove_stale_generations(root)
    return final


def _record_switch(root: Path, before: str | None, new: str) -> None:
    names = history(root)
    if before and (not names or names[-1] != before):
        names.append(before)
    names.append(new)
    replace_file(root / HISTORY, "".join(n + "\n" for n in names[-HISTORY_LINES:]))


def _pointer_or_none(root: Path) -> str | None:
    try:
        return read_pointer(root)
    except IndexDamagedError:
        return None


def _last_live(root: Path) -> str | None:
    """The generation live before a switch: what ``CURRENT`` names; when it is
    damaged, the last one ``HISTORY`` names; else the newest finished folder
    with a manifest (an index from before ``HISTORY`` existed)."""
    name = _pointer_or_none(root)
    if name and (root / name).is_dir():
        return name
    for name in reversed(history(root)):
        if (root / name).is_dir():
            return name
    built = [g for g in finished_generations(root) if (g / "manifest.json").exists()]
    return max(built, key=lambda g: g.stat().st_mtime).name if built else None


def remove_stale_generations(root: Path) -> None:
    """Delete leftovers of killed writers (``.tmp`` folders and files) and
    generations that are neither live nor named in the last two switches.

    Only called by the lock holder. When the live generation cannot be told
    (damaged ``CURRENT``) no finished generation is deleted."""
    for leftover in root.glob(GEN_PREFIX + "*" + TMP_SUFFIX):
        shutil.rmtree(leftover, ignore_errors=True)
    for name in (CURRENT, HISTORY, CHECKSUMS):
        (root / (name + TMP_SUFFIX)).unlink(missing_ok=True)
    live = _pointer_or_none(root)
    if live is None or not (root / live).is_dir():
        return
    names = history(root)
    if names:
        keep = {live, *names[-KEPT_SWITCHES:]}
    else:  # an index written before HISTORY existed: keep its newest other generation, as it did
        others = [g.name for g in finished_generations(root) if g.name != live]
        keep = {live, *others[-1:]}
    for gen in finished_generations(root):
        if gen.name not in keep:
            shutil.rmtree(gen, ignore_errors=True)


# ---------------------------------------------------------------- checksums


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(HASH_BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


def write_checksums(gen: Path) -> None:
    """``CHECKSUMS`` of every file in ``gen`` (``sha256sum -c CHECKSUMS`` checks them by hand)."""
    lines = [f"{file_digest(p)}  {p.relative_to(gen).as_posix()}\n"
             for p in sorted(gen.rglob("*")) if p.is_file() and p.name != CHECKSUMS]
    (gen / CHECKSUMS).write_text("".join(lines), encoding="utf-8")


def checksum_mismatches(gen: Path) -> list[tuple[str, str]]:
    """(file, what is wrong) for every file that changed or went missing since
    it was written; empty when all match or the generation predates checksums."""
    try:
        text = (gen / CHECKSUMS).read_bytes().decode("utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        return [(CHECKSUMS, f"cannot be read ({brief(exc)})")]
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        digest, _, name = line.partition("  ")
        if not re.fullmatch(r"[0-9a-f]{64}", digest) or not name or ".." in Path(name).parts:
            found.append((CHECKSUMS, f"is damaged (line {number})"))
        elif not (gen / name).is_file():
            found.append((name, "is missing"))
        elif file_digest(gen / name) != digest:
            found.append((name, "has changed since it was written (checksum differs)"))
    return found


# ---------------------------------------------------------------- durable files


def replace_file(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically: a fsynced ``.tmp`` file renamed
    over it, then the folder fsynced."""
    tmp = path.with_name(path.name + TMP_SUFFIX)
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)


def fsync_tree(folder: Path) -> None:
    """fsync every file, then every folder (deepest first, ``bm25/`` included)."""
    folders = [folder]
    for path in sorted(folder.rglob("*")):
        if path.is_dir():
            folders.append(path)
        elif path.is_file():
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())
    for sub in sorted(folders, key=lambda p: len(p.parts), reverse=True):
        fsync_dir(sub)


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
