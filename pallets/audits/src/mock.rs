//! A test runtime: system, balances, marketplace, jobs, receipts, staking and audits. Four
//! approved providers serve model 0, each with an sr25519 worker key; a challenge window of
//! 3 blocks, commit and reveal periods of 3 blocks each.

use crate as pallet_audits;
use aitbc_primitives::{ExecutionInfo, JobId, JobParams, Receipt, Scheduler, WorkerKey};
use frame_support::{
	assert_ok, derive_impl, parameter_types,
	traits::{ConstU32, ConstU64, Hooks},
	BoundedVec,
};
use sp_core::Pair;
use sp_keyring::Sr25519Keyring;
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
	pub type Marketplace = pallet_aitbc_marketplace;

	#[runtime::pallet_index(3)]
	pub type Jobs = pallet_aitbc_jobs;

	#[runtime::pallet_index(4)]
	pub type Receipts = pallet_aitbc_receipts;

	#[runtime::pallet_index(5)]
	pub type ProviderStaking = pallet_aitbc_staking;

	#[runtime::pallet_index(6)]
	pub type Audits = pallet_audits;
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
}

impl pallet_aitbc_jobs::Config for Test {
	type Currency = Balances;
	type PalletId = JobsPalletId;
	type Providers = Marketplace;
	type OnExpired = ProviderStaking;
	type MaxPromptLen = ConstU32<64>;
	type MaxPendingJobs = ConstU32<16>;
	type MaxOpenJobsPerAccount = ConstU32<8>;
	type MaxDeadlinesPerBlock = ConstU32<8>;
	type MinDeadline = ConstU64<2>;
	type MaxDeadline = ConstU64<100>;
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
	pub const ExpirySlash: Perbill = Perbill::from_percent(10);
	pub const FailedCheckSlash: Perbill = Perbill::from_percent(50);
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

/// Slashes and forfeited bonds: the AIT burned outside the receipts pallet.
pub struct BurnedElsewhere;
impl frame_support::traits::Get<u128> for BurnedElsewhere {
	fn get() -> u128 {
		pallet_aitbc_staking::TotalSlashed::<Test>::get()
			+ pallet_audits::TotalForfeited::<Test>::get()
	}
}

impl pallet_aitbc_receipts::Config for Test {
	type Currency = Balances;
	type Jobs = Jobs;
	type Providers = Marketplace;
	type GovernanceOrigin = frame_system::EnsureRoot<u64>;
	type ChallengeWindow = ConstU64<3>;
	type MaxReceiptsPerBlock = ConstU32<8>;
	type MaxProvidersPerBlock = ConstU32<4>;
	type MaxAttesters = ConstU32<2>;
	type MaxReceiptBatch = ConstU32<2>;
	type DefaultMaxPricePerUnit = DefaultMaxPricePerUnit;
	type BurnedElsewhere = BurnedElsewhere;
	type MintedElsewhere = pallet_audits::AuditorPay<Test>;
	type Audits = Audits;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = ReceiptsBenchHelper;
}

parameter_types! {
	/// Tests change the rate through governance; every receipt is audited by default.
	pub const DefaultAuditRate: Perbill = Perbill::from_percent(100);
	pub const AuditFailSlash: Perbill = Perbill::from_percent(50);
	pub const WrongVerdictSlash: Perbill = Perbill::from_percent(20);
	pub const SlashRewardShare: Perbill = Perbill::from_percent(50);
}

impl pallet_audits::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Receipts = Receipts;
	type Providers = Marketplace;
	type Staking = ProviderStaking;
	type GovernanceOrigin = frame_system::EnsureRoot<u64>;
	type DefaultAuditRate = DefaultAuditRate;
	type DefaultAlwaysAuditUnits = ConstU64<0>;
	type CommitPeriod = ConstU64<3>;
	type RevealPeriod = ConstU64<3>;
	type EscalationAuditors = ConstU32<2>;
	type MaxPanel = ConstU32<3>;
	type MaxAuditorsPerModel = ConstU32<4>;
	type MaxAuditsPerBlock = ConstU32<4>;
	type AuditFailSlash = AuditFailSlash;
	type WrongVerdictSlash = WrongVerdictSlash;
	type SlashRewardShare = SlashRewardShare;
	type MinChallengeBond = ConstU128<50>;
	// The real weights, so that tests see what a reveal is charged and refunded.
	type WeightInfo = crate::weights::SubstrateWeight<Test>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = BenchHelper;
}

