"""Which language(s) to show: zh, en or both (Chinese first)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only a type: importing the model costs start-up
    from quiz.model import Text

DISPLAY_LANGS = ("zh", "en", "both")
LANG_ORDER = {"zh": ("zh",), "en": ("en",), "both": ("zh", "en")}


def pick(text: Text | None, lang: str) -> list[str]:
    """The text's versions to show for `lang` (zh, en or both, Chinese first)."""
    if text is None:
        return []
    return [text.get(code) for code in LANG_ORDER[lang]]


def in_lang(zh: str, en: str, lang: str) -> str:
    """A short label in one language, or in both (Chinese first) on one line."""
    return {"zh": zh, "en": en}.get(lang, f"{zh} · {en}")
