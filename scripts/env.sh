# Sourced by the project's scripts: the shared build settings.
#
# CARGO_TARGET_DIR lives outside the checkout so fresh clones (CI) reuse the compiled SDK.
# When rustup has no wasm target, the runtime is built with the `aitbc-wasm` toolchain that
# scripts/setup.sh prepared (Debian's Rust with a bitcode-enabled core/alloc).
[ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/aitbc/target}"
if ! rustup target list --installed 2>/dev/null | grep -qE '^wasm32(v1-none|-unknown-unknown)$' \
  && rustup toolchain list 2>/dev/null | grep -q '^aitbc-wasm'; then
  export WASM_BUILD_TOOLCHAIN="${WASM_BUILD_TOOLCHAIN:-aitbc-wasm}"
  # Rust 1.96 no longer passes --allow-undefined to wasm-ld; the runtime imports its host
  # functions, which the linker would otherwise report as undefined symbols.
  export WASM_BUILD_RUSTFLAGS="${WASM_BUILD_RUSTFLAGS:--C link-arg=--allow-undefined}"
fi
# The target dir is outside the checkout, so tell the wasm builder where Cargo.lock is: the
# runtime's wasm is then built with exactly the locked dependency versions.
export WASM_BUILD_WORKSPACE_HINT="${WASM_BUILD_WORKSPACE_HINT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
