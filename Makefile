# floorapp: `make demo` installs everything and serves the demo; `make test` installs everything and runs the tests.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
# Debian packages the app and its tests need: a browser for the browser tests, zbar for decoding,
# poppler (pdftoppm) to read documents back, fonts for rendering; CUPS with CUPS-PDF for the printing tests
# and node for the third-party ZPL renderer the tests read labels back with (tests/printing/zpl; npm ci
# installs it there on first use: npm ships with the nodejs build on these machines).
DEB_PACKAGES := chromium libzbar0 poppler-utils fonts-dejavu-core cups cups-client printer-driver-cups-pdf nodejs

.PHONY: demo test bench system-packages clean

$(VENV)/.installed: pyproject.toml
	@$(MAKE) --no-print-directory system-packages
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

system-packages:
	@missing=$$(for p in $(DEB_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian packages: $$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	  else \
	    echo "floorapp needs these Debian packages: $$missing"; \
	    echo "Install them with: sudo apt-get install --no-install-recommends $$missing"; exit 1; \
	  fi; \
	fi

demo: $(VENV)/.installed
	$(VENV)/bin/floorapp demo $(DEMO_ARGS)

test: $(VENV)/.installed
	$(PY) -m pytest $(PYTEST_ARGS)

bench: $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[test,bench]'
	$(PY) bench/scan_roundtrip.py --handhelds 50
	$(PY) bench/scan_roundtrip.py --handhelds 300 --interval 2
	$(PY) bench/scan_roundtrip.py --saturation
	$(PY) bench/print.py
	$(PY) bench/decode.py
	$(PY) bench/fanout.py
	$(PY) bench/import_orders.py

clean:
	rm -rf $(VENV) instance .pytest_cache