use frame_support::traits::ConstU128;

/// The receipts pallet's benchmark helper is not used here (its benchmarks run in its own
/// crate); this one only satisfies the trait.
#[cfg(feature = "runtime-benchmarks")]
pub struct ReceiptsBenchHelper;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_aitbc_receipts::BenchmarkHelper<u64> for ReceiptsBenchHelper {
	fn assigned_job(provider: &u64, _worker_key: WorkerKey) -> JobId {
		submit_and_claim(ALICE, *provider)
	}
}

/// Providers and receipted jobs for this pallet's benchmarks.
#[cfg(feature = "runtime-benchmarks")]
pub struct BenchHelper;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_audits::BenchmarkHelper<u64> for BenchHelper {
	fn provider(who: &u64) -> u32 {
		use frame_support::traits::fungible::Mutate;
		// Benchmarks with components run again on a wiped state: recreate what the test
		// externalities set up.
		if pallet_aitbc_marketplace::ModelCount::<Test>::get() == 0 {
			Marketplace::benchmark_model();
		}
		if System::block_number() == 0 {
			System::set_block_number(1);
		}
		let mut seed = [2u8; 32];
		seed[..8].copy_from_slice(&who.to_le_bytes());
		let key = WorkerKey::Sr25519(sp_core::sr25519::Pair::from_seed(&seed).public().0);
		Marketplace::benchmark_provider(who, 0, 8, vec![key]);
		let _ = Balances::set_balance(who, 10_000);
		assert_ok!(ProviderStaking::bond(RuntimeOrigin::signed(*who), 1_000));
		0
	}

	fn receipted_job(provider: &u64, client: &u64) -> JobId {
		use frame_support::traits::fungible::Mutate;
		let _ = Balances::set_balance(client, 10_000);
		let job_id = submit_and_claim(*client, *provider);
		let mut seed = [2u8; 32];
		seed[..8].copy_from_slice(&provider.to_le_bytes());
		let pair = sp_core::sr25519::Pair::from_seed(&seed);
		let mut receipt = receipt_for(job_id, *provider, *client);
		receipt.worker_key = WorkerKey::Sr25519(pair.public().0);
		let signature =
			pallet_aitbc_receipts::KeySignature(pair.sign(&receipt.signing_message()).0);
		assert_ok!(Receipts::submit_receipt(
			RuntimeOrigin::signed(*provider),
			receipt,
			signature,
			BoundedVec::new()
		));
		job_id
	}
}

pub const ALICE: u64 = 1; // client
pub const BOB: u64 = 2; // client, challenger
/// The audited provider in most tests.
pub const PROVIDER: u64 = 10;
/// Providers that audit.
pub const AUDITOR_A: u64 = 11;
pub const AUDITOR_B: u64 = 12;
pub const AUDITOR_C: u64 = 13;
/// Every provider, with its worker key's keyring account.
pub const PROVIDERS: [(u64, Sr25519Keyring); 4] = [
	(PROVIDER, Sr25519Keyring::Alice),
	(AUDITOR_A, Sr25519Keyring::Bob),
	(AUDITOR_B, Sr25519Keyring::Charlie),
	(AUDITOR_C, Sr25519Keyring::Dave),
];
/// Test-only endowment: clients 1_000 each, providers 1_000 each (the real chain starts at 0).
pub const ENDOWMENT: u128 = 6_000;
/// The price every provider asks per unit.
pub const PRICE: u128 = 2;
/// A job's payment.
pub const PAYMENT: u128 = 100;
pub const PROMPT: &[u8] = b"a red circle on a blue background";

