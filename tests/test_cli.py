"""The typer app: exit codes and exact messages."""

import pytest
from conftest import run_cli
from typer.testing import CliRunner

from quiz.cli import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def env(cli_env):
    return cli_env


invoke = run_cli


def every_command() -> list[tuple[str, ...]]:
    """Every command path of the real app, sub-commands (`import anki`) included."""
    import click
    import typer.main

    paths = []
    for name, command in typer.main.get_command(app).commands.items():
        paths.append((name,))
        if isinstance(command, click.Group):
            paths += [(name, sub) for sub in command.commands]
    return paths


def test_every_command_has_help():
    commands = every_command()
    # the app has review, practice, mock, plan, stats, list, show, validate, export, import, …
    assert len(commands) >= 10 and ("review",) in commands
    for path in commands:
        result = invoke(*path, "--help")
        assert result.exit_code == 0 and "Usage:" in result.output, path
    top = invoke("--help").output
    assert all(path[0] in top for path in commands)


def test_validate_reports_every_problem_and_exits_2(tmp_path):
    from pathlib import Path

    broken = Path(__file__).parent / "data" / "broken" / "many.yaml"
    result = invoke("validate", broken)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0] == (
        f"{broken}:3: unknown key 'colour' in the bank (allowed: questions, title, topic)"
    )
    assert lines[-1] == "Error: 7 problem(s) in the bank; nothing was loaded"


def test_validate_summarises_a_good_bank(bank_dir):
    result = invoke("validate", bank_dir)
    assert result.exit_code == 0
    assert "4 questions in 2 file(s): OK" in result.output
    assert "cnn" in result.output and "rnn" in result.output


def test_unknown_topic_lists_the_known_ones(bank_dir):
    result = invoke("review", "--bank", bank_dir, "--topic", "gans")
    assert result.exit_code == 2
    assert "Error: unknown topic 'gans'; known topics:" in result.stderr
    assert "cnn" in result.stderr and "rnn" in result.stderr


def test_a_bad_database_is_a_clear_failure(tmp_path, bank_dir):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    result = invoke("list", "--bank", bank_dir, "--db", junk)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: cannot use the database {junk}: file is not a")
    assert junk.read_bytes() == b"not a database at all" * 100


def test_show_prints_answer_note_and_sources(bank_dir):
    result = invoke("show", "rnn-lstm-vs-gru", "--bank", bank_dir, "--lang", "en")
    assert result.exit_code == 0
    assert "How do LSTM and GRU differ?" in result.output
    assert "The source says GRU has three gates; it has two." in result.output
    assert "LSTM 和 GRU" not in result.output


def test_show_unknown_id_suggests(bank_dir):
    result = invoke("show", "rnn-lstm-vs-gr", "--bank", bank_dir)
    assert result.exit_code == 2
    assert "did you mean rnn-lstm-vs-gru?" in result.stderr


def test_bad_lang_is_a_usage_error(bank_dir):
    result = invoke("show", "rnn-lstm-vs-gru", "--bank", bank_dir, "--lang", "fr")
    assert result.exit_code == 2 and "--lang must be one of zh, en, both" in result.stderr


def test_review_with_nothing_due_says_when(bank_dir):
    result = invoke("review", "--bank", bank_dir, "--topic", "rnn", "--lang", "en", input="\n4\n")
    assert result.exit_code == 0 and "Recorded 4" in result.output
    again = invoke("review", "--bank", bank_dir, "--topic", "rnn", "--lang", "en")
    assert again.exit_code == 0
    assert "Nothing is due today. Next due:" in again.output


def test_list_due_shows_only_due_cards(bank_dir):
    invoke("review", "--bank", bank_dir, "--topic", "rnn", input="\n4\n")
    listed = invoke("list", "--bank", bank_dir, "--due")
    assert "0 question(s)" in listed.output
    everything = invoke("list", "--bank", bank_dir, "--topic", "rnn")
    assert "rnn-lstm-vs-gru" in everything.output


def test_version_prints_the_package_version():
    from typer.testing import CliRunner

    from quiz import __version__
    from quiz.cli import app

    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output == f"quiz {__version__}\n"


def test_make_review_installs_only_what_quiz_needs_to_run():
    import subprocess
    from pathlib import Path

    root = Path(__file__).parent.parent
    def planned(target):
        return subprocess.run(["make", "-n", "-B", target], cwd=root, capture_output=True,
                              text=True, check=True).stdout
    review, test = planned("review"), planned("test")
    assert "pip install --quiet -e .\n" in review and "[test]" not in review
    assert "-e '.[test]'" in test
