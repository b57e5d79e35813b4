"""`quiz stats`: the heatmap, the forecast, retention, and the whole report (also as JSON).

Like figures.py, every figure is an SQL aggregate; nothing here touches the terminal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from quiz.stats.figures import (
    ANSWERS,
    EFFECTIVE_DUE,
    MATURE_DAYS,
    PASSING,
    REVIEWS,
    CardCounts,
    DaySummary,
    Scope,
    Streaks,
    WeakCard,
    card_counts,
    day_summary,
    due_today,
    has_answers,
    only_scope,
    streaks,
    use_scope,
    weakest,
)
from quiz.store import Store, whole

if TYPE_CHECKING:
    from quiz.schedulers import Scheduler
    from quiz.stats.recall import Forecast

JSON_VERSION = 1
RETIRED = "(retired)"  # the retention row of questions that left the bank


@dataclass(frozen=True)
class Heatmap:
    """Answers per study day (practice aside) from a Monday `start` to `end`, zeros included."""

    start: date
    end: date
    counts: tuple[int, ...]

    def days(self) -> list[tuple[date, int]]:
        """(day, answers) for every day from start to end."""
        return [(self.start + timedelta(days=i), n) for i, n in enumerate(self.counts)]


def heatmap(store: Store, today: date, scope: Scope | None = None, weeks: int = 26) -> Heatmap:
    """The last `weeks` calendar weeks (Monday first), the current one ending on `today`."""
    start = today - timedelta(days=today.weekday(), weeks=weeks - 1)
    span = (start.isoformat(), today.isoformat())
    if scope is None or not scope.narrowed:  # the log's per-day aggregate: a row a day
        rows = store.query("SELECT study_day AS day, sum(n) AS n FROM review_days WHERE "
                           f"study_day BETWEEN ? AND ? AND kind IN {ANSWERS} GROUP BY study_day",
                           span)
    else:  # `+kind`: the (question_id, study_day, kind) index, not the one on kind
        rows = store.query(
            "SELECT study_day AS day, count(*) AS n FROM reviews WHERE study_day BETWEEN ? AND ? "
            f"AND +kind IN {ANSWERS}{only_scope(store, scope)} GROUP BY study_day", span)
    with store.reading("review_days"):
        found = {r["day"]: whole(r["n"], 0, 2**62) for r in rows}
    length = (today - start).days + 1
    return Heatmap(start=start, end=today, counts=tuple(
        found.get((start + timedelta(days=i)).isoformat(), 0) for i in range(length)))


def forecast(store: Store, today: date, scope: Scope,
             days: int = 14) -> tuple[tuple[date, int], ...]:
    """Live cards falling due on each of the `days` days after `today` (buried ones when shown)."""
    rows = store.query(
        f"SELECT {EFFECTIVE_DUE} AS day, count(*) AS n FROM {use_scope(store, scope)} s "
        "CROSS JOIN cards c USING (question_id) WHERE c.due IS NOT NULL AND day > ? AND "
        "day <= ? GROUP BY day",
        (today.isoformat(), (today + timedelta(days=days)).isoformat()))
    found = {r["day"]: r["n"] for r in rows}
    return tuple((day, found.get(day.isoformat(), 0))
                 for day in (today + timedelta(days=i) for i in range(1, days + 1)))


@dataclass(frozen=True)
class Recall:
    """Reviews and how many of them were graded 3 or more."""

    reviews: int = 0
    passed: int = 0

    @property
    def rate(self) -> float | None:
        return self.passed / self.reviews if self.reviews else None

    def __add__(self, other: Recall) -> Recall:
        return Recall(self.reviews + other.reviews, self.passed + other.passed)


@dataclass(frozen=True)
class RetentionRow:
    """Recall of young cards (interval before the review < 21 days) and of mature ones."""

    young: Recall = Recall()
    mature: Recall = Recall()

    @property
    def all(self) -> Recall:
        return self.young + self.mature


@dataclass(frozen=True)
class Retention:
    """Reviews graded >= 3 over the study days `start`..`end`, overall and per topic."""

    start: date
    end: date
    overall: RetentionRow
    topics: tuple[tuple[str, RetentionRow], ...]  # every scope topic, then RETIRED if reviewed


# The card's interval when it was reviewed (0 for its first review): the log keeps it since
# schema 2 (`last_interval`); for older answers it is that of the latest earlier answer of the
# same question that moved the schedule, found by an index search on (question_id, id).
INTERVAL_BEFORE = (
    "coalesce(r.last_interval, (SELECT p.interval FROM reviews p WHERE p.question_id = "
    "r.question_id AND p.id < r.id AND p.repetitions IS NOT NULL ORDER BY p.id DESC LIMIT 1), 0)")


def retention(store: Store, today: date, scope: Scope, days: int = 30) -> Retention:
    """Retention over the `days` study days ending `today`, split young / mature."""
    source = use_scope(store, scope)
    start = today - timedelta(days=days - 1)
    rows = store.query(
        "SELECT s.topic, count(*) FILTER (WHERE is_young) AS young, count(*) FILTER (WHERE "
        "is_young AND passed) AS young_passed, count(*) FILTER (WHERE NOT is_young) AS mature, "
        "count(*) FILTER (WHERE NOT is_young AND passed) AS mature_passed, count(*) FILTER "
        "(WHERE typeof(quality) != 'integer' OR quality NOT BETWEEN 0 AND 5) AS bad FROM ("
        f"SELECT r.question_id, r.quality, r.quality >= {PASSING} AS passed, {INTERVAL_BEFORE} < "
        f"{MATURE_DAYS} AS is_young FROM reviews r WHERE r.kind IN {REVIEWS} AND r.study_day "
        f"BETWEEN ? AND ?{only_scope(store, scope, 'r.question_id')}) "
        f"LEFT JOIN {source} s USING (question_id) GROUP BY s.topic",
        (start.isoformat(), today.isoformat()))
    if any(r["bad"] for r in rows):  # a grade quiz did not write: the rates would be wrong
        raise store.unreadable(tables=["reviews"])
    found = {r["topic"]: RetentionRow(Recall(r["young"], r["young_passed"]),
                                      Recall(r["mature"], r["mature_passed"])) for r in rows}
    topics = [(t, found.get(t, RetentionRow())) for t in sorted(set(scope.topics.values()))]
    if None in found:
        topics.append((RETIRED, found[None]))
    overall = RetentionRow(sum((row.young for _, row in topics), Recall()),
                           sum((row.mature for _, row in topics), Recall()))
    return Retention(start=start, end=today, overall=overall, topics=tuple(topics))


def predicted_retention(store: Store, today: date, scope: Scope,
                        scheduler: Scheduler) -> Forecast:
    """The predicted retention of the scope's started, live cards (`recall.forecast`)."""
    from quiz.stats.recall import schedule_forecast

    within = f"SELECT question_id FROM {use_scope(store, scope)}"
    return schedule_forecast(store.live_schedules(within), scheduler, today)


