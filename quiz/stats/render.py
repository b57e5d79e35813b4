"""Rich rendering of `quiz stats`: figures, a calendar heatmap, a bar chart, tables.

Without colour (NO_COLOR, or output that is not a terminal) the heatmap's shades are drawn
with glyphs of increasing density, so the chart reads the same in plain text.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from quiz.lang import in_lang
from quiz.review_queue import WEAK_EF
from quiz.stats.report import RETIRED, Heatmap, Recall, Report
from quiz.wrapped import Wrapped

SHADES = ("grey27", "#0e4429", "#006d32", "#26a641", "#39d353")  # GitHub's greens, 0 to 4
GLYPHS = ("·", "░", "▒", "▓", "█")  # the same levels without colour
EIGHTHS = " ▏▎▍▌▋▊▉█"
BAR_WIDTH = 40
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
WEEKDAYS_ZH = ("一", "二", "三", "四", "五", "六", "日")


def level(count: int, most: int) -> int:
    """The shade of a day: 0 for none, else 1–4 in quarters of the busiest day."""
    return 0 if count <= 0 or most <= 0 else min(4, -(-4 * count // most))


def duration(seconds: int) -> str:
    """12s, 3m 05s, 1h 02m."""
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m {seconds % 60:02d}s"
    return f"{seconds // 3600}h {seconds // 60 % 60:02d}m"


def percent(recall: Recall) -> str:
    """80% (8/10), or — without reviews."""
    if recall.rate is None:
        return "—"
    return f"{recall.rate:.0%} ({recall.passed}/{recall.reviews})"


def heatmap_lines(found: Heatmap, lang: str, color: bool) -> list[Text]:
    """Month labels, then one row per weekday (Monday first), one column per week."""
    weeks = ((found.end - found.start).days // 7) + 1
    counts = dict(found.days())
    most = max(found.counts, default=0)
    pad = 4
    mondays = [found.start + timedelta(weeks=week) for week in range(weeks)]
    starts = [w for w in range(weeks) if w == 0 or mondays[w].month != mondays[w - 1].month]
    if len(starts) > 1 and starts[1] < 2:  # no room for the first month's label
        starts.pop(0)
    months = Text(" " * pad)
    for week in starts:
        month = mondays[week].month
        label = f"{month}月" if lang == "zh" else MONTHS_EN[month - 1]
        if months.cell_len <= pad + 2 * week:
            months.append(" " * (pad + 2 * week - months.cell_len) + label)
    lines = [months]
    names = WEEKDAYS_ZH if lang == "zh" else WEEKDAYS_EN
    for weekday in range(7):
        row = Text()
        row.append(names[weekday].ljust(pad - (1 if lang == "zh" else 0)), style="dim")
        for week in range(weeks):
            day = found.start + timedelta(weeks=week, days=weekday)
            if day > found.end:
                break
            shade = level(counts.get(day, 0), most)
            if color:
                row.append("■ ", style=SHADES[shade])
            else:
                row.append(GLYPHS[shade] + " ")
        lines.append(row)
    legend = Text(" " * pad)
    legend.append({"zh": "少 ", "en": "less "}.get(lang, "少 less "), style="dim")
    for shade in range(5):
        legend.append(("■" if color else GLYPHS[shade]) + " ",
                      style=SHADES[shade] if color else "")
    legend.append({"zh": f"多（单日最多 {most}）", "en": f"more (busiest day: {most})"}.get(
        lang, f"多 more（单日最多 · busiest day: {most}）"), style="dim")
    lines.append(legend)
    return lines


def bar(value: int, most: int, width: int = BAR_WIDTH) -> str:
    """A horizontal bar in eighths of a cell, `width` cells for `most`."""
    if value <= 0 or most <= 0:
        return ""
    eighths = max(1, round(8 * width * value / most))
    return "█" * (eighths // 8) + (EIGHTHS[eighths % 8] if eighths % 8 else "")


def bar_chart(rows: Sequence[tuple[date, int]], lang: str) -> Table:
    """One row per day: the date and weekday, a bar, the count."""
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True, style="dim")
    table.add_column(no_wrap=True, style="cyan")
    table.add_column(no_wrap=True, justify="right")
    most = max((n for _, n in rows), default=0)
    for day, n in rows:
        weekday = f"周{WEEKDAYS_ZH[day.weekday()]}" if lang == "zh" else WEEKDAYS_EN[day.weekday()]
        table.add_row(f"{day:%m-%d} {weekday}", bar(n, most), str(n))
    return table


def label(zh: str, en: str, lang: str) -> str:
    """A table label: one language, or both on two lines (so tables fit 80 columns)."""
    return {"zh": zh, "en": en}.get(lang, f"{zh}\n{en}")


def _title(console: Console, zh: str, en: str, lang: str) -> None:
    console.print()
    console.print(Wrapped(in_lang(zh, en, lang), "bold"))


def _table() -> Table:
    return Table(box=None, padding=(0, 1), show_edge=False, header_style="dim")


def render_stats(console: Console, found: Report, lang: str) -> None:
    """Print every figure of the report."""
    scope = ", ".join(found.topics) if found.topics else in_lang("全部主题", "all topics", lang)
    console.print(Wrapped.markup(f"[bold]{escape(in_lang('学习进度', 'Progress', lang))}[/] · "
                                 f"{found.day} · {escape(scope)}"))
    if not found.has_answers:
        console.print(Wrapped(in_lang(
            f"还没有复习记录。运行 quiz review 开始第一次复习（{found.cards.new} 道新题）。",
            f"No reviews yet. Run `quiz review` to start ({found.cards.new} new questions "
            "waiting).", lang)))
        return
    render_today(console, found, lang)
    weeks = -(-len(found.heatmap.counts) // 7)
    _title(console, f"最近 {weeks} 周每天的作答", f"Answers per day, last {weeks} weeks", lang)
    color = console.color_system is not None and not console.no_color
    for line in heatmap_lines(found.heatmap, lang, color):
        console.print(line)
    days = len(found.forecast)
    _title(console, f"未来 {days} 天到期", f"Due in the next {days} days", lang)
    console.print(bar_chart(found.forecast, lang))
    render_retention(console, found, lang)
    render_cards(console, found, lang)


def render_today(console: Console, found: Report, lang: str) -> None:
    """Today's figures, two rows of four, then the streaks."""
    day, streak = found.today, found.streaks
    _title(console, "今天", "Today", lang)
    figures = Table.grid(padding=(0, 2))
    for _ in range(4):
        figures.add_column(no_wrap=True)
        figures.add_column(no_wrap=True, justify="right", style="bold")
    retention = f"{day.retention:.0%}" if day.retention is not None else "—"
    cells = [(label("已复习", "Reviewed", lang), day.reviewed),
             (label("新题", "New", lang), day.new), (label("答错", "Failed", lang), day.failed),
             (label("重复", "Repeats", lang), day.repeats),
             (label("练习", "Practice", lang), day.practice),
             (label("用时", "Time", lang), duration(day.seconds)),
             (label("保持率", "Retention", lang), retention),
             (label("仍到期", "Still due", lang), found.due)]
    for i in range(0, len(cells), 4):
        figures.add_row(*[str(x) for cell in cells[i:i + 4] for x in cell])
    console.print(figures)
    span = f" ({streak.longest_start} → {streak.longest_end})" if streak.longest_start else ""
    console.print(Wrapped.markup(
        f"{escape(in_lang('连续天数', 'Streak', lang))} [bold]{streak.current}[/]   "
        f"{escape(in_lang('最长', 'Longest', lang))} [bold]{streak.longest}[/]{escape(span)}"))


