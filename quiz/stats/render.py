"""Rendering of `quiz stats`: figures, a calendar heatmap, a bar chart, tables.

The report is laid out once as lines of styled spans and tables (`Grid`), then written by
a sink: `RichSink` prints rich `Text` lines on a rich console (a terminal), `PlainSink`
writes plain text without importing rich (output into a pipe or a file), byte for byte
what rich printed there. A table wider than the console is handed to rich's `Table`, which
folds it as before.

Without colour (NO_COLOR, or output that is not a terminal) the heatmap's shades are drawn
with glyphs of increasing density, so the chart reads the same in plain text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import IO, TYPE_CHECKING, Protocol

from quiz.lang import in_lang
from quiz.review_queue import WEAK_EF
from quiz.stats.report import RETIRED, Heatmap, Recall, Report

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

Span = tuple[str, str]  # text, rich style ("" for none)
Line = list[Span]

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


def heatmap_spans(found: Heatmap, lang: str, color: bool) -> list[Line]:
    """Month labels, then one row per weekday (Monday first), one column per week."""
    from quiz.line_breaking import cells

    weeks = ((found.end - found.start).days // 7) + 1
    counts = dict(found.days())
    most = max(found.counts, default=0)
    pad = 4
    mondays = [found.start + timedelta(weeks=week) for week in range(weeks)]
    starts = [w for w in range(weeks) if w == 0 or mondays[w].month != mondays[w - 1].month]
    if len(starts) > 1 and starts[1] < 2:  # no room for the first month's label
        starts.pop(0)
    months = " " * pad
    for week in starts:
        month = mondays[week].month
        label = f"{month}月" if lang == "zh" else MONTHS_EN[month - 1]
        if cells(months) <= pad + 2 * week:
            months += " " * (pad + 2 * week - cells(months)) + label
    lines: list[Line] = [[(months, "")]]
    names = WEEKDAYS_ZH if lang == "zh" else WEEKDAYS_EN
    for weekday in range(7):
        row: Line = [(names[weekday].ljust(pad - (1 if lang == "zh" else 0)), "dim")]
        for week in range(weeks):
            day = found.start + timedelta(weeks=week, days=weekday)
            if day > found.end:
                break
            shade = level(counts.get(day, 0), most)
            row.append(("■ ", SHADES[shade]) if color else (GLYPHS[shade] + " ", ""))
        lines.append(row)
    legend: Line = [(" " * pad, ""),
                    ({"zh": "少 ", "en": "less "}.get(lang, "少 less "), "dim")]
    for shade in range(5):
        legend.append((("■" if color else GLYPHS[shade]) + " ", SHADES[shade] if color else ""))
    legend.append(({"zh": f"多（单日最多 {most}）", "en": f"more (busiest day: {most})"}.get(
        lang, f"多 more（单日最多 · busiest day: {most}）"), "dim"))
    lines.append(legend)
    return lines


def heatmap_lines(found: Heatmap, lang: str, color: bool) -> list[Text]:
    """`heatmap_spans` as rich `Text` lines."""
    return [rich_text(line) for line in heatmap_spans(found, lang, color)]


def bar(value: int, most: int, width: int = BAR_WIDTH) -> str:
    """A horizontal bar in eighths of a cell, `width` cells for `most`."""
    if value <= 0 or most <= 0:
        return ""
    eighths = max(1, round(8 * width * value / most))
    return "█" * (eighths // 8) + (EIGHTHS[eighths % 8] if eighths % 8 else "")


# -- tables --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A table column: its header (lines split by newlines), justification and style."""

    header: str = ""
    justify: str = "left"  # or "right"
    style: str = ""
    fold: bool = False  # rich may fold it when the table is too wide (overflow="fold")


