# collective.tickets: `make run` serves the demo site, `make test` runs the
# linters and the suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
INSTANCE := instance

.PHONY: help install run reply fetch-mail cron run-cluster site test bench profile docs browser postgresql lint format news screenshots i18n versions buildout-check clean

help:
	@echo "make run             create .venv, the instance and the demo site, and serve it"
	@echo "make test            the linters (make lint), then the whole test suite"
	@echo "make lint / format   check / fix the style (ruff, zpretty); lint checks the pins too"
	@echo "make screenshots     retake the documentation's screenshots (docs/_static/)"
	@echo "make news            show what news/ will add to CHANGES.rst at the release"
	@echo "make reply           answer the demo's newest notification by e-mail (make run)"
	@echo "make fetch-mail      read the mailbox of the Tickets settings now"
	@echo "make cron            run the periodic job once (targets, reminders, closing, mail)"
	@echo "make run-cluster     a ZEO server and two Zope instances, data in cluster/"
	@echo "                     (STORAGE=postgresql: RelStorage on a PostgreSQL server)"
	@echo "make bench           measure the add-on beside Plone's own pages (bench/)"
	@echo "                     (STORAGE=postgresql: on RelStorage, bench/postgresql/)"
	@echo "make profile         where a ticket page's time goes, beside a Document"
	@echo "make buildout-check  build the same instance with zc.buildout and start it"
	@echo "make versions        rewrite versions.cfg (buildout) from constraints.txt"
	@echo "make i18n            rebuild the translation catalogues"
	@echo "make docs            build the documentation (docs/_build/html)"
	@echo "make install         only create .venv with the add-on and its test tools"
	@echo "make clean           remove .venv (never the instance and its data)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): setup.py pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install -q -c constraints.txt "pip" "setuptools" "wheel"
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[test]"
	touch $@

install: $(INSTALLED)

$(INSTANCE)/etc/zope.conf: | $(INSTALLED)
	$(BIN)/python scripts/make_instance.py $(INSTANCE)

site: $(INSTALLED) $(INSTANCE)/etc/zope.conf
	$(BIN)/zconsole run $(INSTANCE)/etc/zope.conf scripts/create_site.py

MAIL_PORT := 1025
SITE_URL := http://127.0.0.1:8080/Plone
MAIL_IN_KEY := $(INSTANCE)/var/mail-in.key

# The demo's mail server lives as long as the site (both stop on Ctrl-C) and
# starts first, so that the demo data's notifications are filed too; mail to
# the support address goes into the site (scripts/demo_mail.py). Every minute
# the periodic job runs (tickets-cron: overdue targets, reminders, automatic
# closing, and the mailbox of the Tickets settings when one is configured).
run: $(INSTALLED) $(INSTANCE)/etc/zope.conf
	$(BIN)/python scripts/demo_mail.py $(INSTANCE)/var/mail --port $(MAIL_PORT) \
	  --support soporte@example.com --site $(SITE_URL) --key-file $(MAIL_IN_KEY) & sink=$$!; \
	trap 'kill $$sink $$fetch 2>/dev/null' EXIT INT TERM; \
	$(BIN)/zconsole run $(INSTANCE)/etc/zope.conf scripts/create_site.py && \
	{ while sleep 60; do $(BIN)/tickets-cron --quiet --key-file $(MAIL_IN_KEY) $(SITE_URL); done & fetch=$$!; } && \
	echo && \
	echo "  Demo site:   $(SITE_URL)" && \
	echo "  Zope admin:  admin / admin" && \
	echo "  Customers:   customer1, customer2 / tickets-demo" && \
	echo "  Staff:       staff1 / tickets-demo" && \
	echo "  E-mail:      every message the site sends is a file in $(INSTANCE)/var/mail/new/" && \
	echo "  Answer one:  make reply (the newest notification, as its recipient), or send" && \
	echo "               from a mail program through SMTP 127.0.0.1:$(MAIL_PORT) to its Reply-To" && \
	echo && \
	$(BIN)/runwsgi $(INSTANCE)/etc/zope.ini

# Answer a notification by e-mail while make run serves the demo:
# make reply [MAIL=instance/var/mail/new/<file>] [TEXT="..."]
reply: $(INSTALLED)
	$(BIN)/python scripts/demo_reply.py $(INSTANCE)/var/mail --port $(MAIL_PORT) \
	  $(if $(MAIL),--mail "$(MAIL)") $(if $(TEXT),--text "$(TEXT)")

# Read the mailbox of the Tickets settings once (cron runs tickets-fetch-mail).
fetch-mail: $(INSTALLED)
	$(BIN)/tickets-fetch-mail --key-file $(MAIL_IN_KEY) $(SITE_URL)

# Run the periodic job once while make run serves the demo (cron runs
# tickets-cron every minute: see docs/managers.rst).
cron: $(INSTALLED)
	$(BIN)/tickets-cron --key-file $(MAIL_IN_KEY) $(SITE_URL)

