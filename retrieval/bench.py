"""``govqa bench``: speed, memory and recall, each beside a floor measured in
the same run (these machines are noisy, so ratios are the robust figures).

Rows of the table:

- **build**: chunks/s of ``index build`` on seeds/ against raw
  ``encode_passages`` chunks/s on the same texts (real model).
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
- **cold start**: process start to first printed answer for ``govqa ask`` and
  for the Telegram bot (application built, no network), against a process
  that only loads the model and encodes one question; ``govqa --help`` and
  ``govqa index list`` against a bare interpreter start.

Synthetic sizes keep the seed reports (real text, real vectors, so the dev
questions still find their answers) and fill up with copies of the national
corpus (real text, chunked and tokenised by the real pipeline) whose vectors
are *not* encoded: each corpus chunk gets a base vector mixed from two nearby
real anchor vectors (seed chunks plus a sample of corpus chunks encoded with
the real model), and each copy of it that base plus Gaussian noise. Questions
are always encoded by the real model. Synthetic indexes are cached in the
work folder and rebuilt only when the recipe or the size changes.

Each query row runs in a child process so that peak RSS belongs to it alone.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from .settings import DEFAULT_MODEL, PROJECT_DIR, Settings

DEFAULT_SIZES = (10_000, 100_000)
DEV_QUESTIONS = PROJECT_DIR.parent / "shared" / "eval" / "dev_qa.jsonl"
CORPUS = PROJECT_DIR.parent / "shared" / "corpora" / "government_work_reports.jsonl"
SEEDS = PROJECT_DIR / "seeds"
WORK = Path(tempfile.gettempdir()) / "govqa-bench"
SYNTHETIC_RECIPE = 2  # bump when the synthetic data changes, to rebuild cached indexes
NOISE = 0.015  # per-dimension sigma of a copy around its base (norm ~0.3 at 384-d)
ANCHORS = 64  # corpus chunks encoded with the real model as anchors
RECALL_QUERIES = 200
CANDIDATES = 200  # = search.CANDIDATES: how deep the ranker asks FAISS
# Done-when targets (issue 5).
TARGET_ASK_RATIO, TARGET_ASK_MS, TARGET_AT = 1.3, 60.0, 100_000
TARGET_BUILD_RATIO = 0.9
TARGET_RSS_MB, TARGET_RECALL, TARGET_BIG = 2048.0, 0.98, 1_000_000
TARGET_HELP_S = 1.0

Log = Callable[[str], None]


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- the table


@dataclass
class Row:
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


def render(rows: Sequence[Row]) -> str:
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


def summary(rows: Sequence[Row]) -> str:
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
    build = next((r for r in rows if r.measure == "build"), None)
    if build and build.ratio is not None:
        check(f"build {build.ratio:.2f}x raw encoder ({build.raw['build_rate']:.1f} chunks/s)",
              build.ratio >= TARGET_BUILD_RATIO)
    big = _ask_row(rows, TARGET_BIG)
    if big:
        recall = big.raw.get("recall")
        check(f"1M RSS +{big.rss_mb / 1024:.2f} GB, recall@10 {recall if recall is not None else 1:.3f}",
              (big.rss_mb or 0) <= TARGET_RSS_MB and (recall is None or recall >= TARGET_RECALL))
    else:
        parts.append("1M not run (--sizes ...,1000000)")
    helps = next((r for r in rows if r.measure == "govqa --help"), None)
    if helps:
        check(f"--help {helps.raw['seconds']:.2f} s", helps.raw["seconds"] < TARGET_HELP_S)
    enc = next((r for r in rows if r.measure.startswith("encode")), None)
    if enc:
        check(f"encoder {enc.raw['now_rate']:.1f} chunks/s = {enc.ratio:.2f}x fp32", (enc.ratio or 0) > 1.0)
    skipped = sum(" not run" in p for p in parts)
    verdict = f"{misses} target(s) missed" if misses else (
        "all done-when targets met" if not skipped else f"all measured targets met, {skipped} not run")
    return f"bench: {'; '.join(parts)} -> {verdict}"


def _ask_row(rows: Sequence[Row], chunks: int) -> Row | None:
    return next((r for r in rows if r.measure == "ask" and r.raw.get("size") == chunks), None)


# ---------------------------------------------------------------- the run


@dataclass
class BenchConfig:
    sizes: tuple[int, ...] = DEFAULT_SIZES
    questions: int = 100
    work: Path = WORK
    cold: bool = True
    build: bool = True
    encoder: bool = True
    anchors: int = ANCHORS


def run(settings: Settings, config: BenchConfig, log: Log = _log) -> list[Row]:
    """Every measurement, in order; returns the rows (printing is the caller's)."""
    model = settings.model or DEFAULT_MODEL
    config.work.mkdir(parents=True, exist_ok=True)
    seeds_root = config.work / f"seeds-{_slug(model)}"
    rows: list[Row] = []
    if config.build or _missing(seeds_root):
        log(f"build: seeds/ with {model} into {seeds_root}")
        rows.append(build_row(seeds_root, settings, model))
    if config.encoder:
        log("encode: m3e-small int8 vs fp32")
        rows.append(encoder_row())
    log("ask: seeds index")
    rows.append(query_row(seeds_root, config.questions, settings, size=None, data="real model"))
    for n in config.sizes:
        root = synthetic_index(n, seeds_root, config, settings, log)
        log(f"ask: {n:,} chunks")
        rows.append(query_row(root, config.questions, settings, size=n, data="synthetic, questions real"))
    if config.cold:
        log("cold start")
        rows.extend(cold_start_rows(seeds_root, model))
    return rows


def _missing(root: Path) -> bool:
    from .store import current_generation

    return current_generation(root) is None


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in text)[-40:]


