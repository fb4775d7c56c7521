# Convolutional Autoencoders, hands-on.
#   make lab    set up (first time only), then open JupyterLab on the first lesson
#   make test   set up with the test tools (first time only), then run every test and notebook
# Other targets: notebooks (rebuild and re-execute all lessons), notebook NB=05_transposed_convolution,
# site (the lessons as web pages, in build/site/), bench, clean.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
LAB_ARGS ?=
PYTEST_ARGS ?=
export PYTHONUNBUFFERED := 1

# JupyterLab refuses to start as root unless told to; containers and cloud notebooks often
# run as root, so say so only when the effective user is root.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: setup setup-test lab test notebooks notebook site bench clean

# What learners need: the course and what the notebooks import. An existing .venv is kept,
# so a PyTorch installed there first (say, the CPU-only build) stays.
$(VENV)/.installed-lab: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

# What maintainers need on top: the test tools.
$(VENV)/.installed-test: $(VENV)/.installed-lab
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

setup: $(VENV)/.installed-lab

setup-test: $(VENV)/.installed-test

lab: setup
	$(BIN)/jupyter lab --ServerApp.root_dir=. $(ALLOW_ROOT) notebooks/00_start_here.ipynb $(LAB_ARGS)

# Two workers, one thread each; a notebook's cells stay together on one worker (loadfile).
test: setup-test
	COURSE_FAST=1 OMP_NUM_THREADS=1 $(BIN)/python -m pytest -n 2 --dist loadfile $(PYTEST_ARGS)

# Rebuild notebooks/ from lessons_src/ and execute them in learner mode, outputs saved.
notebooks: setup-test
	$(BIN)/python tools/build_notebook.py lessons_src/[0-9]*.py lessons_src/solutions/[0-9]*.py

notebook: setup-test
	$(BIN)/python tools/build_notebook.py $(NB)

# The lessons as a static web site (build/site/index.html), from the committed notebooks.
site: setup-test
	$(BIN)/python tools/build_site.py

bench: setup-test
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	$(BIN)/python benchmarks/bench_training.py
	$(BIN)/python benchmarks/profile_training.py
	$(BIN)/python benchmarks/bench_notebooks.py

clean:
	rm -rf $(VENV) build checkpoints test-artifacts .pytest_cache
