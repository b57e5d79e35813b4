"""How well the key-point suggestion grades realistic typed answers.

    .venv/bin/python benchmarks/keypoints_eval.py [--data FILE] [--banks DIR] [--json] [--misses]

The data is one JSON object a line: `id` (a bundled question), `lang`, `label` (correct,
partial or wrong: a person's judgement) and `answer` (what a learner typed). For each answer
the script computes the key points it covers and the grade the review would offer as
Enter's default (`quiz.keypoints.suggest_grade`), then prints, per label, the share of
answers whose default is a lapse (grade < 3), a pass (≥ 3) or absent (no default).

The targets (issue 11, item 10): a lapse default for ≤ 5 % of correct answers, a pass
default for ≤ 10 % of wrong ones, a pass suggested for most (> 50 %) correct answers.

Figures are given for the whole set and for its two halves, split by question: the sorted
question ids alternate between half A and half B, so a change tuned on one half can be
checked on the other.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from quiz.bank.files import bundled_dir  # noqa: E402
from quiz.bank.reader import load_bank  # noqa: E402  (after the path: runnable from a clone)
from quiz.keypoints import coverage, suggest_grade  # noqa: E402

DATA = ROOT / "tests" / "data" / "typed-answers-dev.jsonl"
LABELS = ("correct", "partial", "wrong")
TARGETS = {"correct_lapse": 0.05, "wrong_pass": 0.10, "correct_pass_min": 0.5}


@dataclass(frozen=True)
class Graded:
    """One typed answer with what the matcher made of it."""

    id: str
    lang: str
    label: str
    answer: str
    covered: tuple[bool, ...]
    grade: int | None


def read_rows(path: Path) -> list[dict]:
    """The rows of a JSON-lines file."""
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def grade_rows(rows: Iterable[dict], banks: list[Path] | None = None) -> list[Graded]:
    """Each row's coverage and default grade, against the bundled bank (or `banks`)."""
    questions = {q.id: q for q in load_bank(banks or [bundled_dir()]).questions}
    out = []
    for row in rows:
        question = questions[row["id"]]
        typed = row["answer"].strip() or None
        points = question.key_points
        hits = tuple(coverage(typed, points)) if typed and points else ()
        grade = suggest_grade(sum(hits), len(points), typed is not None) if points else None
        out.append(Graded(row["id"], row["lang"], row["label"], row["answer"], hits, grade))
    return out


def figures(graded: Iterable[Graded]) -> dict[str, dict[str, float | int]]:
    """Per label: `n` and the shares whose default is a lapse, a pass or none."""
    out: dict[str, dict[str, float | int]] = {}
    graded = list(graded)
    for label in LABELS:
        grades = [g.grade for g in graded if g.label == label]
        n = len(grades)
        out[label] = {
            "n": n,
            "lapse": sum(g is not None and g < 3 for g in grades) / n if n else 0.0,
            "pass": sum(g is not None and g >= 3 for g in grades) / n if n else 0.0,
            "none": sum(g is None for g in grades) / n if n else 0.0,
        }
    return out


def meets_targets(figs: dict[str, dict[str, float | int]]) -> list[str]:
    """The targets `figs` misses, as sentences (empty when all are met)."""
    misses = []
    if figs["correct"]["lapse"] > TARGETS["correct_lapse"]:
        misses.append(f"lapse default for {figs['correct']['lapse']:.0%} of correct answers "
                      f"(target ≤ {TARGETS['correct_lapse']:.0%})")
    if figs["wrong"]["pass"] > TARGETS["wrong_pass"]:
        misses.append(f"pass default for {figs['wrong']['pass']:.0%} of wrong answers "
                      f"(target ≤ {TARGETS['wrong_pass']:.0%})")
    if figs["correct"]["pass"] <= TARGETS["correct_pass_min"]:
        misses.append(f"pass suggested for only {figs['correct']['pass']:.0%} of correct "
                      f"answers (target > {TARGETS['correct_pass_min']:.0%})")
    return misses


def halves(graded: list[Graded]) -> dict[str, str]:
    """Each question id's half, "A" or "B": the sorted ids alternate."""
    return {qid: "AB"[n % 2] for n, qid in enumerate(sorted({g.id for g in graded}))}


def report(graded: list[Graded]) -> dict[str, dict]:
    """Figures for the whole set and for each half."""
    half = halves(graded)
    return {"all": figures(graded),
            "A": figures(g for g in graded if half[g.id] == "A"),
            "B": figures(g for g in graded if half[g.id] == "B")}


def print_table(result: dict[str, dict]) -> None:
    print(f"{'set':<4} {'label':<8} {'n':>4} {'lapse':>7} {'pass':>7} {'none':>7}")
    for part, figs in result.items():
        for label in LABELS:
            f = figs[label]
            print(f"{part:<4} {label:<8} {f['n']:>4} {f['lapse']:>7.1%} {f['pass']:>7.1%} "
                  f"{f['none']:>7.1%}")
    misses = meets_targets(result["all"])
    print("targets: " + ("all met" if not misses else "; ".join(misses)))


def print_misses(graded: list[Graded]) -> None:
    """The answers whose default goes against their label, for a bank author to read."""
    for g in graded:
        bad = (g.label == "correct" and (g.grade is None or g.grade < 3)) or \
              (g.label == "wrong" and g.grade is not None and g.grade >= 3)
        if bad:
            marks = "".join("x" if c else "." for c in g.covered)
            print(f"{g.label:<8} {g.grade!s:>4} {marks:<7} {g.id} [{g.lang}] {g.answer}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA, help="the typed answers (JSON lines)")
    parser.add_argument("--banks", type=Path, action="append",
                        help="bank files or folders (default: the bundled bank)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--misses", action="store_true",
                        help="also list correct answers without a pass and wrong ones with one")
    args = parser.parse_args(argv)
    graded = grade_rows(read_rows(args.data), args.banks)
    result = report(graded)
    if args.json:
        print(json.dumps({**result, "targets_missed": meets_targets(result["all"])}, indent=2))
    else:
        print_table(result)
    if args.misses:
        print_misses(graded)
    return 0


if __name__ == "__main__":
    sys.exit(main())
