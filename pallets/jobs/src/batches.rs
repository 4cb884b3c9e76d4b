//! Batch jobs: one submission for N images, served as N shards by any providers in parallel.
//!
//! A shard is an ordinary job of one image (seed `seed + i`), so claims, receipts, audits and
//! finalization treat it like any job, and each provider is paid and minted for exactly the
//! shards it served: the payout is proportional to verified units by construction. What is
//! particular to shards:
//! - A missed deadline sends the shard back to the end of the pending queue (the provider is
//!   still slashed and its reputation records the expiry) instead of ending it, unless the queue
//!   is full or the shard was submitted `PendingTimeout` or more blocks ago; then it ends
//!   `Expired` and its share is refunded. So providers that keep claiming a shard and dropping
//!   it cannot hold a batch open for longer than that.
//! - A paid batch holds one slot of its client's open-jobs quota, not one per shard; a free
//!   batch holds one per image, like free jobs (and like them it is feeless within the
//!   quota), so a client without AIT gets no more free images by batching them.
//! - The batch record ([`Batch`]) counts its open shards and collects the receipt of every
//!   finalized shard; with the last shard's end it completes (`BatchCompleted`): one record
//!   of the whole job with its shard receipts.

use super::*;

/// A finalized shard's receipt, as its batch records it.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct ShardReceipt<AccountId, Balance> {
	/// The shard (a job id).
	pub job_id: JobId,
	/// The provider that served it.
	pub provider: AccountId,
	/// Its final receipt's hash.
	pub receipt_hash: Hash32,
	/// Its cost in milli-units.
	pub units: Units,
	/// The shard's share of the payment, paid to the provider.
	pub payment: Balance,
	/// What was minted for it.
	pub minted: Balance,
}

/// A batch job as stored on-chain. Its shards are jobs `first_job … first_job + count - 1`.
#[derive(
	Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
pub struct Batch<T: Config> {
	/// Who submitted (and pays for) it.
	pub client: T::AccountId,
	/// The model to run.
	pub model_id: ModelId,
	/// Its first shard.
	pub first_job: JobId,
	/// Number of images (shards).
	pub count: u32,
	/// Cost of all its images in milli-units: the sum of its shards' units.
	pub units: Units,
	/// The whole payment: the sum of its shards' payments.
	pub payment: BalanceOf<T>,
	/// Block of submission.
	pub submitted_at: BlockNumberFor<T>,
	/// Shards not yet ended.
	pub open_shards: u32,
	/// Slots of the client's open-jobs quota it holds until it completes: 1 if paid, `count`
	/// if free.
	pub slots: u32,
	/// What was refunded to the client so far (cancelled, unclaimed or rejected shards).
	pub refunded: BalanceOf<T>,
	/// The receipts of its finalized shards, in the order they finalized.
	pub receipts: BoundedVec<ShardReceipt<T::AccountId, BalanceOf<T>>, T::MaxBatchSize>,
	/// The block its last shard ended in, once it has.
	pub completed_at: Option<BlockNumberFor<T>>,
}

impl<T: Config> Batch<T> {
	/// Its shards' job ids.
	pub fn shards(&self) -> core::ops::Range<JobId> {
		self.first_job..self.first_job.saturating_add(u64::from(self.count))
	}
}

