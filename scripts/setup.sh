#!/usr/bin/env bash
# Installs what numwasm's commands need on a fresh machine, and skips what is already there
# (a second run takes seconds). Used by scripts/serve.sh, scripts/test.sh and scripts/bench.sh.
#
#   scripts/setup.sh [serve|test]     (default: test, which needs everything)
#
# What it installs: the pinned Rust toolchain of rust-toolchain.toml (with rust-src and the
# wasm32 target), wasm-bindgen-cli at exactly the Cargo.lock version, wasm-pack, Debian's
# chromium + chromium-driver (tests only), and the npm packages of package-lock.json.
# If something cannot be installed it stops, naming the tool and the command that failed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
purpose=${1:-test}

WASM_PACK_VERSION=0.15.1

say() { printf 'setup: %s\n' "$*"; }

# run TOOL CMD...: runs CMD, and on failure stops with a message naming TOOL and CMD.
run() {
  local tool=$1
  shift
  say "installing $tool: $*"
  if ! "$@"; then
    printf 'setup: FAILED to install %s; this command failed:\n  %s\n' "$tool" "$*" >&2
    exit 1
  fi
}

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else "$@"; fi
}

# --- Rust: the toolchain pinned in rust-toolchain.toml --------------------------------
if ! command -v rustup >/dev/null; then
  printf 'setup: FAILED: rustup is not installed; install it (https://rustup.rs) and rerun\n' >&2
  exit 1
fi
channel=$(sed -n 's/^channel *= *"\(.*\)"/\1/p' rust-toolchain.toml)
if ! rustup run "$channel" rustc --print target-list >/dev/null 2>&1 ||
  ! rustup component list --toolchain "$channel" --installed 2>/dev/null | grep -q '^rust-src' ||
  ! rustup target list --toolchain "$channel" --installed 2>/dev/null | grep -q '^wasm32-unknown-unknown$'; then
  run "Rust $channel" rustup toolchain install "$channel" --profile minimal \
    --component rust-src,rustfmt,clippy --target wasm32-unknown-unknown
else
  say "Rust $channel with rust-src and wasm32: present"
fi

# --- wasm-bindgen-cli at the Cargo.lock version ----------------------------------------
# wasm-pack only uses a wasm-bindgen on PATH whose version equals the locked one. It is
# built with the default toolchain (from /), not the pinned nightly, and without --locked
# (one of its locked dependencies is missing from the registry).
wb_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [[ -z $wb_version ]]; then
  printf 'setup: FAILED: no wasm-bindgen version in Cargo.lock\n' >&2
  exit 1
fi
export PATH="$HOME/.cargo/bin:$PATH"
if [[ $(wasm-bindgen --version 2>/dev/null) == "wasm-bindgen $wb_version" ]]; then
  say "wasm-bindgen-cli $wb_version: present"
else
  run "wasm-bindgen-cli $wb_version" bash -c "cd / && cargo install wasm-bindgen-cli --version $wb_version --force"
fi

# --- wasm-pack (tests: wasm-pack test --headless --chrome) ------------------------------
if [[ $purpose == test ]]; then
  if [[ $(wasm-pack --version 2>/dev/null) == "wasm-pack $WASM_PACK_VERSION" ]]; then
    say "wasm-pack $WASM_PACK_VERSION: present"
  else
    run "wasm-pack $WASM_PACK_VERSION" bash -c "cd / && cargo install wasm-pack --version $WASM_PACK_VERSION --force"
  fi
fi

# --- Debian's Chromium and ChromeDriver (tests) -----------------------------------------
if [[ $purpose == test ]]; then
  if [[ -x /usr/bin/chromium && -x /usr/bin/chromedriver ]]; then
    say "chromium + chromium-driver: present"
  else
    run "apt package lists" as_root apt-get update -qq
    run "chromium + chromium-driver" as_root env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -qq chromium chromium-driver
  fi
fi

# --- npm packages from the committed lockfile -------------------------------------------
if ! command -v npm >/dev/null; then
  printf 'setup: FAILED: node and npm are not installed (apt-get install nodejs npm)\n' >&2
  exit 1
fi
# npm ci writes node_modules/.package-lock.json; if it is newer than the lockfile, the
# installed tree is the locked one.
if [[ node_modules/.package-lock.json -nt package-lock.json ]]; then
  say "npm packages: present"
else
  run "npm packages" npm ci --no-audit --no-fund --loglevel=error
fi

say "ready ($purpose)"
