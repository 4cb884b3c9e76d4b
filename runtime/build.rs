//! Builds the runtime's wasm blob (`WASM_BINARY`) with substrate-wasm-builder.
//!
//! On machines whose rustup has no wasm target, `scripts/env.sh` points
//! `WASM_BUILD_TOOLCHAIN` at the toolchain prepared by `scripts/setup.sh`.

#[cfg(feature = "std")]
fn main() {
	substrate_wasm_builder::WasmBuilder::build_using_defaults();
}

/// The wasm build itself compiles this crate without `std`; nothing to do then.
#[cfg(not(feature = "std"))]
fn main() {}
