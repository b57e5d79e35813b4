"""`Wrapped`: rich text broken into lines by `quiz.line_breaking`, wherever rich lays it out.

rich breaks lines only at spaces and cuts long unspaced runs (Chinese) with "…" in table
cells; this renderable measures and breaks by our rules at the width rich gives it, so it
works alone, in a Panel and in a Table cell alike.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import StyleType
from rich.text import Text

from quiz.line_breaking import break_paragraph, max_width, min_width


class Wrapped:
    """Text (plain, or a rich `Text` with its styles) that folds instead of being cut."""

    def __init__(self, text: str | Text, style: StyleType = "") -> None:
        rich_text = Text(text, style=style) if isinstance(text, str) else text.copy()
        if isinstance(text, Text) and style:
            rich_text.stylize(style)
        rich_text.expand_tabs(4)
        self.text = rich_text

    @classmethod
    def markup(cls, markup: str, style: StyleType = "") -> Wrapped:
        """From rich console markup (`[bold]…[/]`)."""
        return cls(Text.from_markup(markup), style)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        plain = self.text.plain
        widest = min(max_width(plain), options.max_width)
        return Measurement(min(min_width(plain), widest), widest)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for line in self.lines(options.max_width):
            yield from line.render(console)
            yield Segment.line()

    def lines(self, width: int) -> Iterable[Text]:
        """The text's lines at `width` cells, styles kept."""
        offset = 0
        for paragraph in self.text.plain.split("\n"):
            for line in break_paragraph(paragraph, width):
                piece = self.text[offset + line.start:offset + line.end]
                if line.indent:
                    piece = Text(" " * line.indent, style=self.text.style) + piece
                yield piece
            offset += len(paragraph) + 1

