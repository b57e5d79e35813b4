"""printable(): whatever the text, what it returns makes a terminal do nothing but print."""

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from quiz.printable import printable

BIDI_CONTROLS = {"\u061c", "\u200e", "\u200f", *map(chr, range(0x202A, 0x202F)),
                 *map(chr, range(0x2066, 0x206A))}


def obeyed(char, multiline):
    """The oracle: would a terminal (or the console encoder) act on this character?"""
    if char == "\t" or (multiline and char == "\n"):
        return False
    category = unicodedata.category(char)
    return category in ("Cc", "Cs", "Zl", "Zp") or char in BIDI_CONTROLS


@given(st.text(), st.booleans())
def test_nothing_a_terminal_obeys_is_left(text, multiline):
    shown = printable(text, multiline=multiline)
    assert not [c for c in shown if obeyed(c, multiline)]
    shown.encode("utf-8")  # no lone surrogate left: printing it would raise


@given(st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"))), st.booleans())
def test_safe_text_comes_back_unchanged(text, multiline):
    if not any(c in BIDI_CONTROLS for c in text):
        assert printable(text, multiline=multiline) == text


@given(st.text(), st.booleans())
def test_it_is_idempotent_and_keeps_every_safe_character(text, multiline):
    shown = printable(text, multiline=multiline)
    assert printable(shown, multiline=multiline) == shown
    rest = iter(shown)  # the safe characters, in order, are a subsequence of the output
    assert all(c in rest for c in text if not obeyed(c, multiline))


def test_escapes_are_shown_by_name_or_code():
    assert printable("\x1b]52;c;cHduZWQ=\x07 ok") == "\\e]52;c;cHduZWQ=\\x07 ok"
    assert printable("a\r\nb") == "a\\r\\nb"
    assert printable("a\nb\tc", multiline=True) == "a\nb\tc"
    assert printable("\x9b6n \u202eevil \x7f") == "\\x9b6n \\u202eevil \\x7f"


def test_a_file_name_that_is_not_utf8_shows_its_bytes():
    import os

    name = os.fsdecode(b"bank-\xff.yaml")
    assert printable(name) == "bank-\\xff.yaml"


def test_non_strings_are_printed_as_their_text():
    assert printable(12) == "12"
