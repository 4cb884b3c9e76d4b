//! A market on a dev chain for process tests and benchmarks: the node, the embedded model registered, and
//! provisioned workers.

use std::{path::Path, time::Duration};

use crate::*;
use aitbc_client::Client;
use serde_json::Value;

/// Price per unit the test workers ask: 0.001 AIT = 10^9 of the smallest unit.
pub const PRICE: u128 = 1_000_000_000;

/// A dev chain with the embedded model registered.
pub async fn market() -> (Node, String, Client) {
	market_with(&["--dev", "--tmp"]).await
}

/// As [`market`], with the node started with `args`.
pub async fn market_with(args: &[&str]) -> (Node, String, Client) {
	let node = Node::start("alice", args);
	let _ = node.client().await;
	let url = node.url();
	let client = Client::connect(&url, Duration::from_secs(30)).await.unwrap();
	let out = run_ok(
		"aitbc-worker",
		&["add-model", "models/tiny-shapes", "--node", &url, "--governance", "alice"],
	);
	assert!(out.starts_with("model 0: tiny-shapes"), "{out}");
	(node, url, client)
}

/// `init` + governance approval + `register` of a worker folder with a generated provider key;
/// returns the provider's address.
pub fn provision_worker(url: &str, dir: &Path) -> String {
	let listen = format!("127.0.0.1:{}", free_port());
	provision_worker_with(url, dir, "0.001", &listen)
}

/// As [`provision_worker`], with the offer's price (AIT per unit) and the worker's HTTP address.
pub fn provision_worker_with(url: &str, dir: &Path, price: &str, listen: &str) -> String {
	let dir_arg = dir.to_str().unwrap();
	let out = run_ok(
		"aitbc-worker",
		&[
			"init",
			"--dir",
			dir_arg,
			"--node",
			url,
			"--device",
			"cpu",
			"--price",
			price,
			"--http-listen",
			listen,
		],
	);
	let provider = out
		.lines()
		.find_map(|l| l.strip_prefix("provider account "))
		.unwrap_or_else(|| panic!("no provider address in {out}"))
		.trim()
		.to_string();
	// Not approved yet: registering is refused with what to do.
	let (ok, _, stderr) = run_binary("aitbc-worker", &["register", "--config", dir_arg]);
	assert!(
		!ok && stderr.contains("not approved") && stderr.contains("approve-provider"),
		"{stderr}"
	);
	run_ok("aitbc", &["--node", url, "--account", "alice", "approve-provider", &provider]);
	let out = run_ok("aitbc-worker", &["register", "--config", dir_arg]);
	assert!(out.contains("models [0]"), "{out}");
	provider
}

pub fn start_worker(name: &str, dir: &Path) -> Process {
	Process::start(
		name,
		"aitbc-worker",
		&["--log-format", "json", "start", "--config", dir.to_str().unwrap(), "--threads", "1"],
	)
}

pub fn submit(url: &str, account: &str, prompt: &str, seed: u64) -> (u64, u64) {
	submit_priced(url, account, prompt, seed, "0.001")
}

/// Submits a job through the CLI with a price limit in AIT per unit; returns (job id, units).
pub fn submit_priced(
	url: &str,
	account: &str,
	prompt: &str,
	seed: u64,
	max_price: &str,
) -> (u64, u64) {
	let seed = seed.to_string();
	let out = run_ok(
		"aitbc",
		&[
			"--node",
			url,
			"--account",
			account,
			"--json",
			"submit",
			"--prompt",
			prompt,
			"--seed",
			&seed,
			"--max-price",
			max_price,
		],
	);
	let json: Value = serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {out}"));
	(json["job_id"].as_u64().unwrap(), json["units_milli"].as_u64().unwrap())
}

/// A receipt for `job` by `provider` naming `artifact_sha256`, described as the test workers
/// describe their runs (same execution echelon, so auditors compare bytes). Whether it tells
/// the truth is up to the caller.
pub async fn receipt_for(
	client: &Client,
	job: u64,
	units: u64,
	provider: &subxt::utils::AccountId32,
	worker_key: &subxt_signer::sr25519::Keypair,
	artifact_sha256: [u8; 32],
) -> aitbc_primitives::Receipt<subxt::utils::AccountId32> {
	let stored = client.job(job).await.unwrap();
	aitbc_primitives::Receipt {
		job_id: job,
		provider: provider.clone(),
		worker_key: aitbc_primitives::WorkerKey::Sr25519(worker_key.public_key().0),
		client: stored.client.clone(),
		model_id: 0,
		units,
		gpu_ms: 900,
		prompt_hash: aitbc_primitives::prompt_hash(&stored.prompt.0),
		params_hash: stored.params.0.hash(),
		artifact_sha256,
		started_at: 1,
		finished_at: 2,
		nonce: job,
		genesis_hash: client.genesis_hash(),
		execution: aitbc_primitives::ExecutionInfo {
			execution_provider: b"CPUExecutionProvider".to_vec().try_into().unwrap(),
			device: b"cpu".to_vec().try_into().unwrap(),
			runtime_version: b"onnxruntime 1.31.1 opt=all".to_vec().try_into().unwrap(),
		},
	}
}

