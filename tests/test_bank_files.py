"""Finding and reading bank files: every path that cannot be used is named, nothing is
skipped silently, the walk is bounded, and reading never blocks or runs without end.

Tests run as root, where permission bits do not apply: unreadable files and folders are
faked by making the system call fail as it would for another user (one real chmod test runs
when the tests do not run as root).
"""

import errno
import os
from pathlib import Path

import pytest
from conftest import run_cli

from quiz.bank import files as bank_files
from quiz.bank.files import BankFileError, read_bank_bytes
from quiz.bank.reader import load_bank, parse_file
from quiz.errors import BankError

GOOD = ("topic: t\ntitle: {zh: 题, en: T}\nquestions:\n"
        "  - id: t-one\n    zh: {q: 问, a: 答}\n    en: {q: Q, a: A}\n")


def problems(paths):
    with pytest.raises(BankError) as caught:
        load_bank(paths)
    return [(path, line, message) for path, line, message in caught.value.problems]


@pytest.fixture
def folder(tmp_path):
    target = tmp_path / "banks"
    target.mkdir()
    (target / "good.yaml").write_text(GOOD, encoding="utf-8")
    return target


def test_a_fifo_is_named_not_waited_for_nor_called_missing(folder):
    fifo = folder / "pipe.yaml"
    os.mkfifo(fifo)
    assert problems([fifo]) == [(str(fifo), 0, "it is a named pipe (FIFO), not a bank file")]
    assert problems([folder]) == [(str(fifo), 0, "it is a named pipe (FIFO), not a bank file")]
    with pytest.raises(BankFileError, match="named pipe"):
        read_bank_bytes(fifo)  # even past the walk's check: opened without blocking


def test_a_link_to_dev_zero_is_a_device_and_is_never_read_to_the_end(folder):
    link = folder / "zero.yaml"
    link.symlink_to("/dev/zero")
    assert problems([link]) == [(str(link), 0, "it is a device, not a bank file")]
    assert problems([folder]) == [(str(link), 0, "it is a device, not a bank file")]
    assert parse_file(link)[2] == [(str(link), 0, "it is a device, not a bank file")]


def test_a_broken_link_says_so(folder):
    link = folder / "gone.yaml"
    link.symlink_to(folder / "nowhere.yaml")
    message = "it is a symbolic link to a file that does not exist"
    assert problems([link]) == [(str(link), 0, message)]
    assert problems([folder]) == [(str(link), 0, message)]


def test_a_folder_read_as_a_file_and_a_folder_named_like_a_bank(folder):
    assert parse_file(folder)[2] == [(str(folder), 0, "it is a folder, not a bank file")]
    inner = folder / "more.yaml"
    inner.mkdir()
    (inner / "b.yaml").write_text(GOOD.replace("t-one", "t-two"), encoding="utf-8")
    assert [q.id for q in load_bank([folder]).questions] == ["t-one", "t-two"]


def test_a_missing_path_and_a_name_too_long(tmp_path):
    long = tmp_path / ("b" * 300 + ".yaml")
    assert problems([tmp_path / "nope.yaml", long]) == [
        (str(long), 0, "cannot be opened: the name is too long for the file system"),
        (str(tmp_path / "nope.yaml"), 0, "no such file or folder")]


def test_an_unreadable_file_is_named(folder, monkeypatch):
    real_open = os.open
    target = folder / "good.yaml"

    def refuse(path, *args, **kwargs):
        if Path(path) == target:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse)
    assert problems([folder]) == [(str(target), 0, "cannot be read: permission denied")]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_an_unreadable_file_really(folder):
    (folder / "good.yaml").chmod(0)
    assert problems([folder]) == [(str(folder / "good.yaml"), 0,
                                   "cannot be read: permission denied")]


def test_an_unreadable_subfolder_is_a_problem_not_a_silent_skip(folder, monkeypatch, cli_env):
    hidden = folder / "sub"
    hidden.mkdir()
    (hidden / "more.yaml").write_text(GOOD.replace("t-one", "t-two"), encoding="utf-8")
    real_scandir = os.scandir

    def refuse(path="."):
        if Path(path) == hidden:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", refuse)
    assert problems([folder]) == [(str(hidden), 0, "cannot list the folder: permission denied")]
    result = run_cli("validate", folder)
    assert result.exit_code == 2
    assert f"{hidden}: cannot list the folder: permission denied" in result.output


def test_a_folder_that_cannot_be_searched_names_its_files(folder, monkeypatch):
    """Mode 600 on a folder: its names can be listed, but nothing in it can be opened."""
    real_stat = os.stat

    def refuse(path, *args, **kwargs):
        if Path(path).parent == folder:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", refuse)
    assert problems([folder]) == [(str(folder / "good.yaml"), 0,
                                   "cannot be opened: permission denied")]


def test_the_walk_is_bounded_in_entries_and_says_so(tmp_path, monkeypatch):
    monkeypatch.setattr(bank_files, "MAX_ENTRIES", 50)
    for i in range(60):
        (tmp_path / f"f{i:02}.txt").write_text("")
    assert problems([tmp_path]) == [(str(tmp_path), 0, "more than 50 files and folders under "
                                                       "this folder; give the folder that "
                                                       "holds the banks")]


def test_the_walk_is_bounded_in_depth_and_says_so(tmp_path, monkeypatch):
    monkeypatch.setattr(bank_files, "MAX_WALK_DEPTH", 3)
    deep = tmp_path / "a" / "b" / "c" / "d"
    deep.mkdir(parents=True)
    (deep / "x.yaml").write_text(GOOD, encoding="utf-8")
    assert problems([tmp_path]) == [(str(deep), 0, "folders nested more than 3 deep under "
                                                   "the bank folder")]


def test_a_link_loop_is_walked_once(folder):
    (folder / "loop").symlink_to(folder)
    assert [q.id for q in load_bank([folder]).questions] == ["t-one"]


def test_hidden_entries_are_not_banks(folder):
    (folder / ".#good.yaml").symlink_to("/nowhere")  # an editor's lock file
    (folder / ".git").mkdir()
    (folder / ".git" / "x.yaml").write_text("not: [a bank", encoding="utf-8")
    assert [q.id for q in load_bank([folder]).questions] == ["t-one"]


def test_a_file_name_that_is_not_utf8_is_printed_escaped(folder, monkeypatch, cli_env):
    name = os.fsdecode(b"bad-\xff-\x1b[2J.yaml")
    (folder / name).write_bytes(b"topic: [\n")
    result = run_cli("validate", folder)
    assert result.exit_code == 2
    assert "bad-\\xff-\\e[2J.yaml:2: YAML syntax error" in result.output
    assert "\x1b" not in result.output


def test_the_signature_changes_with_a_problem(folder):
    before = bank_files.signature([folder])
    os.mkfifo(folder / "pipe.yaml")
    assert bank_files.signature([folder]) != before
