"""Reading typed answers, in every accepted format, and never crashing on anything else."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quiz.errors import AnswerFormatError
from quiz.numeric.typed_answers import format_value, parse_answer


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("32", 32),
        ("-3", -3),
        ("+7", 7),
        ("  0.25 ", 0.25),
        (".25", 0.25),
        ("5.", 5.0),
        ("1/4", 0.25),
        ("1 / 4", 0.25),
        ("-1/4", -0.25),
        ("25%", 0.25),
        ("1e-3", 0.001),
        ("2.5E2", 250.0),
        ("０.２５", 0.25),  # full-width digits
        ("－３", -3),  # full-width minus
        ("−3", -3),  # U+2212 minus sign
        ("１／４", 0.25),
        ("２５％", 0.25),
        ("0。25", 0.25),  # ideographic full stop as the decimal point
        ("32。", 32.0),
        ("\u300032\u3000", 32),  # ideographic spaces
    ],
)
def test_numbers(text, expected):
    value = parse_answer(text)
    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize(
    "text",
    ["6 8 3 4", "6, 8, 3, 4", "6,8,3,4", "6，8，3，4", "6、8、3、4", "[6, 8, 3, 4]", " 6\t8 3  4 "],
)
def test_lists(text):
    assert parse_answer(text) == [6, 8, 3, 4]


@pytest.mark.parametrize(
    "text",
    [
        "6,8;3,4",
        "6 8; 3 4",
        "6 8\n3 4",
        "6 8\r\n3 4\n",
        "6，8；3，4",
        "[[6, 8], [3, 4]]",
        "6 8;3 4;",
        "\n6 8\n\n3 4\n",
    ],
)
def test_matrices(text):
    assert parse_answer(text) == [[6, 8], [3, 4]]


def test_mixed_formats_in_a_list():
    assert parse_answer("1/4, 25%, .25, 2.5e-1") == [0.25, 0.25, 0.25, 0.25]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        (";\n;", "empty"),
        ("abc", "cannot read 'abc'"),
        ("1.2.3", "cannot read"),
        ("1/0", "divides by zero"),
        ("1e999", "too large"),
        ("9" * 5000, "too large"),
        ("6 8; 3", r"different lengths \(2, 1\)"),
        ("1 2\n3 4 5", "different lengths"),
        ("nan", "cannot read"),
        ("inf", "cannot read"),
        ("1/4%", "cannot read"),
        ("٣", "cannot read"),  # an Arabic-Indic digit is not silently read as 3
    ],
)
def test_errors_say_why(text, reason):
    with pytest.raises(AnswerFormatError, match=reason) as info:
        parse_answer(text)
    assert info.value.reason_zh and info.value.reason_en


@given(st.text(max_size=60))
def test_random_text_gives_a_value_or_an_answer_format_error(text):
    try:
        value = parse_answer(text)
    except AnswerFormatError:
        return
    assert isinstance(value, int | float | list)


@given(st.text(alphabet="0123456789.,;/%-+e \n，；。－％", max_size=30))
def test_number_like_text_gives_a_value_or_an_answer_format_error(text):
    try:
        parse_answer(text)
    except AnswerFormatError:
        pass


values = st.one_of(
    st.integers(-(10**6), 10**6),
    st.lists(st.integers(-99, 99), min_size=2, max_size=6),
    st.integers(2, 4).flatmap(
        lambda cols: st.lists(
            st.lists(st.integers(-9, 9), min_size=cols, max_size=cols), min_size=2, max_size=4
        )
    ),
)


@given(values)
def test_format_value_reads_back(value):
    assert parse_answer(format_value(value)) == value


def test_format_value_shows_floats_briefly():
    assert format_value(0.1 + 0.2) == "0.3"
    assert format_value(32.0) == "32"
    assert format_value([[6, 8], [3, 4]]) == "6, 8; 3, 4"
    assert format_value([0.25, 1 / 3]) == "0.25, 0.333333"


# -- thousands separators (only for an answer that is one number) ---------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("7,850", 7850), ("7 850", 7850), ("7，850", 7850), ("7、850", 7850),
     ("1,576,960", 1576960), ("1 576 960", 1576960), ("-1,000", -1000),
     ("1,576,960.5", 1576960.5), ("7\u00a0850", 7850), ("7\u2009850", 7850)],
)
def test_thousands_separators_read_as_one_number(text, expected):
    assert parse_answer(text, scalar=True) == expected
    assert parse_answer(text) != expected  # without scalar, it stays a list as before


@pytest.mark.parametrize(
    "text", ["7,85", "7,8500", "0,500", "1,576 960", "112 112", "64,64", "1234,567", "7,,850"],
)
def test_text_that_is_not_a_thousands_number_stays_what_it_was(text):
    try:
        plain = parse_answer(text)
    except AnswerFormatError:
        with pytest.raises(AnswerFormatError):
            parse_answer(text, scalar=True)
        return
    assert parse_answer(text, scalar=True) == plain


@given(st.integers(-(10**15), 10**15), st.sampled_from([",", " ", "，"]))
def test_grouped_integers_read_back_as_python_formats_them(n, separator):
    """Python's own `{:,}` grouping is the oracle; the same groups with other separators too."""
    text = f"{n:,}".replace(",", separator)
    groups = f"{abs(n):,}".split(",")
    if len(groups) > 1 and len(set(groups)) == 1:  # 111,111: a value typed twice
        assert parse_answer(text, scalar=True) != n
    else:
        assert parse_answer(text, scalar=True) == n


@given(st.lists(st.text(alphabet="0123456789", min_size=1, max_size=5), min_size=2, max_size=4),
       st.sampled_from([",", " "]))
def test_separators_never_turn_a_wrong_answer_right(groups, separator):
    """Read as one number only if every later group has three digits, and then as the digits."""
    text = separator.join(groups)
    value = parse_answer(text, scalar=True)
    if not isinstance(value, list):
        assert all(len(g) == 3 for g in groups[1:]) and 1 <= len(groups[0]) <= 3
        assert groups[0][0] != "0" and len(set(groups)) > 1
        assert value == int("".join(groups))
    else:
        assert value == parse_answer(text)
