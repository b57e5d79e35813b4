"""The store: round trips, derived card states, undo, bad databases."""

import sqlite3
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from fractions import Fraction

import pytest
from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from quiz import sm2
from quiz.errors import StoreError
from quiz.model import CardState, Review
from quiz.schema import SCHEMA_VERSION
from quiz.store import Store
from quiz.study_day import study_day


def review(qid, quality, day, state=None, kind="review", **extra):
    return Review(
        question_id=qid,
        reviewed_at=datetime(2026, 3, 2, 9, 30, tzinfo=UTC),
        utc_offset=480,
        study_day=day,
        quality=quality,
        state=state,
        kind=kind,
        **extra,
    )


def graded(store, qid, quality, day):
    card = store.card(qid)
    state = sm2.next_state(card.state if card else None, quality, day)
    return store.record(review(qid, quality, day, state))


def test_review_round_trip(store, today):
    state = CardState(
        repetitions=2, interval=6, efactor=Fraction(259, 100), due=today + timedelta(days=6)
    )
    original = review(
        "a",
        5,
        today,
        state,
        answer="池化 pooling",
        duration_ms=1234,
        fingerprint="abc",
        seed=42,
        values={"size": 32, "m": [[1, 2], [3, 4]]},
    )
    store.record(original)
    assert store.reviews() == [original]


def test_cards_follow_the_log_and_rebuild_the_same(store, today):
    for offset, quality in enumerate([5, 4, 2, 3, 5]):
        graded(store, "a", quality, today + timedelta(days=offset * 3))
    graded(store, "b", 1, today)
    before = store.cards()
    assert before["a"].reviews == 5 and before["a"].lapses == 1
    assert before["a"].first_day == today and before["b"].state.interval == 1
    store.conn.execute("UPDATE cards SET repetitions = 99, ef = 130")
    store.rebuild_cards()
    assert store.cards() == before


def test_repeats_and_practice_are_logged_without_moving_the_state(store, today):
    graded(store, "a", 2, today)
    card = store.card("a")
    store.record(review("a", 4, today, kind="repeat"))
    store.record(review("a", 5, today, kind="practice"))
    assert store.card("a") == card
    assert [r.kind for r in store.reviews("a")] == ["review", "repeat", "practice"]


def test_undo_removes_the_entry_and_restores_the_state(store, today):
    graded(store, "a", 4, today)
    first = store.card("a")
    last = graded(store, "a", 5, today + timedelta(days=1))
    removed = store.undo(last)
    assert removed.quality == 5
    assert store.card("a") == first
    assert len(store.reviews()) == 1
    store.undo(store.query("SELECT id FROM reviews")[0]["id"])
    assert store.card("a") is None


def grade_as_a_session(store, qid, quality, day):
    """Record like a review session: a second scheduled answer on one day is a repeat."""
    def decide(previous, scheduled_today):
        if scheduled_today:
            return replace(base, kind="repeat")
        return replace(base, state=sm2.next_state(previous, quality, day))

    base = review(qid, quality, day)
    return store.record_answer(base, decide)[0]


def test_undo_in_one_session_keeps_the_other_sessions_answer(tmp_path, today):
    a, b = Store.open(tmp_path / "shared.db"), Store.open(tmp_path / "shared.db")
    try:
        graded(a, "x", 4, today - timedelta(days=1))  # an earlier day both sessions build on
        before = a.card("x").state
        from_a = grade_as_a_session(a, "x", 4, today)
        grade_as_a_session(b, "x", 5, today)  # same card, same day: logged as a repeat
        assert [r.kind for r in b.reviews("x")] == ["review", "review", "repeat"]
        a.undo(from_a)
        # B's 5 is now the day's scheduled answer, from the state before A's answer
        expected = CardState(repetitions=2, interval=6, efactor=before.efactor + Fraction(1, 10),
                             due=today + timedelta(days=6))
        assert b.card("x").state == expected
        assert [(r.kind, r.quality) for r in b.reviews("x")] == [("review", 4), ("review", 5)]
        assert b.reviews("x")[-1].state == expected  # the log says so too: replay agrees
        stored = b.cards()
        b.rebuild_cards()
        assert b.cards() == stored
    finally:
        a.close()
        b.close()


def test_undo_of_a_sessions_own_repeat_leaves_the_schedule(store, today):
    first = grade_as_a_session(store, "x", 2, today)
    state = store.card("x").state
    again = grade_as_a_session(store, "x", 4, today)
    store.undo(again)
    assert store.card("x").state == state
    store.undo(first)
    assert store.card("x") is None


def test_relearning_lists_cards_whose_last_answer_today_was_below_4(store, today):
    graded(store, "a", 2, today)
    graded(store, "b", 3, today)
    graded(store, "c", 5, today)
    store.record(review("b", 4, today, kind="repeat"))
    assert store.relearning(today) == ["a"]


def test_bury_and_retire(store, today):
    store.bury("new-card", today + timedelta(days=1))
    graded(store, "gone", 4, today)
    graded(store, "elsewhere", 4, today)
    store.sync_retired(["new-card"], ["gone"])
    cards = store.cards()
    assert cards["new-card"].buried_until == today + timedelta(days=1)
    assert cards["new-card"].state is None
    assert cards["gone"].retired and not cards["new-card"].retired
    assert not cards["elsewhere"].retired  # not known gone: left as it is
    store.sync_retired(["new-card"], ["elsewhere"])
    assert store.card("gone").retired and store.card("elsewhere").retired  # nothing undone
    store.sync_retired(["new-card", "gone"], ["gone"])  # in the bank wins
    assert not store.card("gone").retired
    assert len(store.reviews("gone")) == 1


