# Two entry points: `make review` and `make test`. Each builds .venv when it is missing or
# pyproject.toml changed since it was built. `review` installs only what quiz needs to run;
# `test` adds the test tools (pytest, hypothesis, pexpect, pyte, ruff, Anki's library).
PYTHON ?= python3
VENV := .venv
RUNTIME := $(VENV)/.installed
TOOLS := $(VENV)/.installed-test

.PHONY: review test clean

review: $(RUNTIME)
	$(VENV)/bin/quiz review

test: $(TOOLS)
	HYPOTHESIS_PROFILE=ci $(VENV)/bin/python -m pytest

$(RUNTIME): pyproject.toml
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e .
	$(VENV)/bin/python -m compileall -q quiz
	touch $(RUNTIME)

$(TOOLS): $(RUNTIME)
	$(VENV)/bin/python -m pip install --quiet -e '.[test]'
	touch $(TOOLS)

clean:
	rm -rf $(VENV)
