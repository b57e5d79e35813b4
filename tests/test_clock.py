"""Clock and place: the 04:00 rollover, DST changes, a new timezone, a clock set back.

The session core gets its `now` from a test clock that keeps a real (UTC) instant and shows
it in a zone, as a laptop would; the learner's thinking time moves it forward. Whatever the
clock does: intervals are at least a day, a due date is after the study day of its review,
durations are never negative, and a study day is never counted twice. Two real processes
with different TZ settings check the same through the CLI.
"""

import os
import sqlite3
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from script_ui import ScriptUI

from quiz.bank.reader import load_bank
from quiz.review_queue import build_queue
from quiz.session import run_session, study_day
from quiz.stats import figures

ROOT = Path(__file__).parent.parent
NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
SHANGHAI = ZoneInfo("Asia/Shanghai")


class Clock:
    """A real instant shown in a zone; `think` moves it on, `set` puts the clock elsewhere."""

    def __init__(self, local):
        self.instant = local.astimezone(UTC)
        self.zone = local.tzinfo

    def now(self):
        return self.instant.astimezone(self.zone)

    def think(self, seconds):
        self.instant += timedelta(seconds=seconds)

    def set(self, local):
        self.instant, self.zone = local.astimezone(UTC), local.tzinfo


def local(zone, *args, fold=0):
    return datetime(*args, tzinfo=zone, fold=fold)


@pytest.fixture
def bank(bank_dir):
    return {q.id: q for q in load_bank([bank_dir]).questions}


def answer(store, clock, questions, grades, think=20, on_answer=None):
    """Review `questions` in order: each typed answer takes `think` seconds, then a grade."""
    grades = list(grades)

    def ask(kind, view):
        if kind == "grade":
            return grades.pop(0) if grades else None
        clock.think(think)
        if on_answer is not None:
            on_answer(view)
        return "" if kind == "numeric" else "my answer"

    return run_session(store, list(questions), ui=ScriptUI(ask), now=clock.now,
                       seed=lambda: 3)


def log(store):
    return store.reviews()


def assert_sane(store):
    """What no clock may break, over the whole log and every card."""
    for review in log(store):
        assert review.duration_ms >= 0
        if review.state is not None:
            assert review.state.interval >= 1
            assert review.state.due > review.study_day
    for card in store.cards().values():
        if card.state is not None:
            assert card.state.interval >= 1
            assert card.state.due > card.last_day
    scheduled = [(r.question_id, r.study_day) for r in log(store) if r.state is not None]
    assert len(scheduled) == len(set(scheduled)), "a card's day counted twice"
    days = [r.study_day for r in log(store)]
    streak = figures.streaks(store, max(days))
    assert streak.longest <= len(set(days)) and streak.current <= len(set(days))


def queue_for(store, bank, clock, new=10):
    today = study_day(clock.now())
    return build_queue(list(bank.values()), store.cards(), today, new_limit=new,
                       introduced_today=store.new_introduced_count(today),
                       relearn=store.relearning(today))


# -- 04:00 --------------------------------------------------------------------------------


def test_the_study_day_turns_at_4_not_at_midnight(store, bank):
    pooling = bank["cnn-pooling-purpose"]
    clock = Clock(local(SHANGHAI, 2026, 3, 3, 3, 59))
    answer(store, clock, [pooling], ["4"], think=30)  # 03:59:30: still Monday's study day
    (first,) = log(store)
    assert first.study_day == date(2026, 3, 2) and first.state.due == date(2026, 3, 3)
    assert pooling not in queue_for(store, bank, clock)  # 03:59:30: not due yet, not new
    clock.set(local(SHANGHAI, 2026, 3, 3, 4, 0, 1))
    assert pooling in queue_for(store, bank, clock)  # 04:00:01: Tuesday, and due
    answer(store, clock, [pooling], ["5"])
    second = log(store)[1]
    assert (second.kind, second.study_day) == ("review", date(2026, 3, 3))
    assert (second.state.repetitions, second.state.interval) == (2, 6)
    assert figures.day_summary(store, date(2026, 3, 2)).reviewed == 1
    assert figures.day_summary(store, date(2026, 3, 3)).reviewed == 1
    assert figures.streaks(store, date(2026, 3, 3)).current == 2
    assert_sane(store)


def test_two_answers_in_one_night_are_one_study_day(store, bank):
    one = bank["cnn-one-by-one"]
    clock = Clock(local(SHANGHAI, 2026, 3, 2, 23, 50))
    answer(store, clock, [one], ["2"])  # failed at 23:50, asked again after midnight
    clock.set(local(SHANGHAI, 2026, 3, 3, 0, 30))
    assert queue_for(store, bank, clock)[-1] == one
    answer(store, clock, [one], ["4"])
    assert [(r.kind, r.study_day) for r in log(store)] == [
        ("review", date(2026, 3, 2)), ("repeat", date(2026, 3, 2))]
    assert figures.streaks(store, date(2026, 3, 3)).current == 1
    assert_sane(store)


