//! Bad input on the command line fails with a clear message and a non-zero exit, never a panic.

use std::io::Write;

use aitbc_integration_tests::*;

#[test]
fn unknown_chain_is_a_clear_error() {
	let (status, _, stderr) = run_node_command(&["--chain", "no-such-chain", "--tmp"]);
	assert!(!status.success());
	assert!(stderr.contains("unknown chain 'no-such-chain'"), "stderr: {stderr}");
	assert!(stderr.contains("dev, local, testnet"), "stderr names the choices: {stderr}");
	assert!(!stderr.contains("panicked"), "stderr: {stderr}");
}

#[test]
fn malformed_chain_spec_is_a_clear_error() {
	let mut file = tempfile::NamedTempFile::new().expect("temp file");
	file.write_all(b"{ \"name\": \"broken\", \"id\": ").expect("write");
	let path = file.path().to_str().expect("utf8").to_string();
	let (status, _, stderr) = run_node_command(&["--chain", &path, "--tmp"]);
	assert!(!status.success());
	assert!(stderr.contains("invalid chain-spec file"), "stderr: {stderr}");
	assert!(stderr.contains(&path), "stderr names the file: {stderr}");
	assert!(!stderr.contains("panicked"), "stderr: {stderr}");
}
