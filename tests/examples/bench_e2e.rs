//! End-to-end figures of the job cycle on this machine: a dev node, `aitbc-worker start` with the
//! embedded model on CPU, free jobs submitted with the client library (20 steps, 256x256).
//!
//! 1. Latency: `--jobs` jobs one after another, one worker. For each: submitting (until the
//!    submission is finalized), waiting for the claim (queue + the claim's finalization),
//!    inference (the receipt's GPU time), the receipt's inclusion, and the challenge window until
//!    the mint is final; median and p95 of each.
//! 2. Throughput: `--jobs` jobs submitted at once by five clients, two workers: jobs per minute
//!    from the first submission to the last finalized mint.
//!
//! With `--audit-rate PCT` governance sets that audit rate first and both workers run from the
//! start (each audits the other's receipts); the latency table is then split into audited and
//! unaudited jobs. `--latency-only` skips the throughput part.
//!
//! `cargo run --release -p aitbc-integration-tests --example bench_e2e -- [--jobs N]
//!  [--audit-rate PCT] [--latency-only]` (after `cargo build --release --workspace --bins`).

use std::time::{Duration, Instant};

use aitbc_client::{dev_account, state_name, Client};
use aitbc_integration_tests::{market::*, Process};
use aitbc_primitives::{JobParams, Scheduler};

fn params(seed: u64) -> JobParams {
	JobParams {
		steps: 20,
		guidance_milli: 7_500,
		width: 256,
		height: 256,
		seed,
		scheduler: Scheduler::Ddim,
	}
}

/// Milliseconds of one job's phases.
#[derive(Default, Clone, Copy)]
struct Phases {
	submit: f64,
	claim_wait: f64,
	inference: f64,
	receipt: f64,
	finalize: f64,
	total: f64,
}

fn ms(d: Duration) -> f64 {
	d.as_secs_f64() * 1000.0
}

async fn submit(client: &Client, account: &str, seed: u64) -> u64 {
	let signer = dev_account(account).expect("dev account");
	let prompt = "a red circle on a blue background";
	client.submit_job(&signer, 0, prompt, params(seed), 1_000_000_000, 0, 30).await.expect("submit")
}

/// Polls the job until final; returns when each state was first seen.
async fn watch(
	client: &Client,
	job: u64,
	timeout: Duration,
) -> (Option<Instant>, Option<Instant>, Instant) {
	let deadline = Instant::now() + timeout;
	let (mut assigned, mut receipted) = (None, None);
	loop {
		let state = client.job(job).await.map(|j| state_name(&j.state)).unwrap_or("?");
		let now = Instant::now();
		match state {
			"Assigned" => {
				assigned.get_or_insert(now);
			},
			"Receipted" => {
				assigned.get_or_insert(now);
				receipted.get_or_insert(now);
			},
			"Finalized" => return (assigned, receipted, now),
			"Expired" | "Cancelled" | "Unclaimed" | "Rejected" => panic!("job {job} ended {state}"),
			_ => {},
		}
		assert!(now < deadline, "job {job} not final in {timeout:?}");
		tokio::time::sleep(Duration::from_millis(100)).await;
	}
}

fn percentile(values: &mut [f64], p: f64) -> f64 {
	values.sort_by(|a, b| a.total_cmp(b));
	let rank = ((p / 100.0) * (values.len() as f64 - 1.0)).round() as usize;
	values[rank.min(values.len() - 1)]
}

