"""Hostile banks through a real `quiz validate` under memory and CPU limits.

Each case runs in its own process with RLIMIT_AS (address space) and RLIMIT_CPU set, so a
bank that made quiz allocate gigabytes or spin would fail here with a MemoryError, a kill
or a timeout instead of slowing the machine: the limits are the assertion, no clock is read.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
MEMORY = 300 * 2**20  # bytes of address space: quiz validate needs under 100 MB
CPU_SECONDS = 30
HEAD = "topic: t\ntitle: {zh: 题, en: T}\n"
QUESTION = "  - id: q-{i}\n    zh: {{q: 问, a: 答}}\n    en: {{q: Q, a: A}}\n"

LIMITED = f"""
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({MEMORY}, {MEMORY}))
resource.setrlimit(resource.RLIMIT_CPU, ({CPU_SECONDS}, {CPU_SECONDS}))
sys.argv = ["quiz", "validate", *sys.argv[1:]]
from quiz.cli import main
main()
"""


def hostile():
    """name → (bank text, the line reported, a piece of the message)."""
    return {
        "flow-10mb": (HEAD + "x: [" + "1," * 5_000_000 + "1]\n", 3, "goes past 2,000,000 bytes"),
        "flow-20mb": (HEAD + "x: [" + "1," * 10_000_000 + "1]\n", 3, "goes past"),
        "flow-1.9mb": (HEAD + "questions: [" + "1," * 950_000 + "1]\n", 3,
                       "passes 200,000 values"),
        "block-list": (HEAD + "questions:\n" + "- 1\n" * 400_000, 199_993, "passes 200,000"),
        "questions": (HEAD + "questions:\n" + "".join(QUESTION.format(i=i)
                                                      for i in range(20_000)),
                      None, "passes 200,000 values"),
        "long-line": (HEAD + "questions: []\n# " + "x" * 3_000_000 + "\n", 4, "goes past"),
        # libyaml may refuse it first, with its own message
        "deep": (HEAD + "questions: " + "[" * 200_000 + "\n", 3, "nest"),
        "laughs": (HEAD + "a: &a [" + ",".join(["lol"] * 9) + "]\n"
                   + "".join(f"b{i}: &b{i} [{', '.join(['*a' if i == 0 else f'*b{i-1}'] * 9)}]\n"
                             for i in range(12)) + "questions: *b11\n", 3, "anchors and aliases"),
        "escapes": (HEAD + "questions:\n" + QUESTION.format(i=1).replace(
            "a: A", 'a: "\\e]52;c;cHduZWQ=\\a\\e[2J\\e[6n"'), 6, "U+001B (ESC)"),
        "nul-line-5": (HEAD + "questions:\n  - id: q\x00\n", 4, "U+0000 (NUL)"),
    }


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(hostile()))
def test_a_hostile_bank_is_a_file_line_error_in_bounded_memory(tmp_path, name):
    text, line, piece = hostile()[name]
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-c", LIMITED, str(path)], cwd=ROOT, capture_output=True, text=True,
        timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT), "QUIZ_BUNDLED": "0",
                          "NO_COLOR": "1", "COLUMNS": "200"})
    assert result.returncode == 2, result.stderr[-2000:]
    assert "Traceback" not in result.stderr and "MemoryError" not in result.stderr
    first, *rest = result.stderr.splitlines()
    assert first.startswith(f"{path}:{line}: " if line else f"{path}:"), first
    assert piece in first
    assert rest[-1].endswith("problem(s) in the bank; nothing was loaded")
    assert "\x1b" not in result.stderr + result.stdout


@pytest.mark.slow
def test_a_bank_just_under_the_limits_loads_in_bounded_memory(tmp_path):
    """13,000 questions (195,000 values, 1 MB): a clean load inside the same limits."""
    path = tmp_path / "big.yaml"
    path.write_text(HEAD + "questions:\n" + "".join(QUESTION.format(i=i) for i in range(13_000)),
                    encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-c", LIMITED, str(path)], cwd=ROOT, capture_output=True, text=True,
        timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT), "QUIZ_BUNDLED": "0",
                          "NO_COLOR": "1", "COLUMNS": "200"})
    assert result.returncode == 0, result.stderr[-2000:]
    assert "13000 questions in 1 file(s): OK" in result.stdout


@pytest.mark.slow
def test_quiz_banks_at_the_root_is_a_bounded_walk(tmp_path):
    """QUIZ_BANKS=/ must not walk the whole file system: it stops and says so."""
    result = subprocess.run(
        [sys.executable, "-c", LIMITED], cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT), "QUIZ_BUNDLED": "0", "QUIZ_BANKS": "/",
             "NO_COLOR": "1", "COLUMNS": "300"})
    assert result.returncode == 2, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert ("/: more than 20,000 files and folders under this folder; give the folder that "
            "holds the banks") in result.stderr.splitlines()