@dataclass
class Grid:
    """A table as rich lays out `Table.grid(padding=(0, pad))` (`grid`) or the report's
    `Table(box=None, padding=(0, 1), show_edge=False, header_style="dim")`."""

    columns: list[Column]
    grid: bool = False
    pad: int = 1
    rows: list[tuple[list[str], str]] = field(default_factory=list)  # (cells, row style)

    def add_row(self, *cells: str, style: str = "") -> None:
        self.rows.append((list(cells), style))

    def pads(self) -> list[tuple[int, int]]:
        """Each column's (left, right) padding: a grid collapses it and has no edge pad."""
        last = len(self.columns) - 1
        if self.grid:
            return [(0, 0 if i == last else self.pad) for i in range(len(self.columns))]
        return [(self.pad, self.pad)] * len(self.columns)

    def lines(self, width: int, measure: Callable[[str], int]) -> list[Line] | None:
        """The table's lines, or None when its natural width is over `width` cells."""
        rows = ([([c.header for c in self.columns], "dim")] if not self.grid else []) + self.rows
        split = [([cell.split("\n") for cell in cells], style) for cells, style in rows]
        widths = [max((measure(text) for cells, _ in split for text in cells[i]), default=0)
                  for i in range(len(self.columns))]
        pads = self.pads()
        if sum(w + left + right for w, (left, right) in zip(widths, pads, strict=True)) > width:
            return None
        out: list[Line] = []
        for index, (cells, row_style) in enumerate(split):
            header = index == 0 and not self.grid
            height = max(len(lines) for lines in cells)
            if header:  # rich puts a header's shorter cells at the bottom
                cells = [[""] * (height - len(lines)) + lines for lines in cells]
            for n in range(height):
                line: Line = []
                for column, lines, w, (left, right) in zip(self.columns, cells, widths, pads,
                                                           strict=True):
                    style = row_style if header else " ".join(
                        s for s in (column.style, row_style) if s)
                    if n >= len(lines) or (header and not lines[n]):
                        line.append((" " * (left + w + right), style))
                        continue
                    fill = " " * (w - measure(lines[n]))
                    text = fill + lines[n] if column.justify == "right" else lines[n] + fill
                    line += [(piece, style) for piece in (" " * left, text, " " * right) if piece]
                out.append(line)
        return out

    def rich_table(self) -> Table:
        """The same table as a rich `Table`, which folds what does not fit."""
        from rich.markup import escape
        from rich.table import Table

        if self.grid:
            table = Table.grid(padding=(0, self.pad))
            for c in self.columns:
                table.add_column(no_wrap=True, justify=c.justify, style=c.style or None)
        else:
            table = Table(box=None, padding=(0, 1), show_edge=False, header_style="dim")
            for c in self.columns:
                table.add_column(escape(c.header), justify=c.justify, style=c.style or None,
                                 **({"overflow": "fold"} if c.fold else {"no_wrap": True}))
        for cells, style in self.rows:
            table.add_row(*map(escape, cells), style=style or None)
        return table


# -- sinks: where the lines go -------------------------------------------------------------


class Sink(Protocol):
    """Where the report is written."""

    color: bool

    def paragraph(self, spans: Line) -> None:
        """Text broken into lines at the console's width (`quiz.line_breaking`)."""

    def line(self, spans: Line) -> None:
        """One line, as it is."""

    def table(self, grid: Grid) -> None:
        """A table."""

    def message(self, text: str) -> None:
        """A line of text as rich prints a string: wrapped at spaces when too long."""


def rich_text(spans: Line) -> Text:
    """Spans as a rich `Text`."""
    from rich.text import Text

    text = Text()
    for piece, style in spans:
        text.append(piece, style=style or None)
    return text


