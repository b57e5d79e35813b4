"""quiz export: selection, stable ids, the CSV and Markdown writers, safe files, the command."""

import csv
import io
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction

import genanki
import pytest
from conftest import DATA, examples, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from quiz import config, sm2
from quiz.bank.files import bundled_dir
from quiz.bank.reader import load_bank
from quiz.errors import UsageError
from quiz.export import selection as export
from quiz.export.markdown import block, escape_inline, write_markdown
from quiz.export.spreadsheet import columns, write_csv
from quiz.model import Card, CardState, Review
from quiz.review_queue import still_due

TEST_BANK = load_bank([DATA / "bank"])
TEST_BANK_IDS = [q.id for q in TEST_BANK.questions]


@pytest.fixture
def bank(bank_dir):
    return load_bank([bank_dir])


@pytest.fixture(scope="module")
def bundled():
    return load_bank([bundled_dir()])


@pytest.fixture
def env(cli_env, monkeypatch):
    # 2026-03-02 10:00 local time: study day 2026-03-02 whatever the machine's clock says
    monkeypatch.setattr(config, "local_now", lambda: datetime(2026, 3, 2, 10, 0).astimezone())
    return cli_env


invoke = run_cli


def csv_rows(text, delimiter=","):
    return list(csv.DictReader(io.StringIO(text), delimiter=delimiter))


# -- ids and cards --------------------------------------------------------------------------


def test_ids_are_fixed_hashes_of_fixed_strings():
    assert export.stable_id("quiz-note-v1") == 1423475459  # changing this orphans every note
    assert export.stable_id("quiz::cnn") != export.stable_id("quiz::rnn")
    assert all(1 << 30 <= export.stable_id(k) < 1 << 31 for k in ("quiz", "quiz::cnn", "x"))
    for key in ("cnn-pooling-purpose", "cnn-conv-output-size#4", "中文"):
        assert export.note_guid(key) == genanki.guid_for(key)


def test_one_card_per_open_question_and_k_per_numeric_template(bank):
    cards = export.flashcards(bank.questions, instances=3)
    open_ids = [q.id for q in bank.questions if q.type == "open"]
    numeric_ids = [q.id for q in bank.questions if q.type == "numeric"]
    assert [c.id for c in cards if c.seed is None] == open_ids
    assert len([c for c in cards if c.seed is not None]) == 3 * len(numeric_ids)
    assert len({c.guid for c in cards}) == len(cards)
    instance = next(c for c in cards if c.seed is not None)
    assert instance.id == f"cnn-conv-output-size#{instance.seed}"
    assert "{" not in instance.prompt.en and instance.answer.en.isdigit()
    assert "PyTorch" in instance.solution.en


def test_numeric_instances_are_distinct_repeatable_and_stable_when_more_are_asked(bank):
    question = bank.by_id()["cnn-conv-output-size"]
    three = export.numeric_instances(question, 3)
    assert len({repr(sorted(i.values.items())) for i in three}) == 3
    assert [i.seed for i in export.numeric_instances(question, 3)] == [i.seed for i in three]
    assert export.numeric_instances(question, 5)[:3] == three
    assert export.flashcards([question], instances=0) == []


def test_tags_are_the_banks_and_the_topic_without_spaces(bank):
    card = export.flashcards([bank.by_id()["rnn-lstm-vs-gru"]])[0]
    assert card.tags == ["lstm", "gru", "rnn"]


def test_by_topic_groups_in_the_banks_topic_order(bank):
    shuffled = sorted(bank.questions, key=lambda q: q.topic, reverse=True)
    assert [q.topic for q in export.by_topic(shuffled, bank.topics)] == [
        "cnn", "cnn", "cnn", "rnn"]


def state(due, ef="2.5"):
    return CardState(repetitions=1, interval=1, efactor=Fraction(ef), due=due)


