//! Built-in chain specs, made from the runtime's genesis presets.

use aitbc_runtime::{currency, genesis_config_presets::TESTNET_RUNTIME_PRESET, WASM_BINARY};
use sc_service::{ChainType, Properties};
use sp_genesis_builder::{DEV_RUNTIME_PRESET, LOCAL_TESTNET_RUNTIME_PRESET};

/// A chain spec of this node.
pub type ChainSpec = sc_service::GenericChainSpec;

/// The names `--chain` accepts besides a path to a chain-spec file.
pub const BUILT_IN: &[&str] = &["dev", "local", "testnet"];

/// Token properties shown by wallets and polkadot.js.
fn properties() -> Properties {
	let mut properties = Properties::new();
	properties.insert("tokenSymbol".into(), currency::SYMBOL.into());
	properties.insert("tokenDecimals".into(), currency::DECIMALS.into());
	properties.insert("ss58Format".into(), 42.into());
	properties
}

fn from_preset(
	name: &str,
	id: &str,
	chain_type: ChainType,
	preset: &str,
) -> Result<ChainSpec, String> {
	let wasm = WASM_BINARY.ok_or_else(|| {
		"the runtime wasm is not available: this binary was built with SKIP_WASM_BUILD".to_string()
	})?;
	Ok(ChainSpec::builder(wasm, None)
		.with_name(name)
		.with_id(id)
		.with_chain_type(chain_type)
		.with_genesis_config_preset_name(preset)
		.with_properties(properties())
		.build())
}

/// The built-in spec called `name`, if there is one.
pub fn built_in(name: &str) -> Option<Result<ChainSpec, String>> {
	Some(match name {
		"dev" => from_preset(
			"AITBC Development",
			"aitbc_dev",
			ChainType::Development,
			DEV_RUNTIME_PRESET,
		),
		"local" => from_preset(
			"AITBC Local Testnet",
			"aitbc_local",
			ChainType::Local,
			LOCAL_TESTNET_RUNTIME_PRESET,
		),
		"testnet" => {
			from_preset("AITBC Testnet", "aitbc_testnet", ChainType::Live, TESTNET_RUNTIME_PRESET)
		},
		_ => return None,
	})
}
