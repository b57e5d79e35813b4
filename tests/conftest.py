"""Shared fixtures: a temp database, a temp bank folder, a fixed study day."""

import shutil
from datetime import date
from pathlib import Path

import pytest

from quiz.store import Store

DATA = Path(__file__).parent / "data"


@pytest.fixture
def today() -> date:
    return date(2026, 3, 2)


@pytest.fixture
def store(tmp_path):
    db = Store.open(tmp_path / "quiz.db")
    yield db
    db.close()


@pytest.fixture
def bank_dir(tmp_path) -> Path:
    target = tmp_path / "bank"
    shutil.copytree(DATA / "bank", target)
    return target
