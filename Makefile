# Two commands on a fresh machine with Python 3.11: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

CHROMIUM ?= /usr/bin/chromium

.PHONY: demo test venv messages clean gettext

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] >= (3, 11), "Python 3.11+ is required"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

venv: $(STAMP)

# The operators are Russian: the demo runs in Russian (its catalog too) unless LANGUAGE_CODE=en is given.
demo: $(STAMP)
	DEBUG=true LANGUAGE_CODE=$${LANGUAGE_CODE:-ru} $(BIN)/python manage.py demo

# The browser tests drive Debian's chromium (Playwright downloads no browser).
$(CHROMIUM):
	@command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] || { echo "Install Debian's chromium ($(CHROMIUM)) for the browser tests: apt-get install chromium" >&2; exit 1; }
	DEBIAN_FRONTEND=noninteractive apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium

# The translation test runs makemessages on a scratch copy: it needs GNU gettext (xgettext, msgattrib).
gettext:
	@command -v xgettext >/dev/null && command -v msgattrib >/dev/null || { \
	  command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] || { echo "Install GNU gettext for the translation tests: apt-get install gettext" >&2; exit 1; }; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends gettext; }

# Two parallel workers (config/settings_test.py gives each its own var/ and Redis database); PYTEST_WORKERS=0 runs serially.
PYTEST_WORKERS ?= 2

test: $(STAMP) $(CHROMIUM) gettext
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

messages: $(STAMP)
	DEBUG=true $(BIN)/python manage.py makemessages -l ru --ignore=.venv --ignore=var --ignore=sandbox
	DEBUG=true $(BIN)/python manage.py compilemessages -l ru --ignore=.venv

clean:
	rm -rf var
