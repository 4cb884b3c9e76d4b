//! Validators' off-chain workers watch the providers: on the three-authority local spec every
//! node probes the live providers' `/v1/health` at each round's first block (20 blocks). A
//! running worker is probed by all three and spared. Once it stops, each validator reports it
//! down, and at the quorum of two distinct validators the chain marks it offline
//! (`Probes.ProviderDown`, with `Marketplace.MarkedOffline` in the same block), long before its
//! liveness window (120 blocks after its last sign of life) would have.

use std::{
	sync::atomic::{AtomicU64, Ordering},
	time::Duration,
};

use aitbc_client::{account_of, keys::read_key_file, runtime, Client};
use aitbc_integration_tests::{market::*, network::*, *};
use jsonrpsee::ws_client::WsClient;
use subxt::utils::AccountId32;

/// The runtime's probe round, in blocks.
const ROUND: u64 = 20;

/// The first `Probes.ProviderDown` for `provider` in blocks `from..=best`, with its block and
/// whether `Marketplace.MarkedOffline` came with it; `from` advances past the blocks read.
async fn provider_down_since(
	client: &Client,
	rpc: &WsClient,
	from: &AtomicU64,
	provider: &AccountId32,
) -> Option<(u64, runtime::probes::events::ProviderDown, bool)> {
	let best = best_number(rpc).await;
	while from.load(Ordering::SeqCst) <= best {
		let number = from.load(Ordering::SeqCst);
		let at = client.api().at_block(number).await.ok()?;
		let events = at.events().fetch().await.ok()?;
		let found = events
			.find::<runtime::probes::events::ProviderDown>()
			.filter_map(Result::ok)
			.find(|event| &event.provider == provider);
		if let Some(event) = found {
			let marked = events
				.find::<runtime::marketplace::events::MarkedOffline>()
				.filter_map(Result::ok)
				.any(|event| &event.provider == provider);
			return Some((number, event, marked));
		}
		from.fetch_add(1, Ordering::SeqCst);
	}
	None
}

#[tokio::test(flavor = "multi_thread")]
async fn the_validators_probes_mark_a_stopped_worker_offline() {
	let home = tempfile::tempdir().unwrap();
	let spec = patched_spec("local.json", home.path(), |genesis| {
		// No receipt here: nothing to audit.
		genesis["audits"]["auditRate"] = 0.into();
		genesis["audits"]["alwaysAuditUnits"] = 0.into();
	});
	let (nodes, _) = start_authorities(&spec, 3).await;
	let rpcs = clients(&nodes).await;
	wait_for_peers(&nodes, &rpcs).await;
	let url = nodes[0].url();
	let client = Client::connect(&url, Duration::from_secs(30)).await.unwrap();
	let out = run_ok(
		"aitbc-worker",
		&["add-model", "models/tiny-shapes", "--node", &url, "--governance", "alice"],
	);
	assert!(out.starts_with("model 0: tiny-shapes"), "{out}");
	let dir = home.path().join("worker");
	provision_worker(&url, &dir);
	let provider = account_of(&read_key_file(&dir.join("provider.key")).unwrap());
	let mut worker = start_worker("worker", &dir);
	wait_log(&worker, "listening on http://", Duration::from_secs(60)).await;

	// Every validator probes the running worker in a round and finds it up: no report. (A
	// round that began between its registration and its server's start may have found it
	// down; its next heartbeat brought it back.)
	let refs: Vec<&Node> = nodes.iter().collect();
	wait_for("a round of probes by all three", Duration::from_secs(6 * ROUND), &refs, || async {
		nodes.iter().all(|node| node.log().contains("probed 1 provider(s), 0 down")).then_some(())
	})
	.await;
	assert!(client.provider(&provider).await.unwrap().live);
	let from = AtomicU64::new(best_number(&rpcs[0]).await);

	// The worker stops; its offer still counts as live for up to 120 blocks.
	let logged_before: Vec<usize> = nodes.iter().map(|node| node.log().len()).collect();
	worker.kill();
	let stopped_at = best_number(&rpcs[0]).await;
	let last_seen = client.provider(&provider).await.unwrap().last_seen.expect("seen");
	let (block, event, marked) =
		wait_for("the probes' quorum", Duration::from_secs(4 * ROUND), &refs, || async {
			provider_down_since(&client, &rpcs[0], &from, &provider).await
		})
		.await;
	assert!(event.reporters >= 2, "a quorum of distinct validators: {}", event.reporters);
	assert!(marked, "Marketplace.MarkedOffline in the same block");
	assert!(
		block <= stopped_at + 2 * ROUND + 5,
		"marked at block {block}, within two rounds of the stop at {stopped_at}"
	);
	assert!(
		block < u64::from(last_seen) + 120,
		"before the liveness window ran out (last seen at {last_seen})"
	);
	// The client reads finalized state: the mark shows once its block is final.
	let info = wait_for("the mark finalized", Duration::from_secs(30), &refs, || async {
		let info = client.provider(&provider).await.ok()?;
		info.offline.then_some(info)
	})
	.await;
	assert!(info.offline && !info.live, "{info:?}");
	for (node, before) in nodes.iter().zip(logged_before) {
		let since_stop = &node.log()[before..];
		assert!(
			since_stop.contains("probed 1 provider(s), 1 down"),
			"each validator found it down"
		);
	}
}
