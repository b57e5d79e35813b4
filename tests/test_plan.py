"""The interview plan: capped intervals and the pace of new cards, on a simulated calendar."""

import random
from datetime import date, datetime, timedelta, timezone
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st
from script_ui import ScriptUI

from quiz import plan
from quiz.model import Card, CardState, Question, Text
from quiz.review_queue import build_queue, is_new
from quiz.session import Mode, run_session

INTERVIEW = date(2026, 12, 20)
TZ = timezone(timedelta(hours=8))


def test_pace_matches_the_issue_example():
    pace = plan.pace(42, date(2026, 12, 4), INTERVIEW)
    assert pace.finish_by == date(2026, 12, 17)
    assert (pace.days_left, pace.per_day) == (14, 3)


@given(st.integers(0, 500), st.integers(1, 200))
def test_pace_covers_the_bank_by_the_window(remaining, days_before):
    today = INTERVIEW - timedelta(days=days_before)
    pace = plan.pace(remaining, today, INTERVIEW)
    assert pace.per_day * max(pace.days_left, 1) >= remaining
    assert pace.finish_by == INTERVIEW - timedelta(days=plan.REVIEW_DAYS)


@given(st.text(min_size=1, max_size=20), st.integers(1, 36_500), st.integers(0, 120))
def test_capped_due_never_passes_the_interview(qid, interval, days_before):
    today = INTERVIEW - timedelta(days=days_before)
    state = CardState(3, interval, Fraction(5, 2), today + timedelta(days=interval))
    after, latest = plan.capped(state, qid, today, INTERVIEW)
    if today >= INTERVIEW:
        assert after == state  # normal SM-2 from the interview day on
    else:
        assert after.due <= INTERVIEW and after.interval >= 1
        assert after.due == today + timedelta(days=after.interval)
        assert after.due <= max(plan.cap_day(qid, INTERVIEW), today + timedelta(days=1)) \
            or after.due == INTERVIEW
    assert latest == plan.latest_due(qid, today, INTERVIEW)
    assert plan.capped(state, qid, today, None) == (state, None)


@given(st.integers(1, 36_500), st.integers(0, 60), st.none() | st.integers(0, 400))
def test_the_cap_pulls_the_due_back_and_nothing_else(interval, reviewed_ago, cap_after):
    """plan.cap, the rule the session applies and every replay applies again: a due date
    later than the cap day becomes the cap day, with the interval counted from the review."""
    day = INTERVIEW - timedelta(days=reviewed_ago)
    state = CardState(3, interval, Fraction(5, 2), day + timedelta(days=interval))
    cap_day = None if cap_after is None else day + timedelta(days=cap_after)
    after = plan.cap(state, day, cap_day)
    if cap_day is None or state.due <= cap_day:
        assert after == state
    else:
        assert (after.due, after.interval) == (cap_day, cap_after)
        assert (after.repetitions, after.efactor) == (state.repetitions, state.efactor)


def test_cards_scheduled_before_the_plan_come_back_in_the_window():
    today = date(2026, 12, 1)
    card = Card("x", CardState(4, 90, Fraction(5, 2), date(2027, 2, 1)), last_day=today)
    assert plan.effective_due(card, today, INTERVIEW) == plan.cap_day("x", INTERVIEW)
    assert plan.effective_due(card, today, None) == date(2027, 2, 1)


def q(i):
    return Question(id=f"t-{i:03d}", topic="t", prompt=Text("问", "Q"), answer=Text("答", "A"))


def test_a_simulated_calendar_covers_the_bank_and_reviews_every_card_before_the_day(store):
    bank = [q(i) for i in range(45)]
    rng = random.Random(7)
    start = INTERVIEW - timedelta(days=20)
    seen_in_window: set[str] = set()
    for offset in range(21):
        today = start + timedelta(days=offset)
        cards = store.cards()
        introduced = store.new_introduced_count(today)
        remaining = sum(is_new(cards.get(x.id), today) for x in bank)
        pace = plan.pace(remaining + introduced, today, INTERVIEW)
        queue = build_queue(bank, cards, today, new_limit=pace.per_day,
                            introduced_today=introduced, relearn=store.relearning(today),
                            interview=INTERVIEW)
        moment = datetime.combine(today, datetime.min.time(), TZ) + timedelta(hours=9)

        def ask(kind, view, rng=rng):
            return "" if kind == "answer" else rng.choice("345")

        run_session(store, queue, ui=ScriptUI(ask), now=lambda m=moment: m,
                    seed=lambda: 1, mode=Mode(interview=INTERVIEW))
        after = store.cards()
        if today == plan.finish_by(INTERVIEW):
            assert all(after.get(x.id) and after[x.id].state for x in bank), "bank covered"
        if today < INTERVIEW:
            assert all(c.state.due <= INTERVIEW for c in after.values()), today
        if plan.finish_by(INTERVIEW) <= today < INTERVIEW:
            seen_in_window |= {r.question_id for r in store.reviews() if r.study_day == today}
    assert seen_in_window == {x.id for x in bank}  # every card came up in the last days
    # on the interview day SM-2 runs unchanged: its answers may schedule past the date
    assert any(c.state.due > INTERVIEW for c in store.cards().values())
