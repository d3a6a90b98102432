# Two commands on a fresh machine:  make run  (set up + start the app)
#                                    make test (set up + run the whole suite)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test setup bench package package-check clean

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
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

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
