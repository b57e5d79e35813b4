"""SM-2: golden sequences worked out by hand from the published text, and properties."""

from datetime import date, timedelta
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quiz.model import CardState
from quiz.sm2 import INITIAL_EF, MAX_INTERVAL, MIN_EF, next_state

DAY0 = date(2026, 1, 1)


def run(grades):
    """Review on each due date; the (interval, EF) after every grade."""
    state, today, out = None, DAY0, []
    for quality in grades:
        state = next_state(state, quality, today)
        out.append((state.interval, state.efactor))
        today = state.due
    return out


def ef(text):
    return Fraction(text)


@pytest.mark.parametrize(
    "grades, expected",
    [
        # q=5: EF +0.10 each time; I = 1, 6, ceil(6·2.7)=17, ceil(17·2.8)=48
        ([5, 5, 5, 5], [(1, ef("2.6")), (6, ef("2.7")), (17, ef("2.8")), (48, ef("2.9"))]),
        # q=4: EF unchanged; I = 1, 6, ceil(6·2.5)=15, ceil(15·2.5)=38, ceil(38·2.5)=95
        (
            [4, 4, 4, 4, 4],
            [
                (1, INITIAL_EF),
                (6, INITIAL_EF),
                (15, INITIAL_EF),
                (38, INITIAL_EF),
                (95, INITIAL_EF),
            ],
        ),
        # q=3: EF −0.14 each time; I = 1, 6, ceil(6·2.22)=14, ceil(14·2.08)=30
        ([3, 3, 3, 3], [(1, ef("2.36")), (6, ef("2.22")), (14, ef("2.08")), (30, ef("1.94"))]),
        # a lapse restarts the repetitions at I=1 and keeps EF; the third success uses EF 2.5
        (
            [4, 4, 4, 2, 4, 4, 4],
            [
                (1, INITIAL_EF),
                (6, INITIAL_EF),
                (15, INITIAL_EF),
                (1, INITIAL_EF),
                (1, INITIAL_EF),
                (6, INITIAL_EF),
                (15, INITIAL_EF),
            ],
        ),
        # blackouts on a new card: EF stays 2.5, I stays 1
        ([0, 1, 2], [(1, INITIAL_EF)] * 3),
        # the interval uses the EF from *before* the update: ceil(6·2.5)=15, not ceil(6·2.6)=16
        ([4, 4, 5], [(1, INITIAL_EF), (6, INITIAL_EF), (15, ef("2.6"))]),
    ],
)
def test_golden_sequences(grades, expected):
    assert run(grades) == expected


def test_ef_floor_is_1_3():
    # q=3 takes 0.14 a time: 2.5 → 2.36 → … → 1.38 → 1.3 (1.24 is floored)
    out = run([3] * 10)
    assert out[-1][1] == MIN_EF
    assert [e for _, e in out][:9] == [
        ef(x) for x in ("2.36", "2.22", "2.08", "1.94", "1.8", "1.66", "1.52", "1.38", "1.3")
    ]


def test_float_drift_never_adds_a_day():
    # 1.3 + 0.1 + 0.1 is 1.5000000000000002 in floats: ceil(10 × that) would be 16.
    state = CardState(repetitions=3, interval=10, efactor=MIN_EF, due=DAY0)
    for _ in range(2):
        state = next_state(state, 5, DAY0)
        state = CardState(3, 10, state.efactor, DAY0)
    assert state.efactor == Fraction(3, 2)
    assert next_state(state, 4, DAY0).interval == 15


def test_interval_is_capped_at_36500_days():
    state = CardState(repetitions=9, interval=30_000, efactor=INITIAL_EF, due=DAY0)
    after = next_state(state, 5, DAY0)
    assert after.interval == MAX_INTERVAL
    assert after.due == DAY0 + timedelta(days=MAX_INTERVAL)


@pytest.mark.parametrize("quality", [-1, 6, True, 2.5])
def test_rejects_bad_quality(quality):
    with pytest.raises(ValueError):
        next_state(None, quality, DAY0)


grades = st.lists(st.integers(0, 5), min_size=1, max_size=40)


@given(grades)
def test_ef_stays_at_or_above_floor_and_in_hundredths(seq):
    for _interval, e in run(seq):
        assert e >= MIN_EF
        assert (e * 100).denominator == 1


@given(st.lists(st.integers(3, 5), min_size=1, max_size=30))
def test_intervals_never_shrink_while_passing(seq):
    intervals = [i for i, _ in run(seq)]
    assert intervals == sorted(intervals)
    assert all(1 <= i <= MAX_INTERVAL for i in intervals)


@given(grades, st.integers(0, 2))
def test_failure_resets_repetitions_and_keeps_ef(seq, quality):
    state, today = None, DAY0
    for q in seq:
        state = next_state(state, q, today)
    after = next_state(state, quality, today)
    assert (after.repetitions, after.interval, after.efactor) == (0, 1, state.efactor)


@given(grades, st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)))
def test_inputs_unchanged_and_due_is_today_plus_interval(seq, today):
    state = None
    for q in seq:
        before = state if state is None else CardState(**vars(state))
        new = next_state(state, q, today)
        assert state == before
        assert new.due == today + timedelta(days=new.interval)
        state = new
