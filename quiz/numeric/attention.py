"""Reference functions for the Transformer drills: parameter counts, memory, FLOPs, ….

Parameter counts follow PyTorch's modules (`nn.MultiheadAttention`,
`nn.TransformerEncoderLayer`); memory is in MiB (2^20 bytes); a multiply-add counts as two
FLOPs. Every function validates its arguments and raises ValueError with a plain message.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from quiz.numeric.arguments import flag as _flag
from quiz.numeric.arguments import integer as _int
from quiz.numeric.arguments import matrix as _matrix

MIB = 2**20
# Sizes a drill or `quiz calc` may ask about: far past any real model, small enough that the
# answers stay exact integers and fit a float without overflow.
_MAX_SIDE = 10**6


def _size(name: str, value: Any) -> int:
    """A positive integer no larger than `_MAX_SIDE`, else ValueError."""
    size = _int(name, value, 1)
    if size > _MAX_SIDE:
        raise ValueError(f"{name} must be at most {_MAX_SIDE:,}, got {size:,}")
    return size


def _heads_divide(dim: int, heads: int, dim_name: str) -> None:
    if dim % heads:
        raise ValueError(f"the number of heads ({heads}) must divide {dim_name} ({dim})")


def _element_bytes(value: Any) -> int:
    size = _int("bytes_per_element", value, 1)
    if size not in (1, 2, 4, 8):
        raise ValueError(f"bytes_per_element must be 1, 2, 4 or 8, got {size}")
    return size


def mha_params(embed_dim: int, num_heads: int, bias: bool = True) -> int:
    """`nn.MultiheadAttention(E, h, bias=bias)`: Q, K, V projections `3·E·E` (+ `3E`) and the
    output projection `E·E` (+ `E`): `4E² + 4E`, or `4E²` without bias. The heads only split E
    into h slices of E/h, so they do not change the count."""
    e, h = _size("embed_dim", embed_dim), _size("num_heads", num_heads)
    _heads_divide(e, h, "embed_dim")
    return 4 * e * e + (4 * e if _flag("bias", bias) else 0)


def encoder_layer_params(d_model: int, num_heads: int, dim_feedforward: int,
                         bias: bool = True) -> int:
    """`nn.TransformerEncoderLayer(d, nhead=h, dim_feedforward=f, bias=bias)`: self-attention
    `4d² (+4d)`, the FFN's `d·f (+f)` and `f·d (+d)`, and two LayerNorms of `2d` each (`d` each:
    bias=False drops the LayerNorm's bias too)."""
    d, h = _size("d_model", d_model), _size("num_heads", num_heads)
    f = _size("dim_feedforward", dim_feedforward)
    _heads_divide(d, h, "d_model")
    with_bias = _flag("bias", bias)
    return mha_params(d, h, with_bias) + 2 * d * f + ((f + d + 4 * d) if with_bias else 2 * d)


def attention_scores_mib(batch_size: int, num_heads: int, seq_len: int,
                         bytes_per_element: int) -> float:
    """Memory of the attention score matrix `QKᵀ` (or of the weights after softmax):
    `batch · heads · n · n` elements of `bytes_per_element` bytes, in MiB."""
    b, h, n = (_size("batch_size", batch_size), _size("num_heads", num_heads),
               _size("seq_len", seq_len))
    return b * h * n * n * _element_bytes(bytes_per_element) / MIB


def kv_cache_mib(layers: int, batch_size: int, num_heads: int, seq_len: int, head_dim: int,
                 bytes_per_element: int) -> float:
    """A decoder's KV cache: a K and a V tensor per layer of `batch · heads · n · d_head`
    elements: `2 · layers · batch · heads · n · d_head · bytes`, in MiB."""
    sizes = [_size(name, value) for name, value in (
        ("layers", layers), ("batch_size", batch_size), ("num_heads", num_heads),
        ("seq_len", seq_len), ("head_dim", head_dim))]
    return 2 * math.prod(sizes) * _element_bytes(bytes_per_element) / MIB


def attention_flops(batch_size: int, seq_len: int, d_model: int) -> int:
    """FLOPs of the two matrix products of attention, projections left out: `QKᵀ` and `A·V`
    each take `n·n·d` multiply-adds over all heads (h heads of d/h), so `4 · batch · n² · d`."""
    b, n, d = (_size("batch_size", batch_size), _size("seq_len", seq_len),
               _size("d_model", d_model))
    return 4 * b * n * n * d


def sinusoidal_position(pos: int, dim: int, d_model: int) -> float:
    """The original Transformer's positional encoding: `PE(pos, 2k) = sin(pos/10000^(2k/d))`,
    `PE(pos, 2k+1) = cos(pos/10000^(2k/d))`, for dimension `dim` of `d_model`."""
    p, i = _int("pos", pos, 0), _int("dim", dim, 0)
    d = _size("d_model", d_model)
    if p > _MAX_SIDE:
        raise ValueError(f"pos must be at most {_MAX_SIDE:,}, got {p:,}")
    if i >= d:
        raise ValueError(f"dim must be below d_model ({d}), got {i}")
    angle = p / 10000 ** ((i - i % 2) / d)
    return math.sin(angle) if i % 2 == 0 else math.cos(angle)


def attention_weights(q: Sequence[Sequence[float]], k: Sequence[Sequence[float]]
                      ) -> list[list[float]]:
    """Scaled dot-product attention weights `softmax(Q·Kᵀ / √d_k)`, softmax along each row
    (each query's weights over the keys sum to 1); d_k is the width of Q and K."""
    queries, keys = _matrix("q", q), _matrix("k", k)
    width = len(queries[0])
    if len(keys[0]) != width:
        raise ValueError(f"q and k must have the same width (d_k), got {width} and "
                         f"{len(keys[0])}")
    if len(queries) * len(keys) > 400:
        raise ValueError("q and k are limited to 20 rows each")
    scale = math.sqrt(width)
    weights = []
    for row in queries:
        scores = [math.fsum(a * b for a, b in zip(row, key, strict=True)) / scale
                  for key in keys]
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        total = math.fsum(exps)
        weights.append([e / total for e in exps])
    return weights
