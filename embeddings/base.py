"""The embedder interface shared by all backends."""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Callable, Sequence

import numpy as np

Progress = Callable[[int], None]  # called with the number of texts just encoded


def normalise_rows(vectors: np.ndarray) -> np.ndarray:
    """L2-normalise each row; zero rows stay zero. Returns float32, C-contiguous."""
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.ascontiguousarray(vectors / norms, dtype=np.float32)


class Embedder(ABC):
    """Batch text encoder.

    Subclasses implement :meth:`_encode`; callers use :meth:`encode_passages`
    for documents and :meth:`encode_queries` for questions (some models, like
    e5, mark the two differently).
    """

    name: str = ""
    dim: int = 0
    batch_size: int = 32

    @property
    def fingerprint(self) -> str:
        """The exact encoder, ``name:checksum`` (or just the name when the
        weights are not ours to check): two indexes whose vectors came from
        encoders with different fingerprints must not be mixed."""
        return self.name

    @abstractmethod
    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        """Encode one batch; may return unnormalised vectors."""

    def encode_passages(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        return self._encode_all(list(texts), False, progress)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode_all(list(texts), True, None)

    def _encode_all(self, texts: list[str], is_query: bool, progress: Progress | None) -> np.ndarray:
        """Encode in batches of similar length (less padding), keep input order."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            out[idx] = normalise_rows(self._encode([texts[i] for i in idx], is_query))
            if progress:
                progress(len(idx))
        return out
