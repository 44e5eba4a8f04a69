# The two commands of the README: `make demo` and `make test`. Both set everything up themselves.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed
# the web app's browser libraries (Leaflet), from npm (frontend/package-lock.json), served by the app
VENDOR  = src/datdai/apps/web/ui/static/vendor
VENDOR_STAMP = $(VENDOR)/.installed
PYTEST_ARGS ?=

.PHONY: install demo demo-new test test-fast clean lock

$(STAMP): pyproject.toml requirements/constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements/constraints.txt -e ".[test]"
	touch $(STAMP)

$(VENDOR_STAMP): frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/leaflet
	cp -r frontend/node_modules/leaflet/dist/leaflet.js frontend/node_modules/leaflet/dist/leaflet.css \
	  frontend/node_modules/leaflet/dist/images frontend/node_modules/leaflet/LICENSE $(VENDOR)/leaflet/
	touch $(VENDOR_STAMP)

install: $(STAMP) $(VENDOR_STAMP)

## Synthesise a province, load it into ./datdai-demo/datdai.db and serve http://127.0.0.1:8000
## (an existing ./datdai-demo is kept and served again; `make demo-new` builds a new one)
demo: install
	-scripts/ensure-fonts.sh
	$(BIN)/datdai demo

## Rebuild the demo from scratch (deletes ./datdai-demo), then serve it
demo-new: install
	-scripts/ensure-fonts.sh
	$(BIN)/datdai demo --moi

## The whole test suite, on SQLite and on a PostgreSQL/PostGIS it starts (installing it if needed)
test: install
	$(BIN)/lint-imports --no-cache
	scripts/ensure-java.sh
	scripts/ensure-debian.sh
	DATDAI_TEST_PG_URL="$$(scripts/pg-test-server.sh)" DATDAI_REQUIRE_PG=1 \
	  $(BIN)/pytest -n 2 $(PYTEST_ARGS)

## SQLite only, no PostgreSQL (quick local runs)
test-fast: install
	$(BIN)/lint-imports --no-cache
	$(BIN)/pytest -n 2 -m "not postgres and not slow" $(PYTEST_ARGS)

## Re-pin the dependencies after changing pyproject.toml
lock: install
	$(BIN)/pip freeze --exclude-editable | grep -v '^datdai' > requirements/constraints.txt

clean:
	rm -rf $(VENV) datdai-demo .pytest_cache frontend/node_modules $(VENDOR)
