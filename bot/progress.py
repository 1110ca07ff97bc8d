"""Progress for long index work: a rich bar on a terminal, a plain line per
10 % step otherwise (logs, CI), so nobody stares at a silent build; OCR
shows every page ("OCR scan.pdf: page 2/5")."""
from __future__ import annotations

import sys
from typing import Any

STAGES = {"read": "reading and chunking", "embed": "embedding chunks"}


class ProgressBar:
    """``with ProgressBar() as bar: work(progress=bar.update)``."""

    def __init__(self) -> None:
        self._progress: Any = None
        self._tasks: dict[str, Any] = {}
        self._reported: dict[str, int] = {}  # plain mode: last tenth printed per stage

    def __enter__(self) -> "ProgressBar":
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        console = Console(stderr=True)
        if console.is_terminal:
            self._progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                      TimeRemainingColumn(), console=console, transient=False)
            self._progress.start()
        return self

    def update(self, stage: str, done: int, total: int) -> None:
        if self._progress is None:
            self._plain(stage, done, total)
            return
        if stage not in self._tasks:
            self._tasks[stage] = self._progress.add_task(STAGES.get(stage, stage), total=total or 1)
        self._progress.update(self._tasks[stage], completed=done if total else 1, total=total or 1)

    def _plain(self, stage: str, done: int, total: int) -> None:
        if not total:
            return
        if stage.startswith("OCR "):  # seconds a page: every page is news
            print(f"{stage}: page {done}/{total}", file=sys.stderr, flush=True)
            return
        tenth = done * 10 // total
        if tenth > self._reported.get(stage, -1):
            self._reported[stage] = tenth
            print(f"{STAGES.get(stage, stage)}: {done}/{total}", file=sys.stderr, flush=True)

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()