class RichSink:
    """Onto a rich console (a terminal): `Text` lines, rich's `Table` only when too wide."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.color = console.color_system is not None and not console.no_color

    def paragraph(self, spans: Line) -> None:
        from quiz.wrapped import Wrapped

        self.console.print(Wrapped(rich_text(spans)))

    def line(self, spans: Line) -> None:
        self.console.print(rich_text(spans))

    def table(self, grid: Grid) -> None:
        from rich.cells import cell_len

        lines = grid.lines(self.console.width, cell_len)
        if lines is None:
            self.console.print(grid.rich_table())
            return
        for line in lines:
            self.console.print(rich_text(line))

    def message(self, text: str) -> None:
        self.console.print(rich_text([(text, "")]))


class PlainSink:
    """Plain text into a file, without rich: what rich prints there without a terminal."""

    color = False

    def __init__(self, out: IO[str], width: int, console: Callable[[], Console]) -> None:
        self.out, self.width, self.console = out, width, console

    def paragraph(self, spans: Line) -> None:
        from quiz.line_breaking import wrap

        for text in wrap("".join(piece for piece, _ in spans), self.width):
            self.out.write(text + "\n")

    def line(self, spans: Line) -> None:
        self.out.write("".join(piece for piece, _ in spans) + "\n")

    def table(self, grid: Grid) -> None:
        from quiz.line_breaking import cells

        lines = grid.lines(self.width, cells)
        if lines is None:  # too wide: rich folds it
            self.out.flush()
            self.console().print(grid.rich_table())
            return
        for line in lines:
            self.line(line)

    def message(self, text: str) -> None:
        from quiz.line_breaking import cells

        if cells(text) <= self.width:
            self.line([(text, "")])
            return
        self.out.flush()
        self.console().print(rich_text([(text, "")]))


def open_sink(console: Callable[[], Console], pipe_width: int) -> Sink:
    """A RichSink on `console()` for a terminal (or when rich is told to colour anyway),
    else a PlainSink on standard output, as wide as COLUMNS says or `pipe_width`."""
    import os
    import sys

    if sys.stdout.isatty() or any(os.environ.get(name) for name in (
            "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE")):
        return RichSink(console())
    columns = os.environ.get("COLUMNS", "")
    width = int(columns) if columns.isdigit() and int(columns) > 0 else pipe_width
    return PlainSink(sys.stdout, width, console)


# -- the report ----------------------------------------------------------------------------


def bar_chart(rows: Sequence[tuple[date, int]], lang: str) -> Grid:
    """One row per day: the date and weekday, a bar, the count."""
    grid = Grid([Column(style="dim"), Column(style="cyan"), Column(justify="right")], grid=True)
    most = max((n for _, n in rows), default=0)
    for day, n in rows:
        weekday = f"周{WEEKDAYS_ZH[day.weekday()]}" if lang == "zh" else WEEKDAYS_EN[day.weekday()]
        grid.add_row(f"{day:%m-%d} {weekday}", bar(n, most), str(n))
    return grid


def label(zh: str, en: str, lang: str) -> str:
    """A table label: one language, or both on two lines (so tables fit 80 columns)."""
    return {"zh": zh, "en": en}.get(lang, f"{zh}\n{en}")


def _title(out: Sink, zh: str, en: str, lang: str) -> None:
    out.line([])
    # Not bold: `Wrapped(title, "bold")` drew the titles unstyled (rich drops a Text's base
    # style when Wrapped slices it into lines), and this module keeps its output the same.
    out.paragraph([(in_lang(zh, en, lang), "")])


def render_stats(console: Console, found: Report, lang: str) -> None:
    """Print every figure of the report on a rich console."""
    write_stats(RichSink(console), found, lang)


def write_stats(out: Sink, found: Report, lang: str) -> None:
    """Write every figure of the report."""
    scope = ", ".join(found.topics) if found.topics else in_lang("全部主题", "all topics", lang)
    out.paragraph([(in_lang("学习进度", "Progress", lang), "bold"),
                   (f" · {found.day} · {scope}", "")])
    if not found.has_answers:
        out.paragraph([(in_lang(
            f"还没有复习记录。运行 quiz review 开始第一次复习（{found.cards.new} 道新题）。",
            f"No reviews yet. Run `quiz review` to start ({found.cards.new} new questions "
            "waiting).", lang), "")])
        return
    render_today(out, found, lang)
    weeks = -(-len(found.heatmap.counts) // 7)
    _title(out, f"最近 {weeks} 周每天的作答", f"Answers per day, last {weeks} weeks", lang)
    for line in heatmap_spans(found.heatmap, lang, out.color):
        out.line(line)
    days = len(found.forecast)
    _title(out, f"未来 {days} 天到期", f"Due in the next {days} days", lang)
    out.table(bar_chart(found.forecast, lang))
    render_retention(out, found, lang)
    render_cards(out, found, lang)


def render_today(out: Sink, found: Report, lang: str) -> None:
    """Today's figures, two rows of four, then the streaks."""
    day, streak = found.today, found.streaks
    _title(out, "今天", "Today", lang)
    figures = Grid([Column(), Column(justify="right", style="bold")] * 4, grid=True, pad=2)
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
    out.table(figures)
    span = f" ({streak.longest_start} → {streak.longest_end})" if streak.longest_start else ""
    out.paragraph([(f"{in_lang('连续天数', 'Streak', lang)} ", ""), (str(streak.current), "bold"),
                   (f"   {in_lang('最长', 'Longest', lang)} ", ""), (str(streak.longest), "bold"),
                   (span, "")])


