# The two commands: `make demo` and `make test`. Each sets up what it needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# Headless by default: the libraries' own switches. On a Pi with a screen, override them.
HEADLESS := SDL_VIDEODRIVER=$${SDL_VIDEODRIVER:-dummy} SDL_AUDIODRIVER=$${SDL_AUDIODRIVER:-dummy} \
            GPIOZERO_PIN_FACTORY=$${GPIOZERO_PIN_FACTORY:-mock} PYGAME_HIDE_SUPPORT_PROMPT=1

.PHONY: demo test bench lint system-packages test-packages venv screenshots clean asyncapi-check \
	axe-core

demo: venv
	$(HEADLESS) $(BIN)/piste demo --output demo-output

test: test-packages venv asyncapi-check axe-core
	$(BIN)/ruff check .
	$(HEADLESS) $(BIN)/pytest -q -n auto

# The MQTT contract through the official AsyncAPI parser (npm's @asyncapi/parser, pinned in
# tools/asyncapi/package-lock.json); installed again only when the lock changes.
ASYNCAPI := tools/asyncapi
ASYNCAPI_STAMP := $(ASYNCAPI)/node_modules/.installed-stamp

asyncapi-check: $(ASYNCAPI_STAMP)
	node $(ASYNCAPI)/check.mjs docs/mqtt-api.yaml

$(ASYNCAPI_STAMP): $(ASYNCAPI)/package-lock.json
	cd $(ASYNCAPI) && npm ci --ignore-scripts --no-audit --no-fund
	touch $(ASYNCAPI_STAMP)

# axe-core (npm, pinned in tools/axe/package-lock.json), which the console's browser tests
# inject into every page (tests/test_web_a11y.py); installed again only when the lock changes.
AXE := tools/axe
AXE_STAMP := $(AXE)/node_modules/.installed-stamp

axe-core: $(AXE_STAMP)

$(AXE_STAMP): $(AXE)/package-lock.json
	cd $(AXE) && npm ci --ignore-scripts --no-audit --no-fund
	touch $(AXE_STAMP)

bench: venv
	$(HEADLESS) $(BIN)/python -m bench

lint: venv
	$(BIN)/ruff check .

screenshots: test-packages venv
	$(HEADLESS) $(BIN)/python -m firmware.screenshots.readme docs/images
	$(HEADLESS) $(BIN)/piste screenshot kiosk --config config/demo-site.toml --out docs/images/kiosk
	$(HEADLESS) $(BIN)/piste screenshot display --config config/demo-site.toml --out docs/images/display
	$(HEADLESS) $(BIN)/piste screenshot room --config config/demo-site.toml --out docs/images/room
	$(HEADLESS) $(BIN)/piste screenshot feedback --config config/demo-site.toml --out docs/images/feedback
	$(HEADLESS) $(BIN)/python -m bench.console_screenshots docs/images/console

venv: system-packages $(STAMP)

system-packages:
	@sh scripts/ensure-system-packages.sh espeak-ng openssl

# The tests also start a private PostgreSQL server (the central store's national backend)
# and drive the staff console in Debian's headless Chromium through its chromedriver; Debian's
# Node.js and npm run the official AsyncAPI parser on the MQTT contract.
test-packages:
	@sh scripts/ensure-system-packages.sh espeak-ng postgresql chromium chromium-driver openssl \
		nodejs npm

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) demo-output .pytest_cache .ruff_cache .hypothesis *.egg-info \
		$(ASYNCAPI)/node_modules
