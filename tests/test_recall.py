"""Predicted recall: the scores against brute-force oracles, the forecast, and the CLI."""

import itertools
import json
import math
from datetime import UTC, date, datetime, timedelta

import pytest
from conftest import run_cli
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from quiz import replay, schedulers, sm2
from quiz.cli import app
from quiz.model import Review
from quiz.stats import recall
from quiz.store import Store

DAY = date(2026, 3, 2)
pairs = st.lists(st.tuples(st.floats(0, 1), st.booleans()), max_size=40)


@given(pairs)
def test_auc_is_the_share_of_recall_lapse_pairs_ordered_right(found):
    recalls = [p for p, y in found if y]
    lapses = [p for p, y in found if not y]
    if not recalls or not lapses:
        assert recall.auc(found) is None
        return
    wins = sum(1.0 if a > b else 0.5 if a == b else 0.0
               for a, b in itertools.product(recalls, lapses))
    assert recall.auc(found) == pytest.approx(wins / (len(recalls) * len(lapses)))


def test_log_loss_and_brier_by_hand():
    found = [(0.9, True), (0.6, False), (0.0, False), (1.0, False)]
    expected = -(math.log(0.9) + math.log(0.4) + math.log(1 - 1e-6) + math.log(1e-6)) / 4
    assert recall.log_loss(found) == pytest.approx(expected)
    assert recall.brier(found) == pytest.approx((0.01 + 0.36 + 0 + 1) / 4)
    assert recall.log_loss([]) is None and recall.brier([]) is None
    assert recall.log_loss([(0.5, True), (0.5, False)]) == pytest.approx(math.log(2))


def test_calibration_bands():
    found = [(0.95, True), (0.97, False), (1.0, True), (0.55, False), (0.85, True)]
    got = {(b.low, b.high): (b.count, b.predicted, b.recalled) for b in recall.bands(found)}
    assert got[(0.95, 1.0)] == (3, pytest.approx((0.95 + 0.97 + 1.0) / 3), pytest.approx(2 / 3))
    assert got[(0.5, 0.7)] == (1, 0.55, 0.0) and got[(0.8, 0.9)] == (1, 0.85, 1.0)
    assert sum(c for c, _, _ in got.values()) == len(found)


def test_predictions_start_from_a_cards_second_answer_and_use_the_state_before():
    answers = [replay.Answer(4, DAY), replay.Answer(4, DAY + timedelta(days=1)),
               replay.Answer(1, DAY + timedelta(days=7))]
    found = list(replay.predictions("a", answers, schedulers.get("sm2")))
    assert [(p.day, p.recalled) for p in found] == [(answers[1].day, True),
                                                    (answers[2].day, False)]
    assert found[0].probability == pytest.approx(0.9)  # interval 1, answered when due
    assert found[1].probability == pytest.approx(0.9)  # interval 6, answered when due


def test_a_scheduler_that_predicts_better_scores_better():
    # A card recalled every time at long gaps: FSRS's stability grows, so it predicts recall
    # with more confidence than "0.9 when due" after long overdue gaps... and SM-2's curve,
    # with a short interval, predicts forgetting that never happens.
    answers = {"a": [replay.Answer(5, DAY + timedelta(days=d)) for d in (0, 30, 90, 200)]}
    sm2_score, fsrs_score = recall.compare(answers, [schedulers.get("sm2"),
                                                     schedulers.get("fsrs")])
    assert sm2_score.count == fsrs_score.count == 3
    assert fsrs_score.log_loss < sm2_score.log_loss
    assert sm2_score.recalled == fsrs_score.recalled == 1.0


def test_predicted_retention_averages_started_live_cards(store):
    state = sm2.next_state(sm2.next_state(None, 4, DAY), 4, DAY + timedelta(days=1))
    other = sm2.next_state(None, 4, DAY)
    with store.transaction() as conn:
        for qid, st, retired in [("a", state, 0), ("b", None, 0), ("c", other, 1),
                                 ("d", other, 0), ("e", other, 0)]:
            conn.execute("INSERT INTO cards (question_id, repetitions, interval, ef, due, "
                         "retired) VALUES (?, ?, ?, ?, ?, ?)",
                         (qid, st and st.repetitions, st and st.interval,
                          st and int(st.efactor * 100), st and st.due.isoformat(), retired))
    states = store.live_states(["a", "b", "c", "d"])  # "e" is not asked for
    assert sorted(s.interval for s in states) == [1, 6]
    found = recall.forecast(states, schedulers.get("sm2"), state.due)
    curve = schedulers.forgetting_curve
    assert found.today == pytest.approx((curve(6, 6) + curve(7, 1)) / 2)
    assert found.later == pytest.approx((curve(13, 6) + curve(14, 1)) / 2)
    assert found.today == pytest.approx((0.9 + curve(7, 1)) / 2)
    assert recall.forecast([], schedulers.get("sm2"), DAY).today is None


