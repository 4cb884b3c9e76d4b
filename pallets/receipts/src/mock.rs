//! A test runtime: system, balances, marketplace, jobs and receipts; a challenge window of 3 blocks.

use crate as pallet_receipts;
use frame_support::{derive_impl, parameter_types, traits::ConstU32};
use sp_core::Pair;
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
	pub type Jobs = pallet_aitbc_jobs;

	#[runtime::pallet_index(4)]
	pub type Receipts = pallet_receipts;

	#[runtime::pallet_index(5)]
	pub type ProviderStaking = pallet_aitbc_staking;
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
	pub const JobsPalletId: frame_support::PalletId = frame_support::PalletId(*b"aitb/job");
	pub const MaxPendingJobs: u32 = 4;
	pub const MaxOpenJobsPerAccount: u32 = 3;
	pub const MaxDeadlinesPerBlock: u32 = 2;
}

impl pallet_aitbc_jobs::Config for Test {
	type Currency = Balances;
	type PalletId = JobsPalletId;
	type Providers = Marketplace;
	type OnExpired = ProviderStaking;
	type MaxPromptLen = ConstU32<64>;
	type MaxPendingJobs = MaxPendingJobs;
	type MaxOpenJobsPerAccount = MaxOpenJobsPerAccount;
	type MaxDeadlinesPerBlock = MaxDeadlinesPerBlock;
	type MinDeadline = ConstU64<2>;
	type MaxDeadline = ConstU64<100>;
	// Longer than any test here runs, so no pending job ends unclaimed under the receipts tests.
	type PendingTimeout = ConstU64<10_000>;
	type MaxUnclaimedPerBlock = ConstU32<2>;
	type MaxBatchSize = ConstU32<4>;
	type MaxImagesPerShard = ConstU32<4>;
	type AcceptWindow = ConstU64<3>;
	type MaxReservationsPerBlock = ConstU32<4>;
	type WeightInfo = ();
}

parameter_types! {
	pub const DefaultMaxPricePerUnit: u128 = 1_000;
	pub const ExpirySlash: sp_runtime::Perbill = sp_runtime::Perbill::from_percent(10);
	pub const FailedCheckSlash: sp_runtime::Perbill = sp_runtime::Perbill::from_percent(50);
	/// Tests lower these to reach the bounds.
	pub static MaxReceiptsPerBlock: u32 = 3;
	pub static MaxProvidersPerBlock: u32 = 2;
}

impl pallet_aitbc_staking::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type GovernanceOrigin = frame_system::EnsureRoot<u64>;
	type UnbondingPeriod = ConstU64<4>;
	type MaxUnbondingChunks = ConstU32<4>;
	type ExpirySlash = ExpirySlash;
	type FailedCheckSlash = FailedCheckSlash;
	type WeightInfo = ();
}

impl pallet_receipts::Config for Test {
	type Currency = Balances;
	type Jobs = Jobs;
	type Providers = Marketplace;
	type GovernanceOrigin = frame_system::EnsureRoot<u64>;
	type ChallengeWindow = ConstU64<3>;
	type MaxReceiptsPerBlock = MaxReceiptsPerBlock;
	type MaxProvidersPerBlock = MaxProvidersPerBlock;
	type MaxAttesters = ConstU32<2>;
	type MaxReceiptBatch = ConstU32<2>;
	type DefaultMaxPricePerUnit = DefaultMaxPricePerUnit;
	type BurnedElsewhere = pallet_aitbc_staking::Slashed<Test>;
	type MintedElsewhere = ();
	type Audits = ();
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = BenchHelper;
}

/// Assigned jobs for the benchmarks: the provider gets an offer for model 0 with the worker
/// key, ALICE submits, the provider claims.
#[cfg(feature = "runtime-benchmarks")]
pub struct BenchHelper;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_receipts::BenchmarkHelper<u64> for BenchHelper {
	fn assigned_job(
		provider: &u64,
		worker_key: aitbc_primitives::WorkerKey,
	) -> aitbc_primitives::JobId {
		use aitbc_primitives::{JobParams, Scheduler};
		use frame_support::traits::fungible::Mutate;
		use frame_support::BoundedVec;
		// The benchmarks run on a wiped state: create what the job needs.
		let model = match pallet_aitbc_marketplace::ModelCount::<Test>::get() {
			0 => Marketplace::benchmark_model(),
			_ => 0,
		};
		Marketplace::benchmark_provider(provider, model, 1, vec![worker_key]);
		let job_id = pallet_aitbc_jobs::NextJobId::<Test>::get();
		let client = 1_000 + job_id;
		Balances::set_balance(&client, 10_000);
		let params = JobParams {
			steps: 20,
			guidance_milli: 7_500,
			width: 256,
			height: 256,
			seed: 1,
			scheduler: Scheduler::Ddim,
		};
		Jobs::submit_job(
			RuntimeOrigin::signed(client),
			model,
			BoundedVec::truncate_from(b"p".to_vec()),
			params,
			10,
			100,
			// Spread deadlines: a block holds two.
			20 + job_id % 16,
		)
		.expect("job submitted");
		Jobs::claim_job(RuntimeOrigin::signed(*provider), job_id).expect("job claimed");
		job_id
	}
}

