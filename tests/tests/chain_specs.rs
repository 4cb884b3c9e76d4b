//! The committed chain specs match what the current node and runtime presets produce, and every
//! one of them starts with zero issuance.
//!
//! The runtime `code` blob is left out of the comparison: a network's genesis code is fixed when
//! it launches (later runtimes arrive as upgrades), and the blob differs between toolchains.
//! Everything else (name, id, type, properties, genesis state) must match exactly. Regenerate
//! with `scripts/gen-chain-specs.sh`.

use aitbc_integration_tests::*;
use serde_json::Value;

/// `:code` as a raw storage key.
const CODE_KEY: &str = "0x3a636f6465";

fn without_code(mut spec: Value) -> Value {
	let genesis = &mut spec["genesis"];
	if let Some(top) = genesis.pointer_mut("/raw/top").and_then(Value::as_object_mut) {
		assert!(top.remove(CODE_KEY).is_some(), "raw spec without :code");
	}
	if let Some(runtime) = genesis.get_mut("runtimeGenesis").and_then(Value::as_object_mut) {
		assert!(runtime.remove("code").is_some(), "plain spec without code");
	}
	spec
}

fn committed(file: &str) -> Value {
	let path = repo_root().join("chain-specs").join(file);
	let text = std::fs::read_to_string(&path)
		.unwrap_or_else(|e| panic!("{}: {e} (run scripts/gen-chain-specs.sh)", path.display()));
	serde_json::from_str(&text).expect("committed spec is JSON")
}

fn exported(chain: &str, raw: bool) -> Value {
	let mut args = vec!["export-chain-spec", "--chain", chain];
	if raw {
		args.push("--raw");
	}
	let (status, stdout, stderr) = run_node_command(&args);
	assert!(status.success(), "export-chain-spec --chain {chain}: {stderr}");
	serde_json::from_str(&stdout).expect("exported spec is JSON")
}

#[test]
fn committed_chain_specs_match_the_runtime_presets() {
	for chain in ["dev", "local", "testnet"] {
		for raw in [false, true] {
			let file = if raw { format!("{chain}-raw.json") } else { format!("{chain}.json") };
			assert_eq!(
				without_code(committed(&file)),
				without_code(exported(chain, raw)),
				"chain-specs/{file} drifted from the runtime: run scripts/gen-chain-specs.sh"
			);
		}
	}
}

#[test]
fn every_chain_spec_has_zero_issuance() {
	let issuance_key = storage_value_key("Balances", "TotalIssuance");
	let accounts_prefix = storage_value_key("System", "Account");
	for chain in ["dev", "local", "testnet"] {
		let spec = committed(&format!("{chain}-raw.json"));
		let top = spec.pointer("/genesis/raw/top").and_then(Value::as_object).expect("raw top");
		let issuance = top.get(&issuance_key).map(|v| decode_u128(v).expect("u128")).unwrap_or(0);
		assert_eq!(issuance, 0, "{chain}: total issuance at genesis");
		// Bootstrap accounts exist (a provider reference) but hold nothing: AccountInfo is four
		// u32 reference counts, then free, reserved, frozen and flags as u128.
		for (key, value) in top.iter().filter(|(k, _)| k.starts_with(&accounts_prefix)) {
			let info =
				hex::decode(value.as_str().expect("hex").trim_start_matches("0x")).expect("hex");
			assert_eq!(info.len(), 16 + 4 * 16, "{chain}: AccountInfo layout of {key}");
			assert!(
				info[16..48].iter().all(|b| *b == 0),
				"{chain}: genesis account {key} holds AIT"
			);
		}

		let plain = committed(&format!("{chain}.json"));
		let balances = plain.pointer("/genesis/runtimeGenesis/patch/balances/balances");
		assert!(
			balances.map_or(true, |b| b.as_array().is_some_and(Vec::is_empty)),
			"{chain}: endowed balances {balances:?}"
		);
	}
}
