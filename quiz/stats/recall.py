"""Predicted recall: the bank's retention forecast, and how well each scheduler predicted
the learner's own recalls (so a learner can choose a scheduler on evidence).

The comparison replays the log through each scheduler. For every scheduled answer after a
card's first, it takes the probability of recall the scheduler gave at that moment (FSRS:
its retrievability; SM-2: the curve of schedulers.py with stability = the interval) and
whether the learner recalled it (grade 3 or more). It scores them by log loss (lower is
better; always saying 0.5 scores 0.693), Brier score (lower is better), AUC (the chance a
recalled answer got a higher probability than a forgotten one; 0.5 is a coin) and a
calibration table (predicted against actual recall, by band of prediction).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from itertools import repeat

from quiz.model import CardState
from quiz.replay import Answer, Prediction, predictions
from quiz.schedulers import Scheduler

FORECAST_DAYS = 7
EPSILON = 1e-6  # probabilities are clipped to [ε, 1 − ε]: a certain miss is not infinite loss
BANDS = (0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 1.0)  # calibration bands of the predicted probability


def predicted_retention(states: Iterable[CardState], scheduler: Scheduler,
                        day: date) -> float | None:
    """The mean probability of recall on `day` over the started, live cards' `states`
    (None: none)."""
    return counted_retention([(state, 1) for state in states], scheduler, day)


def counted_retention(counted: Sequence[tuple[CardState, int]], scheduler: Scheduler,
                      day: date) -> float | None:
    """`predicted_retention` of `counted`'s states, each standing for that many cards.

    The sum is exact (math.fsum): the mean does not depend on the cards' order or grouping.
    """
    total = sum(n for _state, n in counted)
    if not total:
        return None
    return math.fsum(value for state, n in counted
                     for value in repeat(scheduler.retrievability(state, day), n)) / total


Schedule = tuple[int, date, "float | None", "float | None", int]  # Store.live_schedules'


def schedule_retention(schedules: Sequence[Schedule], scheduler: Scheduler,
                       day: date) -> float | None:
    """`predicted_retention` from `Store.live_schedules` rows (interval, due, stability,
    difficulty, cards). SM-2's curve is computed from them directly (`SM2.retrievability`'s
    arithmetic); another scheduler gets each as a state, whose repetitions and E-Factor (which
    no retrievability reads) are placeholders."""
    if scheduler.name == "sm2":
        from quiz.schedulers import forgetting_curve

        ordinal = day.toordinal()
        total = sum(n for *_rest, n in schedules)
        if not total:
            return None
        # (day − reviewed_on).days, reviewed_on = due − interval: as SM2.retrievability
        return math.fsum(value for interval, due, _s, _d, n in schedules for value in repeat(
            forgetting_curve(ordinal - due.toordinal() + interval, max(interval, 1)), n)) / total
    return counted_retention([(CardState(repetitions=1, interval=interval, efactor=PLACEHOLDER_EF,
                                         due=due, stability=stability, difficulty=difficulty), n)
                              for interval, due, stability, difficulty, n in schedules],
                             scheduler, day)


PLACEHOLDER_EF = Fraction(5, 2)  # see schedule_retention


@dataclass(frozen=True)
class Forecast:
    """Predicted retention of the started cards today and `days` days on."""

    scheduler: str
    today: float | None
    later: float | None
    days: int = FORECAST_DAYS

    def as_json(self) -> dict[str, object]:
        """The forecast as JSON-ready values."""
        return {"scheduler": self.scheduler, "today": self.today,
                f"in_{self.days}_days": self.later}


def forecast(states: Iterable[CardState], scheduler: Scheduler, today: date,
             days: int = FORECAST_DAYS) -> Forecast:
    """Predicted retention of the started, live cards' `states` today and in `days` days, if
    nothing is reviewed meanwhile."""
    return counted_forecast([(state, 1) for state in states], scheduler, today, days)


def counted_forecast(counted: Sequence[tuple[CardState, int]], scheduler: Scheduler,
                     today: date, days: int = FORECAST_DAYS) -> Forecast:
    """`forecast` of `counted`'s states, each standing for that many cards."""
    return Forecast(scheduler.name, counted_retention(counted, scheduler, today),
                    counted_retention(counted, scheduler, today + timedelta(days=days)), days)


