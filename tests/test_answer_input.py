"""Whatever is typed — random text, control characters, 100,000 characters, a multi-line
paste, bytes that are not UTF-8 — the session goes on, and the log keeps what was typed.

What is stored: the typed text without escape sequences or control characters (newlines and
tabs kept: `session.clean_typed`), surrounding whitespace stripped; nothing typed is no
answer (NULL). Bytes that are not UTF-8 become U+FFFD. On a terminal a bracketed paste is one
answer, newlines and all; a paste the terminal does not bracket answers with its first line,
and the rest of it — typed before the answer was revealed — is dropped, never a grade.
"""

import os
import string

import pexpect
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pty_driver import ANSWER, GRADE, NUMERIC, make_bank, quiz_env, rows, send_grade, spawn_review
from script_ui import ScriptUI

from quiz.bank.reader import load_bank
from quiz.session import clean_typed, run_session
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


@pytest.mark.slow
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
    stripped = {clean_typed(t).strip() for t in typed_answers}
    for review, (view, quality, _state) in zip(log, graded, strict=True):
        assert review.quality == quality and 0 <= quality <= 5
        assert review.answer == view.typed
        if view.question.numeric is None:  # an open answer is stored cleaned, stripped
            assert review.answer is None or review.answer in stripped
    store.close()


# -- what is kept of typed text ---------------------------------------------------------------

NOT_TEXT = {chr(c) for c in range(32) if chr(c) not in "\n\t"} | {chr(c) for c in range(0x7f, 0xa0)}


@given(st.lists(st.sampled_from(ESCAPES) | st.text(), max_size=10).map("".join))
def test_cleaned_text_has_no_control_characters_and_cleaning_twice_changes_nothing(text):
    cleaned = clean_typed(text)
    assert not NOT_TEXT & set(cleaned)
    assert not any("\ud800" <= c <= "\udfff" for c in cleaned)
    assert clean_typed(cleaned) == cleaned


@given(st.text(st.characters(blacklist_categories=["Cc", "Cs"])))
def test_text_without_control_characters_is_kept_as_typed(text):
    assert clean_typed(text) == text


