//! Assignment by the hub: each pending job is reserved for one live provider, which accepts it
//! by claiming it.
//!
//! Without the hub, the first provider whose claim reaches a block wins a job: a race that
//! costs every loser a message and favours whoever sits closest to a validator. Instead, after
//! each block's transactions (`on_idle`, with the weight the block has left), the hub goes
//! through the pending queue oldest first and asks the marketplace for the provider that takes
//! each job next ([`ProviderRegistry::pick_provider`]: the model's rotation, the one matching
//! rule, liveness included). The job is then *reserved* for that provider, holding one of its
//! slots, until `AcceptWindow` blocks later: only it may claim the job meanwhile, and a worker
//! sees the reservation in the very block that made it.
//!
//! A provider that lets the window pass without claiming shows it is not there: in the block
//! the window closes (`on_initialize`), the reservation lapses, the slot is freed, the
//! provider is marked offline until its next sign of life, and the job, still pending at its
//! place in the queue, is reserved for the next provider after that block's transactions.
//!
//! A pending job no provider could be found for stays unreserved, and any provider the
//! matching rule lets take it may still claim it (the claim path of the providers that the
//! hub did not find live, or of a block with no weight left for the hub).

use crate::*;
use pallet_aitbc_marketplace::JobRequest;

/// A pending job held for one provider until it claims the job or the window closes.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct Reservation<AccountId, BlockNumber> {
	/// The provider the job is reserved for.
	pub provider: AccountId,
	/// The block in which the reservation lapses if the provider has not claimed the job.
	pub accept_by: BlockNumber,
}

impl<T: Config> Pallet<T> {
	/// Reserves pending jobs, oldest first, within `limit`: at most `MaxReservationsPerBlock`
	/// picks, and as many jobs looked at as the weight allows. Returns the weight used.
	pub(crate) fn reserve_pending(now: BlockNumberFor<T>, limit: Weight) -> Weight {
		let base = T::WeightInfo::reserve_pending(0, 0);
		let per_look = T::WeightInfo::reserve_pending(1, 0).saturating_sub(base);
		let per_pick = T::WeightInfo::reserve_pending(0, 1).saturating_sub(base);
		if !limit.all_gte(base.saturating_add(per_look).saturating_add(per_pick)) {
			return Weight::zero();
		}
		let accept_by = now.saturating_add(T::AcceptWindow::get());
		let mut due = ReservationsDue::<T>::get(accept_by);
		let mut used = base;
		let mut picks = 0u32;
		// Requests no provider could be found for in this block: a job asking no less (the same
		// model, as many pixels or more, no higher price) is not asked for again.
		let mut unmatched: alloc::vec::Vec<JobRequest<BalanceOf<T>>> = alloc::vec::Vec::new();
		for &job_id in PendingJobs::<T>::get().iter() {
			let next = used.saturating_add(per_look).saturating_add(per_pick);
			if picks >= T::MaxReservationsPerBlock::get() || due.is_full() || !limit.all_gte(next) {
				break;
			}
			used = used.saturating_add(per_look);
			if Reservations::<T>::contains_key(job_id) {
				continue;
			}
			let Some(job) = Jobs::<T>::get(job_id).filter(|job| job.state == JobState::Pending)
			else {
				continue;
			};
			let request = Self::job_request(job.model_id, &job.params, job.max_price_per_unit);
			let asks_no_less = |failed: &JobRequest<BalanceOf<T>>| {
				failed.model == request.model
					&& failed.pixels <= request.pixels
					&& failed.max_price >= request.max_price
			};
			if unmatched.iter().any(asks_no_less) {
				continue;
			}
			used = used.saturating_add(per_pick);
			picks = picks.saturating_add(1);
			match T::Providers::pick_provider(&request) {
				// Serving oneself would mint AIT for work nobody asked for: leave the job to
				// the claim path, where the same rule refuses the client.
				Some((provider, _)) if provider != job.client => {
					if T::Providers::slot_reserved(&provider, job.model_id).is_err()
						|| due.try_push(job_id).is_err()
					{
						continue;
					}
					Reservations::<T>::insert(
						job_id,
						Reservation { provider: provider.clone(), accept_by },
					);
					Self::deposit_event(Event::JobReserved { job_id, provider, accept_by });
				},
				Some(_) => {},
				None => unmatched.push(request),
			}
		}
		if picks > 0 {
			ReservationsDue::<T>::insert(accept_by, due);
		}
		used
	}

	/// Lapses the reservations whose window closes at `now`: frees the provider's slot and
	/// marks it offline; the job stays pending for the next provider. Returns how many ids
	/// were due.
	pub(crate) fn lapse_reservations(now: BlockNumberFor<T>) -> u32 {
		let due = ReservationsDue::<T>::take(now);
		for &job_id in due.iter() {
			// Claimed, cancelled or ended since: the reservation is gone already.
			let Some(reservation) = Reservations::<T>::get(job_id) else { continue };
			if reservation.accept_by != now {
				continue;
			}
			Reservations::<T>::remove(job_id);
			T::Providers::missed_reservation(&reservation.provider);
			Self::deposit_event(Event::ReservationLapsed {
				job_id,
				provider: reservation.provider,
			});
		}
		due.len() as u32
	}

	/// The pending job `job_id` leaves the queue without being claimed (cancelled or
	/// unclaimed): its reservation, if any, ends and frees the provider's slot.
	pub(crate) fn drop_reservation(job_id: JobId) {
		if let Some(reservation) = Reservations::<T>::take(job_id) {
			// The reservation held this slot; failing here would mean broken accounting,
			// which try_state reports.
			let _ = T::Providers::job_released(&reservation.provider, false);
		}
	}

	/// The reservations' invariants: each is of a pending job, listed in the schedule of the
	/// block its window closes in, which is still to come.
	pub(crate) fn reservations_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		let now = frame_system::Pallet::<T>::block_number();
		for (job_id, reservation) in Reservations::<T>::iter() {
			ensure!(
				Jobs::<T>::get(job_id).is_some_and(|job| job.state == JobState::Pending),
				"a reservation of a job that is not pending"
			);
			ensure!(reservation.accept_by > now, "a reservation past its window");
			ensure!(
				ReservationsDue::<T>::get(reservation.accept_by).contains(&job_id),
				"a reservation missing from its schedule"
			);
		}
		Ok(())
	}
}
