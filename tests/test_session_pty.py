"""`quiz review` (and practice, mock) in a real pseudo-terminal, typed into as a person does:
the line editor, one-key grades, the question prompt's command keys, the endings, SIGKILL."""

import os
import signal
import sqlite3

import pexpect
import pytest
from pty_driver import (
    ANSWER,
    FINISH,
    GRADE,
    SUMMARY,
    quiz_env,
    send_grade,
    spawn_quiz,
    spawn_review,
)

pytestmark = pytest.mark.slow

ESC_SKIP, ESC_BURY, ESC_UNDO, ESC_QUIT = "\x1bs", "\x1bb", "\x1bu", "\x1bq"
LEFT, HOME, END, UP = "\x1b[D", "\x1b[H", "\x1b[F", "\x1b[A"
CTRL_A, CTRL_E, CTRL_U, CTRL_W = "\x01", "\x05", "\x15", "\x17"


def wait_for_screen(child, text, tries=100):
    """The screen once `text` is on it (the toolbar redraws only the cells that change)."""
    for _ in range(tries):
        lines = child.display()
        if any(text in line for line in lines):
            return lines
        try:
            child.read_nonblocking(100_000, timeout=0.2)
        except pexpect.TIMEOUT:
            pass
    raise AssertionError(f"{text!r} never on the screen:\n" + "\n".join(lines))


@pytest.fixture
def spawn(tmp_path, bank_dir):
    db = tmp_path / "pty.db"
    children = []

    def start(*args, command="review"):
        env = quiz_env(db)
        if command == "review":
            child = spawn_review(bank_dir, env, *args, timeout=20)
        else:
            child = spawn_quiz(env, command, "--bank", str(bank_dir), "--lang", "en", *args,
                               timeout=20)
        child.transcript = ""
        child.logfile_read = Transcript(child)
        children.append(child)
        return child

    start.db = db
    yield start
    for child in children:
        child.close(force=True)


class Transcript:
    """Keeps everything the child wrote, for `Screen`."""

    def __init__(self, child):
        self.child = child

    def write(self, text):
        self.child.transcript += text

    def flush(self):
        pass


def rows(db, sql="SELECT question_id, kind, quality, answer FROM reviews ORDER BY id"):
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def quit_cleanly(child, summary=True):
    if summary:
        child.expect(SUMMARY)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "Traceback" not in child.transcript


def summary_starts_its_own_line(child):
    """The summary panel's top edge is a line of its own (not drawn after a prompt)."""
    (line,) = [line for line in child.display() if "Today's summary" in line]
    return line.lstrip().startswith("╭")


STYLE = r"(?:\x1b\[[\d;]*m)*"  # rich's colour codes between a label and its value
OPEN_GRADE = r"Grade 0–5, u undo, s bury, q quit"


def test_two_cards_one_typed_undo_and_quit(spawn):
    child = spawn()
    child.expect("What is pooling, and why do CNNs use it?")
    child.expect(ANSWER)
    child.sendline("max or mean over local windows")
    child.expect("Model answer")
    child.expect(OPEN_GRADE)
    send_grade(child, "5")
    child.expect("Recorded 5")
    child.expect("What does a 1×1 convolution do?")
    child.expect(ANSWER)
    child.sendline("")
    child.expect(OPEN_GRADE)
    send_grade(child, "4")
    child.expect("Recorded 4")
    child.expect(r"Output side length\?")
    child.expect(r"Enter = give up\)")
    child.sendline("not a number")
    child.expect("Please try again")
    child.sendline("")  # give up: the worked solution, graded 1 on Enter
    child.expect("Worked solution")
    child.expect(GRADE)
    send_grade(child, "u")  # undo the grade of the 1×1 card instead
    child.expect("Undid the last grade: cnn-one-by-one")
    child.expect("What does a 1×1 convolution do?")
    child.expect(ANSWER)
    child.sendline("")
    child.expect(OPEN_GRADE)
    send_grade(child, "q")
    child.expect("Today's summary")
    child.expect(r"Reviewed\s+" + STYLE + r"1\b")
    quit_cleanly(child, summary=False)
    assert rows(spawn.db) == [
        ("cnn-pooling-purpose", "review", 5, "max or mean over local windows")
    ]
    card = rows(spawn.db, "SELECT question_id, repetitions, interval FROM cards")
    assert card == [("cnn-pooling-purpose", 1, 1)]