/// Stores a `width` × `height` PNG of one `shade` in a content-addressed artifact folder as
/// `aitbc-worker` does (named by its sha256 in hex), for tests that play a provider's chain
/// side: the validators fetch and check the artifact its receipt names. Returns the sha256.
pub fn store_png(dir: &Path, width: u32, height: u32, shade: u8) -> [u8; 32] {
	let mut bytes = Vec::new();
	{
		let mut encoder = png::Encoder::new(&mut bytes, width, height);
		encoder.set_color(png::ColorType::Rgb);
		encoder.set_depth(png::BitDepth::Eight);
		let mut writer = encoder.write_header().expect("PNG header");
		writer.write_image_data(&vec![shade; (width * height * 3) as usize]).expect("PNG data");
	}
	let sha = sha256(&bytes);
	std::fs::create_dir_all(dir).expect("artifact folder");
	std::fs::write(dir.join(hex::encode(sha)), &bytes).expect("artifact written");
	sha
}

pub fn sha256(bytes: &[u8]) -> [u8; 32] {
	use sha2::Digest;
	sha2::Sha256::digest(bytes).into()
}

/// Submits a job through the CLI with extra `submit` arguments; returns (job id, units).
pub fn submit_with(url: &str, account: &str, prompt: &str, extra: &[&str]) -> (u64, u64) {
	let json = submit_json(url, account, prompt, extra);
	(json["job_id"].as_u64().unwrap(), json["units_milli"].as_u64().unwrap())
}

/// Submits a job (or with `--count`, a batch) through the CLI at a price limit of 0.001 AIT with
/// extra `submit` arguments; returns the CLI's JSON answer.
pub fn submit_json(url: &str, account: &str, prompt: &str, extra: &[&str]) -> Value {
	let mut args = vec![
		"--node",
		url,
		"--account",
		account,
		"--json",
		"submit",
		"--prompt",
		prompt,
		"--max-price",
		"0.001",
	];
	args.extend_from_slice(extra);
	let out = run_ok("aitbc", &args);
	serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {out}"))
}

/// Polls until `job_id` is final; returns the state's name. Panics with the processes' logs after
/// `timeout`.
pub async fn wait_final(
	client: &Client,
	job_id: u64,
	timeout: Duration,
	logs: &[&Process],
) -> String {
	let deadline = std::time::Instant::now() + timeout;
	loop {
		if let Ok(job) = client.job(job_id).await {
			if aitbc_client::is_final(&job.state) {
				return aitbc_client::state_name(&job.state).to_string();
			}
		}
		if std::time::Instant::now() > deadline {
			let logs: Vec<String> = logs
				.iter()
				.map(|p| format!("--- {} ---\n{}", p.name, tail(&p.log(), 40)))
				.collect();
			panic!("job {job_id} not final after {timeout:?}\n{}", logs.join("\n"));
		}
		tokio::time::sleep(Duration::from_millis(500)).await;
	}
}

/// The last `n` lines of `text`.
pub fn tail(text: &str, n: usize) -> String {
	let lines: Vec<&str> = text.lines().collect();
	lines[lines.len().saturating_sub(n)..].join("\n")
}

/// Waits until `process`'s log contains `needle`.
pub async fn wait_log(process: &Process, needle: &str, timeout: Duration) {
	let deadline = std::time::Instant::now() + timeout;
	while !process.log().contains(needle) {
		assert!(
			std::time::Instant::now() < deadline,
			"{} never logged {needle:?}\n{}",
			process.name,
			tail(&process.log(), 40)
		);
		tokio::time::sleep(Duration::from_millis(100)).await;
	}
}

/// Waits until something accepts connections on `address` (at most 30 s).
pub async fn wait_http(address: &str) {
	for _ in 0..120 {
		if tokio::net::TcpStream::connect(address).await.is_ok() {
			return;
		}
		tokio::time::sleep(Duration::from_millis(250)).await;
	}
	panic!("nothing listens on {address}");
}

/// A stock `aitbc-worker serve` on `listen` (the embedded model on the CPU): the health and
/// artifact endpoints of a provider whose chain side a test plays itself.
pub async fn serve_endpoint(listen: &str, artifacts: &Path) -> Process {
	let server = Process::start(
		"endpoint",
		"aitbc-worker",
		&[
			"serve",
			"--device",
			"cpu",
			"--threads",
			"1",
			"--listen",
			listen,
			"--api-key",
			"unused-by-the-chain",
			"--artifacts",
			artifacts.to_str().expect("utf8"),
		],
	);
	wait_http(listen).await;
	server
}

/// Waits until model 0 has `count` auditors (registrations count in best blocks; the client
/// reads finalized ones).
pub async fn wait_auditors(client: &Client, count: usize) {
	for _ in 0..120 {
		if client.auditors(0).await.unwrap().len() == count {
			return;
		}
		tokio::time::sleep(Duration::from_millis(500)).await;
	}
	panic!("the model never had {count} auditors: {:?}", client.auditors(0).await.unwrap());
}
