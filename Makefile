# The README's two commands: `make demo` (install + ingest the demo corpus + ask a cited question)
# and `make test` (install + browser + lint + the whole test suite). .ci/run runs `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
DEMO_DATA ?= demo-data

.PHONY: setup demo serve test lint format clean-demo eval bench

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

# The full evaluation (MultiHop-RAG, WiCE, our labels, RGB, RAMDocs from ../shared/eval) and all
# benchmarks; figures in the README's "How good and how fast". Roughly 2 h and 1 h on 2 cores.
eval: setup
	$(VENV)/bin/twosource eval retrieval
	$(VENV)/bin/twosource eval support
	$(VENV)/bin/twosource eval support --suite contradictions
	$(VENV)/bin/twosource eval flags
	$(VENV)/bin/twosource eval conflicts --dataset rgb --limit 60
	$(VENV)/bin/twosource eval conflicts --dataset ramdocs --limit 50
	$(VENV)/bin/twosource eval answers --limit 0

bench: setup
	$(PY) bench/embed.py
	$(PY) bench/ingest.py --variant torch:TWOSOURCE_EMBEDDING__RUNTIME=torch,TWOSOURCE_EMBEDDING__PRECISION=fp32
	$(PY) bench/scale.py
	$(PY) bench/coldstart.py
	$(PY) bench/answer.py

format:
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean-demo:
	rm -rf $(DEMO_DATA)
