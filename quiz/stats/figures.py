"""Figures from the review log, computed in SQL: the session summary and `quiz stats`.

Every figure is an aggregate that SQLite computes over indexed columns; the log is never
loaded into Python. Functions take the store and the study day, and return dataclasses.

Which answers count:

- *reviews* are answers of kind `review` or `mock` (what retention and "failed" count);
- *answers* are reviews plus same-day `repeat`s: the heatmap and the streak count them;
- `practice` answers move nothing and are only counted, per day, as "practice".
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from quiz.model import Card
from quiz.review_queue import WEAK_EF, HasId, Outlook
from quiz.schema import COUNT_MAX, EF_RANGE
from quiz.sm2 import MAX_INTERVAL, PASSING  # PASSING: graded 3 or more, a recall
from quiz.store import Store, stored_day, whole

REVIEW_KINDS = ("review", "mock")  # the answers retention and "failed" are measured on
ANSWER_KINDS = ("review", "repeat", "mock")  # the answers that make a day of study
MATURE_DAYS = 21  # a card is mature from this interval on (Anki's threshold)
WEAK_EF_HUNDREDTHS = int(WEAK_EF * 100)  # queue.is_weak's rule, as the store keeps EF


@dataclass(frozen=True)
class Scope:
    """The questions the figures cover: the bank's live questions (id → topic).

    `narrowed` (quiz stats --topic) leaves out every answer to a question outside `topics`,
    including retired questions, whose topic is no longer known.
    """

    topics: Mapping[str, str]
    narrowed: bool = False
    # An SQL source of (question_id, topic) rows holding exactly `topics` (the bank cache's
    # table, `BankCache.scope_table`), read instead of filling a temporary table with them.
    table: str | None = None


def sql_list(values: Iterable[str]) -> str:
    """Constant strings as an SQL list: ('review', 'mock')."""
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


REVIEWS, ANSWERS = sql_list(REVIEW_KINDS), sql_list(ANSWER_KINDS)
_LOADED: weakref.WeakKeyDictionary[Store, Scope] = weakref.WeakKeyDictionary()


def use_scope(store: Store, scope: Scope) -> str:
    """The SQL source of the scope's (question_id, topic) rows: `scope.table`, or the
    temporary table `stats_scope` (private to this connection), filled once."""
    if scope.table is not None:
        return scope.table
    if _LOADED.get(store) is scope:
        return "temp.stats_scope"
    store.conn.execute("CREATE TEMP TABLE IF NOT EXISTS stats_scope "
                       "(question_id TEXT PRIMARY KEY, topic TEXT NOT NULL) WITHOUT ROWID")
    store.conn.execute("DELETE FROM temp.stats_scope")
    store.conn.execute("INSERT INTO temp.stats_scope SELECT key, value FROM json_each(?)",
                       (json.dumps(dict(scope.topics)),))
    _LOADED[store] = scope
    return "temp.stats_scope"


def only_scope(store: Store, scope: Scope | None, column: str = "question_id") -> str:
    """An SQL condition (starting with AND) keeping answers in a narrowed scope, else ""."""
    if scope is None or not scope.narrowed:
        return ""
    return f" AND {column} IN (SELECT question_id FROM {use_scope(store, scope)})"


# -- today ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DaySummary:
    """One study day's answers."""

    day: date
    reviewed: int  # reviews (kind review or mock)
    new: int  # cards whose first review was that day
    failed: int  # reviews graded below 3
    repeats: int  # same-day relearning answers
    retention: float | None  # share of the day's reviews graded 3 or more
    seconds: int  # time spent on every answer of the day, practice included
    practice: int = 0  # practice answers (they move no schedule)


