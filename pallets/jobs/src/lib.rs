//! # AITBC jobs pallet
//!
//! The life of a text-to-image job, and the escrow of its payment.
//!
//! ## Overview
//! States: `Pending → Assigned → Receipted → Finalized`, or `Cancelled` (by the client while
//! pending), `Expired` (assigned but not receipted by its deadline) or `Unclaimed` (no provider
//! claimed it within `PendingTimeout` blocks).
//!
//! - [`Pallet::submit_job`] validates the parameters against the model's limits, computes the
//!   job's compute units on-chain ([`aitbc_primitives::compute_units`]) and moves the payment
//!   into the pallet's escrow account ([`Pallet::escrow_account`]). A free job (payment 0) is
//!   feeless while the client has fewer than `MaxOpenJobsPerAccount` open jobs.
//! - Assignment by the hub ([`reservations`]): after each block's transactions the hub reserves
//!   pending jobs, oldest first, each for the live provider the marketplace's rotation picks;
//!   only that provider may claim it until `AcceptWindow` blocks later. A provider that lets
//!   the window pass loses the job to the next and is marked offline.
//! - [`Pallet::claim_job`]: a provider takes a pending job, reserved for it or for nobody, if
//!   the marketplace's matching rule allows it (`ProviderRegistry::check_can_take`); a valid
//!   claim is feeless. The runtime's [`CheckClaim`] transaction extension keeps claims on jobs
//!   that are no longer pending, or reserved for another provider, out of blocks, so a claim
//!   that cannot win never costs its sender anything.
//! - [`Pallet::cancel_job`]: the client cancels a pending job and gets the payment back.
//! - [`Pallet::submit_batch`]: one submission for N images (seeds `seed … seed+N-1`), one
//!   payment and one price limit. The chain splits it into *shards* of `images_per_shard`
//!   consecutive images, each an ordinary job (of [`Job::images`] images, under one receipt)
//!   that any provider may take, so different providers serve a batch in parallel; a
//!   shard whose provider misses its deadline goes back to the queue instead of ending. When
//!   every shard has ended the batch completes with one aggregate record of its shard receipts
//!   ([`Batch`]); each provider is paid the shards it served ([`batches`]).
//!   [`Pallet::cancel_batch`] refunds the shards no provider has taken yet.
//! - `on_initialize` expires the jobs whose deadline is this block (bounded per block): the
//!   client is refunded, the provider's reputation records it and its stake is slashed
//!   ([`OnJobExpired`]). It also ends the oldest pending jobs that waited `PendingTimeout`
//!   blocks (at most `MaxUnclaimedPerBlock` per block, the rest in the next): the payment is
//!   refunded and the client's open-job slot freed, so a job no provider takes never holds them
//!   for ever — a client with no AIT, who cannot pay the fee to cancel, gets its free-job quota
//!   back this way.
//! - The receipts pallet drives the rest through [`JobLedger`]: `mark_receipted` when a valid
//!   receipt arrives, `finalize` when the challenge windows of a provider's receipts close: the
//!   escrowed payments of all of them go to the provider in one transfer.
//!
//! ## Why an escrow account and not a hold per client
//! Paying a held payment touches the client's account and holds, one client after another:
//! two writes per job when a block finalizes the jobs of many clients. Payments in one escrow
//! account are paid out per provider instead, so finalizing a receipt costs the job's own
//! writes only; this is most of what lets a block finalize as many receipts as it accepts.
//!
//! ## Terminology
//! - *Open job*: pending, assigned or receipted; counted per client for the quota.
//! - *Units*: the job's cost in milli compute units, fixed at submission.
//! - *Batch*: a job of N images; *shard*: one or more consecutive images of a batch
//!   (`images_per_shard`), stored and served as a job under one receipt.
//!   A paid batch counts as one open job in its client's quota, whatever its size; a free
//!   batch as one per image.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use batches::{Batch, ShardReceipt};
pub use extension::CheckClaim;
pub use pallet::*;
pub use reservations::Reservation;
pub use weights::WeightInfo;

pub mod batches;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod claims;
mod endings;
mod extension;
mod invariants;
mod ledger;
#[cfg(test)]
mod mock;
mod queue;
pub mod reservations;
#[cfg(test)]
mod tests;
pub mod weights;

