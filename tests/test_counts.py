"""Counts that agree: the session summary, `quiz stats` and `quiz list --due` say the same.

The scenarios of issue 11: a review cut by --limit, a quit with a failed card still to
relearn, and a day whose new-card limit is used up with new cards left.
"""

import json
import re
from datetime import date, datetime, timedelta
from fractions import Fraction

import pytest
from conftest import run_cli
from hypothesis import given
from hypothesis import strategies as st
from pty_driver import make_bank
from typer.testing import CliRunner

from quiz import config
from quiz.model import Card, CardState, Review
from quiz.review_queue import QuestionRef, build_queue, outlook, still_due
from quiz.store import Store

TODAY = date(2026, 3, 2)
runner = CliRunner()


@pytest.fixture(autouse=True)
def env(monkeypatch, cli_env):
    monkeypatch.setattr(config, "local_now", lambda: datetime(2026, 3, 2, 10, 0).astimezone())


invoke = run_cli


def make_due(db, ids, due=TODAY):
    """Cards reviewed a week ago and due on `due`."""
    store = Store.open(db)
    try:
        for question_id in ids:
            store.record(Review(
                question_id=question_id, reviewed_at=datetime(2026, 2, 23, 10, tzinfo=None)
                .astimezone(), utc_offset=0, study_day=TODAY - timedelta(days=7), quality=4,
                state=CardState(repetitions=2, interval=6, efactor=Fraction(5, 2), due=due)))
    finally:
        store.close()


def still_due_figures(bank, tmp_path):
    """What stats (text and JSON) and list --due say is still due today."""
    text = invoke("stats", "--bank", bank, "--lang", "en").output
    shown = int(re.search(r"Still due\s+(\d+)", text).group(1))
    figures = json.loads(invoke("stats", "--bank", bank, "--json").output)
    listed = invoke("list", "--bank", bank, "--due").output
    return shown, figures["today"]["due"], int(listed.split(" question(s)")[0])


def summary_value(output, label):
    return int(re.search(label + r"\s+(\d+)", output).group(1))


def test_a_review_cut_by_limit_leaves_the_rest_due_everywhere(tmp_path):
    bank = make_bank(tmp_path / "bank", extra=20)
    make_due(tmp_path / "cli.db", [f"gen-{i:03d}" for i in range(18)])
    result = invoke("review", "--bank", bank, "--lang", "en", "--limit", "10",
                    input="\n5\n" * 10)
    assert result.exit_code == 0
    assert result.output.count("Recorded 5") == 10
    assert summary_value(result.output, "Still due today") == 8
    assert summary_value(result.output, "Due tomorrow") == 8  # the 8 left over, and no other
    assert still_due_figures(bank, tmp_path) == (8, 8, 8)


def test_a_card_to_relearn_after_a_quit_is_still_due_everywhere(tmp_path):
    bank = make_bank(tmp_path / "bank", extra=2)
    make_due(tmp_path / "cli.db", ["gen-000", "gen-001"])
    # gen-000 failed (2), gen-001 passed (5); gen-000 comes back and the input ends
    result = invoke("review", "--bank", bank, "--lang", "en", "--new", "0",
                    input="\n2\n\n5\n")
    assert result.exit_code == 0
    assert re.search(r"Still due today\s+1 \(1 to relearn\)", result.output)
    assert still_due_figures(bank, tmp_path) == (1, 1, 1)
    listed = invoke("list", "--bank", bank, "--due").output
    assert re.search(r"gen-000 .* relearn ", listed)
    again = invoke("review", "--bank", bank, "--lang", "en", "--new", "0", input="")
    assert "1/1" in again.output and "What is generated question 0?" in again.output


def test_nothing_due_with_the_new_limit_used_up_says_when_new_cards_come(tmp_path):
    bank = make_bank(tmp_path / "bank")
    first = invoke("review", "--bank", bank, "--lang", "en", "--new", "2",
                   input="\n5\n\n5\n")
    assert first.output.count("Recorded 5") == 2
    again = invoke("review", "--bank", bank, "--lang", "en", "--new", "2")
    assert again.exit_code == 0
    assert "Nothing is due today." in again.output
    # the two new cards were graded 5 on their first review: due tomorrow (interval 1)
    assert "Next due: 2026-03-03 (2 due tomorrow)." in again.output
    assert "New cards: today's limit of 2 is used up; more tomorrow (2 left)." in again.output
    zh = invoke("review", "--bank", bank, "--lang", "zh", "--new", "2").output
    assert "今天的 2 道已用完，明天继续（还剩 2 道）" in zh


# -- the rule itself -------------------------------------------------------------------------

IDS = [f"q{i}" for i in range(8)]
states = st.one_of(
    st.none(),
    st.builds(lambda due, buried, lapsed: Card(
        question_id="", state=CardState(2, 6, Fraction(5, 2), TODAY + timedelta(days=due)),
        buried_until=TODAY + timedelta(days=buried) if buried is not None else None,
        lapses=int(lapsed)),
        st.integers(-5, 5), st.one_of(st.none(), st.integers(-1, 2)), st.booleans()),
    st.builds(lambda buried: Card(question_id="", state=None,
                                  buried_until=TODAY + timedelta(days=buried)),
              st.integers(-1, 2)))


@given(cards=st.lists(states, min_size=len(IDS), max_size=len(IDS)),
       relearn=st.sets(st.sampled_from(IDS)), new_limit=st.integers(0, 5),
       introduced=st.integers(0, 5))
def test_the_outlook_counts_exactly_the_review_queue(cards, relearn, new_limit, introduced):
    known = {i: Card(**{**c.__dict__, "question_id": i}) for i, c in zip(IDS, cards,
                                                                          strict=True) if c}
    questions = [QuestionRef(i) for i in IDS]
    queue = build_queue(questions, known, TODAY, new_limit=new_limit,
                        introduced_today=introduced, relearn=relearn)
    found = outlook(questions, known, TODAY, new_limit=new_limit, introduced_today=introduced,
                    relearn=relearn)
    assert len(queue) == len({q.id for q in queue})  # each card once
    assert found.still_due + found.new == len(queue)
    due, again = still_due(questions, known, TODAY, relearn=relearn)
    started = {i for i, c in known.items() if c.state is not None}
    # an independent reading of the rule: started, not buried, due by today or to relearn
    expected = {i for i in started
                if (known[i].buried_until is None or known[i].buried_until <= TODAY)
                and (known[i].state.due <= TODAY or i in relearn)}
    assert {q.id for q in due + again} == expected
    # tomorrow: started cards not buried past tomorrow, due by tomorrow
    tomorrow = TODAY + timedelta(days=1)
    assert found.tomorrow == sum(
        1 for i in started if known[i].state.due <= tomorrow
        and (known[i].buried_until is None or known[i].buried_until <= tomorrow))
    if found.next_due is not None:
        assert found.next_due > TODAY