def day_summary(store: Store, day: date, scope: Scope | None = None) -> DaySummary:
    """Figures for study day `day`."""
    where = only_scope(store, scope)
    row = store.query(
        f"SELECT count(*) FILTER (WHERE kind IN {REVIEWS}) AS reviewed, "
        f"count(*) FILTER (WHERE kind IN {REVIEWS} AND quality < {PASSING}) AS failed, "
        "count(*) FILTER (WHERE kind = 'repeat') AS repeats, "
        "count(*) FILTER (WHERE kind = 'practice') AS practice, "
        f"coalesce(sum(duration_ms), 0) AS ms, {BAD_ANSWER} AS bad FROM reviews "
        f"WHERE study_day = ?{where}", (day.isoformat(),))[0]
    if row["bad"] or type(row["ms"]) is not int:
        raise store.unreadable(tables=["reviews"])
    new = store.query(f"SELECT count(*) AS n FROM cards WHERE first_day = ?{where} AND "
                      # a card is new on the day of its first scheduled answer: look among
                      # that day's answers, not through every card
                      "question_id IN (SELECT question_id FROM reviews WHERE study_day = ?)",
                      (day.isoformat(), day.isoformat()))[0]["n"]
    reviewed = row["reviewed"]
    retention = (reviewed - row["failed"]) / reviewed if reviewed else None
    return DaySummary(day=day, reviewed=reviewed, new=new, failed=row["failed"],
                      repeats=row["repeats"], retention=retention, seconds=row["ms"] // 1000,
                      practice=row["practice"])


# Answers whose grade, kind or time quiz did not write: the figures would count them wrong.
BAD_ANSWER = ("count(*) FILTER (WHERE typeof(quality) != 'integer' OR quality NOT BETWEEN 0 "
              "AND 5 OR kind NOT IN ('review', 'repeat', 'practice', 'mock') OR "
              "(duration_ms IS NOT NULL AND typeof(duration_ms) != 'integer'))")


# A card's due day, pushed back while it is buried ("s" hides it until a later day).
EFFECTIVE_DUE = "max(c.due, coalesce(c.buried_until, c.due))"


def due_today(store: Store, today: date, scope: Scope, interview: date | None = None) -> int:
    """Live cards still due on `today`: due reviews and cards to relearn (`queue.still_due`).

    `interview` defaults to the plan's date in the store, as `quiz review` uses it.
    """
    from quiz.config import interview_date
    from quiz.review_queue import QuestionRef, still_due

    interview = interview if interview is not None else interview_date(store)
    cards, relearn = cards_for_today(store, today, interview)
    # only the scope's questions with such a card or to relearn can be due
    maybe = (set(cards) | set(relearn)) & scope.topics.keys()
    due, again = still_due([QuestionRef(i) for i in scope.topics if i in maybe], cards, today,
                           relearn=relearn, interview=interview)
    return len(due) + len(again)


def cards_for_today(store: Store, today: date,
                    interview: date | None) -> tuple[dict[str, Card], list[str]]:
    """What `queue.still_due` needs on `today`: the cards it may count (due by the plan's
    horizon, buried, or to relearn) and the ids to relearn."""
    from quiz.plan import due_horizon

    relearn = store.relearning(today)
    cards = store.cards(due_by=due_horizon(today, interview))
    cards.update(store.cards(relearn))
    return cards, relearn


def outlook(store: Store, today: date, questions: Iterable[HasId], *, new_limit: int,
            interview: date | None = None) -> Outlook:
    """What is left of `today` and what comes next for `questions` (`queue.outlook`)."""
    from quiz.review_queue import outlook as count

    return count(questions, store.cards(), today, new_limit=new_limit,
                 introduced_today=store.new_introduced_count(today),
                 relearn=store.relearning(today), interview=interview)


def has_answers(store: Store, scope: Scope | None = None) -> bool:
    """Whether the log holds any answer (in the scope)."""
    return bool(store.query(
        f"SELECT EXISTS (SELECT 1 FROM reviews WHERE 1{only_scope(store, scope)}) AS e")[0]["e"])


# -- streaks -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Streaks:
    """Runs of consecutive study days with at least one answer (practice aside)."""

    current: int  # the run ending today, or yesterday while today has no answer yet
    longest: int
    longest_start: date | None  # the most recent longest run
    longest_end: date | None


