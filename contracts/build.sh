#!/usr/bin/env bash
# Builds the example contracts for wasm32-unknown-unknown and copies the modules to
# contracts/wasm/ (or to the directory given with --out DIR).
#
# rustup cannot add the wasm32 target on these machines, so this uses Debian's toolchain:
#   apt-get install rustc-web cargo-web rust-web-src lld
# (Debian's rustc and cargo, the standard library's source, and wasm-ld), building `core` and
# `alloc` from source with -Zbuild-std. The result does not depend on where the repository is
# checked out (paths are remapped), so a rebuild is byte-identical to the modules in wasm/.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
out="$here/wasm"
if [ "${1:-}" = "--out" ]; then
  out="${2:?--out needs a directory}"
fi

for tool in /usr/bin/rustc /usr/bin/cargo /usr/bin/wasm-ld; do
  if ! [ -x "$tool" ]; then
    echo "error: $tool is missing; install Debian's wasm32 toolchain:" >&2
    echo "  apt-get install rustc-web cargo-web rust-web-src lld" >&2
    exit 2
  fi
done
if ! [ -d /usr/lib/rustlib/src/rust/library ]; then
  echo "error: the standard library's source is missing: apt-get install rust-web-src" >&2
  exit 2
fi

# Nothing from the caller's build may leak in (a cargo test runs this script).
unset CARGO_ENCODED_RUSTFLAGS CARGO_BUILD_RUSTFLAGS RUSTC_WRAPPER RUSTC_WORKSPACE_WRAPPER \
  CARGO_BUILD_TARGET CARGO_PROFILE_RELEASE_DEBUG CARGO_INCREMENTAL
export RUSTC=/usr/bin/rustc
export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR="${PHALANX_CONTRACTS_TARGET:-$here/target}"
# A 64 KiB stack (wasm-ld's default is 1 MiB of memory every call would start with), and no
# absolute path of this checkout in the module.
export RUSTFLAGS="-C linker=wasm-ld -C link-arg=-zstack-size=65536 --remap-path-prefix=$repo=/phalanx"

/usr/bin/cargo build --locked --release --target wasm32-unknown-unknown \
  -Zbuild-std=core,alloc --manifest-path "$here/Cargo.toml"

mkdir -p "$out"
for contract in counter auction signer; do
  cp "$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/$contract.wasm" "$out/$contract.wasm"
done
# The compiler they were built with: a rebuild is byte-identical only with the same one.
/usr/bin/rustc --version > "$out/TOOLCHAIN"
ls -l "$out"/*.wasm
