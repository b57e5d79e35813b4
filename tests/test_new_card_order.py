"""New cards' order: bank, interleave (the default) and random (seeded per study day)."""

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

import pytest
from conftest import run_cli
from hypothesis import given
from hypothesis import strategies as st

from quiz import config
from quiz.errors import UsageError
from quiz.model import Card, CardState
from quiz.review_queue import (
    build_queue,
    in_new_card_order,
    interleaved,
    new_allowed,
    new_card_seed,
)

TODAY = date(2026, 3, 2)


@dataclass(frozen=True)
class Item:
    id: str
    topic: str
    type: str = "open"
    tags: tuple[str, ...] = ()


def bank(sizes: list[int]) -> list[Item]:
    """Topics t0, t1, … in file order, each with its questions numbered in its own order."""
    return [Item(f"t{t}-{i}", f"t{t}") for t, size in enumerate(sizes) for i in range(size)]


# a bank in any order of topics: the topics of each question, drawn one by one
topic_lists = st.lists(st.sampled_from("abcd"), max_size=40)


def items_of(topics: list[str]) -> list[Item]:
    seen: Counter[str] = Counter()
    items = []
    for topic in topics:
        items.append(Item(f"{topic}-{seen[topic]}", topic))
        seen[topic] += 1
    return items


def ids(items) -> list[str]:
    return [q.id for q in items]


def test_interleave_takes_one_of_each_topic_in_turn():
    assert ids(interleaved(bank([3, 2, 1]))) == [
        "t0-0", "t1-0", "t2-0", "t0-1", "t1-1", "t0-2"]


@given(topic_lists)
def test_interleave_keeps_every_topics_own_order(topics):
    items = items_of(topics)
    result = interleaved(items)
    assert sorted(ids(result)) == sorted(ids(items))
    for topic in set(topics):
        assert [q for q in result if q.topic == topic] == [q for q in items if q.topic == topic]


@given(topic_lists)
def test_interleave_counts_per_topic_differ_by_at_most_one_while_topics_last(topics):
    items = items_of(topics)
    sizes = Counter(topics)
    result = interleaved(items)
    for end in range(len(result) + 1):
        counts = Counter(q.topic for q in result[:end])
        lasting = [t for t in sizes if counts[t] < sizes[t]]  # not yet used up
        if lasting:
            # a topic still going is never behind any other topic by more than one, and
            # the ones still going are within one of each other
            low = min(counts[t] for t in lasting)
            assert all(counts[t] <= low + 1 for t in sizes), (end, counts)


@given(topic_lists)
def test_interleave_takes_topics_in_the_order_they_first_appear(topics):
    items = items_of(topics)
    first_seen = list(dict.fromkeys(topics))
    assert [q.topic for q in interleaved(items)][:len(first_seen)] == first_seen


@given(topic_lists, st.text(max_size=20))
def test_random_is_a_permutation_and_stable_for_a_seed(topics, seed):
    items = items_of(topics)
    first = in_new_card_order(items, "random", seed)
    assert sorted(ids(first)) == sorted(ids(items))
    assert first == in_new_card_order(items, "random", seed)
    assert ids(items) == ids(items_of(topics))  # the input is not shuffled in place


def test_random_differs_between_study_days():
    items = bank([10, 10])
    orders = {tuple(ids(in_new_card_order(items, "random", new_card_seed(TODAY + timedelta(d)))))
              for d in range(5)}
    assert len(orders) > 1


def test_bank_order_is_the_bank_and_a_bad_order_is_a_usage_error():
    items = bank([2, 2])
    assert in_new_card_order(items, "bank") == items
    with pytest.raises(UsageError, match="one of bank, interleave, random, not 'alpha'"):
        in_new_card_order(items, "alpha")


def started(qid: str) -> Card:
    return Card(qid, CardState(1, 1, Fraction(5, 2), TODAY + timedelta(days=1)),
                first_day=TODAY)


@pytest.mark.parametrize("order", ["interleave", "random"])
def test_a_restarted_session_shows_the_same_new_cards(order):
    items = bank([6, 6, 6])
    whole_day = new_allowed(items, {}, TODAY, new_limit=9, order=order)
    # the first session introduced three of them, then stopped
    cards = {q.id: started(q.id) for q in whole_day[:3]}
    rest = new_allowed(items, cards, TODAY, new_limit=9, introduced_today=3, order=order)
    assert rest == whole_day[3:]


def test_the_queue_puts_due_cards_first_whatever_the_order():
    items = bank([3, 3])
    due = Card("t1-2", CardState(2, 6, Fraction(5, 2), TODAY - timedelta(days=1)))
    queue = build_queue(items, {"t1-2": due}, TODAY, new_limit=3, order="interleave")
    assert ids(queue) == ["t1-2", "t0-0", "t1-0", "t0-1"]


def test_config_order_option_then_environment_then_interleave(monkeypatch):
    monkeypatch.delenv("QUIZ_ORDER", raising=False)
    assert config.new_card_order(None) == "interleave"
    monkeypatch.setenv("QUIZ_ORDER", "random")
    assert config.new_card_order(None) == "random"
    assert config.new_card_order("bank") == "bank"
    monkeypatch.setenv("QUIZ_ORDER", "files")
    with pytest.raises(UsageError, match="QUIZ_ORDER must be one of bank, interleave, random"):
        config.new_card_order(None)


def test_review_interleaves_topics_by_default_and_order_bank_keeps_files(bank_env, tmp_path):
    # tests/data/bank: cnn.yaml (3 questions), then rnn.yaml (1)
    run = run_cli("review", "--limit", "2", "--lang", "en", input="a\n4\nb\n4\n")
    assert run.exit_code == 0
    assert [r.question_id for r in _reviews(bank_env)] == ["cnn-pooling-purpose",
                                                            "rnn-lstm-vs-gru"]
    other = tmp_path / "bank-order.db"
    run = run_cli("review", "--db", other, "--order", "bank", "--limit", "2", "--lang", "en",
                  input="a\n4\nb\n4\n")
    assert run.exit_code == 0
    assert [r.question_id for r in _reviews(other)] == ["cnn-pooling-purpose", "cnn-one-by-one"]


def test_review_with_a_bad_order_is_a_usage_error(bank_env):
    before = bank_env.stat() if bank_env.exists() else None  # cli_env may create it empty
    result = run_cli("review", "--order", "alpha")
    assert result.exit_code == 2
    assert "Error: --order must be one of bank, interleave, random, not 'alpha'" in result.stderr
    after = bank_env.stat() if bank_env.exists() else None
    assert (before and (before.st_mtime_ns, before.st_size)) == (
        after and (after.st_mtime_ns, after.st_size))  # nothing was opened or written


def _reviews(db):
    from quiz.store import Store

    store = Store.open(db)
    try:
        return store.reviews()
    finally:
        store.close()
