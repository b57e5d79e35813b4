"""A learner's own banks beside the bundled ones (issue 15): validate checks ids against every
file review loads, a broken file is left out (not retired), cards retire only when their file
was loaded and their question is gone from it."""

from pathlib import Path

import pytest
from conftest import run_cli

from quiz.bank.files import bundled_dir
from quiz.store import Store

invoke = run_cli

MINE = """topic: mine
title: {{zh: 我的, en: Mine}}
questions:
{questions}"""
QUESTION = """  - id: {id}
    zh: {{q: 问题 {id}？, a: 答案。}}
    en: {{q: Question {id}?, a: An answer.}}
"""


def write_bank(path: Path, *ids: str, topic: str = "mine") -> Path:
    text = MINE.format(questions="".join(QUESTION.format(id=i) for i in ids))
    path.write_text(text.replace("topic: mine", f"topic: {topic}"), encoding="utf-8")
    return path


def card(db: Path, question_id: str):
    store = Store.open(db)
    try:
        return store.card(question_id)
    finally:
        store.close()


def answer_all(*args, cards: int) -> None:
    """A review answering `cards` open cards with grade 4."""
    result = invoke("review", "--lang", "en", "--new", "20", *args, input="\n4\n" * cards)
    assert result.exit_code == 0, result.output + result.stderr
    assert result.output.count("Recorded 4") == cards


# tests/data/bank in bank order (--order bank): two open cnn cards, a numeric one (given up:
# grade 1), the rnn card
WHOLE_BANK = "\n4\n" * 2 + "\n\n" + "\n4\n"


def review_whole_bank() -> None:
    result = invoke("review", "--lang", "en", "--order", "bank", input=WHOLE_BANK)
    assert result.exit_code == 0 and result.output.count("Recorded") == 4, result.output


# -- 1. validate checks ids against every bank review would load ---------------------------


def test_validate_fails_on_an_id_of_a_bundled_question(cli_env, monkeypatch, tmp_path):
    monkeypatch.delenv("QUIZ_BUNDLED")
    bundled = next(iter(sorted(bundled_dir().glob("*.yaml"))))
    line, qid = next((n, text.split("id: ", 1)[1].strip())
                     for n, text in enumerate(bundled.read_text("utf-8").splitlines(), 1)
                     if text.startswith("  - id: "))
    mine = write_bank(tmp_path / "my-bank.yaml", "mine-first", qid)
    result = invoke("validate", mine)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"{mine}:7: duplicate id '{qid}': {bundled}:{line} has it too, and review loads "
        "both files; choose another id",
        "Error: 1 problem(s) in the bank; nothing was loaded"]


def test_validate_checks_against_quiz_banks_and_bank_but_not_itself(bank_env, bank_dir,
                                                                    tmp_path, monkeypatch):
    mine = write_bank(tmp_path / "mine.yaml", "mine-one")
    alone = invoke("validate", mine)
    assert alone.exit_code == 0
    assert "1 questions in 1 file(s): OK" in alone.output
    assert alone.output.splitlines()[-1] == ("Ids checked against the 2 other bank file(s) "
                                             "review loads: no duplicate")
    monkeypatch.setenv("QUIZ_BANKS", f"{bank_dir}:{mine}")  # its own file is not a duplicate
    assert invoke("validate", mine).exit_code == 0
    other = write_bank(tmp_path / "other.yaml", "mine-one", topic="other")
    clash = invoke("validate", mine, "--bank", other)
    assert clash.exit_code == 2
    assert f"{mine}:4: duplicate id 'mine-one': {other}:4 has it too" in clash.stderr


def test_validate_ignores_a_broken_file_review_would_leave_out(bank_env, bank_dir, tmp_path,
                                                               monkeypatch):
    broken = tmp_path / "broken.yaml"
    broken.write_text("topic: broken\n", encoding="utf-8")
    monkeypatch.setenv("QUIZ_BANKS", f"{bank_dir}:{broken}")
    mine = write_bank(tmp_path / "mine.yaml", "mine-one", "cnn-one-by-one")
    result = invoke("validate", mine)
    assert result.exit_code == 2
    assert [line.split(": duplicate")[0] for line in result.stderr.splitlines()[:-1]] == [
        f"{mine}:7"]
    assert invoke("validate", broken).exit_code == 2  # but named, it is checked


# -- 2. a broken file is left out, shown once, its cards kept ------------------------------


def test_a_broken_file_in_quiz_banks_does_not_block_the_review(bank_env, bank_dir, tmp_path,
                                                               monkeypatch):
    mine = write_bank(tmp_path / "mine.yaml", "mine-one", "mine-two")
    monkeypatch.setenv("QUIZ_BANKS", f"{bank_dir}:{mine}")
    answer_all("--topic", "mine", cards=2)
    text = mine.read_text("utf-8")
    mine.write_text(text.replace("id: mine-two", "id: Mine Two"), encoding="utf-8")
    problem = (f"{mine}:7: id 'Mine Two' must be lowercase letters, digits and dashes "
               "(like cnn-pooling-purpose)")
    result = invoke("review", "--lang", "en", input="\n4\n" * 3)
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        problem, "Warning: 1 bank file(s) left out for the problem(s) above; the rest of the "
                 "bank is loaded, and the left-out questions keep their cards (check a file "
                 "with: quiz validate FILE)"]
    assert "Recorded 4" in result.output and "cnn-pooling-purpose" in result.output
    assert not card(bank_env, "mine-one").retired and not card(bank_env, "mine-two").retired
    again = invoke("list")  # from the cache now: still said
    assert again.exit_code == 0 and again.stderr.splitlines()[0] == problem
    assert "mine-one" not in again.output and "rnn-lstm-vs-gru" in again.output
    assert invoke("validate").exit_code == 2
    mine.write_text(text, encoding="utf-8")  # fixed: back in the bank, with its cards
    listed = invoke("list", "--topic", "mine")
    assert listed.stderr == "" and "mine-two" in listed.output


