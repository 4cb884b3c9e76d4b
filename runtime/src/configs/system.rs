//! `frame_system`: block limits and the account model.

use frame_support::{
	derive_impl,
	dispatch::DispatchClass,
	parameter_types,
	traits::ConstU32,
	weights::{
		constants::{ParityDbWeight, WEIGHT_REF_TIME_PER_MILLIS},
		Weight,
	},
};
use frame_system::limits::{BlockLength, BlockWeights};
use sp_runtime::Perbill;
use sp_version::RuntimeVersion;

use crate::{
	time::MILLISECS_PER_BLOCK, AccountId, Balance, Block, Hash, Nonce, PalletInfo, Runtime,
	RuntimeCall, RuntimeEvent, RuntimeOrigin, RuntimeTask, VERSION,
};

/// Share of a block that normal (non-operational) extrinsics may fill.
const NORMAL_DISPATCH_RATIO: Perbill = Perbill::from_percent(75);

/// Largest block, in bytes.
const MAX_BLOCK_LENGTH: u32 = 5 * 1024 * 1024;

/// Compute time a block may use: half of the block time, leaving the rest for propagation and
/// import on the other authorities.
const BLOCK_COMPUTE_MILLIS: u64 = MILLISECS_PER_BLOCK / 2;

parameter_types! {
	pub const BlockHashCount: u32 = 2400;
	pub const Version: RuntimeVersion = VERSION;
	/// Weight limits derived from the block time.
	pub RuntimeBlockWeights: BlockWeights = BlockWeights::with_sensible_defaults(
		Weight::from_parts(BLOCK_COMPUTE_MILLIS * WEIGHT_REF_TIME_PER_MILLIS, u64::MAX),
		NORMAL_DISPATCH_RATIO,
	);
	/// At most 5 MiB of extrinsics per block, of which normal extrinsics may fill 75%.
	pub RuntimeBlockLength: BlockLength = BlockLength::builder()
		.max_length(MAX_BLOCK_LENGTH)
		.modify_max_length_for_class(DispatchClass::Normal, |max| *max = NORMAL_DISPATCH_RATIO * MAX_BLOCK_LENGTH)
		.build();
	/// The generic Substrate SS58 prefix, so dev tooling shows familiar addresses.
	pub const SS58Prefix: u16 = 42;
}

#[derive_impl(frame_system::config_preludes::SolochainDefaultConfig)]
impl frame_system::Config for Runtime {
	/// The block type of this runtime.
	type Block = Block;
	/// Block weight limits.
	type BlockWeights = RuntimeBlockWeights;
	/// Block length limit.
	type BlockLength = RuntimeBlockLength;
	/// Accounts are sr25519/ed25519/ecdsa public keys.
	type AccountId = AccountId;
	/// Transaction counter type.
	type Nonce = Nonce;
	/// Block and trie hash type.
	type Hash = Hash;
	/// Number of recent block hashes kept (mortal transactions need them).
	type BlockHashCount = BlockHashCount;
	/// The node stores state in ParityDB.
	type DbWeight = ParityDbWeight;
	/// Runtime version.
	type Version = Version;
	/// Accounts carry AIT balances.
	type AccountData = pallet_balances::AccountData<Balance>;
	/// SS58 address prefix.
	type SS58Prefix = SS58Prefix;
	/// Maximum number of consumer references per account.
	type MaxConsumers = ConstU32<16>;
}
