"""Progress and scheduling: `stats` (and `--compare`), `scheduler`."""

from typing import TYPE_CHECKING, Annotated

import typer

from quiz import config
from quiz.cli import PIPE_WIDTH, app, bank_of, console, open_store, ui_text
from quiz.commands.options import BankOption, DbOption, LangOption, TopicOption

if TYPE_CHECKING:

    from quiz.store import Store


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
    from quiz.stats import report as progress
    from quiz.stats.figures import Scope
    from quiz.today import interview_countdown

    lang = config.language(lang)
    store = open_store(db)
    cache = bank_of(store, bank)
    topics = cache.topic_of()
    check_topics(topics.values(), topic)
    chosen = {q: t for q, t in topics.items() if not topic or t in topic}
    scope = Scope(chosen, narrowed=bool(topic), table=None if topic else cache.scope_table())
    today = config.today()
    ids = set(chosen)
    if compare:
        _show_comparison(store, ids, lang, as_json)
        return
    found = progress.report(store, today, scope, days=days)
    scheduler = store.scheduler()
    retention = progress.predicted_retention(store, today, scope, scheduler)
    ahead = interview_countdown(store, ids, today, config.interview_date(store))
    if as_json:
        import json

        figures = {**progress.as_json(found), "plan": ahead.as_json() if ahead else None,
                   "predicted_retention": retention.as_json(),
                   "leeches": len(store.leeches() & ids)}
        typer.echo(json.dumps(figures, ensure_ascii=False, indent=2))
        return
    from quiz.lang import in_lang
    from quiz.stats.render import open_sink, write_stats

    out = open_sink(console, PIPE_WIDTH)  # plain text, without rich, when not a terminal
    write_stats(out, found, lang)
    if retention.today is not None:
        name = "SM-2" if scheduler.name == "sm2" else "FSRS"
        out.message(in_lang(f"预计记得（{name}）：今天 {retention.today:.0%}，"
                            f"{retention.days} 天后 {retention.later:.0%}",
                            f"Predicted retention ({name}): {retention.today:.0%} today, "
                            f"{retention.later:.0%} in {retention.days} days", lang))
    leeches = len(store.leeches() & ids)
    if leeches:
        out.message(in_lang(f"难记卡（leech，已暂停）：{leeches} 张，见 quiz list --leech",
                            f"Leeches (suspended): {leeches}; see quiz list --leech", lang))
    if ahead is not None:
        line = ahead.describe()
        share = f"{ahead.coverage:.0%}" if ahead.coverage is not None else "—"
        out.message(in_lang(f"{line.zh} 已开始 {ahead.started}/{ahead.total}（{share}）",
                            f"{line.en} Started {ahead.started} of {ahead.total} ({share}).",
                            lang))


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
    from quiz.views import comparison

    comparison(console(), scores, current.name, lang)


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
    standing = config.standing_scheduler()
    if standing is not None and standing.value != after.name:  # `quiz scheduler sm2` over it
        console().print(ui_text(lang, f"注意：{standing.where} 设定为 {standing.value}，下一个命令"
                                      "会切换回去",
                                f"Note: {standing.where} says {standing.value}; the next "
                                "command switches back to it"))
