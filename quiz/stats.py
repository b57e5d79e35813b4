"""Figures from the review log, computed in SQL: the session summary and `quiz stats`."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from quiz.store import Store


@dataclass(frozen=True)
class DaySummary:
    """One study day's answers."""

    day: date
    reviewed: int  # scheduled reviews (first answer of a card that day)
    new: int  # of those, cards seen for the first time
    failed: int  # graded below 3
    repeats: int  # same-day relearning answers
    retention: float | None  # share of reviews graded 3 or more
    seconds: int  # time spent on every answer of the day


def day_summary(store: Store, day: date) -> DaySummary:
    """Figures for study day `day`."""
    row = store.query(
        "SELECT count(*) FILTER (WHERE kind = 'review') AS reviewed, "
        "count(*) FILTER (WHERE kind = 'review' AND quality < 3) AS failed, "
        "count(*) FILTER (WHERE kind = 'repeat') AS repeats, "
        "coalesce(sum(duration_ms), 0) AS ms FROM reviews WHERE study_day = ?",
        (day.isoformat(),))[0]
    new = store.query("SELECT count(*) AS n FROM cards WHERE first_day = ?",
                      (day.isoformat(),))[0]["n"]
    reviewed = row["reviewed"]
    retention = (reviewed - row["failed"]) / reviewed if reviewed else None
    return DaySummary(day=day, reviewed=reviewed, new=new, failed=row["failed"],
                      repeats=row["repeats"], retention=retention, seconds=row["ms"] // 1000)


def next_due(store: Store, after: date, ids: Iterable[str] | None = None) -> date | None:
    """The first due date after study day `after` among live cards (or those of `ids`)."""
    sql = "SELECT min(due) AS due FROM cards WHERE retired = 0 AND due > ?"
    params: list[object] = [after.isoformat()]
    if ids is not None:
        sql += " AND question_id IN (SELECT value FROM json_each(?))"
        params.append(json.dumps(list(ids)))
    value = store.query(sql, params)[0]["due"]
    return date.fromisoformat(value) if value else None


def streaks(store: Store, today: date) -> tuple[int, int]:
    """(current, longest) runs of study days with at least one answer.

    The current streak still counts when today has no answer yet but yesterday had one.
    """
    days = [date.fromisoformat(r["study_day"]) for r in store.query(
        "SELECT DISTINCT study_day FROM reviews ORDER BY study_day")]
    longest = run = 0
    previous = None
    for day in days:
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        longest = max(longest, run)
        previous = day
    current = run if previous in (today, today - timedelta(days=1)) else 0
    return current, longest
