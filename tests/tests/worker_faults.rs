//! Chain-mode faults with real processes: the worker killed in the middle of a job, and the node
//! restarted under a running worker. Nothing is lost and nothing is minted twice.

use std::time::Duration;

use aitbc_integration_tests::market::*;

#[tokio::test(flavor = "multi_thread")]
async fn a_worker_killed_mid_job_resumes_it_after_restart_and_is_paid_once() {
	let (_node, url, client) = market().await;
	let home = tempfile::tempdir().unwrap();
	let dir = home.path().join("worker");
	let provider: subxt::utils::AccountId32 = provision_worker(&url, &dir).parse().unwrap();
	let mut worker = start_worker("worker", &dir);
	wait_log(&worker, "connected", Duration::from_secs(60)).await;

	// A long job (100 steps at 512x512: seconds of CPU), so the kill lands during inference.
	let (job, units) = submit_with(
		&url,
		"charlie",
		"a blue circle on a yellow background",
		// A deadline long enough for the kill, the restart and a full re-run on a loaded
		// machine: this test is about resuming, not about the deadline (30 s was too close).
		&["--steps", "100", "--width", "512", "--height", "512", "--deadline", "120"],
	);
	assert_eq!(units, 100_000);
	wait_log(&worker, "\"message\":\"claimed\"", Duration::from_secs(120)).await;
	worker.kill();
	let log = worker.log();
	assert!(!log.contains("image ready"), "the kill should land before the image is ready:\n{log}");
	let journal = std::fs::read_to_string(dir.join(format!("state/jobs/{job}.json")))
		.expect("the claim is journalled");
	assert!(journal.contains("claiming"), "{journal}");
	// The claim counted in a best block; the finalized state catches up within seconds.
	for _ in 0..60 {
		if aitbc_client::state_name(&client.job(job).await.unwrap().state) != "Pending" {
			break;
		}
		tokio::time::sleep(Duration::from_millis(500)).await;
	}
	assert_eq!(aitbc_client::state_name(&client.job(job).await.unwrap().state), "Assigned");

	worker.restart();
	let state = wait_final(&client, job, Duration::from_secs(240), &[&worker]).await;
	assert_eq!(state, "Finalized");
	assert!(worker.log().contains("resuming an assigned job"), "{}", tail(&worker.log(), 30));
	let mint = u128::from(units) * PRICE / 1_000;
	assert_eq!(client.balance(&provider).await.unwrap(), mint, "paid exactly once");
	assert_eq!(client.total_issuance().await.unwrap(), mint);
	assert_eq!(client.receipted_jobs(&provider).await.unwrap(), vec![job]);
	assert_eq!(std::fs::read_dir(dir.join("state/jobs")).unwrap().count(), 0, "journal cleared");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_worker_reconnects_after_a_node_restart_and_keeps_working() {
	let base = tempfile::tempdir().unwrap();
	let (mut node, url, client) =
		market_with(&["--dev", "--base-path", base.path().to_str().unwrap()]).await;
	let home = tempfile::tempdir().unwrap();
	let dir = home.path().join("worker");
	let provider: subxt::utils::AccountId32 = provision_worker(&url, &dir).parse().unwrap();
	let worker = start_worker("worker", &dir);

	let (first, units) = submit(&url, "charlie", "a red square on a green background", 1);
	assert_eq!(wait_final(&client, first, Duration::from_secs(180), &[&worker]).await, "Finalized");

	// The node goes away for a while, then comes back on the same ports and database.
	assert!(node.interrupt(Duration::from_secs(30)).is_some(), "node stopped");
	wait_log(&worker, "node unreachable", Duration::from_secs(60)).await;
	node.restart();
	let _ = node.client().await;
	let client = aitbc_client::Client::connect(&url, Duration::from_secs(60)).await.unwrap();
	let (second, _) = submit(&url, "charlie", "a yellow triangle on a blue background", 2);
	assert_eq!(
		wait_final(&client, second, Duration::from_secs(240), &[&worker]).await,
		"Finalized"
	);

	let mint = u128::from(units) * PRICE / 1_000;
	assert_eq!(client.balance(&provider).await.unwrap(), 2 * mint);
	assert_eq!(client.total_issuance().await.unwrap(), 2 * mint);
	assert_eq!(client.receipted_jobs(&provider).await.unwrap(), vec![first, second]);
}