/// Test externalities with a keystore, for the benchmarks' signatures.
#[cfg(feature = "runtime-benchmarks")]
pub fn new_bench_ext() -> sp_io::TestExternalities {
	let mut ext = new_test_ext();
	ext.register_extension(sp_keystore::KeystoreExt::new(
		sp_keystore::testing::MemoryKeystore::new(),
	));
	ext
}

use frame_support::traits::ConstU64;

pub const ALICE: u64 = 1; // client
pub const BOB: u64 = 2; // client
pub const PROVIDER: u64 = 10;
pub const OTHER_PROVIDER: u64 = 11;
/// Test-only endowment of the clients (the real chain starts at zero).
pub const ENDOWMENT: u128 = 2_000;

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
	// Records the endowment as genesis issuance (the real chains' is zero).
	pallet_receipts::GenesisConfig::<Test>::default().assimilate_storage(&mut storage).unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| {
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
		for (who, key) in [(PROVIDER, provider_key()), (OTHER_PROVIDER, other_provider_key())] {
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
					worker_keys: BoundedVec::truncate_from(vec![key]),
				},
			)
			.unwrap();
		}
		Marketplace::approve_provider(RuntimeOrigin::root(), PROVIDER).unwrap();
		Marketplace::approve_provider(RuntimeOrigin::root(), OTHER_PROVIDER).unwrap();
	});
	ext
}

/// The sr25519 worker key of PROVIDER (the well-known `//Alice` key pair).
pub fn provider_pair() -> sp_core::sr25519::Pair {
	sp_keyring::Sr25519Keyring::Alice.pair()
}

/// PROVIDER's registered worker key.
pub fn provider_key() -> aitbc_primitives::WorkerKey {
	aitbc_primitives::WorkerKey::Sr25519(provider_pair().public().0)
}

/// OTHER_PROVIDER's registered worker key (ed25519 `//Bob`).
pub fn other_provider_pair() -> sp_core::ed25519::Pair {
	sp_keyring::Ed25519Keyring::Bob.pair()
}

/// OTHER_PROVIDER's registered worker key.
pub fn other_provider_key() -> aitbc_primitives::WorkerKey {
	aitbc_primitives::WorkerKey::Ed25519(other_provider_pair().public().0)
}

/// Runs `test`, then checks the invariants of receipts, jobs and marketplace, and that total
/// issuance is exactly the test endowment plus what receipts minted.
pub fn build_and_execute(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		check_invariants();
	});
}

/// Every pallet's invariants, and the issuance ledger:
/// total issuance = endowment + minted − burned − slashed.
pub fn check_invariants() {
	{
		Receipts::do_try_state().expect("receipts invariants hold");
		ProviderStaking::do_try_state().expect("staking invariants hold");
		Jobs::do_try_state().expect("jobs invariants hold");
		// Nobody sends the escrow account AIT here, so it holds exactly the open payments.
		assert_eq!(Balances::free_balance(Jobs::escrow_account()), Jobs::escrowed());
		Marketplace::do_try_state().expect("marketplace invariants hold");
		assert_eq!(
			Balances::total_issuance(),
			ENDOWMENT + pallet_receipts::TotalMinted::<Test>::get()
				- pallet_receipts::TotalBurned::<Test>::get()
				- pallet_aitbc_staking::TotalSlashed::<Test>::get(),
			"issuance = endowment + minted - burned - slashed"
		);
	}
}

/// Advances to block `n`, running the pallets' `on_initialize` of every block on the way.
pub fn run_to_block(n: u64) {
	use frame_support::traits::Hooks;
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Jobs::on_initialize(next);
		Receipts::on_initialize(next);
		ProviderStaking::on_initialize(next);
		// The block's transactions would come here; the hub reserves after them.
		Jobs::on_idle(next, frame_support::weights::Weight::MAX);
	}
}
