"""Replaying the log through a chosen scheduler: determinism, switching back, caps, migration."""

import random
import sqlite3
from datetime import UTC, date, datetime, timedelta, timezone

from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from script_ui import ScriptUI

from quiz import fsrs_scheduler, plan, replay, schedulers, sm2
from quiz.model import Question, Review, Text
from quiz.review_queue import build_queue
from quiz.session import Mode, run_session
from quiz.store import Store

TZ = timezone(timedelta(hours=8))
START = date(2026, 3, 2)
FSRS = schedulers.get("fsrs")
SM2 = schedulers.get("sm2")


def q(i):
    return Question(id=f"t-{i:03d}", topic="t", prompt=Text("问", "Q"), answer=Text("答", "A"))


def simulate(store, scheduler, days=40, interview=None, seed=3, bank_size=12):
    """Daily sessions over `days` days, grades drawn at random (with lapses), practice too."""
    bank = [q(i) for i in range(bank_size)]
    rng = random.Random(seed)
    for offset in range(days):
        today = START + timedelta(days=offset)
        queue = build_queue(bank, store.cards(), today, new_limit=3,
                            introduced_today=store.new_introduced_count(today),
                            relearn=store.relearning(today), interview=interview)
        moment = datetime.combine(today, datetime.min.time(), TZ) + timedelta(hours=9)

        def ask(kind, view, rng=rng):
            return "" if kind == "answer" else rng.choice("0123455")

        run_session(store, queue, ui=ScriptUI(ask), now=lambda m=moment: m, seed=lambda: 1,
                    mode=Mode(interview=interview, scheduler=scheduler))
        if offset % 7 == 0:  # practice answers never move a schedule, in either scheduler
            run_session(store, bank[:3], ui=ScriptUI(ask), now=lambda m=moment: m,
                        seed=lambda: 1, mode=Mode.practice())
    return bank


def states(store):
    return {qid: card.state for qid, card in store.cards().items()}


def test_switching_to_fsrs_and_back_gives_the_original_sm2_states(store):
    simulate(store, SM2, interview=START + timedelta(days=30))
    original = store.cards()
    assert any(r.cap_day for r in store.reviews()), "the plan capped some answers"
    assert store.use_scheduler("fsrs", 0.9)
    switched = store.cards()
    assert all(c.state.stability is not None for c in switched.values())
    assert states(store) != {q: c.state for q, c in original.items()}
    assert store.use_scheduler("sm2", 0.9)
    assert store.cards() == original


def test_replaying_twice_gives_the_same_states(store):
    simulate(store, SM2)
    store.use_scheduler("fsrs", 0.9)
    first = store.cards()
    store.conn.execute("UPDATE cards SET stability = 1, difficulty = 1, due = '2030-01-01'")
    store.rebuild_cards()
    assert store.cards() == first
    store.rebuild_cards()
    assert store.cards() == first


def test_fsrs_sessions_agree_with_a_replay_of_their_own_log(store):
    simulate(store, FSRS, interview=START + timedelta(days=25))
    store.set_setting("scheduler", "fsrs")
    lived = store.cards()
    store.rebuild_cards()
    assert store.cards() == lived


def test_a_switch_equals_fsrs_run_card_by_card_on_the_scheduled_answers(store):
    simulate(store, SM2)
    store.use_scheduler("fsrs", 0.85)
    for qid, card in store.cards().items():
        scheduled = [r for r in store.reviews(qid) if r.state is not None]
        state = None
        for r in scheduled:  # no plan in this calendar: no caps
            state = fsrs_scheduler.next_state(state, r.quality, r.study_day, 0.85)
        assert card.state == state, qid
        assert card.reviews == len(scheduled)
        assert card.lapses == sum(r.quality < sm2.PASSING for r in scheduled)