# -- the commands ---------------------------------------------------------------------------

runner = CliRunner()


@pytest.fixture
def logged(bank_env, monkeypatch):
    """A database with a few weeks of SM-2 reviews of the test bank's questions."""
    monkeypatch.setattr("quiz.config.today", lambda: DAY + timedelta(days=60))
    store = Store.open(bank_env)
    for qid, grades in [("cnn-pooling-purpose", (4, 5, 3, 1, 4, 5)),
                        ("cnn-one-by-one", (5, 5, 4, 4)), ("rnn-lstm-vs-gru", (2, 4, 4))]:
        day, state = DAY, None
        for quality in grades:
            state = sm2.next_state(state, quality, day)
            store.record(Review(qid, datetime(2026, 3, 2, tzinfo=UTC), 0, day, quality, state))
            day = state.due + timedelta(days=1)
    store.close()
    return bank_env


invoke = run_cli


def test_quiz_scheduler_shows_switches_and_sets_the_retention(logged):
    assert invoke("scheduler", "--lang", "en").output == "Scheduler: sm2\n"
    result = invoke("scheduler", "fsrs", "--retention", "0.85", "--lang", "en")
    assert result.exit_code == 0
    assert result.output == ("Scheduler now fsrs (desired retention 0.85): every card was "
                             "replayed from the review log\n")
    store = Store.open(logged)
    assert store.scheduler() == schedulers.get("fsrs", 0.85)
    assert store.card("cnn-one-by-one").state.stability is not None
    store.close()
    assert invoke("scheduler", "--lang", "en").output == ("Scheduler: fsrs (desired retention "
                                                          "0.85)\n")


@pytest.mark.parametrize(("args", "message"), [
    (["scheduler", "anki"], "Error: --scheduler must be one of sm2, fsrs, not 'anki'"),
    (["scheduler", "fsrs", "--retention", "1.5"],
     "Error: --retention must be a number from 0.7 to 0.99, not 1.5"),
    (["review", "--scheduler", "sm3"], "Error: --scheduler must be one of sm2, fsrs, not 'sm3'"),
    (["mock", "--scheduler", "x"], "Error: --scheduler must be one of sm2, fsrs, not 'x'"),
    (["practice", "--scheduler", "x"], "Error: --scheduler must be one of sm2, fsrs, not 'x'"),
])
def test_a_bad_scheduler_is_a_usage_error(logged, args, message):
    result = invoke(*args)
    assert result.exit_code == 2
    assert result.stderr.strip() == message


def test_practice_scheduler_switches_and_the_schedule_follows(logged):
    before = Store.open(logged).cards()
    result = runner.invoke(app, ["practice", "--scheduler", "fsrs", "--count", "1"], input="")
    assert result.exit_code == 0, result.output
    store = Store.open(logged)
    assert store.scheduler().name == "fsrs"
    assert store.cards() != before
    store.use_scheduler("sm2", 0.9)
    assert store.cards() == before


def test_show_gives_the_fsrs_state_under_fsrs_only(logged):
    plain = invoke("show", "cnn-one-by-one", "--lang", "en").output
    assert "FSRS:" not in plain
    invoke("scheduler", "fsrs")
    shown = invoke("show", "cnn-one-by-one", "--lang", "en").output
    store = Store.open(logged)
    state = store.card("cnn-one-by-one").state
    recall_today = store.scheduler().retrievability(state, DAY + timedelta(days=60))
    assert (f"FSRS: stability {state.stability:.1f} days, difficulty {state.difficulty:.2f} "
            f"(1–10), retrievability today {recall_today:.0%}; due {state.due}") in shown


