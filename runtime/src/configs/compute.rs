//! The compute economy: marketplace, jobs, receipts (the only issuance) and provider staking.

use frame_support::{
	parameter_types,
	traits::{ConstU32, EitherOfDiverse, SortedMembers},
	PalletId,
};
use frame_system::{EnsureRoot, EnsureSignedBy};
use sp_runtime::Perbill;

use crate::{
	currency::MILLI_AIT,
	time::{DAYS, HOURS, SECONDS},
	AccountId, Audits, Balance, Balances, BlockNumber, Jobs, Marketplace, ProviderStaking, Runtime,
	RuntimeHoldReason,
};

/// The sudo key, as a one-member set.
pub struct SudoKey;
impl SortedMembers<AccountId> for SudoKey {
	fn sorted_members() -> alloc::vec::Vec<AccountId> {
		pallet_sudo::Key::<Runtime>::get().into_iter().collect()
	}
}

/// Bootstrap governance: root (a sudo call) or the sudo key signing directly. The latter makes
/// governance calls possible while nobody holds AIT: they are feeless for this origin.
pub type GovernanceOrigin =
	EitherOfDiverse<EnsureRoot<AccountId>, EnsureSignedBy<SudoKey, AccountId>>;

parameter_types! {
	/// Shortest time a provider gets to serve a claimed job: 10 s.
	pub const MinJobDeadline: BlockNumber = 10 * SECONDS;
	/// Longest: one hour.
	pub const MaxJobDeadline: BlockNumber = HOURS;
	/// A job no provider claims within an hour ends and is refunded.
	pub const PendingJobTimeout: BlockNumber = HOURS;
	/// Blocks a receipt waits for spot-checks and challenges before it mints: 5 s, which
	/// keeps submit-to-final-mint of an unaudited job under 10 s. A challenger is a watching
	/// process, not a person: 5 blocks are enough to see a receipt and send a challenge.
	pub const ChallengeWindow: BlockNumber = 5 * SECONDS;
	/// Price cap per compute unit for minting, until governance changes it: 1 mAIT.
	pub const DefaultMaxPricePerUnit: Balance = MILLI_AIT;
	/// Unbonding takes a day.
	pub const UnbondingPeriod: BlockNumber = DAYS;
	/// A missed deadline costs 1% of the provider's stake.
	pub const ExpirySlash: Perbill = Perbill::from_percent(1);
	/// A failed spot-check costs half of it.
	pub const FailedCheckSlash: Perbill = Perbill::from_percent(50);
	/// The jobs pallet's escrow account, which holds the payments of open jobs.
	pub const JobsPalletId: PalletId = PalletId(*b"aitb/job");
}

impl pallet_aitbc_marketplace::Config for Runtime {
	type Balance = Balance;
	type GovernanceOrigin = GovernanceOrigin;
	type Stake = ProviderStaking;
	type MaxModels = ConstU32<256>;
	type MaxModelFiles = ConstU32<16>;
	type MaxNameLen = ConstU32<128>;
	type MaxModelsPerOffer = ConstU32<16>;
	type MaxWorkerKeys = ConstU32<8>;
	type MaxEndpointLen = ConstU32<256>;
	type MaxGpuSamples = ConstU32<32>;
	// Two minutes of 1 s blocks: a worker heartbeats every minute when idle (half the
	// window, so one lost heartbeat does not take it offline), at most once per 30 blocks.
	type LivenessWindow = ConstU32<120>;
	type MinHeartbeatInterval = ConstU32<30>;
	type MaxHeartbeatsPerBlock = ConstU32<64>;
	// A model's rotation holds 512 providers (16 KiB); a pick asks at most 8 of them, so
	// assigning a job reads at most 8 offers whatever the network's size.
	type MaxProvidersPerModel = ConstU32<512>;
	type MaxProbesPerPick = ConstU32<8>;
	type WeightInfo = pallet_aitbc_marketplace::weights::SubstrateWeight<Runtime>;
}

