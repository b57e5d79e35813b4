"""An interview date: cap intervals so every started card comes back in the last days
before it, and introduce new cards fast enough to cover the bank by then.

The last REVIEW_DAYS days before the interview are its review window: new cards are
finished by the window's first day, and each started card is due again on one of the
window's days at the latest (spread by its id, so the window is not one big pile); a card
seen inside the window is due on the interview day at the latest. From the interview day
on, SM-2 runs unchanged.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass, replace
from datetime import date, timedelta

from quiz.model import Card, CardState, Text

REVIEW_DAYS = 3
INTERVIEW_RANGE = (date(2000, 1, 1), date(2999, 12, 31))  # the dates a plan may name


@dataclass(frozen=True)
class Pace:
    """How many new cards a day cover the rest of the bank by `finish_by`."""

    remaining: int
    per_day: int
    finish_by: date
    days_left: int  # study days from today to finish_by, both included


def interview_day(text: str, today: date) -> date:
    """`quiz plan --interview TEXT`: a date after `today`, or a usage error saying why not."""
    from quiz.errors import UsageError

    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--interview takes a date as YYYY-MM-DD, not '{text}'") from None
    if day <= today:
        raise UsageError(f"the interview date {day} is not after today ({today})")
    if day > INTERVIEW_RANGE[1]:
        raise UsageError(f"the interview date {day} is after {INTERVIEW_RANGE[1]}")
    return day


def finish_by(interview: date) -> date:
    """The day the last new card should be introduced: the first day of the review window."""
    return interview - timedelta(days=REVIEW_DAYS)


def cap_day(question_id: str, interview: date) -> date:
    """The latest due date a card may get before `interview` (one of the window's days)."""
    spread = zlib.crc32(question_id.encode()) % REVIEW_DAYS
    return interview - timedelta(days=1 + spread)


def latest_due(question_id: str, today: date, interview: date | None) -> date | None:
    """The latest due date the plan allows a card reviewed on `today` (None: no cap)."""
    if interview is None or today >= interview:
        return None
    latest = cap_day(question_id, interview)
    if today >= latest:  # seen inside the window: next due on the interview day at the latest
        latest = interview
    return latest


def cap(state: CardState, day: date, cap_day: date | None) -> CardState:
    """`state` (reviewed on `day`) due on `cap_day` at the latest: the one cap rule, applied
    when an answer is graded and again whenever the log is replayed (None: no cap)."""
    if cap_day is None or state.due <= cap_day:
        return state
    return replace(state, interval=max((cap_day - day).days, 0), due=cap_day)


def capped(state: CardState, question_id: str, today: date,
           interview: date | None) -> tuple[CardState, date | None]:
    """`state`, just scheduled on `today`, pulled back to the plan's latest due date, and
    that date, to be logged with the answer (None while no plan runs)."""
    latest = latest_due(question_id, today, interview)
    return cap(state, today, latest), latest


def effective_due(card: Card, today: date, interview: date | None) -> date:
    """When a started card is due under the plan (cards scheduled before it was set too)."""
    state = card.state
    if interview is None or today >= interview:
        return state.due
    latest = cap_day(card.question_id, interview)
    if card.last_day is not None and card.last_day >= latest:
        return min(state.due, interview)  # seen in the window: once more on the day at most
    return min(state.due, max(latest, today))


def due_horizon(today: date, interview: date | None) -> date | None:
    """The latest due date a card may have and still be due today (None: any date).

    Before the review window a card is due exactly when its date has come; inside it,
    cards scheduled later may be pulled in, so all of them must be looked at.
    """
    return today if interview is None or today < finish_by(interview) else None


def pace(remaining: int, today: date, interview: date) -> Pace:
    """The new cards a day that introduce `remaining` cards by the window's first day."""
    last = finish_by(interview)
    days = (last - today).days + 1
    per_day = remaining if days <= 0 else math.ceil(remaining / days)
    return Pace(remaining=remaining, per_day=per_day, finish_by=last, days_left=max(days, 0))


@dataclass(frozen=True)
class Countdown:
    """Where the learner stands on the way to the interview: `review`, `plan` and `stats`."""

    interview: date
    days_left: int
    started: int  # questions with at least one scheduled review
    total: int
    pace: Pace

    @property
    def coverage(self) -> float | None:
        """The share of the bank started so far."""
        return self.started / self.total if self.total else None

    def describe(self) -> Text:
        """The plan in a sentence: days left, new questions left, the pace, the finish."""
        left, pace = self.total - self.started, self.pace
        return Text(
            zh=f"面试日期 {self.interview}（还有 {self.days_left} 天）：还有 {left} 道新题，"
               f"每天 {pace.per_day} 道，{pace.finish_by} 前学完；之后只复习。",
            en=f"Interview on {self.interview} ({self.days_left} days): {left} new questions "
               f"left, {pace.per_day} a day to finish by {pace.finish_by:%b %d}; then review "
               "only.")

    def as_json(self) -> dict[str, object]:
        """The countdown as JSON-ready values."""
        return {"interview": self.interview.isoformat(), "days_left": self.days_left,
                "started": self.started, "total": self.total, "coverage": self.coverage,
                "new_left": self.total - self.started, "per_day": self.pace.per_day,
                "finish_by": self.pace.finish_by.isoformat()}


def countdown(interview: date | None, today: date, *, total: int, started: int,
              introduced_today: int) -> Countdown | None:
    """The countdown to `interview` (None without a plan, or from the interview day on)."""
    if interview is None or today >= interview:
        return None
    new_left = total - started
    return Countdown(interview=interview, days_left=(interview - today).days, started=started,
                     total=total, pace=pace(new_left + introduced_today, today, interview))


def after_interview(interview: date, today: date) -> Text:
    """What `quiz plan` says from the interview day on, when no countdown runs."""
    if today == interview:
        return Text(zh=f"今天（{interview}）就是面试日：复习照常按 SM-2 进行。祝顺利！",
                    en=f"The interview is today ({interview}): reviews follow SM-2 as usual. "
                       "Good luck!")
    return Text(zh=f"面试日期 {interview} 已过（{(today - interview).days} 天前）：复习照常按 SM-2 "
                   "进行。用 quiz plan --interview YYYY-MM-DD 设新日期，或 quiz plan --clear。",
                en=f"The interview date {interview} has passed ({(today - interview).days} days "
                   "ago): reviews follow SM-2 as usual. Set a new one with quiz plan --interview "
                   "YYYY-MM-DD, or quiz plan --clear.")
