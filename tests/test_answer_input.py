"""Whatever is typed — random text, control characters, 100,000 characters, a multi-line
paste, bytes that are not UTF-8 — the session goes on, and the log keeps what was typed.

What is stored: the typed line with surrounding whitespace stripped, as is (control
characters and escape sequences included: it is data, shown back through rich as text);
an empty line is no answer (NULL). Bytes that are not UTF-8 become U+FFFD. A terminal reads
a line at a time, so a pasted multi-line text answers with its first line; the following
lines arrive at the grade prompt, where anything but a grade key is refused and asked again.
"""

import os
import string

import pexpect
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pty_driver import ANSWER, GRADE, NUMERIC, make_bank, quiz_env, rows, spawn_review
from script_ui import ScriptUI

from quiz.bank import load_bank
from quiz.session import run_session
from quiz.store import Store

CONTROL = "".join(chr(c) for c in range(32)) + "\x7f"
ESCAPES = ["\x1b[2J", "\x1b[A", "\x1b]0;title\x07", "\x1b[6n", "\x1b[31m", "\r", "\x00",
           "[bold]", "[/]", "[link=x]", "\u202e", "\ufeff", "😀", "ｑ", "Ｑ", "\u00a0"]
TYPED = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=CONTROL + string.printable, max_size=40),
    st.lists(st.sampled_from(ESCAPES) | st.text(max_size=3), max_size=8).map("".join),
    st.sampled_from(["", " ", "q", "Q", "u", "s", "5", " 4 ", "0.25", "1/0", "1e999", "-0",
                     "nan", "inf", "6 8; 3 4", "；", "1/4%", "9" * 5000, "x" * 100_000,
                     "line one\nline two", "\x04", "\x03"]),
)


@pytest.fixture(scope="module")
def questions():
    from pathlib import Path

    return load_bank([Path(__file__).parent / "data" / "bank"]).questions


