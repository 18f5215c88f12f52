#!/usr/bin/env bash
# Serves the playground on http://localhost:${PORT:-8080}/ with the COOP/COEP headers that
# make it cross-origin isolated (so the thread pool can start), building what it needs first.
#   PORT=9000 scripts/serve.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="$HOME/.cargo/bin:$PATH"
scripts/setup.sh serve
scripts/build-wasm.sh all
exec node scripts/serve.mjs --root . --home /www/ --port "${PORT:-8080}"
