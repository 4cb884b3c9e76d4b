//! Batch speed-up and assignment latency of the compute hub, with real processes: a dev node and
//! `aitbc-worker start` with the embedded model on CPU (one thread each, capacity 1).
//!
//! For 1 and then 2 workers (each on a fresh dev chain), one free batch of `--count` images
//! (default 8) at 256×256 with `--steps` DDIM steps (default 50) is submitted with the client
//! library. Printed per run: the wall time from sending the submission to its last shard
//! receipted (and to the batch's completion: every shard finalized), who served how many, and
//! the latency of assignment: from the submission being final (when `submit_batch` returns) to
//! each shard first seen assigned (the hub reserved it, the worker claimed it and the claim is
//! final), polled every 50 ms as `bench_e2e` measures a single job's claim wait. Then the
//! speed-up of 2 workers over 1 (goal ≥ 1.8×).
//!
//! `cargo run --release -p aitbc-integration-tests --example bench_batch -- [--count N]
//!  [--per-shard K] [--steps S]` (after `cargo build --release --workspace --bins`).

use std::time::{Duration, Instant};

use aitbc_client::{dev_account, state_name};
use aitbc_integration_tests::market::*;
use aitbc_primitives::{JobParams, Scheduler};

/// What one run measured.
struct Run {
	workers: usize,
	to_receipted: Duration,
	to_completed: Duration,
	served: Vec<u32>,
	/// Sending the submission until it is final.
	submit: Duration,
	/// From then to each shard first seen assigned, in shard order.
	assigned_after: Vec<Duration>,
}

fn median_ms(values: &[Duration]) -> f64 {
	let mut ms: Vec<f64> = values.iter().map(|d| d.as_secs_f64() * 1000.0).collect();
	ms.sort_by(|a, b| a.total_cmp(b));
	ms.get(ms.len().saturating_sub(1) / 2).copied().unwrap_or(0.0)
}

async fn run(workers: usize, count: u32, per_shard: u32, steps: u32) -> Run {
	let (node, url, client) = market().await;
	let home = tempfile::tempdir().expect("tempdir");
	let mut processes = Vec::new();
	let mut providers = Vec::new();
	for w in 0..workers {
		let dir = home.path().join(format!("w{w}"));
		providers.push(provision_worker(&url, &dir));
		processes.push(start_worker(&format!("w{w}"), &dir));
	}
	for process in &processes {
		wait_log(process, "connected", Duration::from_secs(60)).await;
	}
	let signer = dev_account("charlie").expect("dev account");
	let params = JobParams {
		steps,
		guidance_milli: 7_500,
		width: 256,
		height: 256,
		seed: 7,
		scheduler: Scheduler::Ddim,
	};
	let start = Instant::now();
	let (batch_id, first_job) = client
		.submit_batch(
			&signer,
			0,
			"a red circle on a blue background",
			params,
			count,
			per_shard,
			1_000_000_000,
			0,
			// The chain asks at least 10 blocks per image of a shard.
			(10 * per_shard).max(60),
		)
		.await
		.expect("submit the batch");
	let submitted = Instant::now();
	let mut assigned_at: Vec<Option<Duration>> = vec![None; count.div_ceil(per_shard) as usize];
	let mut to_receipted = None;
	let deadline = start + Duration::from_secs(900);
	let to_completed = loop {
		let view = client.batch(batch_id).await.expect("the batch");
		let p = &view.progress;
		assert_eq!(p.unserved, 0, "a shard went unserved: {p:?}\n{}", tail(&node.log(), 20));
		for (job_id, job) in &view.shards {
			let at = &mut assigned_at[(job_id - first_job) as usize];
			if at.is_none() && state_name(&job.state) != "Pending" {
				*at = Some(submitted.elapsed());
			}
		}
		if to_receipted.is_none() && p.receipted + p.finalized == count {
			to_receipted = Some(start.elapsed());
		}
		if p.completed {
			break start.elapsed();
		}
		assert!(Instant::now() < deadline, "batch not completed in 900 s: {p:?}");
		tokio::time::sleep(Duration::from_millis(50)).await;
	};
	let view = client.batch(batch_id).await.expect("the batch");
	assert!(view.shards.iter().all(|(_, job)| state_name(&job.state) == "Finalized"));
	let served = providers
		.iter()
		.map(|who| {
			let who: subxt::utils::AccountId32 = who.parse().expect("an address");
			view.progress.providers.iter().find(|(p, _)| *p == who).map_or(0, |(_, n)| *n)
		})
		.collect();
	Run {
		workers,
		to_receipted: to_receipted.unwrap_or(to_completed),
		to_completed,
		served,
		submit: submitted - start,
		assigned_after: assigned_at.into_iter().map(|at| at.unwrap_or(to_completed)).collect(),
	}
}

#[tokio::main]
async fn main() {
	let args: Vec<String> = std::env::args().collect();
	let number = |flag: &str, default: u32| {
		args.iter()
			.position(|a| a == flag)
			.and_then(|i| args.get(i + 1))
			.map(|n| n.parse().unwrap_or_else(|_| panic!("{flag} takes a whole number")))
			.unwrap_or(default)
	};
	let (count, steps) = (number("--count", 8), number("--steps", 50));
	let per_shard = number("--per-shard", 1);
	let block_ms = aitbc_runtime::time::MILLISECS_PER_BLOCK;
	println!(
		"batch of {count} images ({per_shard} per shard), {steps} DDIM steps at 256x256, CPU \
		 workers (one thread, capacity 1 each), {block_ms} ms blocks"
	);
	let mut runs = Vec::new();
	for workers in [1, 2] {
		let r = run(workers, count, per_shard, steps).await;
		println!(
			"{} worker(s): submit to last shard receipted {:.1} s, to batch completed {:.1} s; \
			 images served by each {:?}",
			r.workers,
			r.to_receipted.as_secs_f64(),
			r.to_completed.as_secs_f64(),
			r.served
		);
		let first = &r.assigned_after[..workers.min(r.assigned_after.len())];
		println!(
			"  assignment: the submission final after {:.0} ms; then the first {workers} \
			 shard(s) (an idle worker each) assigned after {:.0} ms (median), every shard after \
			 {:.0} ms (median; later ones wait for a free worker)",
			r.submit.as_secs_f64() * 1000.0,
			median_ms(first),
			median_ms(&r.assigned_after),
		);
		runs.push(r);
	}
	let speedup = runs[0].to_receipted.as_secs_f64() / runs[1].to_receipted.as_secs_f64();
	println!(
		"speed-up of 2 workers over 1 (submit to last shard receipted): {speedup:.2}x (goal 1.8x)"
	);
}
