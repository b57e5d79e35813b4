"""`quiz config`, `quiz info`, `quiz backup`, shell completion, and the notice that a command
created a new database."""

import json
import os
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from conftest import run_cli
from typer.testing import CliRunner

from quiz import sm2
from quiz.cli import app
from quiz.model import Review
from quiz.store import Store

DAY = date(2026, 3, 2)


@pytest.fixture
def config_file(monkeypatch, tmp_path):
    path = tmp_path / "config.toml"
    monkeypatch.setenv("QUIZ_CONFIG", str(path))
    return path


@pytest.fixture
def answered(bank_env, config_file, monkeypatch):
    """The test bank's database with a few SM-2 answers of two questions, the study day
    fixed 30 days after them."""
    monkeypatch.setattr("quiz.config.today", lambda: DAY + timedelta(days=30))
    store = Store.open(bank_env)
    for qid, grades in [("cnn-pooling-purpose", (4, 5)), ("rnn-lstm-vs-gru", (2, 4, 4))]:
        day, state = DAY, None
        for quality in grades:
            state = sm2.next_state(state, quality, day)
            store.record(Review(qid, datetime(2026, 3, 2, tzinfo=UTC), 0, day, quality, state))
            day += timedelta(days=1)
    store.close()
    return bank_env


def rows(path) -> dict[str, list[tuple]]:
    """Every row of the log, the cards and the settings, read with plain sqlite3."""
    conn = sqlite3.connect(path)
    try:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall()
                for t in ("reviews", "cards", "settings", "bank_questions")}
    finally:
        conn.close()


def ids_per_file(folder) -> dict[str, int]:
    """Questions per bank file, counted in the text (not by the bank reader)."""
    return {p.name: sum(line.lstrip().startswith("- id:") for line in
                        p.read_text(encoding="utf-8").splitlines())
            for p in sorted(folder.glob("*.yaml"))}


# -- quiz config -----------------------------------------------------------------------------


def test_config_says_where_each_value_came_from(bank_env, config_file, monkeypatch):
    config_file.write_text('# mine\nnew_per_day = 4\norder = "bank"\n', encoding="utf-8")
    monkeypatch.setenv("QUIZ_LANG", "en")
    result = run_cli("config", "--db", bank_env)
    assert result.exit_code == 0
    first, *rest = result.stdout.splitlines()
    assert first == f"# config file: {config_file}"
    lines = {}
    for line in rest:
        setting, origin = line.split("  # ")
        lines[setting.split()[0].lstrip("#") or setting.split()[1]] = (setting.strip(), origin)
    assert lines["new_per_day"] == ("new_per_day = 4", f"config file {config_file}:2")
    assert lines["order"] == ('order = "bank"', f"config file {config_file}:3")
    assert lines["language"] == ('language = "en"', "environment QUIZ_LANG")
    assert lines["database"] == (f'database = "{bank_env}"', "--db")
    assert lines["leech_threshold"] == ("leech_threshold = 8", "default")
    assert lines["scheduler"] == ('scheduler = "sm2"', f"database {bank_env}")
    assert lines["sync_dir"] == ("# sync_dir (not set)", "default")


def test_config_output_pastes_into_a_config_file(bank_env, config_file):
    config_file.write_text('new_per_day = 4\nbanks = ["x.yaml"]\n', encoding="utf-8")
    printed = run_cli("config").stdout
    import tomllib

    parsed = tomllib.loads(printed)
    assert parsed["new_per_day"] == 4 and parsed["banks"][0].endswith("x.yaml")
    assert parsed["bundled"] is False and "sync_dir" not in parsed


def test_config_json_has_the_documented_keys(bank_env, config_file):
    config_file.write_text("rollover_hour = 5\n", encoding="utf-8")
    found = json.loads(run_cli("config", "--json").stdout)
    assert found["config_file"] == {"path": str(config_file), "exists": True}
    assert set(found["settings"]) == {
        "database", "banks", "bundled", "language", "new_per_day", "rollover_hour", "order",
        "leech_threshold", "scheduler", "desired_retention", "sync_dir", "sync_on_review"}
    assert found["settings"]["rollover_hour"] == {"value": 5, "source": "file",
                                                  "where": f"{config_file}:1"}
    assert found["settings"]["database"] == {"value": str(bank_env), "source": "environment",
                                             "where": "QUIZ_DB"}
    assert found["settings"]["bundled"] == {"value": False, "source": "environment",
                                            "where": "QUIZ_BUNDLED"}
    assert all(s["source"] in ("option", "environment", "file", "database", "default")
               for s in found["settings"].values())


def test_config_path_and_a_missing_file(cli_env, config_file):
    assert run_cli("config", "--path").stdout == f"{config_file}\n"
    result = run_cli("config", "--json")
    assert json.loads(result.stdout)["config_file"] == {"path": str(config_file),
                                                        "exists": False}


