"""Study commands: `review`, `practice`, `mock`, `undo`, `plan`."""

from typing import TYPE_CHECKING, Annotated

import typer

from quiz import config
from quiz.cli import (
    _escape,
    app,
    bank_of,
    console,
    err_console,
    open_for_study,
    open_store,
    question_by_id,
    ui_text,
)
from quiz.commands.options import (
    BankOption,
    DbOption,
    LangOption,
    SchedulerOption,
    SyncOption,
    TagOption,
    TopicOption,
)

if TYPE_CHECKING:
    from quiz.model import Question
    from quiz.store import Store
    from quiz.sync import SessionSync


def session_sync(store: "Store", option: bool | None) -> "SessionSync | None":
    """The sync around a session that --sync or the setting sync_on_review asks for, started
    (its lines go to stderr); None when neither asks (nothing imported, nothing read)."""
    enabled = config.sync_on_review(option)
    if not enabled:
        return None
    from quiz.printable import printable
    from quiz.sync import SessionSync

    def say(text: str, warning: bool) -> None:
        shown = _escape(printable(text))
        err_console().print(f"[yellow]Warning:[/] {shown}" if warning else shown,
                            highlight=False, soft_wrap=True)

    synced = SessionSync(store, enabled, config.sync_dir(), say)
    synced.start()
    return synced


def start_session(store: "Store", queue: list["Question"], lang: str, mode: object,
                  synced: "SessionSync | None"):
    """Run the session loop on the terminal, then the sync after it; its result and the UI
    that showed it."""
    import random

    from quiz.session import run_session
    from quiz.ui import TerminalUI

    ui = TerminalUI(console(), lang)
    rng = random.SystemRandom()
    try:
        result = run_session(store, queue, ui=ui, now=config.local_now,
                             seed=lambda: rng.randrange(2**31),
                             rollover_hour=config.rollover_hour(), mode=mode)
    finally:
        if synced is not None:
            synced.end()
    return result, ui


@app.command()
def review(
    db: DbOption = None, bank: BankOption = None, topic: TopicOption = None,
    tag: TagOption = None, lang: LangOption = None,
    new: Annotated[int | None, typer.Option(
        "--new", min=0, help="New cards a day (default: the interview plan's pace, else "
        "new_per_day: QUIZ_NEW_PER_DAY, the config file, else 10).",
        show_default=False)] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="At most this many cards.",
                                              show_default=False)] = None,
    scheduler: SchedulerOption = None,
    order: Annotated[str | None, typer.Option(
        "--order", help="New cards' order: interleave (round-robin across topics, each "
        "file's order kept), bank (file order) or random (shuffled once per study day) "
        "(default: QUIZ_ORDER, else interleave).", show_default=False)] = None,
    sync: SyncOption = None,
) -> None:
    """Today's review: due cards first, then new ones; every answer saved at once."""
    from quiz.review_queue import select_questions
    from quiz.session import Mode
    from quiz.stats import figures as stats
    from quiz.today import review_today

    order = config.new_card_order(order)
    lang, store, chosen, the_bank = open_for_study(db, bank, lang, scheduler)
    synced = session_sync(store, sync)
    entries = the_bank.entries()
    questions = select_questions(entries, topic, tag)
    bank_ids = [q.id for q in entries]
    store.sync_retired(bank_ids, the_bank.retirable(bank_ids))
    today = config.today()
    interview = config.interview_date(store)
    decided = review_today(store, questions, today, interview, new=new, limit=limit,
                           order=order, default_new=config.new_per_day())
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
    result, ui = start_session(store, queue, lang, Mode(interview=interview, scheduler=chosen),
                               synced)
    ui.summary(stats.day_summary(store, result.day),
               stats.outlook(store, result.day, questions, new_limit=new_limit,
                             interview=interview),
               stats.streaks(store, result.day).current)