pub fn params() -> JobParams {
	JobParams {
		steps: 20,
		guidance_milli: 7_500,
		width: 256,
		height: 256,
		seed: 3,
		scheduler: Scheduler::Ddim,
	}
}

/// What a receipt of one test job mints: 5 units × price 2.
pub const RECEIPT_MINT: u128 = 10;

/// Every provider and client endowed; model 0 registered; all four providers approved with
/// an offer for it; no auditor registered yet.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let mut balances = vec![(ALICE, 1_000), (BOB, 1_000)];
	balances.extend(PROVIDERS.iter().map(|(who, _)| (*who, 1_000)));
	pallet_balances::GenesisConfig::<Test> { balances, ..Default::default() }
		.assimilate_storage(&mut storage)
		.unwrap();
	pallet_aitbc_receipts::GenesisConfig::<Test>::default()
		.assimilate_storage(&mut storage)
		.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| {
		use pallet_aitbc_marketplace::{ModelFile, OfferTerms, PipelineKind};
		System::set_block_number(1);
		assert_ok!(Marketplace::add_model(
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
		));
		for (who, keyring) in PROVIDERS {
			assert_ok!(Marketplace::register_offer(
				RuntimeOrigin::signed(who),
				OfferTerms {
					models: BoundedVec::truncate_from(vec![0]),
					price_per_unit: PRICE,
					gpu_name: BoundedVec::truncate_from(b"cpu".to_vec()),
					gpu_memory_mib: 0,
					endpoint: BoundedVec::truncate_from(b"http://127.0.0.1:1".to_vec()),
					capacity: 4,
					max_pixels: 1_024 * 1_024,
					worker_keys: BoundedVec::truncate_from(vec![WorkerKey::Sr25519(
						keyring.public().0
					)]),
				},
			));
			assert_ok!(Marketplace::approve_provider(RuntimeOrigin::root(), who));
		}
	});
	ext
}

/// Runs `test`, then checks every pallet's invariants and the issuance ledger.
pub fn build_and_execute(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		check_invariants();
	});
}

/// Every pallet's invariants, and the issuance ledger:
/// total issuance = endowment + receipts minted + auditors paid − burned − slashed − forfeited.
pub fn check_invariants() {
	Audits::do_try_state().expect("audits invariants hold");
	pallet_aitbc_receipts::Pallet::<Test>::do_try_state().expect("receipts invariants hold");
	ProviderStaking::do_try_state().expect("staking invariants hold");
	Jobs::do_try_state().expect("jobs invariants hold");
	assert_eq!(Balances::free_balance(Jobs::escrow_account()), Jobs::escrowed());
	Marketplace::do_try_state().expect("marketplace invariants hold");
	assert_eq!(
		Balances::total_issuance(),
		ENDOWMENT
			+ pallet_aitbc_receipts::TotalMinted::<Test>::get()
			+ pallet_audits::TotalAuditorPay::<Test>::get()
			- pallet_aitbc_receipts::TotalBurned::<Test>::get()
			- pallet_aitbc_staking::TotalSlashed::<Test>::get()
			- pallet_audits::TotalForfeited::<Test>::get(),
		"issuance = endowment + minted + auditors paid - burned - slashed - forfeited"
	);
}

/// Advances to block `n`, running every pallet's `on_initialize` on the way (the parent hash
/// changes each block, as it would on a chain).
pub fn run_to_block(n: u64) {
	while System::block_number() < n {
		let next = System::block_number() + 1;
		let parent = sp_core::H256::from(sp_io::hashing::blake2_256(&next.to_le_bytes()));
		System::initialize(&next, &parent, &Default::default());
		Jobs::on_initialize(next);
		Receipts::on_initialize(next);
		ProviderStaking::on_initialize(next);
		Audits::on_initialize(next);
		// The block's transactions would come here; the hub reserves after them.
		Jobs::on_idle(next, frame_support::weights::Weight::MAX);
	}
}

