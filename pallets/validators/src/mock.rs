//! A test runtime: system, balances, the real `pallet-session` (sessions of `PERIOD` blocks)
//! managed by the validators pallet; root governs.

use crate as pallet_validators;
use crate::SessionLengthOf;
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU128, ConstU32, ConstU64, Hooks},
};
use sp_runtime::{testing::UintAuthorityId, traits::ConvertInto, BuildStorage, Perbill};

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

	// Before the session pallet: its genesis asks this pallet for the first sets.
	#[runtime::pallet_index(2)]
	pub type Validators = pallet_validators;

	#[runtime::pallet_index(3)]
	pub type Session = pallet_session;
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

/// Blocks per session.
pub const PERIOD: u64 = 10;

parameter_types! {
	pub const Offset: u64 = 0;
	pub const MinEquivocationSlash: Perbill = Perbill::from_percent(10);
	/// The last stall governance declared: (delay, best finalized).
	pub static NotedStall: Option<(u64, u64)> = None;
	/// The validators of the current session, as the session handler last saw them.
	pub static SessionValidators: Vec<u64> = Vec::new();
}

/// Records each session's validators (what Aura and GRANDPA would be told).
pub struct RecordingSessionHandler;
impl pallet_session::SessionHandler<u64> for RecordingSessionHandler {
	const KEY_TYPE_IDS: &'static [sp_runtime::KeyTypeId] = &[sp_core::crypto::key_types::DUMMY];
	fn on_genesis_session<K: sp_runtime::traits::OpaqueKeys>(validators: &[(u64, K)]) {
		SessionValidators::set(validators.iter().map(|(who, _)| *who).collect());
	}
	fn on_new_session<K: sp_runtime::traits::OpaqueKeys>(
		_changed: bool,
		validators: &[(u64, K)],
		_queued: &[(u64, K)],
	) {
		SessionValidators::set(validators.iter().map(|(who, _)| *who).collect());
	}
	fn on_disabled(_: u32) {}
}

impl pallet_session::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type ValidatorId = u64;
	type ValidatorIdOf = ConvertInto;
	type ShouldEndSession = pallet_session::PeriodicSessions<SessionLengthOf<Test>, Offset>;
	type NextSessionRotation = pallet_session::PeriodicSessions<SessionLengthOf<Test>, Offset>;
	type SessionManager = Validators;
	type SessionHandler = RecordingSessionHandler;
	type Keys = UintAuthorityId;
	type DisablingStrategy = ();
	type WeightInfo = ();
	type Currency = Balances;
	type KeyDeposit = ConstU128<0>;
}

impl pallet_validators::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type GovernanceOrigin = frame_system::EnsureRoot<u64>;
	type ValidatorRegistration = Session;
	type MaxAuthorities = ConstU32<4>;
	type MaxCandidates = ConstU32<4>;
	type MinValidators = ConstU32<2>;
	/// Not `PERIOD`: the genesis config's `session_length` must win.
	type DefaultSessionLength = ConstU64<1_000>;
	type KickThreshold = ConstU32<2>;
	type BondUnlockDelay = ConstU32<3>;
	type MinEquivocationSlash = MinEquivocationSlash;
	type FinalityStall = RecordStall;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockKeys;
}

/// Records what GRANDPA would be told.
pub struct RecordStall;
impl pallet_validators::NoteFinalityStall<u64> for RecordStall {
	fn note_stalled(delay: u64, best_finalized: u64) {
		NotedStall::set(Some((delay, best_finalized)));
	}
}

/// Session keys for benchmark accounts.
#[cfg(feature = "runtime-benchmarks")]
pub struct MockKeys;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_validators::BenchmarkHelper<u64> for MockKeys {
	fn set_session_keys(who: &u64) {
		set_keys(*who);
	}
}

/// The genesis authorities.
pub const AUTHORITIES: [u64; 2] = [1, 2];
/// Accounts that may become candidates.
pub const ALICE: u64 = 10;
pub const BOB: u64 = 11;
pub const CAROL: u64 = 12;
pub const DAVE: u64 = 13;
pub const EVE: u64 = 14;
/// An account without session keys.
pub const KEYLESS: u64 = 20;
/// The genesis bond floor.
pub const FLOOR: u128 = 100;
/// Test-only endowment (the real chain starts at zero).
pub const ENDOWMENT: u128 = 10_000;

pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let accounts = [1, 2, ALICE, BOB, CAROL, DAVE, EVE, KEYLESS];
	pallet_balances::GenesisConfig::<Test> {
		balances: accounts.iter().map(|who| (*who, ENDOWMENT)).collect(),
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	pallet_validators::GenesisConfig::<Test> {
		authorities: AUTHORITIES.to_vec(),
		desired_candidates: 2,
		candidacy_bond: FLOOR,
		session_length: PERIOD,
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	pallet_session::GenesisConfig::<Test> {
		keys: AUTHORITIES.iter().map(|who| (*who, *who, UintAuthorityId(*who))).collect(),
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Runs `test`, then the pallet's `try_state` invariants.
pub fn build_and_execute(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		pallet_validators::Pallet::<Test>::do_try_state().expect("try_state invariants hold");
	});
}

/// Sets `who`'s session keys as `session.setKeys` would.
pub fn set_keys(who: u64) {
	frame_support::assert_ok!(Session::set_keys(
		RuntimeOrigin::signed(who),
		UintAuthorityId(who),
		Vec::new()
	));
}

/// Runs blocks up to `target`, the session pallet's hooks included; `author` (when some)
/// authors every block.
pub fn run_to_block(target: u64, author: Option<u64>) {
	while System::block_number() < target {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Session::on_initialize(next);
		if let Some(author) = author {
			<Validators as pallet_authorship::EventHandler<u64, u64>>::note_author(author);
		}
	}
}

/// Runs to the first block of session `index`.
pub fn run_to_session(index: u32, author: Option<u64>) {
	run_to_block(index as u64 * PERIOD, author);
}
