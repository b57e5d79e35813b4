"""practice, mock and plan through the CLI, and mock/practice in a real pseudo-terminal."""

import os
import sqlite3
from datetime import date, datetime, timedelta
from pathlib import Path

import pexpect
import pytest
from conftest import run_cli
from pty_driver import FINISH, spawn_quiz

from quiz import config

ROOT = Path(__file__).parent.parent
TODAY = datetime(2026, 11, 22, 10, 0).astimezone()


@pytest.fixture(autouse=True)
def env(bank_env, monkeypatch):
    monkeypatch.setattr(config, "local_now", lambda: TODAY)


invoke = run_cli


def test_plan_sets_shows_and_clears_the_interview_date():
    result = invoke("plan", "--interview", "2026-12-20", "--lang", "en")
    assert result.exit_code == 0
    assert result.output.replace("\n", " ") == (
        "Interview on 2026-12-20 (28 days): 4 new questions left, 1 a day to finish by "
        "Dec 17; then review only. ")
    review = invoke("review", "--lang", "en", input="")
    assert "Interview on 2026-12-20 (28 days): 4 new questions left, 1 a day" in review.output
    assert invoke("plan", "--clear", "--lang", "en").output == "Interview date cleared\n"
    assert "No interview date set" in invoke("plan", "--lang", "en").output


@pytest.mark.parametrize("value, message", [
    ("2026-11-22", "Error: the interview date 2026-11-22 is not after today (2026-11-22)"),
    ("20/12/2026", "Error: --interview takes a date as YYYY-MM-DD, not '20/12/2026'"),
])
def test_plan_rejects_bad_dates(value, message):
    result = invoke("plan", "--interview", value)
    assert result.exit_code == 2 and result.stderr.strip() == message


def test_practice_with_nothing_weak_says_so():
    result = invoke("practice", "--weak", "--lang", "en")  # issue 15: a plain line, exit 0
    assert result.exit_code == 0 and result.stderr == ""
    assert result.output == ("Nothing to practise: no card is weak (E-Factor below 2.0 or a "
                             "lapse).\n")


def test_mock_history_is_empty_at_first():
    assert "No mock interviews yet" in invoke("mock", "--history", "--lang", "en").output


def spawn(db, *args):
    env = {**os.environ, "TERM": "xterm-256color", "QUIZ_BUNDLED": "0", "QUIZ_DB": str(db),
           "PYTHONPATH": str(ROOT)}
    return spawn_quiz(env, *args, "--lang", "en", timeout=20)  # it answers the editor's CPR


@pytest.mark.slow
def test_practice_in_a_terminal_logs_practice_only(tmp_path, bank_dir):
    db = tmp_path / "p.db"
    child = spawn(db, "practice", "--bank", str(bank_dir), "--count", "1")
    child.expect(r"Your answer \(or just Enter\)")
    child.sendline("")
    child.expect("Grade 0–5")
    child.sendline("2")
    child.expect(FINISH)  # after the last card: u would undo, any other key finishes
    child.send("\r")
    child.expect("Practised 1 question")
    child.expect(pexpect.EOF)
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT kind, quality FROM reviews").fetchall() == [("practice", 2)]
    assert conn.execute("SELECT count(*) FROM cards").fetchone() == (0,)


@pytest.mark.slow
def test_mock_in_a_terminal_times_answers_and_reports(tmp_path, bank_dir):
    db = tmp_path / "m.db"
    child = spawn(db, "mock", "--bank", str(bank_dir), "--count", "2", "--seconds", "30")
    for _ in range(2):
        index = child.expect([r"Your answer \(or just Enter\)", r"Enter = give up\)"])
        child.expect(r"⏱ \d+ s")  # in the line editor's toolbar
        child.sendline("pooling downsamples" if index == 0 else "")
        child.expect(r"Answered in \d+ s")
        child.expect(["Grade 0–5", "Enter="])
        child.sendline("3" if index == 0 else "")
    child.expect(FINISH)
    child.send("\r")
    child.expect("Mock interview score")
    child.expect("To revisit:")
    child.expect(pexpect.EOF)
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT kind, session FROM reviews").fetchall()
    assert len(rows) == 2 and {kind for kind, _ in rows} == {"mock"}
    assert len({session for _, session in rows}) == 1
    history = spawn(db, "mock", "--history")
    history.expect("Mock interviews")
    history.expect(pexpect.EOF)


def test_the_plan_caps_what_review_schedules(tmp_path, bank_dir, monkeypatch):
    invoke("plan", "--interview", (TODAY.date() + timedelta(days=10)).isoformat())
    invoke("review", "--new", "4", input="\n5\n\n5\n\n5\n\n5\n")
    conn = sqlite3.connect(Path(os.environ["QUIZ_DB"]))
    dues = [date.fromisoformat(d) for (d,) in conn.execute("SELECT due FROM cards")]
    assert dues and all(d <= TODAY.date() + timedelta(days=10) for d in dues)


def test_stats_shows_the_countdown_and_coverage():
    import json

    assert json.loads(invoke("stats", "--json").output)["plan"] is None
    invoke("plan", "--interview", "2026-12-20")
    invoke("review", "--lang", "en", input="\n5\nq\n")
    figures = json.loads(invoke("stats", "--json").output)["plan"]
    assert figures == {"interview": "2026-12-20", "days_left": 28, "started": 1, "total": 4,
                       "coverage": 0.25, "new_left": 3, "per_day": 1,
                       "finish_by": "2026-12-17"}
    table = invoke("stats", "--lang", "en").output.replace("\n", " ")
    assert "Interview on 2026-12-20 (28 days): 3 new questions left" in table
    assert "Started 1 of 4 (25%)." in table


def test_no_countdown_from_the_interview_day_on():
    from quiz.plan import countdown

    day = date(2026, 12, 20)
    assert countdown(day, day, total=4, started=1, introduced_today=0) is None
    assert countdown(None, day, total=4, started=1, introduced_today=0) is None
    ahead = countdown(day, day - timedelta(days=1), total=4, started=4, introduced_today=0)
    assert (ahead.days_left, ahead.coverage, ahead.pace.per_day) == (1, 1.0, 0)
