//! Batch jobs with real processes: one batch served by two workers in parallel; one of them
//! killed mid-shard, its shard back in the queue after the deadline and served by the other;
//! `aitbc status --batch` and `aitbc fetch --batch` on the result.

use std::time::{Duration, Instant};

use aitbc_integration_tests::{market::*, run_binary, run_ok};
use serde_json::Value;

const COUNT: u64 = 6;

/// The job id of the last `claimed` line in a worker's JSON log.
fn last_claimed(log: &str) -> Option<u64> {
	log.lines().rev().find(|l| l.contains("\"message\":\"claimed\"")).and_then(|line| {
		let json: Value = serde_json::from_str(line).ok()?;
		json["fields"]["job_id"].as_u64().or_else(|| json["job_id"].as_u64())
	})
}

/// The `submit` arguments of the six test images (seeds 40…45, 50 steps at 256×256), then
/// `extra`.
fn six_images<'a>(extra: &[&'a str]) -> Vec<&'a str> {
	let mut args =
		vec!["--count", "6", "--seed", "40", "--steps", "50", "--width", "256", "--height", "256"];
	args.extend_from_slice(extra);
	args
}

fn batch_status(url: &str, batch_id: u64) -> Value {
	let out =
		run_ok("aitbc", &["--node", url, "--json", "status", &batch_id.to_string(), "--batch"]);
	serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {out}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_batch_is_served_by_two_workers_and_a_killed_workers_shard_by_the_other() {
	let (_node, url, client) = market().await;
	let home = tempfile::tempdir().unwrap();
	let (dir_a, dir_b) = (home.path().join("a"), home.path().join("b"));
	let provider_a: subxt::utils::AccountId32 = provision_worker(&url, &dir_a).parse().unwrap();
	let provider_b: subxt::utils::AccountId32 = provision_worker(&url, &dir_b).parse().unwrap();
	let worker_a = start_worker("worker-a", &dir_a);
	let mut worker_b = start_worker("worker-b", &dir_b);
	wait_log(&worker_a, "connected", Duration::from_secs(60)).await;
	wait_log(&worker_b, "connected", Duration::from_secs(60)).await;

	// Six images (50 steps at 256×256: seconds of CPU each, well within the deadline even with
	// two workers on two cores), free for the client (who
	// holds no AIT: a free batch within the quota is feeless), the default 30 s deadline.
	let submitted =
		submit_json(&url, "charlie", "a red square on a green background", &six_images(&[]));
	let batch_id = submitted["batch_id"].as_u64().unwrap();
	let first_job = submitted["first_job"].as_u64().unwrap();
	assert_eq!(submitted["count"], 6);
	assert_eq!(submitted["units"], 6 * 12_500, "the shards' units sum to the batch's");
	let shard_ids: Vec<u64> = submitted["shards"]
		.as_array()
		.unwrap()
		.iter()
		.map(|s| s["job_id"].as_u64().unwrap())
		.collect();
	assert_eq!(shard_ids, (first_job..first_job + COUNT).collect::<Vec<_>>());

	// Worker B serves a shard, claims a second (with capacity 1 it claims only once the first
	// is receipted) and is killed during its inference.
	let deadline = Instant::now() + Duration::from_secs(240);
	while worker_b.log().matches("\"message\":\"claimed\"").count() < 2 {
		assert!(
			Instant::now() < deadline,
			"worker B never claimed twice\n{}",
			tail(&worker_b.log(), 40)
		);
		tokio::time::sleep(Duration::from_millis(100)).await;
	}
	worker_b.kill();
	let dropped = last_claimed(&worker_b.log()).expect("the claimed shard's id in B's log");
	assert!((first_job..first_job + COUNT).contains(&dropped), "{dropped}");

	// Its shard goes back to the queue at its deadline and worker A serves it with the rest.
	let deadline = Instant::now() + Duration::from_secs(300);
	let view = loop {
		let view = client.batch(batch_id).await.unwrap();
		if view.progress.completed {
			break view;
		}
		assert!(
			Instant::now() < deadline,
			"batch not completed: {:?}\n--- a ---\n{}",
			view.progress,
			tail(&worker_a.log(), 40)
		);
		tokio::time::sleep(Duration::from_millis(500)).await;
	};
	let p = &view.progress;
	assert_eq!((p.finalized, p.unserved, p.count), (6, 0, 6), "every image served: {p:?}");
	let served_by = |who: &subxt::utils::AccountId32| {
		p.providers.iter().find(|(p, _)| p == who).map_or(0, |(_, n)| *n)
	};
	let (by_a, by_b) = (served_by(&provider_a), served_by(&provider_b));
	assert!(by_b >= 1 && by_a >= 1 && by_a + by_b == 6, "both served: A {by_a}, B {by_b}");
	let (_, dropped_job) = view.shards.iter().find(|(id, _)| *id == dropped).unwrap();
	assert_eq!(aitbc_client::state_name(&dropped_job.state), "Finalized");
	assert!(
		view.batch.receipts.0.iter().any(|r| r.job_id == dropped && r.provider == provider_a),
		"the shard B dropped was served by A"
	);
	assert_eq!(view.batch.receipts.0.len(), 6, "one record of the whole job lists every receipt");
	assert_eq!(client.provider(&provider_b).await.unwrap().expired, 1, "B's miss is recorded");

	// Each provider was minted exactly its shards' units at its price; nothing else exists.
	let mint = |shards: u32| u128::from(shards) * 12_500 * PRICE / 1_000;
	assert_eq!(client.balance(&provider_a).await.unwrap(), mint(by_a));
	assert_eq!(client.balance(&provider_b).await.unwrap(), mint(by_b));
	assert_eq!(client.total_issuance().await.unwrap(), mint(6));

	let status = batch_status(&url, batch_id);
	assert_eq!(
		(status["finalized"].as_u64(), status["completed"].as_bool()),
		(Some(6), Some(true))
	);
	assert_eq!(status["providers"].as_array().unwrap().len(), 2);
	let shard_seeds: Vec<u64> = view.shards.iter().map(|(_, job)| job.params.0.seed).collect();
	assert_eq!(shard_seeds, (40..46).collect::<Vec<_>>(), "image i has seed 40 + i");

	// A's images are fetched and verified; B's endpoint is down, which is said, not hidden.
	let out_dir = home.path().join("images");
	let (ok, stdout, stderr) = run_binary(
		"aitbc",
		&[
			"--node",
			&url,
			"fetch",
			&batch_id.to_string(),
			"--batch",
			"--out",
			out_dir.to_str().unwrap(),
		],
	);
	assert!(!ok, "B's images cannot be fetched:\n{stdout}");
	assert!(
		stderr.contains(&format!(
			"{by_b} of 6 served images of batch {batch_id} could not be fetched"
		)),
		"{stderr}"
	);
	assert_eq!(
		stdout.matches("sha256 verified against the receipt").count() as u32,
		by_a,
		"{stdout}"
	);
	let mut by_seed = std::collections::BTreeMap::new();
	for receipt in view.batch.receipts.0.iter().filter(|r| r.provider == provider_a) {
		let bytes = std::fs::read(out_dir.join(format!("job-{}.png", receipt.job_id))).unwrap();
		assert!(bytes.starts_with(b"\x89PNG"), "a PNG");
		let (_, job) = view.shards.iter().find(|(id, _)| *id == receipt.job_id).unwrap();
		by_seed.insert(job.params.0.seed, bytes);
	}

	// The same six images again, all in one shard: one job, one receipt (for their manifest),
	// minted for six images. Image i is the one seed 40 + i made above, byte for byte.
	let submitted = submit_json(
		&url,
		"charlie",
		"a red square on a green background",
		&six_images(&["--per-shard", "6", "--deadline", "60"]),
	);
	assert_eq!(
		(submitted["count"].as_u64(), submitted["shard_count"].as_u64()),
		(Some(6), Some(1))
	);
	let whole = submitted["batch_id"].as_u64().unwrap();
	let shard = submitted["first_job"].as_u64().unwrap();
	let deadline = Instant::now() + Duration::from_secs(300);
	while !client.batch(whole).await.unwrap().progress.completed {
		assert!(
			Instant::now() < deadline,
			"the one-shard batch did not complete\n{}",
			tail(&worker_a.log(), 40)
		);
		tokio::time::sleep(Duration::from_millis(500)).await;
	}
	let view = client.batch(whole).await.unwrap();
	assert_eq!(view.progress.finalized, 6, "six images served: {:?}", view.progress);
	assert_eq!(view.progress.providers, vec![(provider_a.clone(), 6)]);
	assert_eq!(view.batch.receipts.0.len(), 1, "one receipt for the whole shard");
	assert_eq!(client.balance(&provider_a).await.unwrap(), mint(by_a) + mint(6));
	assert_eq!(client.total_issuance().await.unwrap(), mint(12));
	let whole_dir = home.path().join("whole");
	let out = run_ok(
		"aitbc",
		&[
			"--node",
			&url,
			"fetch",
			&whole.to_string(),
			"--batch",
			"--out",
			whole_dir.to_str().unwrap(),
		],
	);
	assert_eq!(out.matches("sha256 verified against the receipt").count(), 6, "{out}");
	for index in 0..6u64 {
		let bytes = std::fs::read(whole_dir.join(format!("job-{shard}-{index}.png"))).unwrap();
		if let Some(earlier) = by_seed.get(&(40 + index)) {
			assert!(earlier == &bytes, "image {index} of the shard is seed {}'s image", 40 + index);
		}
	}
}