def test_a_file_repeating_an_id_is_left_out_not_the_bank(bank_env, bank_dir, tmp_path,
                                                         monkeypatch):
    mine = write_bank(tmp_path / "mine.yaml", "mine-one", "cnn-one-by-one")
    monkeypatch.setenv("QUIZ_BANKS", f"{bank_dir}:{mine}")
    result = invoke("list")
    assert result.exit_code == 0
    assert result.stderr.splitlines()[0] == (
        f"{mine}:7: duplicate id 'cnn-one-by-one' (first defined at {bank_dir / 'cnn.yaml'}:20)")
    assert "cnn-one-by-one" in result.output and "mine-one" not in result.output


def test_nothing_loadable_is_still_an_error(bank_env, tmp_path, monkeypatch):
    broken = tmp_path / "broken.yaml"
    broken.write_text("topic: broken\n", encoding="utf-8")
    monkeypatch.setenv("QUIZ_BANKS", str(broken))
    result = invoke("review")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == ("Error: 2 problem(s) in the bank; nothing was "
                                              "loaded")


# -- 3. retire only what is gone from a file that was loaded -------------------------------


def test_a_review_with_other_banks_retires_nothing(bank_env, bank_dir, tmp_path, monkeypatch):
    review_whole_bank()
    mine = write_bank(tmp_path / "mine.yaml", "mine-one")
    monkeypatch.delenv("QUIZ_BANKS")  # QUIZ_BUNDLED=0 quiz review --bank mine.yaml
    answer_all("--bank", mine, cards=1)
    for qid in ("cnn-pooling-purpose", "cnn-one-by-one", "rnn-lstm-vs-gru"):
        assert not card(bank_env, qid).retired
    monkeypatch.setenv("QUIZ_BANKS", str(bank_dir))
    store = Store.open(bank_env)  # the cards come due (the bug hid due cards from list --due)
    store.conn.execute("UPDATE cards SET due = '2000-01-01'")
    store.close()
    listed = invoke("list", "--due")
    assert listed.exit_code == 0 and listed.output.startswith("4 question(s)\n")


def test_a_question_deleted_from_a_loaded_file_is_retired(bank_env, bank_dir):
    review_whole_bank()
    cnn = bank_dir / "cnn.yaml"
    text = cnn.read_text("utf-8")
    start = text.index("  - id: cnn-one-by-one")
    cnn.write_text(text[:start] + text[text.index("  - id: cnn-conv-output-size"):],
                   encoding="utf-8")
    assert invoke("review", "--lang", "en").exit_code == 0
    assert card(bank_env, "cnn-one-by-one").retired
    assert not card(bank_env, "cnn-pooling-purpose").retired
    (bank_dir / "rnn.yaml").unlink()  # a file gone from a folder searched: gone too
    assert invoke("review", "--lang", "en").exit_code == 0
    assert card(bank_env, "rnn-lstm-vs-gru").retired
    cnn.write_text(text, encoding="utf-8")  # back again: live again
    assert invoke("review", "--lang", "en", input="").exit_code == 0
    assert not card(bank_env, "cnn-one-by-one").retired


@pytest.mark.parametrize("broken_by", ["syntax", "duplicate"])
def test_a_broken_file_retires_none_of_its_cards(bank_env, bank_dir, tmp_path, monkeypatch,
                                                 broken_by):
    mine = write_bank(tmp_path / "mine.yaml", "mine-one", "mine-two")
    monkeypatch.setenv("QUIZ_BANKS", f"{bank_dir}:{mine}")
    answer_all("--topic", "mine", cards=2)
    if broken_by == "syntax":
        mine.write_text(mine.read_text("utf-8") + "  - id: [\n", encoding="utf-8")
    else:
        write_bank(mine, "mine-one", "mine-two", "rnn-lstm-vs-gru")
    result = invoke("review", "--lang", "en", input="")
    assert result.exit_code == 0 and f"{mine}:" in result.stderr
    assert not card(bank_env, "mine-one").retired and not card(bank_env, "mine-two").retired


def test_a_cache_from_before_sources_were_kept_still_tells_what_left(store, bank_dir):
    from quiz.bank.cache import KEY, SOURCES_KEY, BankCache

    BankCache(store, [bank_dir]).entries()
    # as a quiz of cache version 4 left it: the questions cached, no sources kept
    store.conn.execute("DELETE FROM settings WHERE key = ?", (SOURCES_KEY,))
    store.set_setting(KEY, "4\nstale")
    cnn = bank_dir / "cnn.yaml"
    text = cnn.read_text("utf-8")
    start = text.index("  - id: cnn-one-by-one")
    cnn.write_text(text[:start] + text[text.index("  - id: cnn-conv-output-size"):],
                   encoding="utf-8")
    cache = BankCache(store, [bank_dir])
    ids = [e.id for e in cache.entries()]
    assert "cnn-one-by-one" not in ids
    assert cache.retirable(ids) == {"cnn-one-by-one"}
    assert BankCache(store, [bank_dir / "rnn.yaml"]).retirable(["rnn-lstm-vs-gru"]) == set()
