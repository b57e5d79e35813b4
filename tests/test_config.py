"""Settings: the one resolver (option > environment > config.toml > default), the file's
errors as `file:line: what to fix`, and what the file changes in the commands."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quiz import config
from quiz.errors import UsageError
from quiz.settings_file import key_lines
from quiz.store import Store

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def config_file(monkeypatch, tmp_path):
    """A config.toml that QUIZ_CONFIG points at; write its text with `config_file.write_text`."""
    path = tmp_path / "conf" / "config.toml"
    path.parent.mkdir()
    monkeypatch.setenv("QUIZ_CONFIG", str(path))
    for name in ("QUIZ_LANG", "QUIZ_ROLLOVER", "QUIZ_NEW_PER_DAY", "QUIZ_ORDER",
                 "QUIZ_LEECH_THRESHOLD", "QUIZ_SCHEDULER", "QUIZ_DESIRED_RETENTION",
                 "QUIZ_SYNC_DIR", "QUIZ_SYNC_ON_REVIEW"):
        monkeypatch.delenv(name, raising=False)
    return path


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# -- the resolver ----------------------------------------------------------------------------


def test_defaults_without_a_file(config_file):
    assert not config_file.exists()
    assert config.language(None) == "both"
    assert config.new_per_day() == 10
    assert config.rollover_hour() == 4
    assert config.new_card_order() == "interleave"
    assert config.leech_threshold() == 8
    assert config.sync_dir() is None
    assert config.resolve("language") == config.Resolved("language", None, "default", "default")


def test_every_setting_from_the_file_with_its_line(config_file, monkeypatch):
    for name in ("QUIZ_DB", "QUIZ_BANKS", "QUIZ_BUNDLED"):
        monkeypatch.delenv(name, raising=False)
    write(config_file, "# my settings\n"
                       'language = "en"\n'
                       "new_per_day = 3\n"
                       "\n"
                       "rollover_hour = 6\n"
                       'order = "random"\n'
                       "leech_threshold = 4\n"
                       'database = "data/quiz.db"\n'
                       'banks = ["mine.yaml", "/abs/other"]\n'
                       "bundled = false\n"
                       'scheduler = "fsrs"\n'
                       "desired_retention = 0.85\n"
                       'sync_dir = "~/Sync/quiz"\n')
    folder = config_file.parent
    assert config.language(None) == "en"
    assert config.new_per_day() == 3
    assert config.rollover_hour() == 6
    assert config.new_card_order() == "random"
    assert config.leech_threshold() == 4
    assert config.db_path(None) == folder / "data" / "quiz.db"  # relative to the file
    assert config.bank_paths(None) == [folder / "mine.yaml", Path("/abs/other")]  # no bundled
    assert config.sync_dir() == Path("~/Sync/quiz").expanduser()
    assert config.resolve("order") == config.Resolved("order", "random", "file",
                                                      f"{config_file}:6")
    assert config.resolve("desired_retention").where == f"{config_file}:12"
    assert config.scheduler_choice(None)[0].value == "fsrs"


LANGS = st.sampled_from(["zh", "en", "both"])


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(option=st.none() | LANGS, env=st.none() | LANGS, in_file=st.none() | LANGS)
def test_the_first_layer_that_has_the_setting_wins(config_file, monkeypatch, option, env,
                                                   in_file):
    write(config_file, f'language = "{in_file}"\n' if in_file else "")
    if env:
        monkeypatch.setenv("QUIZ_LANG", env)
    else:
        monkeypatch.delenv("QUIZ_LANG", raising=False)
    found = config.resolve("language", option)
    layers = [(option, "option", "--lang"), (env, "environment", "QUIZ_LANG"),
              (in_file, "file", f"{config_file}:1"), ("both", "default", "default")]
    value, source, where = next(layer for layer in layers if layer[0])
    assert (config.language(option), found.source, found.where) == (value, source, where)


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(env=st.none() | st.integers(0, 23), in_file=st.none() | st.integers(0, 23))
def test_the_rollover_hour_from_the_environment_or_the_file(config_file, monkeypatch, env,
                                                            in_file):
    write(config_file, f"rollover_hour = {in_file}\n" if in_file is not None else "")
    if env is not None:
        monkeypatch.setenv("QUIZ_ROLLOVER", str(env))
    else:
        monkeypatch.delenv("QUIZ_ROLLOVER", raising=False)
    expected = env if env is not None else in_file if in_file is not None else 4
    assert config.rollover_hour() == expected


def test_banks_add_up_from_every_layer(config_file, monkeypatch):
    monkeypatch.delenv("QUIZ_BUNDLED", raising=False)
    write(config_file, 'banks = ["a.yaml"]\n')
    monkeypatch.setenv("QUIZ_BANKS", os.pathsep.join(["b.yaml", "c"]))
    found = config.banks([Path("d.yaml")])
    assert found.value == [config_file.parent / "a.yaml", Path("b.yaml"), Path("c"),
                           Path("d.yaml")]
    assert found.where == f"{config_file}:1 + QUIZ_BANKS + --bank"
    from quiz.bank.files import bundled_dir

    assert config.bank_paths(None)[0] == bundled_dir()  # bundled unless told otherwise


def test_an_empty_variable_is_no_setting(config_file, monkeypatch):
    write(config_file, 'language = "zh"\n')
    monkeypatch.setenv("QUIZ_LANG", "")
    assert config.language(None) == "zh"


@pytest.mark.parametrize(("name", "value", "message"), [
    ("QUIZ_NEW_PER_DAY", "ten", "QUIZ_NEW_PER_DAY must be a whole number from 0 to 10000, "
                                "not 'ten'"),
    ("QUIZ_ORDER", "shuffled", "QUIZ_ORDER must be one of bank, interleave, random, not "
                               "'shuffled'"),
    ("QUIZ_LEECH_THRESHOLD", "0", "QUIZ_LEECH_THRESHOLD must be a whole number from 1 to "
                                  "1000, not '0'"),
    ("QUIZ_SCHEDULER", "anki", "QUIZ_SCHEDULER must be one of sm2, fsrs, not 'anki'"),
    ("QUIZ_DESIRED_RETENTION", "1.5", "QUIZ_DESIRED_RETENTION must be a number from 0.7 to "
                                      "0.99, not '1.5'"),
    ("QUIZ_LANG", "fr", "QUIZ_LANG must be one of zh, en, both, not 'fr'"),
])
def test_a_bad_variable_names_itself(config_file, monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    key = next(k for k, s in config.SETTINGS.items() if s.env == name)
    with pytest.raises(UsageError) as caught:
        config.resolve(key)
    assert str(caught.value) == message


def test_the_file_is_read_once_until_it_changes(config_file, monkeypatch):
    write(config_file, 'language = "en"\n')
    reads = []
    import quiz.settings_file

    real = quiz.settings_file.read
    monkeypatch.setattr(quiz.settings_file, "read", lambda *a: reads.append(1) or real(*a))
    config._READ.clear()
    for _ in range(3):
        assert config.language(None) == "en"
    assert len(reads) == 1
    write(config_file, 'language = "zh"   # changed\n')
    assert config.language(None) == "zh" and len(reads) == 2


# -- a broken file ---------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "message"), [
    ('language = "en"\nnew_per_day = \n',
     "{path}:2: not valid TOML: invalid value (column 15); see the example in the README"),
    ('language = "en"\nlangauge = "zh"\n',
     "{path}:2: unknown setting 'langauge'; did you mean 'language'?"),
    ("\n\ncolour = 1\n", "{path}:3: unknown setting 'colour'; the settings are banks, bundled, "
                         "database, desired_retention, language, leech_threshold, new_per_day, "
                         "order, rollover_hour, scheduler, sync_dir, sync_on_review"),
    ('new_per_day = "ten"\n',
     "{path}:1: new_per_day must be a whole number from 0 to 10000, not 'ten'"),
    ("# hours\nrollover_hour = 24\n",
     "{path}:2: rollover_hour must be an hour from 0 to 23, not 24"),
    ('language = "en"\n[order]\nkind = "bank"\n',
     "{path}:2: order must be one of bank, interleave, random, not a table"),
    ("bundled = 0\n", "{path}:1: bundled must be true or false, not 0"),
    ('banks = "mine.yaml"\n',
     '{path}:1: banks must be a list of paths, e.g. ["~/my-bank.yaml"], not \'mine.yaml\''),
    ("desired_retention = 1\n",
     "{path}:1: desired_retention must be a number from 0.7 to 0.99, not 1"),
    ("leech_threshold = true\n",
     "{path}:1: leech_threshold must be a whole number from 1 to 1000, not true"),
    ('scheduler = "sm2"\nscheduler = "fsrs"\n',
     "{path}:2: not valid TOML: cannot overwrite a value (column 19); see the example in "
     "the README"),
    ('language = "fr"\norder = "alpha"\n',
     "{path}:1: language must be one of zh, en, both, not 'fr'\n"
     "{path}:2: order must be one of bank, interleave, random, not 'alpha'"),
])
def test_a_bad_file_is_a_file_line_error(config_file, text, message):
    write(config_file, text)
    with pytest.raises(UsageError) as caught:
        config.language(None)
    assert str(caught.value) == message.format(path=config_file)


def test_a_file_that_is_not_utf8(config_file):
    config_file.write_bytes(b'language = "en"\n# caf\xe9\n')
    with pytest.raises(UsageError, match=rf"^{config_file}:2: the config file is not UTF-8"):
        config.resolve("language")


def test_a_config_path_that_is_a_folder(config_file):
    config_file.mkdir()
    with pytest.raises(UsageError, match=rf"^{config_file}: cannot read the config file"):
        config.resolve("language")


def test_a_bad_file_exits_2_with_its_line_and_loses_nothing(bank_env, config_file):
    write(config_file, 'language = "en"\nnew_per_day = -1\n')
    result = run_cli("review")
    assert result.exit_code == 2
    assert result.stderr == (f"Error: {config_file}:2: new_per_day must be a whole number "
                             "from 0 to 10000, not -1\n")
    assert "Traceback" not in result.output
    assert run_cli("config", "--path").stdout == f"{config_file}\n"  # to find what to fix
    assert config_file.read_text(encoding="utf-8").endswith("-1\n")  # untouched


def test_help_neither_reads_the_file_nor_imports_tomllib(config_file):
    write(config_file, "this is = not toml [\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "quiz", "--help"],
                            capture_output=True, text=True, env=env, timeout=60, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines()}
    assert "quiz.config" in imported  # the check below is on the right output
    assert not imported & {"tomllib", "platformdirs", "quiz.settings_file"}


# -- key lines: an independent oracle (the generator knows where it put each key) ------------


KEYS = st.lists(st.from_regex(r"[a-z][a-z0-9_]{0,11}", fullmatch=True), min_size=1,
                max_size=6, unique=True)


@settings(max_examples=80)
@given(keys=KEYS, data=st.data())
def test_key_lines_finds_each_key_where_it_was_written(keys, data):
    lines, where = [], {}
    for key in keys:
        for _ in range(data.draw(st.integers(0, 3))):
            lines.append(data.draw(st.sampled_from(["", "# a comment", "   ", "# x = 1"])))
        form = data.draw(st.sampled_from(["{k} = 1", '"{k}" = "v"', "  {k}=[", "{k}.sub = 2"]))
        lines.append(form.format(k=key))
        where[key] = len(lines)
        if form.endswith("["):  # a multi-line array: its items are not keys
            lines += ['  "other = 3",', "]"]
    assert key_lines("\n".join(lines)) == where


# -- what the settings change in the commands -------------------------------------------------


def test_new_per_day_from_the_file_limits_the_review(bank_env, config_file, monkeypatch):
    write(config_file, "new_per_day = 2\n")
    seen = []
    import quiz.today

    real = quiz.today.review_today
    monkeypatch.setattr(quiz.today, "review_today",
                        lambda *a, **kw: seen.append(real(*a, **kw)) or seen[-1])
    run_cli("review", "--lang", "en", input="q\n")
    assert seen and seen[0].new_limit == 2 and len(seen[0].queue) == 2
    run_cli("review", "--lang", "en", "--new", "1", input="q\n")  # the option beats the file
    assert seen[1].new_limit == 1


def test_the_file_language_reaches_the_commands(bank_env, config_file):
    write(config_file, 'language = "zh"\n')
    zh = run_cli("scheduler").stdout
    write(config_file, 'language = "en"\n')
    assert run_cli("scheduler").stdout == "Scheduler: sm2\n" != zh


def test_a_scheduler_in_the_file_switches_like_the_option(bank_env, config_file):
    write(config_file, 'scheduler = "fsrs"\ndesired_retention = 0.8\n')
    assert run_cli("scheduler", "--lang", "en").stdout.startswith("Scheduler now fsrs "
                                                                  "(desired retention 0.80)")
    store = Store.open(bank_env)
    assert (store.setting("scheduler"), store.setting("desired_retention")) == ("fsrs", "0.8")
    store.close()
    assert run_cli("scheduler", "--lang", "en").stdout == ("Scheduler: fsrs (desired retention "
                                                           "0.80)\n")
    # the option still beats the file
    assert run_cli("scheduler", "sm2", "--lang", "en").stdout.startswith("Scheduler now sm2")
    write(config_file, "")  # without the file's setting the database's choice stays
    assert run_cli("scheduler", "--lang", "en").stdout == "Scheduler: sm2\n"


def test_the_database_from_the_file(cli_env, config_file, monkeypatch, tmp_path):
    monkeypatch.delenv("QUIZ_DB")
    write(config_file, 'database = "elsewhere.db"\n')
    result = run_cli("stats", "--json")
    assert result.exit_code == 0
    assert (config_file.parent / "elsewhere.db").exists()
    assert result.stderr == (f"Created a new review database at "
                             f"{config_file.parent / 'elsewhere.db'}\n")
    found = json.loads(run_cli("config", "--json").stdout)["settings"]["database"]
    assert found == {"value": str(config_file.parent / "elsewhere.db"), "source": "file",
                     "where": f"{config_file}:1"}


def test_the_readme_example_is_a_valid_file_with_every_setting(config_file):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = readme.split("```toml\n", 1)[1].split("```", 1)[0]
    write(config_file, example)
    found = config.settings_file()
    assert set(found.values) == set(config.SETTINGS)  # every setting is shown
    for key in config.SETTINGS:  # and each one's comment names its variable
        line = found.values[key].line
        comment = example.splitlines()[line - 2]
        env = config.SETTINGS[key].env
        assert env is None or env in comment or env in example.splitlines()[line - 3], key


def test_choosing_another_scheduler_than_the_file_says_warns(bank_env, config_file):
    write(config_file, 'scheduler = "fsrs"\n')
    result = run_cli("scheduler", "sm2", "--lang", "en")
    assert result.stdout.splitlines()[-1] == (f"Note: {config_file}:1 says fsrs; the next "
                                              "command switches back to it")
    assert "Note" not in run_cli("scheduler", "fsrs", "--lang", "en").stdout


def test_the_scheduler_names_are_the_schedulers_own():
    from quiz import schedulers

    assert config.SCHEDULER_NAMES == schedulers.NAMES  # kept apart for start-up time only
    from quiz import review_queue

    assert config.NEW_CARD_ORDERS == review_queue.NEW_CARD_ORDERS  # likewise
    from quiz import replay

    assert config.DEFAULT_LEECH_THRESHOLD == replay.LEECH_THRESHOLD


@pytest.mark.parametrize("value", ["", ".", "/"])
@pytest.mark.parametrize("command", [["list"], ["export", "csv", "out.csv"], ["stats"]])
def test_a_database_option_that_names_no_file_is_a_usage_error(cli_env, value, command):
    result = run_cli(*command, "--db", value)
    assert result.exit_code == 2, result.output
    assert "must name a database file" in result.stderr
