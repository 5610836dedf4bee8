# fangpin — two commands: `make run` (demo service + simulator) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8080

.PHONY: run test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,postgres]'
	touch $(STAMP)

run: $(STAMP)
	@mkdir -p var
	FANGPIN_DEMO=$${FANGPIN_DEMO-1} $(BIN)/fangpin demo-data --if-empty
	FANGPIN_DEMO=$${FANGPIN_DEMO-1} $(BIN)/fangpin serve --host $(HOST) --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .

test: lint
	$(BIN)/pytest -q -p no:cacheprovider

bench: $(STAMP)
	$(BIN)/python bench/webhook.py
	$(BIN)/python bench/grading.py --n 200000

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
