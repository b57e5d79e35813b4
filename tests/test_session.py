"""The review loop, driven through a scripted SessionUI (no terminal)."""

from datetime import datetime, timedelta, timezone

import pytest
from conftest import examples, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from script_ui import ScriptUI

from quiz.bank.reader import load_bank
from quiz.numeric import templates as numeric
from quiz.session import Command, Mode, run_session, study_day
from quiz.store import Store

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


# -- keys at the question prompt, the last chance to undo, the counts ---------------------------


def test_question_prompt_commands_never_become_answers(store, bank):
    pooling, one, conv, lstm = bank.questions
    script = Script([
        ("answer", Command.UNDO),  # nothing to undo yet: the same card again
        ("answer", Command.SKIP),
        ("answer", "1x1 mixes channels"),
        ("grade", "5"),
        ("numeric", Command.UNDO),  # takes back one's 5: one is asked again, first
        ("answer", Command.BURY),
        ("numeric", Command.QUIT),
    ])
    result = run(store, bank.questions, script)
    assert result.quit and result.graded == 0 and store.reviews() == []
    assert script.events().count("nothing_to_undo") == 1
    assert [p.id for e, p in script.shown if e in ("skipped", "buried", "undone")] == [
        pooling.id, one.id, one.id]
    assert store.card(one.id).buried_until == NOW.date() + timedelta(days=1)
    assert store.card(pooling.id) is None  # skipped: neither graded nor buried
    asked = [p.question.id for e, p in script.shown if e == "card"]
    assert asked == [pooling.id, pooling.id, one.id, conv.id, one.id, conv.id]


def test_practice_never_buries_a_card(store, bank):
    script = Script([("answer", Command.BURY), ("answer", ""), ("grade", "s"),
                     ("numeric", "1"), ("grade", "q")])
    run_session(store, list(bank.questions), ui=ScriptUI(script.ask, script.show),
                now=lambda: NOW, seed=lambda: 7, mode=Mode.practice())
    assert "buried" not in script.events() and script.events().count("skipped") == 2
    assert all(card.buried_until is None for card in store.cards().values())


def test_the_last_grade_can_be_undone_before_the_end(store, bank):
    pooling = bank.questions[0]
    script = Script([("answer", "first"), ("grade", "5"), ("answer", "second"), ("grade", "4")])
    finishes = iter([True, False])
    result = run_session(store, [pooling], ui=ScriptUI(script.ask, script.show,
                                                       lambda view: next(finishes)),
                         now=lambda: NOW, seed=lambda: 7)
    assert not result.quit and result.graded == 1 and result.grades == (4,)
    assert [(r.answer, r.quality) for r in store.reviews()] == [("second", 4)]
    finished = [p for e, p in script.shown if e == "finish"]
    assert [view.typed for view in finished] == ["first", "second"]


def test_no_last_chance_after_quitting_or_without_a_grade(store, bank):
    for replies in ([("answer", ""), ("grade", "q")], [("answer", Command.SKIP)]):
        script = Script(replies)
        run(store, bank.questions[:1], script)
        assert "finish" not in script.events()


def test_left_counts_new_relearning_and_review_cards(store, bank):
    pooling, one, conv, lstm = bank.questions
    run(store, [lstm], Script([("answer", ""), ("grade", "5")]), now=NOW - timedelta(days=3))
    script = Script([("answer", ""), ("grade", "2"),  # pooling fails: back at the end
                     ("answer", ""), ("grade", "5"),
                     ("numeric", ""), ("grade", ""),  # conv fails too
                     ("answer", ""), ("grade", "4"),
                     ("answer", ""), ("grade", "4"),
                     ("numeric", "1"), ("grade", "q")])
    run(store, [pooling, one, conv, lstm], script)
    lefts = [p.left for e, p in script.shown if e == "card"]
    assert lefts == [(3, 0, 1), (2, 1, 1), (1, 1, 1), (0, 2, 1), (0, 2, 0), (0, 1, 0)]


def test_the_score_is_the_share_of_grades_of_3_or_more(store, bank):
    script = Script([("answer", ""), ("grade", "3"), ("answer", ""), ("grade", "2"),
                     ("numeric", ""), ("grade", ""), ("answer", ""), ("grade", "5")])
    result = run_session(store, list(bank.questions), ui=ScriptUI(script.ask, script.show),
                         now=lambda: NOW, seed=lambda: 7, mode=Mode.practice())
    assert result.grades == (3, 2, 1, 5) and result.score == 0.5
    assert run(store, [], Script([])).score is None


ACTIONS = st.lists(st.sampled_from([*Command, "", "typed", "0", "3", "5", "u", "s", "q", "x"]),
                   max_size=40)


@settings(max_examples=examples(80), deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions=ACTIONS)
def test_any_keys_keep_the_log_equal_to_the_grades_that_stand(bank, actions):
    """Whatever keys come, in whichever mode: the log holds exactly the grades not undone, in
    order; a buried or skipped card is not asked again in the session."""
    for mode in (Mode(), Mode.practice()):
        store = Store.open(":memory:")
        standing, gone = [], set()
        actions_left = list(actions)

        def ask(kind, view, actions_left=actions_left, gone=gone):
            assert view.question.id not in gone
            if not actions_left:
                return None
            action = actions_left.pop(0)
            if kind == "grade":
                return action if isinstance(action, str) else "x"
            return action if kind == "answer" or isinstance(action, Command) else "1"

        def show(event, payload, standing=standing, gone=gone):
            if event == "graded":
                standing.append(payload[1])
            elif event == "undone":
                standing.pop()
            elif event in ("buried", "skipped"):
                gone.add(payload.id)

        result = run_session(store, list(bank.questions), ui=ScriptUI(ask, show),
                             now=lambda: NOW, seed=lambda: 7, mode=mode)
        assert [r.quality for r in store.reviews()] == standing == list(result.grades)
        store.close()


# -- quiz undo, from the shell -------------------------------------------------------------------


def test_quiz_undo_takes_back_todays_last_schedule_moving_answer(cli_env, bank_dir):
    def invoke(*args, **kw):
        return run_cli(*args, "--lang", "en", **kw)

    review = invoke("review", "--bank", str(bank_dir), "--limit", "2", input="a\n5\nb\n4\n")
    assert review.exit_code == 0 and "Recorded 4" in review.output
    practice = invoke("practice", "--bank", str(bank_dir), "--count", "1", input="c\n3\n")
    assert "Graded 3 (practice)" in practice.output and "Recorded" not in practice.output
    assert "Score 100% (1 of 1 answered with 3 or more)" in practice.output
    first = invoke("undo")
    assert first.exit_code == 0
    # new cards interleave topics by default: cnn, then rnn
    assert first.output.startswith("Undid rnn-lstm-vs-gru: grade 4 at ")
    assert first.output.rstrip().endswith("; new again")
    second = invoke("undo")
    assert second.exit_code == 0 and second.output.startswith("Undid cnn-pooling-purpose")
    third = invoke("undo")  # the practice answer did not move a schedule: not undone
    assert third.exit_code == 1
    assert "nothing to undo: no answer today moved a card's schedule" in third.stderr
    kept = Store.open(cli_env)
    assert [(r.kind, r.quality) for r in kept.reviews()] == [("practice", 3)]
    kept.close()
