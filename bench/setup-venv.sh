#!/usr/bin/env bash
# Creates .venv-bench/ (git-ignored) with the reference tools. PyPI's torch is
# the CUDA build (about 3 GB) and runs on the CPU; this is done once per machine.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv-bench/bin/python ]; then python3 -m venv .venv-bench; fi
.venv-bench/bin/python -c "import torch, faiss, numpy, safetensors, pandas" 2>/dev/null && exit 0
.venv-bench/bin/pip install -q --upgrade pip
.venv-bench/bin/pip install -q torch numpy safetensors faiss-cpu scipy statsmodels pandas
