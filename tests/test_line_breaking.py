"""Line breaking for Chinese and mixed text: properties, and the cases the issue reproduced."""

import unicodedata

import pytest
from conftest import examples
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from quiz.line_breaking import CLOSING, OPENING, break_paragraph, cells, min_width, wrap

CJK = "深度学习是机器的一个分支用多层神经网络从大量数据中自动特征"
CLOSERS = "，。、；：？！）」』】》"
OPENERS = "（「『【《"
WORDS = ("ReLU", "Batch", "Normalization", "x", "AI", "(ML)", "f(x)", "3.14", "ok,",
         "supercalifragilisticexpialidocious")
TOKENS = [*CJK, *CLOSERS, *OPENERS, *WORDS, " ", " ", "  "]


def width_of(char):
    """An oracle for one character's cells, independent of the module's table."""
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def shown(text):
    return sum(width_of(c) for c in text)


mixed = st.lists(st.sampled_from(TOKENS), max_size=60).map("".join).map(str.strip)
bulleted = st.tuples(st.sampled_from(["", "- ", "• ", "1. "]), mixed).map("".join)


def spans(paragraph, width):
    return [(line, paragraph[line.start:line.end]) for line in break_paragraph(paragraph, width)]


@given(text=st.text(max_size=80), width=st.integers(1, 40))
def test_no_text_is_lost_whatever_the_input(text, width):
    lines = wrap(text, width)
    assert "".join(lines).replace(" ", "") == text.expandtabs(4).replace(" ", "").replace(
        "\n", "")
    assert len(lines) >= text.count("\n") + 1


@given(paragraph=bulleted, width=st.integers(1, 60))
def test_lines_are_the_paragraph_in_order_minus_the_spaces_at_breaks(paragraph, width):
    lines = break_paragraph(paragraph, width)
    assert lines[0].start == 0
    for before, after in zip(lines, lines[1:], strict=False):
        assert before.end <= after.start
        assert paragraph[before.end:after.start].strip(" ") == ""  # only spaces dropped
    assert paragraph[lines[-1].end:].strip(" ") == ""


@given(paragraph=st.lists(st.sampled_from(TOKENS), max_size=60).map("".join).map(str.strip),
       width=st.integers(1, 5))
def test_narrow_lines_overflow_only_by_one_character(paragraph, width):
    for text in wrap(paragraph, width):
        assert shown(text) <= width or len(text.strip()) == 1


@given(paragraph=bulleted, width=st.integers(6, 60))
def test_no_line_is_wider_than_the_width(paragraph, width):
    for text in wrap(paragraph, width):
        assert shown(text) <= width


@given(paragraph=bulleted, width=st.integers(6, 60))
def test_kinsoku_and_whole_words_where_nothing_is_over_wide(paragraph, width):
    assume(min_width(paragraph) <= width // 2)
    found = spans(paragraph, width)
    for (before, _), (after, _) in zip(found, found[1:], strict=False):
        if paragraph[before.end:after.start] == "":  # a break between two characters
            last, first = paragraph[before.end - 1], paragraph[after.start]
            assert last not in OPENING, (paragraph, width)
            assert first not in CLOSING, (paragraph, width)
            assert width_of(last) == 2 or width_of(first) == 2  # never inside a Latin word


@given(paragraph=bulleted, width=st.integers(6, 60))
def test_no_line_is_broken_short_before_a_character_that_fits(paragraph, width):
    assume(min_width(paragraph) <= width // 2)
    found = spans(paragraph, width)
    for (before, text), (after, _) in zip(found, found[1:], strict=False):
        used = before.indent + shown(paragraph[:before.end] if before.start == 0 else text)
        gap = shown(paragraph[before.end:after.start])
        first = paragraph[after.start]
        following = paragraph[after.start + 1:after.start + 2]
        movable = (width_of(first) == 2 and first not in CLOSING | OPENING
                   and following not in CLOSING)
        if movable:  # this CJK character alone could have ended the line above
            assert used + gap + 2 > width, (paragraph, width)
        word = paragraph[after.start:].split(" ")[0]
        if gap and all(width_of(c) == 1 for c in word):  # a whole word after a space
            assert used + gap + shown(word) > width, (paragraph, width)


@given(paragraph=bulleted, width=st.integers(6, 60))
def test_wrapping_wrapped_text_changes_nothing(paragraph, width):
    lines = wrap(paragraph, width)
    assert wrap("\n".join(lines), width) == lines
    for line in lines:
        assert wrap(line, width) == [line]


@given(text=st.text(max_size=40))
def test_cells_are_never_fewer_than_a_terminal_draws(text):
    # rich's tables (wcwidth's) as the oracle: a line we think fits is never cropped
    text = "".join(c for c in text if unicodedata.category(c) not in ("Cc", "Cs"))
    assert cells(text) >= cell_len(text)


@given(text=mixed)
def test_cells_of_mixed_text_are_its_east_asian_widths(text):
    assert cells(text) == shown(text) == cell_len(text)


@settings(max_examples=examples(50))
@given(paragraph=mixed)
def test_min_width_is_the_narrowest_width_that_folds_nothing(paragraph):
    narrowest = min_width(paragraph)
    for text in wrap(paragraph, narrowest):
        assert shown(text) <= narrowest


@pytest.mark.parametrize(("text", "width", "expected"), [
    # the early breaks: 机器学习（ML）：AI / 的子集…,
    # 批归一化（Batch / Normalization）是什么？
    ("机器学习（ML）：AI的子集。", 16, ["机器学习（ML）：", "AI的子集。"]),
    ("机器学习（ML）：AI的子集。", 20, ["机器学习（ML）：AI的", "子集。"]),
    ("批归一化（Batch Normalization）是什么？", 24,
     ["批归一化（Batch", "Normalization）是什么？"]),
    ("批归一化（Batch Normalization）是什么？", 40, ["批归一化（Batch Normalization）是什么？"]),
    # closing punctuation stays with the character before it, opening with the one after
    ("一二三四，五六", 8, ["一二三", "四，五六"]),
    ("一二三「四五」", 8, ["一二三", "「四五」"]),
    # a bullet keeps its text beside it, and hangs
    ("- 过拟合：训练误差小、测试误差大", 14, ["- 过拟合：训练", "  误差小、测试", "  误差大"]),
    ("1. Dropout drops units at random", 12,
     ["1. Dropout", "   drops", "   units at", "   random"]),
    # a word wider than the line is folded, never cut with an ellipsis
    ("see supercalifragilistic", 10, ["see", "supercalif", "ragilistic"]),
    ("", 10, [""]),
    ("a\n\nb", 10, ["a", "", "b"]),
])
def test_breaks_where_a_reader_expects(text, width, expected):
    assert wrap(text, width) == expected
