"""Today's queue."""

from datetime import date, timedelta
from fractions import Fraction

from quiz.model import Card, CardState, Question, Text
from quiz.review_queue import build_queue

TODAY = date(2026, 3, 2)


def q(qid):
    return Question(id=qid, topic="t", prompt=Text("问", "Q"), answer=Text("答", "A"))


def card(qid, due_in, **extra):
    state = CardState(2, 6, Fraction(5, 2), TODAY + timedelta(days=due_in))
    return Card(question_id=qid, state=state, **extra)


QUESTIONS = [q(x) for x in ("n1", "d-late", "n2", "d-now", "future", "n3", "buried")]
CARDS = {
    "d-late": card("d-late", -5),
    "d-now": card("d-now", 0),
    "future": card("future", 3),
    "buried": Card("buried", None, buried_until=TODAY + timedelta(days=1)),
}


def ids(queue):
    return [x.id for x in queue]


def test_due_most_overdue_first_then_new_in_bank_order():
    assert ids(build_queue(QUESTIONS, CARDS, TODAY, new_limit=10)) == [
        "d-late",
        "d-now",
        "n1",
        "n2",
        "n3",
    ]


def test_new_limit_counts_cards_already_introduced_today():
    assert ids(build_queue(QUESTIONS, CARDS, TODAY, new_limit=3, introduced_today=2)) == [
        "d-late",
        "d-now",
        "n1",
    ]
    assert ids(build_queue(QUESTIONS, CARDS, TODAY, new_limit=3, introduced_today=5)) == [
        "d-late",
        "d-now",
    ]


def test_relearning_comes_last_and_limit_cuts():
    queue = build_queue(QUESTIONS, CARDS, TODAY, new_limit=0, relearn=["future"], limit=10)
    assert ids(queue) == ["d-late", "d-now", "future"]
    assert ids(build_queue(QUESTIONS, CARDS, TODAY, new_limit=10, limit=2)) == ["d-late", "d-now"]


def test_buried_cards_wait_for_their_day():
    tomorrow = TODAY + timedelta(days=1)
    assert "buried" in ids(build_queue(QUESTIONS, CARDS, tomorrow, new_limit=10))
