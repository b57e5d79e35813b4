"""Every command on every day from a week before an interview to a week after it.

The clock is set through `config.local_now`; answers given each day move the schedule, so
each day starts from what the days before left. No command may crash on any day: on and
after the interview day the countdown is gone, and `quiz plan` must say so.
"""

from datetime import date, datetime, timedelta

import pytest
import typer.main
from typer.testing import CliRunner

from quiz import config
from quiz.cli import app
from quiz.store import Store

INTERVIEW = date(2026, 12, 20)
ANSWERS = "my answer\n4\n" * 3 + "\n2\n" * 3  # a few grades, then end of input: the session ends

# Each command with the arguments that exercise it (list every command: a new one must be
# added here, see test_every_command_is_on_the_calendar).
RUNS = {
    "review": [["review", "--lang", "en"]],
    "practice": [["practice", "--count", "3"]],
    "mock": [["mock", "--count", "2"], ["mock", "--history"]],
    "plan": [["plan"], ["plan", "--lang", "zh"]],
    "validate": [["validate"]],
    "list": [["list"], ["list", "--due"]],
    "show": [["show", "cnn-conv-output-size"], ["show", "rnn-lstm-vs-gru"]],
    "calc": [["calc", "conv", "--size", "224", "--kernel", "7", "--stride", "2",
              "--padding", "3"]],
    "export": [["export", "csv", "-"], ["export", "md", "-", "--only-due"],
               ["export", "csv", "-", "--days", "30"]],
    "stats": [["stats"], ["stats", "--json"]],
    "try": [["try", "cnn-pooling-purpose", "--answer", "降低分辨率", "--json"]],
    "undo": [["undo"]],
    "import": [["import", "csv", "deck.csv", "--out", "imported.yaml", "--front", "front",
                "--back", "back"]],
    "scheduler": [["scheduler"], ["scheduler", "fsrs"], ["scheduler", "sm2"]],
    "config": [["config"], ["config", "--json"], ["config", "--path"]],
    "info": [["info"], ["info", "--json"]],
    "backup": [["backup", "copy.db", "--force"]],
    "sync": [["sync", "shared"], ["sync", "--dir", "shared"]],
    "suspend": [["suspend", "cnn-one-by-one"]], "unsuspend": [["unsuspend", "cnn-one-by-one"]],
    "reset": [["reset", "--yes", "rnn-lstm-vs-gru"]],
}


@pytest.fixture(autouse=True)
def env(bank_env, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # `import` reads deck.csv and writes imported.yaml here
    (tmp_path / "shared").mkdir()  # `sync`'s folder
    (tmp_path / "deck.csv").write_text("front,back\n什么是池化？,降低分辨率。\n",
                                       encoding="utf-8")


def set_day(monkeypatch, day):
    moment = datetime(day.year, day.month, day.day, 10, 0).astimezone()
    monkeypatch.setattr(config, "local_now", lambda: moment)


def run(args, **kw):
    result = CliRunner().invoke(app, args, **kw)
    assert "Traceback" not in result.output, (args, result.output)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{args}: {result.exception!r}") from result.exception
    return result


def test_every_command_is_on_the_calendar():
    assert set(RUNS) == set(typer.main.get_command(app).commands)


@pytest.mark.slow
def test_every_command_on_each_day_around_the_interview(monkeypatch, bank_env):
    set_day(monkeypatch, INTERVIEW - timedelta(days=8))
    assert run(["plan", "--interview", INTERVIEW.isoformat()]).exit_code == 0
    said = {}
    for offset in range(-7, 8):
        day = INTERVIEW + timedelta(days=offset)
        set_day(monkeypatch, day)
        for runs in RUNS.values():
            for args in runs:
                result = run(args, input=ANSWERS)
                fine = result.exit_code == 0 or (  # a filter may leave nothing to export
                    result.exit_code == 1 and result.stderr.startswith("Error: nothing to "))
                assert fine, (day, args, result.output)
        said[offset] = run(["plan", "--lang", "en"]).output.replace("\n", " ")
        assert run(["stats", "--json"]).exit_code == 0
    store = Store.open(bank_env)
    days = {r.study_day for r in store.reviews() if r.kind == "review"}
    store.close()
    assert len(days) >= 5  # the sessions did answer, so the days had a schedule to work on
    assert all(said[o].startswith(f"Interview on {INTERVIEW} ({-o} days)") for o in range(-7, 0))
    assert said[0].startswith(f"The interview is today ({INTERVIEW})")
    assert all(said[o].startswith(f"The interview date {INTERVIEW} has passed ({o} days ago)")
               for o in range(1, 8))


def test_plan_on_the_interview_day_and_after(monkeypatch):
    set_day(monkeypatch, INTERVIEW - timedelta(days=1))
    run(["plan", "--interview", INTERVIEW.isoformat()])
    for offset, start in [(0, "The interview is today"), (1, "The interview date"),
                          (400, "The interview date")]:
        set_day(monkeypatch, INTERVIEW + timedelta(days=offset))
        result = run(["plan", "--lang", "en"])
        assert result.exit_code == 0 and result.output.startswith(start), result.output
