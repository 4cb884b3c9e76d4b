//! A single `--dev` node: block production and finality, the standard RPC set, metadata,
//! zero genesis issuance, clean shutdown on SIGINT and restart without losing the chain.

use std::time::Duration;

use aitbc_integration_tests::*;
use codec::Decode;
use frame_metadata::{RuntimeMetadata, RuntimeMetadataPrefixed};

const PALLETS: &[&str] = &[
	"System",
	"Timestamp",
	"Aura",
	"Grandpa",
	"Balances",
	"TransactionPayment",
	"SkipFeelessPayment",
	"Sudo",
	"Marketplace",
	"Jobs",
	"Receipts",
	"ProviderStaking",
];

fn metadata_bytes(value: &serde_json::Value) -> Vec<u8> {
	hex::decode(value.as_str().expect("metadata hex").trim_start_matches("0x")).expect("hex")
}

#[tokio::test(flavor = "multi_thread")]
async fn dev_node_finalizes_and_serves_the_standard_rpc() {
	let node = Node::start("dev", &["--dev", "--tmp"]);
	let rpc = node.client().await;

	let (finalized_number, finalized_hash) =
		wait_for("3 finalized blocks", Duration::from_secs(60), &[&node], || async {
			let (n, hash) = finalized(&rpc).await;
			(n >= 3).then_some((n, hash))
		})
		.await;
	assert!(finalized_number >= 3);

	// The standard namespaces polkadot.js and subxt rely on.
	let methods = call(&rpc, "rpc_methods", rpc_params![]).await;
	let methods: Vec<&str> =
		methods["methods"].as_array().expect("methods").iter().filter_map(|m| m.as_str()).collect();
	for required in [
		"system_chain",
		"system_health",
		"system_accountNextIndex",
		"chain_getBlock",
		"chain_subscribeFinalizedHeads",
		"state_getMetadata",
		"state_getStorage",
		"state_call",
		"author_submitExtrinsic",
		"author_submitAndWatchExtrinsic",
		"payment_queryInfo",
		"grandpa_roundState",
		"rpc_methods",
	] {
		assert!(methods.contains(&required), "rpc_methods lacks {required}: {methods:?}");
	}

	assert_eq!(call(&rpc, "system_chain", rpc_params![]).await, "AITBC Development");
	let health = call(&rpc, "system_health", rpc_params![]).await;
	assert_eq!(health["isSyncing"], false, "{health}");
	assert_eq!(health["shouldHavePeers"], false, "{health}");
	let properties = call(&rpc, "system_properties", rpc_params![]).await;
	assert_eq!(properties["tokenSymbol"], "AIT");
	assert_eq!(properties["tokenDecimals"], 12);

	let block = call(&rpc, "chain_getBlock", rpc_params![finalized_hash.clone()]).await;
	assert_eq!(hex_number(&block["block"]["header"]["number"]), finalized_number);
	assert!(
		!block["block"]["extrinsics"].as_array().expect("extrinsics").is_empty(),
		"every block carries at least the timestamp inherent"
	);

	// Metadata: the default (V14) decodes and lists every pallet of the runtime.
	let metadata = call(&rpc, "state_getMetadata", rpc_params![]).await;
	let prefixed = RuntimeMetadataPrefixed::decode(&mut &metadata_bytes(&metadata)[..])
		.expect("metadata decodes");
	let pallets: Vec<String> = match prefixed.1 {
		RuntimeMetadata::V14(m) => m.pallets.into_iter().map(|p| p.name).collect(),
		other => panic!("state_getMetadata should be V14, got version {}", other.version()),
	};
	for pallet in PALLETS {
		assert!(pallets.iter().any(|p| p == pallet), "metadata lacks {pallet}: {pallets:?}");
	}

	// V15 (what subxt and newer polkadot.js prefer) is offered too.
	let versions = call(&rpc, "state_call", rpc_params!["Metadata_metadata_versions", "0x"]).await;
	let versions = Vec::<u32>::decode(&mut &metadata_bytes(&versions)[..]).expect("versions");
	assert!(versions.contains(&14) && versions.contains(&15), "metadata versions {versions:?}");

	// No premint: total issuance at genesis (and with no receipts since) is zero.
	let genesis_hash = block_hash(&rpc, 0).await.expect("genesis hash");
	let key = storage_value_key("Balances", "TotalIssuance");
	for at in [genesis_hash, finalized_hash] {
		let issuance = call(&rpc, "state_getStorage", rpc_params![key.clone(), at.clone()]).await;
		let issuance = if issuance.is_null() { 0 } else { decode_u128(&issuance).expect("u128") };
		assert_eq!(issuance, 0, "total issuance at {at}");
	}

	// Prometheus metrics are served.
	let metrics = http_get(node.prometheus_port, "/metrics").await;
	assert!(metrics.contains("substrate_block_height"), "no block height metric:\n{metrics}");
}

/// A minimal HTTP/1.0 GET on loopback.
async fn http_get(port: u16, path: &str) -> String {
	use std::io::{Read, Write};
	let path = path.to_string();
	tokio::task::spawn_blocking(move || {
		let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
		write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").expect("write");
		let mut body = String::new();
		stream.read_to_string(&mut body).expect("read");
		body
	})
	.await
	.expect("join")
}

#[tokio::test(flavor = "multi_thread")]
async fn sigint_stops_cleanly_and_a_restart_continues_the_chain() {
	let base = tempfile::tempdir().expect("tempdir");
	let base_path = base.path().to_str().expect("utf8 path");
	let mut node = Node::start("dev-persistent", &["--dev", "--base-path", base_path]);
	let (best_before, hash_before) = {
		let rpc = node.client().await;
		let best = wait_for("best block 5", Duration::from_secs(60), &[&node], || async {
			let n = best_number(&rpc).await;
			(n >= 5).then_some(n)
		})
		.await;
		(best, block_hash(&rpc, best).await.expect("hash of best"))
	};

	let status = node.interrupt(Duration::from_secs(10));
	let status = status.unwrap_or_else(|| panic!("no exit within 10 s of SIGINT\n{}", node.log()));
	assert!(status.success(), "exit status {status:?} after SIGINT\n{}", node.log());
	assert!(!node.log().contains("panicked"), "panic during shutdown\n{}", node.log());

	node.restart();
	let rpc = node.client().await;
	// The old best block is still there, with the same hash: nothing was lost...
	assert_eq!(block_hash(&rpc, best_before).await.as_deref(), Some(hash_before.as_str()));
	// ...and the chain grows on top of it.
	wait_for("growth past the old best block", Duration::from_secs(60), &[&node], || async {
		(best_number(&rpc).await >= best_before + 2).then_some(())
	})
	.await;
}
