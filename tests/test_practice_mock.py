"""Practice leaves SM-2 alone; a mock interview feeds it and reports per topic and question."""

import random
from datetime import UTC, datetime, timedelta

import pytest
from script_ui import ScriptUI

from quiz import mock_interview as mocks
from quiz.bank.reader import load_bank
from quiz.model import Card, CardState, Question, Text
from quiz.review_queue import is_weak, mock_queue, practice_queue
from quiz.session import Mode, run_session

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Clock:
    """A clock that moves `step` seconds every time it is read."""

    def __init__(self, step=0.0):
        self.moment, self.step = NOW, timedelta(seconds=step)

    def __call__(self):
        self.moment += self.step
        return self.moment


def grade_all(grades, typed=""):
    grades = list(grades)

    def ask(kind, view):
        if kind == "grade":
            return grades.pop(0) if grades else "q"
        if kind == "numeric":
            return "0"
        return typed

    return ask


@pytest.fixture
def bank(bank_dir):
    return load_bank([bank_dir])


def test_practice_logs_answers_but_never_moves_the_schedule(store, bank):
    pooling = bank.questions[0]
    run_session(store, [pooling], ui=ScriptUI(grade_all("4")), now=Clock(),
                seed=lambda: 1)
    before = store.cards()
    result = run_session(store, list(bank.questions), ui=ScriptUI(grade_all(["0", "5", "", "1"])),
                         now=Clock(), seed=lambda: 1,
                         mode=Mode.practice())
    assert result.graded == 4
    assert store.cards() == before
    practice = [r for r in store.reviews() if r.kind == "practice"]
    assert [r.quality for r in practice] == [0, 5, 1, 1] and all(r.state is None for r in practice)


def test_practice_queue_filters_weak_and_shuffles_reproducibly():
    questions = [Question(id=f"q{i}", topic="t", prompt=Text("问", "Q")) for i in range(6)]
    state = CardState(2, 6, 25 / 10, NOW.date())
    from fractions import Fraction
    cards = {"q1": Card("q1", CardState(2, 6, Fraction(19, 10), NOW.date())),
             "q2": Card("q2", CardState(2, 6, Fraction(5, 2), NOW.date()), lapses=1),
             "q3": Card("q3", CardState(2, 6, Fraction(5, 2), NOW.date()))}
    assert state.interval == 6
    assert [q.id for q in practice_queue(questions, cards, count=10, weak=True)] == ["q1", "q2"]
    assert not is_weak(cards["q3"]) and not is_weak(None)
    first = practice_queue(questions, cards, count=4, rng=random.Random(3))
    assert first == practice_queue(questions, cards, count=4, rng=random.Random(3))
    assert len(first) == 4 and len({q.id for q in first}) == 4


def test_mock_queue_spreads_topics_prefers_unseen_and_includes_numeric():
    from fractions import Fraction
    questions = [Question(id=f"{t}-{i}", topic=t, prompt=Text("问", "Q"),
                          type="numeric" if (t, i) == ("c", 0) else "open")
                 for t in "abc" for i in range(10)]
    cards = {q.id: Card(q.id, CardState(5, 60, Fraction(28, 10), NOW.date()))
             for q in questions if q.id.endswith(("1", "2", "3", "4", "5", "6", "7"))}
    picks = [mock_queue(questions, cards, count=6, rng=random.Random(s)) for s in range(200)]
    assert all(len(p) == 6 and len({q.id for q in p}) == 6 for p in picks)
    assert all(max(sum(q.topic == t for q in p) for t in "abc") <= 2 for p in picks)
    assert all(any(q.type == "numeric" for q in p) for p in picks)
    unseen = sum(q.id not in cards for p in picks for q in p) / (6 * 200)
    assert unseen > 0.3 + 0.15  # 30% of the pool is unseen; weighting draws it more often


def test_mock_report_figures(store, bank):
    session = "mock-20260302T090000"
    mocks.save_settings(store, session, seconds=30, planned=4)
    clock = Clock(step=20)  # each read of the clock moves 20 s: answers take 20 s or 40 s
    run_session(store, list(bank.questions), ui=ScriptUI(grade_all(["5", "2", "", "4"])),
                now=clock, seed=lambda: 1,
                mode=Mode.mock(session, seconds=30))
    topics = {q.id: q.topic for q in bank.questions}
    report = mocks.report(store, session, topics)
    assert [(a.question_id, a.quality) for a in report.answers] == [
        ("cnn-pooling-purpose", 5), ("cnn-one-by-one", 2), ("cnn-conv-output-size", 1),
        ("rnn-lstm-vs-gru", 4)]
    assert all(a.seconds == 20 for a in report.answers) and not any(
        a.overtime for a in report.answers)
    assert [(t.topic, t.answered, t.score) for t in report.topics] == [
        ("cnn", 3, pytest.approx(8 / 15)), ("rnn", 1, pytest.approx(0.8))]
    assert report.score == pytest.approx(12 / 20)
    assert report.revisit == ["cnn-one-by-one", "cnn-conv-output-size"]
    assert store.card("cnn-pooling-purpose").state is not None  # mocks feed SM-2
    (summary,) = mocks.history(store)
    assert (summary.session, summary.answered, summary.score) == (session, 4, pytest.approx(0.6))


def test_mock_without_schedule_leaves_cards_alone_and_survives_a_rebuild(store, bank):
    run_session(store, [bank.questions[0]], ui=ScriptUI(grade_all("3")),
                now=Clock(), seed=lambda: 1, mode=Mode.mock("m1", schedule=False))
    assert store.card("cnn-pooling-purpose") is None
    store.rebuild_cards()
    assert store.card("cnn-pooling-purpose") is None


def test_overtime_answers_are_marked_for_revisit(store, bank):
    mocks.save_settings(store, "m2", seconds=10, planned=1)
    run_session(store, [bank.questions[0]], ui=ScriptUI(grade_all("5")),
                now=Clock(step=15), seed=lambda: 1, mode=Mode.mock("m2", seconds=10))
    report = mocks.report(store, "m2", {})
    assert report.answers[0].overtime and report.revisit == ["cnn-pooling-purpose"]


def test_key_points_suggest_a_grade_that_enter_accepts(store, tmp_path):
    bank_file = tmp_path / "kp.yaml"
    bank_file.write_text(
        "topic: t\ntitle: {zh: 题, en: T}\nquestions:\n"
        "  - id: t-dropout\n    zh: {q: 什么是 dropout？, a: 随机丢弃神经元。}\n"
        "    en: {q: What is dropout?, a: Randomly drop units.}\n"
        "    key_points:\n"
        "      - {zh: 随机丢弃, en: [randomly drop, random drop]}\n"
        "      - {zh: 防止过拟合, en: overfitting}\n"
        "      - {zh: 神经元, en: neurons}\n", encoding="utf-8")  # 2 of 3 points: a pass
    question = load_bank([bank_file]).questions[0]
    shown = []
    keys = iter(["", "q"])  # Enter takes the suggestion; the card then comes back: quit
    run_session(store, [question], ui=ScriptUI(lambda kind, view: next(keys) if kind == "grade"
                else "训练时随机丢弃一部分神经元", lambda e, p: shown.append((e, p))),
                now=Clock(), seed=lambda: 1)
    view = [p for e, p in shown if e == "reveal"][0]
    assert view.covered == (True, False, True) and view.default_grade == 3
    assert [r.quality for r in store.reviews()] == [3]
