"""The options and arguments several commands share, with their shell completion."""

from pathlib import Path
from typing import Annotated

import typer

from quiz import config


def _completer(column: str):
    """Shell completion of question ids, topics or tags, from the bank cached in the database
    (never the YAML: this runs on every TAB)."""
    def complete(ctx: typer.Context, incomplete: str) -> list[str]:
        from quiz import completion
        from quiz.errors import QuizError

        try:
            db = config.db_path(ctx.params.get("db"))
        except QuizError:  # e.g. a broken config file: nothing to offer, no message
            return []
        return completion.matching(completion.cached_names(db, column), incomplete)
    return complete


def _choices(*names: str):
    def complete(incomplete: str) -> list[str]:
        return [n for n in names if n.startswith(incomplete)]
    return complete


complete_question_id = _completer("id")
complete_topic = _completer("topic")
complete_tag = _completer("tags")

DbOption = Annotated[Path | None, typer.Option(
    "--db", help="SQLite database (default: QUIZ_DB, the config file's database, else the "
    "user data folder).",
    show_default=False, readable=False)]  # an unusable database is Store's error (exit 1)
BankOption = Annotated[list[Path] | None, typer.Option(
    "--bank", help="Extra bank file or folder (repeatable; added to QUIZ_BANKS and the config "
    "file's banks).", show_default=False)]
TopicOption = Annotated[list[str] | None, typer.Option(
    "--topic", help="Only this topic (repeatable).", show_default=False,
    autocompletion=complete_topic)]
TagOption = Annotated[list[str] | None, typer.Option(
    "--tag", help="Only questions with this tag (repeatable).", show_default=False,
    autocompletion=complete_tag)]
LangOption = Annotated[str | None, typer.Option(
    "--lang", help="zh, en or both (default: QUIZ_LANG, the config file, else both).",
    show_default=False, autocompletion=_choices("zh", "en", "both"))]
QuestionIdArgument = Annotated[str, typer.Argument(
    help="The question's id.", show_default=False, autocompletion=complete_question_id)]
SchedulerOption = Annotated[str | None, typer.Option(
    "--scheduler", help="sm2 or fsrs; switches to it from now on, replaying the log "
    "(default: QUIZ_SCHEDULER, the config file, else the one chosen last, else sm2).",
    show_default=False, autocompletion=_choices(*config.SCHEDULER_NAMES))]
IdsArgument = Annotated[list[str] | None, typer.Argument(
    metavar="ID...", help="Question ids (quiz list shows them).", show_default=False,
    autocompletion=complete_question_id)]
SyncOption = Annotated[bool | None, typer.Option(
    "--sync/--no-sync", help="Sync with the sync folder before and after the session "
    "(default: QUIZ_SYNC_ON_REVIEW, the config file's sync_on_review, else no).",
    show_default=False)]
