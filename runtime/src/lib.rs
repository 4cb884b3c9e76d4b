//! # AITBC runtime
//!
//! The FRAME runtime of the AITBC chain, whose native token AIT exists only because AI compute was
//! served. This crate wires the standard pallets (system, timestamp, Aura, GRANDPA, balances,
//! transaction payment with feeless bootstrap calls, sudo), the validator set (session,
//! authorship, offences and the hybrid PoA/PoS validators pallet), the compute economy
//! (marketplace, jobs, receipts, provider staking, audits), the validators' off-chain probes of
//! providers (probes), the market (quote assets and the AIT order book) and exposes the runtime APIs that
//! polkadot.js, subxt and the node need.
//!
//! Layout: pallet configurations live in [`configs`], runtime API implementations in [`apis`],
//! genesis presets in [`genesis_config_presets`].
//!
//! Economics: AIT has 12 decimals and **every genesis preset has zero issuance**; the receipts
//! pallet is the only source of new AIT. Fees go to the block's author; dust and slashes are
//! burned.

#![cfg_attr(not(feature = "std"), no_std)]

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

extern crate alloc;

use alloc::vec::Vec;

// Before `apis`: it defines the `list_benchmarks!`/`add_benchmarks!` macros `apis` uses.
#[cfg(feature = "runtime-benchmarks")]
#[macro_use]
mod benchmarks;
pub mod apis;
pub mod configs;
pub mod genesis_config_presets;

use frame_support::runtime;
use sp_runtime::{
	generic, impl_opaque_keys,
	traits::{BlakeTwo256, IdentifyAccount, Verify},
	MultiAddress, MultiSignature,
};
use sp_version::RuntimeVersion;

pub use frame_system::Call as SystemCall;
pub use pallet_balances::Call as BalancesCall;
#[cfg(feature = "std")]
pub use sp_runtime::BuildStorage;

/// Block number.
pub type BlockNumber = u32;
/// Transaction signature: sr25519, ed25519 or ecdsa.
pub type Signature = MultiSignature;
/// Account id: the public key of the signing scheme.
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;
/// Balance of an account, in plancks of AIT (10^-12 AIT).
pub type Balance = u128;
/// Transaction index of an account.
pub type Nonce = u32;
/// Block and trie hash.
pub type Hash = sp_core::H256;

/// Token units. AIT has 12 decimals.
pub mod currency {
	use super::Balance;
	/// Number of decimals of AIT.
	pub const DECIMALS: u8 = 12;
	/// Ticker symbol.
	pub const SYMBOL: &str = "AIT";
	/// One AIT.
	pub const AIT: Balance = 1_000_000_000_000;
	/// One thousandth of an AIT.
	pub const MILLI_AIT: Balance = AIT / 1_000;
	/// One millionth of an AIT.
	pub const MICRO_AIT: Balance = AIT / 1_000_000;
	/// Smallest balance an account may hold. Kept tiny so small receipt mints create accounts.
	pub const EXISTENTIAL_DEPOSIT: Balance = MICRO_AIT;
}

/// Time units.
pub mod time {
	use super::BlockNumber;
	/// Target block time. Everything below is derived from this one constant.
	pub const MILLISECS_PER_BLOCK: u64 = 1_000;
	/// Aura slot duration; it cannot change once the chain has started.
	pub const SLOT_DURATION: u64 = MILLISECS_PER_BLOCK;
	/// Blocks per second. Periods that are about time (a provider's deadline, an auditor's
	/// re-run) are written in seconds, so they keep their meaning if the block time changes.
	pub const SECONDS: BlockNumber = 1_000 / (MILLISECS_PER_BLOCK as BlockNumber);
	const _: () = assert!(1_000 % MILLISECS_PER_BLOCK == 0, "whole blocks per second");
	/// Blocks per minute.
	pub const MINUTES: BlockNumber = 60_000 / (MILLISECS_PER_BLOCK as BlockNumber);
	/// Blocks per hour.
	pub const HOURS: BlockNumber = MINUTES * 60;
	/// Blocks per day.
	pub const DAYS: BlockNumber = HOURS * 24;
}

/// Opaque types, so the node can work with blocks without knowing the runtime's call types.
pub mod opaque {
	use super::*;
	pub use sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;

	/// Opaque block header.
	pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
	/// Opaque block.
	pub type Block = generic::Block<Header, UncheckedExtrinsic>;
	/// Opaque block id.
	pub type BlockId = generic::BlockId<Block>;

