"""The review loop: ask each queued card, record every grade at once, repeat failures.

The loop never touches the terminal or the clock itself: it talks to a `SessionUI` (one
method per thing it reads or shows) and gets the time from `now()`.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from typing import TYPE_CHECKING, Protocol

from quiz import schedulers, sm2
from quiz.errors import AnswerFormatError
from quiz.model import Card, CardState, Question, Review
from quiz.plan import capped
from quiz.store import Store
from quiz.study_day import DEFAULT_ROLLOVER_HOUR, study_day

if TYPE_CHECKING:
    from quiz.numeric import templates as numeric
    from quiz.text_diff import TextChange


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


# What a terminal sends that is not text: ESC sequences (CSI `ESC [ … final`, SS3 `ESC O x`,
# OSC / DCS / APC strings ended by BEL or ESC \\, two-character ones such as Alt-q's `ESC q`),
# their 8-bit C1 forms, and every other control character but newline and tab.
# (compiled on first use, by `re`'s cache: not on the way to the first card)
_NOT_TEXT = (
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|\x1bO[ -~]?"
    r"|[\x1b\x9b][\]PX^_][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]?"
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATE = "[\ud800-\udfff]"


def clean_typed(text: str) -> str:
    """`text` without escape sequences or control characters (newlines and tabs kept), and
    with U+FFFD for each lone surrogate (a byte that was not UTF-8, which SQLite refuses)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return re.sub(_SURROGATE, "\ufffd", re.sub(_NOT_TEXT, "", text))


class Command(Enum):
    """A key at the question prompt that is not an answer."""

    BURY = "bury"  # hide the card until tomorrow (practice: skip it)
    SKIP = "skip"  # leave the card out of this session, its schedule untouched
    UNDO = "undo"  # take back the last grade; its card is asked again first
    QUIT = "quit"  # end the session (every grade given is kept)


@dataclass(frozen=True)
class CardView:
    """What the learner sees of one card."""

    question: Question
    position: int
    total: int
    mode: Mode = Mode()
    repeat: bool = False
    text_changed: bool = False
    change: TextChange | None = None  # what changed, when the text last reviewed is known
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
    grades: tuple[int, ...] = ()  # the grades recorded (and not undone), in order

    @property
    def score(self) -> float | None:
        """The share of grades of 3 or more (a correct answer); None without a grade."""
        return sum(g >= 3 for g in self.grades) / len(self.grades) if self.grades else None


class SessionUI(Protocol):
    """What the session asks of a user interface: the terminal UI and the tests' script."""

    def read_answer(self, view: CardView) -> str | Command | None:
        """The typed answer to an open question ("" for none), or a command key; None at end
        of input."""

    def read_numeric(self, view: CardView) -> str | Command | None:
        """The typed answer to a numeric question ("" gives up), or a command key; None at end
        of input."""

    def read_grade(self, view: CardView) -> str | None:
        """One of `view.allowed_keys`, or "" for the default grade; None at end of input."""

    def read_finish(self, view: CardView) -> bool:
        """After the last card (`view`, graded): True to undo its grade, False to finish."""

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

    def show_leech(self, question: Question, lapses: int) -> None:
        """The card has lapsed `lapses` times: tagged a leech and suspended (`quiz unsuspend`)."""

    def show_skipped(self, question: Question) -> None:
        """The card is left out of this session; its schedule is untouched."""


def run_session(store: Store, queue: list[Question], *, ui: SessionUI,
                now: Callable[[], datetime], seed: Callable[[], int],
                rollover_hour: int = DEFAULT_ROLLOVER_HOUR, mode: Mode = Mode()) -> SessionResult:
    """Ask `queue`; every grade is committed before the next card is shown."""
    loop = _Loop(store, queue, ui, now, seed, rollover_hour, mode)
    try:
        loop.run()
    except KeyboardInterrupt:
        loop.quit = True
    return SessionResult(graded=loop.graded, quit=loop.quit, day=loop.day(),
                         grades=tuple(g.quality for g in loop.history))


