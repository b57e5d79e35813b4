"""`quiz show` shows the card; `--json` on show, list, validate and mock --history; practice
what you mean (IDs, --numeric, --failed-today) and an empty practice that is no error."""

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from pathlib import Path

import pytest
from conftest import run_cli

from quiz import config
from quiz.model import Card, CardState, Review
from quiz.review_queue import CARD_STATUSES, card_status
from quiz.store import Store

TODAY = date(2026, 3, 2)
CARD_KEYS = ["status", "due", "interval", "efactor", "repetitions", "lapses", "reviews",
             "first_day", "last_day", "buried_until", "stability", "difficulty"]


def state(repetitions: int) -> CardState:
    return CardState(repetitions, 6, Fraction(13, 5), TODAY + timedelta(days=6))


@pytest.mark.parametrize(("card", "relearning", "status"), [
    (None, False, "new"),
    (Card("q", None, buried_until=TODAY + timedelta(days=1)), False, "buried"),
    (Card("q", None, buried_until=TODAY), False, "new"),  # the burial is over today
    (Card("q", state(2), retired=True), False, "retired"),
    (Card("q", state(1)), False, "learning"),
    (Card("q", state(0), lapses=1), False, "learning"),
    (Card("q", state(2)), True, "learning"),
    (Card("q", state(2)), False, "review"),
    (Card("q", state(5), buried_until=TODAY + timedelta(days=2)), False, "buried"),
])
def test_card_status(card, relearning, status):
    assert card_status(card, TODAY, relearning) == status
    assert status in CARD_STATUSES


def record(db: Path, question_id: str, quality: int, *, kind: str = "practice",
           answer: str | None = None, session: str | None = None,
           day: date | None = None) -> None:
    store = Store.open(db)
    now = datetime.now(UTC)
    store.record(Review(question_id=question_id, reviewed_at=now, utc_offset=0,
                        study_day=day or config.today(), quality=quality, state=None,
                        kind=kind, answer=answer, session=session, duration_ms=4200))
    store.close()


def test_show_prints_the_cards_state_and_its_history(bank_env):
    typed = "pooling keeps the strongest activation in each window " * 3
    review = run_cli("review", "--limit", "1", "--lang", "en", input=f"{typed}\n4\n")
    assert review.exit_code == 0 and "Recorded 4" in review.output
    record(bank_env, "cnn-pooling-purpose", 2, answer="多行\n的回答")
    result = run_cli("show", "cnn-pooling-purpose", "--lang", "en")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    tomorrow = config.today() + timedelta(days=1)
    assert (f"Card: learning · due {tomorrow} · interval 1 day(s) · EF 2.50 · lapses 0 · "
            "reviews 1") in lines
    start = lines.index("History (2)")
    first, second = lines[start + 1].split(), lines[start + 2].split()
    assert first[2:4] == ["review", "4"] and second[2:5] == ["practice", "2", "多行"]
    assert lines[start + 1].endswith("…")  # the long typed answer is clipped to one line
    assert "pooling keeps the strongest" in lines[start + 1]
    assert len(lines[start + 1]) < 100


def test_show_of_a_new_card_says_new_and_no_answers(bank_env):
    result = run_cli("show", "rnn-lstm-vs-gru", "--lang", "zh")
    assert result.exit_code == 0
    assert "卡片：新卡片 · 遗忘 0 次 · 复习 0 次" in result.output
    assert "还没有作答记录" in result.output


def test_show_json_has_the_documented_keys_and_the_whole_typed_answer(bank_env):
    long_answer = "GRU 把门合并了 " * 20
    record(bank_env, "rnn-lstm-vs-gru", 1, answer=long_answer)
    result = run_cli("show", "rnn-lstm-vs-gru", "--json")
    assert result.exit_code == 0
    assert "LSTM 和 GRU" in result.output  # UTF-8 as it is, not \u escapes
    data = json.loads(result.output)
    assert list(data) == ["id", "topic", "type", "tags", "file", "line", "question", "brief",
                          "answer", "note", "check", "key_points", "sources", "card",
                          "history"]
    assert data["question"]["en"] == "How do LSTM and GRU differ?"
    assert data["note"]["en"] == "The source says GRU has three gates; it has two."
    assert list(data["card"]) == CARD_KEYS
    assert data["card"]["status"] == "new" and data["card"]["due"] is None
    (answer,) = data["history"]
    assert list(answer) == ["reviewed_at", "study_day", "kind", "grade", "answer", "seconds",
                            "scheduled"]
    assert answer["answer"] == long_answer and answer["grade"] == 1
    assert answer["kind"] == "practice" and answer["scheduled"] is False
    assert answer["seconds"] == 4.2 and answer["study_day"] == config.today().isoformat()