@app.command()
def practice(
    question_ids: Annotated[list[str] | None, typer.Argument(
        help="Only these questions, in this order (default: the whole selection).",
        metavar="ID...", show_default=False)] = None,
    db: DbOption = None, bank: BankOption = None, topic: TopicOption = None,
    tag: TagOption = None, lang: LangOption = None,
    weak: Annotated[bool, typer.Option(
        "--weak", help="Only weak cards (E-Factor below 2.0 or a lapse).")] = False,
    numeric: Annotated[bool, typer.Option(
        "--numeric", help="Only numeric templates (a fresh draw each time).")] = False,
    failed_today: Annotated[bool, typer.Option(
        "--failed-today", help="Only cards graded below 3 today (in any kind of session).")
    ] = False,
    count: Annotated[int | None, typer.Option(
        "--count", min=1, help="How many questions (default 20, or every ID given).",
        show_default=False)] = None,
    shuffle: Annotated[bool, typer.Option("--shuffle", help="In random order.")] = False,
    scheduler: SchedulerOption = None, sync: SyncOption = None,
) -> None:
    """Drill without touching the schedule: answers are logged as practice only.

    With nothing to practise (no weak card, none failed today, no numeric template among
    those chosen) it says so and exits 0.
    """
    import random

    from quiz.lang import in_lang
    from quiz.review_queue import (
        in_given_order,
        nothing_to_practise,
        practice_queue,
        select_questions,
    )
    from quiz.session import Mode

    lang = config.language(lang)
    store = open_store(db)
    config.scheduler(store, scheduler)  # --weak reads the cards it derives
    synced = session_sync(store, sync)
    the_bank = bank_of(store, bank)
    entries = the_bank.entries()
    questions = select_questions(entries, topic, tag)
    if question_ids:
        known = {q.id for q in entries}
        for question_id in question_ids:
            if question_id not in known:
                question_by_id(the_bank, question_id)  # a usage error naming close ids
        questions = in_given_order(questions, question_ids)
    failed = store.failed_on(config.today()) if failed_today else None
    default_count = len(questions) if question_ids else 20
    queue = practice_queue(questions, store.cards(), count=count or default_count, weak=weak,
                           numeric=numeric, failed=failed,
                           rng=random.Random() if shuffle else None)
    if not queue:
        typer.echo(in_lang(*nothing_to_practise(weak=weak, numeric=numeric,
                                                failed_today=failed_today), lang))
        return
    queue = the_bank.questions(q.id for q in queue)
    result, ui = start_session(store, queue, lang, Mode.practice(), synced)
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
    as_json: Annotated[bool, typer.Option(
        "--json", help="With --history: print JSON (keys listed above).")] = False,
    scheduler: SchedulerOption = None, sync: SyncOption = None,
) -> None:
    """A mock interview: questions across topics, weak and unseen ones first, then a report.

    --history --json prints a list of past mocks, oldest first: session (its id), started
    (ISO time with offset), answered (how many questions), score (mean grade / 5, 0–1).
    """
    import random

    from quiz import mock_interview
    from quiz.review_queue import mock_queue, select_questions
    from quiz.session import Mode

    if as_json and not history:
        from quiz.errors import UsageError

        raise UsageError("--json goes with --history (a mock itself is interactive)")
    lang, store, chosen, the_bank = open_for_study(db, bank, lang, scheduler)
    if history and as_json:
        from quiz.views import mock_history_json

        typer.echo(mock_history_json(mock_interview.history(store)))
        return
    from quiz.ui import TerminalUI

    ui = TerminalUI(console(), lang)
    if history:
        ui.mock_history(mock_interview.history(store))
        return
    synced = session_sync(store, sync)
    entries = the_bank.entries()
    questions = select_questions(entries, topic, tag)
    queue = mock_queue(questions, store.cards(), count=count, rng=random.Random())
    queue = the_bank.questions(q.id for q in queue)
    session = mock_interview.new_id(config.local_now())
    mock_interview.save_settings(store, session, seconds=seconds, planned=len(queue))
    mode = Mode.mock(session, seconds=seconds, schedule=not no_schedule,
                     interview=config.interview_date(store), scheduler=chosen)
    _result, ui = start_session(store, queue, lang, mode, synced)
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
    from quiz.errors import QuizError
    from quiz.lang import in_lang

    lang = config.language(lang)
    store = open_store(db)
    today = config.today()
    last = store.last_undoable(today)
    undone = store.undo(last, at=config.local_now()) if last is not None else None
    if undone is None:
        raise QuizError(in_lang("今天没有可撤销的评分", "nothing to undo: no answer today moved a "
                                "card's schedule", lang))
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
        store.set_setting("interview", plan.interview_day(interview, today).isoformat(),
                          at=config.local_now())
    day = config.interview_date(store)
    if day is None:
        console().print(ui_text(lang, "没有设置面试日期。用法：quiz plan --interview YYYY-MM-DD",
                                "No interview date set. Use: quiz plan --interview YYYY-MM-DD"))
        return
    ids = {q.id for q in bank_of(store, bank).entries()}
    ahead = interview_countdown(store, ids, today, day)
    message = ahead.describe() if ahead is not None else plan.after_interview(day, today)
    console().print(ui_text(lang, message.zh, message.en))
