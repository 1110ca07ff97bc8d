"""Bodies of the ``govqa`` commands. Each takes the parsed arguments and the
settings, prints for a person, and returns an exit code."""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from retrieval import IndexDamagedError, IndexWriteError, Settings

from .render import render_answer, render_documents

# Failures of the index itself, printed as one line with exit 1: a damaged index
# (what, which file, `verify` then `build`) or a full disk (the old index kept).
INDEX_FAILURES = (IndexDamagedError, IndexWriteError)


class UserError(Exception):
    """A problem the user can fix; printed as one line, no traceback."""

    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code


def _stderr(msg: str) -> None:
    print(msg, file=sys.stderr)


# ---------------------------------------------------------------- engine


def open_engine(settings: Settings):
    """Open the engine or explain in one line why not."""
    from retrieval import BackendError, Engine, IndexMissingError, ModelMismatchError

    try:
        return Engine.open(settings.index, settings)
    except (IndexMissingError, ModelMismatchError, ValueError) as exc:
        raise UserError(str(exc)) from None
    except BackendError as exc:  # Milvus unreachable or refusing: nothing to fix here, try again
        raise UserError(str(exc), code=1) from None


def _asked(engine, question: str, context: dict[str, Any] | None = None):
    """``engine.ask``; an index that cannot be reached is one line (exit 1)."""
    from retrieval import BackendError, QuestionError

    try:
        return engine.ask(question, context=context)
    except QuestionError as exc:
        raise UserError(str(exc)) from None
    except BackendError as exc:
        raise UserError(str(exc), code=1) from None


# ---------------------------------------------------------------- index


def index(args: argparse.Namespace, settings: Settings) -> int:
    return {
        "build": _index_build, "add": _index_add, "remove": _index_remove,
        "list": _index_list, "stats": _index_stats, "verify": _index_verify,
    }[args.index_command](args, settings)


def _change(action, settings: Settings, *targets: Any, **options: Any) -> int:
    """Run build/add/remove with a progress bar, print what happened."""
    from retrieval import BackendError, IndexLockedError, ModelMismatchError

    from .progress import ProgressBar

    try:
        with ProgressBar() as bar:
            report = action(*targets, settings.index, settings, progress=bar.update, **options)
    except (IndexLockedError, BackendError) as exc:
        raise UserError(str(exc), code=1) from None
    except (ModelMismatchError, ValueError) as exc:
        raise UserError(str(exc)) from None
    for line in report.files:
        print(line)
    for line in report.skipped:
        _stderr(f"skipped {line}")
    for line in report.notes:
        _stderr(f"note: {line}")
    for line in report.removed:
        _stderr(f"{'would remove' if report.dry_run else 'removed'} {line}")
    for err in report.errors:
        _stderr(f"error: {err}")
    print(report.summary())
    return 1 if report.errors else 0


def _index_build(args: argparse.Namespace, settings: Settings) -> int:
    from retrieval import build_index

    missing = [p for p in args.docs if not Path(p).exists()]
    if missing and len(missing) == len(args.docs):
        raise UserError(f"no such file or folder: {', '.join(missing)}")
    return _change(build_index, settings, [Path(p) for p in args.docs], warn=_warn)


def _index_add(args: argparse.Namespace, settings: Settings) -> int:
    from retrieval import add_documents

    return _change(add_documents, settings, [Path(p) for p in args.paths], warn=_warn)


def _warn(line: str) -> None:
    _stderr(f"warning: {line}")


def _index_remove(args: argparse.Namespace, settings: Settings) -> int:
    from retrieval import remove_documents

    _require_index(settings)
    return _change(remove_documents, settings, list(args.keys), dry_run=args.dry_run, yes=args.yes)


def _index(settings: Settings):
    """The configured index (folder or Milvus), or one line on a bad setting."""
    from retrieval import open_index

    try:
        return open_index(settings)
    except ValueError as exc:
        raise UserError(str(exc)) from None


def _require_index(settings: Settings):
    """The index; a missing one is a usage error (exit 2) with the command that
    builds one. A damaged one is for verify to report."""
    from retrieval import BackendError, IndexMissingError

    index = _index(settings)
    try:
        if index.live() is None:
            index.open_reader()  # raises the back end's own "no index" line
    except IndexMissingError as exc:
        raise UserError(str(exc)) from None
    except IndexDamagedError:
        pass  # verify reports it; the others refuse in one line
    except BackendError as exc:
        raise UserError(str(exc), code=1) from None
    return index