def test_config_does_not_create_the_database(cli_env, config_file, monkeypatch, tmp_path):
    monkeypatch.setenv("QUIZ_DB", str(tmp_path / "not-yet.db"))
    for args in (["config"], ["info"], ["info", "--json"]):
        result = run_cli(*args)
        assert result.exit_code == 0 and result.stderr == ""
    assert not (tmp_path / "not-yet.db").exists()


# -- the notice of a new database --------------------------------------------------------------


def test_a_new_database_is_announced_once(cli_env, monkeypatch, tmp_path):
    target = tmp_path / "forgotten" / "quiz.db"
    target.parent.mkdir()
    monkeypatch.setenv("QUIZ_DB", str(target))
    first = run_cli("stats", "--json")
    assert first.exit_code == 0
    assert first.stderr == f"Created a new review database at {target}\n"
    assert json.loads(first.stdout)  # standard output is the figures alone
    second = run_cli("stats", "--json")
    assert second.stderr == ""
    assert run_cli("stats", "--db", ":memory:", "--json").stderr == ""


# -- quiz info -------------------------------------------------------------------------------


def test_info_counts_and_banks(answered, bank_dir, config_file):
    found = json.loads(run_cli("info", "--json").stdout)
    from quiz import __version__

    assert found["version"] == __version__
    assert found["database"] == str(answered) and found["database_exists"] is True
    assert found["database_bytes"] >= os.path.getsize(answered) > 0
    assert found["config_file"] == str(config_file) and found["config_exists"] is False
    by_file = {os.path.basename(f["path"]): f["questions"] for f in found["bank_files"]}
    assert by_file == ids_per_file(bank_dir) == {"cnn.yaml": 3, "rnn.yaml": 1}
    assert found["questions"] == 4
    assert (found["cards_started"], found["reviews"]) == (2, 5)
    assert found["answers"] == {"review": 5}
    # 30 days on both cards are due again (intervals of 6 days at most)
    assert found["due_today"] == 2
    assert (found["scheduler"], found["desired_retention"]) == ("sm2", None)


def test_info_as_text(answered, config_file):
    text = run_cli("info").stdout
    assert f"Database:    {answered} (" in text
    assert f"Config file: {config_file} (not there)" in text
    assert "Banks:       4 questions in 2 file(s)" in text
    assert "Cards started: 2, reviews: 5, answers logged: 5, due today: 2" in text


def test_info_without_a_database(cli_env, bank_dir, monkeypatch, tmp_path, config_file):
    monkeypatch.setenv("QUIZ_DB", str(tmp_path / "none.db"))
    found = json.loads(run_cli("info", "--json", "--bank", bank_dir).stdout)
    assert (found["database_exists"], found["database_bytes"], found["questions"],
            found["reviews"]) == (False, 0, 4, 0)


# -- quiz backup -----------------------------------------------------------------------------


def test_backup_copies_every_row(answered, tmp_path):
    before = rows(answered)
    target = tmp_path / "copy.db"
    result = run_cli("backup", target)
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith(f"Backed up {answered} to {target} (5 logged answers")
    assert rows(target) == before
    assert before["reviews"] and before["cards"]
    copy = Store.open(target)  # opens as a quiz database
    assert len(copy.reviews()) == 5
    copy.close()
    assert not os.path.exists(f"{target}-wal")  # one self-contained file
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".copy.db")] == []


def test_backup_refuses_to_overwrite_without_force(answered, tmp_path):
    target = tmp_path / "old.db"
    target.write_bytes(b"keep me")
    result = run_cli("backup", target)
    assert result.exit_code == 2
    assert result.stderr == f"Error: {target} already exists; add --force to overwrite it\n"
    assert target.read_bytes() == b"keep me"
    assert run_cli("backup", target, "--force").exit_code == 0
    assert rows(target) == rows(answered)


@pytest.mark.parametrize("spelling", ["same", "link", "relative", "wal"])
def test_backup_refuses_the_database_itself(answered, spelling, tmp_path, monkeypatch):
    (tmp_path / "link.db").symlink_to(answered)
    monkeypatch.chdir(answered.parent / "bank")
    target = {"same": answered, "link": tmp_path / "link.db",
              "relative": Path("..") / answered.name,
              "wal": answered.parent / f"{answered.name}-wal"}[spelling]
    before = rows(answered)
    result = run_cli("backup", target, "--force")
    assert result.exit_code == 2
    assert result.stderr == f"Error: {target} is the database itself; give the backup " \
                            "another name\n"
    assert rows(answered) == before


