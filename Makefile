# The two commands: `make demo` runs the demo store, `make test` runs the whole suite.
# Both set up whatever they need first (venv, Python packages, Debian packages).
.PHONY: demo test setup

demo: setup
	.venv/bin/kassa demo

test: setup
	.venv/bin/python -m pytest -n auto

setup:
	bash scripts/bootstrap.sh
