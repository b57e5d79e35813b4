"""`quiz suspend`, `unsuspend`, `reset` and leeches: from the shell, and in the session."""

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest
from script_ui import ScriptUI
from typer.testing import CliRunner

from quiz import config, replay, sm2
from quiz.bank.reader import load_bank
from quiz.cli import app
from quiz.model import Review
from quiz.session import run_session
from quiz.store import Store

DAY = date(2026, 3, 2)
POOLING, ONE = "cnn-pooling-purpose", "cnn-one-by-one"


@pytest.fixture(autouse=True)
def clock(bank_env, monkeypatch):
    moment = datetime.combine(DAY, time(10)).astimezone()
    monkeypatch.setattr(config, "local_now", lambda: moment)


def invoke(*args, **kw):
    return CliRunner().invoke(app, [*args, "--lang", "en"], catch_exceptions=False, **kw)


def answer(store, qid, day, quality):
    moment = datetime.combine(day, time(8), UTC)
    base = Review(question_id=qid, reviewed_at=moment, utc_offset=0, study_day=day,
                  quality=quality, state=None, kind="review")

    def decide(previous, scheduled_today):
        return replace(base, state=sm2.next_state(previous, quality, day))

    return store.record_answer(base, decide)


def listed(*args):
    result = invoke("list", *args)
    assert result.exit_code == 0, result.output
    return {line.split()[0]: line.split()[3] for line in result.output.splitlines()[2:]}


def test_a_suspended_card_is_not_asked_until_unsuspended(bank_env):
    store = Store.open(bank_env)
    answer(store, POOLING, DAY - timedelta(days=1), 4)  # due today
    store.close()
    done = invoke("suspend", POOLING, ONE)
    assert done.exit_code == 0
    assert done.output == (f"Suspended 2 card(s): {POOLING}, {ONE} (quiz unsuspend brings "
                           "them back)\n")
    assert listed()[POOLING] == "suspended" and listed()[ONE] == "suspended"
    assert POOLING not in listed("--due")
    review = invoke("review", input="my answer\n4\n" * 4)
    assert POOLING not in review.output and ONE not in review.output
    assert invoke("unsuspend", POOLING).output == f"Unsuspended 1 card(s): {POOLING}\n"
    assert listed("--due")[POOLING] == str(DAY)
    kept = Store.open(bank_env)
    assert kept.card(POOLING).state == sm2.next_state(None, 4, DAY - timedelta(days=1))
    assert kept.card(ONE).suspended  # still suspended, and still new
    kept.close()


@pytest.mark.parametrize("args", [["suspend"], ["unsuspend", "no-such-card"],
                                  ["reset", "--yes", POOLING, "nope", "nope"]])
def test_an_unknown_or_missing_id_is_a_usage_error(args, bank_env):
    result = invoke(*args)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    if len(args) == 1:
        assert "give at least one question id" in result.stderr
    else:
        assert "no question has the id 'no" in result.stderr and "quiz list" in result.stderr
        assert result.stderr.count("'nope'") <= 1
    assert not Store.open(bank_env).query("SELECT * FROM events WHERE kind != 'setting'")


def test_reset_asks_first_and_keeps_the_history(bank_env):
    store = Store.open(bank_env)
    for offset, quality in enumerate((4, 1, 5)):
        answer(store, POOLING, DAY - timedelta(days=10 - 3 * offset), quality)
    before = store.card(POOLING)
    store.close()
    refused = invoke("reset", POOLING, input="n\n")
    assert refused.exit_code == 1 and "nothing was reset" in refused.stderr
    assert "Reset 1 card(s)" in refused.stderr  # the question, on stderr
    assert Store.open(bank_env).card(POOLING) == before
    agreed = invoke("reset", POOLING, input="y\n")
    assert agreed.exit_code == 0
    assert agreed.stdout.endswith(f"Reset 1 card(s): {POOLING} are new again (their history "
                                  "is kept)\n")
    kept = Store.open(bank_env)
    assert kept.card(POOLING) is None  # new again
    assert len(kept.reviews(POOLING)) == 3
    answer(kept, POOLING, DAY + timedelta(days=1), 5)  # and it starts over
    card = kept.card(POOLING)
    assert card.state == sm2.next_state(None, 5, DAY + timedelta(days=1))
    assert card.lapses == 0 and card.reviews == 1
    kept.rebuild_cards()  # the replay agrees with the answer's own update
    assert kept.card(POOLING) == card
    kept.close()
    assert invoke("reset", "--yes", POOLING).exit_code == 0  # --yes does not ask


def test_a_card_that_lapses_8_times_becomes_a_suspended_leech(bank_env, bank_dir):
    store = Store.open(bank_env)
    assert replay.LEECH_THRESHOLD == config.leech_threshold() == 8
    for offset in range(7):  # seven lapses on seven days
        answer(store, POOLING, DAY - timedelta(days=8 - offset), 1)
    assert not store.card(POOLING).leech
    bank = load_bank([bank_dir])
    pooling = next(q for q in bank.questions if q.id == POOLING)
    shown = []
    moment = datetime.combine(DAY, time(9)).astimezone()
    run_session(store, [pooling], ui=ScriptUI(lambda kind, view: "" if kind == "answer" else "1",
                                              lambda event, payload: shown.append(event)),
                now=lambda: moment, seed=lambda: 1)
    assert shown.count("leech") == 1
    assert shown.count("card") == 1  # a failed card comes back, but not a leech
    card = store.card(POOLING)
    assert card.leech and card.suspended and card.lapses == 8
    store.rebuild_cards()  # the replay tags it too
    assert store.card(POOLING) == card
    store.close()
    assert set(listed("--leech")) == {POOLING}
    assert "Leeches (suspended): 1; see quiz list --leech" in invoke("stats").output
    assert invoke("unsuspend", POOLING).exit_code == 0
    kept = Store.open(bank_env)
    assert kept.card(POOLING).leech and not kept.card(POOLING).suspended
    kept.close()


def test_the_leech_threshold_is_the_stores(store):
    store.leech_threshold = 3
    for offset in range(3):
        answer(store, ONE, DAY + timedelta(days=offset), 2)
    assert store.card(ONE).leech and store.card(ONE).suspended
    assert store.leeches() == {ONE}


def test_the_session_says_a_card_became_a_leech(bank_dir):
    import io

    from rich.console import Console

    from quiz.ui import TerminalUI

    pooling = next(q for q in load_bank([bank_dir]).questions if q.id == POOLING)
    ui = TerminalUI(Console(file=io.StringIO(), width=200, color_system=None), "en")
    ui.show_leech(pooling, 8)
    assert ui.console.file.getvalue() == (
        f"{POOLING} has lapsed 8 times: tagged leech and suspended. Reword it, then bring it "
        f"back with quiz unsuspend {POOLING}\n")


def test_quiz_undo_takes_back_this_devices_answer_not_a_synced_one(bank_env, tmp_path):
    from quiz.sync import sync

    folder = tmp_path / "shared"
    folder.mkdir()
    mine, other = Store.open(bank_env), Store.open(tmp_path / "other.db")
    answer(mine, POOLING, DAY, 4)
    later = Review(question_id=ONE, reviewed_at=datetime.combine(DAY, time(9), UTC),
                   utc_offset=0, study_day=DAY, quality=5,
                   state=sm2.next_state(None, 5, DAY))
    other.record(later)  # another machine's answer, later the same day
    sync(other, folder)
    sync(mine, folder)
    mine.close()
    other.close()
    undone = invoke("undo")
    assert undone.exit_code == 0 and undone.output.startswith(f"Undid {POOLING}: grade 4")
