"""The `quiz` command: parse the command line, call the core, render. Imports are lazy.

No `from __future__ import annotations` here: typer reads every annotation at start-up, and
string annotations cost it an eval each. Types imported only for checking are quoted.
"""

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
import typer.core

from quiz import config

if TYPE_CHECKING:
    from rich.console import Console

    from quiz.bank.cache import BankCache
    from quiz.model import Question
    from quiz.schedulers import Scheduler
    from quiz.store import Store



class _Group(typer.core.TyperGroup):
    """Turns quiz's own errors into a red `Error: …` line and their exit code, never a traceback."""

    def invoke(self, ctx: typer.Context):  # whatever the command returns
        import click

        from quiz.errors import BankError, QuizError

        _OPENED.clear()
        try:
            return super().invoke(ctx)
        except BankError as exc:
            report_bank_error(exc)
        except QuizError as exc:
            fail(str(exc), exc.exit_code)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except BrokenPipeError:  # the reader left (`quiz list | head -1`): not an error
            _quiet_stdout()
            raise typer.Exit(0) from None
        except OSError as exc:
            if exc.filename is None:  # standard output: `> /dev/full`, a closed terminal
                _quiet_stdout()
                fail(f"cannot write the output: {exc.strerror or exc}", 1)
            # a file or folder the system refuses (permissions, a name too long, …)
            fail(f"cannot use {exc.filename}: {exc.strerror or exc}", 1)
        except Exception as exc:
            # A value in the database that some reader could not use: say which one. With
            # no such value, this is a bug in quiz, and its traceback is what to report.
            for store in _OPENED:
                try:
                    bad = store.problems()
                except QuizError as unreadable:  # the check itself cannot read the file
                    fail(str(unreadable), unreadable.exit_code)
                if bad:
                    fail(str(store.unreadable(exc)), 1)
            raise
        finally:
            _OPENED.clear()


_OPENED: list["Store"] = []  # the stores this process opened, to check when reading fails


def _quiet_stdout() -> None:
    """Point standard output at /dev/null: what is still buffered for it cannot be written,
    and Python would print a traceback when it tries at exit."""
    import os

    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        pass
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # in tests stdout may be no real file
        pass


app = typer.Typer(
    cls=_Group,
    help="Bilingual (中文 / English) spaced-repetition quiz for deep-learning interviews.",
    no_args_is_help=False, add_completion=False, pretty_exceptions_enable=False,
    rich_markup_mode=None, context_settings={"help_option_names": ["-h", "--help"]})


DbOption = Annotated[Path | None, typer.Option(
    "--db", help="SQLite database (default: QUIZ_DB, else the user data folder).",
    show_default=False, readable=False)]  # an unusable database is Store's error (exit 1)
BankOption = Annotated[list[Path] | None, typer.Option(
    "--bank", help="Extra bank file or folder (repeatable; also QUIZ_BANKS).",
    show_default=False)]
TopicOption = Annotated[list[str] | None, typer.Option(
    "--topic", help="Only this topic (repeatable).", show_default=False)]
TagOption = Annotated[list[str] | None, typer.Option(
    "--tag", help="Only questions with this tag (repeatable).", show_default=False)]
LangOption = Annotated[str | None, typer.Option(
    "--lang", help="zh, en or both (default: QUIZ_LANG, else both).", show_default=False)]
SchedulerOption = Annotated[str | None, typer.Option(
    "--scheduler", help="sm2 or fsrs; switches to it from now on, replaying the log "
    "(default: the one chosen last, else sm2).", show_default=False)]


# -- plumbing shared by the commands --------------------------------------------------------


def fail(message: str, code: int = 1) -> NoReturn:
    """Print a red `Error: …` line on stderr and exit with `code`."""
    from quiz.printable import printable  # paths and typed input reach messages: no escapes

    err_console().print(f"[bold red]Error:[/] {_escape(printable(message))}", highlight=False,
                        soft_wrap=True)
    raise typer.Exit(code)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


PIPE_WIDTH = 4000  # output into a pipe or file: one logical line stays one line


def console() -> "Console":
    """The console for standard output; into a pipe, lines are not wrapped at 80 columns.

    An explicit COLUMNS still sets the width (tests and scripts rely on it).
    """
    import os

    if sys.stdout.isatty() or os.environ.get("COLUMNS"):
        return _console_type()(highlight=False)
    return _console_type()(highlight=False, width=PIPE_WIDTH)


def _console_type() -> type:
    """rich's Console, but a closed pipe raises BrokenPipeError (rich exits 1 itself),
    so that `main` and the group handle it in one place, with exit 0."""
    global _CONSOLE
    if _CONSOLE is None:
        from rich.console import Console

        class PipeConsole(Console):
            def on_broken_pipe(self) -> None:
                self.quiet = True
                raise BrokenPipeError(32, "Broken pipe")

        _CONSOLE = PipeConsole
    return _CONSOLE


_CONSOLE: type | None = None


def err_console() -> "Console":
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def open_for_study(db: Path | None, bank: list[Path] | None, lang: str | None,
                   scheduler: str | None) -> tuple[str, "Store", "Scheduler", "BankCache"]:
    """What review and mock open first, in this order: the language, the store, its
    scheduler, the bank (so a bad --lang is reported before any file is touched)."""
    lang = config.language(lang)
    store = open_store(db)
    return lang, store, config.scheduler(store, scheduler), bank_of(store, bank)


def bank_of(store: "Store", extra: list[Path] | None) -> "BankCache":
    """The bank through the store's cache (a broken bank exits 2 with every problem)."""
    from quiz.bank.cache import BankCache

    return BankCache(store, config.bank_paths(extra))


