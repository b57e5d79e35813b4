"""ARCHITECTURE.md names every module under quiz/, and names no module that is not there."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def named_modules() -> set[str]:
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    return set(re.findall(r"`(quiz/[\w/]+\.py)`", text))


def real_modules() -> set[str]:
    return {p.relative_to(ROOT).as_posix() for p in (ROOT / "quiz").rglob("*.py")}


def test_every_module_is_on_the_map():
    missing = real_modules() - named_modules()
    assert not missing, f"add to ARCHITECTURE.md: {sorted(missing)}"


def test_the_map_names_no_missing_module():
    stale = named_modules() - real_modules()
    assert not stale, f"ARCHITECTURE.md names modules that do not exist: {sorted(stale)}"


def test_the_map_is_not_empty():
    # a regex that matched nothing would pass both tests above against an empty map
    assert len(named_modules()) >= 50
