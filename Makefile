# The two commands of the README. Both set everything up from a clean clone first.
#   make build   create .venv, install dashkit, compile the dashboards into build/grafana/
#   make test    also install the Debian packages the live tests run, then the whole test suite
#   make quick   the suite without the live, mutation, suite-on-a-copy and browser tests
#   make docs    the documentation site, into build/site/ (open build/site/index.html)
#   make mutants the mutation check alone, as a table (the test suite runs it too)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEBIAN_PACKAGES := prometheus prometheus-node-exporter prometheus-postgres-exporter \
                   prometheus-redis-exporter prometheus-alertmanager postgresql redis-server \
                   chromium chromium-driver
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: build test quick docs setup system-packages benchmark mutants wheels
# The wheels a new project's install needs, so the test of `dashkit init` then `make test`
# installs through pip with no network (tests talk to loopback only).
WHEELS := .cache/wheels

$(BIN)/dashkit: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,import,preview]'
	touch $@

setup: $(BIN)/dashkit

build: setup
	$(BIN)/dashkit build --folder EasyMO

system-packages:
	@missing=""; for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

$(WHEELS)/.complete: pyproject.toml | setup
	$(BIN)/pip wheel --quiet -w $(WHEELS) '.[import,preview]' pytest syrupy 'setuptools>=77'
	touch $@

wheels: $(WHEELS)/.complete

# Four workers on two cores: many tests wait (on a deadline, a dripping server, Prometheus'
# clock) while others compute. The live tests run together on one worker (one stack).
test: setup system-packages wheels
	$(BIN)/pytest -n 4 --dist loadgroup

quick: setup
	$(BIN)/pytest -n 4 --hypothesis-profile=quick -m "not live and not mutation and not suite and not browser"

docs: setup
	$(BIN)/mkdocs build --strict

mutants: setup
	$(BIN)/python tests/mutants.py

# The peers the benchmark compares with (the Foundation SDK, grafanalib's generate-dashboards)
# live in an environment of their own, never in dashkit's dependencies.
BENCH := .venv-bench/bin

$(BENCH)/.installed: pyproject.toml
	$(PYTHON) -m venv .venv-bench
	$(BENCH)/pip install --quiet --upgrade pip
	$(BENCH)/pip install --quiet -e '.[import]' grafana-foundation-sdk grafanalib
	touch $@

# valgrind counts instructions (bench_instructions.py): the benchmark's alone, not the tests'.
benchmark: setup system-packages $(BENCH)/.installed
	@dpkg -s valgrind >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq valgrind >/dev/null; }
	$(BENCH)/python benchmarks/bench_build.py
	$(BENCH)/python benchmarks/bench_instructions.py
	$(BIN)/python benchmarks/bench_publish.py
	$(BIN)/python benchmarks/bench_preview.py
	$(BIN)/python benchmarks/bench_lint_check.py
	$(BIN)/python benchmarks/bench_import.py
