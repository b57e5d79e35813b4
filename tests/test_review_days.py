"""`review_days`, the log's per-day aggregate (schema 5): whatever writes the log — sessions,
undo (with its promotion of a repeat), imports, a rebuild, a hand edit — it stays equal to
the answers counted in Python from the rows of `reviews` (the oracle)."""

from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from quiz import sm2
from quiz.errors import StoreError
from quiz.model import Review
from quiz.stats import figures, report
from quiz.store import Store

DAY = date(2026, 3, 2)
KINDS = ("review", "repeat", "practice", "mock")


def answer(qid, quality, day, kind="review", minute=0, ms=1000):
    return Review(question_id=qid, reviewed_at=datetime(day.year, day.month, day.day, 9, minute,
                                                        tzinfo=UTC),
                  utc_offset=0, study_day=day, quality=quality, state=None, kind=kind,
                  duration_ms=ms)


def session_answer(store, qid, quality, day, minute, kind):
    """As a session records: the day's second scheduled answer to a card is a repeat."""
    base = answer(qid, quality, day, kind, minute)

    def decide(previous, scheduled_today):
        if kind != "review" or scheduled_today:
            return replace(base, kind="repeat" if kind == "review" else kind)
        return replace(base, state=sm2.next_state(previous, quality, day))

    return store.record_answer(base, decide)[0]


def oracle(store):
    """{(day, kind): answers} counted from the log's rows."""
    return dict(Counter(store.conn.execute("SELECT study_day, kind FROM reviews")))


def aggregate(store):
    return {(day, kind): n for day, kind, n in
            store.conn.execute("SELECT study_day, kind, n FROM review_days")}


steps = st.lists(st.one_of(
    st.tuples(st.just("answer"), st.sampled_from("abc"), st.integers(0, 5), st.integers(0, 3),
              st.sampled_from(("review", "review", "practice", "mock"))),
    st.tuples(st.just("undo"), st.integers(0, 50)),
    st.tuples(st.just("import"), st.sampled_from("ad"), st.integers(0, 5), st.integers(0, 3)),
    st.tuples(st.just("rebuild")),
    st.tuples(st.just("tamper"), st.integers(0, 50), st.sampled_from((
        ("quality", 9), ("quality", "x"), ("duration_ms", 2.5), ("duration_ms", None),
        ("kind", "junk"), ("study_day", "2026-03-09")))),
), max_size=25)


@settings(max_examples=80, deadline=None)
@given(steps=steps)
def test_the_aggregate_is_the_log_counted_again(steps):
    store = Store.open(":memory:")
    ids: list[int] = []
    try:
        for minute, step in enumerate(steps):
            try:
                if step[0] == "answer":
                    _, qid, quality, offset, kind = step
                    ids.append(session_answer(store, qid, quality, DAY + timedelta(days=offset),
                                              minute, kind))
                elif step[0] == "undo" and ids:
                    store.undo(ids.pop(step[1] % len(ids)))
                elif step[0] == "import":
                    _, qid, quality, offset = step
                    day = DAY + timedelta(days=offset)
                    store.import_reviews([replace(answer(qid, quality, day, minute=minute),
                                                  state=sm2.next_state(None, quality, day))])
                elif step[0] == "rebuild":
                    store.rebuild_cards()
                elif step[0] == "tamper" and ids:  # a hand edit: the triggers follow it too
                    column, value = step[2]
                    store.conn.execute(f"UPDATE reviews SET {column} = ? WHERE id = ?",
                                       (value, ids[step[1] % len(ids)]))
            except StoreError:  # a tampered row refused: the write rolled back whole
                pass
            assert aggregate(store) == oracle(store), step
    finally:
        store.close()


def test_a_rebuild_repairs_an_aggregate_changed_by_hand():
    store = Store.open(":memory:")
    for minute, kind in enumerate(KINDS):
        session_answer(store, "a", 2, DAY, minute, kind)
    expected = aggregate(store)
    store.conn.execute("UPDATE review_days SET n = n + 7")
    store.conn.execute("INSERT INTO review_days VALUES ('2026-01-01', 'review', 3)")
    store.conn.execute("DELETE FROM review_days WHERE kind = 'mock'")
    store.rebuild_cards()
    assert aggregate(store) == expected == oracle(store)
    store.close()


def test_the_figures_read_from_it_match_the_log_read_directly():
    """Heatmap and streaks from the aggregate, against the same figures through the
    narrowed path, which reads `reviews` (a scope holding every card)."""
    store = Store.open(":memory:")
    minute = 0
    for offset, kinds in [(-9, "r"), (-8, "rp"), (-6, "x"), (-5, "rrm"), (-4, "pp"), (-1, "r"),
                          (0, "rmrp")]:
        for kind in kinds:
            minute += 1
            kind = {"r": "review", "p": "practice", "m": "mock", "x": "repeat"}[kind]
            session_answer(store, "abc"[minute % 3], minute % 6, DAY + timedelta(days=offset),
                           minute, kind)
    whole = figures.Scope({"a": "t", "b": "t", "c": "t"})
    narrowed = replace(whole, narrowed=True)
    assert figures.streaks(store, DAY, whole) == figures.streaks(store, DAY, narrowed)
    assert figures.streaks(store, DAY, whole).longest == 2  # -9, -8; -6 a repeat only: 1
    assert report.heatmap(store, DAY, whole) == report.heatmap(store, DAY, narrowed)
    store.close()
