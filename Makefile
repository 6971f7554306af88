# DIPROM SME LINE bot. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python

.DEFAULT_GOAL := help
.PHONY: help run test chat lint train eval bench bench-broadcast audit clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(VENV)/.runtime: requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.txt
	@touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	@touch $@

run: $(VENV)/.runtime ## serve the webhook on 127.0.0.1:8000 (PORT changes it; local embedded mode without env)
	$(PY) -m bot serve

test: $(VENV)/.dev ## run every test, with a throwaway redis-server
	scripts/with-redis $(PY) -m pytest -q $(ARGS)

chat: $(VENV)/.runtime ## chat with the bot in the terminal, in Thai
	$(PY) -m bot chat

lint: $(VENV)/.dev ## ruff, mypy and the layers contract (lint-imports)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy bot handlers domain nlp
	$(VENV)/bin/lint-imports

train: $(VENV)/.runtime ## rebuild the cached intent model under var/nlu/
	$(PY) -m nlp train

eval: $(VENV)/.dev ## NLU (cross-validation, holdouts) and the blind conversations, reports under reports/
	$(PY) -m nlp evaluate
	$(PY) -m tests.eval_conversations
	$(PY) -m tests.eval_faq

.venv-audit/.done: requirements-audit.txt
	@test -x .venv-audit/bin/python || $(PYTHON) -m venv .venv-audit
	.venv-audit/bin/python -m pip install -q --disable-pip-version-check -r requirements-audit.txt
	@touch $@

audit: .venv-audit/.done ## pip-audit over every pinned requirement (known vulnerabilities fail it)
	.venv-audit/bin/python scripts/audit

clean: ## remove the virtualenv and caches
	rm -rf $(VENV) .venv-audit var .pytest_cache .mypy_cache .ruff_cache

bench: $(VENV)/.dev ## the bot against its floors on this machine, then bench-broadcast (docs/performance.md)
	scripts/with-redis $(PY) -m tests.bench.run
	scripts/with-redis $(PY) -m tests.bench.broadcast
	@echo "$$(tail -n1 reports/bench.txt) $$(tail -n1 reports/bench-broadcast.txt)"

bench-broadcast: $(VENV)/.dev ## a broadcast to 100,000 subscribers against a bare client (reports/bench-broadcast.txt)
	scripts/with-redis $(PY) -m tests.bench.broadcast
