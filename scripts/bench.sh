#!/usr/bin/env bash
# The benchmark: builds what is needed, runs the expression workloads in headless Chromium
# through the npm package against hand-written JS loops (bench/run.mjs), times the same
# workloads with native NumPy, numexpr and Numba when Python is available (bench/native.py,
# in a virtual environment under target/, never a dependency of the product), and writes
# bench/results/{browser.json,native.json,REPORT.md,*.svg}.
#   scripts/bench.sh [--sizes 1e3,1e4,1e5,1e6,1e7] [--only poly,expab]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="$HOME/.cargo/bin:$PATH"

sizes=1e3,1e4,1e5,1e6,1e7
only=
while [[ $# -gt 0 ]]; do
  case $1 in
    --sizes) sizes=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    *) echo "bench.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

scripts/setup.sh test
scripts/build-wasm.sh all
rm -f bench/results/native.json
node bench/run.mjs --sizes "$sizes" ${only:+--only "$only"}

venv=target/bench-venv
if command -v python3 >/dev/null; then
  if [[ ! -x $venv/bin/python ]] || ! "$venv/bin/python" -c 'import numpy, numexpr, numba' 2>/dev/null; then
    python3 -m venv "$venv" && "$venv/bin/pip" install -q -r bench/requirements.txt ||
      echo "bench: could not install NumPy/numexpr/Numba; the report has no native column" >&2
  fi
  if "$venv/bin/python" -c 'import numpy' 2>/dev/null; then
    "$venv/bin/python" bench/native.py --sizes "$sizes" --threads "$(nproc)" ${only:+--only "$only"} --out bench/results/native.json
  fi
else
  echo "bench: no python3; the report has no native column" >&2
fi
node bench/report.mjs
