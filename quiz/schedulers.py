"""The schedulers a learner can choose: SM-2 (the default, as published) and FSRS.

Both answer the same two questions: the state after a review, and the probability of
recall on a given day. The session, the replay of the log, `quiz stats` and the comparison
pick one by name; FSRS (py-fsrs) is imported only when it is used.

SM-2 has no model of memory, so quiz gives it one to compare: FSRS's forgetting curve
R(t) = (1 + F·t/S)^−d (FSRS-6's default decay d = 0.1542, F = 0.9^(−1/d) − 1) with the
stability S taken as the SM-2 interval. That says what SM-2 implicitly claims — a card
shown when due is recalled nine times in ten — and how recall decays before and after.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from quiz import sm2
from quiz.model import CardState

NAMES = ("sm2", "fsrs")
DEFAULT = "sm2"
DEFAULT_RETENTION = 0.9
CURVE_DECAY = 0.1542  # FSRS-6's default w20
CURVE_FACTOR = 0.9 ** (-1 / CURVE_DECAY) - 1


class Scheduler(Protocol):
    """What the session, the replay and the comparison need of a scheduler."""

    name: str

    def next_state(self, state: CardState | None, quality: int, today: date) -> CardState:
        """The card's state after a review graded `quality` (0–5) on `today`."""

    def retrievability(self, state: CardState, day: date) -> float:
        """The probability that a card in `state` is recalled on study day `day`."""


def forgetting_curve(elapsed_days: float, stability: float) -> float:
    """R(t) = (1 + F·t/S)^−d: recall after `elapsed_days` at `stability` (R(S) = 0.9)."""
    return (1 + CURVE_FACTOR * max(elapsed_days, 0) / stability) ** -CURVE_DECAY


def reviewed_on(state: CardState) -> date:
    """The study day of the review that produced `state` (a capped interval keeps this)."""
    return state.due - timedelta(days=state.interval)


@dataclass(frozen=True)
class SM2:
    """SM-2 exactly as published (quiz/sm2.py), with the curve above for its predictions."""

    name: str = "sm2"

    def next_state(self, state: CardState | None, quality: int, today: date) -> CardState:
        """sm2.next_state."""
        return sm2.next_state(state, quality, today)

    def retrievability(self, state: CardState, day: date) -> float:
        """The curve with stability = the SM-2 interval: 0.9 on the due day."""
        return forgetting_curve((day - reviewed_on(state)).days, max(state.interval, 1))


@dataclass(frozen=True)
class FSRS:
    """FSRS through py-fsrs (quiz/fsrs_scheduler.py) at a desired retention."""

    retention: float = DEFAULT_RETENTION
    name: str = "fsrs"

    def next_state(self, state: CardState | None, quality: int, today: date) -> CardState:
        """fsrs_scheduler.next_state at this retention."""
        from quiz import fsrs_scheduler

        return fsrs_scheduler.next_state(state, quality, today, self.retention)

    def retrievability(self, state: CardState, day: date) -> float:
        """py-fsrs's retrievability of the card's FSRS memory state."""
        from quiz import fsrs_scheduler

        return fsrs_scheduler.retrievability(state, day, self.retention)


DEFAULT_SCHEDULER: Scheduler = SM2()


def get(name: str, retention: float = DEFAULT_RETENTION) -> Scheduler:
    """The scheduler called `name` ("sm2" or "fsrs"); a ValueError for any other name."""
    if name == "sm2":
        return SM2()
    if name == "fsrs":
        from quiz.fsrs_scheduler import check_retention

        return FSRS(check_retention(retention))
    raise ValueError(f"the scheduler must be one of {', '.join(NAMES)}, not {name!r}")