/// `client` submits a job paying [`PAYMENT`]; `provider` claims it.
pub fn submit_and_claim(client: u64, provider: u64) -> JobId {
	let id = pallet_aitbc_jobs::NextJobId::<Test>::get();
	assert_ok!(Jobs::submit_job(
		RuntimeOrigin::signed(client),
		0,
		BoundedVec::truncate_from(PROMPT.to_vec()),
		params(),
		10,
		PAYMENT,
		20
	));
	assert_ok!(Jobs::claim_job(RuntimeOrigin::signed(provider), id));
	id
}

/// The receipt `provider`'s worker signs for `job_id` of `client` (unsigned).
pub fn receipt_for(job_id: JobId, provider: u64, client: u64) -> Receipt<u64> {
	let keyring = PROVIDERS.iter().find(|(who, _)| *who == provider).map(|(_, k)| *k);
	Receipt {
		job_id,
		provider,
		worker_key: WorkerKey::Sr25519(keyring.unwrap_or(Sr25519Keyring::Eve).public().0),
		client,
		model_id: 0,
		units: 5_000,
		gpu_ms: 800,
		prompt_hash: aitbc_primitives::prompt_hash(PROMPT),
		params_hash: params().hash(),
		artifact_sha256: [0xab; 32],
		started_at: 1,
		finished_at: 2,
		nonce: job_id,
		genesis_hash: System::block_hash(0).0,
		execution: ExecutionInfo {
			execution_provider: BoundedVec::truncate_from(b"CPUExecutionProvider".to_vec()),
			device: BoundedVec::truncate_from(b"cpu".to_vec()),
			runtime_version: BoundedVec::truncate_from(b"onnxruntime 1.31.1".to_vec()),
		},
	}
}

/// `client`'s job served by `provider`: submitted, claimed and receipted in the current
/// block. Returns its id.
pub fn receipted_job(client: u64, provider: u64) -> JobId {
	let job_id = submit_and_claim(client, provider);
	let receipt = receipt_for(job_id, provider, client);
	let keyring = PROVIDERS.iter().find(|(who, _)| *who == provider).unwrap().1;
	let signature =
		pallet_aitbc_receipts::KeySignature(keyring.pair().sign(&receipt.signing_message()).0);
	assert_ok!(Receipts::submit_receipt(
		RuntimeOrigin::signed(provider),
		receipt,
		signature,
		BoundedVec::new()
	));
	job_id
}

/// Registers `who` as auditors of model 0.
pub fn register_auditors(who: &[u64]) {
	for auditor in who {
		assert_ok!(Audits::register_auditor(RuntimeOrigin::signed(*auditor), 0));
	}
}

/// A fixed salt per auditor.
pub fn salt_of(auditor: u64) -> [u8; 32] {
	[auditor as u8; 32]
}

/// `auditor` commits to `verdict` on `job_id`.
pub fn commit(auditor: u64, job_id: JobId, verdict: aitbc_primitives::AuditVerdict) {
	let commitment =
		aitbc_primitives::verdict_commitment(job_id, &auditor, verdict, &salt_of(auditor));
	assert_ok!(Audits::commit_verdict(RuntimeOrigin::signed(auditor), job_id, commitment));
}

/// `auditor` reveals `verdict` on `job_id`.
pub fn reveal(auditor: u64, job_id: JobId, verdict: aitbc_primitives::AuditVerdict) {
	assert_ok!(Audits::reveal_verdict(
		RuntimeOrigin::signed(auditor),
		job_id,
		verdict,
		salt_of(auditor)
	));
}
