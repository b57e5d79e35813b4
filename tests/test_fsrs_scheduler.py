"""FSRS by study day: the grade mapping, py-fsrs itself as the oracle, and properties."""

from datetime import UTC, date, datetime, time, timedelta

import fsrs
import pytest
from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from quiz import fsrs_scheduler, schedulers, sm2
from quiz.fsrs_scheduler import next_state, rating

DAY = date(2026, 3, 2)
grades = st.integers(min_value=0, max_value=5)
# (grade, days since the previous review): 0 is a second scheduled review the same day
histories = st.lists(st.tuples(grades, st.integers(min_value=0, max_value=400)),
                     min_size=1, max_size=25)


@pytest.mark.parametrize(("quality", "expected"), [
    (0, fsrs.Rating.Again), (1, fsrs.Rating.Again), (2, fsrs.Rating.Again),
    (3, fsrs.Rating.Hard), (4, fsrs.Rating.Good), (5, fsrs.Rating.Easy)])
def test_grades_map_to_ratings_with_2_a_lapse(quality, expected):
    assert rating(quality) == expected


@pytest.mark.parametrize("bad", [-1, 6, 2.0, True, "4", None])
def test_a_bad_grade_is_refused(bad):
    with pytest.raises(ValueError, match="quality must be an integer from 0 to 5"):
        next_state(None, bad, DAY)


@pytest.mark.parametrize("bad", [0.5, 1.0, 0.995, float("nan"), "0.9", True])
def test_a_bad_retention_is_refused(bad):
    with pytest.raises(ValueError, match="desired retention"):
        schedulers.get("fsrs", bad)


def oracle(history, retention=0.9, hour=15):
    """py-fsrs driven directly, with its own Card carried along: steps off, fuzz off, and
    each review at `hour` o'clock UTC (the hour must not matter)."""
    scheduler = fsrs.Scheduler(desired_retention=retention, learning_steps=(),
                               relearning_steps=(), enable_fuzzing=False)
    card, day, found = fsrs.Card(card_id=7), DAY, []
    for quality, gap in history:
        day += timedelta(days=gap)
        moment = datetime.combine(day, time(hour), tzinfo=UTC)
        card, _ = scheduler.review_card(card, fsrs.Rating(rating(quality)), moment)
        found.append((day, card.due.date(), card.stability, card.difficulty))
    return found


def ours(history, retention=0.9):
    state, day, found = None, DAY, []
    for quality, gap in history:
        day += timedelta(days=gap)
        state = next_state(state, quality, day, retention)
        found.append((day, state.due, state.stability, state.difficulty))
    return found


@settings(max_examples=examples(150), deadline=None)
@given(histories, st.sampled_from([0.8, 0.9, 0.95]))
def test_intervals_and_memory_state_equal_py_fsrs_own(history, retention):
    assert ours(history, retention) == oracle(history, retention)


def test_a_golden_sequence_from_the_default_weights():
    # First review Good: stability w2 = 2.3065 days, so at retention 0.9 the interval is
    # round(2.3065) = 2 days (R(S) = 0.9 by FSRS's definition of stability).
    first = next_state(None, 4, DAY)
    assert first.stability == pytest.approx(2.3065)
    assert first.interval == 2 and first.due == DAY + timedelta(days=2)
    # Again on a new card: stability w0 = 0.212, which rounds to 0, so one day.
    assert next_state(None, 1, DAY).interval == 1
    # Easy on a new card: w3 = 8.2956 → 8 days; and the initial difficulty
    # D0(4) = w4 − e^(w5·3) + 1, clamped to [1, 10].
    easy = next_state(None, 5, DAY)
    assert easy.interval == 8
    assert easy.difficulty == pytest.approx(max(1.0, 6.4133 - 2.718281828459045 ** (0.8334 * 3)
                                                + 1))


@settings(max_examples=examples(200), deadline=None)
@given(histories)
def test_at_retention_0_9_the_interval_is_the_rounded_stability(history):
    # An oracle independent of py-fsrs's interval code: I(r) = S/F·(r^(1/−d) − 1) = S at 0.9.
    state, day = None, DAY
    for quality, gap in history:
        day += timedelta(days=gap)
        state = next_state(state, quality, day)
        assert state.interval == min(max(round(state.stability), 1), sm2.MAX_INTERVAL)


