//! The product end to end, with real processes on loopback: an `aitbc-node --dev`, an
//! `aitbc-worker` in chain mode with the embedded model on CPU, and the `aitbc` CLI as the client.

use std::{path::Path, time::Duration};

use aitbc_client::{account_of, keys::read_key_file, sign_receipt, Client, ClientError};
use aitbc_integration_tests::*;
use serde_json::Value;

/// Price per unit the test workers ask: 0.001 AIT = 10^9 of the smallest unit.
const PRICE: u128 = 1_000_000_000;

/// A dev chain with the embedded model registered.
async fn market() -> (Node, String, Client) {
	let node = Node::start("alice", &["--dev", "--tmp"]);
	let _ = node.client().await;
	let url = format!("ws://127.0.0.1:{}", node.rpc_port);
	let client = Client::connect(&url, Duration::from_secs(30)).await.unwrap();
	let out = run_ok("aitbc-worker", &["add-model", "models/tiny-shapes", "--node", &url, "--governance", "alice"]);
	assert!(out.starts_with("model 0: tiny-shapes"), "{out}");
	(node, url, client)
}

/// `init` + governance approval + `register` of a worker folder with a generated provider key;
/// returns the provider's address.
fn provision_worker(url: &str, dir: &Path) -> String {
	let port = free_port().to_string();
	let dir_arg = dir.to_str().unwrap();
	let out = run_ok(
		"aitbc-worker",
		&["init", "--dir", dir_arg, "--node", url, "--device", "cpu", "--price", "0.001", "--http-listen", &format!("127.0.0.1:{port}")],
	);
	let provider = out
		.lines()
		.find_map(|l| l.strip_prefix("provider account "))
		.unwrap_or_else(|| panic!("no provider address in {out}"))
		.trim()
		.to_string();
	// Not approved yet: registering is refused with what to do.
	let (ok, _, stderr) = run_binary("aitbc-worker", &["register", "--config", dir_arg]);
	assert!(!ok && stderr.contains("not approved") && stderr.contains("approve-provider"), "{stderr}");
	run_ok("aitbc", &["--node", url, "--account", "alice", "approve-provider", &provider]);
	let out = run_ok("aitbc-worker", &["register", "--config", dir_arg]);
	assert!(out.contains("models [0]"), "{out}");
	provider
}

fn start_worker(name: &str, dir: &Path) -> Process {
	Process::start(name, "aitbc-worker", &["--log-format", "json", "start", "--config", dir.to_str().unwrap(), "--threads", "1"])
}