def report_bank_error(exc: Exception) -> NoReturn:
    from quiz.printable import printable

    err = err_console()
    for path, line, message in exc.problems:
        where = f"{path}:{line}" if line else path
        err.print(f"{_escape(printable(where))}: {_escape(printable(message))}",
                  highlight=False, soft_wrap=True)
    fail(f"{len(exc.problems)} problem(s) in the bank; nothing was loaded", 2)


def open_store(db: Path | None) -> "Store":
    from quiz.store import Store

    store = Store.open(config.db_path(db))
    store.leech_threshold = config.leech_threshold()
    _OPENED.append(store)
    return store


# -- commands -------------------------------------------------------------------------------


def _print_version(value: bool) -> None:
    if value:
        from quiz import __version__

        typer.echo(f"quiz {__version__}")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def default(
    ctx: typer.Context,
    version: Annotated[bool, typer.Option(
        "--version", help="Print the version and exit.", is_eager=True,
        callback=_print_version)] = False,
) -> None:
    """Bilingual (中文 / English) spaced-repetition quiz for deep-learning interviews.

    With no command, start today's review.
    """
    if ctx.invoked_subcommand is None:
        review(db=None, bank=None, topic=None, tag=None, lang=None, new=None, limit=None,
               scheduler=None)


def start_session(store: "Store", queue: list["Question"], lang: str, mode: object):
    """Run the session loop on the terminal; its result and the UI that showed it."""
    import random

    from quiz.session import run_session
    from quiz.ui import TerminalUI

    ui = TerminalUI(console(), lang)
    rng = random.SystemRandom()
    result = run_session(store, queue, ui=ui, now=config.local_now,
                         seed=lambda: rng.randrange(2**31), rollover_hour=config.rollover_hour(),
                         mode=mode)
    return result, ui


@app.command()
def review(
    db: DbOption = None, bank: BankOption = None, topic: TopicOption = None,
    tag: TagOption = None, lang: LangOption = None,
    new: Annotated[int | None, typer.Option(
        "--new", min=0, help="New cards a day (default 10, or the interview plan's pace).",
        show_default=False)] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="At most this many cards.",
                                              show_default=False)] = None,
    scheduler: SchedulerOption = None,
) -> None:
    """Today's review: due cards first, then new ones; every answer saved at once."""
    from quiz.review_queue import select_questions
    from quiz.session import Mode
    from quiz.stats import figures as stats
    from quiz.today import review_today

    lang, store, chosen, the_bank = open_for_study(db, bank, lang, scheduler)
    entries = the_bank.entries()
    questions = select_questions(entries, topic, tag)
    store.sync_retired(q.id for q in entries)
    today = config.today()
    interview = config.interview_date(store)
    decided = review_today(store, questions, today, interview, new=new, limit=limit)
    new_limit, queue = decided.new_limit, decided.queue
    out = console()
    if decided.countdown is not None:
        message = decided.countdown.describe()
        out.print(ui_text(lang, message.zh, message.en))
    if not queue:
        from quiz.lang import in_lang
        from quiz.review_queue import nothing_due
        from quiz.wrapped import Wrapped

        found = stats.outlook(store, today, questions, new_limit=new_limit, interview=interview)
        out.print(Wrapped(in_lang(*nothing_due(found, new_limit), lang)))
        return
    queue = the_bank.questions(q.id for q in queue)
    result, ui = start_session(store, queue, lang, Mode(interview=interview, scheduler=chosen))
    ui.summary(stats.day_summary(store, result.day),
               stats.outlook(store, result.day, questions, new_limit=new_limit,
                             interview=interview),
               stats.streaks(store, result.day).current)


@app.command()
def practice(
    db: DbOption = None, bank: BankOption = None, topic: TopicOption = None,
    tag: TagOption = None, lang: LangOption = None,
    weak: Annotated[bool, typer.Option(
        "--weak", help="Only weak cards (E-Factor below 2.0 or a lapse).")] = False,
    count: Annotated[int, typer.Option("--count", min=1, help="How many questions.")] = 20,
    shuffle: Annotated[bool, typer.Option("--shuffle", help="In random order.")] = False,
    scheduler: SchedulerOption = None,
) -> None:
    """Drill without touching the schedule: answers are logged as practice only."""
    import random

    from quiz.review_queue import practice_queue, select_questions
    from quiz.session import Mode

    lang = config.language(lang)
    store = open_store(db)
    config.scheduler(store, scheduler)  # --weak reads the cards it derives
    the_bank = bank_of(store, bank)
    questions = select_questions(the_bank.entries(), topic, tag)
    queue = practice_queue(questions, store.cards(), count=count, weak=weak,
                           rng=random.Random() if shuffle else None)
    if not queue:
        fail("no weak cards to practise" if weak else "no questions match", 1)
    queue = the_bank.questions(q.id for q in queue)
    result, ui = start_session(store, queue, lang, Mode.practice())
    ui.note(f"练习了 {result.graded} 道题（不影响复习计划）",
            f"Practised {result.graded} question(s); the schedule is unchanged", "green")
    if result.score is not None:
        passed, answered = sum(g >= 3 for g in result.grades), len(result.grades)
        ui.note(f"得分 {result.score:.0%}（{answered} 题中 {passed} 题评 3 分及以上）",
                f"Score {result.score:.0%} ({passed} of {answered} answered with 3 or more)",
                "bold")


