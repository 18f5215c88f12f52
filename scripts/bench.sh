#!/usr/bin/env bash
# The benchmark: builds what is needed, runs the expression workloads in headless Chromium
# through the npm package against hand-written JS loops (bench/run.mjs), times the same
# workloads with native NumPy, numexpr and Numba when Python is available (bench/native.py,
# in a virtual environment under target/, never a dependency of the product), then the same
# for the Numba-style seed kernels (on one thread; the parallel=True group at 1 and 2
# threads) (bench/kernels.mjs, bench/kernels_native.py), and the size sweep of the design
# brief's kernel workloads from 1e3 to 1e7 elements at 1..cores threads (--sweep of both),
# and writes bench/results/{browser.json,native.json,kernels-browser.json,
# kernels-native.json,kernels-sweep-*.json,REPORT.md,*.svg}.
#   scripts/bench.sh [--sizes 1e3,1e4,1e5,1e6,1e7] [--only poly,expab]
#                    [--kernels-only | --no-kernels] [--kernel-sizes small|ssum=1e6,band=1000,...]
#                    [--kernels ssum,band] [--kernel-sweep 1e3,...,1e7 | --no-kernel-sweep]
#                    [--no-build]
# --kernels-only skips the expression workloads (the report keeps their last results);
# --no-build measures the wasm already in web/dist instead of rebuilding it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="$HOME/.cargo/bin:$PATH"

sizes=1e3,1e4,1e5,1e6,1e7
only=
expressions=1
kernels=1
kernel_sizes=
kernel_only=
kernel_sweep=1e3,1e4,1e5,1e6,1e7
build=1
while [[ $# -gt 0 ]]; do
  case $1 in
    --sizes) sizes=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --kernels-only) expressions=0; shift ;;
    --no-kernels) kernels=0; shift ;;
    --kernel-sizes) kernel_sizes=$2; shift 2 ;;
    --kernels) kernel_only=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    --kernel-sweep) kernel_sweep=$2; shift 2 ;;
    --no-kernel-sweep) kernel_sweep=; shift ;;
    *) echo "bench.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

scripts/setup.sh test
if ((build)); then scripts/build-wasm.sh all; fi

# Makes the native contenders' environment when it is missing; fails when NumPy is not there.
venv=target/bench-venv
python_ready() {
  command -v python3 >/dev/null || { echo "bench: no python3; the report has no native column" >&2; return 1; }
  if [[ ! -x $venv/bin/python ]] || ! "$venv/bin/python" -c 'import numpy, numexpr, numba' 2>/dev/null; then
    python3 -m venv "$venv" && "$venv/bin/pip" install -q -r bench/requirements.txt ||
      echo "bench: could not install NumPy/numexpr/Numba; the report has no native column" >&2
  fi
  "$venv/bin/python" -c 'import numpy' 2>/dev/null
}

if ((expressions)); then
  rm -f bench/results/native.json
  node bench/run.mjs --sizes "$sizes" ${only:+--only "$only"}
  if python_ready; then
    "$venv/bin/python" bench/native.py --sizes "$sizes" --threads "$(nproc)" ${only:+--only "$only"} --out bench/results/native.json
  fi
fi

if ((kernels)); then
  rm -f bench/results/kernels-native.json
  node bench/kernels.mjs ${kernel_sizes:+--sizes "$kernel_sizes"} ${kernel_only:+--only "$kernel_only"}
  if python_ready && "$venv/bin/python" -c 'import numba' 2>/dev/null; then
    NUMBA_NUM_THREADS=1 "$venv/bin/python" bench/kernels_native.py ${kernel_sizes:+--sizes "$kernel_sizes"} \
      ${kernel_only:+--only "$kernel_only"} --out bench/results/kernels-native.json
  fi
  # The size sweep of the design brief's kernel workloads, at 1..cores threads.
  if [[ -n $kernel_sweep ]]; then
    threads=$(seq -s, 1 "$(nproc)")
    rm -f bench/results/kernels-sweep-native.json
    node bench/kernels.mjs --sweep "$kernel_sweep" --threads "$threads"
    if python_ready && "$venv/bin/python" -c 'import numba' 2>/dev/null; then
      "$venv/bin/python" bench/kernels_native.py --sweep "$kernel_sweep" --threads "$threads"
    fi
  fi
fi
node bench/report.mjs
