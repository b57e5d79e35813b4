"""Reading from a real terminal: a prompt_toolkit line editor for answers, one key for grades.

The only module that imports prompt_toolkit (about 90 ms of imports): the terminal UI imports
it after the first card is drawn, so the first question appears without waiting for it.

Keys of the line editor (readline / emacs): arrows, Home/End, Ctrl-A/E (start / end of
line), Ctrl-W (delete a word), Ctrl-U (delete to the start), Up/Down (earlier answers of
this session). Enter submits; Esc Enter (or Alt-Enter) starts a new line; a bracketed paste
is inserted whole, newlines included, and never submits. Command keys (`commands`) end the
prompt with a value instead of text.
"""

from __future__ import annotations

import os
import sys
import termios
import tty
from collections.abc import Callable, Mapping
from typing import TypeVar

from prompt_toolkit import PromptSession
from prompt_toolkit.filters import Condition
from prompt_toolkit.history import InMemoryHistory
from prompt_toolkit.input.typeahead import clear_typeahead
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.keys import Keys

T = TypeVar("T")

ENTER = "\n"  # what `read_key` returns for Enter (Return)
END_OF_INPUT = "\x04"  # Ctrl-D: what `read_key` returns at the end of input


class LineEditor:
    """One prompt_toolkit session per quiz session: its history is this session's answers."""

    def __init__(self) -> None:
        self.session: PromptSession[str] = PromptSession(history=InMemoryHistory())

    def read(self, message: str, *, toolbar: Callable[[], str],
             commands: Mapping[str, T], refresh: float | None = None) -> str | T:
        """A line (or several, with Esc Enter) typed after `message`, or the value of the
        command key pressed. The toolbar is drawn under the input (redrawn every `refresh`
        seconds, the typed text untouched) where the terminal reports its cursor position.

        `commands` maps a key as prompt_toolkit names it ("escape q", "c-x") to the value to
        return. Raises EOFError on Ctrl-D at an empty line, KeyboardInterrupt on Ctrl-C.
        """
        bindings = KeyBindings()

        @bindings.add("escape", "enter")
        def _new_line(event: KeyPressEvent) -> None:
            event.current_buffer.insert_text("\n")

        # Mouse reports are off; what parses as one is stray text (`ESC [ 0 m`, pasted
        # colour codes), which prompt_toolkit's own mouse handler would choke on.
        @bindings.add(Keys.Vt100MouseEvent)
        def _not_a_mouse(event: KeyPressEvent) -> None:
            pass

        # An escape sequence prompt_toolkit does not know (`ESC [ 2 J`, `ESC ] 0;title BEL`)
        # reaches the key bindings as Escape and then plain characters: drop them up to the
        # sequence's end (a final byte @–~ for ESC [, BEL or ESC \ for ESC ]).
        swallowing: list[str] = []  # "[", "]" (or "]" ESC) while inside such a sequence

        @bindings.add("escape", "[", eager=True)
        @bindings.add("escape", "]", eager=True)
        def _sequence_starts(event: KeyPressEvent) -> None:
            swallowing[:] = [event.key_sequence[-1].data]

        @bindings.add(Keys.Any, filter=Condition(lambda: bool(swallowing)), eager=True)
        @bindings.add("c-g", filter=Condition(lambda: bool(swallowing)), eager=True)
        @bindings.add("escape", filter=Condition(lambda: bool(swallowing)), eager=True)
        def _inside_sequence(event: KeyPressEvent) -> None:
            data, inside = event.data, swallowing[0]
            if inside == "[" and len(data) == 1 and "@" <= data <= "~":
                swallowing.clear()
            elif inside == "]" and data == "\x1b":
                swallowing[:] = ["]\x1b"]  # ESC \ ends it: the backslash is next
            elif inside == "]\x1b" or (inside == "]" and data == "\x07"):
                swallowing.clear()

        for key, value in commands.items():
            def _command(event: KeyPressEvent, value: T = value) -> None:
                event.app.exit(result=value)

            bindings.add(*key.split(), eager=True)(_command)
        return self.session.prompt([("bold ansicyan", message), ("", " › ")],
                                   bottom_toolbar=toolbar, key_bindings=bindings,
                                   refresh_interval=refresh or 0)

    def discard_pending(self) -> None:
        """Drop the keys prompt_toolkit read past the end of the last answer (the rest of a
        burst or of an unbracketed paste); `read_key` drops what the terminal holds."""
        clear_typeahead(self.session.input)


def read_key(show_prompt: Callable[[], None]) -> str:
    """One key press from the terminal, unechoed; `ENTER` for Enter, `END_OF_INPUT` for Ctrl-D.

    Whatever was typed before is dropped first; then `show_prompt()` draws the prompt. What one
    read returns is one key press: a letter (or a wide character), an escape sequence (an
    arrow), or a paste. A key and Enter in the same read (a script's "5\\n") are that key.
    Ctrl-C still raises KeyboardInterrupt.
    """
    fd = sys.stdin.fileno()
    saved = termios.tcgetattr(fd)
    try:
        # no echo, no line buffering (signals still on); TCSAFLUSH drops the unread input
        tty.setcbreak(fd, termios.TCSAFLUSH)
        show_prompt()
        data = os.read(fd, 256)
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)
    if not data or data == b"\x04":
        return END_OF_INPUT
    text = data.decode("utf-8", "replace").replace("\r", "\n")
    if len(text) == 2 and text.endswith("\n") and text[0] != "\n":
        return text[0]
    return text