def test_reopening_keeps_everything(tmp_path, today):
    db = Store.open(tmp_path / "q.db")
    graded(db, "a", 4, today)
    db.close()
    again = Store.open(tmp_path / "q.db")
    assert again.card("a").state.interval == 1
    assert again.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert again.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_a_folder_is_refused(tmp_path):
    with pytest.raises(StoreError, match="is a folder"):
        Store.open(tmp_path)


def test_random_bytes_are_refused_and_left_untouched(tmp_path):
    path = tmp_path / "junk.db"
    junk = bytes(range(256)) * 64
    path.write_bytes(junk)
    with pytest.raises(StoreError, match="file is not a database"):
        Store.open(path)
    assert path.read_bytes() == junk


def test_a_newer_schema_is_refused(tmp_path, today):
    path = tmp_path / "new.db"
    graded(Store.open(path), "a", 4, today)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="newer quiz"):
        Store.open(path)
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT count(*) FROM reviews").fetchone()[0] == 1


def test_an_unwritable_folder_is_a_clear_error(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if (locked / "probe").parent.stat().st_mode and _can_write(locked):
            pytest.skip("running as a user that ignores permissions (root)")
        with pytest.raises(StoreError):
            Store.open(locked / "sub" / "q.db")
    finally:
        locked.chmod(0o700)


def _can_write(folder):
    try:
        (folder / ".probe").write_text("x")
    except OSError:
        return False
    (folder / ".probe").unlink()
    return True


def test_ef_must_be_whole_hundredths(store, today):
    state = CardState(1, 1, Fraction(1, 3), today)
    with pytest.raises(ValueError):
        store.record(review("a", 4, today, state))
    assert store.reviews() == []


def test_a_path_under_a_file_is_a_clear_error(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(StoreError, match="cannot create the folder"):
        Store.open(tmp_path / "file" / "q.db")


def test_record_scheduled_decides_on_the_card_as_it_is_under_the_write_lock(tmp_path, today):
    first, second = Store.open(tmp_path / "two.db"), Store.open(tmp_path / "two.db")
    stale = first.card("a")  # a session read the card (not yet there) before the other graded
    graded(second, "a", 5, today)
    seen = []

    def decide(state, scheduled_today):
        seen.append((state, scheduled_today))
        return review("a", 4, today, sm2.next_state(state, 4, today))

    _row, final = first.record_answer(review("a", 4, today), decide)
    assert stale is None
    assert [already for _state, already in seen] == [True]
    assert seen[0][0].repetitions == 1  # the other session's grade, not the stale "new"
    assert first.card("a").state == final.state and final.state.repetitions == 2
    store_rows = first.reviews("a")
    assert [r.quality for r in store_rows] == [5, 4]


@settings(max_examples=examples(60), deadline=None)
@given(history=st.lists(st.integers(0, 5), max_size=4),
       today_grades=st.lists(st.tuples(st.sampled_from("xy"), st.integers(0, 5)), min_size=1,
                             max_size=6),
       pick=st.integers(0, 5))
def test_undo_leaves_what_the_log_without_that_answer_replays_to(history, today_grades, pick):
    """Oracle: a second database given the same answers, except the undone one."""
    day = date(2026, 3, 2)
    undone = pick % len(today_grades)

    def fill(store, skip=None):
        for offset, quality in enumerate(history):  # earlier days, one review a day
            grade_as_a_session(store, "x", quality, day - timedelta(days=len(history) - offset))
        ids = [grade_as_a_session(store, qid, quality, day) if n != skip else None
               for n, (qid, quality) in enumerate(today_grades)]
        return ids

    with_undo, oracle = Store.open(":memory:"), Store.open(":memory:")
    try:
        ids = fill(with_undo)
        with_undo.undo(ids[undone])
        fill(oracle, skip=undone)
        assert with_undo.cards() == oracle.cards()
        log = [(r.question_id, r.quality, r.kind, r.state) for r in with_undo.reviews()]
        assert log == [(r.question_id, r.quality, r.kind, r.state) for r in oracle.reviews()]
    finally:
        with_undo.close()
        oracle.close()


# Answers from devices far apart in time zone and rollover hour, recorded in any order: the
# cheap update of `record_answer` (the answer is the card's latest) must give the card a full
# replay gives. `_latest` looks back only LATER_STUDY_DAYS_BACK study days; this tries its edge.
@settings(max_examples=examples(60), deadline=None)
@given(st.lists(st.tuples(st.integers(0, 6 * 24 * 60), st.integers(-1439, 1439),
                          st.integers(0, 23), st.integers(0, 5)), min_size=1, max_size=8))
def test_answers_recorded_out_of_time_order_give_the_replayed_card(tmp_path_factory, answers):
    store = Store.open(tmp_path_factory.mktemp("order") / "quiz.db")
    start = datetime(2026, 3, 1, tzinfo=UTC)
    for minutes, offset, rollover, quality in answers:
        moment = start + timedelta(minutes=minutes)
        local = moment.astimezone(timezone(timedelta(minutes=offset)))
        base = replace(review("q", quality, study_day(local, rollover)), reviewed_at=moment,
                       utc_offset=offset)
        day = base.study_day

        def decide(previous, scheduled_today, base=base, day=day, quality=quality):
            if scheduled_today:
                return replace(base, kind="repeat")
            return replace(base, state=sm2.next_state(previous, quality, day))

        store.record_answer(base, decide)
    cheap = store.cards()
    store.rebuild_cards()
    assert store.cards() == cheap
    store.close()
