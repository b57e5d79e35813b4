"""The `quiz` command: parse the command line, call the core, render. Imports are lazy."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
import typer.core

if TYPE_CHECKING:
    from rich.console import Console

    from quiz.bank import Bank
    from quiz.model import Question
    from quiz.store import Store



class _Group(typer.core.TyperGroup):
    """Turns quiz's own errors into a red `Error: …` line and their exit code, never a traceback."""

    def invoke(self, ctx: typer.Context):  # noqa: ANN201 - whatever the command returns
        from quiz.errors import QuizError

        try:
            return super().invoke(ctx)
        except QuizError as exc:
            fail(str(exc), exc.exit_code)


app = typer.Typer(
    cls=_Group,
    help="Bilingual (中文 / English) spaced-repetition quiz for deep-learning interviews.",
    no_args_is_help=False, add_completion=False, pretty_exceptions_enable=False,
    rich_markup_mode=None, context_settings={"help_option_names": ["-h", "--help"]})

LANGS = ("zh", "en", "both")

DbOption = Annotated[Path | None, typer.Option(
    "--db", help="SQLite database (default: QUIZ_DB, else the user data folder).",
    show_default=False)]
BankOption = Annotated[list[Path] | None, typer.Option(
    "--bank", help="Extra bank file or folder (repeatable; also QUIZ_BANKS).",
    show_default=False)]
TopicOption = Annotated[list[str] | None, typer.Option(
    "--topic", help="Only this topic (repeatable).", show_default=False)]
TagOption = Annotated[list[str] | None, typer.Option(
    "--tag", help="Only questions with this tag (repeatable).", show_default=False)]
LangOption = Annotated[str | None, typer.Option(
    "--lang", help="zh, en or both (default: QUIZ_LANG, else both).", show_default=False)]


# -- plumbing shared by the commands --------------------------------------------------------


def fail(message: str, code: int = 1) -> NoReturn:
    """Print a red `Error: …` line on stderr and exit with `code`."""
    err_console().print(f"[bold red]Error:[/] {_escape(message)}", highlight=False,
                        soft_wrap=True)
    raise typer.Exit(code)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def console() -> Console:
    from rich.console import Console

    return Console(highlight=False)


def err_console() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def bank_paths(extra: list[Path] | None) -> list[Path]:
    """The bundled banks (unless QUIZ_BUNDLED=0), then QUIZ_BANKS, then --bank."""
    from quiz.bank import bundled_dir

    env = [Path(p) for p in os.environ.get("QUIZ_BANKS", "").split(os.pathsep) if p]
    bundled = [] if os.environ.get("QUIZ_BUNDLED") == "0" else [bundled_dir()]
    return [*bundled, *env, *(extra or [])]


def load(extra: list[Path] | None) -> Bank:
    """The bank, or exit 2 with every problem as `file:line: message`."""
    from quiz.bank import load_bank
    from quiz.errors import BankError

    try:
        return load_bank(bank_paths(extra))
    except BankError as exc:
        report_bank_error(exc)


def report_bank_error(exc: Exception) -> NoReturn:
    err = err_console()
    for path, line, message in exc.problems:
        where = f"{path}:{line}" if line else path
        err.print(f"{_escape(where)}: {_escape(message)}", highlight=False, soft_wrap=True)
    fail(f"{len(exc.problems)} problem(s) in the bank; nothing was loaded", 2)


def db_path(db: Path | None) -> Path:
    """--db, else QUIZ_DB, else quiz.db in the user data folder."""
    if db is not None:
        return db
    if os.environ.get("QUIZ_DB"):
        return Path(os.environ["QUIZ_DB"])
    from platformdirs import user_data_dir

    return Path(user_data_dir("quiz", appauthor=False)) / "quiz.db"


def open_store(db: Path | None) -> Store:
    from quiz.store import Store

    return Store.open(db_path(db))