def render_retention(console: Console, found: Report, lang: str) -> None:
    """Retention overall and per topic, young / mature / all."""
    ret = found.retention
    days = (ret.end - ret.start).days + 1
    _title(console, f"保持率（近 {days} 天，评分 ≥ 3）",
           f"Retention (last {days} days, graded ≥ 3)", lang)
    table = _table()
    table.add_column(label("主题", "topic", lang), overflow="fold")
    for zh, en in (("年轻 <21天", "young <21 d"), ("成熟 ≥21天", "mature ≥21 d"),
                   ("合计", "all")):
        table.add_column(label(zh, en, lang), justify="right", no_wrap=True)
    table.add_row(in_lang("全部", "all topics", lang), *map(percent, (
        ret.overall.young, ret.overall.mature, ret.overall.all)), style="bold")
    for name, row in ret.topics:
        shown = in_lang("（已退役）", RETIRED, lang) if name == RETIRED else name
        table.add_row(escape(shown), percent(row.young), percent(row.mature), percent(row.all))
    console.print(table)


def render_cards(console: Console, found: Report, lang: str) -> None:
    """Cards by state, then the weakest questions."""
    cards = found.cards
    _title(console, "卡片状态", "Cards by state", lang)
    states = _table()
    counts = [(("新", "new"), cards.new), (("学习中", "learning"), cards.learning),
              (("年轻", "young"), cards.young), (("成熟", "mature"), cards.mature),
              (("搁置", "buried"), cards.buried), (("已退役", "retired"), cards.retired)]
    for (zh, en), _n in counts:
        states.add_column(label(zh, en, lang), justify="right", no_wrap=True)
    states.add_row(*("—" if n is None else str(n) for _, n in counts))
    console.print(states)
    _title(console, "最薄弱的题目（EF 最低、遗忘最多）",
           "Weakest questions (lowest EF, most lapses)", lang)
    if not found.weakest:
        floor = f"{float(WEAK_EF):.1f}"  # review_queue.is_weak's rule, not a copy of its number
        console.print(Wrapped(in_lang(f"没有：每张卡片的 EF 都是 {floor} 以上且没有遗忘。",
                                   f"None: every card has an EF of {floor} or more and no lapse.",
                                   lang)))
        return
    weak = _table()
    for zh, en in (("题目", "id"), ("主题", "topic")):
        weak.add_column(label(zh, en, lang), overflow="fold")
    for zh, en in (("EF", "EF"), ("遗忘", "lapses"), ("复习", "reviews"), ("到期", "due")):
        weak.add_column(label(zh, en, lang) if zh != en else en, justify="right", no_wrap=True)
    for w in found.weakest:  # the interval is in --json; the due day says as much here
        weak.add_row(escape(w.question_id), escape(w.topic), f"{w.ef:.2f}", str(w.lapses),
                     str(w.reviews), str(w.due))
    console.print(weak)
