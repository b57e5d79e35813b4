"""Mock ids: two mocks started in the same second stay two mocks."""

from datetime import UTC, datetime, timedelta, timezone

from quiz import mock_interview as mocks
from quiz.model import Review

START = datetime(2026, 3, 2, 9, 0, 0, tzinfo=UTC)


def answer(store, session, qid, quality):
    store.record(Review(question_id=qid, reviewed_at=START, utc_offset=0,
                        study_day=START.date(), quality=quality, state=None, kind="mock",
                        session=session))


def test_ids_of_one_second_differ():
    ids = {mocks.new_id(START) for _ in range(1000)}
    assert len(ids) == 1000
    assert all(i.startswith("mock-20260302T090000-") for i in ids)


def test_the_id_names_the_start_in_utc():
    shanghai = START.astimezone(timezone(timedelta(hours=8)))
    assert mocks.new_id(shanghai, "ab") == mocks.new_id(START, "ab") == "mock-20260302T090000-ab"


def test_two_mocks_in_one_second_keep_their_own_answers_and_reports(store):
    first, second = mocks.new_id(START), mocks.new_id(START)
    mocks.save_settings(store, first, seconds=30, planned=1)
    mocks.save_settings(store, second, seconds=None, planned=2)
    answer(store, first, "a", 5)
    answer(store, second, "b", 0)
    answer(store, second, "c", 1)
    reports = {s: mocks.report(store, s, {}) for s in (first, second)}
    assert [a.question_id for a in reports[first].answers] == ["a"]
    assert [a.question_id for a in reports[second].answers] == ["b", "c"]
    assert (reports[first].limit, reports[second].limit) == (30, None)
    assert sorted(s.answered for s in mocks.history(store)) == [1, 2]
