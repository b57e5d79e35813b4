"""`quiz suspend`, `unsuspend` and `reset`: the ids checked, the events logged, what to say.

Each is a logged event (`store.card_events`), so it travels with `quiz sync`; a reset starts
the card over while the log keeps every answer it had.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from quiz.errors import UsageError

if TYPE_CHECKING:
    from quiz.store import Store

ACTIONS = ("suspend", "unsuspend", "reset")


@dataclass(frozen=True)
class Done:
    """What an action did, in both languages."""

    zh: str
    en: str


def check_ids(known: Iterable[str], asked: list[str]) -> list[str]:
    """`asked` without repeats; a UsageError naming the ids no bank has (all of them)."""
    known_ids = set(known)
    unknown = [qid for qid in dict.fromkeys(asked) if qid not in known_ids]
    if not asked:
        raise UsageError("give at least one question id (quiz list shows them)")
    if unknown:
        raise UsageError(f"no question has the id {', '.join(repr(u) for u in unknown)}; "
                         "quiz list shows the ids")
    return list(dict.fromkeys(asked))


def apply(store: Store, action: str, ids: list[str], at: datetime) -> Done:
    """Log `action` for each of `ids` at `at`; what to say."""
    if action not in ACTIONS:
        raise ValueError(f"{action!r} is not one of {ACTIONS}")
    store.card_events(action, ids, at=at)
    names = ", ".join(ids)
    if action == "suspend":
        return Done(f"已暂停 {len(ids)} 张卡片：{names}（quiz unsuspend 恢复）",
                    f"Suspended {len(ids)} card(s): {names} (quiz unsuspend brings them back)")
    if action == "unsuspend":
        return Done(f"已恢复 {len(ids)} 张卡片：{names}",
                    f"Unsuspended {len(ids)} card(s): {names}")
    return Done(f"已重置 {len(ids)} 张卡片：{names}，回到新题（复习记录保留）",
                f"Reset {len(ids)} card(s): {names} are new again (their history is kept)")
