//! How jobs end and what happens to their payments: the escrow, refunds, expiry at a missed
//! deadline and the end of jobs nobody claimed in time.

use super::*;

impl<T: Config> Pallet<T> {
	/// The account holding the payments of open jobs. It has no key; only this pallet
	/// moves its funds.
	pub fn escrow_account() -> T::AccountId {
		T::PalletId::get().into_account_truncating()
	}

	/// Pays `amount` out of escrow to `who`.
	pub(crate) fn pay_out(who: &T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
		if amount.is_zero() {
			return Ok(());
		}
		// Every payment is at least the existential deposit, so what stays in escrow is
		// either nothing or at least one payment: no dust.
		T::Currency::transfer(&Self::escrow_account(), who, amount, Preservation::Expendable)
			.map(|_| ())
	}

	/// Pays the job's escrowed payment back to the client; returns what was refunded.
	pub(crate) fn refund(job: &Job<T>) -> BalanceOf<T> {
		match Self::pay_out(&job.client, job.payment) {
			Ok(()) => job.payment,
			// Escrow short of an open job's payment is broken accounting, which try_state
			// reports; ending the job must go on.
			Err(_) => Zero::zero(),
		}
	}

	/// The payments of all open jobs: what the escrow account must hold.
	pub fn escrowed() -> BalanceOf<T> {
		Jobs::<T>::iter_values()
			.filter(|job| job.is_open())
			.fold(Zero::zero(), |total: BalanceOf<T>, job| total.saturating_add(job.payment))
	}

	/// Ends an open job in `state`: refunds its escrowed payment, frees its client's
	/// open-job slot (a shard: counts it ended in its batch) and stores it. Returns the
	/// refund.
	pub(crate) fn end_open(
		job_id: JobId,
		mut job: Job<T>,
		state: JobState<T::AccountId, BalanceOf<T>, BlockNumberFor<T>>,
	) -> BalanceOf<T> {
		if job.state == JobState::Pending {
			Self::drop_reservation(job_id);
		}
		let refund = Self::refund(&job);
		Self::job_closed(&job, None, refund);
		job.state = state;
		Jobs::<T>::insert(job_id, job);
		refund
	}

	/// One open job of `client` ended.
	pub(crate) fn close(client: &T::AccountId) {
		OpenJobs::<T>::mutate_exists(client, |open| {
			let left = open.unwrap_or(0).saturating_sub(1);
			*open = (left > 0).then_some(left);
		});
	}

	/// An open job ended: a single job frees its client's slot; a shard is counted in its
	/// batch (`served`: its receipt, when it was finalized), which completes with its last.
	pub(crate) fn job_closed(
		job: &Job<T>,
		served: Option<ShardReceipt<T::AccountId, BalanceOf<T>>>,
		refund: BalanceOf<T>,
	) {
		match job.batch {
			None => Self::close(&job.client),
			Some(batch_id) => Self::shard_closed(batch_id, served, refund),
		}
	}

	/// Expires `job_id` if it is still assigned with its deadline at `now`. A single job
	/// ends `Expired` and is refunded; a shard is returned, to go back to the queue.
	pub(crate) fn expire(
		job_id: JobId,
		now: BlockNumberFor<T>,
	) -> Option<(JobId, Job<T>, T::AccountId)> {
		let job = Jobs::<T>::get(job_id)?;
		let JobState::Assigned { provider, deadline, .. } = job.state.clone() else {
			return None;
		};
		if deadline != now {
			return None;
		}
		// The provider had this job in flight; failing here would mean broken accounting,
		// which try_state reports. Expiry itself must go on.
		let _ = T::Providers::job_released(&provider, false);
		T::Providers::record_outcome(&provider, JobOutcome::Expired);
		T::OnExpired::on_job_expired(&provider, job_id);
		if job.batch.is_some() {
			return Some((job_id, job, provider));
		}
		Self::end_expired(job_id, job, provider);
		None
	}

	/// Ends an assigned job `Expired`: refunded, its slot freed.
	pub(crate) fn end_expired(job_id: JobId, job: Job<T>, provider: T::AccountId) {
		let refund = Self::end_open(job_id, job, JobState::Expired { provider: provider.clone() });
		Self::deposit_event(Event::JobExpired { job_id, provider, refund });
	}

	/// Ends the pending jobs at the front of the queue that were queued `PendingTimeout`
	/// or more blocks before `now`, at most `MaxUnclaimedPerBlock`; refunds each and frees
	/// its client's slot. Returns how many ids it took off the queue.
	pub(crate) fn end_unclaimed(now: BlockNumberFor<T>) -> u32 {
		let pending = PendingJobs::<T>::get();
		let timeout = T::PendingTimeout::get();
		let mut ended = 0u32;
		for &job_id in pending.iter().take(T::MaxUnclaimedPerBlock::get() as usize) {
			match Jobs::<T>::get(job_id) {
				Some(job) if job.state == JobState::Pending => {
					if job.queued_at.saturating_add(timeout) > now {
						break;
					}
					let refund = Self::end_open(job_id, job, JobState::Unclaimed);
					Self::deposit_event(Event::JobUnclaimed { job_id, refund });
				},
				// Not a pending job: a stale id (try_state reports how it got there); drop it.
				_ => {},
			}
			ended = ended.saturating_add(1);
		}
		if ended > 0 {
			PendingJobs::<T>::put(BoundedVec::truncate_from(
				pending.into_iter().skip(ended as usize).collect::<alloc::vec::Vec<_>>(),
			));
		}
		ended
	}
}