use aitbc_primitives::{
	compute_units, BatchId, Hash32, JobId, JobParams, ModelId, StaleClaim, Units,
};
use codec::{Decode, Encode, MaxEncodedLen};
use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::{Inspect, Mutate},
		tokens::Preservation,
	},
	CloneNoBound, DebugNoBound, EqNoBound, PalletId, PartialEqNoBound,
};
use frame_system::pallet_prelude::BlockNumberFor;
use pallet_aitbc_marketplace::{JobOutcome, ProviderRegistry};
use scale_info::TypeInfo;
use sp_runtime::{
	traits::{AccountIdConversion, Zero},
	DispatchResult, Saturating,
};

/// Where a job is in its life.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub enum JobState<AccountId, Balance, BlockNumber> {
	/// Waiting for a provider.
	Pending,
	/// Claimed by `provider` at `price_per_unit`; must be receipted by `deadline`.
	Assigned { provider: AccountId, price_per_unit: Balance, deadline: BlockNumber },
	/// A valid receipt (`receipt_hash`, measuring `gpu_ms`) arrived; final when its challenge
	/// window closes.
	Receipted { provider: AccountId, price_per_unit: Balance, receipt_hash: Hash32, gpu_ms: u64 },
	/// Served and paid: the provider got the payment and was minted `minted`.
	Finalized { provider: AccountId, receipt_hash: Hash32, minted: Balance },
	/// Cancelled by the client while pending; payment refunded.
	Cancelled,
	/// Not receipted in time; payment refunded.
	Expired { provider: AccountId },
	/// No provider claimed it within `PendingTimeout` blocks; payment refunded.
	Unclaimed,
	/// Its receipt (`receipt_hash`, by `provider`) did not pass its audit: nothing was minted
	/// and the payment was refunded. `convicted` says whether the audit found the receipt
	/// false (the provider was slashed) or could not decide (too few independent auditors).
	Rejected { provider: AccountId, receipt_hash: Hash32, convicted: bool },
}

/// A job as stored on-chain.
#[derive(
	Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
pub struct Job<T: Config> {
	/// Who submitted (and pays for) it.
	pub client: T::AccountId,
	/// The model to run.
	pub model_id: ModelId,
	/// The prompt, bounded.
	pub prompt: BoundedVec<u8, T::MaxPromptLen>,
	/// Image and sampling parameters (of its first image).
	pub params: JobParams,
	/// Images it produces, with seeds `params.seed … params.seed + images - 1`: 1 for a single
	/// job; a shard of a batch may hold several, served by one provider under one receipt.
	pub images: u32,
	/// Cost in milli compute units of all its images, computed at submission.
	pub units: Units,
	/// Highest per-unit price of a provider the client accepts.
	pub max_price_per_unit: BalanceOf<T>,
	/// Payment in escrow, paid to the provider on success and refunded otherwise.
	pub payment: BalanceOf<T>,
	/// Blocks the provider has between claiming and receipting.
	pub deadline_blocks: BlockNumberFor<T>,
	/// Block of submission.
	pub submitted_at: BlockNumberFor<T>,
	/// Block it last entered the pending queue: its submission, or a shard's return to the
	/// queue after a missed deadline. `PendingTimeout` counts from here.
	pub queued_at: BlockNumberFor<T>,
	/// The batch this job is a shard of, if any.
	pub batch: Option<BatchId>,
	/// Current state.
	pub state: JobState<T::AccountId, BalanceOf<T>, BlockNumberFor<T>>,
}

impl<T: Config> Job<T> {
	/// Pending, assigned or receipted: counted in its client's quota, its payment in escrow.
	pub fn is_open(&self) -> bool {
		matches!(
			self.state,
			JobState::Pending | JobState::Assigned { .. } | JobState::Receipted { .. }
		)
	}

	/// The parameters of image `index` of a batch (or of a job's images): seed `seed + index`.
	pub fn shard_params(params: &JobParams, index: u32) -> Option<JobParams> {
		let seed = params.seed.checked_add(u64::from(index))?;
		Some(JobParams { seed, ..*params })
	}

	/// The parameters of each of its images, in order.
	pub fn image_params(&self) -> impl Iterator<Item = JobParams> + '_ {
		(0..self.images).filter_map(|index| Self::shard_params(&self.params, index))
	}
}