@pytest.mark.parametrize("typed, kept", [
    ("a\x1b[2Jb", "ab"), ("\x1b[31mred\x1b[0m", "red"), ("x\x1b]0;title\x07y", "xy"),
    ("\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\", "link"), ("up\x1bOA", "up"),
    ("\x1b[200~pasted\x1b[201~", "pasted"), ("one\r\ntwo\rthree", "one\ntwo\nthree"),
    ("tab\tkept", "tab\tkept"), ("\x9b31mq", "q"), ("中\x00文", "中文"), ("caf\udce9", "caf\ufffd"),
])
def test_escape_sequences_are_removed_whole(typed, kept):
    assert clean_typed(typed) == kept


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
    send_grade(child, grade)
    child.expect(f"Recorded {grade}")
    assert child.isalive()


def finish(child):
    child.expect([ANSWER, NUMERIC])
    child.sendline("")
    child.expect(GRADE)
    send_grade(child, "q")
    child.expect("Today's summary")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "Traceback" not in child.before


# Control keys the line editor has no use for (the others edit: Ctrl-A/E/W/U, Ctrl-R search,
# Ctrl-_ undo, …): typed, they never reach the log.
TYPED_CONTROLS = "\x07\x0c\x1e"


@pytest.mark.slow
def test_control_characters_and_escape_sequences_are_never_stored(session):
    child = session()
    typed = ("ctl " + TYPED_CONTROLS + " esc \x1b[2J\x1b]0;title\x07\x1b[31m red [bold]x[/] "
             "\u202e rtl 😀 end")
    child.expect(ANSWER)
    child.sendline(typed)
    grade_and_check(child)
    finish(child)
    # the keys do nothing and the sequences are dropped whole: no "[2J", no "]0;title"
    assert rows(session.db) == [("ctl  esc  red [bold]x[/] \u202e rtl 😀 end", 4)]


@pytest.mark.slow
@pytest.mark.parametrize("encoding", [None, "utf-8:strict"])
def test_bytes_that_are_not_utf8_become_replacement_characters(session, encoding):
    child = session(**({"PYTHONIOENCODING": encoding} if encoding else {}))
    child.expect(ANSWER)
    os.write(child.child_fd, b"caf\xe9 \xff\xfe ok\r")  # Latin-1 and junk from a paste
    grade_and_check(child)
    finish(child)
    ((answer, quality),) = rows(session.db)
    assert answer.startswith("caf\ufffd") and answer.endswith(" ok") and quality == 4


@pytest.mark.slow
def test_a_100000_character_line_is_kept_whole(session):
    child = session()
    child.expect(ANSWER)
    child.send("y" * 100_000)
    child.sendline(" tail")
    grade_and_check(child)
    finish(child)
    assert rows(session.db) == [("y" * 100_000 + " tail", 4)]


@pytest.mark.slow
def test_a_bracketed_paste_is_one_answer_and_never_a_grade(session):
    child = session()
    child.expect(ANSWER)
    child.send("\x1b[200~answer\n5\nmore\nq\x1b[201~")  # what a terminal sends for a paste
    child.send("\r")
    child.expect(GRADE)
    assert "Recorded" not in child.before
    send_grade(child, "3")
    child.expect("Recorded 3")
    finish(child)
    assert rows(session.db) == [("answer\n5\nmore\nq", 3)]


def next_card_unanswered(child):
    """Enter at the next card and grade it 1: the log shows whether keys leaked into it."""
    child.expect([ANSWER, NUMERIC])
    child.send("\r")
    open_card = child.expect([r"Grade 0–5, u undo", r"Enter=1, u undo"]) == 0
    send_grade(child, "1" if open_card else "")  # a numeric card given up: Enter is 1
    child.expect("Recorded 1")


@pytest.mark.slow
def test_the_rest_of_an_unbracketed_paste_is_dropped_at_the_reveal(session):
    child = session()
    child.expect(ANSWER)
    child.send("first line of the paste\nsecond line\n5\n  third: more  \nq\n")
    child.expect(GRADE)
    send_grade(child, "4")
    child.expect("Recorded 4")
    assert "Please type one of" not in child.before
    next_card_unanswered(child)
    finish(child)
    assert rows(session.db) == [("first line of the paste", 4), (None, 1)]


@pytest.mark.slow
@pytest.mark.parametrize("writes", [["my answer\r5q"], ["my answer\r", "5", "q"]])
def test_keys_typed_before_the_reveal_are_not_a_grade(session, writes):
    child = session()
    child.expect(ANSWER)
    for text in writes:  # a burst: the answer, then a grade and quit before the reveal
        child.send(text)
    child.expect(GRADE)
    send_grade(child, "2")
    child.expect("Recorded 2")
    next_card_unanswered(child)  # nor do they reach the next card
    finish(child)
    assert rows(session.db) == [("my answer", 2), (None, 1)]


@pytest.mark.slow
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
            child.send(text)
            child.expect("Please type one of")
            child.expect(GRADE)  # asked again: what is typed from now on counts
        send_grade(child, grade)
        child.expect(r"Recorded (\d)")
        expected.append(int(child.match.group(1)))
    finish(child)
    assert [q for _, q in rows(session.db)] == expected


# -- the answer prompt's toolbar ---------------------------------------------------------------


@pytest.mark.parametrize("width", [40, 60, 80, 120])
@pytest.mark.parametrize("lang", ["zh", "en", "both"])
@pytest.mark.parametrize("kind", ["review", "practice", "mock"])
def test_the_toolbar_names_every_key_and_folds_to_the_terminal(questions, width, lang, kind):
    from rich.cells import cell_len
    from rich.console import Console

    from quiz.session import CardView, Mode
    from quiz.ui import TerminalUI

    mode = {"review": Mode(), "practice": Mode.practice(),
            "mock": Mode.mock("m", seconds=90)}[kind]
    ui = TerminalUI(Console(width=width), lang, interactive=True)
    ui.deadline = __import__("time").monotonic() + 60
    view = CardView(question=questions[0], position=1, total=1, mode=mode)
    lines = ui._toolbar(view).splitlines()
    assert all(cell_len(line) < width for line in lines)
    text = " · ".join(lines)
    keys = ["Enter submit", "Esc Enter new line", "Esc s skip", "Esc b bury",
            "Esc u undo last grade", "Esc q quit"]
    if kind == "practice":
        keys.remove("Esc b bury")  # practice never buries: Esc b is a skip there
    if lang != "zh":
        assert [k for k in keys if k in text] == keys
        positions = [text.index(k) for k in keys]
        assert positions == sorted(positions)
    if lang != "en":
        assert "回车 提交" in text and "Esc q 退出" in text
        assert ("搁置" in text) == (kind != "practice")
    assert ("⏱" in lines[0]) == (kind == "mock")
