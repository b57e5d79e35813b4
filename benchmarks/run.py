"""Time quiz's commands on the benchmark data and compare them with their targets.

    .venv/bin/python benchmarks/run.py /tmp/quiz-bench [--rounds 10] [--only stats,help]
    .venv/bin/python benchmarks/run.py /tmp/quiz-bench --scale /tmp/quiz-bench-3m [--json]

Each target is timed as the median of `--rounds` fresh processes; a target measured
against a baseline runs the baseline process just before it in every round (interleaved),
so both see the same machine load. See benchmarks/README.md for what each target measures.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the in-process target imports quiz from this checkout
# quiz's own modules, for the in-process `record` target (the only ones this script uses).
from quiz import sm2  # noqa: E402
from quiz.model import Review  # noqa: E402
from quiz.session import study_day  # noqa: E402
from quiz.store import Store  # noqa: E402

PY = sys.executable
QUIZ = [PY, "-m", "quiz"]
IMPORT_TYPER = [PY, "-c", "import typer"]
IMPORT_TYPER_RICH = [PY, "-c", "import typer, rich.console"]
PTY_SIZE = (40, 120)
# The bottom edge of the first card's panel: the question is drawn (the answer prompt, drawn
# after the line editor's import, only if the card is not in a panel any more).
FIRST_QUESTION = r"╰|Your answer"
ANSWER_PROMPT = r"Your answer"  # the line editor's prompt (prompt_toolkit imported by then)
NOTHING_DUE = r"Nothing is due today"
RECORD_CALLS = 200
SCALE_LIMIT = 1.10  # a command at 3M reviews: within 10 % of the same command at 1M
# The targets compared between the two data sets with --scale.
SCALED = ("stats", "stats-pty", "list-due", "review", "record")


# name: (what is timed, the goal as text, the limit (ratio, or seconds if absolute; None: only
# measured, no goal), absolute)
SPECS: dict[str, tuple[str, str, float | None, bool]] = {
    "stats": ("quiz stats, stdout not a terminal", "≤ 1.5× import typer", 1.5, False),
    "stats-pty": ("quiz stats in a pty (until it exits)", "≤ 2× import typer in a pty", 2.0,
                  False),
    "list-due": ("quiz list --due", "≤ 1.3× import typer", 1.3, False),
    "help": ("quiz --help", "≤ 1.2× import typer", 1.2, False),
    "review": ("quiz review: first question drawn (warm)", "≤ 2× import typer, rich.console",
               2.0, False),
    "review-prompt": ("quiz review: answer prompt ready, with the line editor (warm)",
                      "≤ 2× import typer, rich.console", 2.0, False),
    "record": (f"record_answer × {RECORD_CALLS} (in-process) vs a fsync'd 1-row commit",
               "≤ 1.2× the bare commit", 1.2, False),
    "validate": ("quiz validate 5,000 questions (cold)", "≤ 1.5 s", 1.5, True),
    "export-anki": ("quiz export anki, 5,000 questions", "≤ 3 s", 3.0, True),
}


class Unavailable(Exception):
    """The command does not exist (yet), or the data set cannot run it."""


@dataclass
class Result:
    name: str
    rounds: int = 0
    baseline: list[float] = field(default_factory=list)  # seconds
    target: list[float] = field(default_factory=list)  # seconds
    note: str = ""  # why there is no timing

    @property
    def spec(self) -> tuple[str, str, float | None, bool]:
        if self.name.startswith("scale:"):
            what = SPECS[self.name.removeprefix("scale:")][0]
            return (f"{what}: 3M reviews vs 1M", "≤ 1.10× the 1M figure", SCALE_LIMIT, False)
        return SPECS[self.name]

    def as_dict(self) -> dict[str, object]:
        what, goal, limit, absolute = self.spec
        median = (lambda xs: statistics.median(xs) if xs else None)  # noqa: E731
        return {"name": self.name, "what": what, "goal": goal, "limit": limit,
                "absolute": absolute, "rounds": self.rounds,
                "baseline_s": median(self.baseline), "median_s": median(self.target),
                "ratio": self.ratio, "result": self.verdict,
                "baseline_all_s": self.baseline, "target_all_s": self.target}

    @property
    def ratio(self) -> float | None:
        if not self.baseline or not self.target:
            return None
        return statistics.median(self.target) / statistics.median(self.baseline)

    @property
    def verdict(self) -> str:
        if self.note:
            return self.note
        _what, _goal, limit, absolute = self.spec
        if limit is None:
            return "INFO"
        value = statistics.median(self.target) if absolute else self.ratio
        return "PASS" if value is not None and value <= limit else "FAIL"


@dataclass
class Bench:
    data: Path
    rounds: int
    env: dict[str, str]
    scratch: Path

    # -- launching processes -------------------------------------------------------------------

    def run(self, cmd: list[str], env: dict[str, str] | None = None) -> float:
        """Wall time of one process, output discarded; a failing command is an error."""
        started = time.perf_counter()
        proc = subprocess.run(cmd, env=env or self.env, cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, check=False)
        elapsed = time.perf_counter() - started
        if proc.returncode != 0:
            tail = proc.stderr.decode(errors="replace").strip().splitlines()[-1:]
            raise Unavailable(f"error: exit {proc.returncode}: {' '.join(tail)[:70]}")
        return elapsed

    def pty_until(self, cmd: list[str], pattern: str | None,
                  env: dict[str, str] | None = None) -> float:
        """Wall time until `pattern` appears on a pseudo-terminal (None: until the process ends).

        The child is killed once the pattern is seen.
        """
        import pexpect

        started = time.perf_counter()
        child = pexpect.spawn(cmd[0], cmd[1:], env=env or self.env, cwd=str(ROOT),
                              dimensions=PTY_SIZE, encoding="utf-8", timeout=120)
        try:
            if pattern is None:
                child.expect(pexpect.EOF)
                elapsed = time.perf_counter() - started
                child.close()
                if child.exitstatus != 0:
                    raise Unavailable(f"{' '.join(cmd[1:])} exited {child.exitstatus}")
                return elapsed
            found = child.expect([pattern, NOTHING_DUE, pexpect.EOF])
            elapsed = time.perf_counter() - started
            if found == 1:
                raise Unavailable("nothing is due in the data set; rebuild it for today")
            if found == 2:
                raise Unavailable(f"exited before the first question: {child.before[-70:]!r}")
            return elapsed
        finally:
            child.close(force=True)

    def paired(self, result: Result, baseline: Callable[[], float],
               target: Callable[[], float]) -> Result:
        """One untimed run of each to warm the OS caches, then `rounds` interleaved pairs."""
        baseline()
        target()
        for _ in range(self.rounds):
            result.baseline.append(baseline())
            result.target.append(target())
        result.rounds = self.rounds
        return result

    def alone(self, result: Result, target: Callable[[], float],
              before: Callable[[], None] | None = None) -> Result:
        """An absolute target: one untimed warm-up, then `rounds` timed runs."""
        if before:
            before()
        target()
        for _ in range(self.rounds):
            if before:
                before()
            result.target.append(target())
        result.rounds = self.rounds
        return result

    def require(self, command: str) -> None:
        """Unavailable unless `quiz COMMAND --help` succeeds (the command exists)."""
        proc = subprocess.run([*QUIZ, command, "--help"], env=self.env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        if proc.returncode != 0:
            raise Unavailable("not available")

    # -- the targets ---------------------------------------------------------------------------

    def help(self) -> Result:
        return self.paired(Result("help"), lambda: self.run(IMPORT_TYPER),
                           lambda: self.run([*QUIZ, "--help"]))

    def stats(self) -> Result:
        self.require("stats")
        return self.paired(Result("stats"), lambda: self.run(IMPORT_TYPER),
                           lambda: self.run([*QUIZ, "stats"]))

    def stats_pty(self) -> Result:
        # Both under a pseudo-terminal until they exit: quiz's rich rendering for a terminal.
        self.require("stats")
        return self.paired(Result("stats-pty"), lambda: self.pty_until(IMPORT_TYPER, None),
                           lambda: self.pty_until([*QUIZ, "stats"], None))

    def list_due(self) -> Result:
        return self.paired(Result("list-due"), lambda: self.run(IMPORT_TYPER),
                           lambda: self.run([*QUIZ, "list", "--due"]))

    def review(self) -> Result:
        # Both under a pseudo-terminal, so that the launch costs the same on both sides. The
        # card is drawn before the line editor (prompt_toolkit, ~90 ms) is imported.
        return self.paired(Result("review"), lambda: self.pty_until(IMPORT_TYPER_RICH, None),
                           lambda: self.pty_until([*QUIZ, "review"], FIRST_QUESTION))

    def review_prompt(self) -> Result:
        # The same, until the learner can type: the line editor is imported and drawn.
        return self.paired(Result("review-prompt"),
                           lambda: self.pty_until(IMPORT_TYPER_RICH, None),
                           lambda: self.pty_until([*QUIZ, "review"], ANSWER_PROMPT))

    def validate(self) -> Result:
        # A copy of the banks, so that DIR (and the caches warm in DIR/quiz.db) stay as they are.
        banks = self.scratch / "banks"
        shutil.copytree(self.data / "banks", banks)
        fresh: list[dict[str, str]] = []

        def make_cold() -> None:
            # A new, empty database (no bank cache in it) and new modification times for
            # every bank file (so a cache elsewhere keyed by path/size/mtime misses too).
            stamp = time.time()
            for path in sorted(banks.glob("*.yaml")):
                os.utime(path, (stamp, stamp))
            db = tempfile.mkdtemp(dir=self.scratch, prefix="cold-") + "/quiz.db"
            fresh[:] = [{**self.env, "QUIZ_DB": db, "QUIZ_BANKS": str(banks)}]

        return self.alone(Result("validate"),
                          lambda: self.run([*QUIZ, "validate", str(banks)], fresh[0]),
                          before=make_cold)

    def export_anki(self) -> Result:
        self.require("export")
        out = self.scratch / "deck.apkg"

        def export() -> float:
            out.unlink(missing_ok=True)
            return self.run([*QUIZ, "export", "anki", str(out)])

        return self.alone(Result("export-anki"), export)

    def record(self) -> Result:
        """One answer recorded the way the session does it, in-process, on a copy of the data."""
        baseline, target = self.record_times(self.data / "quiz.db", self.scratch / "record.db")
        return Result("record", rounds=RECORD_CALLS, baseline=baseline, target=target)

    def record_times(self, source: Path, copy: Path) -> tuple[list[float], list[float]]:
        """(bare commits, recorded answers), RECORD_CALLS of each, interleaved, seconds.

        `copy` (a copy of `source`) and the baseline's database next to it are removed after.
        """
        floor_path = copy.with_name(f"{copy.stem}-floor.db")
        try:
            return self._record_times(source, copy, floor_path)
        finally:
            for path in (copy, floor_path):
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)

    def _record_times(self, source: Path, copy: Path, floor_path: Path
                      ) -> tuple[list[float], list[float]]:
        src, dst = sqlite3.connect(source), sqlite3.connect(copy)
        src.backup(dst)
        src.close()
        dst.close()
        store = Store.open(copy)
        # The session's path: `record_answer` decides the schedule under the write lock.
        record = store.record_answer
        baseline: list[float] = []
        target: list[float] = []
        try:
            now = datetime.now().astimezone()
            today = study_day(now)
            offset = int(now.utcoffset().total_seconds() // 60)
            cards = [c for c in store.cards().values() if c.state and not c.retired]
            if len(cards) < RECORD_CALLS + 1:
                raise Unavailable("fewer live cards than record calls")
            bases = [
                Review(question_id=c.question_id, reviewed_at=now.astimezone(UTC),
                       utc_offset=offset, study_day=today, quality=4, state=None,
                       kind="review", duration_ms=9000, fingerprint=c.fingerprint)
                for c in cards[: RECORD_CALLS + 1]]

            def decide_for(base: Review):  # noqa: ANN202 - the store's callback
                def decide(previous, scheduled_today):  # noqa: ANN001, ANN202
                    if scheduled_today:
                        return replace(base, kind="repeat")
                    return replace(base, state=sm2.next_state(previous, 4, today))
                return decide

            # The baseline: the same durable commit (WAL, synchronous=FULL) of one tiny row
            # in an empty database next to it, the floor the disk's fsync sets.
            floor = sqlite3.connect(floor_path, isolation_level=None)
            floor.execute("PRAGMA journal_mode = WAL")
            floor.execute("PRAGMA synchronous = FULL")
            floor.execute("CREATE TABLE t (x INTEGER)")
            record(bases[0], decide_for(bases[0]))  # warm-up: the index pages it touches
            for base in bases[1:]:
                started = time.perf_counter()
                floor.execute("BEGIN IMMEDIATE")
                floor.execute("INSERT INTO t VALUES (1)")
                floor.execute("COMMIT")
                baseline.append(time.perf_counter() - started)
                decide = decide_for(base)
                started = time.perf_counter()
                record(base, decide)
                target.append(time.perf_counter() - started)
            floor.close()
        finally:
            store.close()
        return baseline, target

    # -- 3M vs 1M --------------------------------------------------------------------------

    def scale(self, name: str, large: Path) -> Result:
        """The same target on DIR (baseline) and on `large` (target), interleaved rounds."""
        result = Result(f"scale:{name}")
        big = {**self.env, "QUIZ_DB": str(large / "quiz.db"), "QUIZ_BANKS": str(large / "banks")}
        if name == "record":
            _floor, small = self.record_times(self.data / "quiz.db", self.scratch / "r1.db")
            _floor, large_t = self.record_times(large / "quiz.db", self.scratch / "r3.db")
            result.baseline, result.target, result.rounds = small, large_t, RECORD_CALLS
            return result
        runs: dict[str, Callable[[dict[str, str]], float]] = {
            "stats": lambda env: self.run([*QUIZ, "stats"], env),
            "stats-pty": lambda env: self.pty_until([*QUIZ, "stats"], None, env),
            "list-due": lambda env: self.run([*QUIZ, "list", "--due"], env),
            "review": lambda env: self.pty_until([*QUIZ, "review"], FIRST_QUESTION, env),
        }
        run = runs[name]
        return self.paired(result, lambda: run(self.env), lambda: run(big))


TARGETS = {
    "stats": Bench.stats,
    "stats-pty": Bench.stats_pty,
    "list-due": Bench.list_due,
    "help": Bench.help,
    "review": Bench.review,
    "review-prompt": Bench.review_prompt,
    "record": Bench.record,
    "validate": Bench.validate,
    "export-anki": Bench.export_anki,
}


def fmt(seconds: list[float]) -> str:
    if not seconds:
        return "—"
    value = statistics.median(seconds)
    return f"{value * 1000:.2f} ms" if value < 0.01 else f"{value * 1000:.0f} ms"


def table(results: list[Result]) -> str:
    header = ("target", "what", "n", "baseline", "median", "ratio", "goal", "result")
    rows = [header]
    for r in results:
        what, goal, _limit, _absolute = r.spec
        rows.append((r.name, what, str(r.rounds or "—"), fmt(r.baseline), fmt(r.target),
                     f"{r.ratio:.2f}×" if r.ratio is not None else "—", goal, r.verdict))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
             for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="the folder make_data.py built")
    parser.add_argument("--rounds", type=int, default=10,
                        help="timed runs per target (default 10; fewer is only indicative)")
    parser.add_argument("--scale", type=Path, default=None, metavar="DIR3M",
                        help="a second data set (make_data.py --reviews 3000000): also time "
                             f"{', '.join(SCALED)} on it against DIR (within 10 %%)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--only", default="",
                        help=f"comma-separated targets: {', '.join(TARGETS)}")
    args = parser.parse_args(argv)
    data: Path = args.data.resolve()
    if not (data / "quiz.db").is_file() or not (data / "banks").is_dir():
        parser.error(f"{data} has no quiz.db and banks/; run benchmarks/make_data.py first")
    names = [n.strip() for n in args.only.split(",") if n.strip()] or list(TARGETS)
    unknown = [n for n in names if n not in TARGETS]
    if unknown:
        parser.error(f"unknown target(s) {', '.join(unknown)}; known: {', '.join(TARGETS)}")
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")

    large: Path | None = args.scale.resolve() if args.scale else None
    if large is not None and not (large / "quiz.db").is_file():
        parser.error(f"{large} has no quiz.db; run benchmarks/make_data.py --reviews 3000000")
    # An installed quiz has its bytecode; a checkout under PYTHONDONTWRITEBYTECODE=1 would
    # otherwise recompile every module on every run (compileall writes it regardless).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "quiz")], check=True)
    # The processes run in the checkout, so `python -m quiz` is this checkout's quiz.
    env = {**os.environ, "QUIZ_DB": str(data / "quiz.db"), "QUIZ_BANKS": str(data / "banks"),
           "QUIZ_BUNDLED": "0", "TERM": "xterm-256color"}
    for name in ("QUIZ_LANG", "QUIZ_ROLLOVER", "NO_COLOR", "COLUMNS", "LINES"):
        env.pop(name, None)
    out = sys.stderr if args.json else sys.stdout
    print(f"python {sys.version.split()[0]} ({PY}), {os.cpu_count()} CPUs, load "
          f"{os.getloadavg()[0]:.1f}; data {data}; {args.rounds} rounds"
          + ("; fewer than 10 rounds: indicative only" if args.rounds < 10 else ""), file=out)
    results = []
    with tempfile.TemporaryDirectory(prefix="quiz-bench-") as scratch:
        bench = Bench(data, args.rounds, env, Path(scratch))
        for name in names:
            started = time.perf_counter()
            try:
                result = TARGETS[name](bench)
            except Unavailable as exc:
                result = Result(name, note=str(exc))
            results.append(result)
            print(f"  {name}: {result.verdict} ({time.perf_counter() - started:.0f} s)",
                  flush=True, file=out)
        for name in [n for n in SCALED if n in names] if large else []:
            started = time.perf_counter()
            try:
                result = bench.scale(name, large)
            except Unavailable as exc:
                result = Result(f"scale:{name}", note=str(exc))
            results.append(result)
            print(f"  scale:{name}: {result.verdict} ({time.perf_counter() - started:.0f} s)",
                  flush=True, file=out)
    if args.json:
        print(json.dumps({"data": str(data), "scale": str(large) if large else None,
                          "rounds": args.rounds, "python": sys.version.split()[0],
                          "results": [r.as_dict() for r in results]}, indent=2))
    else:
        print()
        print(table(results))
    return 0 if all(r.verdict in ("PASS", "INFO") for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