impl<T: Config> Pallet<T> {
	/// [`Pallet::submit_batch`], once the origin is checked.
	#[allow(clippy::too_many_arguments)]
	pub(crate) fn do_submit_batch(
		client: T::AccountId,
		model_id: ModelId,
		prompt: BoundedVec<u8, T::MaxPromptLen>,
		params: JobParams,
		count: u32,
		max_price_per_unit: BalanceOf<T>,
		payment: BalanceOf<T>,
		deadline_blocks: BlockNumberFor<T>,
	) -> DispatchResult {
		ensure!(count >= 1 && count <= T::MaxBatchSize::get(), Error::<T>::InvalidBatchSize);
		let image_units = Self::check_request(model_id, &prompt, &params, deadline_blocks)?;
		ensure!(
			Job::<T>::shard_params(&params, count - 1).is_some(),
			Error::<T>::SeedRangeOverflow
		);
		let units = image_units.checked_mul(u64::from(count)).ok_or(Error::<T>::UnitsOverflow)?;
		// An even split, the remainder one unit of balance each to the first shards: every
		// share is the existential deposit or more, so the escrow never holds dust.
		let shares: BalanceOf<T> = count.into();
		let share = payment / shares;
		let remainder = payment % shares;
		ensure!(
			payment.is_zero() || share >= T::Currency::minimum_balance(),
			Error::<T>::PaymentBelowMinimum
		);
		let slots = Self::batch_slots(count, payment);
		let open = OpenJobs::<T>::get(&client);
		ensure!(
			open.saturating_add(slots) <= T::MaxOpenJobsPerAccount::get(),
			Error::<T>::TooManyOpenJobs
		);
		let first_job = NextJobId::<T>::get();
		let next_job = first_job.checked_add(u64::from(count)).ok_or(Error::<T>::UnitsOverflow)?;
		let batch_id = NextBatchId::<T>::get();
		let next_batch = batch_id.checked_add(1).ok_or(Error::<T>::UnitsOverflow)?;
		let mut pending = PendingJobs::<T>::get();
		ensure!(
			pending.len().saturating_add(count as usize) <= T::MaxPendingJobs::get() as usize,
			Error::<T>::QueueFull
		);
		Self::escrow_payment(&client, payment)?;

		let now = frame_system::Pallet::<T>::block_number();
		for index in 0..count {
			let job_id = first_job.saturating_add(u64::from(index));
			let extra: BalanceOf<T> =
				if BalanceOf::<T>::from(index) < remainder { 1u32.into() } else { Zero::zero() };
			// Checked above for the last index, so for every one.
			let params = Job::<T>::shard_params(&params, index).unwrap_or(params);
			// Room for every shard was checked above.
			let _ = pending.try_push(job_id);
			Jobs::<T>::insert(
				job_id,
				Job {
					client: client.clone(),
					model_id,
					prompt: prompt.clone(),
					params,
					units: image_units,
					max_price_per_unit,
					payment: share.saturating_add(extra),
					deadline_blocks,
					submitted_at: now,
					queued_at: now,
					batch: Some(batch_id),
					state: JobState::Pending,
				},
			);
		}
		PendingJobs::<T>::put(pending);
		NextJobId::<T>::put(next_job);
		NextBatchId::<T>::put(next_batch);
		OpenJobs::<T>::insert(&client, open.saturating_add(slots));
		Batches::<T>::insert(
			batch_id,
			Batch {
				client: client.clone(),
				model_id,
				first_job,
				count,
				units,
				payment,
				submitted_at: now,
				open_shards: count,
				slots,
				refunded: Zero::zero(),
				receipts: BoundedVec::new(),
				completed_at: None,
			},
		);
		Self::deposit_event(Event::BatchSubmitted {
			batch_id,
			client,
			model_id,
			first_job,
			count,
			units,
			payment,
		});
		Ok(())
	}

	/// The open-jobs quota slots a batch of `count` for `payment` holds: one if paid, one per
	/// image if free.
	pub fn batch_slots(count: u32, payment: BalanceOf<T>) -> u32 {
		if payment.is_zero() {
			count
		} else {
			1
		}
	}