@app.command()
def mock(
    db: DbOption = None, bank: BankOption = None, topic: TopicOption = None,
    tag: TagOption = None, lang: LangOption = None,
    count: Annotated[int, typer.Option("--count", min=1, help="How many questions.")] = 10,
    seconds: Annotated[int | None, typer.Option(
        "--seconds", min=5, help="Time per question, with a countdown.",
        show_default=False)] = None,
    no_schedule: Annotated[bool, typer.Option(
        "--no-schedule", help="Do not let the grades move the SM-2 schedule.")] = False,
    history: Annotated[bool, typer.Option("--history", help="List past mocks.")] = False,
    scheduler: SchedulerOption = None,
) -> None:
    """A mock interview: questions across topics, weak and unseen ones first, then a report."""
    import random

    from quiz import mock_interview
    from quiz.review_queue import mock_queue, select_questions
    from quiz.session import Mode

    lang, store, chosen, the_bank = open_for_study(db, bank, lang, scheduler)
    from quiz.ui import TerminalUI

    ui = TerminalUI(console(), lang)
    if history:
        ui.mock_history(mock_interview.history(store))
        return
    entries = the_bank.entries()
    questions = select_questions(entries, topic, tag)
    queue = mock_queue(questions, store.cards(), count=count, rng=random.Random())
    queue = the_bank.questions(q.id for q in queue)
    session = mock_interview.new_id(config.local_now())
    mock_interview.save_settings(store, session, seconds=seconds, planned=len(queue))
    mode = Mode.mock(session, seconds=seconds, schedule=not no_schedule,
                     interview=config.interview_date(store), scheduler=chosen)
    _result, ui = start_session(store, queue, lang, mode)
    found = mock_interview.report(store, session, {q.id: q.topic for q in entries})
    if found is None:
        ui.note("这次模拟面试没有作答", "No answers in this mock interview", "yellow")
    else:
        ui.mock_report(found)


@app.command()
def undo(db: DbOption = None, lang: LangOption = None) -> None:
    """Undo today's last answer that moved a card's schedule (the card is due again).

    Exits 1 when no answer today moved a schedule.
    """
    lang = config.language(lang)
    store = open_store(db)
    today = config.today()
    # this device's own answers only (a synced one from another machine is undone there)
    last = store.query("SELECT id FROM reviews WHERE study_day = ? AND repetitions IS NOT NULL "
                       "AND (device IS NULL OR device = ?) ORDER BY julianday(reviewed_at) DESC, "
                       "id DESC LIMIT 1", (today.isoformat(), store.device_id()))
    undone = store.undo(last[0]["id"], at=config.local_now()) if last else None
    if undone is None:
        fail(ui_text(lang, "今天没有可撤销的评分", "nothing to undo: no answer today moved a "
                     "card's schedule"), 1)
    card = store.card(undone.question_id)
    at = f"{undone.reviewed_at.astimezone():%H:%M}"
    if card is None or card.state is None:
        zh, en = "回到新题", "new again"
    else:
        zh, en = f"下次复习 {card.state.due}", f"next review {card.state.due}"
    console().print(_escape(ui_text(
        lang, f"已撤销 {undone.question_id} 在 {at} 的评分 {undone.quality}；{zh}",
        f"Undid {undone.question_id}: grade {undone.quality} at {at}; {en}")), soft_wrap=True)


@app.command("plan")
def plan_interview(
    db: DbOption = None, bank: BankOption = None, lang: LangOption = None,
    interview: Annotated[str | None, typer.Option(
        "--interview", help="The interview date, YYYY-MM-DD.", show_default=False)] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Forget the interview date.")] = False,
) -> None:
    """Plan for an interview date: no card is scheduled past it, the bank is covered by then."""
    from datetime import date

    from quiz import plan
    from quiz.today import interview_countdown

    lang = config.language(lang)
    store = open_store(db)
    today = config.today()
    if clear:
        store.set_setting("interview", None, at=config.local_now())
        console().print(ui_text(lang, "已清除面试日期", "Interview date cleared"))
        return
    if interview is not None:
        from quiz.store import INTERVIEW_RANGE

        try:
            day = date.fromisoformat(interview)
        except ValueError:
            fail(f"--interview takes a date as YYYY-MM-DD, not '{interview}'", 2)
        if day <= today:
            fail(f"the interview date {day} is not after today ({today})", 2)
        if day > INTERVIEW_RANGE[1]:
            fail(f"the interview date {day} is after {INTERVIEW_RANGE[1]}", 2)
        store.set_setting("interview", day.isoformat(), at=config.local_now())
    day = config.interview_date(store)
    if day is None:
        console().print(ui_text(lang, "没有设置面试日期。用法：quiz plan --interview YYYY-MM-DD",
                                "No interview date set. Use: quiz plan --interview YYYY-MM-DD"))
        return
    ids = {q.id for q in bank_of(store, bank).entries()}
    ahead = interview_countdown(store, ids, today, day)
    message = ahead.describe() if ahead is not None else plan.after_interview(day, today)
    console().print(ui_text(lang, message.zh, message.en))


def ui_text(lang: str, zh: str, en: str) -> str:
    from quiz.lang import in_lang

    return _escape(in_lang(zh, en, lang))


@app.command()
def validate(
    paths: Annotated[list[Path] | None, typer.Argument(
        help="Bank files or folders (default: the bundled banks, QUIZ_BANKS and --bank).",
        show_default=False)] = None,
    bank: BankOption = None,
) -> None:
    """Check banks; print a summary, or every problem as file:line: message (exit 2)."""
    from collections import Counter

    from quiz.bank.files import bank_files, bundled_dir
    from quiz.bank.reader import load_bank, missing_briefs
    from quiz.errors import BankError

    targets = list(paths) if paths else config.bank_paths(bank)
    try:
        the_bank = load_bank(targets)
        missing = missing_briefs(the_bank, bundled_dir())
        if missing:
            raise BankError(missing)
    except BankError as exc:
        report_bank_error(exc)
    files, _ = bank_files(targets)
    counts = Counter((q.topic, q.type) for q in the_bank.questions)
    from rich.table import Table

    table = Table(title=f"{len(the_bank.questions)} questions in {len(files)} file(s): OK")
    for column in ("topic", "open", "numeric", "total"):
        table.add_column(column, justify="left" if column == "topic" else "right")
    for topic in sorted({t for t, _ in counts}):
        o, n = counts[(topic, "open")], counts[(topic, "numeric")]
        table.add_row(topic, str(o), str(n), str(o + n))
    console().print(table)


