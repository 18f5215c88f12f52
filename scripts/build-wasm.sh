#!/usr/bin/env bash
# Builds the two wasm flavours of the crate into web/dist/:
#   threads/  atomics + shared memory + simd128, std rebuilt with atomics (-Z build-std);
#             for cross-origin isolated pages, with a rayon pool over web workers.
#   simd/     simd128 only, prebuilt std; for Node and for pages that are not isolated.
# Each flavour has its own target dir, so switching between them never rebuilds the other.
# Usage: scripts/build-wasm.sh [threads|simd|all] [--debug]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

which=${1:-all}
profile=release
[[ ${2:-} == --debug ]] && profile=debug
cargo_profile=(--release)
[[ $profile == debug ]] && cargo_profile=()

bindgen() { # flavour
  local flavour=$1 wasm="target/wasm-$1/wasm32-unknown-unknown/$profile/numwasm.wasm"
  local out="web/dist/$flavour"
  rm -rf "$out.tmp" && mkdir -p "$out.tmp"
  wasm-bindgen "$wasm" --target web --out-dir "$out.tmp" --out-name numwasm
  rm -rf "$out" && mv "$out.tmp" "$out"
  echo "built $out ($(du -k "$out/numwasm_bg.wasm" | cut -f1) KiB)"
}

if [[ $which == threads || $which == all ]]; then
  # Flags come from .cargo/config.toml ([target.wasm32-unknown-unknown]).
  CARGO_TARGET_DIR=target/wasm-threads cargo build -p numwasm --lib --target wasm32-unknown-unknown \
    "${cargo_profile[@]}" --features threads -Z build-std=panic_abort,std
  bindgen threads
fi

if [[ $which == simd || $which == all ]]; then
  # RUSTFLAGS replaces the config's threads flags entirely.
  RUSTFLAGS="-C target-feature=+simd128,+nontrapping-fptoint,+sign-ext,+bulk-memory,+mutable-globals" \
    CARGO_TARGET_DIR=target/wasm-simd cargo build -p numwasm --lib --target wasm32-unknown-unknown \
    "${cargo_profile[@]}"
  bindgen simd
fi