	/// [`Pallet::cancel_batch`]: returns the batch's size (every shard is read).
	pub(crate) fn do_cancel_batch(
		who: &T::AccountId,
		batch_id: BatchId,
	) -> Result<u32, DispatchError> {
		let batch = Batches::<T>::get(batch_id).ok_or(Error::<T>::UnknownBatch)?;
		ensure!(&batch.client == who, Error::<T>::NotClient);
		let pending: alloc::vec::Vec<(JobId, Job<T>)> = batch
			.shards()
			.filter_map(|job_id| Jobs::<T>::get(job_id).map(|job| (job_id, job)))
			.filter(|(_, job)| job.state == JobState::Pending)
			.collect();
		ensure!(!pending.is_empty(), Error::<T>::NothingToCancel);

		let shards = batch.shards();
		PendingJobs::<T>::mutate(|queue| queue.retain(|id| !shards.contains(id)));
		let cancelled = pending.len() as u32;
		let mut refund = BalanceOf::<T>::zero();
		for (job_id, job) in pending {
			refund = refund.saturating_add(Self::end_open(job_id, job, JobState::Cancelled));
		}
		Self::deposit_event(Event::BatchCancelled { batch_id, cancelled, refund });
		Ok(batch.count)
	}

	/// A shard of `batch_id` ended; `served` is its receipt if it was finalized, `refund` what
	/// went back to the client. The batch completes with its last shard.
	pub(crate) fn shard_closed(
		batch_id: BatchId,
		served: Option<ShardReceipt<T::AccountId, BalanceOf<T>>>,
		refund: BalanceOf<T>,
	) {
		Batches::<T>::mutate(batch_id, |batch| {
			// A shard without its batch is broken accounting, which try_state reports.
			let Some(batch) = batch else { return };
			batch.open_shards = batch.open_shards.saturating_sub(1);
			batch.refunded = batch.refunded.saturating_add(refund);
			if let Some(receipt) = served {
				// Cannot fail: a batch has at most `MaxBatchSize` shards, each finalized once.
				let _ = batch.receipts.try_push(receipt);
			}
			if batch.open_shards > 0 {
				return;
			}
			batch.completed_at = Some(frame_system::Pallet::<T>::block_number());
			for _ in 0..batch.slots {
				Self::close(&batch.client);
			}
			let (paid, minted) = batch.receipts.iter().fold(
				(BalanceOf::<T>::zero(), BalanceOf::<T>::zero()),
				|(paid, minted), r| {
					(paid.saturating_add(r.payment), minted.saturating_add(r.minted))
				},
			);
			Self::deposit_event(Event::BatchCompleted {
				batch_id,
				served: batch.receipts.len() as u32,
				paid,
				minted,
				refunded: batch.refunded,
			});
		});
	}

	/// How far the batch has come (the runtime API's answer), if it exists.
	pub fn batch_progress(
		batch_id: BatchId,
	) -> Option<aitbc_primitives::BatchProgress<T::AccountId>> {
		let batch = Batches::<T>::get(batch_id)?;
		let mut progress = aitbc_primitives::BatchProgress {
			count: batch.count,
			pending: 0,
			assigned: 0,
			receipted: 0,
			finalized: 0,
			unserved: 0,
			providers: alloc::vec::Vec::new(),
			completed: batch.completed_at.is_some(),
		};
		for job in batch.shards().filter_map(Jobs::<T>::get) {
			let served_by = match job.state {
				JobState::Pending => {
					progress.pending += 1;
					None
				},
				JobState::Assigned { .. } => {
					progress.assigned += 1;
					None
				},
				JobState::Receipted { provider, .. } => {
					progress.receipted += 1;
					Some(provider)
				},
				JobState::Finalized { provider, .. } => {
					progress.finalized += 1;
					Some(provider)
				},
				_ => {
					progress.unserved += 1;
					None
				},
			};
			if let Some(provider) = served_by {
				match progress.providers.iter_mut().find(|(who, _)| *who == provider) {
					Some((_, served)) => *served += 1,
					None => progress.providers.push((provider, 1)),
				}
			}
		}
		Some(progress)
	}

