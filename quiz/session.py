"""The review loop: ask each queued card, record every grade at once, repeat failures.

The loop never touches the terminal or the clock itself: it talks to a `SessionUI` (one
method per thing it reads or shows) and gets the time from `now()`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from quiz import schedulers, sm2
from quiz.errors import AnswerFormatError
from quiz.model import Card, CardState, Question, Review
from quiz.plan import capped, latest_due
from quiz.store import Store
from quiz.study_day import DEFAULT_ROLLOVER_HOUR, study_day

if TYPE_CHECKING:
    from quiz import numeric


@dataclass(frozen=True)
class Mode:
    """What kind of session this is and how its answers count."""

    kind: str = "review"  # review | practice | mock
    schedule: bool = True  # whether grades move the SM-2 state (never in practice)
    requeue: bool = True  # cards graded below 4 come back at the end (daily review)
    seconds: int | None = None  # a mock's time per question
    session: str | None = None  # a mock's id, stored with each of its answers
    interview: date | None = None  # the interview plan's date, capping intervals
    scheduler: schedulers.Scheduler = schedulers.DEFAULT_SCHEDULER  # the store's (Store.scheduler)

    @classmethod
    def practice(cls) -> Mode:
        """Drill: logged as practice, the schedule untouched."""
        return cls(kind="practice", schedule=False, requeue=False)

    @classmethod
    def mock(cls, session: str, *, seconds: int | None = None, schedule: bool = True,
             interview: date | None = None,
             scheduler: schedulers.Scheduler = schedulers.DEFAULT_SCHEDULER) -> Mode:
        """A mock interview: timed, each question once, feeding the schedule unless told not to."""
        return cls(kind="mock", schedule=schedule, requeue=False, seconds=seconds,
                   session=session, interview=interview, scheduler=scheduler)


@dataclass(frozen=True)
class CardView:
    """What the learner sees of one card."""

    question: Question
    position: int
    total: int
    mode: Mode = Mode()
    repeat: bool = False
    text_changed: bool = False
    instance: numeric.Instance | None = None
    typed: str | None = None
    correct: bool | None = None  # numeric cards, once answered
    covered: tuple[bool, ...] = ()  # which key points the typed answer mentions
    allowed_keys: str = "012345usq"  # what the grade prompt accepts
    default_grade: int | None = None  # the grade Enter gives (numeric cards, key points)
    answer_ms: int = 0
    # cards left in this session, this one included, as Anki counts them: new, relearning
    # (failed today, coming back), review
    left: tuple[int, int, int] = (0, 0, 0)


@dataclass(frozen=True)
class SessionResult:
    """How the session ended: the number of grades recorded and whether the learner quit."""

    graded: int
    quit: bool
    day: date


class SessionUI(Protocol):
    """What the session asks of a user interface: the terminal UI and the tests' script."""

    def read_answer(self, view: CardView) -> str | None:
        """The typed answer to an open question ("" for none); None at end of input."""

    def read_numeric(self, view: CardView) -> str | None:
        """The typed answer to a numeric question ("" gives up); None at end of input."""

    def read_grade(self, view: CardView) -> str | None:
        """One of `view.allowed_keys`, or "" for the default grade; None at end of input."""

    def show_card(self, view: CardView) -> None:
        """Draw the question."""

    def show_reveal(self, view: CardView) -> None:
        """Draw the model answer or worked solution, with the typed answer."""

    def show_answer_error(self, error: AnswerFormatError) -> None:
        """The typed numeric answer could not be read; it is asked again."""

    def show_bad_key(self, view: CardView) -> None:
        """The key read at the grade prompt is not one of `view.allowed_keys`."""

    def show_graded(self, view: CardView, quality: int, state: CardState | None) -> None:
        """The grade is saved; `state` is the new schedule (None when it did not move)."""

    def show_undone(self, question: Question) -> None:
        """The last grade was undone; `question` comes back."""

    def show_nothing_to_undo(self) -> None:
        """Undo was asked with no grade to undo."""

    def show_buried(self, question: Question) -> None:
        """The card is buried until tomorrow."""


def run_session(store: Store, queue: list[Question], *, ui: SessionUI,
                now: Callable[[], datetime], seed: Callable[[], int],
                rollover_hour: int = DEFAULT_ROLLOVER_HOUR, mode: Mode = Mode()) -> SessionResult:
    """Ask `queue`; every grade is committed before the next card is shown."""
    loop = _Loop(store, queue, ui, now, seed, rollover_hour, mode)
    try:
        loop.run()
    except KeyboardInterrupt:
        loop.quit = True
    return SessionResult(graded=loop.graded, quit=loop.quit, day=loop.day())


@dataclass
class _Graded:
    review_id: int
    question: Question
    requeued: bool


