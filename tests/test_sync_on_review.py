"""The setting sync_on_review: review, practice and mock sync with the shared folder before
the queue is built and after the session, through the real commands; two databases
("devices") and one folder. Without a folder, or with one that cannot be used, the session
still runs and the answers stay."""

import json
import os

import pytest
from conftest import run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quiz import config
from quiz.errors import UsageError
from quiz.store import Store

NO_FOLDER = ("Warning: sync_on_review is on but no sync folder is set (QUIZ_SYNC_DIR or "
             "sync_dir in the config file); this session is not synced\n")
# one run of each study command that answers one card with a 4
ONE_ANSWER = {
    "review": (["review", "--limit", "1"], "x\n4\n"),
    "practice": (["practice", "--count", "1"], "x\n4\n"),
    "mock": (["mock", "--count", "1", "--topic", "rnn"], "x\n4\n"),  # an open card, not drawn
}


@pytest.fixture
def folder(tmp_path):
    target = tmp_path / "shared"
    target.mkdir()
    return target


@pytest.fixture
def synced_env(bank_env, monkeypatch, folder):
    """bank_env with sync_on_review on, the shared folder set and new cards in file order."""
    monkeypatch.setenv("QUIZ_SYNC_ON_REVIEW", "1")
    monkeypatch.setenv("QUIZ_SYNC_DIR", str(folder))
    monkeypatch.setenv("QUIZ_ORDER", "bank")
    return bank_env


def stored(db):
    """(the cards, the log by global id) of the database `db`."""
    store = Store.open(db)
    try:
        rows = store.query("SELECT device, seq, question_id, reviewed_at, quality, kind "
                           "FROM reviews")
        log = {(r["device"], r["seq"]): (r["question_id"], r["reviewed_at"], r["quality"],
                                         r["kind"]) for r in rows}
        assert len(log) == len(rows), "an answer is in the log twice"
        return store.cards(), log, store.device_id()
    finally:
        store.close()


def review(db, answers, *args):
    """`quiz review` on `db`, answering open cards with the grades `answers` ("q" quits, ""
    gives a numeric card up: grade 1); the result."""
    typed = "".join("q\n" if grade == "q" else "\n\n" if grade == "" else f"x\n{grade}\n"
                    for grade in answers)
    return run_cli("review", "--db", db, "--lang", "en", *args, input=typed)


def test_two_devices_see_each_others_answers_when_a_session_starts(synced_env, tmp_path):
    a, b = synced_env, tmp_path / "b.db"
    Store.open(b).close()

    first = review(a, ["4", "5"], "--limit", "2")
    assert first.exit_code == 0, first.output
    assert first.stderr == "Synced: 0 new row(s) in, 0 out\nSynced: 0 new row(s) in, 2 out\n"
    cards_a, log_a, device_a = stored(a)
    answered_a = {qid for qid, *_ in log_a.values()}
    assert len(answered_a) == 2

    second = review(b, [""], "--limit", "1")  # the next in the bank: a numeric card
    assert second.exit_code == 0, second.output
    assert second.stderr == "Synced: 2 new row(s) in, 0 out\nSynced: 0 new row(s) in, 1 out\n"
    cards_b, log_b, device_b = stored(b)
    assert {key: log_b[key] for key in log_a} == log_a  # A's answers, each once
    assert {qid: cards_b[qid] for qid in answered_a} == {qid: cards_a[qid] for qid in answered_a}
    own_b = {qid for (device, _), (qid, *_) in log_b.items() if device == device_b}
    assert len(own_b) == 1 and not own_b & answered_a  # A's cards were not due for B

    third = review(a, ["q"])
    assert third.exit_code == 0, third.output
    assert third.stderr.startswith("Synced: 1 new row(s) in, 0 out\n")
    cards_a, log_a, _ = stored(a)
    assert log_a == log_b
    assert cards_a == cards_b
    assert device_a != device_b