def test_show_json_of_a_numeric_template_names_its_check(bank_env):
    data = json.loads(run_cli("show", "cnn-conv-output-size", "--json").output)
    assert data["check"] == "conv_output_size" and data["answer"] is None


def test_list_json_one_object_per_question_with_its_card(bank_env):
    run_cli("review", "--limit", "1", "--lang", "en", input="a\n5\n")
    result = run_cli("list", "--json")
    assert result.exit_code == 0
    rows = json.loads(result.output)
    assert [r["id"] for r in rows] == ["cnn-pooling-purpose", "cnn-one-by-one",
                                       "cnn-conv-output-size", "rnn-lstm-vs-gru"]
    assert list(rows[0]) == ["id", "topic", "type", "tags", "question", "relearn", *CARD_KEYS]
    assert rows[0]["status"] == "learning" and rows[0]["interval"] == 1
    assert rows[0]["efactor"] == 2.6 and rows[0]["reviews"] == 1
    assert rows[1]["status"] == "new" and rows[1]["efactor"] is None
    assert rows[3]["question"]["zh"] == "LSTM 和 GRU 有什么区别？"


def test_list_json_marks_cards_to_relearn(bank_env):
    run_cli("review", "--limit", "1", "--lang", "en", input="a\n2\n")  # failed: relearn today
    due = json.loads(run_cli("list", "--due", "--json").output)
    assert [(r["id"], r["relearn"], r["status"]) for r in due] == [
        ("cnn-pooling-purpose", True, "learning")]


def test_validate_json_summarises_or_lists_every_problem(bank_dir, cli_env):
    good = run_cli("validate", bank_dir, "--json")
    assert good.exit_code == 0
    assert json.loads(good.output) == {
        "ok": True, "files": 2, "questions": 4, "problems": [],
        "topics": {"cnn": {"open": 2, "numeric": 1, "total": 3},
                   "rnn": {"open": 1, "numeric": 0, "total": 1}}}
    broken = Path(__file__).parent / "data" / "broken" / "many.yaml"
    bad = run_cli("validate", broken, "--json")
    assert bad.exit_code == 2
    data = json.loads(bad.stdout)
    assert data["ok"] is False and len(data["problems"]) == 7
    assert data["problems"][0] == {
        "file": str(broken), "line": 3,
        "message": "unknown key 'colour' in the bank (allowed: questions, title, topic)"}
    assert "Error: 7 problem(s) in the bank; nothing was loaded" in bad.stderr


def test_mock_history_json(bank_env):
    assert json.loads(run_cli("mock", "--history", "--json").output) == []
    record(bank_env, "cnn-pooling-purpose", 5, kind="mock", session="mock-a")
    record(bank_env, "rnn-lstm-vs-gru", 2, kind="mock", session="mock-a")
    result = run_cli("mock", "--history", "--json")
    assert result.exit_code == 0
    (only,) = json.loads(result.output)
    assert list(only) == ["session", "started", "answered", "score"]
    assert only["session"] == "mock-a" and only["answered"] == 2 and only["score"] == 0.7
    assert datetime.fromisoformat(only["started"]).tzinfo is not None


def test_mock_json_without_history_is_a_usage_error(bank_env):
    result = run_cli("mock", "--json")
    assert result.exit_code == 2 and "--json goes with --history" in result.stderr


def asked(db: Path) -> list[str]:
    store = Store.open(db)
    try:
        return [r.question_id for r in store.reviews() if r.kind == "practice"]
    finally:
        store.close()


def test_practice_the_ids_given_in_their_order(bank_env):
    result = run_cli("practice", "rnn-lstm-vs-gru", "cnn-one-by-one", "rnn-lstm-vs-gru",
                     "--lang", "en", input="a\n4\nb\n3\nc\n5\n")
    assert result.exit_code == 0
    assert "Practised 2 question(s)" in result.output
    assert asked(bank_env) == ["rnn-lstm-vs-gru", "cnn-one-by-one"]


