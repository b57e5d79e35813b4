"""`make review` installs only what quiz needs to run: checked on the runtime venv itself,
built by the real Makefile in a fresh clone (not by reading the Makefile or pyproject)."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TEST_ONLY = {"pytest", "hypothesis", "pexpect", "anki", "ruff", "pyte"}  # markdown-it-py: rich's
RUNTIME = {"typer", "rich", "pyyaml", "sqlite-utils", "platformdirs", "prompt-toolkit",
           "fsrs", "dl-interview-quiz"}


@pytest.mark.slow
def test_the_runtime_venv_has_no_test_tools(tmp_path):
    if shutil.which("git") is None or shutil.which("make") is None:
        pytest.skip("needs git and make")
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True, timeout=120)
    built = subprocess.run(["make", ".venv/.installed"], cwd=clone, capture_output=True,
                           text=True, timeout=600)
    assert built.returncode == 0, built.stdout + built.stderr
    listed = subprocess.run([str(clone / ".venv" / "bin" / "python"), "-m", "pip", "list",
                             "--format=json"], capture_output=True, text=True, timeout=120,
                            check=True)
    installed = {p["name"].lower().replace("_", "-") for p in json.loads(listed.stdout)}
    assert RUNTIME <= installed, RUNTIME - installed
    assert not installed & TEST_ONLY, installed & TEST_ONLY
    version = subprocess.run([str(clone / ".venv" / "bin" / "quiz"), "--version"],
                             capture_output=True, text=True, timeout=60)
    assert version.returncode == 0 and version.stdout.startswith("quiz ")