def language(lang: str | None) -> str:
    value = lang or os.environ.get("QUIZ_LANG") or "both"
    if value not in LANGS:
        fail(f"--lang must be one of {', '.join(LANGS)}, not '{value}'", 2)
    return value


def select(bank: Bank, topics: list[str] | None, tags: list[str] | None) -> list[Question]:
    """The bank's questions narrowed to `topics` and `tags`; unknown names are usage errors."""
    questions = list(bank.questions)
    known_topics = sorted({q.topic for q in questions})
    for topic in topics or []:
        if topic not in known_topics:
            fail(f"unknown topic '{topic}'; known topics: {', '.join(known_topics)}", 2)
    known_tags = sorted({t for q in questions for t in q.tags})
    for tag in tags or []:
        if tag not in known_tags:
            fail(f"unknown tag '{tag}'; known tags: {', '.join(known_tags)}", 2)
    if topics:
        questions = [q for q in questions if q.topic in topics]
    if tags:
        questions = [q for q in questions if set(tags) & set(q.tags)]
    return questions


def rollover_hour() -> int:
    value = os.environ.get("QUIZ_ROLLOVER", "4")
    if not value.isdigit() or not 0 <= int(value) <= 23:
        fail(f"QUIZ_ROLLOVER must be an hour from 0 to 23, not '{value}'", 2)
    return int(value)


def local_now():  # noqa: ANN201 - datetime, imported lazily
    from datetime import datetime

    return datetime.now().astimezone()


# -- commands -------------------------------------------------------------------------------


@app.callback(invoke_without_command=True)
def default(ctx: typer.Context) -> None:
    """Bilingual (中文 / English) spaced-repetition quiz for deep-learning interviews.

    With no command, start today's review.
    """
    if ctx.invoked_subcommand is None:
        review(db=None, bank=None, topic=None, tag=None, lang=None, new=10, limit=None)


@app.command()
def review(
    db: DbOption = None, bank: BankOption = None, topic: TopicOption = None,
    tag: TagOption = None, lang: LangOption = None,
    new: Annotated[int, typer.Option("--new", min=0, help="New cards a day.")] = 10,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="At most this many cards.",
                                              show_default=False)] = None,
) -> None:
    """Today's review: due cards first, then new ones; every answer saved at once."""
    import random

    from quiz import stats
    from quiz.queue import build_queue
    from quiz.session import run_session, study_day
    from quiz.ui import TerminalUI

    lang = language(lang)
    the_bank = load(bank)
    questions = select(the_bank, topic, tag)
    rollover = rollover_hour()
    store = open_store(db)
    store.sync_retired(q.id for q in the_bank.questions)
    today = study_day(local_now(), rollover)
    queue = build_queue(questions, store.cards(), today, new_limit=new,
                        introduced_today=store.new_introduced(today),
                        relearn=store.relearning(today), limit=limit)
    out = console()
    ui = TerminalUI(out, lang)
    ids = [q.id for q in questions]
    if not queue:
        upcoming = stats.next_due(store, today, ids)
        when = str(upcoming) if upcoming else "—"
        out.print(ui_text(lang, f"今天没有到期的题目。下次到期：{when}",
                          f"Nothing is due today. Next due: {when}"))
        return
    rng = random.SystemRandom()
    result = run_session(store, queue, ask=ui.ask, show=ui.show, now=local_now,
                         seed=lambda: rng.randrange(2**31), rollover_hour=rollover)
    current, _longest = stats.streaks(store, result.day)
    ui.summary(stats.day_summary(store, result.day), stats.next_due(store, result.day, ids),
               current)


def ui_text(lang: str, zh: str, en: str) -> str:
    from quiz.ui import both

    return _escape(both(zh, en, lang))