	impl_opaque_keys! {
		/// The session keys of a validator: Aura for authoring, GRANDPA for finality, and
		/// the probe key its off-chain worker signs provider probe reports with.
		pub struct SessionKeys {
			pub aura: Aura,
			pub grandpa: Grandpa,
			pub probe: Probes,
		}
	}
}
pub use opaque::SessionKeys;

/// Runtime version. Bump `spec_version` on every runtime change that reaches a live chain.
#[sp_version::runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: alloc::borrow::Cow::Borrowed("aitbc"),
	impl_name: alloc::borrow::Cow::Borrowed("aitbc-node"),
	authoring_version: 1,
	spec_version: 115,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	// 2: the `CheckClaim` transaction extension.
	transaction_version: 2,
	system_version: 1,
};

#[runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Runtime;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;

	#[runtime::pallet_index(1)]
	pub type Timestamp = pallet_timestamp;

	#[runtime::pallet_index(2)]
	pub type Aura = pallet_aura;

	#[runtime::pallet_index(3)]
	pub type Grandpa = pallet_grandpa;

	#[runtime::pallet_index(4)]
	pub type Balances = pallet_balances;

	#[runtime::pallet_index(5)]
	pub type TransactionPayment = pallet_transaction_payment;

	#[runtime::pallet_index(6)]
	pub type SkipFeelessPayment = pallet_skip_feeless_payment;

	#[runtime::pallet_index(7)]
	pub type Sudo = pallet_sudo;

	#[runtime::pallet_index(10)]
	pub type Marketplace = pallet_aitbc_marketplace;

	#[runtime::pallet_index(11)]
	pub type Jobs = pallet_aitbc_jobs;

	#[runtime::pallet_index(12)]
	pub type Receipts = pallet_aitbc_receipts;

	#[runtime::pallet_index(13)]
	pub type ProviderStaking = pallet_aitbc_staking;

	#[runtime::pallet_index(14)]
	pub type Audits = pallet_aitbc_audits;

	#[runtime::pallet_index(15)]
	pub type Authorship = pallet_authorship;

	// Before the session pallet: its genesis asks the validators pallet for the first sets.
	#[runtime::pallet_index(16)]
	pub type Validators = pallet_aitbc_validators;

	#[runtime::pallet_index(17)]
	pub type Session = pallet_session;

	#[runtime::pallet_index(18)]
	pub type Historical = pallet_session::historical;

	#[runtime::pallet_index(19)]
	pub type Offences = pallet_offences;

	#[runtime::pallet_index(20)]
	pub type Probes = pallet_aitbc_probes;

	// Before the exchange: its genesis pairs need their quote assets.
	#[runtime::pallet_index(21)]
	pub type Assets = pallet_assets;

	#[runtime::pallet_index(22)]
	pub type AssetsHolder = pallet_assets_holder;

	#[runtime::pallet_index(23)]
	pub type Exchange = pallet_aitbc_exchange;
}

/// Address format of extrinsics.
pub type Address = MultiAddress<AccountId, ()>;
/// Block header.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
/// Block.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;

/// Transaction extensions checked for every signed extrinsic.
///
/// Fees go through `SkipCheckIfFeeless`, so calls a pallet marks `#[pallet::feeless_if]` (the
/// bootstrap calls of the compute economy) are free while their guard holds. `CheckClaim` comes
/// before it: a claim on a job that is no longer pending is invalid, so it never reaches a block
/// and the provider that lost the race for the job is charged nothing.
pub type TxExtension = (
	frame_system::AuthorizeCall<Runtime>,
	frame_system::CheckNonZeroSender<Runtime>,
	frame_system::CheckSpecVersion<Runtime>,
	frame_system::CheckTxVersion<Runtime>,
	frame_system::CheckGenesis<Runtime>,
	frame_system::CheckEra<Runtime>,
	frame_system::CheckNonce<Runtime>,
	frame_system::CheckWeight<Runtime>,
	pallet_aitbc_jobs::CheckClaim<Runtime>,
	pallet_skip_feeless_payment::SkipCheckIfFeeless<
		Runtime,
		pallet_transaction_payment::ChargeTransactionPayment<Runtime>,
	>,
	frame_system::WeightReclaim<Runtime>,
);

/// Extrinsic as the runtime sees it.
pub type UncheckedExtrinsic =
	generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;
/// The payload signed by a transaction's sender.
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;

/// Migrations beyond the pallets' own; none yet.
type Migrations = ();

/// Dispatches blocks and extrinsics to the pallets.
pub type Executive = frame_executive::Executive<
	Runtime,
	Block,
	frame_system::ChainContext<Runtime>,
	Runtime,
	AllPalletsWithSystem,
	Migrations,
>;
