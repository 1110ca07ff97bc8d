"""Progress bar for long index work (rich), silent when not on a terminal."""
from __future__ import annotations

import sys
from typing import Any

STAGES = {"read": "reading and chunking", "embed": "embedding chunks"}


class ProgressBar:
    """``with ProgressBar() as bar: work(progress=bar.update)``."""

    def __init__(self) -> None:
        self._progress: Any = None
        self._tasks: dict[str, Any] = {}

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
            return
        if stage not in self._tasks:
            self._tasks[stage] = self._progress.add_task(STAGES.get(stage, stage), total=total or 1)
        self._progress.update(self._tasks[stage], completed=done if total else 1, total=total or 1)

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()
