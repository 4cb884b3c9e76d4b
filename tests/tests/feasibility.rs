//! "Why no provider": `aitbc submit` asks the chain (the `feasibility` runtime API) before it
//! signs, refuses a job no live provider could take with what to change, submits it anyway with
//! `--force`, and `aitbc status` shows a pending job's place in the queue. The hub reserves the
//! job for the one provider, which (no worker runs) never claims it: the reservation lapses, the
//! provider is marked offline and new jobs are refused with that reason, until a heartbeat brings
//! it back and the hub reserves the job for it again.

use aitbc_client::{account_of, keys::read_key_file, ClientError};
use aitbc_integration_tests::market::*;
use aitbc_integration_tests::*;
use serde_json::Value;
use std::time::Duration;

fn aitbc(url: &str, args: &[&str]) -> (bool, String, String) {
	let mut all = vec!["--node", url, "--account", "charlie"];
	all.extend_from_slice(args);
	run_binary("aitbc", &all)
}

fn json(out: &str) -> Value {
	serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {out}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn submit_refuses_a_job_no_provider_could_take_and_says_what_to_change() {
	let (_node, url, client) = market().await;
	let refused = |args: &[&str]| {
		let (ok, stdout, stderr) =
			aitbc(&url, &[&["submit", "--prompt", "a red circle"], args].concat());
		assert!(!ok, "refused: {stdout}");
		assert!(stderr.contains("no provider could take this job"), "{stderr}");
		assert!(stderr.contains("--force"), "says how to submit anyway: {stderr}");
		assert!(!stderr.contains("panicked"), "{stderr}");
		stderr
	};

	// No provider at all.
	let stderr = refused(&["--max-price", "0.001"]);
	assert!(stderr.contains("no eligible provider serves model 0"), "{stderr}");
	assert!(matches!(client.job(0).await, Err(ClientError::JobNotFound(0))), "nothing submitted");

	// One provider at 0.001 AIT per unit (registering is its sign of life; no worker runs).
	let home = tempfile::tempdir().unwrap();
	let dir = home.path().join("worker");
	let provider = provision_worker(&url, &dir);
	let stderr = refused(&["--max-price", "0.0005"]);
	assert!(stderr.contains("the cheapest asks 0.001 AIT"), "names the price to offer: {stderr}");
	assert!(stderr.contains("raise --max-price"), "{stderr}");

	// The provider says its GPU runs at most 128×128 images.
	let provider_key = read_key_file(&dir.join("provider.key")).unwrap();
	let mut offer = client.provider(&account_of(&provider_key)).await.unwrap().offer.unwrap();
	offer.max_pixels = 128 * 128;
	client.update_offer(&provider_key, &offer).await.unwrap();
	let stderr = refused(&["--max-price", "0.001", "--width", "256", "--height", "256"]);
	assert!(stderr.contains("runs 256×256 images"), "{stderr}");
	assert!(stderr.contains("the largest any of them runs is 16384"), "{stderr}");
	assert!(matches!(client.job(0).await, Err(ClientError::JobNotFound(0))), "nothing submitted");

	// A job it can take: the answer comes with the job, and the job is first in the queue.
	let (ok, out, stderr) = aitbc(
		&url,
		&[
			"--json",
			"submit",
			"--prompt",
			"a red circle",
			"--max-price",
			"0.001",
			"--width",
			"128",
			"--height",
			"128",
		],
	);
	assert!(ok, "{stderr}");
	let submitted = json(&out);
	let feasibility = &submitted["feasibility"];
	assert_eq!(
		(&feasibility["serving"], &feasibility["live"], &feasibility["able"], &feasibility["free"]),
		(&Value::from(1), &Value::from(1), &Value::from(1), &Value::from(1)),
		"{submitted}"
	);
	assert_eq!(feasibility["blocker"], Value::Null);
	assert_eq!(feasibility["pending_ahead"], Value::from(0));
	let first = submitted["job_id"].as_u64().unwrap();

	// --force submits a job that would be refused; it queues behind the first.
	let (ok, out, stderr) = aitbc(
		&url,
		&["--json", "submit", "--prompt", "a blue square", "--max-price", "0.0005", "--force"],
	);
	assert!(ok, "{stderr}");
	let forced = json(&out);
	assert_eq!(forced["feasibility"]["blocker"], Value::from("AllAbovePrice"), "{forced}");
	assert_eq!(forced["feasibility"]["pending_ahead"], Value::from(1), "{forced}");
	let second = forced["job_id"].as_u64().unwrap();
	for (job, position) in [(first, 0), (second, 1)] {
		let (ok, out, stderr) = aitbc(&url, &["--json", "status", &job.to_string()]);
		assert!(ok, "{stderr}");
		assert_eq!(json(&out)["queue_position"], Value::from(position), "{out}");
	}
	let (ok, out, _) = aitbc(&url, &["status", &second.to_string()]);
	assert!(ok && out.contains("1 job(s) ahead of it in the queue"), "{out}");

	// The hub reserved the first job for the provider in its block; nobody claims it, so the
	// reservation lapses 5 blocks later and the provider counts as offline.
	let provider_id = account_of(&provider_key);
	wait_for("the provider marked offline", Duration::from_secs(60), &[&_node], || async {
		client.provider(&provider_id).await.ok().filter(|p| p.offline)
	})
	.await;
	let listed = json(&aitbc(&url, &["--json", "providers"]).1);
	let entry = listed.as_array().unwrap().iter().find(|p| p["account"] == provider.as_str());
	let entry = entry.unwrap_or_else(|| panic!("{provider} in {listed}"));
	assert_eq!(
		(&entry["live"], &entry["offline"], &entry["max_pixels"]),
		(&Value::from(false), &Value::from(true), &Value::from(16_384)),
		"{entry}"
	);
	let status = json(&aitbc(&url, &["--json", "status", &first.to_string()]).1);
	assert_eq!(
		(&status["state"], &status["reserved_for"], &status["queue_position"]),
		(&Value::from("Pending"), &Value::Null, &Value::from(0)),
		"still first in the queue, reserved for nobody: {status}"
	);
	let stderr = refused(&["--max-price", "0.001", "--width", "128", "--height", "128"]);
	assert!(stderr.contains("none has shown a sign of life"), "{stderr}");

	// A heartbeat (due at once for a provider marked offline, and feeless) brings it back, and
	// the hub reserves the job for it again.
	let balance = client.balance(&provider_id).await.unwrap();
	client.heartbeat(&provider_key).await.unwrap();
	assert_eq!(client.balance(&provider_id).await.unwrap(), balance, "no fee paid");
	let reserved =
		wait_for("the job reserved again", Duration::from_secs(30), &[&_node], || async {
			let status = json(&aitbc(&url, &["--json", "status", &first.to_string()]).1);
			(status["reserved_for"] != Value::Null).then_some(status)
		})
		.await;
	assert_eq!(reserved["reserved_for"]["provider"], Value::from(provider.as_str()), "{reserved}");
	assert!(client.provider(&provider_id).await.unwrap().live);
	let (ok, out, _) = aitbc(&url, &["status", &first.to_string()]);
	assert!(ok && out.contains(&format!("reserved for {provider} until block")), "{out}");
}