def _reader(settings: Settings, index=None):
    from retrieval import BackendError, IndexMissingError

    try:
        return (index or _index(settings)).open_reader()
    except IndexMissingError as exc:
        raise UserError(str(exc)) from None
    except BackendError as exc:
        raise UserError(str(exc), code=1) from None


def _index_list(args: argparse.Namespace, settings: Settings) -> int:
    reader = _reader(settings)
    docs = [d for d in reader.documents.values()
            if (not args.region or args.region in (*d.meta.places(), d.meta.issuer))
            and (not args.year or d.meta.year == args.year)]
    render_documents(docs)
    return 0


def _index_stats(args: argparse.Namespace, settings: Settings) -> int:
    index = _index(settings)
    reader = _reader(settings, index)
    m = reader.manifest
    size = index.size_on_disk()
    print(f"index:      {index.describe()} ({reader.generation})")
    print(f"documents:  {m['documents']}")
    print(f"chunks:     {m['chunks']}")
    print(f"model:      {m['model']} ({m['dimension']}-d, {m.get('faiss_index') or m.get('dense', 'IndexFlatIP')})")
    if size is None:
        print("disk:       on the Milvus server")
    else:
        print(f"disk:       {size / 1e6:.1f} MB ({size / max(m['chunks'], 1):.0f} bytes per chunk)")
    print(f"last change: {m['built_at']}")
    return 0


def _index_verify(args: argparse.Namespace, settings: Settings) -> int:
    problems = _require_index(settings).verify()
    for p in problems:
        print(f"problem: {p}")
    print("verify: ok" if not problems else f"verify: {len(problems)} problem(s)")
    return 1 if problems else 0


# ---------------------------------------------------------------- asking


def ask(args: argparse.Namespace, settings: Settings) -> int:
    question = readable(" ".join(args.question))
    engine = open_engine(settings)
    answer = _asked(engine, question)
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(render_answer(answer))
    return 0


def readable(question: str) -> str:
    """``question`` unchanged, or a one-line error when the terminal passed bytes
    that are not UTF-8 (Python keeps them as lone surrogates in argv)."""
    try:
        question.encode("utf-8")
    except UnicodeEncodeError as exc:
        bad = question[exc.start]
        byte = f"0x{ord(bad) - 0xDC00:02x}" if 0xDC80 <= ord(bad) <= 0xDCFF else repr(bad)
        raise UserError(f"the question is not valid UTF-8 text (byte {byte} at character {exc.start + 1}); "
                        "type it again or check the terminal's encoding (e.g. LANG=zh_CN.UTF-8)") from None
    return question


def chat(args: argparse.Namespace, settings: Settings) -> int:
    """Interactive loop; follow-ups reuse the previous place, year and topic."""
    engine = open_engine(settings)
    print("govqa chat: ask in Chinese or English. /reset forgets the context, /quit (or Ctrl-D) leaves.")
    context: dict[str, Any] = {}
    while True:
        try:
            question = input("? ").strip()
        except EOFError:
            print()
            return 0
        except UnicodeDecodeError as exc:
            print(f"govqa: that line is not valid UTF-8 text ({exc.reason}); check the terminal's encoding")
            continue
        if question in ("/quit", "/exit", "quit", "exit"):
            return 0
        if question == "/reset":
            context = {}
            print("context cleared")
            continue
        if not question:
            continue
        if question.startswith("/"):
            print(f"unknown command {question.split()[0]}: /reset forgets the context, /quit leaves")
            continue
        try:
            answer = _asked(engine, question, context)
        except UserError as exc:  # a bad question, or the index unreachable: say so, keep chatting
            print(f"govqa: {exc}")
            continue
        context = answer.context
        print(render_answer(answer))
        print()


def eval(args: argparse.Namespace, settings: Settings) -> int:  # noqa: A001 - the command's name
    from retrieval import Scored, evaluate, load_qa

    try:
        items = load_qa(args.qa_file)
    except OSError as exc:
        raise UserError(f"cannot read QA file {args.qa_file}: {exc.strerror or exc}") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise UserError(str(exc)) from None
    engine = open_engine(settings)
    _asked(engine, "warm up")  # the first question pays for lazy loading; don't time it
    out = open(args.out, "w", encoding="utf-8") if args.out else None

    def on_result(s: Scored) -> None:
        if out:
            out.write(json.dumps(s.answer.to_dict(), ensure_ascii=False) + "\n")
        if not s.correct:
            got = s.answer.answer if s.answer.answered else f"(refused) {s.answer.message}"
            print(f"FAIL {s.item['id']} [{s.item.get('kind')}] {s.item['question']}\n"
                  f"     gold: {s.item.get('gold_substring')}  numbers: {s.item.get('answer_numbers')}\n"
                  f"     got:  {got[:160]}  (gold passage rank: {s.hit_rank})")

    started = time.perf_counter()
    report = evaluate(lambda question, context=None: _asked(engine, question, context), items, on_result)
    if out:
        out.close()
    for lang in sorted({i.get("lang") for i in items if i.get("lang")}):
        print(report.summary(lang))
    print(report.summary())
    _stderr(f"({len(items)} questions in {time.perf_counter() - started:.1f} s)")
    return 0


