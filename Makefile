# The two commands a newcomer needs: `make demo` and `make test`. Each sets up .venv itself,
# from the hash-pinned lock requirements/lock.txt (`make lock` refreshes it; docs/operations.md).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
LOCK := requirements/lock.txt
# `AGENTS=1` (CI sets it) installs the optional `agents` extra (crewai) too, from its own lock: the
# same resolution as lock.txt with the extra added, so every shared package keeps its pin.
AGENTS_LOCK := requirements/agents-lock.txt
INSTALL_LOCK := $(if $(filter 1,$(AGENTS)),$(AGENTS_LOCK),$(LOCK))
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml $(INSTALL_LOCK) 2>/dev/null | sha1sum | cut -c1-12)
# uv resolves the locks (universal: one file for every Python and platform); pip installs them.
UV_VERSION := 0.13.9
UV_COMPILE := $(BIN)/uv pip compile --no-config --quiet --universal --python-version 3.11 --generate-hashes \
	--custom-compile-command "make lock" pyproject.toml requirements/install-tools.in

.PHONY: demo test setup lock lock-upgrade up down status clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)

# The lock pins pip and setuptools too; the project itself is built by that setuptools.
$(STAMP): pyproject.toml $(INSTALL_LOCK) | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes --only-binary :all: -r $(INSTALL_LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/python starter.py demo

test: $(STAMP)
	$(BIN)/python -m ruff check .
	$(BIN)/python -m pytest

up: $(STAMP)
	$(BIN)/python starter.py dev up

down: $(STAMP)
	$(BIN)/python starter.py dev down

status: $(STAMP)
	$(BIN)/python starter.py dev status

# After a change to the dependencies in pyproject.toml: re-resolve, keeping the pins that still fit.
# agents-lock.txt resolves everything (test and agents extras); lock.txt, what .venv gets, is its part
# without the agents extra; runtime-lock.txt, the image's, is the runtime part of that.
lock: | $(BIN)/python
	$(BIN)/python -m pip install --quiet uv==$(UV_VERSION)
	$(UV_COMPILE) $(UPGRADE) --extra test --extra agents --output-file $(AGENTS_LOCK)
	$(UV_COMPILE) --constraint $(AGENTS_LOCK) --extra test --output-file $(LOCK)
	$(UV_COMPILE) --constraint $(LOCK) --output-file requirements/runtime-lock.txt

# The same, with every package at its newest release that pyproject.toml allows.
lock-upgrade: UPGRADE := --upgrade
lock-upgrade: lock

# Removes what the embedded stack keeps in the data directory the settings name (MIGRATION_DATA_DIR or the
# per-user default): its servers' data, logs and reports, never anything else that folder holds.
clean: down
	cd "$$($(BIN)/python -c 'from runtime.settings import get_settings; print(get_settings().data_path)')" \
		&& rm -rf postgres temporal logs reports .postgres.lock .temporal.lock
