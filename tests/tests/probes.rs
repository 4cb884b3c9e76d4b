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

/// The first event `E` that `wanted` accepts in blocks `from..=best`, with its block and that
/// block's events; `from` advances past the blocks read.
async fn event_since<E: subxt::events::DecodeAsEvent>(
	client: &Client,
	rpc: &WsClient,
	from: &AtomicU64,
	wanted: impl Fn(&E) -> bool,
) -> Option<(u64, E, subxt::events::Events<aitbc_client::Config>)> {
	let best = best_number(rpc).await;
	while from.load(Ordering::SeqCst) <= best {
		let number = from.load(Ordering::SeqCst);
		let at = client.api().at_block(number).await.ok()?;
		let events = at.events().fetch().await.ok()?;
		let found = events.find::<E>().filter_map(Result::ok).find(|event| wanted(event));
		if let Some(event) = found {
			return Some((number, event, events));
		}
		from.fetch_add(1, Ordering::SeqCst);
	}
	None
}

/// The first `Probes.ProviderDown` for `provider` since `from`, with its block and whether
/// `Marketplace.MarkedOffline` came with it.
async fn provider_down_since(
	client: &Client,
	rpc: &WsClient,
	from: &AtomicU64,
	provider: &AccountId32,
) -> Option<(u64, runtime::probes::events::ProviderDown, bool)> {
	let (number, event, events) =
		event_since(client, rpc, from, |event: &runtime::probes::events::ProviderDown| {
			&event.provider == provider
		})
		.await?;
	let marked = events
		.find::<runtime::marketplace::events::MarkedOffline>()
		.filter_map(Result::ok)
		.any(|event| &event.provider == provider);
	Some((number, event, marked))
}

/// Three authorities of `local.json` with nothing audited (the validators' checks alone are
/// under test), the embedded model registered; returns the nodes, their RPC clients, a client
/// of the first and its URL.
async fn authorities(home: &std::path::Path) -> (Vec<Node>, Vec<WsClient>, Client, String) {
	let spec = patched_spec("local.json", home, |genesis| {
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
	(nodes, rpcs, client, url)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_validators_probes_mark_a_stopped_worker_offline() {
	let home = tempfile::tempdir().unwrap();
	let (nodes, rpcs, client, url) = authorities(home.path()).await;
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

/// A cheating provider receipts an image it never made (or made and withholds): its endpoint
/// answers health checks but has no such artifact. Every validator's off-chain worker fetches
/// the artifacts of each block's receipts; a quorum of their reports fails the receipt before
/// its challenge window closes, though nothing is audited. An honest worker's receipt, checked
/// the same way, mints.
#[tokio::test(flavor = "multi_thread")]
async fn a_receipt_whose_artifact_the_validators_cannot_get_fails() {
	let home = tempfile::tempdir().unwrap();
	let (nodes, rpcs, client, url) = authorities(home.path()).await;
	let refs: Vec<&Node> = nodes.iter().collect();
	let honest_dir = home.path().join("honest");
	provision_worker(&url, &honest_dir);
	let honest = start_worker("honest", &honest_dir);
	wait_log(&honest, "listening on http://", Duration::from_secs(60)).await;

	// The honest worker's job: its artifact is fetched by every validator, found, and minted.
	let (job, _) = submit(&url, "charlie", "a yellow square on a blue background", 7);
	let logs = [&honest];
	assert_eq!(wait_final(&client, job, Duration::from_secs(120), &logs).await, "Finalized");
	let checked = format!("block {}: checked 1 artifact(s), 0 unavailable", {
		let receipt = client.receipt(job).await.unwrap().expect("receipted");
		receipt.accepted_at
	});
	wait_for("every validator checked it", Duration::from_secs(10), &refs, || async {
		nodes.iter().all(|node| node.log().contains(&checked)).then_some(())
	})
	.await;
	let minted = client.total_issuance().await.unwrap();
	assert!(minted > 0);

	// The cheater: cheaper than the honest worker, so the hub gives it the next job; its
	// endpoint is a stock `aitbc-worker serve` that never made the receipt's image.
	let cheat_dir = home.path().join("cheat");
	let listen = format!("127.0.0.1:{}", free_port());
	let _endpoint = serve_endpoint(&listen, &home.path().join("cheat-artifacts")).await;
	let cheater: AccountId32 =
		provision_worker_with(&url, &cheat_dir, "0.0005", &listen).parse().unwrap();
	let cheat = read_key_file(&cheat_dir.join("provider.key")).unwrap();
	let cheat_worker_key = read_key_file(&cheat_dir.join("worker.key")).unwrap();
	let (job, units) =
		submit_priced(&url, "dave", "a red circle on a white background", 8, "0.0005");
	let from = AtomicU64::new(best_number(&rpcs[0]).await);
	claim_when_reserved(&client, &cheat, job).await;
	let forged = receipt_for(&client, job, units, &cheater, &cheat_worker_key, [0x5a; 32]).await;
	let signature = aitbc_client::sign_receipt(&cheat_worker_key, &forged);
	client.submit_receipts_authorized(vec![(forged, signature)]).await.unwrap();
	let (block, event, events) =
		wait_for("the validators' quorum", Duration::from_secs(30), &refs, || async {
			event_since(
				&client,
				&rpcs[0],
				&from,
				|event: &runtime::probes::events::ArtifactUnavailable| event.job_id == job,
			)
			.await
		})
		.await;
	assert!(event.reporters >= 2, "a quorum of distinct validators: {}", event.reporters);
	assert!(event.failed, "failed before its window closed");
	let accepted_at = u64::from(event.block);
	assert!(block < accepted_at + 5, "at block {block}, inside the window of {accepted_at}");
	assert!(
		events
			.find::<runtime::audits::events::ArtifactUnavailable>()
			.filter_map(Result::ok)
			.any(|failed| failed.job_id == job && failed.provider == cheater),
		"the audits pallet failed it in the same block"
	);
	assert_eq!(wait_final(&client, job, Duration::from_secs(30), &logs).await, "Rejected");
	let audit = client.audit(job).await.unwrap().expect("an audit record");
	assert!(
		matches!(audit.outcome, Some(aitbc_client::audits::AuditOutcome::Failed)),
		"{:?}",
		audit.outcome.as_ref().map(aitbc_client::audits::outcome_name)
	);
	assert!(audit.votes.0.is_empty(), "no auditor was involved");
	// Nothing minted for it, nothing paid to the cheater, and its approval is gone.
	assert_eq!(client.total_issuance().await.unwrap(), minted);
	assert_eq!(client.balance(&cheater).await.unwrap(), 0);
	assert!(!client.provider(&cheater).await.unwrap().approved);
	let unavailable = format!("the artifact of job {job} is unavailable");
	for node in &nodes {
		assert!(node.log().contains(&unavailable), "each validator found it missing");
	}
}

/// Claims `job` as `provider` once the hub has reserved it for it (the hub reserves after the
/// block's transactions; a claim before would race it).
async fn claim_when_reserved(client: &Client, provider: &subxt_signer::sr25519::Keypair, job: u64) {
	let account = account_of(provider);
	for _ in 0..60 {
		if let Ok(Some((holder, _until))) = client.reservation(job).await {
			assert_eq!(holder, account, "the hub picks the only provider in price");
			client.claim_job(provider, job).await.unwrap();
			return;
		}
		tokio::time::sleep(Duration::from_millis(250)).await;
	}
	panic!("job {job} was never reserved");
}
