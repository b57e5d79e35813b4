"""The environment quiz runs in: no home, odd time zones and rollovers, a full disk or a
closed pipe on standard output, database paths the system refuses. Each is a clear `Error:`
line with exit 1 or 2 (or, for a reader that left early, a quiet exit 0): never a traceback.
"""

import os
import pwd
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from quiz import config
from quiz.cli import app
from quiz.errors import UsageError
from quiz.store import Store

ROOT = Path(__file__).parent.parent
runner = CliRunner()


@pytest.fixture(autouse=True)
def env(bank_env):
    return bank_env


def invoke(args, **kw):
    return runner.invoke(app, args, catch_exceptions=False, **kw)


def quiz(*args, stdout=subprocess.PIPE, input="", **env):
    """Run `python -m quiz` in a child process (for what only a real process shows)."""
    return subprocess.run([sys.executable, "-m", "quiz", *args], cwd=ROOT, stdout=stdout,
                          stderr=subprocess.PIPE, text=True, timeout=60, input=input,
                          env={**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1", **env})


# -- no home folder ------------------------------------------------------------------------


def test_no_home_and_no_password_entry_is_a_clear_error(monkeypatch, tmp_path):
    for name in ("HOME", "QUIZ_DB", "XDG_DATA_HOME"):
        monkeypatch.delenv(name, raising=False)

    def unknown(uid):
        raise KeyError(f"getpwuid(): uid not found: {uid}")

    monkeypatch.setattr(pwd, "getpwuid", unknown)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["list"])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("Error: cannot find your home folder (HOME is not set")
    assert "set HOME, QUIZ_DB or --db" in result.stderr
    assert not (tmp_path / "~").exists()  # nothing made in a folder literally named "~"
    assert invoke(["list", "--db", str(tmp_path / "given.db")]).exit_code == 0


@pytest.mark.slow
def test_a_real_process_with_an_unknown_user_and_no_home(tmp_path):
    setpriv = shutil.which("setpriv")
    if os.geteuid() != 0 or setpriv is None:
        pytest.skip("needs root and setpriv to run as a user id the system does not know")
    for needed in (ROOT, Path(sys.executable).parent):
        if not all(folder.stat().st_mode & 0o001 for folder in [needed, *needed.parents]):
            # e.g. a checkout inside a `mktemp -d` folder (mode 700): another user cannot
            # even start Python there, whatever quiz does
            pytest.skip(f"{needed} is not reachable by other users")
    uid = 54321
    while True:
        try:
            pwd.getpwuid(uid)
            uid += 1
        except KeyError:
            break
    env = {k: v for k, v in os.environ.items() if k not in ("HOME", "QUIZ_DB", "XDG_DATA_HOME")}
    here = tmp_path / "cwd"
    here.mkdir(mode=0o777)
    here.chmod(0o777)
    result = subprocess.run(
        [setpriv, f"--reuid={uid}", f"--regid={uid}", "--clear-groups", sys.executable, "-m",
         "quiz", "list"], cwd=here, capture_output=True, text=True, timeout=60,
        env={**env, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("Error: cannot find your home folder")
    assert "Traceback" not in result.stderr
    assert list(here.iterdir()) == []


# -- time zones and the rollover -----------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("tz", ["UTC+99", "UTC-99", "UTC+24", "<+25>-25"])
@pytest.mark.parametrize("command", [["list"], ["review"], ["stats"], ["plan"]],
                         ids=lambda c: c[0])
def test_a_time_zone_of_a_day_or_more_is_a_clear_error(tz, command):
    result = quiz(*command, TZ=tz)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"Error: the time zone TZ='{tz}' is not one quiz can use")
    assert "Traceback" not in result.stderr


def test_a_time_zone_just_under_a_day_works():
    result = quiz("list", TZ="UTC+23:59")
    assert result.returncode == 0, result.stderr


def rollover_is_valid(text):
    """The oracle: one or two ASCII digits making an hour of the day."""
    return (0 < len(text) <= 2 and all(c in "0123456789" for c in text)
            and int(text) <= 23)


@given(st.text(max_size=4) | st.sampled_from(["²", "٣", "२", "04", "4 ", "+4", "4.0", "24",
                                               "-1", "00", "23", "9" * 30]))
def test_rollover_takes_an_hour_in_ascii_digits_only(value):
    old = os.environ.get("QUIZ_ROLLOVER")
    try:
        if "\x00" in value:
            return  # no environment variable can hold a NUL
        os.environ["QUIZ_ROLLOVER"] = value
        if value == "":
            assert config.rollover_hour() == 4  # set but empty: the default
        elif rollover_is_valid(value):
            assert config.rollover_hour() == int(value)
        else:
            with pytest.raises(UsageError, match="QUIZ_ROLLOVER must be an hour from 0 to 23"):
                config.rollover_hour()
    finally:
        if old is None:
            os.environ.pop("QUIZ_ROLLOVER", None)
        else:
            os.environ["QUIZ_ROLLOVER"] = old


@pytest.mark.parametrize("value", ["²", "٣", "24", "-1", "99999999999999999999"])
def test_a_bad_rollover_is_a_usage_error_for_the_commands(monkeypatch, value):
    monkeypatch.setenv("QUIZ_ROLLOVER", value)
    for command in (["list", "--due"], ["review"], ["stats"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 2, result.output
        expected = f"Error: QUIZ_ROLLOVER must be an hour from 0 to 23, not {value!r}\n"
        assert result.stderr == expected


# -- standard output that cannot be written -------------------------------------------------

OUTPUTS = {  # a run of each command that prints something
    "review": ["review"], "practice": ["practice"], "mock": ["mock", "--history"],
    "plan": ["plan"], "validate": ["validate"], "list": ["list"],
    "show": ["show", "cnn-conv-output-size"], "calc": ["calc", "softmax", "1", "2", "3"],
    "export": ["export", "md", "-"], "stats": ["stats"],
    "try": ["try", "cnn-pooling-purpose", "--answer", "降低分辨率"], "scheduler": ["scheduler"],
    "config": ["config"], "info": ["info"],
    "sync": ["sync"],  # the folder from QUIZ_SYNC_DIR, set below
    "suspend": ["suspend", "cnn-conv-output-size"],
    "unsuspend": ["unsuspend", "cnn-conv-output-size"],
    "reset": ["reset", "--yes", "cnn-conv-output-size"],
}
# On a fresh database `undo` has nothing to undo: it only writes its Error line to stderr;
# `import` writes a bank file, and needs one to read.
# `backup` reports on stderr (standard output may be the backup's own pipe one day).
WITHOUT_OUTPUT = {"undo", "import", "backup"}


def test_every_command_has_an_output_run():
    assert set(OUTPUTS) | WITHOUT_OUTPUT == set(typer.main.get_command(app).commands)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(OUTPUTS))
def test_a_closed_pipe_exits_quietly_with_0(name, tmp_path):
    Store.open(tmp_path / "pipe.db").close()  # made already: no "Created a new …" line
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before quiz writes a byte: like `| head -0`
    try:
        result = quiz(*OUTPUTS[name], stdout=write_end, QUIZ_DB=str(tmp_path / "pipe.db"),
                      QUIZ_SYNC_DIR=str(tmp_path))
    finally:
        os.close(write_end)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("args", [["list"], ["stats"], ["show", "cnn-conv-output-size"],
                                  ["export", "md", "-"]], ids=lambda a: a[0])
def test_head_reading_one_line(args, tmp_path, bank_dir):
    shell = (f"{sys.executable} -m quiz {' '.join(args)} | head -1; "
             "echo \"status=${PIPESTATUS[0]}\"")
    result = subprocess.run(["bash", "-c", shell], cwd=ROOT, capture_output=True, text=True,
                            timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT),
                                             "QUIZ_DB": str(tmp_path / "head.db")})
    assert result.stdout.rstrip().endswith("status=0"), result
    assert "Traceback" not in result.stderr and "Error" not in result.stderr, result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("args", [["export", "md", "-"], ["export", "csv", "-"], ["list"],
                                  ["stats", "--json"]], ids=lambda a: " ".join(a[:2]))
def test_a_full_disk_on_standard_output_is_a_clear_error(args, tmp_path):
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    with open("/dev/full", "w") as full:
        result = quiz(*args, stdout=full, QUIZ_DB=str(tmp_path / "full.db"))
    assert result.returncode == 1, result.stderr
    assert result.stderr.endswith("Error: cannot write the output: No space left on device\n")
    assert "Traceback" not in result.stderr


# -- database paths the system refuses ------------------------------------------------------


def test_a_database_name_over_255_bytes(tmp_path):
    for path in (tmp_path / ("x" * 300 + ".db"), tmp_path / ("y" * 300) / "quiz.db"):
        result = runner.invoke(app, ["list", "--db", str(path)])
        assert result.exit_code == 1, result.output
        assert result.stderr.startswith(f"Error: cannot use the database path {path}: "
                                        "File name too long")


def unprivileged():
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("root ignores permissions, and setpriv is not here to drop that")
    caps = "-dac_override,-dac_read_search"
    return [setpriv, f"--inh-caps={caps}", f"--bounding-set={caps}", "--"]


@pytest.mark.slow
@pytest.mark.parametrize("where, mode, message", [
    ("locked/quiz.db", 0o000, "cannot use the database path {db}: Permission denied"),
    ("locked/sub/quiz.db", 0o000, "cannot use the database path {db}: Permission denied"),
    ("readonly/quiz.db", 0o555, "cannot open the database {db}: unable to open database file "
                                "(quiz needs to write in the folder {folder}"),
    ("readonly/sub/quiz.db", 0o555, "cannot create the folder for {db}: Permission denied"),
], ids=["not searchable", "under not searchable", "not writable", "under not writable"])
@pytest.mark.parametrize("command", [["list"], ["stats"], ["review"]], ids=lambda c: c[0])
def test_database_folders_without_permission(tmp_path, where, mode, message, command):
    prefix = unprivileged()
    db = tmp_path / where
    folder = tmp_path / where.split("/")[0]
    folder.mkdir()
    folder.chmod(mode)
    try:
        result = subprocess.run(
            [*prefix, sys.executable, "-m", "quiz", *command, "--db", str(db)], cwd=ROOT,
            capture_output=True, text=True, timeout=60, input="",
            env={**os.environ, "PYTHONPATH": str(ROOT)})
    finally:
        folder.chmod(0o755)
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("Error: " + message.format(db=db, folder=folder))
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_an_existing_database_in_a_folder_made_read_only(tmp_path):
    prefix = unprivileged()
    folder = tmp_path / "was-writable"
    folder.mkdir()
    db = folder / "quiz.db"
    assert quiz("list", "--db", str(db)).returncode == 0  # closed again: no -wal, no -shm
    folder.chmod(0o555)
    try:
        result = subprocess.run([*prefix, sys.executable, "-m", "quiz", "stats", "--db", str(db)],
                                cwd=ROOT, capture_output=True, text=True, timeout=60,
                                env={**os.environ, "PYTHONPATH": str(ROOT)})
    finally:
        folder.chmod(0o755)
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith(f"Error: cannot use the database {db}: ")
    assert f"quiz needs to write in the folder {folder}" in result.stderr