def facts(args: argparse.Namespace, settings: Settings) -> int:
    """``govqa facts``: figures from the facts table (no model is loaded)."""
    from retrieval import RegionTable, measures, resolve_measure, select_facts

    if args.measure and resolve_measure(args.measure) is None:
        known = ", ".join(m.name for m in measures())
        raise UserError(f"unknown measure {args.measure!r}; measures: {known}")
    reader = _reader(settings)
    regions = RegionTable.from_metadata(d.meta for d in reader.documents.values())
    store = reader.facts()
    rows = select_facts(store, args.measure, args.region, args.year, regions.canonical)
    labels = {doc_id: r.label() for doc_id, r in store.reports.items()}
    if args.format == "json":
        print(json.dumps([f.to_dict() for f in rows], ensure_ascii=False, indent=2))
    elif args.format == "csv":
        _facts_csv(rows, labels)
    else:
        _facts_table(rows, labels)
    return 0


_FACT_COLUMNS = ("report", "measure", "figure", "base_value", "base_unit", "label", "qualifiers")


def _fact_row(f, labels: dict[str, str]) -> list[str]:
    base = f"{f.base_value:.0f}" if float(f.base_value).is_integer() else f"{f.base_value:g}"
    return [labels.get(f.doc_id, f.doc_id), f.measure, f.text, base, f.base_unit, f.label,
            "; ".join(f.qualifiers())]


def _facts_csv(rows: list, labels: dict[str, str]) -> None:
    import csv

    out = csv.writer(sys.stdout)
    out.writerow([*_FACT_COLUMNS, "section", "sentence"])
    for f in rows:
        out.writerow([*_fact_row(f, labels), f.section, f.sentence])


def _facts_table(rows: list, labels: dict[str, str]) -> None:
    """Report, measure, figure as written and in base units, label, qualifiers
    (sections and sentences: --format csv or json)."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{len(rows)} fact(s)")
    for col in ("report", "measure", "figure", "base", "label", "qualifiers"):
        table.add_column(col, overflow="fold")
    for f in rows:
        report, measure, figure, base, unit, label, qualifiers = _fact_row(f, labels)
        base = f"{float(base):,.0f}" if float(base).is_integer() else base
        table.add_row(report, measure, figure, f"{base} {unit}".strip(), label, qualifiers)
    Console().print(table)


def bench(args: argparse.Namespace, settings: Settings) -> int:
    """Print the benchmark table and its summary line (see retrieval/dev/bench.py)."""
    from retrieval import BENCH_WORK, BenchConfig, parse_sizes, run_bench

    try:
        sizes = parse_sizes(args.sizes)
    except ValueError:
        raise UserError(f"--sizes: expected numbers like 10000,100k,1M, not {args.sizes!r}") from None
    config = BenchConfig(sizes=sizes, questions=args.questions, work=args.work or BENCH_WORK,
                         cold=not args.no_cold, build=not args.no_build, encoder=not args.no_encoder,
                         cold_starts=_cold_starts(), cli=tuple(_govqa_argv()), backend=args.backend)
    return run_bench(settings, config)


def _cold_starts() -> tuple:
    """The front-end processes ``govqa bench`` times from start to exit."""
    from retrieval import ColdStart

    from .telegram.app import cold_start_command

    govqa = _govqa_argv()
    return (
        ColdStart("cold start: govqa ask", lambda index, question: govqa + ["ask", "--index", str(index), question]),
        ColdStart("cold start: bot", cold_start_command),
        ColdStart("govqa --help", lambda index, question: govqa + ["--help"], floor="bare"),
        ColdStart("govqa index list", lambda index, question: govqa + ["index", "list", "--index", str(index)],
                  floor="bare"),
    )


def _govqa_argv() -> list[str]:
    """The argv that runs this govqa command line in a new process."""
    script = Path(sys.executable).with_name("govqa")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot.cli"]


def bot(args: argparse.Namespace, settings: Settings) -> int:
    from .telegram.app import run_bot

    return run_bot(settings, webhook_url=args.webhook_url, port=args.port)
