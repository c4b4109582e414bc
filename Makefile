PY ?= python3

.PHONY: setup demo test lint bench data

setup:          ## install the package (runtime only)
	$(PY) -m pip install -e .

demo: setup     ## install, then classify the bundled examples with the committed model
	cuishou classify examples/messages.jsonl -o results.jsonl && cat results.jsonl

test:           ## install dev extras (torch pinned to the local CPU wheel) and run lint + all tests
	$(PY) -m pip install -q -e ".[dev]"
	$(PY) -m ruff check .
	$(PY) -m pytest

bench:          ## throughput / latency benchmarks (ratios printed side by side)
	$(PY) bench/rules_throughput.py

data:           ## rebuild the dataset splits deterministically
	$(PY) datasets/build.py --stats
