//! Multi-node networks on loopback, started from the committed chain specs:
//! - `chain-specs/local.json` (Alice, Bob, Charlie): peering, authoring in turn, identical
//!   finalized blocks, liveness with one node down, catch-up after restart;
//! - `chain-specs/testnet.json` (four authorities): finality keeps advancing with one node down.
//!
//! GRANDPA needs votes from more than two thirds of the authority weight, so three equal
//! authorities cannot finalize with one of them stopped (n = 3 tolerates f = 0 faults); four
//! tolerate one. The local test therefore checks that authoring continues without Charlie and
//! that finality catches up once he is back; the testnet test checks finality with one node down.

use std::time::{Duration, Instant};

use aitbc_integration_tests::{network::*, *};

/// Starts one authority per dev key on the committed `chain-specs/<spec>`.
async fn start_network(spec: &str, count: usize) -> Vec<Node> {
	start_authorities(&repo_root().join("chain-specs").join(spec), count).await.0
}

#[tokio::test(flavor = "multi_thread")]
async fn three_node_local_testnet() {
	let mut nodes = start_network("local.json", 3).await;
	let clients = clients(&nodes).await;
	wait_for_peers(&nodes, &clients).await;
	let all: Vec<&Node> = nodes.iter().collect();

	// Authoring in turn: over a run of blocks, each of the three authorities' slots
	// (slot mod 3) produced blocks. Measure block and finality times while at it.
	let start = Instant::now();
	let first_best = best_number(&clients[0]).await;
	let (first_final, _) = finalized(&clients[0]).await;
	let target = first_best + 9;
	wait_for("9 more blocks", Duration::from_secs(90), &all, || async {
		(best_number(&clients[0]).await >= target).then_some(())
	})
	.await;
	let elapsed = start.elapsed();
	let (last_final, _) = finalized(&clients[0]).await;
	let best = best_number(&clients[0]).await;
	eprintln!(
		"local testnet: {} blocks in {:.1} s ({:.2} s/block); finality lag {} blocks",
		best - first_best,
		elapsed.as_secs_f64(),
		elapsed.as_secs_f64() / (best - first_best) as f64,
		best.saturating_sub(last_final)
	);
	assert!(last_final > first_final, "finality advanced while all three run");
	let mut authors = std::collections::BTreeSet::new();
	for number in 1..=best {
		let hash = block_hash(&clients[0], number).await.expect("hash");
		let header = call(&clients[0], "chain_getHeader", rpc_params![hash]).await;
		authors.insert(aura_slot(&header).expect("aura pre-digest") % 3);
	}
	assert_eq!(authors.len(), 3, "authority indices seen: {authors:?}");

	// Everyone finalizes the same blocks.
	let finalized_number =
		wait_for_finalized(&all, &clients[2], last_final, Duration::from_secs(30)).await;
	let _ = finalized_number;
	let reference = block_hash(&clients[0], last_final).await;
	for rpc in &clients[1..] {
		wait_for_finalized(&all, rpc, last_final, Duration::from_secs(30)).await;
		assert_eq!(block_hash(rpc, last_final).await, reference, "same finalized block");
	}

	// Charlie stops: Alice and Bob keep authoring.
	let status = nodes[2].interrupt(Duration::from_secs(10)).expect("charlie exits on SIGINT");
	assert!(status.success());
	let (final_while_down, _) = finalized(&clients[0]).await;
	let best_at_stop = best_number(&clients[0]).await;
	let alive = [&nodes[0], &nodes[1]];
	wait_for("blocks without Charlie", Duration::from_secs(60), &alive, || async {
		(best_number(&clients[0]).await >= best_at_stop + 3).then_some(())
	})
	.await;

	// Charlie comes back, catches up with the others, and finality advances again.
	nodes[2].restart();
	let charlie = nodes[2].client().await;
	let target_best = best_number(&clients[0]).await;
	let all: Vec<&Node> = nodes.iter().collect();
	wait_for("Charlie catching up", Duration::from_secs(60), &all, || async {
		(best_number(&charlie).await >= target_best).then_some(())
	})
	.await;
	let resumed = wait_for_finalized(
		&all,
		&clients[0],
		final_while_down.max(best_at_stop) + 2,
		Duration::from_secs(90),
	)
	.await;
	wait_for_finalized(&all, &charlie, resumed, Duration::from_secs(60)).await;
	assert_eq!(block_hash(&charlie, resumed).await, block_hash(&clients[0], resumed).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn four_authority_testnet_finalizes_with_one_node_down() {
	let mut nodes = start_network("testnet.json", 4).await;
	let clients = clients(&nodes).await;
	wait_for_peers(&nodes, &clients).await;
	let all: Vec<&Node> = nodes.iter().collect();
	wait_for_finalized(&all, &clients[0], 3, Duration::from_secs(90)).await;

	let status = nodes[3].interrupt(Duration::from_secs(10)).expect("dave exits on SIGINT");
	assert!(status.success());
	let (final_at_stop, _) = finalized(&clients[0]).await;
	let alive: Vec<&Node> = nodes[..3].iter().collect();
	let advanced =
		wait_for_finalized(&alive, &clients[0], final_at_stop + 3, Duration::from_secs(90)).await;
	for rpc in &clients[1..3] {
		wait_for_finalized(&alive, rpc, advanced, Duration::from_secs(30)).await;
		assert_eq!(block_hash(rpc, advanced).await, block_hash(&clients[0], advanced).await);
	}
}
