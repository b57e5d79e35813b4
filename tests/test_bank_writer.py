"""The bank writer: whatever text an import brings, the file reads back as the same bank."""

import pytest
from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from quiz.bank.reader import parse_text
from quiz.bank.writer import dump, merge, write_bank
from quiz.errors import UsageError
from quiz.importing.html_text import plain_text
from quiz.importing.imported import ImportedQuestion
from quiz.model import Text

# Text as an import leaves it: cleaned of what a bank refuses, not empty.
field_text = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=60).map(
    plain_text).filter(lambda t: t.strip() != "")
tag_text = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp")),
                   min_size=1, max_size=10)


@settings(max_examples=examples(200), deadline=None)
@given(st.lists(st.tuples(field_text, field_text, field_text, st.lists(tag_text, max_size=3)),
                min_size=1, max_size=4))
def test_written_banks_read_back_as_the_same_text(items):
    imported = [ImportedQuestion(key=f"k{i}", prefix="anki", prompt=Text(q, q),
                                 answer=Text(a, b), tags=tuple(dict.fromkeys(tags)))
                for i, (q, a, b, tags) in enumerate(items)]
    merged = merge(None, imported, topic="t", title="T")
    topic, questions, problems = parse_text(dump(merged.document), "x.yaml")
    assert problems == []
    assert [(q.prompt, q.answer, q.tags) for q in questions] == [
        (i.prompt, i.answer, i.tags) for i in imported]
    assert [q.id for q in questions] == merged.ids


def test_a_bank_too_large_for_one_file_is_not_written(tmp_path):
    long = "x" * 900
    imported = [ImportedQuestion(key=str(i), prefix="anki", prompt=Text(long, long),
                                 answer=Text(long, long)) for i in range(700)]
    target = tmp_path / "big.yaml"
    with pytest.raises(UsageError, match="big.yaml was not written: the imported bank would "
                                         "not be valid .*split it into several"):
        write_bank(target, dump(merge(None, imported, topic="t", title="T").document))
    assert list(tmp_path.iterdir()) == []
