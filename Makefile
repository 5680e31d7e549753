# The README's two commands: `make demo` (install + ingest the demo corpus + ask a cited question)
# and `make test` (install + browser + lint + the whole test suite). .ci/run runs `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
DEMO_DATA ?= demo-data

.PHONY: setup demo serve test lint format clean-demo

setup:
	bash scripts/setup.sh

demo: setup
	$(VENV)/bin/twosource --data $(DEMO_DATA) ingest examples/articles
	$(VENV)/bin/twosource --data $(DEMO_DATA) sources
	$(VENV)/bin/twosource --data $(DEMO_DATA) ask "How long will the Alder River Bridge be closed, and from when?"

serve: setup
	$(VENV)/bin/twosource --data $(DEMO_DATA) ingest -q examples/articles
	$(VENV)/bin/twosource --data $(DEMO_DATA) serve

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: setup
	bash scripts/setup-browser.sh
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -q

format:
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean-demo:
	rm -rf $(DEMO_DATA)
