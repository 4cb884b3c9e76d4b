//! The metadata the `aitbc` client is generated from (client/metadata/aitbc.scale) is the
//! runtime's current metadata; when a pallet changes, this fails until the file is regenerated.

#[test]
fn the_client_metadata_is_the_runtimes() {
	let fresh = aitbc_integration_tests::runtime_metadata();
	let checked_in = include_bytes!("../../client/metadata/aitbc.scale");
	assert!(
		fresh.as_slice() == checked_in.as_slice(),
		"client/metadata/aitbc.scale is stale ({} bytes, runtime has {}): run scripts/gen-metadata.sh",
		checked_in.len(),
		fresh.len()
	);
}
