# collective.tickets: `make run` serves the demo site, `make test` runs the suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
INSTANCE := instance

.PHONY: help install run run-cluster site test bench docs browser lint format i18n versions buildout-check clean

help:
	@echo "make run             create .venv, the instance and the demo site, and serve it"
	@echo "make test            run the whole test suite"
	@echo "make run-cluster     a ZEO server and two Zope instances, data in cluster/"
	@echo "make bench           measure the add-on beside Plone's own pages (bench/)"
	@echo "make buildout-check  build the same instance with zc.buildout and start it"
	@echo "make i18n            rebuild the translation catalogues"
	@echo "make docs            build the documentation (docs/_build/html)"
	@echo "make lint / format   check / fix the code style (ruff, zpretty)"
	@echo "make clean           remove .venv (never the instance and its data)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): setup.py constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install -q -c constraints.txt "pip" "setuptools" "wheel"
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[test]"
	touch $@

install: $(INSTALLED)

$(INSTANCE)/etc/zope.conf: | $(INSTALLED)
	$(BIN)/python scripts/make_instance.py $(INSTANCE)

site: $(INSTALLED) $(INSTANCE)/etc/zope.conf
	$(BIN)/zconsole run $(INSTANCE)/etc/zope.conf scripts/create_site.py

MAIL_SINK := 127.0.0.1:1025

# The mail sink lives as long as the site (both stop on Ctrl-C) and starts
# first, so that the demo data's notifications are filed too.
run: $(INSTALLED) $(INSTANCE)/etc/zope.conf
	$(BIN)/python -m aiosmtpd -n -l $(MAIL_SINK) -c aiosmtpd.handlers.Mailbox $(INSTANCE)/var/mail & sink=$$!; \
	trap 'kill $$sink 2>/dev/null' EXIT INT TERM; \
	$(BIN)/zconsole run $(INSTANCE)/etc/zope.conf scripts/create_site.py && \
	echo && \
	echo "  Demo site:   http://127.0.0.1:8080/Plone" && \
	echo "  Zope admin:  admin / admin" && \
	echo "  Customers:   customer1, customer2 / tickets-demo" && \
	echo "  Staff:       staff1 / tickets-demo" && \
	echo "  E-mail:      every message the site sends is a file in $(INSTANCE)/var/mail/new/" && \
	echo && \
	$(BIN)/runwsgi $(INSTANCE)/etc/zope.ini

# A ZEO server and two instances (ports 8100, 8081, 8082), data in cluster/.
run-cluster: $(INSTALLED)
	$(BIN)/python scripts/cluster.py cluster

# The browser tests drive Debian's Chromium (Playwright's own download cannot
# be used here). Under CI=true a missing browser fails the tests; elsewhere,
# without root, they are skipped with the reason.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's Chromium for the browser tests"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; \
	} || [ -z "$$CI" ]

test: $(INSTALLED) browser
	$(BIN)/pytest

# Not part of make test: a scratch site in a temporary directory, seeded and
# timed; figures in bench/results.json, chart in bench/results.png. About 8
# minutes; BENCH_TICKETS=100000 takes about 35 (seeding runs ~60 tickets/s).
BENCH_TICKETS ?= 20000
BENCH_INSTALLED := $(VENV)/.bench-installed

$(BENCH_INSTALLED): setup.py constraints.txt | $(INSTALLED)
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[bench]"
	touch $@

bench: $(BENCH_INSTALLED)
	$(BIN)/python scripts/bench.py --large $(BENCH_TICKETS)

i18n: $(INSTALLED)
	$(BIN)/python -m pip install -q -c constraints.txt i18ndude
	bash scripts/i18n.sh

LINTED := src tests scripts
TEMPLATES = $(shell git ls-files 'src/*.zcml' 'src/*.xml' 'src/*.pt')

lint: $(INSTALLED)
	$(BIN)/python -m pip install -q -c constraints.txt ruff zpretty
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/zpretty --check $(TEMPLATES)
	$(BIN)/python scripts/make_versions.py --check

format: $(INSTALLED)
	$(BIN)/python -m pip install -q -c constraints.txt ruff zpretty
	$(BIN)/ruff check --fix $(LINTED)
	$(BIN)/ruff format $(LINTED)
	$(BIN)/zpretty -i $(TEMPLATES)

DOCS_VENV := .venv-docs

$(DOCS_VENV)/bin/sphinx-build: docs/requirements.txt
	$(PYTHON) -m venv $(DOCS_VENV)
	$(DOCS_VENV)/bin/python -m pip install -q -r docs/requirements.txt
	touch $@

# Sphinx needs another docutils than Plone: the docs have a venv of their own.
docs: $(DOCS_VENV)/bin/sphinx-build
	$(DOCS_VENV)/bin/sphinx-build -W -q -b html docs docs/_build/html
	@echo "HTML in docs/_build/html/index.html"

versions:
	$(BIN)/python scripts/make_versions.py

buildout-check:
	bash scripts/buildout_check.sh

clean:
	rm -rf $(VENV)