/// What the receipts pallet needs to check a receipt against its job.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct AssignedJob<AccountId, Balance> {
	/// The client.
	pub client: AccountId,
	/// The provider it is assigned to.
	pub provider: AccountId,
	/// The model.
	pub model_id: ModelId,
	/// On-chain cost in milli-units.
	pub units: Units,
	/// The provider's price when it claimed the job.
	pub price_per_unit: Balance,
	/// `blake2_256` of the prompt.
	pub prompt_hash: Hash32,
	/// `blake2_256` of the SCALE-encoded parameters.
	pub params_hash: Hash32,
}

/// A receipted job, as minting for it needs it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ReceiptedJob<AccountId, Balance> {
	/// The provider to mint to.
	pub provider: AccountId,
	/// On-chain cost in milli-units.
	pub units: Units,
	/// The provider's price when it claimed the job.
	pub price_per_unit: Balance,
}

/// A job's receipt, as the job's state records it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ReceiptRecord<AccountId, Balance> {
	/// The provider that receipted the job.
	pub provider: AccountId,
	/// The receipt's hash.
	pub receipt_hash: Hash32,
	/// What was minted for it, once final.
	pub minted: Option<Balance>,
	/// Its audit rejected it: it never mints.
	pub rejected: bool,
}

/// The job side of receipt processing, implemented by this pallet for the receipts pallet.
pub trait JobLedger<AccountId, Balance> {
	/// The job, if it is assigned and waiting for its receipt.
	fn assigned(job_id: JobId) -> Option<AssignedJob<AccountId, Balance>>;
	/// A valid receipt with `receipt_hash`, measuring `gpu_ms`, arrived for the assigned job.
	fn mark_receipted(job_id: JobId, receipt_hash: Hash32, gpu_ms: u64) -> DispatchResult;
	/// What minting for the job needs, if it is receipted (not yet final).
	fn receipted(job_id: JobId) -> Option<ReceiptedJob<AccountId, Balance>>;
	/// The job's receipt as the job records it, if it is receipted or finalized.
	fn receipt_record(job_id: JobId) -> Option<ReceiptRecord<AccountId, Balance>>;
	/// The receipts of `jobs`, all receipted by `provider`, are final and each job's `minted`
	/// was minted: finalize every job, record each receipt's `gpu_ms` in the provider's
	/// reputation, and pay the provider all their escrowed payments in one transfer. All or
	/// nothing.
	fn finalize(provider: &AccountId, jobs: &[(JobId, Balance)]) -> DispatchResult;
	/// The receipted job's audit rejected its receipt: end it `Rejected` (the client is
	/// refunded, its open-job slot freed) and record a failed check in the provider's
	/// reputation when `convicted`. Returns the refund.
	fn reject(job_id: JobId, convicted: bool) -> Result<Balance, DispatchError>;
	/// The job's client and model, if it is receipted: what choosing its auditors needs.
	fn client_of(job_id: JobId) -> Option<(AccountId, ModelId)>;
}

/// Called when an assigned job expires (the staking pallet slashes the provider).
pub trait OnJobExpired<AccountId> {
	/// `provider` missed the deadline of `job_id`.
	fn on_job_expired(provider: &AccountId, job_id: JobId);
	/// The weight of one `on_job_expired` call, at its worst case: `on_initialize` counts it
	/// once per expired job.
	fn weight() -> Weight;
}

impl<AccountId> OnJobExpired<AccountId> for () {
	fn on_job_expired(_: &AccountId, _: JobId) {}
	fn weight() -> Weight {
		Weight::zero()
	}
}

