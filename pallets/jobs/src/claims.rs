//! Claims: the matching rule applied to a pending job, the claim itself, and the escrow of a
//! submission's payment.

use crate::*;
use frame_system::pallet_prelude::BlockNumberFor;

impl<T: Config> Pallet<T> {
	/// The matching rule for a claim: the job is pending and the marketplace lets
	/// `provider` take it. Returns the job and the provider's price.
	pub fn check_claim(
		provider: &T::AccountId,
		job_id: JobId,
	) -> Result<(Job<T>, BalanceOf<T>), DispatchError> {
		let job = Self::claimable_job(provider, job_id).map_err(|stale| match stale {
			StaleClaim::UnknownJob => Error::<T>::UnknownJob,
			StaleClaim::NotPending => Error::<T>::NotPending,
			StaleClaim::ReservedForAnother => Error::<T>::ReservedForAnother,
		})?;
		// Serving oneself would mint AIT for work nobody asked for.
		ensure!(&job.client != provider, Error::<T>::SelfDealing);
		let request = Self::job_request(job.model_id, &job.params, job.max_price_per_unit);
		let holds_slot = Reservations::<T>::contains_key(job_id);
		let price = T::Providers::check_can_take(provider, &request, holds_slot)?;
		Ok((job, price))
	}

	/// The job, if it is pending and not reserved for another provider than `provider`: the
	/// part of the claim rule that no provider can know before its claim is in a block
	/// (another claim or a reservation may come first), and that [`CheckClaim`] checks in the
	/// transaction pool.
	pub fn claimable_job(provider: &T::AccountId, job_id: JobId) -> Result<Job<T>, StaleClaim> {
		let job = Jobs::<T>::get(job_id).ok_or(StaleClaim::UnknownJob)?;
		ensure!(job.state == JobState::Pending, StaleClaim::NotPending);
		if let Some(reservation) = Reservations::<T>::get(job_id) {
			ensure!(&reservation.provider == provider, StaleClaim::ReservedForAnother);
		}
		Ok(job)
	}

	/// Assigns the pending `job_id` to `provider` if the matching rule lets it take the job:
	/// schedules its deadline and takes a slot of the provider's capacity.
	pub(crate) fn do_claim(provider: T::AccountId, job_id: JobId) -> DispatchResult {
		let (mut job, price_per_unit) = Self::check_claim(&provider, job_id)?;
		let now = frame_system::Pallet::<T>::block_number();
		let deadline: BlockNumberFor<T> = now.saturating_add(job.deadline_blocks);
		let mut due = Deadlines::<T>::get(deadline);
		due.try_push(job_id).map_err(|_| Error::<T>::DeadlineBlockFull)?;
		// A job reserved for the provider holds one of its slots already: the claim turns
		// the reservation into the assignment.
		if Reservations::<T>::take(job_id).is_some() {
			T::Providers::job_released(&provider, false)?;
		}
		T::Providers::job_assigned(&provider, job.model_id)?;

		Deadlines::<T>::insert(deadline, due);
		PendingJobs::<T>::mutate(|pending| pending.retain(|id| *id != job_id));
		job.state = JobState::Assigned { provider: provider.clone(), price_per_unit, deadline };
		Jobs::<T>::insert(job_id, job);
		Self::deposit_event(Event::JobAssigned { job_id, provider, price_per_unit, deadline });
		Ok(())
	}

	/// Moves a submission's `payment` from `client` into escrow (nothing for a free job). The
	/// client's account must stay alive: a payment never reaps its payer.
	pub(crate) fn escrow_payment(client: &T::AccountId, payment: BalanceOf<T>) -> DispatchResult {
		if payment.is_zero() {
			return Ok(());
		}
		T::Currency::transfer(client, &Self::escrow_account(), payment, Preservation::Preserve)
			.map(|_| ())
			.map_err(|_| Error::<T>::InsufficientBalance.into())
	}
}
