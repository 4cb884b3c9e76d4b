//! Helpers for AITBC integration tests: start real `aitbc-node` processes on loopback with free
//! ports and temporary directories, talk to them over JSON-RPC, and stop them with signals.
//!
//! The node binary is the one built next to these tests (`$CARGO_TARGET_DIR/<profile>/aitbc-node`),
//! or `$AITBC_NODE` when set. Every node's output goes to a log file in its own temp dir, which is
//! printed when a test fails while waiting for a condition.

use std::{
	net::TcpListener,
	path::{Path, PathBuf},
	process::{Child, Command, ExitStatus, Stdio},
	time::{Duration, Instant},
};

use jsonrpsee::{
	core::{client::ClientT, params::ArrayParams},
	ws_client::{WsClient, WsClientBuilder},
};
use serde_json::Value;

pub use jsonrpsee::rpc_params;

pub mod market;
pub mod network;

/// The repository root (chain-specs/ lives there).
pub fn repo_root() -> PathBuf {
	Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ has a parent").to_path_buf()
}

/// Path of the `aitbc-node` binary under test.
pub fn node_binary() -> PathBuf {
	if let Some(path) = std::env::var_os("AITBC_NODE") {
		return PathBuf::from(path);
	}
	binary("aitbc-node")
}

/// Path of a workspace binary (`aitbc-node`, `aitbc-worker`, `aitbc`) built next to the tests.
pub fn binary(name: &str) -> PathBuf {
	// Test binaries live in <target>/<profile>/deps/; the workspace's binaries in <target>/<profile>/.
	let exe = std::env::current_exe().expect("current_exe");
	let profile_dir = exe.parent().and_then(Path::parent).expect("target/<profile>");
	let path = profile_dir.join(name);
	assert!(
		path.is_file(),
		"{} not found: build the workspace's binaries first (`cargo build --release --workspace --bins`)",
		path.display()
	);
	path
}

/// Runs a workspace binary to completion; returns (success, stdout, stderr).
pub fn run_binary(name: &str, args: &[&str]) -> (bool, String, String) {
	let output = Command::new(binary(name))
		.args(args)
		.current_dir(repo_root())
		.stdin(Stdio::null())
		.output()
		.unwrap_or_else(|e| panic!("run {name}: {e}"));
	(
		output.status.success(),
		String::from_utf8_lossy(&output.stdout).into_owned(),
		String::from_utf8_lossy(&output.stderr).into_owned(),
	)
}

/// Runs a workspace binary and returns its stdout, panicking with its output if it fails.
pub fn run_ok(name: &str, args: &[&str]) -> String {
	let (ok, stdout, stderr) = run_binary(name, args);
	assert!(ok, "{name} {args:?} failed\n--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}");
	stdout
}

/// A long-running workspace process (e.g. `aitbc-worker start`) logging to a file; killed when
/// dropped.
pub struct Process {
	pub name: String,
	program: PathBuf,
	args: Vec<String>,
	child: Option<Child>,
	pub log_path: PathBuf,
	_log_dir: tempfile::TempDir,
}

impl Process {
	/// Starts `binary(program)` with `args` in the repository root.
	pub fn start(name: &str, program: &str, args: &[&str]) -> Process {
		let log_dir = tempfile::tempdir().expect("tempdir");
		let mut process = Process {
			name: name.to_string(),
			program: binary(program),
			args: args.iter().map(|s| s.to_string()).collect(),
			child: None,
			log_path: log_dir.path().join(format!("{name}.log")),
			_log_dir: log_dir,
		};
		process.spawn();
		process
	}

	fn spawn(&mut self) {
		let log = std::fs::OpenOptions::new()
			.create(true)
			.append(true)
			.open(&self.log_path)
			.expect("open log");
		let child = Command::new(&self.program)
			.args(&self.args)
			.current_dir(repo_root())
			.stdin(Stdio::null())
			.stdout(log.try_clone().expect("dup log"))
			.stderr(log)
			.spawn()
			.unwrap_or_else(|e| panic!("spawn {}: {e}", self.program.display()));
		self.child = Some(child);
	}

	/// The output so far.
	pub fn log(&self) -> String {
		std::fs::read_to_string(&self.log_path).unwrap_or_default()
	}

	/// Kills the process with SIGKILL (no chance to clean up) and reaps it.
	pub fn kill(&mut self) {
		if let Some(mut child) = self.child.take() {
			let _ = child.kill();
			let _ = child.wait();
		}
	}

	/// Sends SIGINT and waits up to `timeout` for the exit status.
	pub fn interrupt(&mut self, timeout: Duration) -> Option<ExitStatus> {
		interrupt_child(self.child.take()?, timeout)
	}

	/// Starts the process again with the same arguments (appending to the same log).
	pub fn restart(&mut self) {
		assert!(self.child.is_none(), "{} is still running", self.name);
		self.spawn();
	}
}

impl Drop for Process {
	fn drop(&mut self) {
		self.kill();
	}
}

