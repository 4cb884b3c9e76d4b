//! A test runtime: frame-system plus this pallet, root as governance, and a stake switch.

use crate as pallet_marketplace;
use core::cell::Cell;
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU32, ConstU64},
};
use sp_runtime::BuildStorage;

type Block = frame_system::mocking::MockBlock<Test>;

#[frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(RuntimeCall, RuntimeEvent, RuntimeError, RuntimeOrigin, RuntimeTask)]
	pub struct Test;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;

	#[runtime::pallet_index(1)]
	pub type Marketplace = pallet_marketplace;
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
}

thread_local! {
	static STAKE_REQUIRED: Cell<bool> = const { Cell::new(false) };
	static STAKED: Cell<u64> = const { Cell::new(u64::MAX) };
}

/// Stake switch for tests: `require_stake(Some(who))` requires stake and lets only `who` have it.
pub struct TestStake;
impl crate::ProviderStake<u64> for TestStake {
	fn stake_required() -> bool {
		STAKE_REQUIRED.with(Cell::get)
	}
	fn has_min_stake(who: &u64) -> bool {
		STAKED.with(Cell::get) == *who
	}
}

pub fn require_stake(staked: Option<u64>) {
	STAKE_REQUIRED.with(|c| c.set(staked.is_some()));
	STAKED.with(|c| c.set(staked.unwrap_or(u64::MAX)));
}

parameter_types! {
	pub const MaxModels: u32 = 4;
}

impl pallet_marketplace::Config for Test {
	type Balance = u128;
	type GovernanceOrigin = frame_system::EnsureRoot<u64>;
	type Stake = TestStake;
	type MaxModels = MaxModels;
	type MaxModelFiles = ConstU32<8>;
	type MaxNameLen = ConstU32<64>;
	type MaxModelsPerOffer = ConstU32<2>;
	type MaxWorkerKeys = ConstU32<3>;
	type MaxEndpointLen = ConstU32<128>;
	type MaxGpuSamples = ConstU32<5>;
	type LivenessWindow = ConstU64<10>;
	type MinHeartbeatInterval = ConstU64<3>;
	type MaxHeartbeatsPerBlock = ConstU32<2>;
	type MaxProvidersPerModel = ConstU32<3>;
	type MaxProbesPerPick = ConstU32<2>;
	type WeightInfo = ();
}

/// Test externalities; `try_state` runs after every test that uses [`new_test_ext`] via
/// [`ExtBuilder`]'s `build_and_execute`.
pub fn new_test_ext() -> sp_io::TestExternalities {
	require_stake(None);
	let storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Runs `test`, then checks the pallet's invariants.
pub fn build_and_execute(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		Marketplace::do_try_state().expect("try_state invariants hold");
	});
}