# -- the report ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    """Every figure of `quiz stats` for one study day."""

    day: date
    topics: tuple[str, ...] | None  # the --topic names, None for all
    has_answers: bool  # False: nothing reviewed yet (in the scope)
    today: DaySummary
    due: int  # still due today
    streaks: Streaks
    heatmap: Heatmap
    forecast: tuple[tuple[date, int], ...]
    retention: Retention
    cards: CardCounts
    weakest: tuple[WeakCard, ...]


def report(store: Store, today: date, scope: Scope, *, days: int = 14, weeks: int = 26,
           retention_days: int = 30, weakest_count: int = 10) -> Report:
    """All the figures, for the `scope` questions, on study day `today`."""
    topics = tuple(sorted(set(scope.topics.values()))) if scope.narrowed else None
    return Report(
        day=today, topics=topics, has_answers=has_answers(store, scope),
        today=day_summary(store, today, scope), due=due_today(store, today, scope),
        streaks=streaks(store, today, scope), heatmap=heatmap(store, today, scope, weeks),
        forecast=forecast(store, today, scope, days),
        retention=retention(store, today, scope, retention_days),
        cards=card_counts(store, today, scope), weakest=weakest(store, scope, weakest_count))


def _recall(recall: Recall) -> dict[str, Any]:
    return {"reviews": recall.reviews, "passed": recall.passed, "rate": recall.rate}


def _row(row: RetentionRow) -> dict[str, Any]:
    return {"young": _recall(row.young), "mature": _recall(row.mature), "all": _recall(row.all)}


def as_json(found: Report) -> dict[str, Any]:
    """The report as JSON-ready values; the keys are documented in the README and stable."""
    today, streak, ret = found.today, found.streaks, found.retention
    return {
        "version": JSON_VERSION,
        "study_day": found.day.isoformat(),
        "topics": list(found.topics) if found.topics is not None else None,
        "today": {"reviewed": today.reviewed, "new": today.new, "failed": today.failed,
                  "repeats": today.repeats, "practice": today.practice,
                  "seconds": today.seconds, "retention": today.retention, "due": found.due},
        "streak": {"current": streak.current, "longest": streak.longest,
                   "longest_start": _iso(streak.longest_start),
                   "longest_end": _iso(streak.longest_end)},
        "heatmap": {"start": found.heatmap.start.isoformat(),
                    "end": found.heatmap.end.isoformat(),
                    "days": {d.isoformat(): n for d, n in found.heatmap.days()}},
        "forecast": {d.isoformat(): n for d, n in found.forecast},
        "retention": {"start": ret.start.isoformat(), "end": ret.end.isoformat(),
                      "overall": _row(ret.overall),
                      "topics": {name: _row(row) for name, row in ret.topics}},
        "cards": {"new": found.cards.new, "learning": found.cards.learning,
                  "young": found.cards.young, "mature": found.cards.mature,
                  "buried": found.cards.buried, "retired": found.cards.retired},
        "weakest": [{"id": w.question_id, "topic": w.topic, "ef": w.ef, "lapses": w.lapses,
                     "reviews": w.reviews, "interval": w.interval, "due": w.due.isoformat()}
                    for w in found.weakest],
    }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
