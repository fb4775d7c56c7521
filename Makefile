# Convolutional Autoencoders, hands-on.
#   make lab    set up (first time only), then open JupyterLab on the first lesson
#   make test   set up (first time only), then run every test and every notebook
# Other targets: setup, notebooks (re-execute all in place), notebook NB=05_transposed_convolution,
# bench, clean.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
LAB_ARGS ?=
PYTEST_ARGS ?=
export PYTHONUNBUFFERED := 1

.PHONY: setup lab test notebooks notebook bench clean

$(BIN)/activate-course: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

setup: $(BIN)/activate-course

lab: setup
	$(BIN)/jupyter lab --ServerApp.root_dir=. notebooks/00_start_here.ipynb $(LAB_ARGS)

# Two workers, one thread each; a notebook's cells stay together on one worker (loadfile).
test: setup
	COURSE_FAST=1 OMP_NUM_THREADS=1 $(BIN)/python -m pytest -n 2 --dist loadfile $(PYTEST_ARGS)

# Re-execute notebooks from their paired .py scripts, in learner mode, outputs saved in place.
notebooks: setup
	for py in notebooks/[0-9]*.py notebooks/solutions/[0-9]*.py; do \
		[ -e "$$py" ] || continue; \
		$(BIN)/python tools/build_notebook.py "$$py" || exit 1; \
	done

notebook: setup
	$(BIN)/python tools/build_notebook.py notebooks/$(NB).py

bench: setup
	$(BIN)/python benchmarks/bench_training.py
	$(BIN)/python benchmarks/bench_notebooks.py

clean:
	rm -rf $(VENV) checkpoints test-artifacts .pytest_cache
