//! Writes the runtime's metadata (V16, SCALE-encoded `RuntimeMetadataPrefixed`) to the path given,
//! for the subxt client's code generation: `scripts/gen-metadata.sh` calls it, and
//! `tests/tests/metadata.rs` fails when the checked-in file is stale.

fn main() {
	let path = std::env::args().nth(1).unwrap_or_else(|| "client/metadata/aitbc.scale".into());
	let metadata = aitbc_integration_tests::runtime_metadata();
	std::fs::write(&path, &metadata).unwrap_or_else(|e| panic!("writing {path}: {e}"));
	println!("wrote {path} ({} bytes)", metadata.len());
}