@app.command("list")
def list_questions(
    db: DbOption = None, bank: BankOption = None, topic: TopicOption = None,
    tag: TagOption = None,
    due: Annotated[bool, typer.Option("--due", help="Only cards due today.")] = False,
    leech: Annotated[bool, typer.Option(
        "--leech", help="Only leeches: cards lapsed so often they were suspended.")] = False,
    lang: LangOption = None,
) -> None:
    """A table of questions with their review state."""
    from quiz.review_queue import select_questions, still_due

    lang = config.language(lang)
    store = open_store(db)
    the_bank = bank_of(store, bank)
    chosen = select_questions(the_bank.entries(), topic, tag)
    today = config.today()
    interview = config.interview_date(store)
    relearning: set[str] = set()
    if due:  # the review's own rule: due cards and cards to relearn today
        from quiz.stats.figures import cards_for_today

        cards, relearn = cards_for_today(store, today, interview)
        due_now, again = still_due(chosen, cards, today, relearn=relearn, interview=interview)
        relearning = {q.id for q in again}
        keep = relearning | {q.id for q in due_now}
        chosen = [q for q in chosen if q.id in keep]
    else:
        cards = store.cards()
    if leech:
        chosen = [q for q in chosen if q.id in store.leeches()]
    questions = the_bank.questions(q.id for q in chosen)
    # Aligned lines rather than a rich Table: a table of a few hundred rows takes rich most
    # of a second to lay out. The question comes last, so CJK widths need no padding.
    width = max([len(q.id) for q in questions] + [2])
    topic_width = max([len(q.topic) for q in questions] + [5])
    lines = [f"{'id':<{width}}  {'topic':<{topic_width}}  type     due         interval  EF    "
             "question"]
    for q in questions:
        card = cards.get(q.id)
        state = card.state if card else None
        due_text = ("relearn" if q.id in relearning else "suspended" if card and card.suspended
                    else str(state.due) if state else "new")
        interval = str(state.interval) if state else ""
        ef = f"{float(state.efactor):.2f}" if state else ""
        text = clip(" ".join(q.prompt.get("zh" if lang == "zh" else "en").split()), 60)
        lines.append(f"{q.id:<{width}}  {q.topic:<{topic_width}}  {q.type:<7}  {due_text:<10}  "
                     f"{interval:>8}  {ef:<4}  {text}")
    typer.echo(f"{len(questions)} question(s)\n" + "\n".join(lines))  # plain: no rich import


def clip(text: str, cells: int) -> str:
    """`text` cut to `cells` terminal columns (CJK characters take two), with an ellipsis."""
    from unicodedata import east_asian_width

    used = 0
    for index, char in enumerate(text):
        used += 2 if east_asian_width(char) in "WF" else 1
        if used > cells:
            return text[:index] + "…"
    return text


@app.command()
def show(
    question_id: Annotated[str, typer.Argument(help="The question's id.", show_default=False)],
    db: DbOption = None, bank: BankOption = None, lang: LangOption = None,
) -> None:
    """One question with its answer, sources and correction note."""
    import difflib

    from quiz.lang import pick
    from quiz.numeric import templates as numeric

    lang = config.language(lang)
    store = open_store(db)
    the_bank = bank_of(store, bank)
    found = the_bank.questions([question_id])
    if not found:
        ids = [q.id for q in the_bank.entries()]
        close = difflib.get_close_matches(question_id, ids, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        fail(f"no question with id '{question_id}'{hint}", 2)
    q = found[0]
    out = console()
    from quiz.wrapped import Wrapped  # CJK-aware line breaking, as in the session

    out.print(Wrapped.markup(f"[bold]{_escape(q.id)}[/]  [magenta]{_escape(q.topic)}[/]  "
                             f"[dim]{_escape(' '.join('#' + t for t in q.tags))}[/]"))
    if q.numeric is not None:
        instance = numeric.instantiate(q, 0)
        for text in pick(instance.prompt, lang):
            out.print(Wrapped(text, "bold"))
        out.print(Wrapped(f"= {numeric.format_value(instance.expected)}"))
        for text in pick(instance.solution, lang):
            out.print(Wrapped(text))
    else:
        for text in pick(q.prompt, lang):
            out.print(Wrapped(text, "bold"))
        for text in pick(q.brief, lang):
            out.print(Wrapped(text, "bold"))
        for text in pick(q.answer, lang):
            out.print(Wrapped(text.strip("\n")))
    for text in pick(q.note, lang):
        out.print(Wrapped(text, "yellow"))
    for source in q.sources:
        out.print(Wrapped(f"— {source.title}: {source.question}", "dim"))
    _show_memory(out, store, q.id, lang)


def _show_memory(out: "Console", store: "Store", question_id: str, lang: str) -> None:
    """FSRS's memory state of the card, when FSRS is the scheduler and the card is started."""
    scheduler = store.scheduler()
    card = store.card(question_id)
    if scheduler.name != "fsrs" or card is None or card.state is None:
        return
    state, today = card.state, config.today()
    recall = scheduler.retrievability(state, today)
    out.print(ui_text(
        lang, f"FSRS：稳定性 {state.stability:.1f} 天，难度 {state.difficulty:.2f}（1–10），"
              f"今天的回忆概率 {recall:.0%}；下次 {state.due}（间隔 {state.interval} 天）",
        f"FSRS: stability {state.stability:.1f} days, difficulty {state.difficulty:.2f} "
        f"(1–10), retrievability today {recall:.0%}; due {state.due} "
        f"(interval {state.interval} days)"))


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True,
                               "help_option_names": []})
