"""The one error type of ingestion: a file (or .jsonl line) that could not be loaded."""
from __future__ import annotations

from pathlib import Path

class IngestError(Exception):
    """A file (or one line of a .jsonl file) that could not be loaded.

    >>> str(IngestError("a.txt", "file is empty"))
    'a.txt: file is empty'
    >>> str(IngestError("c.jsonl", "invalid JSON", line=3))
    'c.jsonl: line 3: invalid JSON'
    """

    skipped = False  # True for files passed over on purpose (see SkippedFile)
    notice = False  # True for something worth saying that is no failure (see Notice)

    def __init__(self, path: Path | str, message: str, line: int | None = None) -> None:
        self.path = Path(path)
        self.message = " ".join(str(message).split())  # always one line
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.path}: line {self.line}" if self.line is not None else str(self.path)
        return f"{where}: {self.message}"


class SkippedFile(IngestError):
    """A file found in a folder walk whose type is not read (a .xlsx, a .jpg):
    listed as skipped, not a failure. A file *named* on the command line with
    such a type is a plain ``IngestError``."""

    skipped = True


class MissingTool(IngestError):
    """A file whose format needs a program or package that is not installed
    (antiword for .doc, rapidocr-onnxruntime for OCR): one line naming it and
    how to install it; the other files are still read."""

    def __init__(self, path: Path | str, tool: str, install: str, what: str) -> None:
        self.tool = tool
        super().__init__(path, f"reading {what} needs {tool}, which is not installed: {install}")


class Notice(IngestError):
    """Worth one line, not a failure: two different files with one name (both kept)."""

    notice = True
