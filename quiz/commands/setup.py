"""Setting up and looking after quiz: `config`, `info`, `backup`."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from quiz import config
from quiz.cli import _escape, app, console, err_console, open_store
from quiz.commands.options import BankOption, DbOption

if TYPE_CHECKING:
    from quiz.config import Resolved
    from quiz.info import Info
    from quiz.store import Store


def _existing_store(db: Path | None) -> "tuple[Path, Store | None]":
    """The database's path, and the store if the file exists (these commands never create
    one: a new, empty database would only hide a mistyped path)."""
    path = config.db_path(db)
    return path, (open_store(path) if path.exists() else None)


@app.command("config")
def show_config(
    db: DbOption = None,
    path: Annotated[bool, typer.Option("--path", help="Print only the config file's path.")]
    = False,
    as_json: Annotated[bool, typer.Option("--json", help="The same as JSON.")] = False,
) -> None:
    """The effective settings and where each came from (option, environment, config file,
    database or default)."""
    if path:
        typer.echo(str(config.config_path()))  # even when the file is broken: to fix it
        return
    from quiz.errors import QuizError

    found = config.settings_file()
    try:
        _, store = _existing_store(db)
    except QuizError:  # an unusable database: the settings are still worth seeing
        store = None
    settings = config.effective(db, store)
    if as_json:
        import json

        typer.echo(json.dumps({
            "config_file": {"path": str(found.path), "exists": found.exists},
            "settings": {s.key: {"value": _plain(s.value), "source": s.source,
                                 "where": s.where} for s in settings},
        }, ensure_ascii=False, indent=2))
        return
    # As TOML lines, each with its origin as a comment: a line can be pasted into the file.
    state = "" if found.exists else " (not there: every setting is a default or from elsewhere)"
    lines = [f"# config file: {found.path}{state}"]
    width = max(len(s.key) + 3 + len(_toml(s.value)) for s in settings)
    for s in settings:
        line = (f"{s.key} = {_toml(s.value)}" if s.value is not None
                else f"# {s.key} (not set)")
        lines.append(f"{line:<{width}}  # {_origin(s)}")
    out = console()
    for line in lines:
        out.print(_escape(line), highlight=False, soft_wrap=True)


def _plain(value: object) -> object:
    """A setting's value as JSON: paths as strings."""
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _toml(value: object) -> str:
    """A setting's value as TOML writes it (paths as strings)."""
    import json

    return json.dumps(_plain(value), ensure_ascii=False)  # JSON's scalars and arrays are TOML


def _origin(setting: "Resolved") -> str:
    if setting.key == "banks":  # the layers that add up, each named: "PATH:1 + QUIZ_BANKS"
        return setting.where
    if setting.source == "environment":
        return f"environment {setting.where}"
    if setting.source == "file":
        return f"config file {setting.where}"
    return setting.where  # "--db", "database PATH", "default", or the banks' layers


@app.command()
def info(
    db: DbOption = None, bank: BankOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="The same as JSON.")] = False,
) -> None:
    """Version, database (path, size), banks, config file, counts and scheduler."""
    from quiz.bank.cache import BankCache
    from quiz.info import gather
    from quiz.store import Store

    found = config.settings_file()
    database, store = _existing_store(db)
    the_store = store if store is not None else Store.open(":memory:")
    the_bank = BankCache(the_store, config.bank_paths(bank))
    figures = gather(the_store, the_bank, database, store is not None, found.path,
                     found.exists, config.today(),
                     config.interview_date(the_store))
    if as_json:
        import json

        typer.echo(json.dumps(figures.as_json(), ensure_ascii=False, indent=2))
        return
    _render_info(figures)


def _render_info(figures: "Info") -> None:
    out = console()
    size = (f"{figures.database_bytes / 1024:.0f} KiB" if figures.database_exists
            else "not created yet")
    retention = (f" (desired retention {figures.desired_retention:.2f})"
                 if figures.desired_retention is not None else "")
    lines = [
        f"quiz {figures.version}",
        f"Database:    {figures.database} ({size})",
        f"Config file: {figures.config_file}"
        f"{'' if figures.config_exists else ' (not there)'}",
        f"Scheduler:   {figures.scheduler}{retention}",
        f"Banks:       {figures.questions} questions in {len(figures.bank_files)} file(s)",
        *(f"  {f.path} ({f.questions})" for f in figures.bank_files),
        f"Cards started: {figures.cards_started}, reviews: {figures.reviews}, "
        f"answers logged: {sum(figures.answers.values())}, due today: {figures.due_today}",
    ]
    for line in lines:
        out.print(_escape(line), highlight=False, soft_wrap=True)


@app.command()
def backup(
    target: Annotated[Path, typer.Argument(
        metavar="FILE", help="Where to write the copy.", show_default=False)],
    db: DbOption = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite FILE if it exists.")]
    = False,
) -> None:
    """Copy the database safely (SQLite's backup API), even while a session runs."""
    from quiz.backup import backup as copy_database
    from quiz.errors import QuizError

    database, store = _existing_store(db)
    if store is None:
        raise QuizError(f"there is no database at {database} to back up (see `quiz info`)")
    copied = copy_database(store, target, force=force)
    err_console().print(_escape(f"Backed up {database} to {copied.path} "
                                f"({copied.reviews} logged answers, "
                                f"{copied.size / 1024:.0f} KiB)"), highlight=False,
                        soft_wrap=True)