# -- DST ----------------------------------------------------------------------------------


def test_new_york_spring_forward_keeps_days_and_durations(store, bank):
    pooling, one = bank["cnn-pooling-purpose"], bank["cnn-one-by-one"]
    clock = Clock(local(NEW_YORK, 2026, 3, 7, 9, 0))
    answer(store, clock, [pooling], ["4"])  # Saturday, EST
    # The night of the change: shown 01:59:30 EST, answered 40 s later, 03:00:10 EDT
    clock.set(local(NEW_YORK, 2026, 3, 8, 1, 59, 30))
    answer(store, clock, [one], ["4"], think=40)
    clock.set(local(NEW_YORK, 2026, 3, 8, 9, 0))  # Sunday, EDT: pooling is due
    assert pooling in queue_for(store, bank, clock)
    answer(store, clock, [pooling], ["4"])
    first, night, sunday = log(store)
    assert (first.utc_offset, night.utc_offset, sunday.utc_offset) == (-300, -240, -240)
    assert night.reviewed_at == datetime(2026, 3, 8, 7, 0, 10, tzinfo=UTC)
    assert night.study_day == date(2026, 3, 7)  # 03:00 EDT is still before the rollover
    assert night.duration_ms == 40_000  # real seconds, not the hour the clock skipped
    assert first.state.due == date(2026, 3, 8) == sunday.study_day
    assert sunday.state.interval == 6 and sunday.state.due == date(2026, 3, 14)
    assert_sane(store)


def test_berlin_fall_back_counts_real_seconds_and_one_day(store, bank):
    pooling = bank["cnn-pooling-purpose"]
    # 02:59:50 CEST, then the clock falls back: answered 20 s later at 02:00:10 CET
    clock = Clock(local(BERLIN, 2026, 10, 25, 2, 59, 50, fold=0))
    answer(store, clock, [pooling], ["2"], think=20)
    assert clock.now().utcoffset() == timedelta(hours=1)
    answer(store, clock, [pooling], ["4"], think=5)  # asked again, same study day
    failed, again = log(store)
    assert failed.duration_ms == 20_000  # not 0 (clamped) for a wall clock gone back 1 h
    assert again.duration_ms == 5_000
    assert (failed.utc_offset, again.utc_offset) == (60, 60)
    assert failed.study_day == again.study_day == date(2026, 10, 24)
    assert again.kind == "repeat"
    assert figures.day_summary(store, date(2026, 10, 24)).reviewed == 1
    assert_sane(store)


@pytest.mark.parametrize("zone, day", [(NEW_YORK, (2026, 3, 8)), (NEW_YORK, (2026, 11, 1)),
                                       (BERLIN, (2026, 3, 29)), (BERLIN, (2026, 10, 25))])
def test_every_minute_around_a_dst_change_maps_to_one_study_day(zone, day):
    """From 00:00 to 06:00 UTC-continuous: study days never go back, change exactly once."""
    start = datetime(*day, tzinfo=zone).astimezone(UTC) - timedelta(hours=2)
    days = [study_day((start + timedelta(minutes=m)).astimezone(zone)) for m in range(12 * 60)]
    assert days == sorted(days)
    assert len(set(days)) == 2


# -- a new timezone -------------------------------------------------------------------------


def test_flying_west_the_same_study_day_is_not_counted_twice(store, bank):
    pooling, one = bank["cnn-pooling-purpose"], bank["cnn-one-by-one"]
    clock = Clock(local(SHANGHAI, 2026, 3, 2, 22, 0))
    answer(store, clock, [pooling, one], ["4", "5"])
    clock.set(clock.now().astimezone(NEW_YORK) + timedelta(hours=13))  # landed: Mar 2, 22:00
    assert study_day(clock.now()) == date(2026, 3, 2)
    assert queue_for(store, bank, clock, new=2) == []  # today's two new cards are done
    assert queue_for(store, bank, clock, new=3) == [bank["cnn-conv-output-size"]]
    answer(store, clock, [bank["cnn-conv-output-size"]], [""])
    assert {r.study_day for r in log(store)} == {date(2026, 3, 2)}
    assert [r.utc_offset for r in log(store)] == [480, 480, -300]
    assert figures.day_summary(store, date(2026, 3, 2)).reviewed == 3
    assert figures.streaks(store, date(2026, 3, 2)).current == 1
    assert_sane(store)