def test_due_and_weak_filters(bank, today):
    cards = {
        "cnn-pooling-purpose": Card("cnn-pooling-purpose", state(today)),  # due today
        "cnn-one-by-one": Card("cnn-one-by-one", state(today + timedelta(days=3)), lapses=1),
        "rnn-lstm-vs-gru": Card("rnn-lstm-vs-gru", state(today + timedelta(days=9), "1.9")),
    }
    def ids(**kw):
        return [q.id for q in export.filter_by_state(bank.questions, cards, today=today, **kw)]
    assert ids(due_days=0) == ["cnn-pooling-purpose"]
    assert ids(due_days=3) == ["cnn-pooling-purpose", "cnn-one-by-one"]
    assert ids(weak=True) == ["cnn-one-by-one", "rnn-lstm-vs-gru"]
    assert ids(due_days=3, weak=True) == ["cnn-one-by-one"]
    assert len(ids()) == len(bank.questions)  # never-reviewed cards pass only without filters


EXPORT_DAY = date(2026, 3, 2)


@st.composite
def logged_cards(draw):
    """Cards of the test bank in any state: new, due or not, buried, seen in the window."""
    cards = {}
    for qid in draw(st.sets(st.sampled_from(TEST_BANK_IDS))):
        offset = draw(st.integers(-5, 40))
        state = draw(st.none() | st.just(
            CardState(2, max(offset, 1), Fraction(5, 2), EXPORT_DAY + timedelta(days=offset))))
        buried = draw(st.none() | st.integers(-1, 2).map(lambda d: EXPORT_DAY + timedelta(d)))
        last = draw(st.none() | st.integers(-10, 0).map(lambda d: EXPORT_DAY + timedelta(d)))
        cards[qid] = Card(qid, state, last_day=last, buried_until=buried)
    return cards


@settings(max_examples=examples(200))
@given(cards=logged_cards(), interview=st.none() | st.integers(-1, 8).map(
    lambda d: EXPORT_DAY + timedelta(days=d)))
def test_export_only_due_is_list_dues_rule(cards, interview):
    """`export --only-due` and `list --due` (review_queue.still_due) mean one thing: buried
    cards are out, the interview plan's earlier dates count (cards to relearn aside)."""
    questions = TEST_BANK.questions
    exported = export.filter_by_state(questions, cards, today=EXPORT_DAY, due_days=0,
                                      interview=interview)
    listed, _ = still_due(questions, cards, EXPORT_DAY, interview=interview)
    assert {q.id for q in exported} == {q.id for q in listed}


def test_html_is_escaped_with_breaks_and_aligned_spaces():
    assert export.to_html('x < 0 & "y"\n  6 6\n- a') == (
        'x &lt; 0 &amp; "y"<br>&nbsp;&nbsp;6 6<br>- a')
    assert export.to_html(None) == ""


# -- CSV ------------------------------------------------------------------------------------


def test_csv_has_a_header_and_one_utf8_row_per_card(bank):
    out = io.StringIO(newline="")
    cards = export.flashcards(bank.questions)
    assert write_csv(cards, out) == len(cards)
    rows = csv_rows(out.getvalue())
    assert list(rows[0]) == columns("both")
    assert [r["id"] for r in rows] == [c.id for c in cards]
    gru = next(r for r in rows if r["id"] == "rnn-lstm-vs-gru")
    assert gru["topic"] == "rnn" and gru["tags"] == "lstm gru"
    assert gru["question_zh"] == "LSTM 和 GRU 有什么区别？"
    assert gru["question_en"] == "How do LSTM and GRU differ?"
    assert gru["note_en"] == "The source says GRU has three gates; it has two."
    pooling = next(r for r in rows if r["id"] == "cnn-pooling-purpose")
    assert pooling["answer_en"].count("\n") == 2  # raw text, newlines kept inside quotes
    assert pooling["sources"].startswith("算法工程师-机器学习面试题总结(4): Pooling")


def test_tsv_and_one_language(bank):
    out = io.StringIO(newline="")
    write_csv(export.flashcards(bank.questions), out, lang="en", tsv=True)
    header = out.getvalue().split("\n")[0].split("\t")
    assert header == ["id", "topic", "tags", "question_en", "answer_en", "solution_en",
                      "note_en", "sources"]


