# The single entry point; README.md and .ci/run use these targets.
PY ?= python3

.PHONY: help install dev test test-rust test-py bench lint fmt

help:  ## list targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*##/\t/'

install:  ## install oxytorch (release build) into the current Python
	$(PY) -m pip install .

dev:  ## editable dev build into .venv (fast incremental Rust builds)
	test -d .venv || $(PY) -m venv --system-site-packages .venv
	.venv/bin/python -m pip install -q maturin numpy pytest hypothesis
	. .venv/bin/activate && maturin develop

test:  ## install with test deps (torch, numpy, pytest, hypothesis), then run every test tier
	$(PY) -m pip install -e '.[test]'
	$(PY) -m pytest
	cargo test --lib

test-py:  ## python tests only, against the installed build
	$(PY) -m pytest

test-rust:  ## Rust unit tests
	cargo test --lib

bench:  ## side-by-side benchmarks vs torch and NumPy (release build)
	$(PY) -m pip install -q .
	$(PY) benches/bench.py

lint:  ## rustfmt, clippy and ruff
	cargo fmt --check
	cargo clippy --lib -- -D warnings
	$(PY) -m ruff check python tests benches

fmt:
	cargo fmt
	$(PY) -m ruff format python tests benches
