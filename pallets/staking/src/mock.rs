//! A test runtime: system, balances and provider staking; root governs.

use crate as pallet_staking;
use frame_support::{
	derive_impl,
	traits::{ConstU32, ConstU64},
};
use sp_runtime::{BuildStorage, Perbill};

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
	pub type Staking = pallet_staking;
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

frame_support::parameter_types! {
	pub const ExpirySlash: Perbill = Perbill::from_percent(1);
	pub const FailedCheckSlash: Perbill = Perbill::from_percent(50);
}

impl pallet_staking::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type GovernanceOrigin = frame_system::EnsureRoot<u64>;
	type UnbondingPeriod = ConstU64<10>;
	type MaxUnbondingChunks = ConstU32<2>;
	type ExpirySlash = ExpirySlash;
	type FailedCheckSlash = FailedCheckSlash;
	type WeightInfo = ();
}

pub const PROVIDER: u64 = 1;
pub const OTHER: u64 = 2;
/// Test-only endowment (the real chain starts at zero).
pub const ENDOWMENT: u128 = 20_000;

pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: vec![(PROVIDER, 10_000), (OTHER, 10_000)],
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Runs `test`, then checks the invariants and "issuance = endowment − slashed".
pub fn build_and_execute(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		Staking::do_try_state().expect("staking invariants hold");
		assert_eq!(
			Balances::total_issuance(),
			ENDOWMENT - pallet_staking::TotalSlashed::<Test>::get(),
			"slashes are burned"
		);
	});
}