@settings(max_examples=250, derandomize=True, database=None, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_any_typed_text_never_crashes_the_session(questions, data):
    """Every ask gets arbitrary text (a valid key now and then, so the session moves on)."""
    store = Store.open(":memory:")
    typed_answers, graded, asked = [], [], 0

    def ask(kind, view):
        nonlocal asked
        asked += 1
        if asked > 60:
            return None
        if kind == "grade" and data.draw(st.booleans(), label="a valid key"):
            return data.draw(st.sampled_from(sorted(view.allowed_keys) + [""]), label="key")
        text = data.draw(TYPED, label=kind)
        if kind == "answer":
            typed_answers.append(text)
        return text

    def show(event, payload):
        if event == "graded":
            graded.append(payload)
        elif event == "undone":  # "u" takes the last grade back, from the log too
            graded.pop()

    result = run_session(store, list(questions), ui=ScriptUI(ask, show),
                         now=lambda: __import__("datetime").datetime(2026, 3, 2, 9).astimezone(),
                         seed=lambda: 5)
    log = store.reviews()
    assert result.graded == len(log) == len(graded)
    stripped = {t.strip() for t in typed_answers}
    for review, (view, quality, _state) in zip(log, graded, strict=True):
        assert review.quality == quality and 0 <= quality <= 5
        assert review.answer == view.typed
        if view.question.numeric is None:  # an open answer is stored as typed, stripped
            assert review.answer is None or review.answer in stripped
    store.close()


# -- in a real terminal ------------------------------------------------------------------------


@pytest.fixture
def session(tmp_path):
    bank = make_bank(tmp_path / "bank", extra=4)
    db = tmp_path / "input.db"
    children = []

    def start(**env):
        child = spawn_review(bank, quiz_env(db, **env), "--new", "100", timeout=30)
        children.append(child)
        return child

    start.db = db
    yield start
    for child in children:
        child.close(force=True)


def grade_and_check(child, grade="4"):
    child.expect(GRADE)
    child.sendline(grade)
    child.expect(f"Recorded {grade}")
    assert child.isalive()


def finish(child):
    i = child.expect([ANSWER, NUMERIC])
    child.sendline("")
    if i == 1:  # a numeric card: Enter gives up; its grade prompt takes Enter too
        child.expect(GRADE)
    else:
        child.expect(GRADE)
    child.sendline("q")
    child.expect("Today's summary")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "Traceback" not in child.before


# What the terminal's line discipline leaves alone: no signals (^C ^Z ^\), no flow control
# (^S ^Q), no line editing (^H ^U ^W ^V ^R ^O, DEL) and no end of line or file (^D ^J ^M).
# Nor NUL: Python's input() on a terminal reads C strings, so a NUL cuts the line there and
# waits for the next one (CPython's PyOS_Readline; the session waits, it does not crash).
TERMINAL_SAFE = "".join(c for c in CONTROL if c not in "\x00\x03\x04\x08\x0a\x0d\x0f\x11"
                        "\x12\x13\x15\x16\x17\x1a\x1c\x7f")


def test_control_characters_and_escape_sequences_are_stored_as_typed(session):
    child = session()
    typed = ("ctl " + TERMINAL_SAFE + " esc \x1b[2J\x1b]0;title\x07\x1b[31m red [bold]x[/] "
             "\u202e rtl 😀 end")
    child.expect(ANSWER)
    child.sendline(typed)
    grade_and_check(child)
    finish(child)
    assert rows(session.db) == [(typed.strip(), 4)]


@pytest.mark.parametrize("encoding", [None, "utf-8:strict"])
def test_bytes_that_are_not_utf8_become_replacement_characters(session, encoding):
    child = session(**({"PYTHONIOENCODING": encoding} if encoding else {}))
    child.expect(ANSWER)
    os.write(child.child_fd, b"caf\xe9 \xff\xfe ok\n")  # Latin-1 and junk from a paste
    grade_and_check(child)
    finish(child)
    ((answer, quality),) = rows(session.db)
    assert answer.startswith("caf\ufffd") and answer.endswith(" ok") and quality == 4


def test_a_100000_character_line_does_not_crash(session):
    child = session()
    child.expect(ANSWER)
    child.send("y" * 100_000)
    child.sendline(" tail")
    grade_and_check(child)
    finish(child)
    ((answer, quality),) = rows(session.db)
    # A terminal keeps at most 4095 characters of a line (Linux): the rest never reaches quiz
    assert set(answer) <= set("y tail") and len(answer) >= 4000 and quality == 4


def test_a_pasted_multi_line_text_answers_with_its_first_line(session):
    child = session()
    child.expect(ANSWER)
    child.send("first line of the paste\nsecond line\n  third: more  \n")
    child.expect(GRADE)
    child.expect("Please type one of")  # "second line" is not a grade
    child.expect("Please type one of")  # nor is the third
    child.sendline("4")
    child.expect("Recorded 4")
    finish(child)
    assert rows(session.db) == [("first line of the paste", 4)]


def test_random_text_at_every_prompt_in_a_real_terminal(session):
    """Junk at the answer, numeric and grade prompts, for several cards: no crash."""
    child = session()
    junk = ["\x1b[A\x1b[B", "1/0", "1e999", "nan", "∞", "9" * 3000, "；", "\x07", "ｑ", "six",
            "-", "[red]x", "0x10", "1,5", "½", "--1", "Q!", "\x1b[6n"]
    expected = []
    for card in range(5):
        mine = junk[card::5]
        if child.expect([ANSWER, NUMERIC]) == 0:
            child.sendline(mine[0])
            child.expect(GRADE)
            grade = "4"
        else:  # unreadable numbers are asked again; the first that reads is graded
            for text in mine:
                child.sendline(text)
                if child.expect(["Please try again", GRADE]) == 1:
                    break
            else:
                child.sendline("")
                child.expect(GRADE)
            grade = ""  # Enter: the grade the answer earned
        for text in mine:  # none of these is a grade key
            child.sendline(text)
            child.expect("Please type one of")
        child.sendline(grade)
        child.expect(r"Recorded (\d)")
        expected.append(int(child.match.group(1)))
    finish(child)
    assert [q for _, q in rows(session.db)] == expected