def test_one_key_press_grades_and_enter_takes_the_default(spawn):
    child = spawn()
    child.expect(ANSWER)
    child.send("pooling\r")
    child.expect(OPEN_GRADE)
    child.send("4")  # no Enter
    child.expect("Recorded 4")
    child.expect(ANSWER)
    child.send("\r")
    child.expect(OPEN_GRADE)
    child.send("\r")  # no default for an unanswered open card: asked again
    child.expect("Please type one of")
    child.expect(OPEN_GRADE)
    child.send("3")
    child.expect("Recorded 3")
    child.expect(r"Enter = give up\)")
    child.send("\r")  # a numeric card given up: Enter is its grade 1
    child.expect(r"Enter=1")
    child.send("\r")
    child.expect("Recorded 1")
    child.expect(ANSWER)
    send_grade(child, ESC_QUIT)
    quit_cleanly(child)
    assert [r[2:] for r in rows(spawn.db)] == [(4, "pooling"), (3, None), (1, None)]


def test_the_question_prompt_keys_skip_bury_undo_and_quit(spawn):
    child = spawn()
    child.expect("What is pooling")
    child.expect(ANSWER)
    child.send(ESC_UNDO)
    child.expect("Nothing to undo")
    child.expect(ANSWER)
    child.send("q")  # a letter at the question prompt is text, not a command
    child.send(CTRL_U + ESC_SKIP)
    child.expect("Skipped: cnn-pooling-purpose")
    child.expect("What does a 1×1 convolution do")
    child.expect(ANSWER)
    child.send(ESC_BURY)
    child.expect("Buried until tomorrow: cnn-one-by-one")
    child.expect(r"Output side length\?")
    child.sendline("")
    child.expect(GRADE)
    send_grade(child, "")
    child.expect("Recorded 1")
    child.expect("LSTM")
    child.expect(ANSWER)
    child.send(ESC_UNDO)  # undo the numeric card's grade: it is asked again first
    child.expect("Undid the last grade: cnn-conv-output-size")
    child.expect(r"Output side length\?")
    child.send(ESC_QUIT)
    quit_cleanly(child)
    assert rows(spawn.db) == []
    buried = rows(spawn.db, "SELECT question_id FROM cards WHERE buried_until IS NOT NULL")
    assert buried == [("cnn-one-by-one",)]


def test_arrows_home_end_ctrl_keys_and_history_edit_the_answer(spawn):
    child = spawn()
    child.expect(ANSWER)
    child.send("world" + HOME + "hello " + END + "!" + LEFT + LEFT + "X\r")
    child.expect(OPEN_GRADE)
    send_grade(child, "5")
    child.expect(ANSWER)
    child.send("junk" + CTRL_U + "foo bar" + CTRL_W + CTRL_A + "A" + CTRL_E + "E\r")
    child.expect(OPEN_GRADE)
    send_grade(child, "4")
    child.expect(r"Enter = give up\)")
    child.send(UP + UP + "\r")  # two answers back: the first card's, recalled
    child.expect(r"Please try again|✗")  # not a number: asked again
    child.send(CTRL_U + ESC_QUIT)
    quit_cleanly(child)
    assert [r[3] for r in rows(spawn.db)] == ["hello worlXd!", "Afoo E"]
    assert "hello worlXd!" in child.transcript.split("Output side length")[-1]


def test_esc_enter_adds_a_line_and_wide_characters_edit(spawn):
    child = spawn()
    child.expect(ANSWER)
    child.send("池化\x1b\r下采样" + LEFT + "的\r")
    child.expect(OPEN_GRADE)
    send_grade(child, "5")
    child.expect("Recorded 5")
    child.expect(ANSWER)
    child.send(ESC_QUIT)
    quit_cleanly(child)
    assert [r[3] for r in rows(spawn.db)] == ["池化\n下采的样"]


