"""Tables govqa derives from packaged data (the place gazetteers, CC-CEDICT's
English vocabulary, the places of an index), kept on disk between processes.

Making them costs every process that answers a first question about a
second of CPU (CC-CEDICT parsed, 3,671 places spelled in pinyin, each
indexed place described); reading them back costs a few milliseconds.

A table is kept in ``<cache folder>/tables/<name>-<key>.pickle``. The key is
a hash of govqa's own code and data (every file of the ``retrieval``
package), of the files the table is made from and of the packages it uses
(size and modification time), and of the caller's own inputs: any change
to any of them makes the table again. A file that cannot be read is made
again; one that cannot be written is simply not kept; the files of older
keys of the same name are removed when a new one is written.

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> cached_table("squares", lambda: [n * n for n in range(4)], folder=folder)
[0, 1, 4, 9]
>>> cached_table("squares", lambda: "not called: read from the file", folder=folder)
[0, 1, 4, 9]
"""
from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import pickle
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, TypeVar

T = TypeVar("T")
PACKAGE = Path(__file__).resolve().parent.parent  # retrieval/
SUBFOLDER = "tables"

log = logging.getLogger(__name__)


def cached_table(name: str, build: Callable[[], T], sources: Iterable[Path] = (), packages: Iterable[str] = (),
                 inputs: str = "", folder: Path | None = None) -> T:
    """``build()``, or the table it made before with the same code, sources,
    packages and ``inputs`` (a string naming what the caller built it from)."""
    folder = folder or _default_folder()
    key = _key(name, tuple(map(str, sources)), tuple(packages), inputs)
    path = folder / f"{name}-{key}.pickle"
    try:
        with open(path, "rb") as handle:
            return pickle.load(handle)
    except FileNotFoundError:
        pass
    except Exception as exc:  # damaged, or written by another version of a class
        log.info("table %s cannot be read (%s); making it again", path, exc)
    table = build()
    _write(path, name, table)
    return table


def _default_folder() -> Path:
    from ..settings import Settings

    return Settings.from_env().cache_dir / SUBFOLDER


def _key(name: str, sources: tuple[str, ...], packages: tuple[str, ...], inputs: str) -> str:
    parts = [code_fingerprint(), name, inputs]
    parts += [f"{path}:{_stat(path)}" for path in sources]
    parts += [f"{package}:{_stat(_package_file(package))}" for package in packages]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Hash of every file of the ``retrieval`` package (its code and data): ~10 ms."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".tsv", ".csv", ".json", ".txt"):
            digest.update(str(path.relative_to(PACKAGE)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _package_file(package: str) -> str:
    """The file that names an installed package's version (found without importing it)."""
    spec = importlib.util.find_spec(package)
    return spec.origin if spec and spec.origin else package


def _stat(path: str) -> str:
    try:
        st = os.stat(path)
    except OSError:
        return "missing"
    return f"{st.st_size}:{st.st_mtime_ns}"


def _write(path: Path, name: str, table: object) -> None:
    """Atomically, replacing the older keys of ``name``; never an error."""
    temporary: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, written = tempfile.mkstemp(dir=path.parent, prefix=f".{name}-", suffix=".tmp")
        temporary = Path(written)
        with os.fdopen(handle, "wb") as out:
            pickle.dump(table, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
        temporary = None
        for old in path.parent.glob(f"{name}-*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)
    except Exception as exc:  # unwritable folder, a table that cannot be pickled, ...
        log.info("table %s not kept (%s)", path, exc)
    finally:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