@app.command()
def validate(
    paths: Annotated[list[Path] | None, typer.Argument(
        help="Bank files or folders (default: the bundled banks, QUIZ_BANKS and --bank).",
        show_default=False)] = None,
    bank: BankOption = None,
) -> None:
    """Check banks; print a summary, or every problem as file:line: message (exit 2)."""
    from collections import Counter

    from quiz.bank import bank_files, load_bank
    from quiz.errors import BankError

    targets = list(paths) if paths else bank_paths(bank)
    try:
        the_bank = load_bank(targets)
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
    lang: LangOption = None,
) -> None:
    """A table of questions with their review state."""
    from rich.table import Table

    from quiz.queue import is_due
    from quiz.session import study_day

    lang = language(lang)
    questions = select(load(bank), topic, tag)
    store = open_store(db)
    today = study_day(local_now(), rollover_hour())
    cards = store.cards()
    if due:
        questions = [q for q in questions if is_due(cards.get(q.id), today)]
    table = Table(title=f"{len(questions)} question(s)")
    for column in ("id", "topic", "type", "question", "due", "interval", "EF"):
        table.add_column(column, overflow="fold")
    for q in questions:
        card = cards.get(q.id)
        state = card.state if card else None
        text = q.prompt.get("zh" if lang == "zh" else "en")
        table.add_row(q.id, q.topic, q.type, text[:60],
                      str(state.due) if state else "new",
                      str(state.interval) if state else "",
                      f"{float(state.efactor):.2f}" if state else "")
    console().print(table)


@app.command()
def show(
    question_id: Annotated[str, typer.Argument(help="The question's id.", show_default=False)],
    bank: BankOption = None, lang: LangOption = None,
) -> None:
    """One question with its answer, sources and correction note."""
    import difflib

    from quiz import numeric
    from quiz.ui import pick

    lang = language(lang)
    questions = load(bank).by_id()
    if question_id not in questions:
        close = difflib.get_close_matches(question_id, list(questions), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        fail(f"no question with id '{question_id}'{hint}", 2)
    q = questions[question_id]
    out = console()
    out.print(f"[bold]{_escape(q.id)}[/]  [magenta]{_escape(q.topic)}[/]  "
              f"[dim]{_escape(' '.join('#' + t for t in q.tags))}[/]")
    if q.numeric is not None:
        instance = numeric.instantiate(q, 0)
        for text in pick(instance.prompt, lang):
            out.print(f"[bold]{_escape(text)}[/]")
        out.print(f"= {_escape(numeric.format_value(instance.expected))}")
        for text in pick(instance.solution, lang):
            out.print(_escape(text))
    else:
        for text in pick(q.prompt, lang):
            out.print(f"[bold]{_escape(text)}[/]")
        for text in pick(q.answer, lang):
            out.print(_escape(text))
    for text in pick(q.note, lang):
        out.print(f"[yellow]{_escape(text)}[/]")
    for source in q.sources:
        out.print(f"[dim]— {_escape(source.title)}: {_escape(source.question)}[/]")


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def calc(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(
        help="conv, conv-transpose, pool, same-padding, conv-params, linear-params, "
             "rnn-params, lstm-params, gru-params, iterations, derivative, activation, "
             "softmax, pool2d, compose, gd-step, dropout-scale.", show_default=False)],
    lang: LangOption = None,
) -> None:
    """Compute with a reference function and show the worked solution.

    Examples: quiz calc conv --size 224 --kernel 7 --stride 2 --padding 3;
    quiz calc derivative sigmoid 0.5; quiz calc iterations --samples 10000 --batch 200
    --epochs 3; quiz calc softmax 1 2 3; quiz calc pool2d --matrix "1 2; 3 4" --kernel 2.
    """
    from quiz import calc as calculator
    from quiz.errors import UsageError
    from quiz.numeric import explain, format_value
    from quiz.ui import pick

    lang = language(lang)
    check, args = calculator.parse(name, list(ctx.args))
    try:
        worked = explain(check, args)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    out = console()
    out.print(f"[bold]{_escape(format_value(worked.value))}[/]")
    for text in pick(worked.solution, lang):
        out.print(_escape(text))


def main() -> None:
    """The console script."""
    try:
        app()
    except KeyboardInterrupt:  # outside a session (which handles its own): no traceback
        sys.exit(130)