fn submit(url: &str, account: &str, prompt: &str, seed: u64) -> (u64, u64) {
	let seed = seed.to_string();
	let out = run_ok(
		"aitbc",
		&["--node", url, "--account", account, "--json", "submit", "--prompt", prompt, "--seed", &seed, "--max-price", "0.001"],
	);
	let json: Value = serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {out}"));
	(json["job_id"].as_u64().unwrap(), json["units_milli"].as_u64().unwrap())
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
	use sha2::Digest;
	sha2::Sha256::digest(bytes).into()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_job_goes_from_submission_to_minted_tokens_and_hostile_receipts_are_refused() {
	let (node, url, client) = market().await;
	let home = tempfile::tempdir().unwrap();
	let worker_dir = home.path().join("worker");
	let provider = provision_worker(&url, &worker_dir);
	let provider_id: subxt::utils::AccountId32 = provider.parse().unwrap();
	let mut worker = start_worker("worker", &worker_dir);

	// The client (no AIT: a free job is feeless) submits and follows the job to the end.
	let (job_id, units) = submit(&url, "charlie", "a red circle on a blue background", 1);
	assert_eq!(units, 5_000, "20 steps at 256x256 with weight 1 are 5 units");
	let job_arg = job_id.to_string();
	let follow_url = url.clone();
	let follow = tokio::task::spawn_blocking(move || {
		run_ok("aitbc", &["--node", &follow_url, "--json", "status", &job_arg, "--follow"])
	});
	let lines = tokio::time::timeout(Duration::from_secs(180), follow)
		.await
		.unwrap_or_else(|_| panic!("job not final in 180 s\n--- worker ---\n{}", worker.log()))
		.unwrap();
	let states: Vec<String> = lines
		.lines()
		.map(|l| serde_json::from_str::<Value>(l).unwrap()["state"].as_str().unwrap().to_string())
		.collect();
	assert_eq!(states, ["Pending", "Assigned", "Receipted", "Finalized"], "{lines}\n{}", worker.log());

	// Exactly units × price was minted, to the provider, and nothing else exists.
	let minted = u128::from(units) * PRICE / 1_000;
	assert_eq!(minted, 5_000_000_000);
	assert_eq!(client.balance(&provider_id).await.unwrap(), minted);
	assert_eq!(client.total_issuance().await.unwrap(), minted);
	let stored = client.receipt(job_id).await.unwrap().expect("a receipt");
	assert_eq!(stored.minted, Some(minted));
	assert_eq!(stored.receipt.0.units, 5_000);
	assert_eq!(stored.receipt.0.provider, provider_id);

	// The image comes from the provider's endpoint and matches the receipt.
	let out_png = home.path().join("job.png");
	run_ok("aitbc", &["--node", &url, "fetch", &job_id.to_string(), "--out", out_png.to_str().unwrap()]);
	let png = std::fs::read(&out_png).unwrap();
	assert_eq!(sha256(&png), stored.receipt.0.artifact_sha256);
	assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
	assert_eq!(u32::from_be_bytes(png[16..20].try_into().unwrap()), 256, "width");
	// The CLI shows the same receipt.
	let listed: Value =
		serde_json::from_str(&run_ok("aitbc", &["--node", &url, "--json", "receipts", "--provider", &provider])).unwrap();
	assert_eq!(listed[0]["job_id"], job_id);
	assert_eq!(listed[0]["minted"], minted.to_string());

	// Hostile input, by hand with the worker's own keys (the worker is stopped first).
	assert!(worker.interrupt(Duration::from_secs(30)).is_some_and(|s| s.success()), "{}", worker.log());
	let provider_key = read_key_file(&worker_dir.join("provider.key")).unwrap();
	let worker_key = read_key_file(&worker_dir.join("worker.key")).unwrap();
	assert_eq!(account_of(&provider_key), provider_id);
	let burned_before = client.total_issuance().await.unwrap();

	// 1. The accepted receipt, signed again and replayed.
	let replay = stored.receipt.0.clone();
	let err = client.submit_receipt(&provider_key, replay.clone(), sign_receipt(&worker_key, &replay)).await.unwrap_err();
	assert!(err.to_string().contains("ReceiptReplayed"), "{err}");

	// 2. A new job claimed by hand, then a receipt signed by a key the provider never registered.
	let (job2, _) = submit(&url, "charlie", "a green square on a black background", 2);
	client.claim_job(&provider_key, job2).await.unwrap();
	let mut forged = replay.clone();
	forged.job_id = job2;
	let stranger = aitbc_client::keypair_from(&aitbc_client::keys::generate_secret()).unwrap();
	forged.worker_key = aitbc_primitives::WorkerKey::Sr25519(stranger.public_key().0);
	let err = client.submit_receipt(&provider_key, forged.clone(), sign_receipt(&stranger, &forged)).await.unwrap_err();
	assert!(err.to_string().contains("UnregisteredWorkerKey"), "{err}");

	// 3. A claim on the job that is already assigned.
	let err = client.claim_job(&provider_key, job2).await.unwrap_err();
	assert!(err.to_string().contains("NotPending"), "{err}");
	assert!(matches!(err, ClientError::Dispatch(_)), "{err}");

	// None of it minted anything; the refused transactions paid fees, which were burned.
	let issuance = client.total_issuance().await.unwrap();
	assert!(issuance < burned_before, "fees of failed calls are burned");
	assert_eq!(client.receipt(job2).await.unwrap().map(|r| r.hash), None);
	assert_eq!(aitbc_client::state_name(&client.job(job2).await.unwrap().state), "Assigned");
	drop(node);
}