def test_practice_an_unknown_id_is_a_usage_error_with_close_ids(bank_env):
    result = run_cli("practice", "cnn-one-by-one", "rnn-lstm-vs-gr")
    assert result.exit_code == 2
    assert ("Error: no question with id 'rnn-lstm-vs-gr'; did you mean rnn-lstm-vs-gru?"
            in result.stderr)
    assert asked(bank_env) == []


def test_practice_numeric_asks_only_numeric_templates(bank_env):
    result = run_cli("practice", "--numeric", "--lang", "en", input="16\n\n3\n")
    assert result.exit_code == 0
    titles = [line for line in result.output.splitlines() if line.startswith("╭─ ")]
    assert titles and all("cnn-conv-output-size" in t for t in titles)


def test_practice_failed_today_asks_only_cards_graded_below_3_today(bank_env):
    record(bank_env, "rnn-lstm-vs-gru", 2)
    record(bank_env, "cnn-one-by-one", 3)
    record(bank_env, "cnn-pooling-purpose", 0, day=config.today() - timedelta(days=1))
    result = run_cli("practice", "--failed-today", "--lang", "en", input="a\n4\n")
    assert result.exit_code == 0 and "Practised 1 question(s)" in result.output
    assert asked(bank_env)[3:] == ["rnn-lstm-vs-gru"]


@pytest.mark.parametrize(("options", "message"), [
    (["--weak"], "Nothing to practise: no card is weak (E-Factor below 2.0 or a lapse)."),
    (["--failed-today"], "Nothing to practise: no card was graded below 3 today."),
    (["--numeric", "--topic", "rnn"], "Nothing to practise: no card is a numeric template."),
])
def test_nothing_to_practise_is_a_plain_line_and_exit_0(bank_env, options, message):
    result = run_cli("practice", *options, "--lang", "en")
    assert result.exit_code == 0
    assert result.output == message + "\n" and result.stderr == ""


def test_practice_filters_combine_and_given_ids_keep_their_order():
    from quiz.review_queue import in_given_order, nothing_to_practise, practice_queue

    @dataclass(frozen=True)
    class Item:
        id: str
        topic: str = "t"
        type: str = "open"
        tags: tuple = ()

    items = [Item("a"), Item("n1", type="numeric"), Item("b"), Item("n2", type="numeric")]
    weak = {"b": Card("b", state(2), lapses=1), "n2": Card("n2", state(2), lapses=2)}
    assert [q.id for q in practice_queue(items, weak, count=9, numeric=True)] == ["n1", "n2"]
    assert [q.id for q in practice_queue(items, weak, count=9, weak=True)] == ["b", "n2"]
    assert [q.id for q in practice_queue(items, weak, count=9, numeric=True,
                                         failed={"n1", "a"})] == ["n1"]
    assert practice_queue(items, weak, count=9, failed=set()) == []
    assert [q.id for q in in_given_order(items, ["n2", "a", "n2", "zz"])] == ["n2", "a"]
    assert nothing_to_practise(weak=True, numeric=True, failed_today=False)[1] == (
        "Nothing to practise: no card is weak (E-Factor below 2.0 or a lapse) and is a "
        "numeric template.")


@pytest.mark.slow
def test_show_history_keeps_each_answer_on_one_row_of_a_narrow_terminal(tmp_path, bank_dir):
    import pexpect
    from screen_driver import ROWS, cells, screen_of, spawn_session

    db = tmp_path / "show.db"
    typed = "门控循环单元把遗忘门和输入门合成一个更新门，" * 4
    record(db, "rnn-lstm-vs-gru", 2, answer=typed)
    record(db, "rnn-lstm-vs-gru", 4, answer="two gates")
    child = spawn_session(bank_dir, db, 50, "zh", "rnn-lstm-vs-gru", command="show")
    try:
        child.expect(pexpect.EOF)
        screen = screen_of(child, 50)
    finally:
        child.close(force=True)
    assert len(screen) == ROWS
    start = screen.index("作答记录（2）")
    first, second = screen[start + 1], screen[start + 2]
    assert first.endswith("…") and "门控循环单元" in first and cells(first) <= 50
    assert "practice 2" in first.replace("  ", " ")
    assert second.endswith("two gates") and "practice 4" in second.replace("  ", " ")
