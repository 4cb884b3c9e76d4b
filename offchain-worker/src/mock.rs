//! A test runtime: system and the probes pallet, with test probe keys (`UintAuthorityId`) and
//! a recorded list of providers standing in for the marketplace.

use crate as pallet_probes;
use crate::{ArtifactTarget, ProbeTarget, ProbeTargets};
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU32, ConstU64, Hooks, OneSessionHandler},
	weights::Weight,
};
use sp_runtime::{testing::UintAuthorityId, BuildStorage};

type Block = frame_system::mocking::MockBlock<Test>;
/// Extrinsics as the test runtime builds them (no extension data).
pub type Extrinsic = sp_runtime::testing::TestXt<RuntimeCall, ()>;

#[frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(RuntimeCall, RuntimeEvent, RuntimeError, RuntimeOrigin, RuntimeTask)]
	pub struct Test;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;

	#[runtime::pallet_index(1)]
	pub type Probes = pallet_probes;
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
}

impl<C> frame_system::offchain::CreateTransactionBase<C> for Test
where
	RuntimeCall: From<C>,
{
	type Extrinsic = Extrinsic;
	type RuntimeCall = RuntimeCall;
}

impl<C> frame_system::offchain::CreateTransaction<C> for Test
where
	RuntimeCall: From<C>,
{
	type Extension = ();
	fn create_transaction(call: RuntimeCall, extension: ()) -> Extrinsic {
		Extrinsic::new_transaction(call, extension)
	}
}

impl<C> frame_system::offchain::CreateAuthorizedTransaction<C> for Test
where
	RuntimeCall: From<C>,
{
	fn create_extension() {}
}

/// Blocks per round.
pub const ROUND: u64 = 5;

parameter_types! {
	/// The providers the marketplace would count as live.
	pub static Live: Vec<ProbeTarget<u64>> = Vec::new();
	/// Providers a quorum found down, in order.
	pub static MarkedDown: Vec<u64> = Vec::new();
	/// The artifacts of the receipts accepted in the current block.
	pub static Receipted: Vec<ArtifactTarget> = Vec::new();
	/// Jobs whose receipts may still fail (not final).
	pub static Failable: Vec<u64> = Vec::new();
	/// Jobs a quorum found unavailable, in order, and whether their receipt failed.
	pub static FailedReceipts: Vec<(u64, bool)> = Vec::new();
}

/// The marketplace's side, recorded.
pub struct RecordedTargets;
impl ProbeTargets<u64, u64> for RecordedTargets {
	fn live_providers(_now: u64) -> Vec<ProbeTarget<u64>> {
		Live::get()
	}
	fn provider_down(provider: &u64) {
		MarkedDown::mutate(|down| down.push(*provider));
	}
	fn provider_down_weight() -> Weight {
		Weight::from_parts(10_000_000, 1_000)
	}
	fn receipted_in(_block: u64) -> Vec<ArtifactTarget> {
		Receipted::get()
	}
	fn artifact_unavailable(job_id: u64) -> bool {
		let failed = Failable::get().contains(&job_id);
		Failable::mutate(|jobs| jobs.retain(|job| *job != job_id));
		FailedReceipts::mutate(|failed_jobs| failed_jobs.push((job_id, failed)));
		failed
	}
	fn artifact_unavailable_weight() -> Weight {
		Weight::from_parts(30_000_000, 2_000)
	}
}

impl pallet_probes::Config for Test {
	type AuthorityId = UintAuthorityId;
	type Targets = RecordedTargets;
	type MaxProbers = ConstU32<8>;
	type MaxFindings = ConstU32<3>;
	type RoundLength = ConstU64<ROUND>;
	type ProbeTimeoutMs = ConstU64<2_000>;
	type ReportPriority = ConstU64<{ u64::MAX / 2 }>;
	type WeightInfo = ();
}

/// A provider at `http://p<id>` serving the models whose manifests are `[id; 32]`.
pub fn target(id: u64) -> ProbeTarget<u64> {
	ProbeTarget {
		provider: id,
		endpoint: format!("http://p{id}").into_bytes(),
		manifests: vec![[id as u8; 32]],
	}
}

/// Starts a session whose validators have probe keys `keys` (positions 0, 1, …).
pub fn start_session(keys: &[u64]) {
	let accounts: Vec<u64> = keys.to_vec();
	let validators = accounts.iter().zip(keys.iter().map(|key| UintAuthorityId(*key)));
	<Probes as OneSessionHandler<u64>>::on_new_session(true, validators.clone(), validators);
}

pub fn new_test_ext() -> sp_io::TestExternalities {
	let storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| {
		System::set_block_number(1);
		Live::take();
		MarkedDown::take();
		Receipted::take();
		Failable::take();
		FailedReceipts::take();
	});
	ext
}

/// Runs `test`, then checks the pallet's invariants.
pub fn build_and_execute(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		Probes::do_try_state().expect("invariants hold");
	});
}

/// Moves to block `n`, running each block's idle hook with plenty of weight.
pub fn run_to_block(n: u64) {
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Probes::on_idle(next, Weight::MAX);
	}
}