class _Loop:
    def __init__(self, store: Store, queue: list[Question], ui: SessionUI,
                 now: Callable[[], datetime], seed: Callable[[], int], rollover: int,
                 mode: Mode) -> None:
        self.store, self.ui, self.now, self.seed = store, ui, now, seed
        self.rollover, self.mode = rollover, mode
        self.pending: deque[Question] = deque(queue)
        self.cards: dict[str, Card] = store.cards(q.id for q in queue)
        self.graded_ids: set[str] = set()  # graded this session: later grades are repeats
        self.history: list[_Graded] = []
        self.graded = 0
        self.done = 0
        self.quit = False

    def day(self) -> date:
        return study_day(self.now(), self.rollover)

    def run(self) -> None:
        while self.pending and not self.quit:
            view = self.present(self.pending[0])
            if view is None:
                self.quit = True
                return
            self.grade_prompt(view)

    def present(self, question: Question) -> CardView | None:
        """Show the card, take the typed answer, reveal; the view for grading (None: quit)."""
        card = self.cards.get(question.id)
        # the log, not the card's last_day: a clock set back can move last_day back
        repeat = self.mode.kind == "review" and (
            question.id in self.graded_ids or self.store.scheduled_on(question.id, self.day()))
        view = CardView(
            question=question, position=self.done + 1, total=self.done + len(self.pending),
            mode=self.mode, repeat=repeat,
            text_changed=bool(card and card.state and card.fingerprint
                              and card.fingerprint != question.fingerprint()))
        if question.numeric is not None:
            from quiz import numeric  # only for numeric cards: its import costs start-up

            view = replace(view, instance=numeric.instantiate(question, self.seed()))
        self.ui.show_card(view)
        shown_at = self.now()
        view = self.numeric_answer(view) if view.instance else self.open_answer(view)
        if view is None:
            return None
        # in UTC: within one ZoneInfo, Python subtracts wall clocks (a DST change is an hour)
        elapsed = self.now().astimezone(UTC) - shown_at.astimezone(UTC)
        view = replace(view, answer_ms=max(0, int(elapsed.total_seconds() * 1000)))
        self.ui.show_reveal(view)
        return view

    def open_answer(self, view: CardView) -> CardView | None:
        """The typed answer (or none), with the key points it covers and a suggested grade."""
        typed = self.ui.read_answer(view)
        if typed is None:
            return None
        typed = typed.strip() or None
        from quiz import keypoints  # compiles its patterns on import: only when needed

        points = view.question.key_points
        covered = tuple(keypoints.coverage(typed, points)) if typed and points else ()
        suggested = keypoints.suggest_grade(sum(covered), len(points), typed is not None) \
            if points else None
        return replace(view, typed=typed, covered=covered, default_grade=suggested)

    def numeric_answer(self, view: CardView) -> CardView | None:
        """Ask until the answer parses (a typo is not a wrong answer); Enter alone gives up."""
        from quiz import numeric

        while True:
            typed = self.ui.read_numeric(view)
            if typed is None:
                return None
            if not typed.strip():
                return replace(view, typed=None, correct=False, default_grade=1,
                               allowed_keys="usq")
            try:
                value = numeric.read_answer(view.instance, typed)  # shape slips: ask again
            except AnswerFormatError as exc:
                self.ui.show_answer_error(exc)
                continue
            correct = numeric.grade(view.instance, value)
            return replace(view, typed=typed.strip(), correct=correct,
                           default_grade=4 if correct else 1,
                           allowed_keys="345usq" if correct else "usq")

    def grade_prompt(self, view: CardView) -> None:
        """Read keys until one is allowed, then grade, undo, bury or quit."""
        while True:
            key = self.ui.read_grade(view)
            if key is None:
                self.quit = True
                return
            key = key.strip().lower()
            if key == "" and view.default_grade is not None:
                self.record(view, view.default_grade)
                return
            if len(key) == 1 and key in view.allowed_keys:
                break
            self.ui.show_bad_key(view)
        if key == "q":
            self.quit = True
        elif key == "u":
            self.undo()
        elif key == "s":
            self.bury(view.question)
        else:
            self.record(view, int(key))

    def record(self, view: CardView, quality: int) -> None:
        question, mode = view.question, self.mode
        moment = self.now()
        day = study_day(moment, self.rollover)
        instance = view.instance
        base = Review(
            question_id=question.id, reviewed_at=moment.astimezone(UTC),
            utc_offset=int((moment.utcoffset() or timedelta(0)).total_seconds() // 60),
            study_day=day, quality=quality, state=None, kind=mode.kind, answer=view.typed,
            duration_ms=view.answer_ms, fingerprint=question.fingerprint(),
            seed=instance.seed if instance else None,
            values=instance.values if instance else None, session=mode.session)

        def decide(previous: CardState | None, scheduled_today: bool) -> Review:
            # Runs inside the store's write transaction, on the card as it is then: another
            # session on the same database may have graded it meanwhile.
            if view.repeat or (mode.kind == "review" and scheduled_today):
                return replace(base, kind="repeat")
            if not mode.schedule:
                return base
            state = mode.scheduler.next_state(previous, quality, day)
            return replace(base, state=capped(state, question.id, day, mode.interview),
                           cap_day=latest_due(question.id, day, mode.interview))

        review_id, review = self.store.record_scheduled(base, decide)
        state = review.state
        self.graded += 1
        self.graded_ids.add(question.id)
        if state is not None:
            self.cards[question.id] = self.store.card(question.id)
        self.pending.popleft()
        self.done += 1
        requeued = mode.requeue and quality < sm2.GOOD_ENOUGH
        if requeued:
            self.pending.append(question)
        self.history.append(_Graded(review_id, question, requeued))
        self.ui.show_graded(view, quality, state)

    def undo(self) -> None:
        if not self.history:
            self.ui.show_nothing_to_undo()
            return
        last = self.history.pop()
        self.store.undo(last.review_id)
        if last.requeued:
            # drop the repeat the undone grade queued (the last occurrence)
            for index in range(len(self.pending) - 1, -1, -1):
                if self.pending[index].id == last.question.id:
                    del self.pending[index]
                    break
        self.cards[last.question.id] = self.store.card(last.question.id)
        if not any(g.question.id == last.question.id for g in self.history):
            self.graded_ids.discard(last.question.id)
        self.pending.appendleft(last.question)
        self.done -= 1
        self.graded -= 1
        self.ui.show_undone(last.question)

    def bury(self, question: Question) -> None:
        self.store.bury(question.id, self.day() + timedelta(days=1))
        self.pending.popleft()
        self.ui.show_buried(question)
