# ckanext-skpd: the two commands are `make run` and `make test`.
# Every target installs or starts what it needs and is safe to repeat.

SHELL := /bin/bash
STATE ?= $(CURDIR)/.stack
VENV ?= $(STATE)/venv
export SKPD_STATE := $(STATE)
export SKPD_VENV := $(VENV)

# The test suite reaches the services through these variables, which
# override test.ini; they follow SKPD_PG_PORT, SKPD_SOLR_PORT and
# SKPD_REDIS_PORT unless they are set already.
TEST_ENV = \
	CKAN_SQLALCHEMY_URL=$${CKAN_SQLALCHEMY_URL:-postgresql://ckan_skpd:ckan_skpd@127.0.0.1:$${SKPD_PG_PORT:-54329}/ckan_skpd_test} \
	CKAN_SOLR_URL=$${CKAN_SOLR_URL:-http://127.0.0.1:$${SKPD_SOLR_PORT:-18983}/solr/ckan_test} \
	CKAN_REDIS_URL=$${CKAN_REDIS_URL:-redis://127.0.0.1:$${SKPD_REDIS_PORT:-63799}/1?socket_timeout=31536000}

.PHONY: run test stop install venv services db-run db-test i18n i18n-update i18n-report \
	wheel-test lint reset help

help:
	@echo "make run     install what is missing, start the services, load the demo"
	@echo "             catalogue when the site is empty, serve http://127.0.0.1:5000"
	@echo "make test    the same set-up, then the whole test suite"
	@echo "make stop    stop the site's background processes and the services"
	@echo "make reset   stop, then delete the state folder $(STATE) (all data)"
	@echo "make i18n-update  re-extract the strings and update the catalogues"
	@echo "make i18n-report  list messages of CKAN and the extensions left untranslated"

install:
	@scripts/stack.sh install

venv: install
	@scripts/stack.sh venv

services: venv
	@scripts/stack.sh start

db-run: services
	@scripts/site.sh config
	@scripts/stack.sh db $(STATE)/ckan.ini

db-test: services
	@$(TEST_ENV) scripts/stack.sh db test.ini

run: db-run
	@scripts/site.sh workers
	@scripts/site.sh load
	@scripts/site.sh serve

test: db-test
	@mkdir -p test-artifacts
	$(TEST_ENV) $(VENV)/bin/pytest --ckan-ini=test.ini $(PYTEST_ARGS)

stop:
	@scripts/site.sh stop || true
	@scripts/stack.sh stop

reset: stop
	rm -rf $(STATE)

i18n:
	@scripts/i18n.sh compile

i18n-update:
	@scripts/i18n.sh update

# After a CKAN or extension upgrade: the messages no catalogue translates.
i18n-report:
	@scripts/i18n.sh stock-report

lint:
	$(VENV)/bin/ruff check ckanext tests
