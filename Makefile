# cnn_lectures: every target that needs Python creates or reuses .venv from requirements.txt.
#   make run        train the lecture's CNN on the default data (Kaggle's files if present, else the sample)
#   make test       ruff, unit tests, then every notebook under nbval (quick mode)
#   make check      the fast tier: unit tests not marked slow (pytest -m "not slow")
#   make lint       ruff check and ruff format --check (configured in pyproject.toml)
#   make lock       regenerate requirements.txt from pyproject.toml's dependencies and extras
#   make lab        Jupyter Lab on notebooks/
#   make notebooks  re-execute every notebook in place with full settings (refreshes stored outputs)
#   make models     retrain the shipped checkpoints (cnn_lectures/pretrained/) on Kaggle's files
#   make data       download Kaggle's files into data/ (needs the kaggle CLI and an API token)
#   make clean      remove the virtual environment, caches and outputs

SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9]*.ipynb))
NOTEBOOK_TIMEOUT ?= 3600

# TensorFlow's environment for every target (cnn_lectures/runtime.py explains each; the CLI,
# the notebook kernel and the tests set the same defaults themselves when run without make).
export TF_ENABLE_ONEDNN_OPTS ?= 1
export TF_CPP_MIN_LOG_LEVEL ?= 3

.PHONY: run test unit-test notebook-test lab notebooks data clean

# Rebuilt whenever requirements.txt or pyproject.toml changes.
$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m cnn_lectures.kernel install >/dev/null  # the python3 kernel, with cnn_lectures.runtime's environment
	touch $@

run: $(STAMP)
	$(BIN)/python -m cnn_lectures train --preset lecture

test: lint unit-test notebook-test

.PHONY: lint lock
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# requirements.txt is pip-compile's output: the exact versions of pyproject.toml's dependencies and
# its notebooks/demos/test extras. Existing pins are kept unless pyproject.toml needs others;
# LOCK_FLAGS=--upgrade moves every pin to the newest version allowed. pip-tools lives in its own
# venv so that it never enters the course's environment.
LOCK_VENV := .venv-lock
LOCK_FLAGS ?=
lock:
	test -x $(LOCK_VENV)/bin/pip-compile || { $(PYTHON) -m venv $(LOCK_VENV) && $(LOCK_VENV)/bin/pip install --quiet pip-tools==7.6.2; }
	$(LOCK_VENV)/bin/pip-compile --quiet --extra notebooks --extra demos --extra test --strip-extras \
		--no-emit-index-url --no-emit-find-links $(LOCK_FLAGS) --output-file requirements.txt pyproject.toml

# The fast tier: every unit test not marked slow (no training run over a few seconds, no fresh
# interpreter), for the edit-test loop; make test (CI) still runs everything.
.PHONY: check
check: $(STAMP)
	CNN_LECTURES_QUICK=1 $(BIN)/python -m pytest -m "not slow" tests

unit-test: $(STAMP)
	CNN_LECTURES_QUICK=1 $(BIN)/python -m pytest tests

# nbval compares stored outputs (see tests/nbval_sanitize.cfg and notebooks/conftest.py) and each
# notebook's recorded results with notebooks/expected/quick/ (docs/results.md). NBVAL_PATHS picks
# notebooks: make notebook-test NBVAL_PATHS=notebooks/08_digit_recognizer_cnn.ipynb
# pytest exits 5 when notebooks/ holds no notebook yet: that is not a failure.
NBVAL_PATHS ?= notebooks
NBVAL := MPLBACKEND=Agg $(BIN)/python -m pytest -p no:cacheprovider --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg
.PHONY: notebook-test-full notebook-expectations
notebook-test: $(STAMP)
	CNN_LECTURES_QUICK=1 $(NBVAL) --nbval-cell-timeout=600 $(NBVAL_PATHS); \
		status=$$?; if [ $$status -eq 5 ]; then echo "no notebooks to test"; exit 0; fi; exit $$status

# The mode the stored outputs come from (full settings): recorded results are compared with those
# stored in the notebooks. Needs Kaggle's files (CNN_LECTURES_DATA) and about as long as make notebooks.
notebook-test-full: $(STAMP)
	CNN_LECTURES_QUICK=0 $(NBVAL) --nbval-cell-timeout=$(NOTEBOOK_TIMEOUT) $(NBVAL_PATHS)

# Rewrite notebooks/expected/quick/<notebook>.json from one quick run (outputs are not compared);
# run it with the data CI uses (CNN_LECTURES_DATA) and commit the files with the change that moved them.
notebook-expectations: $(STAMP)
	CNN_LECTURES_QUICK=1 $(NBVAL) --nbval-lax --nbval-cell-timeout=600 --write-expectations $(NBVAL_PATHS)

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks

# The lecture and best presets trained on Kaggle's split, with their manifests (cnn_lectures/checkpoints.py).
.PHONY: models
models: $(STAMP)
	$(BIN)/python -m cnn_lectures.checkpoints

notebooks: $(STAMP)
	@for nb in $(NOTEBOOKS); do \
		echo "== $$nb"; \
		CNN_LECTURES_QUICK=0 MPLBACKEND=Agg $(BIN)/jupyter nbconvert --to notebook --execute --inplace \
			--ExecutePreprocessor.timeout=$(NOTEBOOK_TIMEOUT) "$$nb" || exit 1; \
	done

data:
	@if command -v kaggle >/dev/null 2>&1 && { [ -f "$$HOME/.kaggle/kaggle.json" ] || [ -n "$$KAGGLE_USERNAME" ]; }; then \
		mkdir -p data && kaggle competitions download -c digit-recognizer -p data && ls -l data; \
	else \
		echo "To get Kaggle's Digit Recognizer files:"; \
		echo "  1. pip install kaggle   (or: $(BIN)/pip install kaggle)"; \
		echo "  2. Create an API token at https://www.kaggle.com/settings (Account > API > Create New Token)"; \
		echo "     and save it as ~/.kaggle/kaggle.json (chmod 600), or set KAGGLE_USERNAME and KAGGLE_KEY."; \
		echo "  3. Accept the competition rules at https://www.kaggle.com/competitions/digit-recognizer/rules"; \
		echo "  4. make data   (runs: kaggle competitions download -c digit-recognizer -p data)"; \
		echo "Or download digit-recognizer.zip from the competition's Data tab and put it (or train.csv"; \
		echo "and test.csv) in data/. Without them, everything runs on the embedded 5,000-digit sample."; \
	fi

clean:
	rm -rf $(VENV) outputs .pytest_cache .hypothesis build *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

# Live classroom demos (docs/demos.md): Voilà serves the notebooks of demos/ on this machine only,
# code hidden; Ctrl-C stops it. DEMO_PORT=8900 make demo picks another port.
DEMO_PORT ?= 8866
.PHONY: demo browser
demo: $(STAMP)
	@echo "Demos at http://localhost:$(DEMO_PORT)/ -- draw a digit: http://localhost:$(DEMO_PORT)/voila/render/draw_a_digit.ipynb"
	@echo "  convolution explorer: http://localhost:$(DEMO_PORT)/voila/render/convolution_explorer.ipynb   (Ctrl-C stops)"
	@exec $(BIN)/voila demos --no-browser --port=$(DEMO_PORT) --Voila.ip=127.0.0.1 --Voila.port_retries=0 \
		--show_tracebacks=False

# Debian's Chromium and its WebDriver for tests/test_demo_browser.py (installed only when missing; needs root).
browser:
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then echo "chromium and chromedriver are installed"; \
	else apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver; fi
