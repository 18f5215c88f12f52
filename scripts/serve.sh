#!/usr/bin/env bash
# Serves the playground on http://localhost:${PORT:-8080}/ with the COOP/COEP headers that
# make it cross-origin isolated (so the thread pool can start), building what it needs first:
# the two wasm builds (scripts/build-wasm.sh) and the playground (scripts/build-www.sh, only
# when a source is newer than www/dist).
#   PORT=9000 scripts/serve.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="$HOME/.cargo/bin:$PATH"
scripts/setup.sh serve
scripts/build-wasm.sh all
if [[ ! -f www/dist/index.html ]] || [[ -n $(find www/index.html www/src www/vite.config.js web/src web/dist package-lock.json \
  -newer www/dist/index.html -type f -print -quit) ]]; then
  scripts/build-www.sh
fi
exec node scripts/serve.mjs --root www/dist --port "${PORT:-8080}"
