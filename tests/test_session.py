"""The review loop, driven through its ask/show callables (no terminal)."""

from datetime import datetime, timedelta, timezone

import pytest
from script_ui import ScriptUI

from quiz import numeric
from quiz.bank import load_bank
from quiz.session import run_session, study_day

CST = timezone(timedelta(hours=8))
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=CST)


class Script:
    """Answers `ask` from a list of (kind, reply) pairs and records what was shown."""

    def __init__(self, replies):
        self.replies = list(replies)
        self.shown = []

    def ask(self, kind, view):
        if not self.replies:
            return None
        expected, reply = self.replies.pop(0)
        assert kind == expected, (kind, view.question.id, reply)
        if reply is KeyboardInterrupt:
            raise KeyboardInterrupt
        return reply(view) if callable(reply) else reply

    def show(self, event, payload):
        self.shown.append((event, payload))

    def events(self):
        return [e for e, _ in self.shown]


@pytest.fixture
def bank(bank_dir):
    return load_bank([bank_dir])


def run(store, questions, script, now=NOW):
    return run_session(
        store, list(questions), ui=ScriptUI(script.ask, script.show), now=lambda: now,
        seed=lambda: 7
    )


def right_answer(view):
    return numeric.format_value(view.instance.expected)


def test_grades_are_recorded_and_failures_come_back_as_repeats(store, bank):
    pooling, one, conv, lstm = bank.questions
    script = Script(
        [
            ("answer", "downsampling"),
            ("grade", "5"),
            ("answer", ""),
            ("grade", "2"),
            ("numeric", right_answer),
            ("grade", ""),
            ("answer", ""),
            ("grade", "4"),
            ("answer", ""),
            ("grade", "4"),
        ]
    )  # cnn-one-by-one again, now 4
    result = run(store, bank.questions, script)
    assert result.graded == 5 and not result.quit
    log = store.reviews()
    assert [(r.question_id, r.kind, r.quality) for r in log] == [
        (pooling.id, "review", 5),
        (one.id, "review", 2),
        (conv.id, "review", 4),
        (lstm.id, "review", 4),
        (one.id, "repeat", 4),
    ]
    assert log[0].answer == "downsampling" and log[1].answer is None
    assert log[0].utc_offset == 480 and log[0].study_day == NOW.date()
    assert log[0].reviewed_at == NOW
    assert log[2].seed == 7 and log[2].values == numeric.instantiate(conv, 7).values
    assert store.card(one.id).state.repetitions == 0  # the repeat did not move the state


def test_undo_restores_the_state_and_asks_again(store, bank):
    pooling = bank.questions[0]
    script = Script(
        [
            ("answer", ""),
            ("grade", "1"),  # fails: a repeat is queued
            ("answer", ""),
            ("grade", "u"),  # undo on the next card
            ("answer", ""),
            ("grade", "5"),  # pooling again, first time again
            ("answer", ""),
            ("grade", "q"),
        ]
    )
    result = run(store, bank.questions, script)
    assert result.quit
    assert [(r.question_id, r.kind, r.quality) for r in store.reviews()] == [
        (pooling.id, "review", 5)
    ]
    assert store.card(pooling.id).state.interval == 1
    assert "undone" in script.events()
    positions = [(p.question.id, p.position, p.total) for e, p in script.shown if e == "card"]
    assert positions[:3] == [(pooling.id, 1, 4), ("cnn-one-by-one", 2, 5), (pooling.id, 1, 4)]


def test_a_typo_in_a_numeric_answer_asks_again_and_a_wrong_one_grades_1(store, bank):
    conv = bank.questions[2]
    script = Script(
        [
            ("numeric", "thirty"),
            ("numeric", "1/0"),
            ("numeric", "-1"),
            ("grade", "5"),
            ("grade", ""),
        ]
    )  # 5 is not offered after a wrong answer
    run(store, [conv], script)
    assert script.events().count("answer_error") == 2
    assert "bad_key" in script.events()
    (entry,) = store.reviews()
    assert (entry.quality, entry.answer) == (1, "-1")


def test_a_right_numeric_answer_may_be_graded_3_or_5(store, bank):
    conv = bank.questions[2]
    run(store, [conv], Script([("numeric", right_answer), ("grade", "1"), ("grade", "5")]))
    assert store.reviews()[0].quality == 5


def test_bury_hides_the_card_until_tomorrow(store, bank):
    pooling = bank.questions[0]
    run(store, [pooling], Script([("answer", ""), ("grade", "s")]))
    assert store.reviews() == []
    assert store.card(pooling.id).buried_until == NOW.date() + timedelta(days=1)


def test_ctrl_c_keeps_every_answer_already_given(store, bank):
    script = Script(
        [
            ("answer", ""),
            ("grade", "4"),
            ("answer", ""),
            ("grade", "3"),
            ("numeric", KeyboardInterrupt),
        ]
    )
    result = run(store, bank.questions, script)
    assert result.quit and result.graded == 2
    assert len(store.reviews()) == 2


def test_end_of_input_quits_cleanly(store, bank):
    result = run(store, bank.questions, Script([("answer", "x")]))
    assert result.quit and store.reviews() == []


def test_a_changed_text_is_flagged(store, bank):
    pooling = bank.questions[0]
    run(store, [pooling], Script([("answer", ""), ("grade", "5")]))
    store.conn.execute("UPDATE cards SET fingerprint = 'old', due = '2000-01-01'")
    script = Script([("answer", ""), ("grade", "q")])
    run(store, [pooling], script, now=NOW + timedelta(days=3))
    (view,) = [p for e, p in script.shown if e == "card"]
    assert view.text_changed


@pytest.mark.parametrize("hour, expected", [(3, "2026-03-01"), (4, "2026-03-02")])
def test_study_day_rolls_over_at_4(hour, expected):
    assert study_day(datetime(2026, 3, 2, hour, 0, tzinfo=CST)).isoformat() == expected
    assert study_day(datetime(2026, 3, 2, 3, 59, tzinfo=CST), 3).isoformat() == "2026-03-02"
