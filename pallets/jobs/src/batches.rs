//! Batch jobs: one submission for N images, served as shards by any providers in parallel.
//!
//! A shard is an ordinary job of `images_per_shard` consecutive images of the batch (seeds
//! `seed + i`; the last shard holds the rest), so claims, receipts, audits and finalization
//! treat it like any job, and each provider is paid and minted for exactly the shards it served:
//! the payout is proportional to verified units by construction. One image per shard spreads a
//! batch over the most providers; several per shard cost the chain one reservation, claim,
//! receipt and finalization for all of them, which is what lets it carry thousands of images
//! a second. What is particular to shards:
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
	/// Number of images.
	pub count: u32,
	/// Images per shard (the last shard holds the rest).
	pub images_per_shard: u32,
	/// Number of shards: `count / images_per_shard`, rounded up.
	pub shards: u32,
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
		self.first_job..self.first_job.saturating_add(u64::from(self.shards))
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
		images_per_shard: u32,
		max_price_per_unit: BalanceOf<T>,
		payment: BalanceOf<T>,
		deadline_blocks: BlockNumberFor<T>,
	) -> DispatchResult {
		ensure!(count >= 1 && count <= T::MaxBatchSize::get(), Error::<T>::InvalidBatchSize);
		ensure!(
			images_per_shard >= 1
				&& images_per_shard <= count
				&& images_per_shard <= T::MaxImagesPerShard::get(),
			Error::<T>::InvalidShardSize
		);
		let shards = Self::shard_count(count, images_per_shard);
		let image_units = Self::check_request(model_id, &prompt, &params, deadline_blocks)?;
		// A shard's provider makes all its images before the deadline: at least the shortest
		// deadline per image (up to the longest deadline), so a client cannot ask many images
		// in a deadline no honest provider meets and have each provider it reaches slashed.
		let per_image = T::MinDeadline::get().saturating_mul(images_per_shard.into());
		ensure!(
			deadline_blocks >= per_image.min(T::MaxDeadline::get()),
			Error::<T>::InvalidDeadline
		);
		ensure!(
			Job::<T>::shard_params(&params, count - 1).is_some(),
			Error::<T>::SeedRangeOverflow
		);
		let units = image_units.checked_mul(u64::from(count)).ok_or(Error::<T>::UnitsOverflow)?;
		// An even split over the images, the remainder one unit of balance each to the first
		// images: every image's share, and so every shard's, is the existential deposit or
		// more, so the escrow never holds dust.
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
		let next_job = first_job.checked_add(u64::from(shards)).ok_or(Error::<T>::UnitsOverflow)?;
		let batch_id = NextBatchId::<T>::get();
		let next_batch = batch_id.checked_add(1).ok_or(Error::<T>::UnitsOverflow)?;
		let mut pending = PendingJobs::<T>::get();
		ensure!(
			pending.len().saturating_add(shards as usize) <= T::MaxPendingJobs::get() as usize,
			Error::<T>::QueueFull
		);
		Self::escrow_payment(&client, payment)?;

		let now = frame_system::Pallet::<T>::block_number();
		for shard in 0..shards {
			let job_id = first_job.saturating_add(u64::from(shard));
			let first_image = shard.saturating_mul(images_per_shard);
			let images = images_per_shard.min(count.saturating_sub(first_image));
			// The first images have one unit of balance more, up to the remainder.
			let extra: BalanceOf<T> = if BalanceOf::<T>::from(first_image) < remainder {
				let with_extra = remainder.saturating_sub(first_image.into());
				with_extra.min(images.into())
			} else {
				Zero::zero()
			};
			let payment = share.saturating_mul(images.into()).saturating_add(extra);
			// Checked above for the last image, so for every one.
			let params = Job::<T>::shard_params(&params, first_image).unwrap_or(params);
			// Room for every shard was checked above.
			let _ = pending.try_push(job_id);
			Jobs::<T>::insert(
				job_id,
				Job {
					client: client.clone(),
					model_id,
					prompt: prompt.clone(),
					params,
					images,
					// Cannot overflow: the whole batch's units were checked above.
					units: image_units.saturating_mul(u64::from(images)),
					max_price_per_unit,
					payment,
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
				images_per_shard,
				shards,
				units,
				payment,
				submitted_at: now,
				open_shards: shards,
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
			shards,
			units,
			payment,
		});
		Ok(())
	}

	/// How many shards (jobs) a batch of `count` images in shards of `images_per_shard` makes;
	/// `count` when `images_per_shard` is 0 (refused, but weighed at its most first).
	pub fn shard_count(count: u32, images_per_shard: u32) -> u32 {
		match images_per_shard {
			0 => count,
			per_shard => count.div_ceil(per_shard),
		}
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

	/// [`Pallet::cancel_batch`]: returns the batch's number of shards (every one is read).
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
		Ok(batch.shards)
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
			let images = job.images;
			let add = |count: &mut u32| *count = count.saturating_add(images);
			let served_by = match job.state {
				JobState::Pending => {
					add(&mut progress.pending);
					None
				},
				JobState::Assigned { .. } => {
					add(&mut progress.assigned);
					None
				},
				JobState::Receipted { provider, .. } => {
					add(&mut progress.receipted);
					Some(provider)
				},
				JobState::Finalized { provider, .. } => {
					add(&mut progress.finalized);
					Some(provider)
				},
				_ => {
					add(&mut progress.unserved);
					None
				},
			};
			if let Some(provider) = served_by {
				match progress.providers.iter_mut().find(|(who, _)| *who == provider) {
					Some((_, served)) => add(served),
					None => progress.providers.push((provider, images)),
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

	/// The batches' invariants: each batch's shards are jobs of that batch whose images, units
	/// and payments sum to the batch's, each with `images_per_shard` images but the last, its
	/// count of open shards and its receipts match its shards' states, and every shard belongs
	/// to a batch that lists it. Returns the open batches per
	/// client, for the open-jobs count.
	pub(crate) fn batches_try_state() -> Result<
		alloc::collections::btree_map::BTreeMap<T::AccountId, u32>,
		sp_runtime::TryRuntimeError,
	> {
		let mut open = alloc::collections::btree_map::BTreeMap::<T::AccountId, u32>::new();
		for (batch_id, batch) in Batches::<T>::iter() {
			ensure!(batch_id < NextBatchId::<T>::get(), "batch id at or above NextBatchId");
			let mut units: Units = 0;
			let mut images = 0u32;
			let mut payment = BalanceOf::<T>::zero();
			let mut open_shards = 0u32;
			let mut finalized = 0u32;
			for job_id in batch.shards() {
				let job = Jobs::<T>::get(job_id).ok_or("a batch's shard is missing")?;
				ensure!(job.batch == Some(batch_id), "a batch's shard belongs to another batch");
				ensure!(job.client == batch.client, "a shard's client is not its batch's");
				let last = job_id.saturating_add(1) == batch.shards().end;
				ensure!(
					job.images == batch.images_per_shard
						|| (last && job.images >= 1 && job.images < batch.images_per_shard),
					"a shard holds the wrong number of images"
				);
				ensure!(
					job.params.seed == batch_seed(&batch, job_id, &job),
					"a shard's first seed is not its first image's"
				);
				images = images.saturating_add(job.images);
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
			ensure!(
				batch.shards == batch.count.div_ceil(batch.images_per_shard.max(1)),
				"a batch's number of shards does not match its images"
			);
			ensure!(images == batch.count, "a batch's shard images do not sum to its count");
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

/// The seed of the first image of shard `job_id`, as its batch's first shard's seed implies.
fn batch_seed<T: Config>(batch: &Batch<T>, job_id: JobId, job: &Job<T>) -> u64 {
	let shard = job_id.saturating_sub(batch.first_job);
	let first_seed =
		Jobs::<T>::get(batch.first_job).map_or(job.params.seed, |first| first.params.seed);
	first_seed.saturating_add(shard.saturating_mul(u64::from(batch.images_per_shard)))
}