def test_backup_into_a_folder_or_a_device_or_without_a_database(answered, tmp_path,
                                                                monkeypatch):
    assert run_cli("backup", tmp_path).stderr.startswith(f"Error: {tmp_path} is a folder")
    if os.path.exists("/dev/null"):
        result = run_cli("backup", "/dev/null", "--force")
        assert result.exit_code == 2 and "is not a regular file" in result.stderr
    result = run_cli("backup", tmp_path / "no" / "such" / "x.db")
    assert result.exit_code == 2 and "does not exist" in result.stderr
    monkeypatch.setenv("QUIZ_DB", str(tmp_path / "missing.db"))
    result = run_cli("backup", tmp_path / "x.db")
    assert result.exit_code == 1
    assert result.stderr == (f"Error: there is no database at {tmp_path / 'missing.db'} to "
                             "back up (see `quiz info`)\n")
    assert not (tmp_path / "missing.db").exists() and not (tmp_path / "x.db").exists()


def test_backup_while_another_connection_writes(answered, tmp_path):
    writer = sqlite3.connect(answered, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO settings (key, value) VALUES ('pending', 'x')")
    try:
        assert run_cli("backup", tmp_path / "during.db").exit_code == 0
    finally:
        writer.execute("COMMIT")
        writer.close()
    # the copy is a consistent snapshot: without the transaction still open at the time
    assert ("pending", "x") not in rows(tmp_path / "during.db")["settings"]
    assert rows(tmp_path / "during.db")["reviews"] == rows(answered)["reviews"]


# -- shell completion --------------------------------------------------------------------------


def complete(line: str, **env) -> list[str]:
    """What bash completion offers for `line` (the word being typed is its last), through
    click's `_QUIZ_COMPLETE=complete_bash` protocol."""
    words = line.split(" ")
    result = CliRunner().invoke(app, [], prog_name="quiz", env={
        "_QUIZ_COMPLETE": "complete_bash", "COMP_WORDS": line,
        "COMP_CWORD": str(len(words) - 1), **env})
    assert result.exit_code == 0, result.output
    return result.stdout.split()


@pytest.fixture
def cached(bank_env, bank_dir):
    """The test bank in the database's cache (any command that reads the bank fills it)."""
    assert run_cli("list").exit_code == 0
    return bank_dir


def test_completes_commands_and_options(cli_env):
    assert complete("quiz ba") == ["backup"]
    assert set(complete("quiz c")) == {"calc", "config"}
    assert complete("quiz review --to") == ["--topic"]
    assert "--install-completion" in complete("quiz --")
    assert complete("quiz review --lang ") == ["zh", "en", "both"]
    assert complete("quiz practice --scheduler f") == ["fsrs"]


def test_completes_ids_topics_and_tags_from_the_cache(cached):
    assert complete("quiz show cnn-") == ["cnn-pooling-purpose", "cnn-one-by-one",
                                          "cnn-conv-output-size"]
    assert complete("quiz try rnn-l") == ["rnn-lstm-vs-gru"]
    assert complete("quiz list --topic ") == ["cnn", "rnn"]
    tags = complete("quiz review --tag ")
    assert tags and len(tags) == len(set(tags))
    assert all(t.startswith("p") for t in complete("quiz list --tag p"))


def test_completion_never_reads_the_yaml(cached):
    for path in cached.rglob("*.yaml"):
        path.write_text("this: is: not: yaml: [", encoding="utf-8")
    assert "cnn-one-by-one" in complete("quiz show cnn-")


def test_completion_without_a_database_offers_nothing_and_creates_none(cli_env, tmp_path):
    missing = tmp_path / "nothing.db"
    assert complete("quiz show c", QUIZ_DB=str(missing)) == []
    assert not missing.exists()
    assert complete(f"quiz show --db {missing} c") == []


def test_config_works_beside_an_unusable_database(cli_env, config_file, tmp_path):
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"not a database at all" * 100)
    result = run_cli("config", "--db", broken, "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["settings"]["scheduler"]["source"] == "default"
    assert run_cli("info", "--db", broken).exit_code == 1  # info needs it, and says why


def test_config_lists_the_banks_of_every_layer(bank_env, bank_dir, config_file):
    config_file.write_text('banks = ["extra.yaml"]\n', encoding="utf-8")
    line = next(x for x in run_cli("config").stdout.splitlines() if x.startswith("banks"))
    assert line.split()[2:] == [f'["{config_file.parent / "extra.yaml"}",', f'"{bank_dir}"]',
                                "#", f"{config_file}:1", "+", "QUIZ_BANKS"]


def test_a_nul_in_a_path_option_is_a_usage_error(cli_env):
    result = run_cli("list", "--bank", "a\x00b")
    assert result.exit_code == 2
    assert result.stderr == "Error: an argument contains a NUL character (\\x00); remove it\n"


def test_completion_joins_tags_as_the_cache_does():
    from quiz import completion
    from quiz.bank import cache

    assert completion.TAG_SEPARATOR == cache.TAG_SEPARATOR