def render_retention(out: Sink, found: Report, lang: str) -> None:
    """Retention overall and per topic, young / mature / all."""
    ret = found.retention
    days = (ret.end - ret.start).days + 1
    _title(out, f"保持率（近 {days} 天，评分 ≥ 3）",
           f"Retention (last {days} days, graded ≥ 3)", lang)
    table = Grid([Column(label("主题", "topic", lang), fold=True)] + [
        Column(label(zh, en, lang), justify="right") for zh, en in (
            ("年轻 <21天", "young <21 d"), ("成熟 ≥21天", "mature ≥21 d"), ("合计", "all"))])
    table.add_row(in_lang("全部", "all topics", lang), *map(percent, (
        ret.overall.young, ret.overall.mature, ret.overall.all)), style="bold")
    for name, row in ret.topics:
        shown = in_lang("（已退役）", RETIRED, lang) if name == RETIRED else name
        table.add_row(shown, percent(row.young), percent(row.mature), percent(row.all))
    out.table(table)


def render_cards(out: Sink, found: Report, lang: str) -> None:
    """Cards by state, then the weakest questions."""
    cards = found.cards
    _title(out, "卡片状态", "Cards by state", lang)
    counts = [(("新", "new"), cards.new), (("学习中", "learning"), cards.learning),
              (("年轻", "young"), cards.young), (("成熟", "mature"), cards.mature),
              (("搁置", "buried"), cards.buried), (("已退役", "retired"), cards.retired)]
    states = Grid([Column(label(zh, en, lang), justify="right") for (zh, en), _n in counts])
    states.add_row(*("—" if n is None else str(n) for _, n in counts))
    out.table(states)
    _title(out, "最薄弱的题目（EF 最低、遗忘最多）",
           "Weakest questions (lowest EF, most lapses)", lang)
    if not found.weakest:
        floor = f"{float(WEAK_EF):.1f}"  # review_queue.is_weak's rule, not a copy of its number
        out.paragraph([(in_lang(f"没有：每张卡片的 EF 都是 {floor} 以上且没有遗忘。",
                                f"None: every card has an EF of {floor} or more and no lapse.",
                                lang), "")])
        return
    weak = Grid([Column(label(zh, en, lang), fold=True) for zh, en in (("题目", "id"),
                                                                        ("主题", "topic"))] + [
        Column(label(zh, en, lang) if zh != en else en, justify="right")
        for zh, en in (("EF", "EF"), ("遗忘", "lapses"), ("复习", "reviews"), ("到期", "due"))])
    for w in found.weakest:  # the interval is in --json; the due day says as much here
        weak.add_row(w.question_id, w.topic, f"{w.ef:.2f}", str(w.lapses), str(w.reviews),
                     str(w.due))
    out.table(weak)
