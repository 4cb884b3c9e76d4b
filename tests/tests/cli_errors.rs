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

#[test]
fn serving_an_unbuilt_web_app_says_how_to_build_it() {
	let empty = tempfile::tempdir().expect("temp dir");
	let (ok, _, stderr) = run_binary(
		"aitbc",
		&["web", "--dir", empty.path().to_str().unwrap(), "--listen", "127.0.0.1:0"],
	);
	assert!(!ok);
	assert!(stderr.contains("has no index.html"), "stderr: {stderr}");
	assert!(stderr.contains("npm --prefix web run build"), "stderr says how: {stderr}");
	assert!(!stderr.contains("panicked"), "stderr: {stderr}");
}

#[test]
fn serving_the_web_app_on_a_taken_port_says_so() {
	let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
	let addr = taken.local_addr().unwrap().to_string();
	let dist = repo_root().join("web/dist");
	if !dist.join("index.html").is_file() {
		panic!("{} is not built: run scripts/setup.sh", dist.display());
	}
	let (ok, _, stderr) =
		run_binary("aitbc", &["web", "--dir", dist.to_str().unwrap(), "--listen", &addr]);
	assert!(!ok);
	assert!(stderr.contains(&format!("cannot listen on {addr}")), "stderr: {stderr}");
	assert!(!stderr.contains("panicked"), "stderr: {stderr}");
}
