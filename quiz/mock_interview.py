"""Mock interviews: each one's report and the history of past mocks, from the review log.

A mock's answers carry its id in `reviews.session`; its settings (time limit, planned
number of questions) are kept as the setting `mock:<id>`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from quiz.sm2 import PASSING  # graded 3 or more: answered well
from quiz.store import Store


@dataclass(frozen=True)
class MockAnswer:
    """One question of a mock: its grade and how long the answer took."""

    question_id: str
    topic: str
    quality: int
    seconds: float
    overtime: bool


@dataclass(frozen=True)
class TopicScore:
    """A topic's share of the mock."""

    topic: str
    answered: int
    score: float  # mean grade as a share of 5


@dataclass(frozen=True)
class MockReport:
    """The figures of one mock interview."""

    session: str
    started: datetime
    limit: int | None  # seconds per question, if any
    planned: int
    answers: tuple[MockAnswer, ...]
    topics: tuple[TopicScore, ...]
    score: float | None  # mean grade as a share of 5 (None: nothing answered)

    @property
    def revisit(self) -> list[str]:
        """Questions graded below 3 or answered over time."""
        return [a.question_id for a in self.answers if a.quality < PASSING or a.overtime]


@dataclass(frozen=True)
class MockSummary:
    """One line of the history: when, how many, how well."""

    session: str
    started: datetime
    answered: int
    score: float


def new_id(now: datetime, token: str | None = None) -> str:
    """A mock's id: its start time (UTC, to the second), then a random token.

    The token keeps apart two mocks started in the same second (in two terminals), whose
    answers and reports would otherwise merge; `token` fixes it for tests.
    """
    if token is None:
        import secrets

        token = secrets.token_hex(4)
    return f"mock-{now.astimezone(UTC):%Y%m%dT%H%M%S}-{token}"


def save_settings(store: Store, session: str, *, seconds: int | None, planned: int) -> None:
    """Remember a mock's time limit and size for its report."""
    store.set_setting(f"mock:{session}", json.dumps({"seconds": seconds, "planned": planned}))


def report(store: Store, session: str, topics: Mapping[str, str]) -> MockReport | None:
    """The report of mock `session` (None if it has no answers); `topics` maps ids to topics."""
    rows = store.query("SELECT question_id, quality, duration_ms, reviewed_at FROM reviews "
                       "WHERE session = ? AND kind = 'mock' ORDER BY id", (session,))
    if not rows:
        return None
    settings = store.json_setting(f"mock:{session}") or {}
    with store.reading("reviews", "settings"):
        return _report(session, rows, settings, topics)


def _report(session: str, rows: list, settings: object, topics: Mapping[str, str]) -> MockReport:
    if not isinstance(settings, dict):
        raise TypeError(f"the settings of {session} are not a JSON object")
    limit = settings.get("seconds")
    if limit is not None and (type(limit) is not int or limit <= 0):
        raise ValueError(f"the time limit of {session} is {limit!r}, not a number of seconds")
    planned = settings.get("planned", len(rows))
    if type(planned) is not int:
        raise ValueError(f"the size of {session} is {planned!r}, not a number of questions")
    answers = tuple(
        MockAnswer(question_id=r["question_id"], topic=topics.get(r["question_id"], "?"),
                   quality=int(_grade(r["quality"])), seconds=(r["duration_ms"] or 0) / 1000,
                   overtime=bool(limit) and (r["duration_ms"] or 0) > limit * 1000)
        for r in rows)
    by_topic: dict[str, list[int]] = {}
    for answer in answers:
        by_topic.setdefault(answer.topic, []).append(answer.quality)
    scores = tuple(TopicScore(topic, len(q), sum(q) / (5 * len(q)))
                   for topic, q in sorted(by_topic.items()))
    return MockReport(session=session, started=datetime.fromisoformat(rows[0]["reviewed_at"]),
                      limit=limit, planned=planned,
                      answers=answers, topics=scores,
                      score=sum(a.quality for a in answers) / (5 * len(answers)))


def history(store: Store) -> list[MockSummary]:
    """Every past mock, oldest first."""
    rows = store.query(
        "SELECT session, min(reviewed_at) AS started, count(*) AS answered, "
        "avg(quality) AS mean, count(*) FILTER (WHERE typeof(quality) != 'integer' OR quality "
        "NOT BETWEEN 0 AND 5) AS bad FROM reviews WHERE kind = 'mock' AND session IS NOT NULL "
        "GROUP BY session ORDER BY started")
    if any(r["bad"] for r in rows):  # a grade quiz did not write: the mean would be wrong
        raise store.unreadable(tables=["reviews"])
    with store.reading("reviews"):
        return [MockSummary(session=r["session"], started=datetime.fromisoformat(r["started"]),
                            answered=r["answered"], score=_grade(r["mean"]) / 5) for r in rows]


def _grade(value: object) -> float:
    """A grade (or a mean of grades) from the log; a ValueError if it is not one."""
    if type(value) not in (int, float) or not 0 <= value <= 5:
        raise ValueError(f"{value!r} is not a grade from 0 to 5")
    return value
