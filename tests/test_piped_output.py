"""Output into a pipe is not wrapped at 80 columns: one logical line stays one line."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from quiz.bank.reader import load_bank

ROOT = Path(__file__).parent.parent
SCREEN_BANK = Path(__file__).parent / "data" / "screen_bank"
LONG_ID = "a-question-id-long-enough-that-an-eighty-column-table-would-fold-it-in-two"


def run(db, *args, stdin=""):
    env = {**os.environ, "QUIZ_BUNDLED": "0", "QUIZ_DB": str(db), "PYTHONPATH": str(ROOT)}
    for name in ("COLUMNS", "LINES", "NO_COLOR", "QUIZ_BANKS", "QUIZ_LANG"):
        env.pop(name, None)
    return subprocess.run([sys.executable, "-m", "quiz", *map(str, args)], input=stdin,
                          capture_output=True, text=True, env=env, timeout=60, check=False)


@pytest.fixture(scope="module")
def question():
    return next(q for q in load_bank([SCREEN_BANK]).questions if q.id == "screen-batch-norm")


@pytest.mark.slow
def test_show_into_a_pipe_keeps_each_paragraph_on_one_line(tmp_path, question):
    result = run(tmp_path / "p.db", "show", "screen-batch-norm", "--bank", SCREEN_BANK,
                 "--lang", "zh")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    for paragraph in [question.prompt.zh, *question.answer.zh.strip().split("\n")]:
        assert paragraph in lines


@pytest.mark.slow
def test_review_into_a_pipe_keeps_each_paragraph_on_one_line(tmp_path, question):
    result = run(tmp_path / "p.db", "review", "--bank", SCREEN_BANK, "--lang", "en",
                 stdin="my answer\n4\n")
    assert result.returncode == 0
    lines = [cell.strip() for line in result.stdout.splitlines() for cell in line.split("│")]
    paragraphs = [question.prompt.en, question.brief.en, *question.answer.en.strip().split("\n")]
    for paragraph in paragraphs:
        assert paragraph in lines
    # panels and tables fit their text, not the 4000 columns a pipe is given
    every = [p for q in load_bank([SCREEN_BANK]).questions
             for text in (q.prompt, q.brief, q.answer) for p in text.en.split("\n")]
    widest = max(len(p) for p in every) + len("Your answer (or just Enter) › │ my answer   │  │")
    assert max(len(line) for line in result.stdout.splitlines()) <= widest


@pytest.mark.slow
def test_stats_into_a_pipe_keeps_a_long_id_whole(tmp_path):
    bank = tmp_path / "long.yaml"
    bank.write_text(f"topic: long\ntitle: {{zh: 长, en: Long}}\nquestions:\n  - id: {LONG_ID}\n"
                    "    zh: {q: 问题？, a: 回答。}\n    en: {q: Question?, a: Answer.}\n",
                    encoding="utf-8")
    db = tmp_path / "p.db"
    assert run(db, "review", "--bank", bank, "--lang", "en", stdin="\n1\n").returncode == 0
    result = run(db, "stats", "--bank", bank, "--lang", "en")
    assert result.returncode == 0
    weak = [line for line in result.stdout.splitlines() if LONG_ID in line]
    assert weak and all(len(line) > len(LONG_ID) for line in weak)
