# ShareKPI: `make run` starts the app on the embedded default, `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 && echo $$p && break; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
SIZE ?= large
# The demo's made-up post URLs are never sent to the real platforms unless asked:
# `make run SHAREKPI_VERIFY_NETWORK=on`.
SHAREKPI_VERIFY_NETWORK ?= off

.PHONY: run test lint format venv bench clean messages compiled-messages

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is required"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

# The .mo files are committed (a clone without gettext still speaks Malay and
# Indonesian); where msgfmt exists they are rebuilt from the .po files.
compiled-messages: venv
	@if command -v msgfmt >/dev/null 2>&1 && [ -d locale ]; then \
	  DJANGO_DEBUG=on $(BIN)/python manage.py compilemessages --ignore=.venv >/dev/null; \
	fi

# Update the catalogues after changing text (the translators run this very command).
messages: venv
	DJANGO_DEBUG=on $(BIN)/python manage.py makemessages -l ms -l id --no-obsolete --no-location -e html,txt,py -i .venv -i var -i tests -i bench -i staticfiles -i node_modules
	DJANGO_DEBUG=on $(BIN)/python manage.py compilemessages --ignore=.venv

run: venv compiled-messages
	DJANGO_DEBUG=on $(BIN)/python manage.py migrate --noinput
	DJANGO_DEBUG=on $(BIN)/python manage.py seed_demo
	@echo
	@echo "  ShareKPI is starting at http://$(HOST):$(PORT)/   (Ctrl-C stops web, worker and beat)"
	@echo "  Demo logins (password demo1234): hr001 (HR admin), mgr001 (manager), stf001 (staff), stf002 (staff, Bahasa Malaysia), stf003 (staff, Bahasa Indonesia)"
	@echo
	DJANGO_DEBUG=on SHAREKPI_VERIFY_NETWORK=$(SHAREKPI_VERIFY_NETWORK) HOST=$(HOST) PORT=$(PORT) PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/honcho -f Procfile.dev start

test: venv compiled-messages
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/pytest $(PYTEST_ARGS)

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: venv
	bash bench/run.sh $(SIZE)

clean:
	rm -rf $(VENV) var staticfiles