def test_anki_header_replaces_the_header_row(bank):
    out = io.StringIO(newline="")
    write_csv(export.flashcards(bank.questions), out, tsv=True, anki_header=True)
    lines = out.getvalue().split("\n")
    names = columns("both", anki_header=True)
    assert lines[:8] == [
        "#separator:Tab", "#html:true", "#notetype:Basic", "#columns:" + "\t".join(names),
        f"#tags column:{names.index('tags') + 1}", f"#deck column:{names.index('deck') + 1}",
        f"#guid column:{names.index('guid') + 1}", "#if matches:update current"]
    first = next(csv.reader([lines[8]], delimiter="\t"))
    assert first[names.index("guid")] == export.note_guid("cnn-pooling-purpose")
    assert first[names.index("deck")] == "quiz::cnn"
    assert first[names.index("tags")] == "pooling cnn"
    assert "<br>" in first[names.index("answer_en")]


# -- Markdown -------------------------------------------------------------------------------


def test_markdown_sheet_has_every_question_id_and_both_languages(bundled):
    out = io.StringIO()
    cards = export.flashcards(export.by_topic(bundled.questions, bundled.topics))
    assert write_markdown(cards, bundled.topics, out) == len(bundled.questions)
    sheet = out.getvalue()
    for q in bundled.questions:
        assert f"\n### {q.id}\n" in sheet
        assert f"](#{q.id})" in sheet  # in the table of contents
        if q.type == "open":
            for text in (q.prompt.zh, q.prompt.en, q.answer.zh, q.answer.en):
                assert block(text) in sheet
    for topic in bundled.topics.values():
        assert f"## {escape_inline(topic.title.zh)} · {escape_inline(topic.title.en)}" in sheet
    assert sheet.count("**例 · Example ") == sum(
        len(export.numeric_instances(q, 3)) for q in bundled.questions if q.type == "numeric")


def test_markdown_in_one_language_marks_corrections(bank):
    out = io.StringIO()
    write_markdown(export.flashcards(bank.questions), bank.topics, out, lang="en")
    sheet = out.getvalue()
    assert "> ⚠️ **Correction**" in sheet
    assert "> The source says GRU has three gates; it has two." in sheet
    assert "LSTM 和 GRU" not in sheet and "更正" not in sheet
    assert "- smaller maps: less computation" in sheet  # bullets stay a list


def test_markdown_escapes_formulas_and_keeps_line_breaks():
    assert escape_inline("x_i * w < 0 | a") == r"x\_i \* w \< 0 \| a"
    assert escape_inline("  6 6") == "&nbsp;&nbsp;6 6"
    assert block("one\ntwo\n- a\n- b\nend") == "one\\\ntwo\n- a\n- b\n\nend"


# -- files ----------------------------------------------------------------------------------