def test_quitting_after_one_answer_sends_that_answer(synced_env, folder):
    result = review(synced_env, ["4", "q"], "--limit", "2")
    assert result.exit_code == 0, result.output
    assert result.stderr == "Synced: 0 new row(s) in, 0 out\nSynced: 0 new row(s) in, 1 out\n"
    (own,) = folder.glob("*.jsonl")
    assert [json.loads(line)["quality"] for line in own.read_text().splitlines()] == [4]


@pytest.mark.parametrize("command", sorted(ONE_ANSWER))
def test_every_study_command_syncs_before_and_after(synced_env, folder, tmp_path, command):
    peer = Store.open(tmp_path / "peer.db")  # a device that answered a card already
    args, typed = ONE_ANSWER["review"]
    assert run_cli(*args, "--db", peer.path, "--lang", "en", input=typed).exit_code == 0
    peer.close()
    args, typed = ONE_ANSWER[command]
    result = run_cli(*args, "--lang", "en", input=typed)
    assert result.exit_code == 0, result.output
    first, second = result.stderr.splitlines()
    assert first == "Synced: 1 new row(s) in, 0 out"  # the peer's answer, before the queue
    assert second.startswith("Synced: 0 new row(s) in, ")
    assert int(second.split(", ")[1].split()[0]) >= 1  # and this one's, after it


@pytest.mark.parametrize("command", sorted(ONE_ANSWER))
def test_sync_on_without_a_folder_warns_once_and_the_session_runs(bank_env, monkeypatch,
                                                                  command):
    monkeypatch.setenv("QUIZ_SYNC_ON_REVIEW", "1")
    monkeypatch.delenv("QUIZ_SYNC_DIR", raising=False)
    args, typed = ONE_ANSWER[command]
    result = run_cli(*args, "--lang", "en", input=typed)
    assert result.exit_code == 0, result.output
    assert result.stderr == NO_FOLDER
    _, log, _ = stored(bank_env)
    assert [quality for _, _, quality, _ in log.values()] == [4]


def unusable(kind, tmp_path):
    """A sync folder that cannot be used: not there, a file, or (not as root) unreadable."""
    path = tmp_path / "unusable"
    if kind == "file":
        path.write_text("not a folder\n")
    elif kind == "unreadable":
        if os.geteuid() == 0:
            pytest.skip("root reads and writes any folder")
        path.mkdir()
        path.chmod(0)
    return path


@pytest.mark.parametrize("kind", ["missing", "file", "unreadable"])
def test_an_unusable_folder_is_a_warning_and_loses_no_answer(bank_env, monkeypatch, tmp_path,
                                                             kind):
    path = unusable(kind, tmp_path)
    monkeypatch.setenv("QUIZ_SYNC_DIR", str(path))
    try:
        result = review(bank_env, ["4", "5"], "--limit", "2", "--sync")
    finally:
        if kind == "unreadable":
            path.chmod(0o700)
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 2 and all(line.startswith("Warning: not synced: ") for line in lines)
    assert str(path) in lines[0] and lines[0].endswith("; the session goes on unsynced")
    assert lines[1].endswith("; this session's answers are saved here and go with the next sync")
    _, log, _ = stored(bank_env)
    assert sorted(quality for _, _, quality, _ in log.values()) == [4, 5]
    if kind == "missing":  # once the folder is there, the next session sends them
        path.mkdir()
        again = review(bank_env, ["q"], "--sync")
        assert again.stderr.startswith("Synced: 0 new row(s) in, 2 out\n")


def test_a_bad_line_in_a_peer_file_is_a_warning_and_the_rest_syncs(synced_env, folder,
                                                                   tmp_path):
    peer = tmp_path / "peer.db"
    Store.open(peer).close()
    assert review(peer, ["4"], "--limit", "1").exit_code == 0
    (peer_file,) = folder.glob("*.jsonl")
    with peer_file.open("a", encoding="utf-8") as out:
        out.write("[1, 2]\n")
    result = review(synced_env, ["5"], "--limit", "1")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "Synced: 1 new row(s) in, 0 out",
        f"Warning: sync left out {peer_file}:2: not a JSON object; a sync file holds one row "
        "of the log on each line",
        "Synced: 0 new row(s) in, 1 out",  # the same bad line is not named twice
    ]
    _, log, _ = stored(synced_env)
    assert sorted(quality for _, _, quality, _ in log.values()) == [4, 5]


