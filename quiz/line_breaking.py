"""Line breaking for Chinese, English and mixed text, measured in terminal cells.

The rules, after the usual CJK line-breaking conventions (CSS `line-break: strict`, JIS X 4051
kinsoku shori), kept simple:

- a space is a break opportunity, and the spaces at a break are dropped;
- so is the boundary on either side of a wide (CJK) character, except that no line starts
  with closing punctuation (，。、；：？！）」』】》 …) and none ends with opening punctuation
  (（「『【《 …);
- a run of other characters (a Latin word, a number, `(ML)`) stays whole, and is folded only
  when it is wider than the line on its own; text is never cut with an ellipsis;
- a bullet (`- `, `* `, `• `, `1. `) keeps its text on its own line, with a hanging indent.

A character is two cells wide when its East Asian Width is W or F, none when it combines.
Pure: no rich, no terminal.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Never at the start of a line (a break before them is forbidden).
CLOSING = frozenset("，。、；：？！）」』】》〉〕］｝〗〙〛”’・…‥－—～"
                    "ー々〻゛゜ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ"
                    ",.;:?!)]}%")
# Never at the end of a line (a break after them is forbidden).
OPENING = frozenset("（「『【《〈〔［｛〖〘〚“‘([{")
# Python 3.11's Unicode 14 calls these narrow; terminals following later Unicode draw them wide
# (trigrams, hexagrams, Tai Xuan Jing and counting rods): counting them as 2 keeps lines short.
WIDE_SINCE_UNICODE_14 = ((0x2630, 0x2637), (0x268A, 0x268F), (0x4DC0, 0x4DFF),
                         (0x1D300, 0x1D356), (0x1D360, 0x1D376))
# Format characters that take a cell (soft hyphen, Arabic number signs), as wcwidth counts.
SPACING_FORMAT = frozenset("\xad\u0600\u0601\u0602\u0603\u0604\u0605\u06dd\u070f\u0890"
                           "\u0891\u08e2\U000110bd\U000110cd")
BULLET = re.compile(r"^(\s*)([-*•·]|\d{1,3}[.)、]|[（(]\d{1,3}[)）])(\s+)(?=\S)")


@lru_cache(maxsize=4096)
def char_cells(char: str) -> int:
    """Terminal cells of one character: 2 for East Asian Wide/Fullwidth, 0 for marks and
    controls (as wcwidth counts them)."""
    code = ord(char)
    if any(low <= code <= high for low, high in WIDE_SINCE_UNICODE_14):
        return 2
    if char in SPACING_FORMAT:
        return 1
    if unicodedata.category(char) in ("Mn", "Me", "Cc", "Cf", "Zl", "Zp"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in "WF" else 1


def cells(text: str) -> int:
    """Terminal cells of `text` (one line)."""
    return sum(char_cells(c) for c in text)


def is_wide(char: str) -> bool:
    """A CJK (wide) character: a break opportunity on either side."""
    return char_cells(char) == 2


@dataclass(frozen=True)
class Line:
    """One output line: `text[start:end]` of its paragraph, after `indent` spaces."""

    start: int
    end: int
    indent: int = 0


def _may_break(before: str, after: str) -> bool:
    """Whether a line may end after the character `before` when `after` follows it."""
    if before in OPENING or after in CLOSING:
        return False
    return is_wide(before) or is_wide(after)


def _units(paragraph: str, begin: int) -> list[tuple[int, int]]:
    """The unbreakable pieces of `paragraph` from `begin` on, as (start, end), spaces between."""
    units: list[tuple[int, int]] = []
    index, length = begin, len(paragraph)
    while index < length:
        while index < length and paragraph[index] == " ":
            index += 1
        if index == length:
            break
        start = index
        index += 1
        while index < length and paragraph[index] != " " and not _may_break(
                paragraph[index - 1], paragraph[index]):
            index += 1
        units.append((start, index))
    return units


def _fold(paragraph: str, start: int, end: int, room: int, width: int) -> list[tuple[int, int]]:
    """Cut one over-wide piece into spans: the first at most `room` cells, the rest `width`.

    Cuts avoid putting closing punctuation first or opening punctuation last where they can;
    each span holds at least one character, so a character wider than the line stands alone.
    """
    spans: list[tuple[int, int]] = []
    index, limit = start, room
    while index < end:
        used, stop = 0, index
        while stop < end and (stop == index or used + char_cells(paragraph[stop]) <= limit):
            used += char_cells(paragraph[stop])
            stop += 1
        cut = stop
        while cut < end and index + 1 < cut and (paragraph[cut] in CLOSING
                                                  or paragraph[cut - 1] in OPENING):
            cut -= 1  # move the cut back over kinsoku characters
        if cut < end and (paragraph[cut] in CLOSING or paragraph[cut - 1] in OPENING):
            cut = stop  # nowhere better: a plain cut
        spans.append((index, cut))
        index, limit = cut, width
    return spans


def break_paragraph(paragraph: str, width: int) -> list[Line]:
    """The lines of one paragraph (no newline in it), greedily, at most `width` cells wide.

    A line is wider only when it holds a single character wider than the room left for it.
    """
    width = max(1, width)
    bullet = BULLET.match(paragraph)
    prefix_end = bullet.end() if bullet else len(paragraph) - len(paragraph.lstrip(" "))
    hang = cells(paragraph[:prefix_end])
    if hang > width // 2:  # so deep an indent would leave no room for the text
        hang = 0
    units = _units(paragraph, prefix_end)
    if not units:
        return [Line(0, 0)]
    lines: list[Line] = []
    start, end, indent, used, filled = 0, prefix_end, 0, cells(paragraph[:prefix_end]), False
    for unit_start, unit_end in units:
        gap = cells(paragraph[end:unit_start])
        piece = cells(paragraph[unit_start:unit_end])
        if used + gap + piece <= width:
            end, used, filled = unit_end, used + gap + piece, True
            continue
        if filled:  # break before this unit; the spaces before it are dropped
            lines.append(Line(start, end, indent))
            start, end, indent, used, gap = unit_start, unit_start, hang, hang, 0
            if used + piece <= width:
                end, used, filled = unit_end, used + piece, True
                continue
        # wider than the room on a line of its own: fold it
        spans = _fold(paragraph, unit_start, unit_end, max(1, width - used - gap),
                      max(1, width - hang))
        for (_, span_end), (next_start, _) in zip(spans, spans[1:], strict=False):
            lines.append(Line(start, span_end, indent))
            start, indent = next_start, hang
        end = spans[-1][1]
        used = (used + gap if len(spans) == 1 else hang) + cells(paragraph[spans[-1][0]:end])
        filled = True
    lines.append(Line(start, end, indent))
    return lines


def wrap(text: str, width: int) -> list[str]:
    """`text` broken into lines at most `width` cells wide (each newline starts a new line)."""
    out: list[str] = []
    for paragraph in text.expandtabs(4).split("\n"):
        for line in break_paragraph(paragraph, width):
            out.append(" " * line.indent + paragraph[line.start:line.end])
    return out


def min_width(text: str) -> int:
    """The widest unbreakable piece of `text`: the narrowest width that folds nothing."""
    widest = 1
    for paragraph in text.expandtabs(4).split("\n"):
        for start, end in _units(paragraph, 0):
            widest = max(widest, cells(paragraph[start:end]))
    return widest


def max_width(text: str) -> int:
    """The widest line of `text` unbroken."""
    return max((cells(p) for p in text.expandtabs(4).split("\n")), default=0)