def test_an_existing_file_is_replaced_only_with_force(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old")
    with pytest.raises(UsageError, match="already exists; add --force"):
        export.write_file(target, lambda out: out.write(b"new"), force=False)
    assert target.read_text() == "old"
    export.write_file(target, lambda out: out.write(b"new"), force=True)
    assert target.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_a_failed_write_leaves_no_file_and_no_temp(tmp_path):
    def broken(out):
        out.write(b"half")
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        export.write_file(tmp_path / "out.md", broken, force=False)
    assert list(tmp_path.iterdir()) == []


# -- the command ----------------------------------------------------------------------------


def test_export_csv_to_stdout(env, bank_dir):
    result = invoke("export", "csv", "-", "--bank", bank_dir, "--topic", "rnn")
    assert result.exit_code == 0
    rows = csv_rows(result.stdout)
    assert [r["id"] for r in rows] == ["rnn-lstm-vs-gru"]
    assert result.stderr == "Wrote 1 card(s) from 1 question(s) to standard output\n"


def test_export_writes_files_and_refuses_to_overwrite(env, bank_dir, tmp_path):
    target = tmp_path / "sheet.md"
    first = invoke("export", "md", target, "--bank", bank_dir, "--instances", "2")
    assert first.exit_code == 0
    assert first.stdout == f"Wrote 5 card(s) from 4 question(s) to {target}\n"
    again = invoke("export", "md", target, "--bank", bank_dir)
    assert again.exit_code == 2
    assert again.stderr == f"Error: {target} already exists; add --force to replace it\n"
    forced = invoke("export", "md", target, "--bank", bank_dir, "--force", "--lang", "zh")
    assert forced.exit_code == 0 and "Correction" not in target.read_text()


@pytest.mark.parametrize(("args", "message"), [
    (["pdf", "x.pdf"], "Error: Invalid value for 'FORMAT': 'pdf' is not one of 'anki', 'csv', "
                       "'md'."),
    (["md", "x.md", "--tsv"], "Error: --tsv and --anki-header apply to csv only"),
    (["anki", "-"], "Error: an .apkg cannot go to standard output; give a file name"),
    (["csv", "-", "--topic", "gans"], "Error: unknown topic 'gans'; known topics: cnn, rnn"),
])
def test_export_usage_errors(env, bank_dir, args, message):
    result = invoke("export", *args, "--bank", bank_dir)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1 if message.startswith("Error: Invalid") else 0] == message


def record(store, qid, quality, day):
    card = store.card(qid)
    new_state = sm2.next_state(card.state if card else None, quality, day)
    store.record(Review(question_id=qid, reviewed_at=datetime(2026, 3, 2, 9, tzinfo=UTC),
                        utc_offset=0, study_day=day, quality=quality, state=new_state))


def test_export_only_due_and_weak_read_the_review_history(env, bank_dir, store):
    monday = date(2026, 3, 2)
    record(store, "rnn-lstm-vs-gru", 5, monday - timedelta(days=1))  # due today
    record(store, "cnn-one-by-one", 1, monday)  # a lapse: weak, due tomorrow
    record(store, "cnn-pooling-purpose", 5, monday)  # due tomorrow, strong

    def ids(*args):
        result = invoke("export", "csv", "-", "--bank", bank_dir, "--db", store.path, *args)
        assert result.exit_code == 0, result.stderr
        return [r["id"] for r in csv_rows(result.stdout)]

    assert ids("--only-due") == ["rnn-lstm-vs-gru"]
    assert ids("--days", "1") == ["cnn-pooling-purpose", "cnn-one-by-one", "rnn-lstm-vs-gru"]
    assert ids("--weak") == ["cnn-one-by-one"]
    empty = invoke("export", "csv", "-", "--bank", bank_dir, "--db", store.path, "--weak",
                   "--only-due")
    assert empty.exit_code == 1
    assert empty.stderr == "Error: nothing to export: no question matches the filters\n"
    # the same "due" as `list --due`: a card buried today is not due (issue 14)
    store.bury("rnn-lstm-vs-gru", monday + timedelta(days=1))
    assert "rnn-lstm-vs-gru" not in ids("--days", "1")


def test_export_is_documented(env):
    result = invoke("export", "--help")
    assert result.exit_code == 0
    for option in ("--topic", "--tag", "--lang", "--only-due", "--days", "--weak",
                   "--instances", "--force", "--tsv", "--anki-header", "--bank", "--db"):
        assert option in result.output
    assert "export" in invoke("--help").output


# -- hostile targets ------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm", "-journal"])
def test_export_refuses_the_database_and_its_files_under_any_name(env, bank_dir, tmp_path,
                                                                  suffix):
    db = tmp_path / "cli.db"
    assert invoke("list", "--bank", bank_dir).exit_code == 0  # the database exists now
    protected = db.with_name(db.name + suffix)
    link = tmp_path / "innocent.csv"
    link.symlink_to(protected)
    (tmp_path / "sub").mkdir()
    for target in (protected, link, tmp_path / "sub" / ".." / protected.name):
        result = invoke("export", "csv", target, "--bank", bank_dir, "--force")
        assert result.exit_code == 2, result.output
        assert result.stderr == (f"Error: {target} is the review database (or one of its "
                                 "files); export to another file\n")
    assert db.read_bytes().startswith(b"SQLite format 3\x00")
    assert invoke("list", "--bank", bank_dir).exit_code == 0


