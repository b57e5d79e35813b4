"""scripts/screenshots.py: the README's pictures, drawn the same way on every run."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PICTURES = ("review.svg", "stats.svg")


def draw(out: Path, **env: str) -> dict[str, bytes]:
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "screenshots.py"),
                             "--out", str(out)], capture_output=True, text=True, timeout=120,
                            env={**os.environ, **env})
    assert result.returncode == 0, result.stderr
    return {name: (out / name).read_bytes() for name in PICTURES}


def test_the_pictures_are_the_same_on_every_run_whatever_the_terminal(tmp_path):
    first = draw(tmp_path / "a")
    again = draw(tmp_path / "b", COLUMNS="40", LINES="10", NO_COLOR="1", TERM="dumb",
                 TZ="America/New_York", QUIZ_LANG="zh")
    assert first == again
    assert all(svg.startswith(b"<svg") for svg in first.values())
    assert b"Key points 2/3" in first["review.svg"].replace(b"&#160;", b" ")
    assert b"Progress" in first["stats.svg"]


def test_the_readme_pictures_are_current(tmp_path):
    drawn = draw(tmp_path)
    for name in PICTURES:
        assert (ROOT / "docs" / name).read_bytes() == drawn[name], (
            f"docs/{name} is stale: run scripts/screenshots.py")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "(docs/review.svg)" in readme and "(docs/stats.svg)" in readme
