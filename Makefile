# The two set-up commands of the README, and what they need.
#   make run    install policykg into .venv, then the main job: check the model, build, gate, publish
#   make test   install policykg, its test extra and the system packages the tests need, then test
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test install system-deps clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

install: $(STAMP)

system-deps:
	bash scripts/system-deps.sh

run: install system-deps
	$(BIN)/policykg check
	$(BIN)/policykg build --out dist
	$(BIN)/policykg docs --out build/docs

test: install system-deps
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) dist .pytest_cache
