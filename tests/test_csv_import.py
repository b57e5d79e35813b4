"""`quiz import csv`: Anki's notes in plain text, spreadsheet tables, quiz's own CSV export."""

import pytest
import yaml
from anki.collection import Collection
from conftest import run_cli

from quiz.bank.reader import load_bank
from quiz.importing.csv_import import mapping, read_table
from quiz.importing.imported import NEEDS_TRANSLATION, key_hash


@pytest.fixture(autouse=True)
def env(cli_env):
    return cli_env


invoke = run_cli


def questions(path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]


def test_notes_in_plain_text_written_by_anki_import(tmp_path):
    (tmp_path / "anki").mkdir()
    col = Collection(str(tmp_path / "anki" / "collection.anki2"))
    note = col.new_note(col.models.by_name("Basic"))
    note["Front"], note["Back"] = "什么是<b>梯度消失</b>？", "梯度逐层变小&amp;趋于 0"
    note.tags = ["rnn", "training"]
    col.add_note(note, col.decks.id("DL"))
    exported = tmp_path / "notes.txt"
    col.export_note_csv(out_path=str(exported), limit=None, with_html=True, with_tags=True,
                        with_deck=True, with_notetype=True, with_guid=True)
    col.close()
    assert exported.read_text(encoding="utf-8").startswith("#separator:tab")
    out = tmp_path / "dl.yaml"
    result = invoke("import", "csv", exported, "--out", out)
    assert result.exit_code == 0, result.output
    assert invoke("validate", out).exit_code == 0
    (question,) = questions(out)
    assert question["zh"] == {"q": "什么是梯度消失？", "a": "梯度逐层变小&趋于 0"}
    assert question["tags"] == ["rnn", "training", NEEDS_TRANSLATION]
    # The GUID column keys it: the same id as the note's from a package.
    assert question["id"] == f"anki-{key_hash(note.guid)}"


def test_a_spreadsheet_table_with_a_header_row(tmp_path):
    table = tmp_path / "cards.csv"
    table.write_text('Question,Answer,Tags\n"What is ReLU?","max(0, x)",act basics\n'
                     '什么是 Sigmoid？,1/(1+e^-x),act\n"=1+1 trap?","\'=2",\nno answer here,,\n',
                     encoding="utf-8")
    out = tmp_path / "act.yaml"
    result = invoke("import", "csv", table, "--out", out, "--topic", "activations")
    assert result.exit_code == 0, result.output
    assert "1 row(s) not imported, with no question or no answer: line 5" in result.stderr
    relu, sigmoid, trap = questions(out)
    assert relu["en"] == {"q": "What is ReLU?", "a": "max(0, x)"}
    assert relu["tags"] == ["act", "basics", NEEDS_TRANSLATION]
    assert sigmoid["zh"] == {"q": "什么是 Sigmoid？", "a": "1/(1+e^-x)"}
    assert trap["en"]["a"] == "=2"  # the spreadsheet's formula guard is dropped
    assert relu["id"].startswith("csv-what-is-relu-")
    assert load_bank([out]).topics["activations"]


def test_quiz_csv_export_imports_back_in_both_languages(tmp_path, bank_dir):
    table = tmp_path / "quiz.csv"
    assert invoke("export", "csv", table, "--bank", bank_dir).exit_code == 0
    out = tmp_path / "back.yaml"
    result = invoke("import", "csv", table, "--out", out)
    assert result.exit_code == 0, result.output
    original = {q.prompt: q for q in load_bank([bank_dir]).questions if q.type == "open"}
    back = {q.prompt: q for q in load_bank([out]).questions}
    assert original.keys() <= back.keys()
    for prompt, q in original.items():
        assert back[prompt].answer.zh.rstrip("\n") == q.answer.zh.rstrip("\n")
        assert back[prompt].answer.en.rstrip("\n") == q.answer.en.rstrip("\n")
        assert back[prompt].note == q.note and back[prompt].tags == q.tags
        assert NEEDS_TRANSLATION not in back[prompt].tags


def test_columns_named_on_the_command_line(tmp_path):
    table = tmp_path / "terms.tsv"
    table.write_text("Term\tDefinition\tExtra\nEpoch\tOne pass over the data\tbatches\n",
                     encoding="utf-8")
    out = tmp_path / "t.yaml"
    assert invoke("import", "csv", table, "--out", out, "--front", "term", "--back",
                  "Definition", "--back", "3").exit_code == 0
    (q,) = questions(out)
    assert q["en"] == {"q": "Epoch", "a": "One pass over the data\n\nbatches"}
    result = invoke("import", "csv", table, "--out", out, "--front", "Word")
    assert result.exit_code == 2
    assert "Error: --front 'Word' is not a column; the columns are Term, Definition, Extra" in (
        result.stderr)


def test_importing_a_table_again_updates_it_in_place(tmp_path):
    table = tmp_path / "t.csv"
    out = tmp_path / "t.yaml"
    table.write_text("front,back\nWhat is a tensor?,An n-d array\n", encoding="utf-8")
    assert invoke("import", "csv", table, "--out", out).exit_code == 0
    first = questions(out)
    table.write_text("front,back\nWhat is a tensor?,An n-dimensional array\nWhat is a "
                     "scalar?,A 0-d tensor\n", encoding="utf-8")
    result = invoke("import", "csv", table, "--out", out)
    assert "1 new, 1 updated, 0 unchanged" in result.output
    second = questions(out)
    assert second[0]["id"] == first[0]["id"] and len(second) == 2
    assert second[0]["en"]["a"] == "An n-dimensional array"


def test_a_repeated_prompt_is_left_out_with_a_warning(tmp_path):
    table = tmp_path / "t.csv"
    table.write_text("front,back\nQ?,A1\nQ?,A2\n", encoding="utf-8")
    result = invoke("import", "csv", table, "--out", tmp_path / "t.yaml")
    assert result.exit_code == 0
    assert "line 3: left out, it is the same note as an earlier one" in result.stderr
    assert len(questions(tmp_path / "t.yaml")) == 1


@pytest.mark.parametrize("content, message", [
    (b"front,back\n\xff\xfeQ,A\n", "t.csv:2: not UTF-8 text; save the file as UTF-8"),
    (b"", "t.csv holds no rows to import"),
    (b"front,back\n", "t.csv holds only a header row: no question to import"),
    (b"front,back\nonly a question,\n", "nothing to import from"),
    (b'front,back\n"unclosed,A\n' + b"x" * 10, "nothing to import from"),
])
def test_bad_tables_are_exit_2_with_a_message(tmp_path, content, message):
    table = tmp_path / "t.csv"
    table.write_bytes(content)
    result = invoke("import", "csv", table, "--out", tmp_path / "t.yaml")
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "t.yaml").exists()


def test_anki_headers_are_read():
    table = read_table("#separator:Semicolon\n#html:true\n#columns:Front;Back;Tags\n"
                       "#tags column:3\n#tags:imported\nQ<br>1;A;t1 t2\n")
    assert table.anki and table.html and table.columns == ["Front", "Back", "Tags"]
    assert table.tags_column == 2 and table.extra_tags == ("imported",)
    chosen = mapping(table)
    assert list(chosen.fronts) == [0] and list(chosen.backs) == [1]
