# gi-trace: `make run` to try the service, `make test` to run every test.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
CHROMIUM := /usr/bin/chromium
CJK_FONT := /usr/share/fonts/truetype/wqy/wqy-microhei.ttc

.PHONY: run test bench lint clean

$(STAMP): setup.py pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,postgres]'
	touch $(STAMP)

# Set up, create the database and operator key, load the demo on first run, serve on :8000.
run: $(STAMP)
	set -a && . config/development.env && set +a && \
	$(BIN)/gi-trace demo && exec $(BIN)/gi-trace serve

# The whole suite, PostgreSQL tests included (needs the server on 127.0.0.1:5432).
test: $(STAMP) $(CHROMIUM) $(CJK_FONT)
	$(BIN)/pytest

# The browser tests (tests/browser) drive Debian's Chromium: Playwright cannot download its own
# browser build here. Installed when missing (as root, as CI runs).
$(CHROMIUM):
	DEBIAN_FRONTEND=noninteractive apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

# A Chinese font, so that the screenshots and rendered label sheets show 中文, not boxes.
$(CJK_FONT):
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei || \
	  (DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	   DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei)

bench: $(STAMP)
	$(BIN)/python -m bench.run

lint: $(STAMP)
	$(BIN)/ruff check gi_trace tests bench
	$(BIN)/mypy gi_trace

clean:
	rm -rf $(VENV) instance .pytest_cache
