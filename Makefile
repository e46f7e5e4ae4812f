# Two commands: `make demo` (set up, then run the main job on the embedded data) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup demo test test-min docs lint bench clean

# Everything: every optional extra (all) and the development tools (dev, which includes the docs tools).
$(BIN)/devocare: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[all,dev]'
	touch $(BIN)/devocare

setup: $(BIN)/devocare

demo: setup
	$(BIN)/devocare demo --out demo-report.html

test: setup
	$(BIN)/pytest -q

# The oldest versions pyproject.toml allows, in their own environment (.venv-min): see .ci/min-versions.
test-min:
	PYTHON=$(PYTHON) bash .ci/min-versions

# The documentation site, warnings as errors (written to site/).
docs: setup
	$(BIN)/mkdocs build --strict

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy src

bench: setup
	for f in bench/bench_*.py; do $(BIN)/python $$f; done

clean:
	rm -rf $(VENV) .venv-min site demo-report.html .pytest_cache
