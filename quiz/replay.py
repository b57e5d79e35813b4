"""Replay a card's scheduled answers through a scheduler: the log is the truth, states follow.

Only answers that moved the schedule take part (practice, same-day repeats and unscheduled
mocks never do). The interview plan's cap stored with an answer applies to whichever
scheduler replays it, so switching scheduler and back gives the original states.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from quiz.model import CardState
from quiz.plan import cap
from quiz.schedulers import Scheduler


@dataclass(frozen=True)
class Answer:
    """One scheduled answer of the log: its grade, its study day, the plan's cap if any, and
    for an answer imported with another tool's schedule (Anki's), the state it left."""

    quality: int
    day: date
    cap_day: date | None = None
    kept: CardState | None = None


def states(answers: Iterable[Answer], scheduler: Scheduler) -> Iterator[CardState]:
    """The state after each answer, in order."""
    state: CardState | None = None
    for answer in answers:
        if answer.kept is not None:
            state = answer.kept
        else:
            state = cap(scheduler.next_state(state, answer.quality, answer.day), answer.day,
                        answer.cap_day)
        yield state


def final_state(answers: Iterable[Answer], scheduler: Scheduler) -> CardState | None:
    """The state after the last answer (None when there is none)."""
    state = None
    for state in states(answers, scheduler):  # noqa: B007 - the last one is wanted
        pass
    return state


@dataclass(frozen=True)
class Prediction:
    """The probability a scheduler gave a recall just before an answer, and the outcome."""

    question_id: str
    day: date
    probability: float
    recalled: bool


def predictions(question_id: str, answers: list[Answer], scheduler: Scheduler,
                passing: int = 3) -> Iterator[Prediction]:
    """For each answer after the first, the scheduler's probability of recall at that moment
    (from the state the earlier answers gave) and whether the learner recalled (grade ≥ 3)."""
    previous: CardState | None = None
    for answer, state in zip(answers, states(answers, scheduler), strict=True):
        if previous is not None:
            yield Prediction(question_id, answer.day,
                             scheduler.retrievability(previous, answer.day),
                             answer.quality >= passing)
        previous = state
