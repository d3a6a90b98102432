# Two commands on a fresh machine:  make run  (set up + start the app)
#                                    make test (set up + run the whole suite)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint setup bench package package-check clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	@scripts/sysdeps.sh run
	$(BIN)/python main.py

test: $(STAMP)
	@scripts/sysdeps.sh test
	$(MAKE) --no-print-directory lint
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q

# Lint, types and layer contracts (configured in pyproject.toml); part of `make test`.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# All benchmarks (long), or some: make bench BENCH="query startup"
BENCH ?=
bench: $(STAMP)
	$(BIN)/python bench/run_all.py $(BENCH)

# Installers (docs/packaging.md). Not part of `make test`: the PyInstaller build takes many
# minutes. PACKAGE_PYTHON is the environment to bundle; its torch build (CPU or CUDA wheel)
# decides the size. PACKAGE_ARGS passes options, e.g. --bundle-model FILE.
PACKAGE_PYTHON ?= $(BIN)/python
PACKAGE_ARGS   ?=

package:
	@[ -x "$(PACKAGE_PYTHON)" ] || $(MAKE) setup
	$(PACKAGE_PYTHON) -m pip install --quiet -e '.[package]'
	installer/build_linux.sh --python $(PACKAGE_PYTHON) $(PACKAGE_ARGS)

# Install the newest dist/*.deb (system as root, else a scratch root), smoke-test, remove.
package-check:
	@scripts/sysdeps.sh test
	installer/check_deb.sh

clean:
	rm -rf $(VENV) build dist *.egg-info
