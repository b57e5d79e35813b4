"""Commands about the bank and its cards: `validate`, `list`, `show`, `suspend`, `unsuspend`,
`reset`."""

from pathlib import Path
from typing import Annotated

import typer

from quiz import config
from quiz.cli import app, bank_of, console, open_store, question_by_id, ui_text
from quiz.commands.options import (
    BankOption,
    DbOption,
    IdsArgument,
    LangOption,
    QuestionIdArgument,
    TagOption,
    TopicOption,
)

JsonOption = Annotated[bool, typer.Option(
    "--json", help="Print JSON (UTF-8, keys listed above) instead of text.")]


@app.command()
def validate(
    paths: Annotated[list[Path] | None, typer.Argument(
        help="Bank files or folders (default: the bundled banks, QUIZ_BANKS and --bank).",
        show_default=False)] = None,
    bank: BankOption = None,
    as_json: JsonOption = False,
) -> None:
    """Check banks; print a summary, or every problem as file:line: message (exit 2).

    --json prints one object: ok (bool), files, questions, topics (topic → {open, numeric,
    total}), problems ([{file, line, message}], empty when ok); a broken bank still exits 2.
    """
    from quiz.bank.files import bank_files, bundled_dir
    from quiz.bank.reader import check_against, load_bank, missing_briefs
    from quiz.errors import BankError
    from quiz.views import bank_summary, validation_json

    targets = list(paths) if paths else config.bank_paths(bank)
    # the files given are checked against every other file review would load with them
    others = config.bank_paths(bank) if paths else []
    files: list[Path] = []
    try:
        the_bank = load_bank(targets)
        files, _ = bank_files(targets)
        checked = check_against(the_bank, targets, others)
        problems = missing_briefs(the_bank, bundled_dir()) + checked.problems
        if problems:
            raise BankError(problems)
    except BankError as exc:
        if as_json:  # the problems on stdout as data; on stderr and exit 2 as always
            typer.echo(validation_json(None, len(files), exc.problems))
        raise
    if as_json:
        typer.echo(validation_json(the_bank.questions, len(files)))
        return
    out = console()
    out.print(bank_summary(the_bank.questions, len(files)))
    if checked.files:
        out.print(f"Ids checked against the {checked.files} other bank file(s) review loads: "
                  "no duplicate", highlight=False)


@app.command("list")
def list_questions(
    db: DbOption = None, bank: BankOption = None, topic: TopicOption = None,
    tag: TagOption = None,
    due: Annotated[bool, typer.Option("--due", help="Only cards due today.")] = False,
    leech: Annotated[bool, typer.Option(
        "--leech", help="Only leeches: cards lapsed so often they were suspended.")] = False,
    grep: Annotated[str | None, typer.Option(
        "--grep", help="Only questions whose prompt, brief, answer, note or key points "
        "contain TEXT, in either language (case-insensitive; literal text, no patterns).",
        show_default=False)] = None,
    lang: LangOption = None,
    as_json: JsonOption = False,
) -> None:
    """A table of questions with their review state.

    --json prints a list, one object per question: id, topic, type, tags, question ({zh,
    en}), relearn (bool), status (new, learning, review, suspended, buried, retired), due,
    interval, efactor, repetitions, lapses, reviews, first_day, last_day, buried_until,
    stability, difficulty (dates as YYYY-MM-DD; null where the card has none).
    """
    from quiz.errors import UsageError
    from quiz.review_queue import card_status, select_questions
    from quiz.views import card_lines, card_list_json

    lang = config.language(lang)
    if grep is not None and not grep.strip():
        raise UsageError("--grep needs some text to look for")
    store = open_store(db)
    the_bank = bank_of(store, bank)
    whole_bank_due = due and not topic and not tag and grep is None
    # the whole bank's due cards: only their entries are read
    chosen = [] if whole_bank_due else select_questions(the_bank.entries(), topic, tag)
    today, interview = config.today(), config.interview_date(store)  # a bad TZ: exit 2
    found = None
    if grep is not None:
        found = the_bank.search(grep)
        matched = {q.id for q in found}
        chosen = [q for q in chosen if q.id in matched]
    relearning: set[str] = set()
    if due:  # the review's own rule: due cards and cards to relearn today
        from quiz.today import due_today

        cards, chosen, relearning = due_today(
            store, today, interview, questions=None if whole_bank_due else chosen,
            bank=the_bank)
    else:
        cards = store.cards()
    if leech:
        leeches = store.leeches()
        chosen = [q for q in chosen if q.id in leeches]
    if found is None:
        questions = the_bank.questions(q.id for q in chosen)
    else:  # decoded by the search already; both lists are in bank order
        kept = {q.id for q in chosen}
        questions = [q for q in found if q.id in kept]
    if as_json:
        if not due:
            relearning = set(store.relearning(today))
        statuses = {q.id: card_status(cards.get(q.id), today, q.id in relearning)
                    for q in questions}
        typer.echo(card_list_json(questions, cards, statuses, relearning))
    else:
        typer.echo(card_lines(questions, cards, relearning, lang))


@app.command()
def show(
    question_id: QuestionIdArgument,
    db: DbOption = None, bank: BankOption = None, lang: LangOption = None,
    as_json: JsonOption = False,
) -> None:
    """One question with its answer, sources and correction note, then its card: state, due
    date, interval, EF, lapses, reviews, and every answer from the log.

    --json prints one object: id, topic, type, tags, file, line, question, brief, answer,
    note (each {zh, en} or null), check (a numeric template's reference function, or null),
    key_points ([{zh: [...], en: [...]}]), sources ([{title, question}]), card ({status,
    due, interval, efactor, repetitions, lapses, reviews, first_day, last_day, buried_until,
    stability, difficulty}, as in `quiz list --json`) and history ([{reviewed_at, study_day,
    kind, grade, answer, seconds, scheduled}], oldest first; the typed answer unclipped).
    """
    from quiz.review_queue import card_status
    from quiz.views import card_json, card_summary, history_lines, memory_line, show_question

    lang = config.language(lang)
    store = open_store(db)
    q = question_by_id(bank_of(store, bank), question_id)
    today = config.today()
    card = store.card(q.id)
    status = card_status(card, today, q.id in store.relearning(today))
    history = store.reviews(q.id)
    if as_json:
        typer.echo(card_json(q, card, status, history))
        return
    out = console()
    show_question(out, q, lang)
    out.print(card_summary(card, status, lang), markup=False, highlight=False)
    memory = memory_line(store.scheduler(), card, today, lang)
    if memory is not None:
        out.print(memory, markup=False)
    out.print(history_lines(history, lang, out.width), markup=False, highlight=False)


def _card_action(action: str, ids: list[str] | None, db: Path | None, bank: list[Path] | None,
                 lang: str | None, yes: bool = True) -> None:
    from quiz import card_actions
    from quiz.errors import QuizError

    lang = config.language(lang)
    store = open_store(db)
    chosen = card_actions.check_ids((q.id for q in bank_of(store, bank).entries()), ids or [])
    if not yes and not typer.confirm(
            f"Reset {len(chosen)} card(s) to new ({', '.join(chosen)})? The log keeps their "
            "history", default=False, err=True):
        raise QuizError("nothing was reset")
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
