"""Which language(s) to show: zh, en or both (Chinese first)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only a type: importing the model costs start-up
    from quiz.model import Text

BANK_LANGS = ("zh", "en")  # a bank's languages, in the one order they are shown and written
DISPLAY_LANGS = ("zh", "en", "both")
LANG_ORDER = {"zh": ("zh",), "en": ("en",), "both": BANK_LANGS}


def langs(lang: str) -> tuple[str, ...]:
    """The language codes of `zh`, `en` or `both` (Chinese first)."""
    return LANG_ORDER[lang]


def pick(text: Text | None, lang: str) -> list[str]:
    """The text's versions to show for `lang` (zh, en or both, Chinese first)."""
    if text is None:
        return []
    return [text.get(code) for code in langs(lang)]


def in_lang(zh: str, en: str, lang: str) -> str:
    """A short label in one language, or in both (Chinese first) on one line."""
    return {"zh": zh, "en": en}.get(lang, f"{zh} · {en}")
