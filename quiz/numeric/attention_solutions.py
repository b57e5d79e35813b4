"""Worked solutions for the Transformer checks (quiz/numeric/attention.py), in Chinese and English,
and their entries in the check registry (`CHECKS`, spliced into quiz.numeric.solutions.REGISTRY)."""

from __future__ import annotations

import math
from typing import Any

from quiz.model import Text
from quiz.numeric import attention
from quiz.numeric.reference import Check, one_formula, solution_text
from quiz.numeric.typed_answers import format_number as num
from quiz.numeric.typed_answers import format_operand as _p
from quiz.numeric.typed_answers import format_value


def _bytes_name(size: int) -> str:
    return {1: "int8", 2: "fp16/bf16", 4: "fp32", 8: "fp64"}.get(size, f"{size} B")


def mha_solution(a: dict[str, Any], v: int) -> Text:
    e, h, bias = a["embed_dim"], a["num_heads"], a["bias"]
    parts = ("权重 + 偏置", "weights + biases") if bias else ("bias=False，只有权重",
                                                          "bias=False: weights only")
    plus = (" + 3E", " + E", " + 4E") if bias else ("", "", "")
    return solution_text(
        f"多头注意力的参数（PyTorch nn.MultiheadAttention，{parts[0]}）：",
        f"Multi-head attention parameters (PyTorch nn.MultiheadAttention, {parts[1]}):",
        f"Q/K/V in_proj: 3·E·E{plus[0]}; out_proj: E·E{plus[1]} → 4E²{plus[2]}",
        f"= 4·{e}² + 4·{e} = {4 * e * e:,} + {4 * e:,} = {v:,}" if bias else f"= 4·{e}² = {v:,}",
        f"(h = {h}: heads split E into {h} × {e // h}, the count does not depend on h)",
    )


def encoder_layer_solution(a: dict[str, Any], v: int) -> Text:
    d, f = a["d_model"], a["dim_feedforward"]
    if a["bias"]:
        return solution_text(
            "Transformer 编码器层的参数（PyTorch nn.TransformerEncoderLayer，权重 + 偏置）：",
            "Transformer encoder layer parameters (PyTorch nn.TransformerEncoderLayer, weights "
            "+ biases):",
            "attention 4d² + 4d; FFN d·f + f + f·d + d; 2 LayerNorms 2·2d",
            f"= {4 * d * d + 4 * d:,} + {d * f + f + f * d + d:,} + {4 * d:,} = {v:,}",
        )
    return solution_text(
        "Transformer 编码器层的参数（bias=False：线性层和 LayerNorm 都没有偏置）：",
        "Transformer encoder layer parameters (bias=False: no biases in the linear layers or "
        "the LayerNorms):",
        "attention 4d²; FFN d·f + f·d; 2 LayerNorms 2·d",
        f"= {4 * d * d:,} + {2 * d * f:,} + {2 * d:,} = {v:,}",
    )


def _memory(heading: tuple[str, str], factors: list[tuple[str, int]], size: int,
            v: float) -> Text:
    """The memory of a tensor: the product of its named dimensions and the bytes an element,
    in bytes and then in MiB."""
    total = math.prod(value for _, value in factors) * size
    return solution_text(
        *heading,
        " · ".join([name for name, _ in factors] + ["bytes"]),
        f"= {'·'.join(str(value) for _, value in factors)}·{size} = {total:,} B "
        f"= {total:,}/2^20 MiB = {num(v)} MiB",
    )


def scores_memory_solution(a: dict[str, Any], v: float) -> Text:
    n, size, kind = a["seq_len"], a["bytes_per_element"], _bytes_name(a["bytes_per_element"])
    return _memory((f"注意力分数矩阵的显存（{kind}，每个元素 {size} 字节）：",
                    f"Memory of the attention score matrix ({kind}, {size} bytes an element):"),
                   [("batch", a["batch_size"]), ("heads", a["num_heads"]), ("n", n), ("n", n)],
                   size, v)


def kv_cache_solution(a: dict[str, Any], v: float) -> Text:
    size = a["bytes_per_element"]
    return _memory((f"KV cache 的大小（每层存 K 和 V，{_bytes_name(size)}）：",
                    f"KV cache size (K and V for every layer, {_bytes_name(size)}):"),
                   [("2", 2), ("layers", a["layers"]), ("batch", a["batch_size"]),
                    ("heads", a["num_heads"]), ("n", a["seq_len"]), ("d_head", a["head_dim"])],
                   size, v)


flops_solution = one_formula(
    "注意力两次矩阵乘法的 FLOPs（一次乘加算 2 次，不含投影）：",
    "FLOPs of attention's two matrix products (a multiply-add is 2, projections excluded):",
    "QKᵀ: 2·n·n·d; A·V: 2·n·n·d → 4·batch·n²·d",
    "= 4·{batch_size}·{seq_len}²·{d_model} = {value:,}")


def position_solution(a: dict[str, Any], v: float) -> Text:
    pos, i, d = a["pos"], a["dim"], a["d_model"]
    even = i - i % 2
    function = "sin" if i % 2 == 0 else "cos"
    angle = pos / 10000 ** (even / d)
    parity_zh, parity_en = (("偶数维用 sin", "even: sin") if i % 2 == 0
                            else ("奇数维用 cos", "odd: cos"))
    return solution_text(
        f"正弦位置编码，第 {i} 维（{parity_zh}）：",
        f"Sinusoidal positional encoding, dimension {i} ({parity_en}):",
        f"PE(pos, {i}) = {function}(pos / 10000^({even}/d))",
        f"= {function}({pos} / 10000^({even}/{d})) = {function}({num(angle)}) = {num(v)}",
    )


def weights_solution(a: dict[str, Any], v: list[list[float]]) -> Text:
    q, k = a["q"], a["k"]
    width = len(q[0])
    lines = ["A = softmax(Q·Kᵀ / √d_k), row by row",
             f"d_k = {width}, √d_k = {num(math.sqrt(width))}"]
    for r, row in enumerate(q):
        scores = [sum(x * y for x, y in zip(row, key, strict=True)) for key in k]
        dots = ", ".join(" + ".join(f"{_p(x)}·{_p(y)}" for x, y in zip(row, key, strict=True))
                         for key in k)
        lines.append(f"row {r + 1}: q·k = {dots} = {format_value(scores)}; "
                     f"/√{width} → softmax → {format_value(v[r])}")
    return solution_text("缩放点积注意力的权重：", "Scaled dot-product attention weights:", *lines)


CHECKS: list[Check] = [
    Check("mha_params", attention.mha_params, mha_solution, "mha-params"),
    Check("encoder_layer_params", attention.encoder_layer_params, encoder_layer_solution,
          "encoder-layer-params"),
    Check("attention_scores_mib", attention.attention_scores_mib, scores_memory_solution,
          "attention-memory"),
    Check("kv_cache_mib", attention.kv_cache_mib, kv_cache_solution, "kv-cache"),
    Check("attention_flops", attention.attention_flops, flops_solution, "attention-flops"),
    Check("sinusoidal_position", attention.sinusoidal_position, position_solution,
          "positional-encoding"),
    Check("attention_weights", attention.attention_weights, weights_solution,
          "attention-weights", {"q": "matrix", "k": "matrix"}),
]
