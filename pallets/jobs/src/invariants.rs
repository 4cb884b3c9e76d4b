//! The pallet's invariants, checked by `try_state` and by the tests of every pallet that
//! builds on this one.

use super::*;

impl<T: Config> Pallet<T> {
	/// Invariants: every pending id is a pending job and vice versa, in the order they were
	/// queued; open-job counts match (a single job or a batch is one); every assigned job is in the deadline schedule; the escrow
	/// account holds at least the open jobs' payments (more only if someone sent it AIT).
	/// Also run by the tests of pallets that build on this one.
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		use alloc::collections::btree_map::BTreeMap;
		Self::reservations_try_state()?;
		let pending = PendingJobs::<T>::get();
		let mut open: BTreeMap<T::AccountId, u32> = Self::batches_try_state()?;
		let mut escrowed = BalanceOf::<T>::zero();
		let mut pending_count = 0usize;
		for (job_id, job) in Jobs::<T>::iter() {
			ensure!(job_id < NextJobId::<T>::get(), "job id at or above NextJobId");
			match &job.state {
				JobState::Pending => {
					ensure!(pending.contains(&job_id), "pending job missing from the queue");
					pending_count += 1;
				},
				JobState::Assigned { deadline, .. } => ensure!(
					Deadlines::<T>::get(deadline).contains(&job_id),
					"assigned job missing from the deadline schedule"
				),
				_ => {},
			}
			if job.is_open() {
				if job.batch.is_none() {
					*open.entry(job.client.clone()).or_default() += 1;
				}
				escrowed = escrowed.saturating_add(job.payment);
			}
			ensure!(
				job.payment.is_zero() || job.payment >= T::Currency::minimum_balance(),
				"a payment below the existential deposit"
			);
		}
		ensure!(pending_count == pending.len(), "queue holds a job that is not pending");
		let queued: alloc::vec::Vec<_> = pending
			.iter()
			.filter_map(|job_id| Jobs::<T>::get(job_id).map(|job| job.queued_at))
			.collect();
		ensure!(
			queued.windows(2).all(|pair| pair[0] <= pair[1]),
			"pending queue is not in the order jobs were queued"
		);
		ensure!(
			OpenJobs::<T>::iter().all(|(who, n)| open.get(&who) == Some(&n))
				&& open.iter().all(|(who, n)| OpenJobs::<T>::get(who) == *n),
			"open-job counts do not match the jobs"
		);
		ensure!(
			T::Currency::balance(&Self::escrow_account()) >= escrowed,
			"the escrow account holds less than the open jobs' payments"
		);
		Ok(())
	}
}