def load_questions(path: Path = DEV_QUESTIONS) -> list[str]:
    return [json.loads(line)["question"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def cycled(items: Sequence[str], n: int) -> list[str]:
    return [items[i % len(items)] for i in range(n)]


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


# ---------------------------------------------------------------- build


def build_row(root: Path, settings: Settings, model: str) -> Row:
    """``index build`` of seeds/ vs raw encoding of the same chunk texts
    (raw timed before and after the build; their mean is the floor). One-time
    costs of a process (model, jieba dictionary, lazy imports) are paid by a
    one-paragraph warm-up build before either is timed."""
    from embeddings import load_embedder

    from .chunking import chunk_document
    from .index.indexer import _embed_text, build_index
    from .ingest import load_documents
    from .store import read_manifest

    shutil.rmtree(root, ignore_errors=True)  # no vector reuse: every chunk is encoded
    settings = settings.with_overrides(model=model)
    docs, _ = load_documents([SEEDS], max_bytes=settings.max_file_bytes)
    texts = [_embed_text(c) for d in docs for c in chunk_document(d, max_chars=settings.chunk_chars)]
    embedder = load_embedder(model, settings.batch_size)
    warm_up_build(root.parent / "warm-up", settings)
    raw_s = _timed(lambda: embedder.encode_passages(texts))
    build_s = _timed(lambda: build_index([SEEDS], root, settings))
    raw_s = (raw_s + _timed(lambda: embedder.encode_passages(texts))) / 2
    report_chunks = int(read_manifest(root)["chunks"])
    assert report_chunks == len(texts), (report_chunks, len(texts))
    build_rate, raw_rate = report_chunks / build_s, len(texts) / raw_s
    return Row("build", report_chunks, read_manifest(root).get("faiss_index", ""),
               f"{build_rate:.2f} chunks/s", f"raw encode {raw_rate:.2f}/s", build_rate / raw_rate,
               data=f"real model, batch {settings.batch_size}", raw={"build_rate": build_rate, "raw_rate": raw_rate})


def warm_up_build(folder: Path, settings: Settings) -> None:
    """Build a one-paragraph index (loads everything a build loads once)."""
    from .indexer import build_index

    shutil.rmtree(folder, ignore_errors=True)
    (folder / "docs").mkdir(parents=True)
    (folder / "docs" / "warm.txt").write_text(
        "金华市应急管理局2020年工作总结\n一、主要工作\n全年行政处罚703次,罚款1584.66万元。\n", encoding="utf-8")
    build_index([folder / "docs"], folder / "index", settings)


def encoder_row(name: str = "m3e-small", count: int = 64, chars: int = 300) -> Row:
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
        now_s += _timed(lambda: now.encode_passages(texts))
        start_s += _timed(lambda: start.encode_passages(texts))
    now_rate, start_rate = 2 * count / now_s, 2 * count / start_s
    return Row(f"encode {name}", count, "", f"{now_rate:.2f} chunks/s", f"fp32 {start_rate:.2f}/s",
               now_rate / start_rate, data=f"real model, {chars} chars, batch 32, int8",
               raw={"now_rate": now_rate, "start_rate": start_rate})


def _timed(fn: Callable[[], Any]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


# ---------------------------------------------------------------- ask (child process)


def query_row(root: Path, questions: int, settings: Settings, size: int | None, data: str) -> Row:
    """Run :func:`query_worker` in a child process and turn its JSON into a row."""
    cmd = [sys.executable, "-m", "retrieval.bench", "query", str(root), "--questions", str(questions)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=PROJECT_DIR, env=_child_env(settings))
    if proc.returncode != 0:
        raise RuntimeError(f"query worker failed for {root}:\n{proc.stderr[-2000:]}")
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    recall = r["recall"]
    return Row("ask", r["chunks"], r["index"],
               f"p50 {r['ask_p50']:.1f} / p95 {r['ask_p95']:.1f} ms",
               f"p50 {r['floor_p50']:.1f} ms", r["ask_p50"] / r["floor_p50"],
               "exact" if recall is None else f"{recall:.3f}", f"{r['dense_ms']:.1f} / {r['exact_ms']:.1f}",
               r["rss_beyond_model_mb"], disk_per_chunk(root), r["open_s"], data, raw={**r, "size": size})


def _child_env(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env["GOVQA_LOG_LEVEL"] = "WARNING"
    if settings.model:
        env["GOVQA_MODEL"] = settings.model
    return env


def disk_per_chunk(root: Path) -> float:
    from .store import current_generation, read_manifest

    gen = current_generation(root)
    total = sum(p.stat().st_size for p in gen.rglob("*") if p.is_file())
    return total / max(int(read_manifest(root)["chunks"]), 1)


def query_worker(root: Path, questions: int) -> dict[str, Any]:
    """Everything measured on one index, in this process.

    Phase 1 (memory): model loaded, index opened, every question asked;
    peak RSS then, minus peak RSS with only the model loaded.
    Phase 2 (speed): for each question in turn, one ``engine.ask`` and one
    floor (encode + exact search). Then recall@10 of the dense index."""
    from embeddings import load_embedder

    from .engine import Engine
    from .store import read_manifest

    settings = Settings.from_env()
    manifest = read_manifest(root)
    embedder = load_embedder(manifest["model"], settings.batch_size)
    embedder.encode_queries(["预热"])
    model_rss = _reset_peak_rss()
    started = time.perf_counter()
    engine = Engine.open(root, settings)
    open_s = time.perf_counter() - started
    asked = cycled(load_questions(), questions)
    for q in asked:
        engine.ask(q)
    peak_rss = _peak_rss_mb()

    exact = exact_index(engine.reader)
    ask_ms, floor_ms = [], []
    for q in asked:
        ask_ms.append(_timed(lambda: engine.ask(q)) * 1000)
        floor_ms.append(_timed(lambda: exact.search(embedder.encode_queries([q]), CANDIDATES)) * 1000)
    recall, dense_ms, exact_ms = dense_recall(engine.reader, exact, embedder.encode_queries(list(dict.fromkeys(asked))))
    return {
        "chunks": engine.reader.size, "index": manifest.get("faiss_index", "IndexFlatIP"),
        "ask_p50": percentile(ask_ms, 0.5), "ask_p95": percentile(ask_ms, 0.95),
        "floor_p50": percentile(floor_ms, 0.5), "floor_p95": percentile(floor_ms, 0.95),
        "dense_ms": dense_ms, "exact_ms": exact_ms, "recall": recall, "open_s": open_s,
        "model_rss_mb": model_rss, "peak_rss_mb": peak_rss, "rss_beyond_model_mb": peak_rss - model_rss,
    }


def _peak_rss_mb() -> float:
    """Peak RSS of this process in MB: ``VmHWM`` on Linux (``ru_maxrss`` of a
    child also counts the parent's memory it was forked with)."""
    return _proc_status_kb("VmHWM") / 1024 or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _reset_peak_rss() -> float:
    """Current RSS in MB, made the new peak (Linux ``clear_refs`` 5), so that a
    transient peak while loading the model does not hide what comes after."""
    rss_kb = _proc_status_kb("VmRSS")
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")
    except OSError:  # not Linux, or not allowed: the peak so far stays the baseline
        return _peak_rss_mb()
    return rss_kb / 1024


def _proc_status_kb(field_name: str) -> int:
    """A ``kB`` field of /proc/self/status; 0 when there is none."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            return next((int(line.split()[1]) for line in fh if line.startswith(field_name + ":")), 0)
    except OSError:
        return 0


def exact_index(reader: Any) -> Any:
    """An ``IndexFlatIP`` over the reader's vectors (the index itself when exact)."""
    import faiss

    if reader.dense.kind == "flat":
        return reader.faiss
    flat = faiss.IndexFlatIP(int(reader.manifest["dimension"]))
    step = 100_000
    for start in range(0, reader.size, step):
        flat.add(reader.vectors(np.arange(start, min(start + step, reader.size))))
    return flat


def dense_recall(reader: Any, exact: Any, question_vectors: np.ndarray) -> tuple[float | None, float, float]:
    """recall@10 of the index against exact search (None when the index is
    exact), and median ms of one dense search and of one exact search.

    Queries: the dev questions, plus stored vectors with noise (questions
    about the bulk of the index) up to RECALL_QUERIES."""
    rng = np.random.default_rng(7)
    extra = max(RECALL_QUERIES - len(question_vectors), 0)
    near = reader.vectors(np.sort(rng.choice(reader.size, size=min(extra, reader.size), replace=False)))
    near = near + rng.normal(0, NOISE, near.shape).astype(np.float32)
    queries = np.vstack([question_vectors, near / np.linalg.norm(near, axis=1, keepdims=True)]).astype(np.float32)
    found, dense_ms, exact_ms = 0, [], []
    for q in queries:
        started = time.perf_counter()
        ids, _ = reader.dense.search(q, CANDIDATES)
        dense_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        _, truth = exact.search(q.reshape(1, -1), CANDIDATES)
        exact_ms.append((time.perf_counter() - started) * 1000)
        found += len(set(ids[:10].tolist()) & set(truth[0][:10].tolist()))
    recall = None if reader.dense.kind == "flat" else found / (10 * len(queries))
    return recall, statistics.median(dense_ms), statistics.median(exact_ms)


# ---------------------------------------------------------------- synthetic indexes


def synthetic_index(n: int, seeds_root: Path, config: BenchConfig, settings: Settings, log: Log) -> Path:
    """An index of ``n`` chunks (cached): the seed reports plus copies of the corpus."""
    from .facts import write_facts
    from .store import new_generation_dir, publish, read_manifest, write_generation

    seeds_manifest = read_manifest(seeds_root)
    model = seeds_manifest["model"]
    recipe = {"recipe": SYNTHETIC_RECIPE, "chunks": n, "anchors": config.anchors, "model": model,
              "faiss_setting": settings.faiss_index}
    root = config.work / f"synthetic-{n}-{_slug(model)}-{settings.faiss_index}"
    if not _missing(root) and read_manifest(root).get("bench_synthetic") == recipe:
        return root
    log(f"synthetic: building {n:,} chunks in {root} (cached for the next run)")
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    docs, chunks, tokens, vectors = synthetic_data(n, seeds_root, config, settings, log)
    gen = new_generation_dir(root)
    started = time.perf_counter()
    write_generation(gen, docs, chunks, tokens, vectors, model, extra={"bench_synthetic": recipe},
                     index_kind=settings.faiss_index)
    write_facts(gen, docs, chunks)  # as the indexer does: without it the engine extracts facts in memory
    publish(root, gen)
    log(f"synthetic: {n:,} chunks written in {time.perf_counter() - started:.0f} s")
    return root


def synthetic_data(n: int, seeds_root: Path, config: BenchConfig, settings: Settings, log: Log):
    """Documents, chunks, tokens and vectors for an index of ``n`` chunks."""
    from .records import Document
    from .store import IndexReader

    reader = IndexReader.open(seeds_root)
    try:
        docs = [Document(s.doc_id, s.source, reader.document_text(s.doc_id), s.meta, s.url)
                for s in reader.documents.values()]
        rows = list(reader.iter_chunks())
        chunks = [c for c, _, _ in rows]
        tokens = [t for _, _, t in rows]
        seed_vectors = reader.vectors(np.arange(reader.size))
    finally:
        reader.close()
    templates = corpus_templates(settings)
    anchors, template_base = anchor_bases(templates, seed_vectors, config, reader.manifest["model"], settings, log)
    used: list[int] = []  # template chunk number of every filler chunk
    copy = 0
    while len(chunks) < n:
        for doc, doc_chunks, doc_tokens, first in templates:
            take = min(len(doc_chunks), n - len(chunks))
            if take <= 0:
                break
            copy_doc = _copy_document(doc, copy)
            docs.append(copy_doc)
            chunks.extend(_copy_chunk(c, copy_doc.doc_id) for c in doc_chunks[:take])
            tokens.extend(doc_tokens[:take])
            used.extend(range(first, first + take))
        copy += 1
    vectors = np.vstack([seed_vectors, noisy_copies(template_base, np.asarray(used, dtype=np.int64))])
    log(f"synthetic: {len(docs):,} documents, {len(chunks):,} chunks, {copy} copies of the corpus")
    return docs, chunks[:n], tokens[:n], vectors[:n]


def _copy_document(doc: Any, copy: int) -> Any:
    from .records import Document

    return Document(f"{doc.doc_id[:10]}c{copy:05d}", f"{doc.source}#copy{copy}", doc.text, doc.meta, doc.url)


def _copy_chunk(chunk: Any, doc_id: str) -> Any:
    from .records import Chunk

    return Chunk(doc_id, chunk.ordinal, chunk.section, chunk.text, chunk.sentences)


def corpus_templates(settings: Settings) -> list[tuple[Any, list[Any], list[list[str]], int]]:
    """The corpus through the real pipeline: (document, chunks, tokens, number
    of its first chunk among all template chunks) per report."""
    from .chunking import chunk_document
    from .ingest import load_documents
    from .keyword import tokenize

    docs, _ = load_documents([CORPUS], max_bytes=settings.max_file_bytes)
    out, first = [], 0
    for doc in docs:
        chunks = chunk_document(doc, max_chars=settings.chunk_chars)
        if chunks:
            out.append((doc, chunks, [tokenize(c.section + " " + c.text) for c in chunks], first))
            first += len(chunks)
    return out


def anchor_bases(templates: list, seed_vectors: np.ndarray, config: BenchConfig, model: str,
                 settings: Settings, log: Log) -> tuple[np.ndarray, np.ndarray]:
    """Real anchor vectors (seed chunks + ``config.anchors`` encoded corpus
    chunks) and one base vector per template chunk: a mix of an anchor and
    one of its 5 nearest anchors (sampled corpus chunks keep their own)."""
    from .index.indexer import _embed_text

    flat = [c for _, chunks, _, _ in templates for c in chunks]
    rng = np.random.default_rng(42)
    sample = np.sort(rng.choice(len(flat), size=min(config.anchors, len(flat)), replace=False))
    cache = config.work / f"anchors-{_slug(model)}-{len(sample)}.npy"
    if cache.exists():
        encoded = np.load(cache)
    else:
        from embeddings import load_embedder

        log(f"synthetic: encoding {len(sample)} corpus chunks with {model} as anchors")
        encoded = load_embedder(model, settings.batch_size).encode_passages([_embed_text(flat[i]) for i in sample])
        np.save(cache, encoded)
    anchors = np.vstack([seed_vectors, encoded]).astype(np.float32)
    near = np.argsort(-(anchors @ anchors.T), axis=1)[:, 1:6]
    first = rng.integers(0, len(anchors), len(flat))
    second = near[first, rng.integers(0, near.shape[1], len(flat))]
    mix = rng.uniform(0.0, 0.5, (len(flat), 1)).astype(np.float32)
    bases = (1 - mix) * anchors[first] + mix * anchors[second]
    bases[sample] = encoded
    return anchors, _unit(bases)


def noisy_copies(bases: np.ndarray, which: np.ndarray, block: int = 100_000) -> np.ndarray:
    """``bases[which]`` each plus Gaussian noise, normalised (built in blocks)."""
    rng = np.random.default_rng(99)
    out = np.empty((len(which), bases.shape[1]), dtype=np.float32)
    for start in range(0, len(which), block):
        part = bases[which[start:start + block]]
        out[start:start + len(part)] = _unit(part + rng.normal(0, NOISE, part.shape).astype(np.float32))
    return out


def _unit(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


# ---------------------------------------------------------------- cold start


def cold_start_rows(seeds_root: Path, model: str, repeat: int = 3) -> list[Row]:
    """Process start -> first answer (ask, bot) and light commands, each
    against its floor; medians of ``repeat`` runs (OS file cache warm)."""
    script = Path(sys.executable).with_name("govqa")
    govqa = [str(script)] if script.exists() else [sys.executable, "-m", "bot.cli"]
    question = load_questions()[0]
    model_floor = [sys.executable, "-c", (
        "from embeddings import load_embedder; "
        f"load_embedder({model!r}).encode_queries([{question!r}])")]
    bot = [sys.executable, "-c", (
        "from bot import telegram_bot as t; from retrieval.settings import Settings; "
        f"s = Settings.from_env().with_overrides(index={str(seeds_root)!r}, telegram_token='1:bench'); "
        "e = t._open_engine(s); t.build_application(e, s); "
        f"print(e.ask({question!r}).answer)")]
    bare = [sys.executable, "-c", "pass"]
    model_s, bare_s = _wall(model_floor, repeat), _wall(bare, repeat)
    rows = []
    for label, cmd, floor, floor_label in (
        ("cold start: govqa ask", govqa + ["ask", "--index", str(seeds_root), question], model_s, "model + 1 query"),
        ("cold start: bot", bot, model_s, "model + 1 query"),
        ("govqa --help", govqa + ["--help"], bare_s, "python -c pass"),
        ("govqa index list", govqa + ["index", "list", "--index", str(seeds_root)], bare_s, "python -c pass"),
    ):
        seconds = _wall(cmd, repeat)
        rows.append(Row(label, figure=f"{seconds:.2f} s", floor=f"{floor_label} {floor:.2f} s",
                        ratio=seconds / floor, data="real model" if floor is model_s else "",
                        raw={"seconds": seconds}))
    return rows


def _wall(cmd: list[str], repeat: int) -> float:
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
    return 0


def _worker_main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m retrieval.bench")
    parser.add_argument("what", choices=["query"])
    parser.add_argument("root", type=Path)
    parser.add_argument("--questions", type=int, default=100)
    args = parser.parse_args(argv)
    print(json.dumps(query_worker(args.root, args.questions)))
    return 0


if __name__ == "__main__":
    sys.exit(_worker_main(sys.argv[1:]))
