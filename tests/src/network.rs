//! Multi-node networks on loopback: chain specs patched for a test, authorities started from
//! dev keys, and a watch on finality.

use std::{
	path::{Path, PathBuf},
	sync::{
		atomic::{AtomicBool, Ordering},
		Arc, Mutex,
	},
	time::{Duration, Instant},
};

use jsonrpsee::ws_client::{WsClient, WsClientBuilder};
use serde_json::Value;

use crate::*;

/// The dev-key flags of the authorities, in the order of the presets.
pub const AUTHORITY_FLAGS: &[&str] = &["--alice", "--bob", "--charlie", "--dave"];

/// Writes `chain-specs/<base>` with `patch` applied to its genesis patch into `dir`; returns
/// the new spec's path. The plain spec carries a patch, so the node builds genesis from it.
pub fn patched_spec(base: &str, dir: &Path, patch: impl FnOnce(&mut Value)) -> PathBuf {
	let path = repo_root().join("chain-specs").join(base);
	let mut spec: Value =
		serde_json::from_str(&std::fs::read_to_string(&path).expect("read chain spec"))
			.expect("chain spec JSON");
	patch(&mut spec["genesis"]["runtimeGenesis"]["patch"]);
	let out = dir.join(base);
	std::fs::write(&out, serde_json::to_string(&spec).expect("JSON")).expect("write chain spec");
	out
}

/// Starts node `name` of a test network on `spec` with `extra` arguments: loopback peering,
/// a fixed network key per `index` (authorities need a stable identity) and `bootnode`.
pub fn start_network_node(
	name: &str,
	spec: &Path,
	index: usize,
	bootnode: Option<&str>,
	extra: &[&str],
) -> Node {
	let node_key = format!("{:064x}", index + 1);
	let mut args = vec![
		"--chain",
		spec.to_str().expect("utf8"),
		"--allow-private-ip",
		"--discover-local",
		"--node-key",
		&node_key,
	];
	if let Some(addr) = bootnode {
		args.extend(["--bootnodes", addr]);
	}
	args.extend_from_slice(extra);
	Node::start(name, &args)
}

/// Starts one authority per flag (with a temporary base path) on `spec`; the first node is
/// every other node's bootnode, whose address is returned too.
pub async fn start_authorities(spec: &Path, count: usize) -> (Vec<Node>, String) {
	let mut nodes: Vec<Node> = Vec::new();
	let mut bootnode: Option<String> = None;
	for (index, flag) in AUTHORITY_FLAGS[..count].iter().enumerate() {
		let name = flag.trim_start_matches("--");
		let node = start_network_node(name, spec, index, bootnode.as_deref(), &[flag, "--tmp"]);
		if bootnode.is_none() {
			bootnode = Some(node.multiaddr().await);
		}
		nodes.push(node);
	}
	(nodes, bootnode.expect("at least one node"))
}

impl Node {
	/// The node's loopback multiaddress with its peer id, for `--bootnodes`.
	pub async fn multiaddr(&self) -> String {
		let rpc = self.client().await;
		let peer_id = call(&rpc, "system_localPeerId", rpc_params![]).await;
		format!("/ip4/127.0.0.1/tcp/{}/p2p/{}", self.p2p_port, peer_id.as_str().expect("peer id"))
	}

	/// The node's WebSocket RPC URL.
	pub fn url(&self) -> String {
		format!("ws://127.0.0.1:{}", self.rpc_port)
	}
}

/// One RPC client per node.
pub async fn clients(nodes: &[Node]) -> Vec<WsClient> {
	let mut clients = Vec::new();
	for node in nodes {
		clients.push(node.client().await);
	}
	clients
}

/// Waits until every node has every other one as a peer.
pub async fn wait_for_peers(nodes: &[Node], clients: &[WsClient]) {
	let refs: Vec<&Node> = nodes.iter().collect();
	let want = (nodes.len() - 1) as u64;
	for rpc in clients {
		wait_for("full peering", Duration::from_secs(60), &refs, || async {
			let health = call(rpc, "system_health", rpc_params![]).await;
			(health["peers"].as_u64() >= Some(want)).then_some(())
		})
		.await;
	}
}

/// Waits until `rpc`'s node has finalized block `at_least`; returns its finalized number.
pub async fn wait_for_finalized(
	nodes: &[&Node],
	rpc: &WsClient,
	at_least: u64,
	timeout: Duration,
) -> u64 {
	wait_for(&format!("finalized block {at_least}"), timeout, nodes, || async {
		let (n, _) = finalized(rpc).await;
		(n >= at_least).then_some(n)
	})
	.await
}

/// Calls the runtime API `method` with SCALE `args` at block `hash`; returns the SCALE answer.
pub async fn state_call(rpc: &WsClient, method: &str, args: &[u8], hash: &str) -> Vec<u8> {
	let answer =
		call(rpc, "state_call", rpc_params![method, format!("0x{}", hex::encode(args)), hash])
			.await;
	hex::decode(answer.as_str().expect("hex").trim_start_matches("0x")).expect("hex")
}

/// The GRANDPA voters' public keys at block `hash`.
pub async fn grandpa_authorities(rpc: &WsClient, hash: &str) -> Vec<[u8; 32]> {
	use codec::Decode;
	let answer = state_call(rpc, "GrandpaApi_grandpa_authorities", &[], hash).await;
	let list = Vec::<([u8; 32], u64)>::decode(&mut &answer[..]).expect("authority list");
	list.into_iter().map(|(key, _)| key).collect()
}

/// Watches a node's finalized head in the background and records the longest time it went
/// without advancing.
pub struct FinalityWatch {
	stop: Arc<AtomicBool>,
	longest_stall: Arc<Mutex<Duration>>,
	task: tokio::task::JoinHandle<()>,
}

impl FinalityWatch {
	/// Starts watching the node at `url` (its own connection), polling every 200 ms.
	pub async fn start(url: &str) -> FinalityWatch {
		let rpc = WsClientBuilder::default().build(url).await.expect("connect");
		let stop = Arc::new(AtomicBool::new(false));
		let longest_stall = Arc::new(Mutex::new(Duration::ZERO));
		let task = {
			let (stop, longest_stall) = (stop.clone(), longest_stall.clone());
			tokio::spawn(async move {
				let (mut last, _) = finalized(&rpc).await;
				let mut since = Instant::now();
				while !stop.load(Ordering::Relaxed) {
					tokio::time::sleep(Duration::from_millis(200)).await;
					let (now, _) = finalized(&rpc).await;
					if now > last {
						last = now;
						since = Instant::now();
					}
					let mut longest = longest_stall.lock().expect("lock");
					*longest = (*longest).max(since.elapsed());
				}
			})
		};
		FinalityWatch { stop, longest_stall, task }
	}

	/// Stops watching; returns the longest stall seen.
	pub async fn finish(self) -> Duration {
		self.stop.store(true, Ordering::Relaxed);
		self.task.await.expect("watch task");
		let longest = *self.longest_stall.lock().expect("lock");
		longest
	}
}