@dataclass
class _Graded:
    review_id: int
    question: Question
    requeued: bool
    view: CardView
    quality: int


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
        while not self.quit:
            while self.pending and not self.quit:
                self.ask(self.pending[0])
            # the last card is graded: one more chance to take that grade back
            if self.quit or not self.history or not self.ui.read_finish(self.history[-1].view):
                return
            self.undo()

    def left(self) -> tuple[int, int, int]:
        """New, relearning and review cards still to ask, as Anki counts them."""
        new = relearning = review = 0
        today = self.day()
        for question in self.pending:
            card = self.cards.get(question.id)
            if self.mode.requeue and (question.id in self.graded_ids
                                      or (card is not None and card.last_day == today)):
                relearning += 1
            elif card is None or card.state is None:
                new += 1
            else:
                review += 1
        return new, relearning, review

    def ask(self, question: Question) -> None:
        """Present `question` and act on what the learner does: grade it, or a command."""
        answered = self.present(question)
        if answered is None:
            self.quit = True
        elif isinstance(answered, Command):
            self.command(answered, question)
        else:
            self.grade_prompt(answered)

    def command(self, command: Command, question: Question) -> None:
        if command is Command.QUIT:
            self.quit = True
        elif command is Command.UNDO:
            self.undo()
        elif command is Command.BURY and self.mode.kind != "practice":
            self.bury(question)
        else:  # practice never buries: the real card is not practice's to hide
            self.skip(question)

    def text_change(self, question: Question, reviewed: str) -> TextChange | None:
        """What changed in `question` since it was reviewed with the fingerprint `reviewed`
        (None when the bank cache did not keep that text)."""
        from quiz.bank.cache import previous_version
        from quiz.text_diff import text_change

        old = previous_version(self.store, reviewed)
        return text_change(old, question) if old is not None else None

    def present(self, question: Question) -> CardView | Command | None:
        """Show the card, take the typed answer, reveal: the view for grading, or the command
        typed instead of an answer (None: end of input)."""
        card = self.cards.get(question.id)
        # the log, not the card's last_day: a clock set back can move last_day back
        repeat = self.mode.kind == "review" and (
            question.id in self.graded_ids or self.store.scheduled_on(question.id, self.day()))
        changed = bool(card and card.state and card.fingerprint
                       and card.fingerprint != question.fingerprint())
        view = CardView(
            question=question, position=self.done + 1, total=self.done + len(self.pending),
            mode=self.mode, repeat=repeat, text_changed=changed,
            change=self.text_change(question, card.fingerprint) if changed else None,
            left=self.left())
        if question.numeric is not None:
            from quiz.numeric import (
                templates as numeric,  # only for numeric cards: its import costs start-up
            )

            view = replace(view, instance=numeric.instantiate(question, self.seed()))
        self.ui.show_card(view)
        shown_at = self.now()
        answered = self.numeric_answer(view) if view.instance else self.open_answer(view)
        if not isinstance(answered, CardView):
            return answered
        # in UTC: within one ZoneInfo, Python subtracts wall clocks (a DST change is an hour)
        elapsed = self.now().astimezone(UTC) - shown_at.astimezone(UTC)
        view = replace(answered, answer_ms=max(0, int(elapsed.total_seconds() * 1000)))
        self.ui.show_reveal(view)
        return view

    def open_answer(self, view: CardView) -> CardView | Command | None:
        """The typed answer (or none), with the key points it covers and a suggested grade."""
        typed = self.ui.read_answer(view)
        if typed is None or isinstance(typed, Command):
            return typed
        typed = clean_typed(typed).strip() or None
        from quiz import keypoints  # compiles its patterns on import: only when needed

        points = view.question.key_points
        covered = tuple(keypoints.coverage(typed, points)) if typed and points else ()
        suggested = keypoints.suggest_grade(sum(covered), len(points), typed is not None) \
            if points else None
        return replace(view, typed=typed, covered=covered, default_grade=suggested)

    def numeric_answer(self, view: CardView) -> CardView | Command | None:
        """Ask until the answer parses (a typo is not a wrong answer); Enter alone gives up."""
        from quiz.numeric import templates as numeric

        while True:
            typed = self.ui.read_numeric(view)
            if typed is None or isinstance(typed, Command):
                return typed
            typed = clean_typed(typed)
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
        """Read keys until one is allowed, then grade, undo, bury (practice: skip) or quit."""
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
            self.command(Command.BURY, view.question)
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
            state, cap_day = capped(mode.scheduler.next_state(previous, quality, day),
                                    question.id, day, mode.interview)
            return replace(base, state=state, cap_day=cap_day)

        review_id, review = self.store.record_answer(base, decide)
        state = review.state
        self.graded += 1
        self.graded_ids.add(question.id)
        was_leech = bool((card := self.cards.get(question.id)) and card.leech)
        if state is not None:
            self.cards[question.id] = card = self.store.card(question.id)
        self.pending.popleft()
        self.done += 1
        leech = card is not None and card.leech and not was_leech
        requeued = mode.requeue and quality < sm2.GOOD_ENOUGH and not leech
        if requeued:
            self.pending.append(question)
        self.history.append(_Graded(review_id, question, requeued, view, quality))
        self.ui.show_graded(view, quality, state)
        if leech:  # suspended now: not asked again, in this session or later
            self.pending = deque(q for q in self.pending if q.id != question.id)
            self.ui.show_leech(question, card.lapses)

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
        self.store.bury(question.id, self.day() + timedelta(days=1), at=self.now())
        self.pending.popleft()
        self.ui.show_buried(question)

    def skip(self, question: Question) -> None:
        self.pending.popleft()
        self.ui.show_skipped(question)