def schedule_forecast(schedules: Sequence[Schedule], scheduler: Scheduler, today: date,
                      days: int = FORECAST_DAYS) -> Forecast:
    """`forecast` from `Store.live_schedules` rows (`schedule_retention`)."""
    return Forecast(scheduler.name, schedule_retention(schedules, scheduler, today),
                    schedule_retention(schedules, scheduler, today + timedelta(days=days)), days)


@dataclass(frozen=True)
class Band:
    """Answers whose predicted recall fell in [low, high): how many, predicted, actual."""

    low: float
    high: float
    count: int
    predicted: float
    recalled: float


@dataclass(frozen=True)
class Score:
    """How well one scheduler predicted the learner's recalls."""

    scheduler: str
    count: int
    log_loss: float | None
    brier: float | None
    auc: float | None  # None unless there are both recalls and lapses
    predicted: float | None  # mean predicted probability of recall
    recalled: float | None  # share actually recalled
    bands: tuple[Band, ...]

    def as_json(self) -> dict[str, object]:
        """The score as JSON-ready values."""
        return {"scheduler": self.scheduler, "reviews": self.count, "log_loss": self.log_loss,
                "brier": self.brier, "auc": self.auc, "mean_predicted": self.predicted,
                "recall_rate": self.recalled,
                "calibration": [{"low": b.low, "high": b.high, "reviews": b.count,
                                 "predicted": b.predicted, "recalled": b.recalled}
                                for b in self.bands]}


def log_loss(pairs: Sequence[tuple[float, bool]]) -> float | None:
    """−mean(y·ln p + (1−y)·ln(1−p)), p clipped to [ε, 1−ε]; None for no pairs."""
    if not pairs:
        return None
    total = 0.0
    for p, recalled in pairs:
        p = min(max(p, EPSILON), 1 - EPSILON)
        total -= math.log(p) if recalled else math.log(1 - p)
    return total / len(pairs)


def brier(pairs: Sequence[tuple[float, bool]]) -> float | None:
    """mean((p − y)²); None for no pairs."""
    return sum((p - y) ** 2 for p, y in pairs) / len(pairs) if pairs else None


def auc(pairs: Sequence[tuple[float, bool]]) -> float | None:
    """P(p of a recall > p of a lapse), ties counting half (Mann–Whitney, by ranks)."""
    positives = sum(1 for _p, y in pairs if y)
    negatives = len(pairs) - positives
    if not positives or not negatives:
        return None
    ordered = sorted(pairs, key=lambda pair: pair[0])
    rank_sum, index = 0.0, 0
    while index < len(ordered):  # average ranks over ties
        end = index
        while end + 1 < len(ordered) and ordered[end + 1][0] == ordered[index][0]:
            end += 1
        mean_rank = (index + end) / 2 + 1
        rank_sum += mean_rank * sum(1 for _p, y in ordered[index:end + 1] if y)
        index = end + 1
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def bands(pairs: Sequence[tuple[float, bool]]) -> tuple[Band, ...]:
    """The calibration table over BANDS (the last band includes 1.0); empty bands left out."""
    found = []
    for low, high in zip(BANDS, BANDS[1:], strict=False):
        inside = [(p, y) for p, y in pairs if low <= p < high or (high == 1.0 and p == 1.0)]
        if inside:
            found.append(Band(low, high, len(inside), sum(p for p, _ in inside) / len(inside),
                              sum(1 for _, y in inside if y) / len(inside)))
    return tuple(found)


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def score(name: str, found: Iterable[Prediction]) -> Score:
    """The scores of one scheduler's predictions."""
    pairs = [(p.probability, p.recalled) for p in found]
    return Score(scheduler=name, count=len(pairs), log_loss=log_loss(pairs), brier=brier(pairs),
                 auc=auc(pairs), predicted=_mean([p for p, _ in pairs]),
                 recalled=_mean([float(y) for _, y in pairs]), bands=bands(pairs))


def compare(answers: Mapping[str, list[Answer]], contenders: Iterable[Scheduler]) -> list[Score]:
    """Each scheduler's score on the same log (`answers`: each question's scheduled answers)."""
    return [score(s.name, (p for question_id, found in sorted(answers.items())
                           for p in predictions(question_id, found, s)))
            for s in contenders]