	/// Puts the shards whose provider missed their deadline back at the end of the queue, in
	/// one write of the queue; a shard that finds the queue full ends `Expired` and is
	/// refunded. Returns how many went back.
	pub(crate) fn requeue_shards(
		missed: alloc::vec::Vec<(JobId, Job<T>, T::AccountId)>,
		now: BlockNumberFor<T>,
	) -> u32 {
		if missed.is_empty() {
			return 0;
		}
		let mut pending = PendingJobs::<T>::get();
		let mut requeued = 0u32;
		for (job_id, mut job, provider) in missed {
			let Some(batch_id) = job.batch else { continue };
			let too_old = job.submitted_at.saturating_add(T::PendingTimeout::get()) <= now;
			if too_old || pending.try_push(job_id).is_err() {
				Self::end_expired(job_id, job, provider);
				continue;
			}
			job.state = JobState::Pending;
			job.queued_at = now;
			Jobs::<T>::insert(job_id, job);
			requeued = requeued.saturating_add(1);
			Self::deposit_event(Event::ShardRequeued { job_id, batch_id, provider });
		}
		PendingJobs::<T>::put(pending);
		requeued
	}

	/// The batches' invariants: each batch's shards are jobs of that batch whose units and
	/// payments sum to the batch's, its count of open shards and its receipts match its shards'
	/// states, and every shard belongs to a batch that lists it. Returns the open batches per
	/// client, for the open-jobs count.
	pub(crate) fn batches_try_state() -> Result<
		alloc::collections::btree_map::BTreeMap<T::AccountId, u32>,
		sp_runtime::TryRuntimeError,
	> {
		let mut open = alloc::collections::btree_map::BTreeMap::<T::AccountId, u32>::new();
		for (batch_id, batch) in Batches::<T>::iter() {
			ensure!(batch_id < NextBatchId::<T>::get(), "batch id at or above NextBatchId");
			let mut units: Units = 0;
			let mut payment = BalanceOf::<T>::zero();
			let mut open_shards = 0u32;
			let mut finalized = 0u32;
			for job_id in batch.shards() {
				let job = Jobs::<T>::get(job_id).ok_or("a batch's shard is missing")?;
				ensure!(job.batch == Some(batch_id), "a batch's shard belongs to another batch");
				ensure!(job.client == batch.client, "a shard's client is not its batch's");
				units = units.saturating_add(job.units);
				payment = payment.saturating_add(job.payment);
				open_shards += u32::from(job.is_open());
				if let JobState::Finalized { receipt_hash, .. } = &job.state {
					finalized += 1;
					ensure!(
						batch
							.receipts
							.iter()
							.any(|r| r.job_id == job_id && &r.receipt_hash == receipt_hash),
						"a finalized shard's receipt is missing from its batch"
					);
				}
			}
			ensure!(units == batch.units, "a batch's shard units do not sum to its units");
			ensure!(payment == batch.payment, "a batch's shard payments do not sum to its payment");
			ensure!(open_shards == batch.open_shards, "a batch's open shards do not match");
			ensure!(
				finalized as usize == batch.receipts.len(),
				"a batch lists a receipt of a shard that is not finalized"
			);
			ensure!(
				(open_shards == 0) == batch.completed_at.is_some(),
				"a batch is completed with open shards, or open with none"
			);
			let paid = batch
				.receipts
				.iter()
				.fold(BalanceOf::<T>::zero(), |sum, r| sum.saturating_add(r.payment));
			ensure!(
				batch.completed_at.is_none()
					|| paid.saturating_add(batch.refunded) == batch.payment,
				"a completed batch's payouts and refunds do not add up to its payment"
			);
			ensure!(
				batch.slots == Self::batch_slots(batch.count, batch.payment),
				"a batch holds the wrong number of quota slots"
			);
			if open_shards > 0 {
				*open.entry(batch.client.clone()).or_default() += batch.slots;
			}
		}
		for (job_id, job) in Jobs::<T>::iter() {
			if let Some(batch_id) = job.batch {
				let batch = Batches::<T>::get(batch_id).ok_or("a shard of an unknown batch")?;
				ensure!(batch.shards().contains(&job_id), "a shard outside its batch's range");
			}
		}
		Ok(open)
	}
}