def test_the_interview_caps_apply_under_fsrs_too(store):
    interview = START + timedelta(days=20)
    simulate(store, FSRS, days=20, interview=interview)
    assert all(c.state.due <= interview for c in store.cards().values())
    capped = [r for r in store.reviews() if r.cap_day is not None]
    assert capped and all(r.state.due <= r.cap_day for r in capped)
    assert all(r.cap_day == plan.latest_due(r.question_id, r.study_day, interview)
               for r in store.reviews() if r.state is not None)
    store.set_setting("scheduler", "fsrs")
    store.use_scheduler("sm2", 0.9)
    assert all(c.state.due <= interview for c in store.cards().values())


def test_undo_under_fsrs_restores_the_fsrs_state(store):
    store.use_scheduler("fsrs", 0.9)
    bank = [q(0)]
    moment = datetime.combine(START, datetime.min.time(), TZ) + timedelta(hours=9)
    replies = iter(["", "4"])
    run_session(store, bank, ui=ScriptUI(lambda kind, view: next(replies, None)),
                now=lambda: moment, seed=lambda: 1, mode=Mode(scheduler=store.scheduler()))
    first = store.card("t-000")
    assert first.state == fsrs_scheduler.next_state(None, 4, START)
    later = moment + timedelta(days=2)
    replies = iter(["", "5", "", "u", "", "q"])  # undo on the next card
    run_session(store, [q(0), q(1)], ui=ScriptUI(lambda kind, view: next(replies, None)),
                now=lambda: later, seed=lambda: 1, mode=Mode(scheduler=store.scheduler()))
    assert store.card("t-000") == first
    assert [r.quality for r in store.reviews("t-000")] == [4]


@settings(max_examples=examples(60), deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 90)), min_size=1, max_size=15),
       st.data())
def test_replay_caps_every_due_and_keeps_the_review_day(history, data):
    day, answers = START, []
    for quality, gap in history:
        day += timedelta(days=gap)
        cap = data.draw(st.none() | st.integers(1, 30).map(lambda n, d=day: d + timedelta(n)))
        answers.append(replay.Answer(quality, day, cap))
    for scheduler in (SM2, FSRS):
        found = list(replay.states(answers, scheduler))
        assert found == list(replay.states(answers, scheduler))  # deterministic
        for answer, state in zip(answers, found, strict=True):
            assert state.due > answer.day
            assert state.due - timedelta(days=state.interval) == answer.day
            if answer.cap_day is not None:
                assert state.due <= answer.cap_day


def test_an_older_database_gets_its_caps_written_down(tmp_path):
    path = tmp_path / "old.db"
    store = Store.open(path)
    day = START
    state = None
    for quality in (4, 5, 5, 4):
        state = sm2.next_state(state, quality, day)
        if quality == 5:  # what an interview plan did before schema 4: a shorter due only
            state, _ = plan.capped(state, "a", day, day + timedelta(days=3))
        store.record(Review("a", datetime(2026, 3, 2, tzinfo=UTC), 0, day, quality, state))
        day = state.due
    before = store.cards()
    store.close()
    conn = sqlite3.connect(path)  # back to schema 3
    conn.execute("DROP INDEX reviews_gid")
    conn.execute("DROP TABLE events")
    for table, column in [("reviews", "device"), ("reviews", "seq"), ("cards", "suspended"),
                          ("cards", "leech"), ("reviews", "cap_day"), ("reviews", "stability"),
                          ("reviews", "difficulty"), ("cards", "stability"),
                          ("cards", "difficulty")]:
        conn.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    conn.execute("PRAGMA user_version = 3")
    conn.commit()
    conn.close()
    store = Store.open(path)
    caps = [r.cap_day for r in store.reviews()]
    assert caps[0] is None and caps[3] is None and caps[1] is not None and caps[2] is not None
    store.rebuild_cards()
    assert store.cards() == before
    store.use_scheduler("fsrs", 0.9)
    store.use_scheduler("sm2", 0.9)
    assert store.cards() == before
    store.close()
