"""The Transformer reference functions, each against an oracle that does not share its formula.

Parameter counts are summed from PyTorch's real weight shapes; memory from the size of a real
buffer; FLOPs by counting the operations of a naive loop; attention weights from the two-key
logistic form; positional encodings from hand values and the rotation property. Where torch is
installed the counts are also compared with `sum(p.numel())` of the real modules.
"""

import array
import itertools
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quiz.numeric import attention

MIB = 2**20


def _mha_shapes(e: int, bias: bool) -> list[tuple[int, ...]]:
    """nn.MultiheadAttention's parameters (kdim = vdim = embed_dim): their shapes."""
    shapes = [(3 * e, e), (e, e)]  # in_proj_weight, out_proj.weight
    return shapes + ([(3 * e,), (e,)] if bias else [])  # in_proj_bias, out_proj.bias


def _encoder_shapes(d: int, f: int, bias: bool) -> list[tuple[int, ...]]:
    """nn.TransformerEncoderLayer's parameters: self_attn, linear1, linear2, norm1, norm2."""
    shapes = _mha_shapes(d, bias) + [(f, d), (d, f), (d,), (d,)]  # weights; LN weights
    return shapes + ([(f,), (d,), (d,), (d,)] if bias else [])  # biases; LN biases


def _count(shapes: list[tuple[int, ...]]) -> int:
    return sum(math.prod(shape) for shape in shapes)


@given(st.sampled_from([8, 16, 64, 128, 512, 768, 1024]), st.sampled_from([1, 2, 4, 8]),
       st.booleans())
def test_mha_params_is_the_sum_of_its_weight_shapes(e, h, bias):
    assert attention.mha_params(e, h, bias) == _count(_mha_shapes(e, bias))


@given(st.sampled_from([16, 64, 256, 512]), st.sampled_from([1, 2, 4, 8]),
       st.sampled_from([32, 1024, 2048, 3072]), st.booleans())
def test_encoder_layer_params_is_the_sum_of_its_weight_shapes(d, h, f, bias):
    assert attention.encoder_layer_params(d, h, f, bias) == _count(_encoder_shapes(d, f, bias))


def test_the_known_counts_of_the_base_transformer():
    assert attention.mha_params(512, 8) == 1_050_624
    assert attention.encoder_layer_params(512, 8, 2048) == 3_152_384


def test_heads_must_divide_the_width():
    with pytest.raises(ValueError, match="must divide embed_dim"):
        attention.mha_params(100, 8)


_TYPECODE = {1: "b", 2: "h", 4: "f", 8: "d"}


@given(st.integers(1, 3), st.integers(1, 3), st.integers(1, 12), st.sampled_from([1, 2, 4, 8]))
def test_score_memory_is_the_size_of_a_real_buffer(b, h, n, size):
    scores = array.array(_TYPECODE[size], [0]) * (b * h * n * n)
    assert scores.itemsize == size
    assert attention.attention_scores_mib(b, h, n, size) == len(scores) * scores.itemsize / MIB


@given(st.integers(1, 3), st.integers(1, 2), st.integers(1, 3), st.integers(1, 6),
       st.integers(1, 4), st.sampled_from([2, 4]))
def test_kv_cache_is_what_a_decoder_appends_while_generating(layers, b, h, n, d, size):
    cache = {(layer, kind): array.array(_TYPECODE[size]) for layer in range(layers)
             for kind in "kv"}
    for _token in range(n):  # every generated token appends its K and V in every layer
        for buffer in cache.values():
            buffer.extend([0] * (b * h * d))
    total = sum(len(buffer) * buffer.itemsize for buffer in cache.values())
    assert attention.kv_cache_mib(layers, b, h, n, d, size) == total / MIB


@given(st.integers(1, 2), st.integers(1, 6), st.sampled_from([(1, 4), (2, 2), (4, 1), (2, 3)]))
def test_attention_flops_counts_a_naive_loop(b, n, heads_and_width):
    heads, d_head = heads_and_width
    flops = 0
    for _batch, _head in itertools.product(range(b), range(heads)):
        for _i, _j, _t in itertools.product(range(n), range(n), range(d_head)):
            flops += 2  # QKᵀ: scores[i][j] += q[i][t]·k[j][t]
        for _i, _j, _t in itertools.product(range(n), range(d_head), range(n)):
            flops += 2  # A·V: out[i][j] += a[i][t]·v[t][j]
    assert attention.attention_flops(b, n, heads * d_head) == flops