impl pallet_aitbc_jobs::Config for Runtime {
	type Currency = Balances;
	type PalletId = JobsPalletId;
	type Providers = Marketplace;
	type OnExpired = ProviderStaking;
	type MaxPromptLen = ConstU32<1024>;
	type MaxPendingJobs = ConstU32<4096>;
	type MaxOpenJobsPerAccount = ConstU32<16>;
	type MaxDeadlinesPerBlock = ConstU32<1024>;
	type MinDeadline = MinJobDeadline;
	type MaxDeadline = MaxJobDeadline;
	type PendingTimeout = PendingJobTimeout;
	type MaxUnclaimedPerBlock = ConstU32<64>;
	/// A batch job holds up to 64 images, served as up to 64 shards.
	type MaxBatchSize = ConstU32<64>;
	/// Eight images to a shard: a shard's auditor re-runs all of them within the audits'
	/// commit period, and eight already cut the chain's work per image eightfold.
	type MaxImagesPerShard = ConstU32<8>;
	/// A worker sees a job reserved for it in the block that reserves it and claims it in
	/// the next: 5 blocks leave room for a slow connection before the job goes elsewhere.
	type AcceptWindow = ConstU32<5>;
	/// Up to 64 jobs reserved per block, a full batch, from the weight left after the
	/// block's transactions.
	type MaxReservationsPerBlock = ConstU32<64>;
	type WeightInfo = pallet_aitbc_jobs::weights::SubstrateWeight<Runtime>;
}

impl pallet_aitbc_receipts::Config for Runtime {
	type Currency = Balances;
	type Jobs = Jobs;
	type Providers = Marketplace;
	type GovernanceOrigin = GovernanceOrigin;
	type ChallengeWindow = ChallengeWindow;
	/// 18 full batches: more than a 1 s block can accept while it also finalizes as many
	/// (about 1,000), so the slot is not what limits sustained throughput. Finalizing 1152
	/// receipts of 320 providers takes about 318 ms of the block's 500 ms of compute with the
	/// weights measured here (the pallet's integrity test fails above two thirds). Raise both
	/// with weights from a faster machine.
	type MaxReceiptsPerBlock = ConstU32<1152>;
	type MaxProvidersPerBlock = ConstU32<320>;
	type MaxAttesters = ConstU32<16>;
	/// A batch shares its per-transaction costs (the transaction, the finalization slot, and at
	/// finalization the provider's one mint and payout) over up to 64 receipts.
	type MaxReceiptBatch = ConstU32<64>;
	type DefaultMaxPricePerUnit = DefaultMaxPricePerUnit;
	type BurnedElsewhere = super::audits::BurnedOutsideReceipts;
	type MintedElsewhere = pallet_aitbc_audits::AuditorPay<Runtime>;
	type Audits = Audits;
	type WeightInfo = pallet_aitbc_receipts::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = ReceiptsBenchmarkHelper;
}

impl pallet_aitbc_staking::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type GovernanceOrigin = GovernanceOrigin;
	type UnbondingPeriod = UnbondingPeriod;
	type MaxUnbondingChunks = ConstU32<16>;
	type ExpirySlash = ExpirySlash;
	type FailedCheckSlash = FailedCheckSlash;
	type WeightInfo = pallet_aitbc_staking::weights::SubstrateWeight<Runtime>;
}

/// Assigned jobs for the receipts benchmarks, through the real marketplace and jobs pallets.
#[cfg(feature = "runtime-benchmarks")]
pub struct ReceiptsBenchmarkHelper;

#[cfg(feature = "runtime-benchmarks")]
impl pallet_aitbc_receipts::BenchmarkHelper<AccountId> for ReceiptsBenchmarkHelper {
	fn assigned_job(
		provider: &AccountId,
		worker_key: aitbc_primitives::WorkerKey,
	) -> aitbc_primitives::JobId {
		use crate::{currency::AIT, Marketplace, RuntimeOrigin};
		use aitbc_primitives::{JobParams, Scheduler};
		use frame_support::{traits::fungible::Mutate, BoundedVec};

		let model = match pallet_aitbc_marketplace::ModelCount::<Runtime>::get() {
			0 => Marketplace::benchmark_model(),
			_ => 0,
		};
		Marketplace::benchmark_provider(provider, model, 1, alloc::vec![worker_key]);
		let job_id = pallet_aitbc_jobs::NextJobId::<Runtime>::get();
		let client: AccountId = frame_benchmarking::account("client", job_id as u32, 0);
		Balances::set_balance(&client, AIT);
		let params = JobParams {
			steps: 50,
			guidance_milli: 7_500,
			width: 512,
			height: 512,
			seed: 1,
			scheduler: Scheduler::Ddim,
		};
		// Spread deadlines so thousands of claims in one block stay within the per-block bound.
		let deadline = MinJobDeadline::get() + (job_id % 256) as BlockNumber;
		let prompt = BoundedVec::truncate_from(alloc::vec![b'p'; 1024]);
		// The one shard of a batch: finalizing it also records its receipt in the batch and
		// completes it, the most a job's finalization does.
		let _ = Jobs::submit_batch(
			RuntimeOrigin::signed(client),
			model,
			prompt,
			params,
			1,
			1,
			MILLI_AIT,
			MILLI_AIT,
			deadline,
		);
		let _ = Jobs::claim_job(RuntimeOrigin::signed(provider.clone()), job_id);
		job_id
	}
}