def streaks(store: Store, today: date, scope: Scope | None = None) -> Streaks:
    """Current and longest streaks, counting study days up to `today`."""
    if scope is None or not scope.narrowed:  # the log's per-day aggregate: a row a day
        days = ("WITH days AS (SELECT DISTINCT study_day AS day FROM review_days WHERE "
                f"study_day <= :today AND kind IN {ANSWERS}), ")
    else:  # `+kind`: the (question_id, study_day, kind) index, not the one on kind
        days = ("WITH days AS (SELECT DISTINCT study_day AS day FROM reviews WHERE "
                f"study_day <= :today AND +kind IN {ANSWERS}{only_scope(store, scope)}), ")
    runs = store.query(
        days + "islands AS (SELECT day, julianday(day) - row_number() OVER (ORDER BY day) "
        "AS island FROM days) SELECT min(day) AS first, max(day) AS last, count(*) AS length "
        "FROM islands GROUP BY island ORDER BY length DESC, last DESC",
        {"today": today.isoformat()})
    if not runs:
        return Streaks(0, 0, None, None)
    alive = {today.isoformat(), (today - timedelta(days=1)).isoformat()}
    current = next((r["length"] for r in runs if r["last"] in alive), 0)
    best = runs[0]
    with store.reading("reviews", "review_days"):
        return Streaks(current=current, longest=best["length"],
                       longest_start=stored_day(best["first"]),
                       longest_end=stored_day(best["last"]))


# -- cards ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CardCounts:
    """The scope's questions by state; each question in exactly one of the first five."""

    new: int  # never reviewed
    learning: int  # repetitions < 2 (first steps, or relearning after a lapse)
    young: int  # repetitions >= 2, interval < 21 days
    mature: int  # interval >= 21 days
    buried: int  # hidden until a later day
    retired: int | None  # reviewed questions that left the bank (None when narrowed)


def card_counts(store: Store, today: date, scope: Scope) -> CardCounts:
    """How many cards are in each state on `today`."""
    # The scope's cards looked up by id (`CROSS JOIN`: never a pass over the retired ones)
    rows = store.query(
        "SELECT state, count(*) AS n, count(started) AS started FROM (SELECT CASE WHEN "
        "c.buried_until > ? THEN 'buried' WHEN c.repetitions IS NULL THEN 'new' "
        f"WHEN c.repetitions < 2 THEN 'learning' WHEN c.interval < {MATURE_DAYS} THEN 'young' "
        "ELSE 'mature' END AS state, c.repetitions AS started "
        f"FROM {use_scope(store, scope)} s CROSS JOIN cards c USING (question_id)) "
        "GROUP BY state", (today.isoformat(),))
    counts = {r["state"]: r["n"] for r in rows}
    counts["new"] = len(scope.topics) - sum(counts.get(state, 0) for state in (
        "learning", "young", "mature", "buried"))  # with the questions that have no card
    # Started cards outside the scope: all started ones (a card has a due day exactly when it
    # has repetitions: the index on `due` counts them) less the scope's.
    retired = None if scope.narrowed else store.query(
        "SELECT count(*) AS n FROM cards WHERE due IS NOT NULL")[0]["n"] - sum(
            r["started"] for r in rows)
    return CardCounts(**{state: counts.get(state, 0) for state in (
        "new", "learning", "young", "mature", "buried")}, retired=retired)


@dataclass(frozen=True)
class WeakCard:
    """A live card worth rewriting or studying again."""

    question_id: str
    topic: str
    ef: float  # the E-Factor, to two decimals
    lapses: int
    reviews: int
    interval: int
    due: date


def weakest(store: Store, scope: Scope, limit: int = 10) -> tuple[WeakCard, ...]:
    """Reviewed live cards with EF < WEAK_EF (2.0) or a lapse: lowest EF, most lapses first."""
    rows = store.query(
        "SELECT c.question_id, s.topic, c.ef, c.lapses, c.reviews, c.interval, c.due "
        f"FROM {use_scope(store, scope)} s CROSS JOIN cards c USING (question_id) "
        f"WHERE c.repetitions IS NOT NULL AND (c.ef < {WEAK_EF_HUNDREDTHS} OR c.lapses > 0) "
        "ORDER BY c.ef, c.lapses DESC, c.reviews DESC, c.question_id LIMIT ?", (limit,))
    with store.reading("cards"):
        return tuple(WeakCard(
            question_id=r["question_id"], topic=r["topic"], ef=whole(r["ef"], *EF_RANGE) / 100,
            lapses=whole(r["lapses"], 0, COUNT_MAX), reviews=whole(r["reviews"], 0, COUNT_MAX),
            interval=whole(r["interval"], 0, MAX_INTERVAL), due=stored_day(r["due"]))
            for r in rows)
