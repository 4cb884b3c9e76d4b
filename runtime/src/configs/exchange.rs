//! The market: quote assets (`pallet-assets` with holds from `pallet-assets-holder`) and the
//! order book that trades AIT against them (`pallet-aitbc-exchange`).
//!
//! Quote assets are created by governance only (`force_create`): nobody can issue an asset by
//! paying a deposit, so a pair's quote is always one governance chose. AIT is never an asset
//! here and the exchange never mints it.

use frame_support::{
	parameter_types,
	traits::{AsEnsureOriginWithArg, ConstU128, ConstU32},
};
use frame_system::{EnsureNever, EnsureRoot};

use super::compute::GovernanceOrigin;
use crate::{
	currency::MILLI_AIT, time::DAYS, AccountId, AssetsHolder, Balance, Balances, BlockNumber,
	Runtime, RuntimeEvent, RuntimeHoldReason,
};

/// A quote asset's id in `pallet-assets`.
pub type AssetId = u32;

/// The test stable asset of the development and local chains (never of a public one).
pub const TEST_USD: AssetId = 1;
/// Its decimals: one tUSD is 10^6 of its smallest unit.
pub const TEST_USD_DECIMALS: u8 = 6;

impl pallet_assets::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	/// Quote amounts share AIT's balance type (the exchange multiplies lots by prices in it).
	type Balance = Balance;
	type RemoveItemsLimit = ConstU32<1_000>;
	type AssetId = AssetId;
	type AssetIdParameter = codec::Compact<AssetId>;
	type ReserveData = ();
	type Currency = Balances;
	/// Only governance creates assets, with `force_create`.
	type CreateOrigin = AsEnsureOriginWithArg<EnsureNever<AccountId>>;
	type ForceOrigin = EnsureRoot<AccountId>;
	/// No signed origin may create an asset, so no creation deposit is ever taken.
	type AssetDeposit = ConstU128<0>;
	/// What `touch` reserves to open an account of a non-sufficient asset: it pays for the
	/// storage an account without AIT providers would otherwise hold for free.
	type AssetAccountDeposit = ConstU128<MILLI_AIT>;
	type MetadataDepositBase = ConstU128<MILLI_AIT>;
	type MetadataDepositPerByte = ConstU128<{ MILLI_AIT / 100 }>;
	/// Approvals are storage the approver creates: it is reserved until the approval ends.
	type ApprovalDeposit = ConstU128<MILLI_AIT>;
	type StringLimit = ConstU32<32>;
	type Freezer = ();
	/// Holds on quote assets: the funds of resting buy orders.
	type Holder = AssetsHolder;
	type Extra = ();
	type CallbackHandle = ();
	type AssetIdAllocator = ();
	type WeightInfo = pallet_assets::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = ();
}

impl pallet_assets_holder::Config for Runtime {
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeEvent = RuntimeEvent;
}

parameter_types! {
	/// Orders live at most a week.
	pub const MaxOrderLifetime: BlockNumber = 7 * DAYS;
}

impl pallet_aitbc_exchange::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type AssetId = AssetId;
	type Assets = crate::Assets;
	type AssetHolds = AssetsHolder;
	type RuntimeHoldReason = RuntimeHoldReason;
	type GovernanceOrigin = GovernanceOrigin;
	/// 64 prices a side: reading a side's levels is one 1 KiB value.
	type MaxLevels = ConstU32<64>;
	type MaxOrdersPerLevel = ConstU32<32>;
	type MaxOrdersPerAccount = ConstU32<32>;
	/// An order touches at most 8 resting orders (trades, its owner's orders it meets, or a
	/// worst level it evicts). Its worst case is what every placement is charged before the
	/// refund, and with fees of one planck per picosecond of weight that is about 5.3 mAIT
	/// (measured weights): a trader needs that much free AIT to place an order, and pays about
	/// 0.9 mAIT for one that rests without trading.
	type MaxFills = ConstU32<8>;
	/// A block's expiry work is bounded: at most 32 orders expire in one block.
	type MaxExpiriesPerBlock = ConstU32<32>;
	type MaxOrderLifetime = MaxOrderLifetime;
	type MaxRecentTrades = ConstU32<32>;
	type WeightInfo = pallet_aitbc_exchange::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = BenchmarkQuoteAsset;
}

/// The quote asset the exchange benchmarks trade: created by root, sufficient, minimum 1.
#[cfg(feature = "runtime-benchmarks")]
pub struct BenchmarkQuoteAsset;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_aitbc_exchange::BenchmarkHelper<AssetId> for BenchmarkQuoteAsset {
	fn create_quote_asset() -> AssetId {
		let id = 1_000;
		let owner = AccountId::from([0u8; 32]);
		let origin = frame_system::RawOrigin::Root.into();
		crate::Assets::force_create(origin, id.into(), owner.into(), true, 1)
			.expect("root creates a fresh asset id");
		id
	}
}
