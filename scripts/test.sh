#!/usr/bin/env bash
# Runs every test of numwasm, installing what is missing first (scripts/setup.sh):
#   1. native `cargo test` of the workspace;
#   2. `wasm-pack test --headless --chrome` of the crate, in Debian's Chromium;
#   3. the wasm builds (threads + simd) that the package ships;
#   4. Node tests of the npm package (web/test) and of its packed tarball (tests/node);
#   5. the playground's Vite build (www/dist);
#   6. Playwright end-to-end tests in Debian's Chromium (tests/e2e), the playground's included.
# Tests assert results, never timings; speed lives in scripts/bench.sh.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="$HOME/.cargo/bin:$PATH"

step() { printf '\n=== %s\n' "$*"; }
started=$SECONDS

step "setup"
scripts/setup.sh test

step "native cargo test"
cargo test --workspace

step "wasm-pack test --headless --chrome (simd build)"
# The simd flavour: the test runner does not start a thread pool, and the threads flavour
# needs std rebuilt with atomics. webdriver.json gives Chromium the flags this sandbox needs.
(
  cd crate
  RUSTFLAGS="-C target-feature=+simd128,+nontrapping-fptoint,+sign-ext,+bulk-memory,+mutable-globals" \
    CARGO_TARGET_DIR="$root/target/wasm-simd-test" CHROMEDRIVER=/usr/bin/chromedriver \
    wasm-pack test --headless --chrome --chromedriver /usr/bin/chromedriver
)

step "wasm builds (threads + simd)"
scripts/build-wasm.sh all

step "node tests of the npm package (source and packed tarball)"
node --expose-gc --test web/test/ tests/node/

step "playground build (www/dist)"
scripts/build-www.sh

step "browser end-to-end tests (Playwright, Debian Chromium)"
node --test --test-concurrency=1 tests/e2e/

printf '\nall tests passed in %ds\n' $((SECONDS - started))
