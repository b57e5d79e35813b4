# Two entry points: `make review` and `make test`. Each builds .venv when it is missing
# or pyproject.toml changed since it was built.
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: review test clean

review: $(STAMP)
	$(VENV)/bin/quiz review

test: $(STAMP)
	$(VENV)/bin/python -m pytest

$(STAMP): pyproject.toml
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e '.[test]'
	$(VENV)/bin/python -m compileall -q quiz
	touch $(STAMP)

clean:
	rm -rf $(VENV)