def test_stats_shows_the_predicted_retention_of_the_chosen_scheduler(logged):
    found = json.loads(invoke("stats", "--json").output)["predicted_retention"]
    assert found["scheduler"] == "sm2" and 0 < found["in_7_days"] < found["today"] < 1
    invoke("scheduler", "fsrs")
    found = json.loads(invoke("stats", "--json").output)["predicted_retention"]
    assert found["scheduler"] == "fsrs" and 0 < found["in_7_days"] < found["today"] < 1
    text = invoke("stats", "--lang", "en").output
    assert (f"Predicted retention (FSRS): {found['today']:.0%} today, "
            f"{found['in_7_days']:.0%} in 7 days") in text


def test_stats_compare_scores_both_schedulers_on_the_same_log(logged):
    found = json.loads(invoke("stats", "--compare", "--json").output)
    assert found["scheduler"] == "sm2"
    sm2_score, fsrs_score = found["scores"]
    assert (sm2_score["scheduler"], fsrs_score["scheduler"]) == ("sm2", "fsrs")
    assert sm2_score["reviews"] == fsrs_score["reviews"] == 5 + 3 + 2  # after each first
    assert sm2_score["recall_rate"] == fsrs_score["recall_rate"] == pytest.approx(9 / 10)
    assert all(0 < s["log_loss"] and 0 <= s["auc"] <= 1 for s in found["scores"])
    text = invoke("stats", "--compare", "--lang", "en").output
    best = "SM-2" if sm2_score["log_loss"] < fsrs_score["log_loss"] else "FSRS"
    assert f"On your log, {best} predicted your recalls better" in text
    assert f"{sm2_score['log_loss']:.3f}" in text and f"{fsrs_score['log_loss']:.3f}" in text
    # the comparison replays the log: it does not switch the learner's scheduler
    assert json.loads(invoke("stats", "--compare", "--json").output) == found


def test_stats_compare_with_no_history(bank_env, monkeypatch, tmp_path):
    monkeypatch.setenv("QUIZ_DB", str(tmp_path / "empty.db"))  # not made yet
    result = invoke("stats", "--compare", "--lang", "en")
    assert result.exit_code == 0
    assert result.stdout.strip() == ("No reviews to compare yet: they count from a card's "
                                     "second review.")
    assert result.stderr == f"Created a new review database at {tmp_path / 'empty.db'}\n"


def test_review_with_fsrs_records_fsrs_states_and_stays_on_it(bank_env):
    first = invoke("review", "--scheduler", "fsrs", "--topic", "rnn", "--lang", "en",
                   input="\n4\n")
    assert first.exit_code == 0 and "Recorded 4" in first.output
    store = Store.open(bank_env)
    (review,) = store.reviews()
    from quiz import fsrs_scheduler

    assert review.state == fsrs_scheduler.next_state(None, 4, review.study_day)
    assert store.card(review.question_id).state == review.state
    assert store.scheduler().name == "fsrs"  # later commands without --scheduler stay on it
    store.close()
    assert invoke("scheduler", "--lang", "en").output == ("Scheduler: fsrs (desired retention "
                                                          "0.90)\n")


@given(cards=st.lists(st.tuples(st.integers(0, 400), st.integers(-30, 400),
                                st.one_of(st.none(), st.floats(0.5, 900)),
                                st.floats(1, 10), st.booleans()), max_size=30),
       name=st.sampled_from(["sm2", "fsrs"]))
def test_the_grouped_forecast_is_the_forecast_of_every_card(cards, name):
    """`quiz stats`' path (Store.live_schedules, cards alike grouped, SM-2's curve computed
    directly) against the mean of each started live card's own retrievability."""
    store = Store.open(":memory:")
    with store.transaction() as conn:
        for n, (interval, due_in, stability, difficulty, retired) in enumerate(cards):
            due = (DAY + timedelta(days=due_in % 40)).isoformat()  # repeats: groups form
            conn.execute("INSERT INTO cards (question_id, repetitions, interval, ef, due, "
                         "stability, difficulty, retired) VALUES (?, 2, ?, 250, ?, ?, ?, ?)",
                         (f"q{n}", interval % 7, due, stability, stability and difficulty,
                          int(retired)))
    scheduler = schedulers.get(name)
    states = store.live_states([f"q{n}" for n in range(len(cards))])
    oracle = recall.forecast(states, scheduler, DAY)
    found = recall.schedule_forecast(store.live_schedules(), scheduler, DAY)
    assert found.scheduler == oracle.scheduler
    for got, expected in ((found.today, oracle.today), (found.later, oracle.later)):
        assert (got is None) == (expected is None)
        if got is not None:
            assert got == pytest.approx(expected, rel=1e-12)
    store.close()