def test_flying_east_is_a_new_day_with_the_cards_due_on_it(store, bank):
    pooling = bank["cnn-pooling-purpose"]
    clock = Clock(local(NEW_YORK, 2026, 3, 2, 20, 0))  # Mar 3, 09:00 in Shanghai
    answer(store, clock, [pooling], ["4"])
    clock.set(clock.now().astimezone(SHANGHAI) + timedelta(hours=1))
    assert study_day(clock.now()) == date(2026, 3, 3)
    assert pooling in queue_for(store, bank, clock)  # due on the local Mar 3
    answer(store, clock, [pooling], ["4"])
    assert [r.study_day for r in log(store)] == [date(2026, 3, 2), date(2026, 3, 3)]
    assert figures.streaks(store, date(2026, 3, 3)).current == 2
    assert_sane(store)


def run_cli(db, bank_dir, tz, typed):
    env = {**os.environ, "TZ": tz, "QUIZ_DB": str(db), "QUIZ_BUNDLED": "0",
           "PYTHONPATH": str(ROOT), "COLUMNS": "120", "NO_COLOR": "1"}
    env.pop("QUIZ_ROLLOVER", None)
    return subprocess.run([sys.executable, "-m", "quiz", "review", "--bank", str(bank_dir),
                           "--lang", "en", "--topic", "cnn"], input=typed, env=env,
                          capture_output=True, text=True, timeout=60)


def test_a_tz_change_between_two_real_sessions(tmp_path, bank_dir):
    """UTC+14 then UTC−11 a moment later: the local study day goes back one or two days."""
    db = tmp_path / "tz.db"
    first = run_cli(db, bank_dir, "Pacific/Kiritimati", "pooling\n4\n")
    second = run_cli(db, bank_dir, "Pacific/Pago_Pago", "one by one\n4\n")
    for result in (first, second):
        assert result.returncode == 0, result.stderr
        assert "Recorded 4" in result.stdout and "Traceback" not in result.stderr
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT question_id, reviewed_at, utc_offset, study_day, due, interval, "
                        "duration_ms FROM reviews ORDER BY id").fetchall()
    conn.close()
    assert [(r[0], r[2]) for r in rows] == [("cnn-pooling-purpose", 840),
                                             ("cnn-one-by-one", -660)]
    for _qid, at, offset, day, due, interval, duration in rows:
        shown = datetime.fromisoformat(at) + timedelta(minutes=offset)
        assert date.fromisoformat(day) == (shown - timedelta(hours=4)).date()
        assert interval == 1 and date.fromisoformat(due) > date.fromisoformat(day)
        assert duration >= 0
    back = date.fromisoformat(rows[0][3]) - date.fromisoformat(rows[1][3])
    assert back in (timedelta(days=1), timedelta(days=2))  # the second is "earlier"
    assert "cnn-pooling-purpose" not in second.stdout  # not asked again in the past


# -- a clock set back -------------------------------------------------------------------------


def test_a_clock_set_back_never_makes_negative_intervals_or_doubled_days(store, bank):
    pooling, one, lstm = (bank[i] for i in ("cnn-pooling-purpose", "cnn-one-by-one",
                                            "rnn-lstm-vs-gru"))
    clock = Clock(local(SHANGHAI, 2026, 3, 10, 9, 0))
    answer(store, clock, [pooling, one], ["4", "2", "4"])  # one-by-one failed, then repeated
    clock.set(local(SHANGHAI, 2026, 3, 8, 9, 0))  # the clock is put two days back
    assert queue_for(store, bank, clock, new=0) == []  # nothing reviewed "later" comes back
    answer(store, clock, [pooling, one, lstm], ["5", "5", "3", "4"])  # even if asked
    # mid-card: shown at 09:00, the clock goes back a minute before the answer
    clock.set(local(SHANGHAI, 2026, 3, 10, 9, 30))
    answer(store, clock, [bank["cnn-conv-output-size"]], [""], think=-60)
    assert log(store)[-1].duration_ms == 0
    clock.set(local(SHANGHAI, 2026, 3, 10, 10, 0))  # and put right again
    answer(store, clock, queue_for(store, bank, clock), ["4"] * 5)
    assert_sane(store)
    per_day = {d: figures.day_summary(store, d).reviewed
               for d in (date(2026, 3, 8), date(2026, 3, 10))}
    # pooling, one-by-one, the numeric card, and lstm (new on "Mar 8", due Mar 9): once each
    assert per_day[date(2026, 3, 10)] == 4
    assert figures.streaks(store, date(2026, 3, 10)).longest == 1  # Mar 8 and 10: no run of 2
