"""The parsed bank cached in the store: reused until a file changes, exact round trips."""

import json
import os
import sqlite3

import pytest

from quiz.bank import reader as bank_module
from quiz.bank.cache import BankCache, Entry, decode, encode
from quiz.bank.files import bundled_dir
from quiz.bank.reader import load_bank
from quiz.errors import BankError
from quiz.store import Store


@pytest.fixture
def parses(monkeypatch):
    """Counts the YAML parses."""
    calls = []
    real = bank_module.load_sound_files

    def counting(paths, exclude=()):
        calls.append(1)
        return real(paths, exclude)

    monkeypatch.setattr(bank_module, "load_sound_files", counting)
    return calls


def test_every_bundled_question_survives_the_json_round_trip():
    for question in load_bank([bundled_dir()]).questions:
        assert decode(json.loads(encode(question))) == question


def test_the_cache_is_reused_until_a_file_changes(store, bank_dir, parses):
    cache = BankCache(store, [bank_dir])
    entries = cache.entries()
    assert entries[0] == Entry("cnn-pooling-purpose", "cnn", "open", ("pooling",))
    assert len(parses) == 1
    again = BankCache(store, [bank_dir])
    assert again.entries() == entries and len(parses) == 1  # a new process: no parse
    assert again.questions(["rnn-lstm-vs-gru", "cnn-one-by-one"]) == [
        q for i in ("rnn-lstm-vs-gru", "cnn-one-by-one")
        for q in load_bank([bank_dir]).questions if q.id == i]
    assert again.topics()["rnn"].title.en == "Recurrent neural networks"
    assert again.topic_of() == {e.id: e.topic for e in entries}
    rnn = bank_dir / "rnn.yaml"
    rnn.write_text(rnn.read_text("utf-8").replace("rnn-lstm-vs-gru", "rnn-gru-vs-lstm"),
                   encoding="utf-8")
    os.utime(rnn, ns=(1, 1))  # a changed mtime alone is enough, whatever the clock says
    assert "rnn-gru-vs-lstm" in [e.id for e in BankCache(store, [bank_dir]).entries()]
    assert len(parses) == 2


def test_a_broken_file_is_left_out_and_reported_even_with_a_cache(store, bank_dir, parses):
    BankCache(store, [bank_dir]).entries()
    cnn = bank_dir / "cnn.yaml"
    cnn.write_text("topic: cnn\n", encoding="utf-8")
    for _run in range(2):  # parsed, then from the cache: the same problems
        cache = BankCache(store, [bank_dir])
        assert [e.id for e in cache.entries()] == ["rnn-lstm-vs-gru"]
        assert cache.skipped() == [(str(cnn), 1, "the bank needs a 'questions' key"),
                                   (str(cnn), 1, "the bank needs a 'title' key")]
    assert len(parses) == 2


def test_a_bank_with_nothing_sound_is_an_error(store, bank_dir):
    for name in ("cnn.yaml", "rnn.yaml"):
        (bank_dir / name).write_text("topic: x\n", encoding="utf-8")
    with pytest.raises(BankError) as raised:
        BankCache(store, [bank_dir]).entries()
    assert len(raised.value.problems) == 4


def test_a_new_or_missing_file_invalidates(store, bank_dir, parses):
    BankCache(store, [bank_dir]).entries()
    (bank_dir / "rnn.yaml").unlink()
    assert [e.topic for e in BankCache(store, [bank_dir]).entries()] == ["cnn"] * 3
    assert len(parses) == 2


def test_a_read_only_database_answers_from_the_parsed_bank(tmp_path, bank_dir):
    path = tmp_path / "ro.db"
    Store.open(path).close()
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    cache = BankCache(Store(conn, str(path)), [bank_dir])
    assert [e.id for e in cache.entries()][-1] == "rnn-lstm-vs-gru"
    assert cache.questions(["cnn-one-by-one"])[0].prompt.en == "What does a 1×1 convolution do?"
    assert cache.topic_of()["rnn-lstm-vs-gru"] == "rnn"
