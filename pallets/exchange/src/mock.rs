//! A test runtime: system, balances (AIT), assets with holds (the quote asset) and the exchange;
//! root governs.

use crate as pallet_exchange;
use frame_support::{
	derive_impl,
	traits::{fungibles::Mutate, AsEnsureOriginWithArg, ConstU32, ConstU64, Hooks},
};
use sp_runtime::BuildStorage;

type Block = frame_system::mocking::MockBlock<Test>;

#[frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeTask,
		RuntimeHoldReason,
		RuntimeFreezeReason
	)]
	pub struct Test;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;

	#[runtime::pallet_index(1)]
	pub type Balances = pallet_balances;

	#[runtime::pallet_index(2)]
	pub type Assets = pallet_assets;

	#[runtime::pallet_index(3)]
	pub type AssetsHolder = pallet_assets_holder;

	#[runtime::pallet_index(4)]
	pub type Exchange = pallet_exchange;
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<u128>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = u128;
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
}

#[derive_impl(pallet_assets::config_preludes::TestDefaultConfig)]
impl pallet_assets::Config for Test {
	type Balance = u128;
	type CreateOrigin = AsEnsureOriginWithArg<frame_system::EnsureSigned<u64>>;
	type ForceOrigin = frame_system::EnsureRoot<u64>;
	type Currency = Balances;
	type Holder = AssetsHolder;
}

impl pallet_assets_holder::Config for Test {
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeEvent = RuntimeEvent;
}

impl pallet_exchange::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type AssetId = u32;
	type Assets = Assets;
	type AssetHolds = AssetsHolder;
	type RuntimeHoldReason = RuntimeHoldReason;
	type GovernanceOrigin = frame_system::EnsureRoot<u64>;
	type MaxLevels = ConstU32<4>;
	type MaxOrdersPerLevel = ConstU32<3>;
	type MaxOrdersPerAccount = ConstU32<5>;
	type MaxFills = ConstU32<4>;
	type MaxExpiriesPerBlock = ConstU32<2>;
	type MaxOrderLifetime = ConstU64<100>;
	type MaxRecentTrades = ConstU32<3>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = QuoteAsset;
}

/// Creates the benchmarks' quote asset.
#[cfg(feature = "runtime-benchmarks")]
pub struct QuoteAsset;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_exchange::BenchmarkHelper<u32> for QuoteAsset {
	fn create_quote_asset() -> u32 {
		let id = 99;
		Assets::force_create(RuntimeOrigin::root(), id, 1, true, 1).unwrap();
		id
	}
}

/// The quote asset (a test stable coin).
pub const USD: u32 = 7;
/// AIT each test account starts with.
pub const AIT: u128 = 1_000_000;
/// Quote each test account starts with.
pub const CASH: u128 = 1_000_000;
/// The pair's terms: 10 AIT per lot, prices in steps of 5, orders of at least 1 lot.
pub const LOT: u128 = 10;
pub const TICK: u128 = 5;
/// Accounts 1-4 trade.
pub const ALICE: u64 = 1;
pub const BOB: u64 = 2;
pub const CAROL: u64 = 3;
pub const DAVE: u64 = 4;

/// AIT and quote for accounts 1-4, the quote asset, and pair 0 open; `try_state` after the test.
pub fn new_test_ext(test: impl FnOnce()) {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: (1..=4).map(|who| (who, AIT)).collect(),
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| {
		System::set_block_number(1);
		Assets::force_create(RuntimeOrigin::root(), USD, 1, true, 1).unwrap();
		for who in 1..=4 {
			Assets::mint_into(USD, &who, CASH).unwrap();
		}
		Exchange::create_pair(RuntimeOrigin::root(), USD, LOT, TICK, 1).unwrap();
		test();
		Exchange::do_try_state().expect("the book's invariants hold");
		assert_holds_match_orders();
	});
}

/// Runs blocks up to `n`, with the exchange's `on_initialize` (expiry).
pub fn run_to(n: u64) {
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Exchange::on_initialize(next);
	}
}

/// Balances only (the benchmarks create their own asset and pair).
#[cfg(feature = "runtime-benchmarks")]
pub fn new_bench_ext() -> sp_io::TestExternalities {
	let storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Every test account's holds equal what its resting orders lock (so no hold outlives its
/// order, which `try_state` cannot see for an account with no orders left).
pub fn assert_holds_match_orders() {
	for who in 1..=4u64 {
		Exchange::ensure_holds_match_orders(&who)
			.unwrap_or_else(|e| panic!("account {who}: {e:?}"));
	}
}
