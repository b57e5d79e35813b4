"""`quiz review` in a real pseudo-terminal: typed answers, undo, quit, SIGKILL."""

import os
import signal
import sqlite3

import pexpect
import pytest
from pty_driver import quiz_env, spawn_review


@pytest.fixture
def spawn(tmp_path, bank_dir):
    db = tmp_path / "pty.db"
    children = []

    def start(*args):
        child = spawn_review(bank_dir, quiz_env(db), *args, timeout=20)
        children.append(child)
        return child

    start.db = db
    yield start
    for child in children:
        child.close(force=True)


def rows(db, sql="SELECT question_id, kind, quality, answer FROM reviews ORDER BY id"):
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


STYLE = r"(?:\x1b\[[\d;]*m)*"  # rich's colour codes between a label and its value
ANSWER = r"Your answer \(or just Enter\)"
GRADE = r"Grade 0–5, u undo, s bury, q quit"


def test_two_cards_one_typed_undo_and_quit(spawn):
    child = spawn()
    child.expect("What is pooling, and why do CNNs use it?")
    child.expect(ANSWER)
    child.sendline("max or mean over local windows")
    child.expect("Model answer")
    child.expect(GRADE)
    child.sendline("5")
    child.expect("Recorded 5")
    child.expect("What does a 1×1 convolution do?")
    child.expect(ANSWER)
    child.sendline("")
    child.expect(GRADE)
    child.sendline("4")
    child.expect("Recorded 4")
    child.expect(r"Output side length\?")
    child.expect(r"Enter = give up\)")
    child.sendline("not a number")
    child.expect("Please try again")
    child.sendline("")  # give up: the worked solution, graded 1 on Enter
    child.expect("Worked solution")
    child.sendline("u")  # undo the grade of the 1×1 card instead
    child.expect("Undid the last grade: cnn-one-by-one")
    child.expect("What does a 1×1 convolution do?")
    child.expect(ANSWER)
    child.sendline("")
    child.expect(GRADE)
    child.sendline("q")
    child.expect("Today's summary")
    child.expect(r"Reviewed\s+" + STYLE + r"1\b")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert rows(spawn.db) == [
        ("cnn-pooling-purpose", "review", 5, "max or mean over local windows")
    ]
    card = rows(spawn.db, "SELECT question_id, repetitions, interval FROM cards")
    assert card == [("cnn-pooling-purpose", 1, 1)]


def test_sigkill_after_two_answers_keeps_both(spawn):
    child = spawn()
    for grade in ("5", "3"):
        child.expect(ANSWER)
        child.sendline("")
        child.expect(GRADE)
        child.sendline(grade)
        child.expect(f"Recorded {grade}")
    child.expect(r"Enter = give up\)")
    os.kill(child.pid, signal.SIGKILL)
    child.expect(pexpect.EOF)
    child.close()
    assert child.signalstatus == signal.SIGKILL
    assert [r[:3] for r in rows(spawn.db)] == [
        ("cnn-pooling-purpose", "review", 5),
        ("cnn-one-by-one", "review", 3),
    ]
    assert rows(spawn.db, "PRAGMA integrity_check") == [("ok",)]
    again = spawn()
    # the failed-to-4 card comes back the same day; the next session starts normally
    again.expect(r"Output side length\?")
    again.sendline("")
    again.expect("Worked solution")
    again.sendline("q")
    again.expect("Today's summary")
    again.expect(pexpect.EOF)


def test_ctrl_c_keeps_answers_and_shows_the_summary(spawn):
    child = spawn()
    child.expect(ANSWER)
    child.sendline("")
    child.expect(GRADE)
    child.sendline("4")
    child.expect("Recorded 4")
    child.expect(ANSWER)
    child.sendintr()
    child.expect("Today's summary")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert len(rows(spawn.db)) == 1