def test_positional_encoding_hand_values():
    assert attention.sinusoidal_position(0, 0, 8) == 0.0
    assert attention.sinusoidal_position(0, 1, 8) == 1.0
    assert attention.sinusoidal_position(1, 0, 4) == pytest.approx(0.8414709848)  # sin 1
    assert attention.sinusoidal_position(1, 1, 4) == pytest.approx(0.5403023059)  # cos 1
    assert attention.sinusoidal_position(100, 2, 4) == pytest.approx(math.sin(1.0))  # 100/100


@given(st.integers(0, 200), st.integers(0, 50), st.sampled_from([4, 8, 16, 64]), st.data())
def test_a_shift_of_position_rotates_each_sin_cos_pair(pos, shift, d, data):
    pair = data.draw(st.integers(0, d // 2 - 1)) * 2
    sin_now, cos_now = (attention.sinusoidal_position(pos, pair + i, d) for i in (0, 1))
    sin_later, cos_later = (attention.sinusoidal_position(pos + shift, pair + i, d)
                            for i in (0, 1))
    step = attention.sinusoidal_position(shift, pair, d), attention.sinusoidal_position(
        shift, pair + 1, d)  # sin, cos of the shift's angle
    assert sin_now**2 + cos_now**2 == pytest.approx(1)
    assert sin_later == pytest.approx(sin_now * step[1] + cos_now * step[0], abs=1e-9)
    assert cos_later == pytest.approx(cos_now * step[1] - sin_now * step[0], abs=1e-9)


small = st.integers(-3, 3)


@given(st.lists(st.lists(small, min_size=2, max_size=2), min_size=1, max_size=3),
       st.lists(st.lists(small, min_size=2, max_size=2), min_size=2, max_size=2))
def test_attention_weights_over_two_keys_are_a_logistic(q, k):
    weights = attention.attention_weights(q, k)
    for row, out in zip(q, weights, strict=True):
        gap = ((row[0] * k[1][0] + row[1] * k[1][1])
               - (row[0] * k[0][0] + row[1] * k[0][1])) / math.sqrt(2)
        first = 1 / (1 + math.exp(gap))  # e^s0 / (e^s0 + e^s1)
        assert out == pytest.approx([first, 1 - first])


def test_identical_keys_share_the_attention_equally():
    for row in attention.attention_weights([[5, -1], [0, 2]], [[1, 1], [1, 1], [1, 1]]):
        assert row == pytest.approx([1 / 3] * 3)


def test_bad_arguments_are_plain_errors():
    with pytest.raises(ValueError, match="same width"):
        attention.attention_weights([[1, 2]], [[1, 2, 3]])
    with pytest.raises(ValueError, match="dim must be below d_model"):
        attention.sinusoidal_position(1, 8, 8)
    with pytest.raises(ValueError, match="at most"):
        attention.kv_cache_mib(10**7, 1, 1, 1, 1, 2)
    with pytest.raises(ValueError, match="bytes_per_element must be 1, 2, 4 or 8"):
        attention.attention_scores_mib(1, 1, 1, 3)




@pytest.mark.parametrize("e,h,bias", [(64, 4, True), (512, 8, False), (768, 12, True)])
def test_mha_params_equal_torch(e, h, bias):
    nn = pytest.importorskip("torch.nn")
    module = nn.MultiheadAttention(e, h, bias=bias)
    assert attention.mha_params(e, h, bias) == sum(p.numel() for p in module.parameters())


@pytest.mark.parametrize("d,h,f,bias", [(64, 4, 256, True), (512, 8, 2048, False)])
def test_encoder_layer_params_equal_torch(d, h, f, bias):
    nn = pytest.importorskip("torch.nn")
    module = nn.TransformerEncoderLayer(d, h, dim_feedforward=f, bias=bias)
    assert attention.encoder_layer_params(d, h, f, bias) == sum(
        p.numel() for p in module.parameters())