@settings(max_examples=examples(200), deadline=None)
@given(histories, st.floats(min_value=0.7, max_value=0.99))
def test_properties_of_every_state(history, retention):
    state, day = None, DAY
    for quality, gap in history:
        day += timedelta(days=gap)
        before = state
        state = next_state(state, quality, day, retention)
        assert 1 <= state.interval <= sm2.MAX_INTERVAL
        assert state.due == day + timedelta(days=state.interval) and state.due > day
        assert state.stability > 0
        assert 1 <= state.difficulty <= 10
        counted = sm2.next_state(before, quality, day)  # SM-2's counts ride along
        assert (state.repetitions, state.efactor) == (counted.repetitions, counted.efactor)


@settings(max_examples=examples(100), deadline=None)
@given(histories, st.floats(min_value=0.7, max_value=0.98))
def test_a_higher_desired_retention_never_gives_a_longer_interval(history, retention):
    state, day = None, DAY
    for quality, gap in history:
        day += timedelta(days=gap)
        state = next_state(state, quality, day, retention)
    higher = next_state(state, 4, state.due, retention + 0.01)
    lower = next_state(state, 4, state.due, retention)
    assert higher.interval <= lower.interval


def test_the_interval_is_capped_at_36500_days():
    state, day = None, DAY
    for _ in range(40):
        state = next_state(state, 5, day)
        day = state.due
    assert state.interval == sm2.MAX_INTERVAL


def test_retrievability_is_py_fsrs_own_and_the_sm2_curve_is_0_9_on_the_due_day():
    state = next_state(next_state(None, 4, DAY), 4, DAY + timedelta(days=2))
    card = fsrs.Card(card_id=1, state=fsrs.State.Review, stability=state.stability,
                     difficulty=state.difficulty,
                     last_review=datetime.combine(DAY + timedelta(days=2), time(), tzinfo=UTC))
    later = DAY + timedelta(days=12)
    expected = fsrs_scheduler.scheduler().get_card_retrievability(
        card, datetime.combine(later, time(), tzinfo=UTC))
    assert schedulers.get("fsrs").retrievability(state, later) == expected
    sm2_state = sm2.next_state(sm2.next_state(None, 4, DAY), 4, DAY + timedelta(days=1))
    assert sm2_state.interval == 6
    model = schedulers.get("sm2")
    assert model.retrievability(sm2_state, sm2_state.due) == pytest.approx(0.9)
    assert model.retrievability(sm2_state, DAY + timedelta(days=1)) == pytest.approx(1.0)
    assert model.retrievability(sm2_state, sm2_state.due + timedelta(days=30)) < 0.9
    # the same curve as py-fsrs's at stability = the interval
    card = fsrs.Card(card_id=1, state=fsrs.State.Review, stability=6.0, difficulty=5.0,
                     last_review=datetime.combine(DAY + timedelta(days=1), time(), tzinfo=UTC))
    for days in (3, 6, 20):
        moment = datetime.combine(DAY + timedelta(days=1 + days), time(), tzinfo=UTC)
        assert model.retrievability(sm2_state, DAY + timedelta(days=1 + days)) == pytest.approx(
            fsrs_scheduler.scheduler().get_card_retrievability(card, moment))


def test_sm2_stays_exactly_sm2():
    state, day = None, DAY
    for quality in (5, 4, 3, 2, 5, 5):
        theirs = sm2.next_state(state, quality, day)
        state = schedulers.get("sm2").next_state(state, quality, day)
        assert state == theirs and state.stability is None
        day = state.due


def test_unknown_scheduler_names_are_refused():
    with pytest.raises(ValueError, match="one of sm2, fsrs"):
        schedulers.get("anki")


def test_reading_the_bank_never_imports_fsrs():
    import subprocess
    import sys

    code = ("import sys; from quiz import cli, session, store, schedulers; "
            "schedulers.get('sm2'); print('fsrs' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