def test_ctrl_c_mid_answer_keeps_the_answers_and_the_summary_starts_a_line(spawn):
    child = spawn()
    child.expect(ANSWER)
    child.sendline("")
    child.expect(OPEN_GRADE)
    send_grade(child, "4")
    child.expect("Recorded 4")
    child.expect(ANSWER)
    child.send("half an ans")
    child.sendintr()
    quit_cleanly(child)
    assert summary_starts_its_own_line(child)
    assert [r[2] for r in rows(spawn.db)] == [4]


@pytest.mark.parametrize("where", ["answer", "grade"])
def test_ctrl_d_ends_the_session_and_the_summary_starts_a_line(spawn, where):
    child = spawn()
    child.expect(ANSWER)
    if where == "grade":
        child.send("x\r")
        child.expect(OPEN_GRADE)
    child.sendeof()
    quit_cleanly(child)
    assert summary_starts_its_own_line(child)
    assert rows(spawn.db) == []


def test_the_last_grade_can_be_undone_before_the_summary(spawn):
    child = spawn("--limit", "1")
    child.expect(ANSWER)
    child.send("first try\r")
    child.expect(OPEN_GRADE)
    send_grade(child, "5")
    child.expect("Recorded 5")
    child.expect(FINISH)
    send_grade(child, "u")
    child.expect("Undid the last grade: cnn-pooling-purpose")
    child.expect(ANSWER)
    child.send("second try\r")
    child.expect(OPEN_GRADE)
    send_grade(child, "4")
    child.expect(FINISH)
    send_grade(child, "x")
    quit_cleanly(child)
    assert summary_starts_its_own_line(child)
    assert rows(spawn.db) == [("cnn-pooling-purpose", "review", 4, "second try")]


def test_practice_skips_without_burying_and_gives_a_score(spawn):
    child = spawn("--count", "3", command="practice")
    child.expect(ANSWER)
    child.send("\r")
    child.expect(r"Grade 0–5, u undo, s skip, q quit")
    send_grade(child, "s")
    child.expect("Skipped: cnn-pooling-purpose")
    child.expect(ANSWER)
    child.send(ESC_BURY)  # no burying in practice: a skip
    child.expect("Skipped: cnn-one-by-one")
    child.expect(r"Enter = give up\)")
    child.send("\r")
    child.expect(GRADE)
    send_grade(child, "")
    child.expect(r"Graded 1 \(practice\)")
    child.expect(FINISH)
    send_grade(child, "\r")
    child.expect(r"Score 0% \(0 of 1 answered with 3 or more\)")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0 and "Recorded" not in child.transcript
    assert rows(spawn.db, "SELECT count(*) FROM cards WHERE buried_until IS NOT NULL") == [(0,)]
    assert [r[1:3] for r in rows(spawn.db)] == [("practice", 1)]


def test_the_mock_countdown_redraws_without_touching_the_typed_text(spawn):
    child = spawn("--count", "1", "--seconds", "30", "--topic", "rnn", command="mock")
    child.expect(ANSWER)
    child.expect(r"⏱ (\d+) s")
    first = int(child.match.group(1))
    child.send("gates: LSTM three, GRU")
    later = f"⏱ {first - 2} s"
    screen = wait_for_screen(child, later)  # the toolbar redrawn twice, the text typed
    (prompt_line,) = [line for line in screen if "Your answer" in line]
    assert prompt_line.endswith("› gates: LSTM three, GRU")
    assert any(later in line and "Esc q quit" in line for line in screen)
    child.send(" two\r")
    child.expect(GRADE)
    send_grade(child, "4")
    child.expect(FINISH)
    send_grade(child, "\r")
    child.expect("Mock interview score")
    child.expect(pexpect.EOF)
    assert rows(spawn.db) == [("rnn-lstm-vs-gru", "mock", 4, "gates: LSTM three, GRU two")]


def test_sigkill_after_two_answers_keeps_both(spawn):
    child = spawn()
    for grade in ("5", "3"):
        child.expect(ANSWER)
        child.sendline("")
        child.expect(OPEN_GRADE)
        send_grade(child, grade)
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
    again.expect(GRADE)
    send_grade(again, "q")
    quit_cleanly(again)