/// Balance type of the pallet's currency.
pub type BalanceOf<T> =
	<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_system::pallet_prelude::*;

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The AIT currency; payments are escrowed in it.
		type Currency: Inspect<Self::AccountId> + Mutate<Self::AccountId>;
		/// Identifies the escrow account that holds the payments of open jobs.
		#[pallet::constant]
		type PalletId: Get<PalletId>;
		/// Models, offers and the matching rule (the marketplace pallet).
		type Providers: ProviderRegistry<Self::AccountId, BalanceOf<Self>>;
		/// Told of every expiry (the staking pallet slashes).
		type OnExpired: OnJobExpired<Self::AccountId>;
		/// Longest prompt, in bytes.
		#[pallet::constant]
		type MaxPromptLen: Get<u32>;
		/// Most jobs waiting for a provider.
		#[pallet::constant]
		type MaxPendingJobs: Get<u32>;
		/// Most open jobs per client; free jobs are feeless below it.
		#[pallet::constant]
		type MaxOpenJobsPerAccount: Get<u32>;
		/// Most jobs whose deadline falls in one block (bounds `on_initialize`).
		#[pallet::constant]
		type MaxDeadlinesPerBlock: Get<u32>;
		/// Shortest deadline a job may ask for, in blocks after claiming.
		#[pallet::constant]
		type MinDeadline: Get<BlockNumberFor<Self>>;
		/// Longest deadline a job may ask for, in blocks after claiming.
		#[pallet::constant]
		type MaxDeadline: Get<BlockNumberFor<Self>>;
		/// Blocks a job may wait for a provider; then it ends `Unclaimed` and is refunded.
		#[pallet::constant]
		type PendingTimeout: Get<BlockNumberFor<Self>>;
		/// Most unclaimed jobs ended in one block (bounds `on_initialize`); the rest end in the
		/// next blocks.
		#[pallet::constant]
		type MaxUnclaimedPerBlock: Get<u32>;
		/// Most images in one batch job.
		#[pallet::constant]
		type MaxBatchSize: Get<u32>;
		/// Most images in one shard of a batch: one provider serves them under one receipt, and
		/// an auditor re-runs them all within the audits' commit period.
		#[pallet::constant]
		type MaxImagesPerShard: Get<u32>;
		/// Blocks a provider has to claim a job the hub reserved for it.
		#[pallet::constant]
		type AcceptWindow: Get<BlockNumberFor<Self>>;
		/// Most jobs the hub reserves in one block (and so most reservations lapsing in one).
		#[pallet::constant]
		type MaxReservationsPerBlock: Get<u32>;
		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
	}

	/// Every job by id.
	#[pallet::storage]
	pub type Jobs<T: Config> = StorageMap<_, Twox64Concat, JobId, Job<T>>;

	/// The id the next job gets.
	#[pallet::storage]
	pub type NextJobId<T: Config> = StorageValue<_, JobId, ValueQuery>;

	/// Jobs waiting for a provider, oldest first (submission order, which `on_initialize`
	/// relies on to find the jobs that waited too long at the front).
	#[pallet::storage]
	pub type PendingJobs<T: Config> =
		StorageValue<_, BoundedVec<JobId, T::MaxPendingJobs>, ValueQuery>;

	/// Open jobs per client.
	#[pallet::storage]
	pub type OpenJobs<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

	/// Every batch job by id.
	#[pallet::storage]
	pub type Batches<T: Config> = StorageMap<_, Twox64Concat, BatchId, Batch<T>>;

	/// The id the next batch gets.
	#[pallet::storage]
	pub type NextBatchId<T: Config> = StorageValue<_, BatchId, ValueQuery>;

	/// Assigned jobs by the block their deadline falls in.
	#[pallet::storage]
	pub type Deadlines<T: Config> = StorageMap<
		_,
		Twox64Concat,
		BlockNumberFor<T>,
		BoundedVec<JobId, T::MaxDeadlinesPerBlock>,
		ValueQuery,
	>;

	/// Pending jobs the hub reserved for a provider, until it claims them or the window closes.
	#[pallet::storage]
	pub type Reservations<T: Config> = StorageMap<
		_,
		Twox64Concat,
		JobId,
		Reservation<T::AccountId, BlockNumberFor<T>>,
		OptionQuery,
	>;

	/// Reserved jobs by the block their acceptance window closes in.
	#[pallet::storage]
	pub type ReservationsDue<T: Config> = StorageMap<
		_,
		Twox64Concat,
		BlockNumberFor<T>,
		BoundedVec<JobId, T::MaxReservationsPerBlock>,
		ValueQuery,
	>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A job was submitted.
		JobSubmitted {
			job_id: JobId,
			client: T::AccountId,
			model_id: ModelId,
			units: Units,
			payment: BalanceOf<T>,
		},
		/// The hub reserved a pending job for `provider`: only it may claim the job, until
		/// block `accept_by`.
		JobReserved { job_id: JobId, provider: T::AccountId, accept_by: BlockNumberFor<T> },
		/// `provider` did not claim the job reserved for it in time: the job is pending for the
		/// next provider, and `provider` counts as offline until its next sign of life.
		ReservationLapsed { job_id: JobId, provider: T::AccountId },
		/// A provider claimed a job.
		JobAssigned {
			job_id: JobId,
			provider: T::AccountId,
			price_per_unit: BalanceOf<T>,
			deadline: BlockNumberFor<T>,
		},
		/// A valid receipt arrived for a job.
		JobReceipted { job_id: JobId, provider: T::AccountId, receipt_hash: Hash32 },
		/// A job was served: its receipt is final, `minted` was minted for it (the receipts
		/// pallet's one event per final receipt), and its payment went to the provider.
		JobFinalized {
			job_id: JobId,
			provider: T::AccountId,
			payment: BalanceOf<T>,
			minted: BalanceOf<T>,
		},
		/// The client cancelled a pending job; the payment was refunded.
		JobCancelled { job_id: JobId, refund: BalanceOf<T> },
		/// An assigned job missed its deadline; the payment was refunded.
		JobExpired { job_id: JobId, provider: T::AccountId, refund: BalanceOf<T> },
		/// No provider claimed a job within `PendingTimeout` blocks; the payment was refunded.
		JobUnclaimed { job_id: JobId, refund: BalanceOf<T> },
		/// A job's receipt did not pass its audit: nothing was minted, the payment was refunded.
		JobRejected { job_id: JobId, provider: T::AccountId, refund: BalanceOf<T>, convicted: bool },
		/// A batch job of `count` images was submitted as `shards` shards, jobs `first_job …
		/// first_job + shards - 1` (one `JobSubmitted` for the batch, not one per shard).
		BatchSubmitted {
			batch_id: BatchId,
			client: T::AccountId,
			model_id: ModelId,
			first_job: JobId,
			count: u32,
			shards: u32,
			units: Units,
			payment: BalanceOf<T>,
		},
		/// A shard's provider missed its deadline: the shard is pending again, for any provider.
		ShardRequeued { job_id: JobId, batch_id: BatchId, provider: T::AccountId },
		/// Every shard of a batch has ended: `served` of them were receipted and finalized, their
		/// providers paid `paid` and minted `minted`; `refunded` went back to the client.
		BatchCompleted {
			batch_id: BatchId,
			served: u32,
			paid: BalanceOf<T>,
			minted: BalanceOf<T>,
			refunded: BalanceOf<T>,
		},
		/// The client cancelled the `cancelled` shards of a batch that no provider had taken;
		/// their payments were refunded. Shards already taken go on.
		BatchCancelled { batch_id: BatchId, cancelled: u32, refund: BalanceOf<T> },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The model is unknown or retired.
		UnknownModel,
		/// The prompt is empty.
		EmptyPrompt,
		/// Steps must be between 1 and the model's maximum.
		InvalidSteps,
		/// Width and height must be multiples of 8, at least 64 and within the model's maximum.
		InvalidSize,
		/// The deadline is outside the allowed range.
		InvalidDeadline,
		/// The client already has the maximum number of open jobs.
		TooManyOpenJobs,
		/// The pending queue is full; try again later.
		QueueFull,
		/// The payment cannot be escrowed: the balance is too low.
		InsufficientBalance,
		/// A payment must be zero (a free job) or at least the existential deposit.
		PaymentBelowMinimum,
		/// The job's cost overflows.
		UnitsOverflow,
		/// No job has this id.
		UnknownJob,
		/// The job is not pending.
		NotPending,
		/// The job is not assigned.
		NotAssigned,
		/// The job is not receipted.
		NotReceipted,
		/// Only the job's client may do this.
		NotClient,
		/// Too many deadlines fall in the same block; try again next block.
		DeadlineBlockFull,
		/// A provider may not claim a job its own account submitted (self-dealing).
		SelfDealing,
		/// A batch holds 1 to `MaxBatchSize` images.
		InvalidBatchSize,
		/// A shard holds 1 to `count` images of its batch, and at most `MaxImagesPerShard`.
		InvalidShardSize,
		/// The seeds `seed … seed + count - 1` of a batch do not fit in 64 bits.
		SeedRangeOverflow,
		/// No batch has this id.
		UnknownBatch,
		/// No shard of the batch is pending: there is nothing left to cancel.
		NothingToCancel,
		/// The hub reserved the job for another provider; it may claim it until its window
		/// closes.
		ReservedForAnother,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			let due = Deadlines::<T>::take(now);
			let count = due.len() as u32;
			let missed: alloc::vec::Vec<_> =
				due.into_iter().filter_map(|job_id| Self::expire(job_id, now)).collect();
			Self::requeue_shards(missed, now);
			let unclaimed = Self::end_unclaimed(now);
			let lapsed = Self::lapse_reservations(now);
			T::WeightInfo::on_initialize(count)
				.saturating_add(T::OnExpired::weight().saturating_mul(count.into()))
				.saturating_add(T::WeightInfo::end_unclaimed(unclaimed))
				.saturating_add(T::WeightInfo::lapse_reservations(lapsed))
		}

		fn on_idle(now: BlockNumberFor<T>, limit: Weight) -> Weight {
			Self::reserve_pending(now, limit)
		}

		fn integrity_test() {
			assert!(
				T::MaxBatchSize::get() >= 1 && T::MaxBatchSize::get() <= T::MaxPendingJobs::get(),
				"a batch must fit in the pending queue"
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Submits a job. `payment` stays in escrow until the job ends; a job with payment 0 is
		/// free and feeless within the open-jobs quota. `max_price_per_unit` caps the provider's price.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::submit_job(prompt.len() as u32))]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _model_id: &ModelId, _prompt: &BoundedVec<u8, T::MaxPromptLen>,
			_params: &JobParams, _max_price: &BalanceOf<T>, payment: &BalanceOf<T>, _deadline: &BlockNumberFor<T>| -> bool {
			payment.is_zero() && ensure_signed(origin.clone()).is_ok_and(|who| {
				OpenJobs::<T>::get(&who) < T::MaxOpenJobsPerAccount::get()
			})
		})]
		pub fn submit_job(
			origin: OriginFor<T>,
			model_id: ModelId,
			prompt: BoundedVec<u8, T::MaxPromptLen>,
			params: JobParams,
			max_price_per_unit: BalanceOf<T>,
			payment: BalanceOf<T>,
			deadline_blocks: BlockNumberFor<T>,
		) -> DispatchResult {
			let client = ensure_signed(origin)?;
			let units = Self::check_request(model_id, &prompt, &params, deadline_blocks)?;
			ensure!(
				payment.is_zero() || payment >= T::Currency::minimum_balance(),
				Error::<T>::PaymentBelowMinimum
			);
			let open = OpenJobs::<T>::get(&client);
			ensure!(open < T::MaxOpenJobsPerAccount::get(), Error::<T>::TooManyOpenJobs);
			let job_id = NextJobId::<T>::get();
			let next_id = job_id.checked_add(1).ok_or(Error::<T>::UnitsOverflow)?;
			let mut pending = PendingJobs::<T>::get();
			pending.try_push(job_id).map_err(|_| Error::<T>::QueueFull)?;
			Self::escrow_payment(&client, payment)?;

			let now = frame_system::Pallet::<T>::block_number();
			PendingJobs::<T>::put(pending);
			NextJobId::<T>::put(next_id);
			OpenJobs::<T>::insert(&client, open.saturating_add(1));
			Jobs::<T>::insert(
				job_id,
				Job {
					client: client.clone(),
					model_id,
					prompt,
					params,
					images: 1,
					units,
					max_price_per_unit,
					payment,
					deadline_blocks,
					submitted_at: now,
					queued_at: now,
					batch: None,
					state: JobState::Pending,
				},
			);
			Self::deposit_event(Event::JobSubmitted { job_id, client, model_id, units, payment });
			Ok(())
		}

		/// Claims a pending job for the calling provider; feeless when the claim is valid.
		///
		/// A claim on a job that is no longer pending is refused before it can enter a block
		/// ([`CheckClaim`]), so the loser of a race for a job pays nothing. The weight counts
		/// the feeless check that the transaction extension runs before dispatch.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::claim_job().saturating_add(T::WeightInfo::check_claim()))]
		#[pallet::feeless_if(|origin: &OriginFor<T>, job_id: &JobId| -> bool {
			ensure_signed(origin.clone()).is_ok_and(|who| Pallet::<T>::check_claim(&who, *job_id).is_ok())
		})]
		pub fn claim_job(origin: OriginFor<T>, job_id: JobId) -> DispatchResult {
			let provider = ensure_signed(origin)?;
			Self::do_claim(provider, job_id)
		}

		/// Cancels the caller's pending job and refunds its payment.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::cancel_job())]
		pub fn cancel_job(origin: OriginFor<T>, job_id: JobId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let job = Jobs::<T>::get(job_id).ok_or(Error::<T>::UnknownJob)?;
			ensure!(job.client == who, Error::<T>::NotClient);
			ensure!(job.state == JobState::Pending, Error::<T>::NotPending);

			PendingJobs::<T>::mutate(|pending| pending.retain(|id| *id != job_id));
			let refund = Self::end_open(job_id, job, JobState::Cancelled);
			Self::deposit_event(Event::JobCancelled { job_id, refund });
			Ok(())
		}

		/// Submits a batch job: `count` images of one prompt and parameters, image `i` with seed
		/// `params.seed + i`, for one `payment` (split evenly over the images, each share at
		/// least the existential deposit unless the batch is free) and one
		/// `max_price_per_unit`. Every `images_per_shard` consecutive images (the last shard the
		/// rest) become a pending shard that any provider may take and serves under one
		/// receipt: 1 spreads the batch over the most providers, more costs the chain less per
		/// image. Until every shard has ended, a paid batch holds one slot of its client's
		/// open-jobs quota, a free batch one per image; a free batch is feeless when the quota
		/// has room for all of them.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::submit_batch(
			Pallet::<T>::shard_count(*count, *images_per_shard),
			prompt.len() as u32,
		))]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _model_id: &ModelId, _prompt: &BoundedVec<u8, T::MaxPromptLen>,
			_params: &JobParams, count: &u32, _images_per_shard: &u32, _max_price: &BalanceOf<T>,
			payment: &BalanceOf<T>,
			_deadline: &BlockNumberFor<T>| -> bool {
			payment.is_zero() && *count >= 1 && *count <= T::MaxBatchSize::get()
				&& ensure_signed(origin.clone()).is_ok_and(|who| {
					OpenJobs::<T>::get(&who).saturating_add(*count) <= T::MaxOpenJobsPerAccount::get()
				})
		})]
		#[allow(clippy::too_many_arguments)]
		pub fn submit_batch(
			origin: OriginFor<T>,
			model_id: ModelId,
			prompt: BoundedVec<u8, T::MaxPromptLen>,
			params: JobParams,
			count: u32,
			images_per_shard: u32,
			max_price_per_unit: BalanceOf<T>,
			payment: BalanceOf<T>,
			deadline_blocks: BlockNumberFor<T>,
		) -> DispatchResult {
			let client = ensure_signed(origin)?;
			Self::do_submit_batch(
				client,
				model_id,
				prompt,
				params,
				count,
				images_per_shard,
				max_price_per_unit,
				payment,
				deadline_blocks,
			)
		}

		/// Cancels the shards of the caller's batch that are still pending and refunds their
		/// payments; shards a provider has taken go on.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::cancel_batch(T::MaxBatchSize::get()))]
		pub fn cancel_batch(origin: OriginFor<T>, batch_id: BatchId) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			// Every shard of the batch is read, whatever how many are still pending.
			let shards = Self::do_cancel_batch(&who, batch_id)?;
			Ok(Some(T::WeightInfo::cancel_batch(shards)).into())
		}
	}

	impl<T: Config> Pallet<T> {
		/// Checks a job's request against the model's limits and the deadline range; returns
		/// its cost in milli-units (one image's, for a batch).
		pub fn check_request(
			model_id: ModelId,
			prompt: &[u8],
			params: &JobParams,
			deadline_blocks: BlockNumberFor<T>,
		) -> Result<Units, DispatchError> {
			let model = T::Providers::active_model(model_id).ok_or(Error::<T>::UnknownModel)?;
			ensure!(!prompt.is_empty(), Error::<T>::EmptyPrompt);
			ensure!(params.steps >= 1 && params.steps <= model.max_steps, Error::<T>::InvalidSteps);
			let size_ok = |px: u32, max: u32| aitbc_primitives::valid_image_side(px) && px <= max;
			ensure!(
				size_ok(params.width, model.max_width) && size_ok(params.height, model.max_height),
				Error::<T>::InvalidSize
			);
			ensure!(
				deadline_blocks >= T::MinDeadline::get()
					&& deadline_blocks <= T::MaxDeadline::get(),
				Error::<T>::InvalidDeadline
			);
			Ok(compute_units(params, model.unit_weight_milli).ok_or(Error::<T>::UnitsOverflow)?)
		}
	}
}
