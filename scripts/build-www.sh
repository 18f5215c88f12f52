#!/usr/bin/env bash
# Builds the playground (www/) with Vite into www/dist. It bundles the npm package from web/,
# so run scripts/build-wasm.sh all first (serve.sh and test.sh do).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
for f in web/dist/threads/numwasm_bg.wasm web/dist/simd/numwasm_bg.wasm; do
  [[ -f $f ]] || { echo "build-www.sh: $f is missing; run scripts/build-wasm.sh all first" >&2; exit 1; }
done
node_modules/.bin/vite build --config www/vite.config.js
echo "playground built into www/dist"