def test_a_hard_link_to_the_database_is_refused(env, bank_dir, tmp_path):
    import os

    assert invoke("list", "--bank", bank_dir).exit_code == 0
    os.link(tmp_path / "cli.db", tmp_path / "copy.csv")
    result = invoke("export", "md", tmp_path / "copy.csv", "--bank", bank_dir, "--force")
    assert result.exit_code == 2 and "is the review database" in result.stderr


def test_a_folder_where_no_file_can_be_made_is_a_clear_error(env, bank_dir):
    """/proc refuses new files even to root: the temp file fails inside the try."""
    result = invoke("export", "csv", "/proc/quiz.csv", "--bank", bank_dir)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("Error: cannot write /proc/quiz.csv: ")
    assert "Traceback" not in result.output


def test_a_read_only_folder_is_a_clear_error(env, bank_dir, tmp_path, monkeypatch):
    import errno
    import tempfile

    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    result = invoke("export", "anki", tmp_path / "deck.apkg", "--bank", bank_dir)
    assert result.exit_code == 1
    assert result.stderr == f"Error: cannot write {tmp_path / 'deck.apkg'}: permission denied\n"
    assert list(tmp_path.glob("*.apkg")) == []


def test_a_target_under_a_folder_that_cannot_be_searched(env, bank_dir, tmp_path,
                                                        monkeypatch):
    import errno
    import os

    locked = tmp_path / "locked"
    locked.mkdir()
    real_stat = os.stat

    def refuse(path, *args, **kwargs):
        if str(path).startswith(str(locked) + os.sep):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", refuse)
    result = invoke("export", "md", locked / "x.md", "--bank", bank_dir)
    assert result.exit_code == 2
    assert result.stderr == f"Error: cannot write {locked / 'x.md'}: permission denied\n"


def test_a_name_too_long_is_a_clear_error(env, bank_dir, tmp_path):
    target = tmp_path / ("x" * 300 + ".csv")
    result = invoke("export", "csv", target, "--bank", bank_dir)
    assert result.exit_code == 2
    assert result.stderr == (f"Error: cannot write {target}: the name is too long for the "
                             "file system\n")
    near = tmp_path / ("y" * 250 + ".csv")  # a long name that fits, and so does its temp
    assert invoke("export", "csv", near, "--bank", bank_dir).exit_code == 0 and near.exists()


def test_export_days_past_the_calendar_exports_every_reviewed_card(env, bank_dir, store):
    record(store, "rnn-lstm-vs-gru", 5, date(2026, 3, 2))
    result = invoke("export", "csv", "-", "--bank", bank_dir, "--db", store.path,
                    "--days", "3000000")
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in csv_rows(result.stdout)] == ["rnn-lstm-vs-gru"]
    assert export.days_after(date(2026, 3, 2), 10**12) == date.max


def test_a_file_name_with_escapes_is_printed_escaped(env, bank_dir, tmp_path):
    target = tmp_path / "a\x1b]0;pwned\x07.md"
    result = invoke("export", "md", target, "--bank", bank_dir)
    assert result.exit_code == 0 and target.exists()
    assert "\x1b" not in result.output and "a\\e]0;pwned\\x07.md" in result.stdout


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_target_that_is_not_a_regular_file_is_left_alone(env, bank_dir, tmp_path, kind):
    import os

    target = tmp_path / "pipe.csv"
    if kind == "fifo":
        os.mkfifo(target)
    else:
        target.symlink_to("/dev/null")  # renaming over /dev/null itself would replace it
    result = invoke("export", "csv", target, "--bank", bank_dir, "--force")
    assert result.exit_code == 2
    assert result.stderr == (f"Error: {target} is not a regular file (a device, a pipe or a "
                             "socket); give a file name, or - for standard output\n")
    assert not target.is_file() and (target.is_fifo() or target.is_symlink())
