# The README's two commands: `make demo` (install, then generate a grid from a
# bundled preset, offline) and
# `make test` (install, then the suite on TensorFlow, JAX and PyTorch).
SHELL := /bin/bash
PYTHON ?= python3
SUDO := $(shell [ "$$(id -u)" != 0 ] && command -v sudo >/dev/null && echo sudo)
BACKENDS ?= tensorflow jax torch
DEMO_DIR ?= runs/demo

.PHONY: install demo test

install:
	@if [ ! -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || \
		! dpkg -s libcairo2 >/dev/null 2>&1 || ! dpkg -s chromium >/dev/null 2>&1; then \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq dataset-fashion-mnist libcairo2 chromium; \
	fi
	$(PYTHON) -m pip install -q -e ".[test]"
	$(PYTHON) -m pip install -q --no-deps gan-face-generate==1.1.1
	@npm_prefix=$${KGAN_HOME:-$$HOME/.cache/kgan}/npm; \
	if [ ! -f $$npm_prefix/node_modules/emoji-datasource-google/emoji.json ]; then \
		npm install --no-audit --no-fund --prefix $$npm_prefix emoji-datasource-google@16.0.0; \
	fi; \
	if [ ! -f $$npm_prefix/node_modules/facesjs/build/index.js ]; then \
		npm install --no-audit --no-fund --prefix $$npm_prefix facesjs@5.0.3; \
	fi; \
	if [ ! -f $$npm_prefix/node_modules/openmoji/data/openmoji.json ]; then \
		npm install --no-audit --no-fund --prefix $$npm_prefix openmoji@17.0.0; \
	fi

demo: install
	KERAS_BACKEND=$${KERAS_BACKEND:-tensorflow} kgan generate dcgan_fashion_mnist \
		-n 64 --seed 0 -o $(DEMO_DIR)/grid.png

test: install
	@set -e; for backend in $(BACKENDS); do \
		echo "== KERAS_BACKEND=$$backend pytest"; \
		KERAS_BACKEND=$$backend $(PYTHON) -m pytest -p no:cacheprovider; \
	done