def test_off_by_default_and_no_sync_beats_the_setting(bank_env, monkeypatch, folder):
    monkeypatch.setenv("QUIZ_SYNC_DIR", str(folder))
    result = review(bank_env, ["4"], "--limit", "1")
    assert result.exit_code == 0 and result.stderr == ""
    assert list(folder.iterdir()) == []  # nothing written
    monkeypatch.setenv("QUIZ_SYNC_ON_REVIEW", "1")
    result = review(bank_env, ["q"], "--no-sync")
    assert result.exit_code == 0 and result.stderr == ""
    assert list(folder.iterdir()) == []
    result = review(bank_env, ["q"])
    assert result.stderr.startswith("Synced: 0 new row(s) in, 1 out\n")


# -- the setting ------------------------------------------------------------------------------

FLAG_TEXT = st.sampled_from(["0", "1", "true", "false", "TRUE", "False", "yes", "2", " 1"])


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=FLAG_TEXT | st.text(st.characters(blacklist_categories=("Cs",),
                                              blacklist_characters="\x00"),
                                min_size=1, max_size=5))
def test_the_variable_takes_1_0_true_false_and_names_anything_else(monkeypatch, text):
    monkeypatch.setenv("QUIZ_SYNC_ON_REVIEW", text)
    expected = {"1": True, "true": True, "0": False, "false": False}.get(text.lower())
    if expected is None:
        with pytest.raises(UsageError) as caught:
            config.sync_on_review()
        assert str(caught.value) == f"QUIZ_SYNC_ON_REVIEW must be true or false, not {text!r}"
    else:
        assert config.sync_on_review() is expected
        assert config.sync_on_review(not expected) is (not expected)  # the option beats it


def test_the_file_key_and_quiz_config(bank_env, monkeypatch, tmp_path):
    path = tmp_path / "config.toml"
    monkeypatch.setenv("QUIZ_CONFIG", str(path))
    assert config.sync_on_review() is False
    path.write_text("sync_on_review = true\n", encoding="utf-8")
    assert config.resolve("sync_on_review") == config.Resolved("sync_on_review", True, "file",
                                                               f"{path}:1")
    shown = json.loads(run_cli("config", "--json").stdout)["settings"]["sync_on_review"]
    assert shown == {"value": True, "source": "file", "where": f"{path}:1"}
    path.write_text('sync_on_review = "yes"\n', encoding="utf-8")
    result = review(bank_env, ["4"], "--limit", "1")
    assert result.exit_code == 2
    assert result.stderr == (f"Error: {path}:1: sync_on_review must be true or false, "
                             "not 'yes'\n")
    assert stored(bank_env)[1] == {}  # stopped before any card was asked


@pytest.mark.slow
def test_ctrl_c_in_a_session_still_sends_its_answers(tmp_path, bank_dir, folder):
    import pexpect
    from pty_driver import ANSWER, SUMMARY, quiz_env, send_grade, spawn_review

    db = tmp_path / "pty.db"
    env = quiz_env(db, QUIZ_SYNC_ON_REVIEW="1", QUIZ_SYNC_DIR=str(folder))
    child = spawn_review(bank_dir, env, timeout=20)
    child.expect(ANSWER)
    child.sendline("")
    child.expect(r"Grade 0–5")
    send_grade(child, "4")
    child.expect("Recorded 4")
    child.expect(ANSWER)
    child.send("half an ans")
    child.sendintr()
    child.expect(r"Synced: 0 new row\(s\) in, 1 out")
    child.expect(SUMMARY)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    (own,) = folder.glob("*.jsonl")
    assert [json.loads(line)["quality"] for line in own.read_text().splitlines()] == [4]
