"""Helpers for driving a real `quiz review` in a pseudo-terminal (pexpect); not a test module.

Matches are on plain text, never on escape codes: rich colours a label and its value
separately, and a fixed terminal size keeps its layout stable.

On a terminal an answer is typed into a line editor (Enter submits) and a grade is ONE key
press, with no Enter: send grades with `send_grade`. The pseudo-terminal runs a terminal
emulator on what it reads (`Terminal`), which answers the line editor's cursor position
requests as a real terminal does, so that the editor draws its bottom toolbar.
"""

import os
import shutil
import sqlite3
import sys
from pathlib import Path

import pexpect
import pyte

ROOT = Path(__file__).parent.parent
DATA = Path(__file__).parent / "data"

ANSWER = r"Your answer \(or just Enter\)"
NUMERIC = r"Your answer \(Enter = give up\)"
GRADE = r"u undo, s (?:bury|skip), q quit"  # the open (0–5) and the numeric (Enter=…) prompt
SUMMARY = "Today's summary"
FINISH = r"u undo the last grade, any other key: finish"


class Terminal(pexpect.spawn):
    """A pseudo-terminal with a terminal emulator (pyte) on its output: `display()` is the
    screen a person would see, and cursor position requests are answered from it, as a
    terminal emulator does (the line editor draws its toolbar only once it knows)."""

    def __init__(self, *args, dimensions: tuple[int, int] = (40, 120), **kwargs) -> None:
        super().__init__(*args, dimensions=dimensions, **kwargs)
        rows, columns = dimensions
        self.screen = pyte.Screen(columns, rows)
        self.screen.write_process_input = self.send  # pyte's answer to ESC [ 6 n
        self.stream = pyte.Stream(self.screen)

    def read_nonblocking(self, size: int = 1, timeout: float | None = -1) -> str:
        data = super().read_nonblocking(size, timeout)
        self.stream.feed(data)
        return data

    def display(self) -> list[str]:
        """The screen as it is now (what has been read of the output), lines right-stripped."""
        return [line.rstrip() for line in self.screen.display]


def send_grade(child: pexpect.spawn, key: str) -> None:
    """Press `key` at the grade prompt: one key press, no Enter ("" is Enter)."""
    child.send(key or "\r")


def make_bank(folder: Path, extra: int = 0) -> Path:
    """tests/data/bank copied to `folder`, plus `extra` generated open questions (gen.yaml)."""
    shutil.copytree(DATA / "bank", folder)
    if extra:
        lines = ["topic: gen", "title: {zh: 生成, en: Generated}", "questions:"]
        for i in range(extra):
            lines += [f"  - id: gen-{i:03d}",
                      f"    zh: {{q: 第 {i} 题是什么？, a: 答案 {i}}}",
                      f"    en: {{q: What is generated question {i}?, a: Answer {i}}}"]
        (folder / "gen.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def quiz_env(db: Path, **extra: str) -> dict[str, str]:
    # QUIZ_ORDER=bank: the scripted sessions type their answers for the cards in file order
    env = {**os.environ, "TERM": "xterm-256color", "QUIZ_BUNDLED": "0", "QUIZ_DB": str(db),
           "PYTHONPATH": str(ROOT), "COLUMNS": "120", "LINES": "40", "QUIZ_ORDER": "bank",
           **extra}
    for name in ("NO_COLOR", "QUIZ_BANKS", "QUIZ_LANG", "QUIZ_ROLLOVER"):
        if name not in extra:
            env.pop(name, None)
    return env


def spawn_review(bank: Path, env: dict[str, str], *args: str,
                 timeout: float = 30) -> pexpect.spawn:
    return spawn_quiz(env, "review", "--bank", str(bank), "--lang", "en", *args,
                      timeout=timeout)


def spawn_quiz(env: dict[str, str], *args: str, timeout: float = 30,
               dimensions: tuple[int, int] = (40, 120)) -> pexpect.spawn:
    """`quiz ARGS` in a pseudo-terminal of `dimensions` (rows, columns)."""
    child = Terminal(sys.executable, ["-m", "quiz", *args], env=env, dimensions=dimensions,
                     encoding="utf-8", codec_errors="replace", timeout=timeout)
    # pexpect sleeps 50 ms before every send and 100 ms on close by default; every send here
    # follows a prompt already seen, so no sleep is needed.
    child.delaybeforesend = None
    child.delayafterclose = child.delayafterterminate = 0.01
    return child


def next_prompt(child: pexpect.spawn) -> str:
    """Wait for the next card's answer prompt: "open" or "numeric"."""
    return ("open", "numeric")[child.expect([ANSWER, NUMERIC])]


def answer_card(child: pexpect.spawn, kind: str, text: str, grade: str,
                confirm: bool = True) -> tuple[str | None, int]:
    """Answer the card whose prompt is showing; (answer, quality) as the log should hold them.

    A numeric card is given up (Enter) and takes its default grade 1 (Enter again).
    With `confirm`, waits until the grade is reported as recorded.
    """
    if kind == "numeric":
        child.sendline("")
        child.expect(GRADE)
        send_grade(child, "")
        expected: tuple[str | None, int] = (None, 1)
    else:
        child.sendline(text)
        child.expect(GRADE)
        send_grade(child, grade)
        expected = (text.strip() or None, int(grade))
    if confirm:
        child.expect(f"Recorded {expected[1]}")
    return expected


def rows(db: Path, sql: str = "SELECT answer, quality FROM reviews ORDER BY id") -> list[tuple]:
    """The query's rows, read from a copy of the database and its WAL.

    The files are left exactly as the killed process left them, so the next session is the
    one that recovers them. No database yet (killed early) or no table yet: no rows.
    """
    if not db.exists():
        return []
    scratch = db.with_name(db.name + ".check")
    for suffix in ("", "-wal"):
        target = Path(str(scratch) + suffix)
        target.unlink(missing_ok=True)
        if Path(str(db) + suffix).exists():
            shutil.copyfile(str(db) + suffix, target)
    Path(str(scratch) + "-shm").unlink(missing_ok=True)
    conn = sqlite3.connect(scratch)
    try:
        return conn.execute(sql).fetchall()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return []
        raise
    finally:
        conn.close()


def integrity(db: Path) -> str:
    """SQLite's integrity check of the database as left on disk ("ok" if there is none yet)."""
    found = rows(db, "PRAGMA integrity_check")
    return found[0][0] if found else "ok"
