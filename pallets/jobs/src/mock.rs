//! A test runtime: system, balances, the marketplace (root governance, no stake) and jobs.

use crate as pallet_jobs;
use frame_support::{derive_impl, parameter_types, traits::ConstU32};
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
	pub type Marketplace = pallet_aitbc_marketplace;

	#[runtime::pallet_index(3)]
	pub type Jobs = pallet_jobs;
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
	type ExistentialDeposit = ExistentialDeposit;
	type RuntimeHoldReason = RuntimeHoldReason;
}

impl pallet_aitbc_marketplace::Config for Test {
	type Balance = u128;
	type GovernanceOrigin = frame_system::EnsureRoot<u64>;
	type Stake = ();
	type MaxModels = ConstU32<4>;
	type MaxModelFiles = ConstU32<4>;
	type MaxNameLen = ConstU32<64>;
	type MaxModelsPerOffer = ConstU32<4>;
	type MaxWorkerKeys = ConstU32<2>;
	type MaxEndpointLen = ConstU32<64>;
	type MaxGpuSamples = ConstU32<8>;
	type LivenessWindow = frame_support::traits::ConstU64<100>;
	type MinHeartbeatInterval = frame_support::traits::ConstU64<10>;
	type MaxHeartbeatsPerBlock = ConstU32<8>;
	type MaxProvidersPerModel = ConstU32<8>;
	type MaxProbesPerPick = ConstU32<4>;
	type WeightInfo = ();
}

parameter_types! {
	pub const ExistentialDeposit: u128 = 5;
	pub const JobsPalletId: frame_support::PalletId = frame_support::PalletId(*b"aitb/job");
	pub const MaxPendingJobs: u32 = 4;
	pub const MaxOpenJobsPerAccount: u32 = 3;
	pub const MaxDeadlinesPerBlock: u32 = 2;
	pub const PendingTimeout: u64 = 20;
	pub const MaxUnclaimedPerBlock: u32 = 2;
}

impl pallet_jobs::Config for Test {
	type Currency = Balances;
	type PalletId = JobsPalletId;
	type Providers = Marketplace;
	type OnExpired = ();
	type MaxPromptLen = ConstU32<64>;
	type MaxPendingJobs = MaxPendingJobs;
	type MaxOpenJobsPerAccount = MaxOpenJobsPerAccount;
	type MaxDeadlinesPerBlock = MaxDeadlinesPerBlock;
	type MinDeadline = ConstU64<2>;
	type MaxDeadline = ConstU64<100>;
	type PendingTimeout = PendingTimeout;
	type MaxUnclaimedPerBlock = MaxUnclaimedPerBlock;
	type MaxBatchSize = ConstU32<4>;
	type MaxImagesPerShard = ConstU32<3>;
	type AcceptWindow = ConstU64<3>;
	type MaxReservationsPerBlock = ConstU32<2>;
	type WeightInfo = ();
}

use frame_support::traits::ConstU64;

pub const ALICE: u64 = 1; // client
pub const BOB: u64 = 2; // client
pub const PROVIDER: u64 = 10;
pub const OTHER_PROVIDER: u64 = 11;

/// Alice and Bob hold 1_000 each (test-only endowment); model 0 is registered; PROVIDER is
/// approved and serves it at price 2 with capacity 2; OTHER_PROVIDER has an offer but no
/// approval.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: vec![(ALICE, 1_000), (BOB, 1_000)],
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| {
		use aitbc_primitives::WorkerKey;
		use frame_support::BoundedVec;
		use pallet_aitbc_marketplace::{ModelFile, OfferTerms, PipelineKind};
		System::set_block_number(1);
		Marketplace::add_model(
			RuntimeOrigin::root(),
			BoundedVec::truncate_from(b"tiny".to_vec()),
			PipelineKind::TextToImage,
			BoundedVec::truncate_from(vec![ModelFile {
				path: BoundedVec::truncate_from(b"unet/model.onnx".to_vec()),
				sha256: [1; 32],
			}]),
			[2; 32],
			1_000,
			512,
			512,
			50,
		)
		.unwrap();
		for (who, key) in [(PROVIDER, 1u8), (OTHER_PROVIDER, 2u8)] {
			Marketplace::register_offer(
				RuntimeOrigin::signed(who),
				OfferTerms {
					models: BoundedVec::truncate_from(vec![0]),
					price_per_unit: 2,
					gpu_name: BoundedVec::truncate_from(b"cpu".to_vec()),
					gpu_memory_mib: 0,
					endpoint: BoundedVec::truncate_from(b"http://127.0.0.1:1".to_vec()),
					capacity: 2,
					max_pixels: 1_024 * 1_024,
					worker_keys: BoundedVec::truncate_from(vec![WorkerKey::Sr25519([key; 32])]),
				},
			)
			.unwrap();
		}
		Marketplace::approve_provider(RuntimeOrigin::root(), PROVIDER).unwrap();
	});
	ext
}

/// Runs `test`, then checks this pallet's and the marketplace's invariants.
pub fn build_and_execute(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		Jobs::do_try_state().expect("jobs invariants hold");
		// Nobody sends the escrow account AIT here, so it holds exactly the open payments.
		assert_eq!(
			<Balances as frame_support::traits::fungible::Inspect<u64>>::balance(
				&Jobs::escrow_account()
			),
			Jobs::escrowed()
		);
		Marketplace::do_try_state().expect("marketplace invariants hold");
	});
}

/// Advances to block `n`, running `on_initialize` of every block on the way.
pub fn run_to_block(n: u64) {
	use frame_support::traits::Hooks;
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Jobs::on_initialize(next);
		// The block's transactions would come here; the hub reserves after them.
		Jobs::on_idle(next, frame_support::weights::Weight::MAX);
	}
}
