"""Anki's field HTML as plain text: line breaks kept, entities decoded, media listed.

As a browser shows it: runs of white space fold to one space (but inside <pre>), `<br>` and
block elements (`div`, `p`, `li`, …) end lines, list items get a "- ", `&nbsp;` is a space
(quiz's own export writes runs of spaces that way), and scripts and styles are dropped.
Media cannot come along: an image becomes `[image NAME]`, a sound `[sound NAME]`, and
both are listed so the importer can warn. Control characters a bank refuses are removed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser

from quiz.printable import UNSAFE

BLOCKS = {"address", "article", "blockquote", "dd", "div", "dl", "dt", "figcaption",
          "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li",
          "main", "nav", "ol", "p", "pre", "section", "table", "tr", "ul"}
_SPACE = re.compile(r"[ \t\n\r\f]+")
_SOUND = re.compile(r"\[sound:([^\]]*)\]")
_BLANK_LINES = re.compile(r"\n{3,}")
_TRAILING = re.compile(r"[ \t]+\n")


@dataclass(frozen=True)
class FieldText:
    """A field as text, and the media files it referred to."""

    text: str
    media: tuple[str, ...] = ()


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.media: list[str] = []
        self.skip = 0  # inside <script> or <style>
        self.pre = 0

    def at_line_start(self) -> bool:
        return not self.parts or self.parts[-1].endswith("\n")

    def line_break(self) -> None:
        if not self.at_line_start():
            self.parts.append("\n")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skip += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in BLOCKS:
            self.line_break()
            if tag == "li":
                self.parts.append("- ")
            elif tag == "pre":
                self.pre += 1
        elif tag in ("td", "th") and not self.at_line_start():
            self.parts.append(" ")
        elif tag == "img":
            source = dict(attrs).get("src") or ""
            if source:
                self.media.append(source)
                self.parts.append(f"[image {source}]")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        elif tag in BLOCKS:
            if tag == "pre":
                self.pre = max(0, self.pre - 1)
            self.line_break()

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if not self.pre:
            data = _SPACE.sub(" ", data)
            if self.at_line_start():
                data = data.lstrip(" ")
        if data:
            self.parts.append(data)


def html_to_text(html: str) -> FieldText:
    """A field's HTML as plain text, with the media it referred to."""
    sounds: list[str] = []

    def sound(match: re.Match[str]) -> str:
        sounds.append(unescape(match.group(1)))
        return f"[sound {match.group(1)}]"

    # In the HTML as written, as Anki reads it: `&#91;sound:x]` is text, not a sound.
    parser = _Parser()
    parser.feed(_SOUND.sub(sound, html))
    parser.close()
    text = "".join(parser.parts)
    media = [*sounds, *parser.media]
    text = UNSAFE.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).replace("\xa0", " ")
    text = _BLANK_LINES.sub("\n\n", _TRAILING.sub("\n", text + "\n"))
    return FieldText(text.strip("\n").rstrip(), tuple(media))


def plain_text(text: str) -> str:
    """Text that was never HTML, cleaned as a bank wants it (no control characters)."""
    text = UNSAFE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return _BLANK_LINES.sub("\n\n", _TRAILING.sub("\n", text + "\n")).strip("\n").rstrip()
