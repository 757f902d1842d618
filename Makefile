# Claimbridge: `make demo` runs the demo, `make test` runs the tests.
# Needs Python 3.11 (python3.11, else python3) and network access for the first install.

PORT ?= 8000
PYTEST_ARGS ?=
VENV := .venv
PY := $(VENV)/bin/python
PYTHON := $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null)

.PHONY: venv demo test lint audit bench clean-demo

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.lock
	@test -n "$(PYTHON)" || { echo "Python 3.11 is needed (python3.11 or python3 on PATH)." >&2; exit 1; }
	@test -x $(PY) || $(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "$(PYTHON) is older than Python 3.11." >&2; exit 1; }
	@test -x $(PY) || { echo "Creating $(VENV) with $(PYTHON) ..."; $(PYTHON) -m venv $(VENV); }
	@echo "Installing dependencies from requirements.lock ..."
	@$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@touch $@

demo: venv
	@mkdir -p var
	@$(PY) manage.py migrate --noinput --verbosity 0
	@$(PY) manage.py seed_demo
	@$(PY) manage.py run_demo --port $(PORT)

test: venv
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Known vulnerabilities in the locked dependencies, from PyPI's advisory feed
# (needs network). --strict fails on any package the service could not be asked
# about, so an unreachable service never passes as "no known vulnerabilities".
# Ignored advisories: AUDIT_IGNORE="--ignore-vuln ID ...", each with its reason in
# docs/security.md.
AUDIT_IGNORE ?=
audit: venv
	@$(VENV)/bin/pip-audit --requirement requirements.lock --no-deps --disable-pip \
		--strict --progress-spinner off $(AUDIT_IGNORE) </dev/null \
		|| { echo "make audit: FAILED: known vulnerabilities are listed above, or the" \
			"vulnerability service could not be reached (docs/security.md)." >&2; exit 1; }

# Seeds a data set into a database of its own (never the demo's), serves it with
# gunicorn and drives it over HTTP; prints the figures (docs/performance.md).
# make bench [SCALE=10k|100k|1m] [JSON=figures.json] [BENCH_ARGS=--reuse]
SCALE ?= 100k
JSON ?=
BENCH_ARGS ?=
bench: venv
	$(PY) -m bench --scale $(SCALE) $(if $(JSON),--json $(JSON)) $(BENCH_ARGS)

# Removes the demo's SQLite database, uploaded files and caught mails.
clean-demo:
	rm -rf var
