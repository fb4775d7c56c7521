# Convolutional Autoencoders, hands-on.
#   make lab    set up (first time only), then open JupyterLab on the first lesson
#   make test   set up with the test tools (first time only), then run every test and notebook
# Other targets: notebooks (rebuild and re-execute all lessons), notebook NB=05_transposed_convolution,
# site (the lessons as web pages, in build/site/), bench, clean.
# For a class (classroom/README.md): prepare DIR=..., hub, grading COURSE=..., test-classroom.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
LAB_ARGS ?=
PYTEST_ARGS ?=
export PYTHONUNBUFFERED := 1

# JupyterLab refuses to start as root unless told to; containers and cloud notebooks often
# run as root, so say so only when the effective user is root.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)

HUB_DIR ?= /opt/conv-autoencoders-hub
HUB_PORT ?= 8000
HUB_IP ?= 127.0.0.1
HUB_TEACHER ?= teacher
HUB_PREPARED ?= /srv/conv-autoencoders
HUB_ENV = HUB_DIR=$(HUB_DIR) HUB_PORT=$(HUB_PORT) HUB_IP=$(HUB_IP) HUB_TEACHER=$(HUB_TEACHER) \
	HUB_PREPARED=$(HUB_PREPARED)

.PHONY: setup setup-test setup-classroom lab test test-classroom notebooks notebook site bench \
	prepare hub hub-setup grading clean

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

# The teacher's kit on top: JupyterHub, nbgitpuller, nbgrader.
$(VENV)/.installed-classroom: $(VENV)/.installed-test
	$(BIN)/python -m pip install --quiet -e ".[test,classroom]"
	touch $@

setup: $(VENV)/.installed-lab

setup-test: $(VENV)/.installed-test

setup-classroom: $(VENV)/.installed-classroom

lab: setup
	$(BIN)/jupyter lab --ServerApp.root_dir=. $(ALLOW_ROOT) notebooks/00_start_here.ipynb $(LAB_ARGS)

# Two workers, one thread each; a notebook's cells stay together on one worker (loadfile).
test: setup-test
	COURSE_FAST=1 OMP_NUM_THREADS=1 $(BIN)/python -m pytest -n 2 --dist loadfile $(PYTEST_ARGS)

# The teacher's kit, tested for real (a hub with two students, grading, a prepared folder).
test-classroom: setup-classroom
	COURSE_FAST=1 OMP_NUM_THREADS=1 $(BIN)/python -m pytest -m classroom $(PYTEST_ARGS)

# Fill DIR with MNIST and every model the lessons load, once, for a whole class.
prepare: setup
	@test -n "$(DIR)" || { echo "usage: make prepare DIR=/srv/conv-autoencoders [LESSONS='00 01']" >&2; exit 2; }
	$(BIN)/python -m course_utils.prepare "$(DIR)" $(if $(LESSONS),--lessons $(LESSONS),)

# A JupyterHub for a class on this machine (as root): http://$(HUB_IP):$(HUB_PORT)/
hub-setup:
	$(HUB_ENV) PYTHON=$(PYTHON) classroom/setup-hub

hub: hub-setup
	@echo "Send students this link (it pulls the lessons into their home):"
	@$(HUB_DIR)/venv/bin/python classroom/pull_link.py http://$(HUB_IP):$(HUB_PORT) file://$(HUB_DIR)/course.git
	$(HUB_ENV) $(HUB_DIR)/venv/bin/jupyterhub -f classroom/jupyterhub_config.py

# nbgrader: the exercises as an assignment, in the course folder COURSE.
grading: setup-classroom
	@test -n "$(COURSE)" || { echo "usage: make grading COURSE=/srv/grading" >&2; exit 2; }
	$(BIN)/python classroom/nbgrader_course.py "$(COURSE)"

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