def calc(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Argument(
        help="The calculation (quiz calc --list names them; they are the bank's check names).",
        show_default=False)] = None,
    lang: LangOption = None,
) -> None:
    """Compute with a reference function and show the worked solution.

    Examples: quiz calc conv --size 224 --kernel 7 --stride 2 --padding 3;
    quiz calc derivative sigmoid 0.5; quiz calc iterations --samples 10000 --batch 200
    --epochs 3; quiz calc softmax 1 2 3; quiz calc pool2d --matrix "1 2; 3 4" --kernel 2;
    quiz calc gd-step --theta 0.5 -1 --grad 2 0.5 --lr 0.1. quiz calc --list names every
    calculation and its arguments; quiz calc NAME --help shows one.
    """
    from quiz.errors import UsageError
    from quiz.lang import pick
    from quiz.numeric import calc as calculator
    from quiz.numeric.templates import explain, format_value

    words = list(ctx.args)
    if name in ("-h", "--help") or (name is None and {"-h", "--help"} & set(words)):
        typer.echo(ctx.get_help())
        return
    if name == "--list" or (name is None and "--list" in words):
        typer.echo("\n".join(calculator.listing()))
        return
    if name is not None and ({"-h", "--help"} & set(words)):
        typer.echo(calculator.usage(name))
        return
    lang = config.language(lang)
    check, args = calculator.parse(name, words)
    try:
        worked = explain(check, args)
    except (ValueError, TypeError) as exc:
        raise UsageError(str(exc)) from None
    out = console()
    out.print(f"[bold]{_escape(format_value(worked.value))}[/]")
    for text in pick(worked.solution, lang):
        out.print(_escape(text))


