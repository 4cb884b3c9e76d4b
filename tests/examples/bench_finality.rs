//! Block time and finality lag on the four-authority testnet (`chain-specs/testnet.json`, four
//! nodes on loopback on this machine), as one node sees them.
//!
//! For `--blocks` new best blocks (default 300) it records when each arrived (the block time is
//! the gap between consecutive ones) and when each was finalized; the finality lag of a block is
//! the time from its arrival to its finalization, and in blocks, how far the best block was
//! ahead of the finalized one at each finality notification. Prints median, p95 and max.
//!
//! `cargo run --release -p aitbc-integration-tests --example bench_finality -- [--blocks N]`
//! (after `cargo build --release --workspace --bins`).

use std::{
	collections::BTreeMap,
	time::{Duration, Instant},
};

use aitbc_integration_tests::{network::*, *};
use jsonrpsee::core::client::SubscriptionClientT;
use serde_json::Value;

fn percentile(sorted: &[f64], p: f64) -> f64 {
	if sorted.is_empty() {
		return f64::NAN;
	}
	let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
	sorted[index]
}

fn summary(name: &str, mut values: Vec<f64>, unit: &str) {
	values.sort_by(|a, b| a.partial_cmp(b).expect("no NaN"));
	println!(
		"{name:34} median {:7.3} {unit}  p95 {:7.3} {unit}  max {:7.3} {unit}  (n = {})",
		percentile(&values, 0.5),
		percentile(&values, 0.95),
		values.last().copied().unwrap_or(f64::NAN),
		values.len()
	);
}

#[tokio::main]
async fn main() {
	let mut blocks = 300u64;
	let mut args = std::env::args().skip(1);
	while let Some(arg) = args.next() {
		match arg.as_str() {
			"--blocks" => blocks = args.next().and_then(|v| v.parse().ok()).expect("--blocks N"),
			other => panic!("unknown argument {other}"),
		}
	}
	let spec = repo_root().join("chain-specs").join("testnet.json");
	let (nodes, _) = start_authorities(&spec, 4).await;
	let rpcs = clients(&nodes).await;
	wait_for_peers(&nodes, &rpcs).await;
	let all: Vec<&Node> = nodes.iter().collect();
	// Past the start-up: everyone authoring and voting.
	wait_for_finalized(&all, &rpcs[0], 5, Duration::from_secs(90)).await;

	let rpc = &rpcs[0];
	let mut heads = rpc
		.subscribe::<Value, _>(
			"chain_subscribeNewHeads",
			rpc_params![],
			"chain_unsubscribeNewHeads",
		)
		.await
		.expect("new heads");
	let mut finalized_heads = rpc
		.subscribe::<Value, _>(
			"chain_subscribeFinalizedHeads",
			rpc_params![],
			"chain_unsubscribeFinalizedHeads",
		)
		.await
		.expect("finalized heads");
	let mut arrived: BTreeMap<u64, Instant> = BTreeMap::new();
	let mut finalized_at: BTreeMap<u64, Instant> = BTreeMap::new();
	let mut lag_blocks = Vec::new();
	let mut best = 0u64;
	let start = Instant::now();
	let first = best_number(rpc).await;
	while best < first + blocks {
		tokio::select! {
			Some(Ok(head)) = heads.next() => {
				let number = hex_number(&head["number"]);
				best = best.max(number);
				arrived.entry(number).or_insert_with(Instant::now);
			}
			Some(Ok(head)) = finalized_heads.next() => {
				let number = hex_number(&head["number"]);
				let now = Instant::now();
				// A justification finalizes every block up to it.
				let last = finalized_at.keys().next_back().copied().unwrap_or(number.saturating_sub(1));
				for n in last + 1..=number {
					finalized_at.insert(n, now);
				}
				lag_blocks.push(best.saturating_sub(number) as f64);
			}
			else => break,
		}
	}
	let elapsed = start.elapsed();
	let numbers: Vec<u64> = arrived.keys().copied().filter(|n| *n > first).collect();
	let block_times: Vec<f64> = numbers
		.windows(2)
		.filter(|w| w[1] == w[0] + 1)
		.map(|w| (arrived[&w[1]] - arrived[&w[0]]).as_secs_f64())
		.collect();
	let lag_seconds: Vec<f64> = numbers
		.iter()
		.filter_map(|n| Some((*finalized_at.get(n)? - arrived[n]).as_secs_f64()))
		.collect();
	println!(
		"four-authority testnet on this machine: {} blocks in {:.1} s ({:.3} s per block)",
		best - first,
		elapsed.as_secs_f64(),
		elapsed.as_secs_f64() / (best - first) as f64
	);
	summary("block time", block_times, "s");
	summary("finality lag (arrival to final)", lag_seconds, "s");
	summary("finality lag (best - finalized)", lag_blocks, "blocks");
}