/// Sends SIGINT to `child` and waits up to `timeout` for its exit status (killing it after that).
fn interrupt_child(mut child: Child, timeout: Duration) -> Option<ExitStatus> {
	// SAFETY: plain kill(2) on a child we spawned and have not reaped.
	unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
	let deadline = Instant::now() + timeout;
	loop {
		if let Some(status) = child.try_wait().expect("try_wait") {
			return Some(status);
		}
		if Instant::now() > deadline {
			let _ = child.kill();
			let _ = child.wait();
			return None;
		}
		std::thread::sleep(Duration::from_millis(50));
	}
}

/// A TCP port on 127.0.0.1 that was free a moment ago.
pub fn free_port() -> u16 {
	TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

/// A running `aitbc-node` process, killed when dropped.
pub struct Node {
	pub name: String,
	child: Option<Child>,
	pub rpc_port: u16,
	pub p2p_port: u16,
	pub prometheus_port: u16,
	pub log_path: PathBuf,
	args: Vec<String>,
	_log_dir: tempfile::TempDir,
}

impl Node {
	/// Starts a node with `args` plus loopback-only ports, no mDNS and no telemetry.
	pub fn start(name: &str, args: &[&str]) -> Node {
		let log_dir = tempfile::tempdir().expect("tempdir");
		let mut node = Node {
			name: name.to_string(),
			child: None,
			rpc_port: free_port(),
			p2p_port: free_port(),
			prometheus_port: free_port(),
			log_path: log_dir.path().join(format!("{name}.log")),
			args: args.iter().map(|s| s.to_string()).collect(),
			_log_dir: log_dir,
		};
		node.spawn();
		node
	}

	fn spawn(&mut self) {
		let log = std::fs::OpenOptions::new()
			.create(true)
			.append(true)
			.open(&self.log_path)
			.expect("open log");
		let child = Command::new(node_binary())
			.args(&self.args)
			.args([
				"--rpc-port",
				&self.rpc_port.to_string(),
				"--prometheus-port",
				&self.prometheus_port.to_string(),
				"--listen-addr",
				&format!("/ip4/127.0.0.1/tcp/{}", self.p2p_port),
				"--no-mdns",
				"--no-telemetry",
			])
			.stdin(Stdio::null())
			.stdout(log.try_clone().expect("dup log"))
			.stderr(log)
			.spawn()
			.expect("spawn aitbc-node");
		self.child = Some(child);
	}

	/// OS process id, while running.
	pub fn pid(&self) -> Option<u32> {
		self.child.as_ref().map(|c| c.id())
	}

	/// Whether the process is alive (not exited, not a zombie).
	pub fn is_running(&self) -> bool {
		let Some(pid) = self.pid() else { return false };
		std::fs::read_to_string(format!("/proc/{pid}/stat"))
			.map(|stat| {
				// The state follows the parenthesised command name.
				stat.rsplit_once(')').map_or(false, |(_, rest)| !rest.trim_start().starts_with('Z'))
			})
			.unwrap_or(false)
	}

	/// The node's log so far.
	pub fn log(&self) -> String {
		std::fs::read_to_string(&self.log_path).unwrap_or_default()
	}

	/// Sends SIGINT (Ctrl-C) and waits up to `timeout` for the process to exit.
	pub fn interrupt(&mut self, timeout: Duration) -> Option<ExitStatus> {
		interrupt_child(self.child.take()?, timeout)
	}

	/// Starts the process again with the same arguments and ports.
	pub fn restart(&mut self) {
		assert!(self.child.is_none(), "{} is still running", self.name);
		self.spawn();
	}

	/// A JSON-RPC client, waiting up to 60 s for the server to come up.
	pub async fn client(&self) -> WsClient {
		let url = format!("ws://127.0.0.1:{}", self.rpc_port);
		let deadline = Instant::now() + Duration::from_secs(60);
		loop {
			match WsClientBuilder::default().build(&url).await {
				Ok(client) => return client,
				Err(_) if Instant::now() < deadline && self.is_running() => {
					tokio::time::sleep(Duration::from_millis(200)).await;
				},
				Err(e) => {
					panic!("{}: RPC never came up: {e}\n--- log ---\n{}", self.name, self.log())
				},
			}
		}
	}
}

impl Drop for Node {
	fn drop(&mut self) {
		if let Some(mut child) = self.child.take() {
			let _ = child.kill();
			let _ = child.wait();
		}
	}
}

/// Calls `method` and returns its JSON result.
pub async fn call(client: &WsClient, method: &str, params: ArrayParams) -> Value {
	client
		.request::<Value, _>(method, params)
		.await
		.unwrap_or_else(|e| panic!("RPC {method} failed: {e}"))
}

/// Parses a hex block number (`"0x1a"`) as returned in headers.
pub fn hex_number(value: &Value) -> u64 {
	let s = value.as_str().expect("hex string");
	u64::from_str_radix(s.trim_start_matches("0x"), 16).expect("hex number")
}

/// Best block number.
pub async fn best_number(client: &WsClient) -> u64 {
	let header = call(client, "chain_getHeader", rpc_params![]).await;
	hex_number(&header["number"])
}

/// Finalized block number and hash.
pub async fn finalized(client: &WsClient) -> (u64, String) {
	let hash = call(client, "chain_getFinalizedHead", rpc_params![]).await;
	let header = call(client, "chain_getHeader", rpc_params![hash.clone()]).await;
	(hex_number(&header["number"]), hash.as_str().expect("hash").to_string())
}

/// Hash of the block at `number` on the node's best chain, if it has one.
pub async fn block_hash(client: &WsClient, number: u64) -> Option<String> {
	let hash = call(client, "chain_getBlockHash", rpc_params![number]).await;
	hash.as_str().map(str::to_string)
}

/// Polls `check` every 250 ms until it returns `Some`, panicking with `what` and the nodes'
/// logs after `timeout`.
pub async fn wait_for<T, F, Fut>(what: &str, timeout: Duration, nodes: &[&Node], mut check: F) -> T
where
	F: FnMut() -> Fut,
	Fut: std::future::Future<Output = Option<T>>,
{
	let deadline = Instant::now() + timeout;
	loop {
		if let Some(value) = check().await {
			return value;
		}
		if Instant::now() > deadline {
			let logs: Vec<String> = nodes
				.iter()
				.map(|n| {
					let log = n.log();
					let tail: Vec<&str> = log.lines().rev().take(40).collect();
					format!(
						"--- {} (last 40 lines) ---\n{}",
						n.name,
						tail.into_iter().rev().collect::<Vec<_>>().join("\n")
					)
				})
				.collect();
			panic!("timed out after {timeout:?} waiting for {what}\n{}", logs.join("\n"));
		}
		tokio::time::sleep(Duration::from_millis(250)).await;
	}
}

/// Storage key of a plain `StorageValue`: twox128(pallet) ++ twox128(item).
pub fn storage_value_key(pallet: &str, item: &str) -> String {
	let mut key = sp_crypto_hashing::twox_128(pallet.as_bytes()).to_vec();
	key.extend_from_slice(&sp_crypto_hashing::twox_128(item.as_bytes()));
	format!("0x{}", hex::encode(key))
}

/// Decodes a SCALE little-endian u128 from a `0x…` storage value.
pub fn decode_u128(value: &Value) -> Option<u128> {
	let bytes = hex::decode(value.as_str()?.trim_start_matches("0x")).ok()?;
	let arr: [u8; 16] = bytes.try_into().ok()?;
	Some(u128::from_le_bytes(arr))
}

/// The Aura slot in a header's pre-runtime digest (`PreRuntime(*b"aura", slot.encode())`).
pub fn aura_slot(header: &Value) -> Option<u64> {
	header["digest"]["logs"].as_array()?.iter().find_map(|log| {
		let bytes = hex::decode(log.as_str()?.trim_start_matches("0x")).ok()?;
		// DigestItem::PreRuntime = 6, engine id, compact length 8 (0x20), u64 slot.
		if bytes.len() == 1 + 4 + 1 + 8
			&& bytes[0] == 6
			&& &bytes[1..5] == b"aura"
			&& bytes[5] == 0x20
		{
			Some(u64::from_le_bytes(bytes[6..14].try_into().ok()?))
		} else {
			None
		}
	})
}

/// Runs `aitbc-node` with `args` to completion and returns (status, stdout, stderr).
pub fn run_node_command(args: &[&str]) -> (ExitStatus, String, String) {
	let output = Command::new(node_binary())
		.args(args)
		.stdin(Stdio::null())
		.output()
		.expect("run aitbc-node");
	(
		output.status,
		String::from_utf8_lossy(&output.stdout).into_owned(),
		String::from_utf8_lossy(&output.stderr).into_owned(),
	)
}

/// The runtime's metadata as the `aitbc` client is generated from it: V16, SCALE-encoded
/// `RuntimeMetadataPrefixed`, from the native runtime.
pub fn runtime_metadata() -> Vec<u8> {
	aitbc_runtime::Runtime::metadata_at_version(16)
		.expect("the runtime offers metadata V16")
		.to_vec()
}

/// Runs `node --test FILE` (Node.js's test runner, TAP output) in `dir` with `env`; panics with
/// its output unless every test passed, and returns its standard output.
pub async fn node_test(
	dir: PathBuf,
	file: &'static str,
	env: Vec<(&'static str, String)>,
) -> String {
	let output = tokio::task::spawn_blocking(move || {
		Command::new("node")
			.args(["--test", file])
			.current_dir(&dir)
			.envs(env)
			.output()
			.expect("run node (Node.js 18 or later; scripts/setup.sh installs it)")
	})
	.await
	.expect("the node test task");
	let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
	let stderr = String::from_utf8_lossy(&output.stderr);
	assert!(
		output.status.success(),
		"`node --test {file}` failed\n--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}"
	);
	stdout
}
