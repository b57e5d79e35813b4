"""Replay a card's scheduled answers through a scheduler: the log is the truth, states follow.

Only answers that moved the schedule take part (practice, same-day repeats and unscheduled
mocks never do). The interview plan's cap stored with an answer applies to whichever
scheduler replays it, so switching scheduler and back gives the original states.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from quiz import sm2
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


# -- a whole card from its answers and events, in UTC time order ------------------------------

LEECH_THRESHOLD = 8  # lapses that make a card a leech (Anki's default); the config may change it
PASSING = sm2.PASSING  # a grade below it is a lapse


@dataclass(frozen=True)
class Logged:
    """One answer of the log as the derivation takes it.

    `scheduled` is whether it moved the schedule when it was logged: for a review or repeat
    the derivation decides again (the first of a study day schedules, wherever it was
    logged), for a mock or an imported answer it stands.
    """

    kind: str  # review, repeat, practice or mock
    quality: int
    day: date
    scheduled: bool
    cap_day: date | None = None
    kept: CardState | None = None
    fingerprint: str = ""


@dataclass(frozen=True)
class CardEvent:
    """A logged change to a card other than an answer: bury (with `until`), suspend,
    unsuspend or reset."""

    kind: str
    until: date | None = None


@dataclass(frozen=True)
class Derived:
    """A card as its log leaves it; `scheduling[i]` says whether the i-th answer moved the
    schedule, and `states[i]` is the state it left (None when it did not)."""

    state: CardState | None
    first_day: date | None
    last_day: date | None
    fingerprint: str
    lapses: int
    reviews: int
    buried_until: date | None
    suspended: bool
    leech: bool
    scheduling: tuple[bool, ...]
    states: tuple[CardState | None, ...]
    cap_days: tuple[date | None, ...]


def derive(entries: Iterable[Logged | CardEvent], scheduler: Scheduler,
           cap_for: Callable[[date], date | None] = lambda day: None,
           leech_threshold: int = LEECH_THRESHOLD) -> Derived:
    """The card after `entries` (in UTC time order): a reset starts it over (the log keeps
    the history), suspend and unsuspend set its flag, a bury hides it until a day (a later
    scheduled answer clears it), and a lapse that brings the lapses to `leech_threshold`
    tags it a leech and suspends it. `cap_for(day)` is the plan's cap for an answer that
    schedules now but was not logged as scheduling (its cap was not written down)."""
    state: CardState | None = None
    first = last = None
    fingerprint, lapses, reviews = "", 0, 0
    buried: date | None = None
    suspended = leech = False
    scheduled_days: set[date] = set()
    scheduling: list[bool] = []
    after: list[CardState | None] = []
    caps: list[date | None] = []
    for entry in entries:
        if isinstance(entry, CardEvent):
            if entry.kind == "reset":
                state, first, last, lapses, reviews, leech = None, None, None, 0, 0, False
                scheduled_days = set()
            elif entry.kind == "bury":
                buried = entry.until
            elif entry.kind in ("suspend", "unsuspend"):
                suspended = entry.kind == "suspend"
            continue
        if entry.kept is not None or entry.kind in ("mock", "practice"):
            schedules = entry.scheduled and entry.kind != "practice"
        else:  # review or repeat: the day's first answer schedules
            schedules = entry.day not in scheduled_days
        cap_day = entry.cap_day if entry.scheduled or not schedules else cap_for(entry.day)
        scheduling.append(schedules)
        caps.append(cap_day if schedules else entry.cap_day)
        if not schedules:
            after.append(None)
            continue
        if entry.kept is not None:
            state = entry.kept
        else:
            state = cap(scheduler.next_state(state, entry.quality, entry.day), entry.day,
                        cap_day)
        after.append(state)
        scheduled_days.add(entry.day)
        first = first or entry.day
        last, fingerprint = entry.day, entry.fingerprint
        reviews += 1
        buried = None
        if entry.quality < PASSING:
            lapses += 1
            if lapses >= leech_threshold and not leech:
                leech = suspended = True
    return Derived(state, first, last, fingerprint, lapses, reviews, buried, suspended, leech,
                   tuple(scheduling), tuple(after), tuple(caps))