# A ZEO server and two instances (ports 8100, 8081, 8082), data in cluster/;
# with STORAGE=postgresql a PostgreSQL server on port 8100 instead, the
# instances on RelStorage (data in cluster/pg/; make postgresql installs it).
STORAGE ?= zeo
ifeq ($(STORAGE),postgresql)
STORAGE_SERVER := postgresql
else ifneq ($(STORAGE),zeo)
$(error STORAGE=$(STORAGE): zeo (the default) or postgresql)
endif

run-cluster: $(INSTALLED) $(STORAGE_SERVER)
	$(BIN)/python scripts/cluster.py cluster --storage $(STORAGE)

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

# The cluster tests, make run-cluster STORAGE=postgresql and make bench
# STORAGE=postgresql start a PostgreSQL server of their own with the binaries
# of Debian's postgresql package (scripts/postgresql.py); the system's own
# server is not used. The same rules as for Chromium.
postgresql:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  echo "Installing Debian's PostgreSQL for the cluster tests"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq postgresql >/dev/null; \
	} || [ -z "$$CI" ]

# The linters first: a style error stops the run before the long part. To run
# some tests only: .venv/bin/pytest tests/unit (or -k a_test_name).
test: lint browser postgresql
	$(BIN)/pytest

# The browser journeys write the documentation's screenshots into
# docs/_static/screenshots/ only when UPDATE_SCREENSHOTS is set; under make test
# they go to a temporary folder, so the tests leave the working tree as it was.
screenshots: $(INSTALLED) browser
	UPDATE_SCREENSHOTS=1 $(BIN)/pytest tests/browser/test_browser.py
	@git status --short docs/_static/screenshots/ 2>/dev/null || true

# Not part of make test: a scratch site in a temporary directory, seeded and
# timed; figures in bench/results.json, chart in bench/results.png. About 25
# minutes on 2 cores (seeding runs 25 to 60 tickets/s, by the machine's load).
BENCH_TICKETS ?= 20000
BENCH_INSTALLED := $(VENV)/.bench-installed

$(BENCH_INSTALLED): setup.py constraints.txt | $(INSTALLED)
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[bench]"
	touch $@

# STORAGE=postgresql: the same on RelStorage with a PostgreSQL server (the
# scratch site and the cluster), figures in bench/postgresql/.
BENCH_OUT := bench$(if $(STORAGE_SERVER),/$(STORAGE))

bench: $(BENCH_INSTALLED) $(STORAGE_SERVER)
	$(BIN)/python scripts/bench.py --large $(BENCH_TICKETS) --storage $(STORAGE) --out $(BENCH_OUT)

# The ticket pages and a Document under cProfile, as the customer and the
# staff, on the bench's scratch site (100 tickets; about 2 minutes).
profile: $(BENCH_INSTALLED)
	$(BIN)/python scripts/bench_profile.py

i18n: $(INSTALLED)
	$(BIN)/python -m pip install -q -c constraints.txt i18ndude
	bash scripts/i18n.sh

# ruff, zpretty and towncrier come with the test extra, pinned in constraints.txt;
# their settings are in pyproject.toml.
LINTED := src tests scripts
TEMPLATES = $(shell git ls-files 'src/*.zcml' 'src/*.xml' 'src/*.pt')
# The release being prepared: setup.py's version without its .devN.
NEXT_VERSION := $(shell sed -n 's/^ *version="\([^"]*\)",$$/\1/p' setup.py | sed 's/\.dev[0-9]*$$//')

# .pre-commit-config.yaml must run the tools at the versions constraints.txt
# pins: $(call pre_commit_rev,hook repository,rev prefix,package).
pre_commit_rev = grep -A1 -F '$(1)' .pre-commit-config.yaml | \
	grep -qxF "    rev: $(2)$$(sed -n 's/^$(3)==//p' constraints.txt)" || { \
	echo ".pre-commit-config.yaml: the rev of $(1) is not $(3)'s pin in constraints.txt"; \
	exit 1; }

# The last check: towncrier refuses a file in news/ it would not understand.
lint: $(INSTALLED)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(if $(TEMPLATES),,$(error make lint lists the templates with git ls-files: run it in a git checkout))
	$(BIN)/zpretty --check $(TEMPLATES)
	$(BIN)/python scripts/make_versions.py --check
	@$(call pre_commit_rev,astral-sh/ruff-pre-commit,v,ruff)
	@$(call pre_commit_rev,collective/zpretty,,zpretty)
	@out=$$($(BIN)/towncrier build --draft --version $(NEXT_VERSION) 2>&1) || { echo "$$out"; exit 1; }
	@echo "news/ fragments and .pre-commit-config.yaml revs are fine"

format: $(INSTALLED)
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

# make_versions.py needs only the standard library: no install first.
versions: | $(BIN)/python
	$(BIN)/python scripts/make_versions.py

# New fragment: .venv/bin/towncrier create 13.feature --content "..." (news/README.rst).
news: $(INSTALLED)
	$(BIN)/towncrier build --draft --version $(NEXT_VERSION)

buildout-check:
	bash scripts/buildout_check.sh

clean:
	rm -rf $(VENV)
