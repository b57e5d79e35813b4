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
        try:  # typer ≥ 0.22 vendors click (typer._click): importing click itself costs ~15 ms
            from typer.exceptions import TyperException as ClickException
        except ImportError:
            from click.exceptions import ClickException

        from quiz.errors import BankError, QuizError

        _OPENED.clear()
        try:
            return super().invoke(ctx)
        except BankError as exc:
            report_bank_error(exc)
        except QuizError as exc:
            fail(str(exc), exc.exit_code)
        except (ClickException, typer.Exit, typer.Abort):
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
            if isinstance(exc, ValueError) and "embedded null byte" in str(exc):
                # typer's Path type stats an option's value while parsing: a shell cannot
                # pass a NUL character, but a program calling quiz can
                fail("an argument contains a NUL character (\\x00); remove it", 2)
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
    no_args_is_help=False, add_completion=True, pretty_exceptions_enable=False,
    rich_markup_mode=None, context_settings={"help_option_names": ["-h", "--help"]})


# -- plumbing shared by the commands --------------------------------------------------------


def fail(message: str, code: int = 1) -> NoReturn:
    """Print a red `Error: …` line on stderr and exit with `code`."""
    from quiz.printable import printable  # paths and typed input reach messages: no escapes

    err_console().print(f"[bold red]Error:[/] {_escape(printable(message))}", highlight=False,
                        soft_wrap=True)
    raise typer.Exit(code)


def _escape(text: str) -> str:
    from quiz.views import escape  # its one home, imported when first needed

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
    """The bank through the store's cache; a broken file is left out, its problems shown
    on stderr (when no file loads, the command exits 2 with every problem)."""
    from quiz.bank.cache import BankCache

    cache = BankCache(store, config.bank_paths(extra))
    skipped = cache.skipped()
    if skipped:
        from quiz.bank.reader import skipped_summary
        from quiz.printable import printable

        print_problems(skipped)
        err_console().print(f"[yellow]Warning:[/] {_escape(printable(skipped_summary(skipped)))}",
                            highlight=False, soft_wrap=True)
    return cache


def print_problems(problems: list[tuple[str, int, str]]) -> None:
    """Bank problems on stderr, one `file:line: message` a line."""
    from quiz.printable import printable

    err = err_console()
    for path, line, message in problems:
        where = f"{path}:{line}" if line else path
        err.print(f"{_escape(printable(where))}: {_escape(printable(message))}",
                  highlight=False, soft_wrap=True)


def report_bank_error(exc: Exception) -> NoReturn:
    print_problems(exc.problems)
    fail(f"{len(exc.problems)} problem(s) in the bank; nothing was loaded", 2)


def question_by_id(the_bank: "BankCache", question_id: str) -> "Question":
    """The bank's question `question_id`; a usage error naming close ids when there is none."""
    import difflib

    from quiz.errors import UsageError

    found = the_bank.questions([question_id])
    if found:
        return found[0]
    close = difflib.get_close_matches(question_id, [q.id for q in the_bank.entries()], n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise UsageError(f"no question with id '{question_id}'{hint}")


def open_store(db: Path | None) -> "Store":
    from quiz.store import Store

    store = Store.open(config.db_path(db))
    store.leech_threshold = config.leech_threshold()
    _OPENED.append(store)
    if store.created:  # a forgotten QUIZ_DB would otherwise look like "no reviews yet"
        from quiz.printable import printable

        err_console().print(f"Created a new review database at {_escape(printable(store.path))}",
                            highlight=False, soft_wrap=True)
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
        from quiz.commands.study import review

        review()


def ui_text(lang: str, zh: str, en: str) -> str:
    from quiz.lang import in_lang

    return _escape(in_lang(zh, en, lang))




# The commands register themselves on `app` as they are imported, so this comes last.
from quiz.commands import cards, numbers, progress, setup, study, transfer  # noqa: E402, F401


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
