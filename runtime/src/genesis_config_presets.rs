//! Genesis presets: `development`, `local_testnet` and `testnet`.
//!
//! Every preset starts with **zero AIT issuance**: no account is endowed. New AIT only ever comes
//! from verified compute receipts. The presets differ in their authorities, sudo key and the
//! bootstrap accounts: accounts that exist without AIT so they can send the feeless bootstrap
//! calls (governance by the sudo key, free jobs). The development and local chains also have a
//! test market: a test stable asset (tUSD, never AIT) issued to the development accounts and
//! the AIT/tUSD pair open.

use alloc::{vec, vec::Vec};

use frame_support::build_struct_json_patch;
use serde_json::Value;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_genesis_builder::{PresetId, DEV_RUNTIME_PRESET, LOCAL_TESTNET_RUNTIME_PRESET};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

use crate::{
	configs::{
		exchange::{TEST_USD, TEST_USD_DECIMALS},
		validators::{GenesisCandidacyBond, SESSION_BLOCKS},
	},
	currency::MILLI_AIT,
	AccountId, AssetsConfig, AuditsConfig, Balance, BalancesConfig, ExchangeConfig,
	MarketplaceConfig, RuntimeGenesisConfig, SessionConfig, SessionKeys, SudoConfig,
	ValidatorsConfig,
};

/// Seats for candidates beside the authorities on every preset.
const DESIRED_CANDIDATES: u32 = 8;

/// The preset of the public test network (four authorities, so one may fail without stalling
/// finality).
pub const TESTNET_RUNTIME_PRESET: &str = "testnet";

/// Whether a chain audits receipts at the runtime's default rates from genesis on.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Audits {
	/// The runtime's `DefaultAuditRate` and `DefaultAlwaysAuditUnits` (networks).
	Default,
	/// None until governance turns them on: a single-node development chain usually runs one
	/// worker, and a drawn receipt with nobody else to audit it would be refunded, not minted.
	Off,
}

/// tUSD each development account is issued on the development and local chains.
const TEST_USD_PER_ACCOUNT: Balance = 1_000_000 * 10u128.pow(TEST_USD_DECIMALS as u32);

/// Whether a chain has the test market: tUSD issued by governance (the sudo key owns it) to the
/// given accounts, and pair 0, AIT/tUSD, open. It is never AIT that is issued.
enum TestMarket {
	/// No quote asset and no pair: governance opens markets on public chains.
	None,
	/// tUSD for these accounts and the AIT/tUSD pair: lots of 1 mAIT, prices in steps of one
	/// tUSD unit (10^-6 tUSD per mAIT), orders of one lot or more.
	For(Vec<AccountId>),
}

/// A genesis state with the given authorities (their accounts and session keys), sudo key and
/// bootstrap accounts, and nothing minted.
fn genesis(
	authorities: Vec<(AccountId, AuraId, GrandpaId)>,
	sudo: AccountId,
	bootstrap_accounts: Vec<AccountId>,
	audits: Audits,
	market: TestMarket,
) -> Value {
	let (audit_rate, always_audit_units) = match audits {
		Audits::Default => (None, None),
		Audits::Off => (Some(sp_runtime::Perbill::zero()), Some(0)),
	};
	let (assets, exchange) = match market {
		TestMarket::None => (AssetsConfig::default(), ExchangeConfig::default()),
		TestMarket::For(holders) => (
			AssetsConfig {
				assets: vec![(TEST_USD, sudo.clone(), true, 1)],
				metadata: vec![(
					TEST_USD,
					b"Test USD".to_vec(),
					b"tUSD".to_vec(),
					TEST_USD_DECIMALS,
				)],
				accounts: holders
					.into_iter()
					.map(|who| (TEST_USD, who, TEST_USD_PER_ACCOUNT))
					.collect(),
				next_asset_id: None,
				reserves: Vec::new(),
			},
			ExchangeConfig { pairs: vec![(TEST_USD, MILLI_AIT, 1, 1)] },
		),
	};
	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig { balances: Vec::new() },
		marketplace: MarketplaceConfig { bootstrap_accounts },
		audits: AuditsConfig { audit_rate, always_audit_units },
		// Aura's and GRANDPA's authorities come from the session pallet's first set.
		validators: ValidatorsConfig {
			authorities: authorities.iter().map(|(account, _, _)| account.clone()).collect(),
			desired_candidates: DESIRED_CANDIDATES,
			candidacy_bond: GenesisCandidacyBond::get(),
			session_length: SESSION_BLOCKS,
		},
		session: SessionConfig {
			keys: authorities
				.iter()
				.map(|(account, aura, grandpa)| {
					// The probe key is the Aura key's sr25519 key, as `--alice` and
					// `author_rotateKeys` with a seed make it.
					let probe = sp_core::sr25519::Public::from(aura.clone()).into();
					let keys = SessionKeys { aura: aura.clone(), grandpa: grandpa.clone(), probe };
					(account.clone(), account.clone(), keys)
				})
				.collect(),
		},
		sudo: SudoConfig { key: Some(sudo) },
		assets,
		exchange,
	})
}

/// A well-known development account as an authority: its sr25519 account, the same key for
/// Aura and for probes, and its ed25519 key for GRANDPA (what `aitbc-node --alice` puts in the
/// keystore).
fn dev_authority(aura: Sr25519Keyring, grandpa: Ed25519Keyring) -> (AccountId, AuraId, GrandpaId) {
	(aura.to_account_id(), aura.public().into(), grandpa.public().into())
}

/// The six well-known development accounts (Alice … Ferdie).
fn dev_accounts() -> Vec<AccountId> {
	Sr25519Keyring::well_known().take(6).map(|k| k.to_account_id()).collect()
}

fn development() -> Value {
	genesis(
		vec![dev_authority(Sr25519Keyring::Alice, Ed25519Keyring::Alice)],
		Sr25519Keyring::Alice.to_account_id(),
		dev_accounts(),
		Audits::Off,
		TestMarket::For(dev_accounts()),
	)
}

fn local_testnet() -> Value {
	genesis(
		vec![
			dev_authority(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
			dev_authority(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
			dev_authority(Sr25519Keyring::Charlie, Ed25519Keyring::Charlie),
		],
		Sr25519Keyring::Alice.to_account_id(),
		dev_accounts(),
		Audits::Default,
		TestMarket::For(dev_accounts()),
	)
}

fn testnet() -> Value {
	genesis(
		vec![
			dev_authority(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
			dev_authority(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
			dev_authority(Sr25519Keyring::Charlie, Ed25519Keyring::Charlie),
			dev_authority(Sr25519Keyring::Dave, Ed25519Keyring::Dave),
		],
		Sr25519Keyring::Alice.to_account_id(),
		vec![Sr25519Keyring::Alice.to_account_id()],
		Audits::Default,
		TestMarket::None,
	)
}

/// The JSON of the named preset, or `None` for an unknown name.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		DEV_RUNTIME_PRESET => development(),
		LOCAL_TESTNET_RUNTIME_PRESET => local_testnet(),
		TESTNET_RUNTIME_PRESET => testnet(),
		_ => return None,
	};
	serde_json::to_vec(&patch).ok()
}

/// The names of all presets.
pub fn preset_names() -> Vec<PresetId> {
	vec![
		PresetId::from(DEV_RUNTIME_PRESET),
		PresetId::from(LOCAL_TESTNET_RUNTIME_PRESET),
		PresetId::from(TESTNET_RUNTIME_PRESET),
	]
}
