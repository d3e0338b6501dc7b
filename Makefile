# gov-kg: `make run` (venv, install, build the graph from corpus/, serve on 127.0.0.1) and `make test`.
VENV  ?= .venv
PY    := $(VENV)/bin/python
KG    := $(VENV)/bin/kg
STORE ?= output/store
HOST  ?= 127.0.0.1
PORT  ?= 5000

.PHONY: install build run test lint bench clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

install: $(VENV)/.installed

build: install
	$(KG) build corpus --store $(STORE)

run: build
	$(KG) serve --store $(STORE) --host $(HOST) --port $(PORT)

test: install
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check kg tests bench server.py
	$(VENV)/bin/mypy kg

bench: install
	$(PY) bench/bench_sparql.py

clean:
	rm -rf output/store output/analysis .pytest_cache