@app.command("try")
def try_answer(
    question_id: Annotated[str, typer.Argument(help="The question's id.", show_default=False)],
    answer: Annotated[str | None, typer.Option(
        "--answer", help="The typed answer to grade (default: none).", show_default=False)] = None,
    seed: Annotated[int, typer.Option(
        "--seed", min=0, help="Which instance of a numeric template.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    db: DbOption = None, bank: BankOption = None, lang: LangOption = None,
) -> None:
    """For bank authors: the key points an answer covers and the grade quiz would offer.

    For a numeric template, the question is the instance of --seed, graded against its
    expected answer. JSON keys: id, seed, question {zh, en}, expected, covered,
    suggested_grade, correct (seed, expected and correct are null for open questions;
    without --answer nothing is graded).
    """
    import difflib
    import json

    from quiz.errors import AnswerFormatError
    from quiz.keypoints import attempt
    from quiz.lang import in_lang, pick

    lang = config.language(lang)
    the_bank = bank_of(open_store(db), bank)
    ids = [e.id for e in the_bank.entries()]
    if question_id not in ids:
        close = difflib.get_close_matches(question_id, ids, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        fail(f"no question with id '{question_id}'{hint}", 2)
    question = the_bank.questions([question_id])[0]
    try:
        result = attempt(question, answer, seed)
    except AnswerFormatError as exc:
        fail(f"cannot read the answer: {in_lang(exc.reason_zh, exc.reason_en, lang)}", 2)
    if as_json:
        typer.echo(json.dumps({
            "id": question.id, "seed": result.seed,
            "question": {"zh": result.prompt.zh, "en": result.prompt.en},
            "expected": result.expected, "covered": list(result.covered),
            "suggested_grade": result.suggested, "correct": result.correct,
        }, ensure_ascii=False, indent=2))
        return
    out = console()
    out.print(f"[bold]{_escape(question.id)}[/]"
              + (f"  [dim]seed {result.seed}[/]" if result.seed is not None else ""))
    for text in pick(result.prompt, lang):
        out.print(f"[bold]{_escape(text)}[/]")
    if result.expected is not None:
        out.print(f"= {_escape(result.expected)}")
        if result.correct is not None:
            out.print(in_lang("✓ 正确", "✓ correct", lang) if result.correct
                      else in_lang("✗ 不正确", "✗ incorrect", lang))
    for point, hit in zip(question.key_points, result.covered, strict=True):
        mark = "[green]✓[/]" if hit else "[red]✗[/]"
        out.print(f"{mark} {_escape(in_lang(point.zh[0], point.en[0], lang))}")
    if question.key_points:
        hits = sum(result.covered)
        out.print(in_lang(f"要点 {hits}/{len(result.covered)}",
                          f"Key points {hits}/{len(result.covered)}", lang))
    if result.suggested is not None:
        grade = result.suggested
        out.print(in_lang(f"建议评分 {grade}", f"Suggested grade {grade}", lang))
    else:
        out.print(in_lang("无建议评分", "No suggested grade", lang))


EXPORT_FORMATS = ("anki", "csv", "md")


@app.command("export")
def export_cards(
    fmt: Annotated[str, typer.Argument(
        metavar="FORMAT", help="anki (an .apkg deck), csv or md (a study sheet).",
        show_default=False)],
    file: Annotated[str, typer.Argument(
        metavar="FILE", help="The file to write; - for standard output (csv, md).",
        show_default=False)],
    db: DbOption = None, bank: BankOption = None, topic: TopicOption = None,
    tag: TagOption = None, lang: LangOption = None,
    only_due: Annotated[bool, typer.Option(
        "--only-due", help="Only cards due today, or within --days days.")] = False,
    days: Annotated[int | None, typer.Option(
        "--days", min=0, help="Due within this many days (implies --only-due).",
        show_default=False)] = None,
    weak: Annotated[bool, typer.Option(
        "--weak", help="Only weak cards: EF below 2.0 or at least one lapse.")] = False,
    instances: Annotated[int, typer.Option(
        "--instances", min=0, max=100, help="Drawn instances per numeric question.")] = 3,
    force: Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")] = False,
    tsv: Annotated[bool, typer.Option("--tsv", help="csv: tab-separated.")] = False,
    anki_header: Annotated[bool, typer.Option(
        "--anki-header", help="csv: Anki's import headers, so the file imports as-is.")] = False,
) -> None:
    """Export flashcards: an Anki deck, a CSV/TSV table or a Markdown study sheet.

    Importing a later .apkg (or --anki-header CSV) into Anki updates its notes in place.
    """
    import time

    from quiz.export import selection as export
    from quiz.printable import printable
    from quiz.review_queue import select_questions

    if fmt not in EXPORT_FORMATS:
        fail(f"FORMAT must be one of {', '.join(EXPORT_FORMATS)}, not '{fmt}'", 2)
    if fmt != "csv" and (tsv or anki_header):
        fail("--tsv and --anki-header apply to csv only", 2)
    to_stdout = file == "-"
    if to_stdout and fmt == "anki":
        fail("an .apkg cannot go to standard output; give a file name", 2)
    database = config.db_path(db)
    if not to_stdout:
        export.check_target(Path(file), force, database=database)
    lang = config.language(lang)
    store = open_store(db)
    the_bank = bank_of(store, bank)
    topics = the_bank.topics()
    chosen = select_questions(the_bank.entries(), topic, tag)
    only_due = only_due or days is not None
    if only_due or weak:

        chosen = export.filter_by_state(
            chosen, store.cards(), today=config.today(),
            due_days=(days or 0) if only_due else None, weak=weak,
            interview=config.interview_date(store))
    questions = export.by_topic(the_bank.questions(q.id for q in chosen), topics)
    flashcards = export.flashcards(questions, instances)
    if not flashcards:
        fail("nothing to export: no question matches the filters", 1)
    if fmt == "anki":
        from quiz.export.apkg import write_apkg

        export.write_file(Path(file), lambda out: write_apkg(
            flashcards, topics, out, lang=lang, timestamp=time.time()), force=force,
            database=database)
    else:
        if fmt == "csv":
            from quiz.export.spreadsheet import write_csv

            def render(out):  # a text stream
                write_csv(flashcards, out, lang=lang, tsv=tsv, anki_header=anki_header)
        else:
            from quiz.export.markdown import write_markdown

            def render(out):  # a text stream
                write_markdown(flashcards, topics, out, lang=lang)
        if to_stdout:
            render(sys.stdout)
        else:
            export.write_text_file(Path(file), render, force=force, database=database)
    asked = len({card.question.id for card in flashcards})
    where = "standard output" if to_stdout else printable(file)
    (err_console() if to_stdout else console()).print(
        f"Wrote {len(flashcards)} card(s) from {asked} question(s) to {_escape(where)}",
        highlight=False, soft_wrap=True)


@app.command("stats")
def show_stats(
    db: DbOption = None, bank: BankOption = None, topic: TopicOption = None,
    lang: LangOption = None,
    days: Annotated[int, typer.Option("--days", min=1, max=366,
                                      help="Days of the due forecast.")] = 14,
    as_json: Annotated[bool, typer.Option("--json", help="The same figures as JSON.")] = False,
    compare: Annotated[bool, typer.Option(
        "--compare", help="How well SM-2 and FSRS each predicted your recalls.")] = False,
) -> None:
    """Progress: today, streak, a heatmap of past answers, the forecast, retention, weak cards."""
    from quiz.review_queue import check_topics
    from quiz.stats import recall
    from quiz.stats import report as progress
    from quiz.stats.figures import Scope
    from quiz.today import interview_countdown

    lang = config.language(lang)
    store = open_store(db)
    topics = bank_of(store, bank).topic_of()
    check_topics(topics.values(), topic)
    scope = Scope({q: t for q, t in topics.items() if not topic or t in topic},
                  narrowed=bool(topic))
    today = config.today()
    ids = {q for q, t in topics.items() if not topic or t in topic}
    if compare:
        _show_comparison(store, ids, lang, as_json)
        return
    found = progress.report(store, today, scope, days=days)
    scheduler = store.scheduler()
    retention = recall.forecast(store.live_states(ids), scheduler, today)
    ahead = interview_countdown(store, ids, today, config.interview_date(store))
    if as_json:
        import json

        figures = {**progress.as_json(found), "plan": ahead.as_json() if ahead else None,
                   "predicted_retention": retention.as_json(),
                   "leeches": len(store.leeches() & ids)}
        typer.echo(json.dumps(figures, ensure_ascii=False, indent=2))
        return
    from quiz.stats.render import render_stats

    out = console()
    render_stats(out, found, lang)
    if retention.today is not None:
        name = "SM-2" if scheduler.name == "sm2" else "FSRS"
        out.print(ui_text(lang, f"预计记得（{name}）：今天 {retention.today:.0%}，"
                                f"{retention.days} 天后 {retention.later:.0%}",
                          f"Predicted retention ({name}): {retention.today:.0%} today, "
                          f"{retention.later:.0%} in {retention.days} days"))
    leeches = len(store.leeches() & ids)
    if leeches:
        out.print(ui_text(lang, f"难记卡（leech，已暂停）：{leeches} 张，见 quiz list --leech",
                          f"Leeches (suspended): {leeches}; see quiz list --leech"))
    if ahead is not None:
        line = ahead.describe()
        share = f"{ahead.coverage:.0%}" if ahead.coverage is not None else "—"
        out.print(ui_text(lang, f"{line.zh} 已开始 {ahead.started}/{ahead.total}（{share}）",
                          f"{line.en} Started {ahead.started} of {ahead.total} ({share})."))


# -- import ---------------------------------------------------------------------------------

import_app = typer.Typer(
    help="Import questions into a bank file: Anki packages, CSV/TSV tables.",
    no_args_is_help=True, rich_markup_mode=None)
app.add_typer(import_app, name="import")

OutOption = Annotated[Path, typer.Option(
    "--out", help="The bank file (.yaml) to write; importing again updates it in place.",
    show_default=False)]
ImportTopicOption = Annotated[str | None, typer.Option(
    "--topic", help="The bank's topic id (default: the file's, else the deck's name).",
    show_default=False)]
FrontOption = Annotated[list[str] | None, typer.Option(
    "--front", help="A field (column) that asks the question (repeatable).",
    show_default=False)]
BackOption = Annotated[list[str] | None, typer.Option(
    "--back", help="A field (column) that answers it (repeatable).", show_default=False)]


@import_app.command("anki")
def import_anki(
    file: Annotated[Path, typer.Argument(
        metavar="FILE", help="An Anki package: .apkg or .colpkg.", show_default=False)],
    out: OutOption, topic: ImportTopicOption = None, front: FrontOption = None,
    back: BackOption = None,
    with_history: Annotated[bool, typer.Option(
        "--with-history", help="Bring Anki's review log along, so the schedule continues.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Import an Anki package's notes as open questions (ids from the notes' GUIDs)."""
    from quiz.importing import anki_import
    from quiz.importing.anki_package import read_package
    from quiz.importing.import_run import common_deck, deck_topic, write_imported

    collection = read_package(file)
    found = anki_import.convert(collection, fronts=front, backs=back)
    ids, fingerprints = write_imported(
        out, found.questions, topic=topic, default_topic=deck_topic(found.decks, out),
        title=common_deck(found.decks) or out.stem, warnings=found.warnings, source=str(file),
        report=_report)
    if with_history:
        notes = {note: (qid, fingerprints[qid]) for note, qid in zip(found.note_ids, ids,
                                                                     strict=True) if qid}
        reviews = anki_import.reviews(collection, notes, rollover_hour=config.rollover_hour())
        added = open_store(db).import_reviews(reviews)
        cards = len({r.question_id for r in reviews})
        there = len(reviews) - added
        console().print(f"History: {added} answer(s) of {cards} card(s) added to the log"
                        + (f" ({there} already there)" if there else ""), highlight=False)


@import_app.command("csv")
def import_csv(
    file: Annotated[Path, typer.Argument(
        metavar="FILE", help="A CSV/TSV file, or Anki's notes in plain text.",
        show_default=False)],
    out: OutOption, topic: ImportTopicOption = None, front: FrontOption = None,
    back: BackOption = None,
    no_header: Annotated[bool, typer.Option(
        "--no-header", help="The first row is a question, not column names.")] = False,
    html: Annotated[bool | None, typer.Option(
        "--html/--no-html", help="Cells are HTML (default: Anki's #html header, else no).",
        show_default=False)] = None,
) -> None:
    """Import a table's rows as open questions (a header row names the columns)."""
    from quiz.importing import csv_import
    from quiz.importing.import_run import read_text, write_imported

    table = csv_import.read_table(read_text(file), header=not no_header, html=html,
                                  name=str(file))
    questions, warnings = csv_import.convert(table, csv_import.mapping(table, front, back))
    write_imported(out, questions, topic=topic, default_topic=None, title=out.stem,
                   warnings=warnings, source=str(file), report=_report)


def _report(message: str, warning: bool = False) -> None:
    from quiz.printable import printable

    if warning:
        err_console().print(f"[yellow]Warning:[/] {_escape(printable(message))}",
                            highlight=False, soft_wrap=True)
    else:
        console().print(_escape(printable(message)), highlight=False, soft_wrap=True)


def _show_comparison(store: "Store", ids: set[str], lang: str, as_json: bool) -> None:
    """`quiz stats --compare`: both schedulers' predictions of the learner's recalls."""
    from quiz import schedulers
    from quiz.stats import recall

    answers = {q: found for q, found in store.scheduled_answers().items() if q in ids}
    current = store.scheduler()
    fsrs = current if current.name == "fsrs" else schedulers.get("fsrs")
    scores = recall.compare(answers, [schedulers.get("sm2"), fsrs])
    if as_json:
        import json

        typer.echo(json.dumps({"scheduler": current.name,
                               "scores": [s.as_json() for s in scores]}, indent=2))
        return
    out = console()
    if not scores[0].count:
        out.print(ui_text(lang, "还没有可比较的复习：每张卡片第二次复习起才计入。",
                          "No reviews to compare yet: they count from a card's second review."))
        return
    from rich.table import Table

    def shown(value: float | None, form: str = "{:.3f}") -> str:
        return "—" if value is None else form.format(value)

    table = Table(title=both_text(lang, "调度器预测你记住的能力", "How well each scheduler "
                                        "predicted your recalls"))
    table.add_column("")
    for score in scores:
        table.add_column("SM-2" if score.scheduler == "sm2" else "FSRS", justify="right")
    rows = [("reviews predicted", lambda s: str(s.count)),
            ("log loss (lower is better)", lambda s: shown(s.log_loss)),
            ("Brier score (lower is better)", lambda s: shown(s.brier)),
            ("AUC (higher is better)", lambda s: shown(s.auc)),
            ("mean predicted recall", lambda s: shown(s.predicted, "{:.1%}")),
            ("actual recall", lambda s: shown(s.recalled, "{:.1%}"))]
    for label, cell in rows:
        table.add_row(label, *(cell(s) for s in scores))
    out.print(table)
    for score in scores:
        name = "SM-2" if score.scheduler == "sm2" else "FSRS"
        cells = ", ".join(f"{b.low:.0%}–{b.high:.0%}: {b.count} predicted {b.predicted:.0%}, "
                          f"recalled {b.recalled:.0%}" for b in score.bands)
        out.print(_escape(f"{name} calibration — {cells}"))
    best = min(scores, key=lambda s: s.log_loss)
    out.print(ui_text(lang, f"对你的记录，{'SM-2' if best.scheduler == 'sm2' else 'FSRS'} 的"
                            f"预测更准（对数损失更低）。当前调度器：{current.name}。",
                      f"On your log, {'SM-2' if best.scheduler == 'sm2' else 'FSRS'} predicted "
                      f"your recalls better (lower log loss). Current scheduler: "
                      f"{current.name}."))


def both_text(lang: str, zh: str, en: str) -> str:
    from quiz.lang import in_lang

    return in_lang(zh, en, lang)


@app.command("scheduler")
def choose_scheduler(
    name: Annotated[str | None, typer.Argument(
        metavar="[sm2|fsrs]", help="Switch to this scheduler (the log is replayed).",
        show_default=False)] = None,
    db: DbOption = None, lang: LangOption = None,
    retention: Annotated[float | None, typer.Option(
        "--retention", help="FSRS's desired retention, 0.7 to 0.99 (default 0.9).",
        show_default=False)] = None,
) -> None:
    """Show or choose the scheduler: sm2 (the default, as published) or fsrs."""
    lang = config.language(lang)
    store = open_store(db)
    before = store.scheduler()
    after = config.scheduler(store, name, retention)
    at = f" (desired retention {after.retention:.2f})" if after.name == "fsrs" else ""
    at_zh = f"（期望记忆率 {after.retention:.2f}）" if after.name == "fsrs" else ""
    if after != before:
        console().print(ui_text(lang, f"调度器改为 {after.name}{at_zh}：已按复习记录重算所有卡片",
                                f"Scheduler now {after.name}{at}: every card was replayed "
                                "from the review log"))
    else:
        console().print(ui_text(lang, f"调度器：{after.name}{at_zh}",
                                f"Scheduler: {after.name}{at}"))


# -- sync and the card commands ---------------------------------------------------------------

IdsArgument = Annotated[list[str] | None, typer.Argument(
    metavar="ID...", help="Question ids (quiz list shows them).", show_default=False)]


@app.command("sync")
def sync_log(
    folder: Annotated[Path | None, typer.Argument(
        metavar="[DIR]", help="The shared folder (default: --dir, else QUIZ_SYNC_DIR).",
        show_default=False)] = None,
    dir_option: Annotated[Path | None, typer.Option(
        "--dir", help="The shared folder, as an option.", show_default=False)] = None,
    db: DbOption = None, lang: LangOption = None,
) -> None:
    """Sync the review log with other machines through a shared folder (Syncthing, Dropbox,
    git): this device's answers go to DIR/<device>.jsonl, every other file's come in.

    Exits 2 when a line of a sync file is not a row of the log (it is left out, named).
    """
    from quiz.sync import sync

    lang = config.language(lang)
    if folder is not None and dir_option is not None and folder != dir_option:
        fail(f"give the sync folder once: DIR {folder} or --dir {dir_option}", 2)
    where = config.sync_dir(folder or dir_option)
    done = sync(open_store(db), where)
    err = err_console()
    for line in done.waiting:
        err.print(_escape(f"Note: {line}: not complete yet (still being copied?); taken next "
                          "time"), highlight=False, soft_wrap=True)
    for line in done.bad:
        err.print(_escape(f"Warning: {line}"), style="yellow", highlight=False, soft_wrap=True)
    console().print(ui_text(
        lang, f"已同步 {done.folder}：读入 {done.files} 个文件中 {done.imported} 条新记录，"
              f"更新 {done.cards} 张卡片；写出本机 {done.exported} 条到 {done.device}.jsonl",
        f"Synced with {done.folder}: {done.imported} new row(s) from {done.files} file(s), "
        f"{done.cards} card(s) updated; {done.exported} row(s) of this device written to "
        f"{done.device}.jsonl"), soft_wrap=True)
    if done.bad:
        fail(f"{len(done.bad)} line(s) of the sync files are not rows of the log and were "
             "left out (see above); the rest is synced", 2)


def _card_action(action: str, ids: list[str] | None, db: Path | None, bank: list[Path] | None,
                 lang: str | None, yes: bool = True) -> None:
    from quiz import card_actions

    lang = config.language(lang)
    store = open_store(db)
    chosen = card_actions.check_ids((q.id for q in bank_of(store, bank).entries()), ids or [])
    if not yes and not typer.confirm(
            f"Reset {len(chosen)} card(s) to new ({', '.join(chosen)})? The log keeps their "
            "history", default=False, err=True):
        fail("nothing was reset", 1)
    done = card_actions.apply(store, action, chosen, config.local_now())
    console().print(ui_text(lang, done.zh, done.en), soft_wrap=True)


@app.command()
def suspend(question_ids: IdsArgument = None, db: DbOption = None, bank: BankOption = None,
            lang: LangOption = None) -> None:
    """Suspend cards: never asked until unsuspended (the schedule is kept)."""
    _card_action("suspend", question_ids, db, bank, lang)


@app.command()
def unsuspend(question_ids: IdsArgument = None, db: DbOption = None, bank: BankOption = None,
              lang: LangOption = None) -> None:
    """Bring suspended cards (leeches too) back into the reviews."""
    _card_action("unsuspend", question_ids, db, bank, lang)


@app.command()
def reset(question_ids: IdsArgument = None, db: DbOption = None, bank: BankOption = None,
          lang: LangOption = None,
          yes: Annotated[bool, typer.Option("--yes", help="Do not ask first.")] = False,
          ) -> None:
    """Start cards over as new (asks first); the log keeps their history."""
    _card_action("reset", question_ids, db, bank, lang, yes)


def main() -> None:
    """The console script."""
    try:
        try:
            app()
        finally:
            # What is still buffered goes now, while a closed pipe or a full disk can be
            # told apart: at exit Python would print a traceback for it.
            sys.stdout.flush()
    except KeyboardInterrupt:  # outside a session (which handles its own): no traceback
        sys.exit(130)
    except BrokenPipeError:  # the reader left early (`quiz list | head -1`): all is well
        _quiet_stdout()
        sys.exit(0)
    except OSError as exc:  # standard output cannot be written (`> /dev/full`)
        if exc.filename is not None:
            raise
        _quiet_stdout()
        print(f"Error: cannot write the output: {exc.strerror or exc}", file=sys.stderr)
        sys.exit(1)
