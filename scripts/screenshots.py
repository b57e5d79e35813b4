"""Write the README's pictures, docs/review.svg and docs/stats.svg, with rich's own SVG export.

    .venv/bin/python scripts/screenshots.py [--out docs]

They are drawn from fixed sample data — a throwaway database with three weeks of answers to
bundled questions, on a fixed study day, in a console of fixed size that ignores the
environment — so running it again writes the same bytes (a test checks that).
"""

from __future__ import annotations

import argparse
import io
import random
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402

from quiz import sm2  # noqa: E402
from quiz.bank.files import bundled_dir  # noqa: E402
from quiz.bank.reader import load_bank  # noqa: E402
from quiz.model import Review  # noqa: E402
from quiz.store import Store  # noqa: E402

TODAY = date(2026, 3, 23)
WIDTH = 100
REVIEWED = "transformers-self-vs-cross-attention"
TYPED = ("Self-attention takes Q, K and V from the same sequence. In cross-attention the "
         "queries come from the decoder and attend over the encoder.")


def fixed_console() -> Console:
    """A console that looks the same on every machine: size, colours, no environment."""
    return Console(record=True, width=WIDTH, height=40, force_terminal=True,
                   color_system="truecolor", no_color=False, legacy_windows=False,
                   file=io.StringIO(), _environ={})


def sample_store(questions: list) -> Store:
    """An in-memory store with three weeks of answers to every fourth bundled question."""
    store = Store.open(":memory:")
    rng = random.Random(2026)
    states: dict = {}
    for offset in range(21, -1, -1):
        day = TODAY - timedelta(days=offset)
        for q in questions[::4]:
            state = states.get(q.id)
            if state is None and rng.random() > 0.35:
                continue  # not started yet
            if state is not None and state.due > day:
                continue  # not due
            quality = rng.choice([5, 4, 4, 4, 3, 3, 2, 1])
            state = sm2.next_state(state, quality, day)
            states[q.id] = state
            moment = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=9)
            store.record(Review(q.id, moment, 12_000, day, quality, state))
    return store


def review_svg(questions: list) -> str:
    """A review card: the question, the typed answer beside the model answer, key points."""
    from quiz.keypoints import coverage, suggest_grade
    from quiz.session import CardView
    from quiz.ui import TerminalUI

    question = next(q for q in questions if q.id == REVIEWED)
    covered = tuple(coverage(TYPED, question.key_points))
    view = CardView(question=question, position=3, total=12, left=(4, 1, 7), typed=TYPED,
                    covered=covered,
                    default_grade=suggest_grade(sum(covered), len(covered), True))
    console = fixed_console()
    ui = TerminalUI(console, "both", interactive=False)
    ui.show_card(view)
    console.print(f"[dim]Your answer (or just Enter)>[/] {TYPED}", soft_wrap=True)
    ui.show_reveal(view)
    return console.export_svg(title="quiz review")


def stats_svg(store: Store, questions: list) -> str:
    """`quiz stats` on the sample log."""
    from quiz.stats import report as progress
    from quiz.stats.figures import Scope
    from quiz.stats.render import render_stats

    found = progress.report(store, TODAY, Scope({q.id: q.topic for q in questions},
                                                narrowed=False), days=14)
    console = fixed_console()
    render_stats(console, found, "en")
    return console.export_svg(title="quiz stats")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    args = parser.parse_args()
    questions = list(load_bank([bundled_dir()]).questions)
    store = sample_store(questions)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, svg in (("review.svg", review_svg(questions)),
                      ("stats.svg", stats_svg(store, questions))):
        (args.out / name).write_text(svg, encoding="utf-8")
        print(args.out / name)
    store.close()


if __name__ == "__main__":
    main()
