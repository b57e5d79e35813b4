"""Shared fixtures: a temp database, a temp bank folder, a fixed study day."""

import os
import shutil
from datetime import date
from pathlib import Path

import pytest
from hypothesis import settings

from quiz.store import Store

DATA = Path(__file__).parent / "data"

# Hypothesis: CI (`make test`) sets HYPOTHESIS_PROFILE=ci and runs every example a test asks
# for; a developer's inner loop (the default, "dev") runs a fifth of them.
HYPOTHESIS_PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "dev")
settings.register_profile("ci", settings.get_profile("default"))
settings.register_profile("dev", max_examples=20)
settings.load_profile(HYPOTHESIS_PROFILE)


def examples(count: int) -> int:
    """`count` examples in CI, a fifth of them (10 at least) in the inner loop."""
    return count if HYPOTHESIS_PROFILE == "ci" else max(10, count // 5)


# Settings the machine's user may have: no test (nor a quiz it starts) may read them.
USER_SETTINGS = ("QUIZ_NEW_PER_DAY", "QUIZ_ORDER", "QUIZ_LEECH_THRESHOLD", "QUIZ_SCHEDULER",
                 "QUIZ_DESIRED_RETENTION", "QUIZ_SYNC_DIR", "QUIZ_SYNC_ON_REVIEW")


def pytest_configure(config):
    """No config file of the machine's user (QUIZ_CONFIG names one that is never there) and
    none of the settings' environment variables, for every test and every quiz it starts."""
    import os
    import tempfile

    os.environ["QUIZ_CONFIG"] = os.path.join(tempfile.gettempdir(), "quiz-tests-no-config",
                                             "config.toml")
    for name in USER_SETTINGS:
        os.environ.pop(name, None)


@pytest.fixture
def today() -> date:
    return date(2026, 3, 2)


@pytest.fixture
def store(tmp_path):
    db = Store.open(tmp_path / "quiz.db")
    yield db
    db.close()


@pytest.fixture
def bank_dir(tmp_path) -> Path:
    target = tmp_path / "bank"
    shutil.copytree(DATA / "bank", target)
    return target


@pytest.fixture
def cli_env(monkeypatch, tmp_path) -> Path:
    """The environment of a CLI test, apart from the machine's: its own database (returned,
    already made, so no command says it created it), no bundled bank and no QUIZ_BANKS, no
    QUIZ_LANG or QUIZ_ROLLOVER, and 200 columns so lines do not wrap."""
    db = tmp_path / "cli.db"
    Store.open(db).close()
    monkeypatch.setenv("QUIZ_DB", str(db))
    monkeypatch.delenv("QUIZ_BANKS", raising=False)
    monkeypatch.setenv("QUIZ_BUNDLED", "0")
    for name in ("QUIZ_LANG", "QUIZ_ROLLOVER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    return db


@pytest.fixture
def bank_env(cli_env, monkeypatch, bank_dir) -> Path:
    """`cli_env` with tests/data/bank (a copy) as the one bank, through QUIZ_BANKS."""
    monkeypatch.setenv("QUIZ_BANKS", str(bank_dir))
    return cli_env


def run_cli(*args, **kw):
    """`quiz ARGS` in-process through typer's runner; an exception propagates: it is a bug."""
    from typer.testing import CliRunner

    from quiz.cli import app

    return CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False, **kw)