#[tokio::main]
async fn main() {
	let args: Vec<String> = std::env::args().collect();
	let number = |flag: &str, default: u64| {
		args.iter()
			.position(|a| a == flag)
			.and_then(|i| args.get(i + 1))
			.map(|n| n.parse().unwrap_or_else(|_| panic!("{flag} takes a whole number")))
			.unwrap_or(default)
	};
	let jobs = number("--jobs", 20);
	let audit_rate = number("--audit-rate", 0) as u32;
	let latency_only = args.iter().any(|a| a == "--latency-only");
	let (_node, url, client) = market().await;
	let home = tempfile::tempdir().expect("tempdir");
	let dirs = [home.path().join("w1"), home.path().join("w2")];
	for dir in &dirs {
		provision_worker(&url, dir);
	}
	let w1 = start_worker("w1", &dirs[0]);
	wait_log(&w1, "connected", Duration::from_secs(60)).await;
	let mut w2 = None;
	if audit_rate > 0 {
		let alice = dev_account("alice").expect("dev account");
		client.set_audit_params(&alice, audit_rate * 10_000_000, 0).await.expect("audit rate");
		let second = start_worker("w2", &dirs[1]);
		wait_log(&second, "registered as an auditor", Duration::from_secs(90)).await;
		wait_log(&w1, "registered as an auditor", Duration::from_secs(90)).await;
		while client.auditors(0).await.expect("auditors").len() < 2 {
			tokio::time::sleep(Duration::from_millis(500)).await;
		}
		w2 = Some(second);
	}

	let workers =
		if audit_rate > 0 { "two CPU workers auditing each other" } else { "one CPU worker" };
	println!(
		"latency: {jobs} jobs one after another, {workers}, audit rate {audit_rate} % (20 DDIM steps, 256x256, {} ms blocks, challenge window 5 blocks)",
		aitbc_runtime::time::MILLISECS_PER_BLOCK,
	);
	let mut phases = Vec::new();
	let mut audited = Vec::new();
	for i in 0..jobs {
		let t0 = Instant::now();
		let job = submit(&client, "charlie", i).await;
		let submitted = Instant::now();
		let (assigned, receipted, finalized) = watch(&client, job, Duration::from_secs(180)).await;
		let assigned = assigned.unwrap_or(finalized);
		let receipted = receipted.unwrap_or(finalized);
		let receipt = client.receipt(job).await.expect("receipt").expect("a receipt");
		let inference = receipt.receipt.gpu_ms as f64;
		audited.push(client.audit(job).await.expect("audit").is_some());
		phases.push(Phases {
			submit: ms(submitted - t0),
			claim_wait: ms(assigned - submitted),
			inference,
			receipt: (ms(receipted - assigned) - inference).max(0.0),
			finalize: ms(finalized - receipted),
			total: ms(finalized - t0),
		});
	}
	println!("{:34} {:>10} {:>10}", "phase (ms)", "median", "p95");
	let columns: [(&str, fn(&Phases) -> f64); 6] = [
		("submit (until finalized)", |p| p.submit),
		("wait for claim (queue + claim tx)", |p| p.claim_wait),
		("inference (receipt gpu_ms)", |p| p.inference),
		("receipt tx", |p| p.receipt),
		("challenge window + finality", |p| p.finalize),
		("total: submit to final mint", |p| p.total),
	];
	let audited_count = audited.iter().filter(|a| **a).count();
	println!("{audited_count} of {jobs} jobs audited");
	for (name, get) in columns {
		let mut values: Vec<f64> = phases.iter().map(get).collect();
		print!(
			"{name:34} {:>10.0} {:>10.0}",
			percentile(&mut values, 50.0),
			percentile(&mut values, 95.0)
		);
		if audited_count > 0 && audited_count < phases.len() {
			let split = |want: bool| {
				let mut v: Vec<f64> = phases
					.iter()
					.zip(&audited)
					.filter(|(_, a)| **a == want)
					.map(|(p, _)| get(p))
					.collect();
				percentile(&mut v, 50.0)
			};
			print!("   median audited {:>8.0}, not audited {:>8.0}", split(true), split(false));
		}
		println!();
	}
	let mut chain: Vec<f64> = phases.iter().map(|p| p.total - p.inference).collect();
	println!(
		"{:34} {:>10.0} {:>10.0}",
		"chain time (total - inference)",
		percentile(&mut chain, 50.0),
		percentile(&mut chain, 95.0)
	);

	if latency_only {
		return;
	}
	let w2 = match w2 {
		Some(w2) => w2,
		None => start_worker("w2", &dirs[1]),
	};
	wait_log(&w2, "connected", Duration::from_secs(60)).await;
	println!("\nthroughput: {jobs} jobs submitted at once by 5 clients, two CPU workers (capacity 1 each)");
	let first = client.job(0).await.is_ok().then_some(jobs).unwrap_or(0);
	let start = Instant::now();
	let mut tasks = Vec::new();
	let clients = ["charlie", "dave", "eve", "ferdie", "bob"];
	for (c, account) in clients.into_iter().enumerate() {
		let client = client.clone();
		let mine: Vec<u64> = (0..jobs).filter(|i| *i as usize % clients.len() == c).collect();
		tasks.push(tokio::spawn(async move {
			let mut ids = Vec::new();
			for i in mine {
				ids.push(submit(&client, account, 1_000 + i).await);
			}
			ids
		}));
	}
	let mut ids = Vec::new();
	for task in tasks {
		ids.extend(task.await.expect("submitter"));
	}
	let submitted = start.elapsed();
	for job in &ids {
		watch(&client, *job, Duration::from_secs(600)).await;
	}
	let elapsed = start.elapsed();
	let served = |w: &Process| w.log().matches("receipt accepted").count();
	println!(
		"{} jobs (ids from {first}) finalized in {:.1} s (all submitted after {:.1} s): {:.1} jobs/minute; w1 {} receipts in total, w2 {}",
		ids.len(),
		elapsed.as_secs_f64(),
		submitted.as_secs_f64(),
		ids.len() as f64 * 60.0 / elapsed.as_secs_f64(),
		served(&w1),
		served(&w2)
	);
}
