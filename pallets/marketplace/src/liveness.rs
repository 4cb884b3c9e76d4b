//! Liveness: whether a provider has shown a sign of life recently enough to count on it.
//!
//! Every write a provider causes to its own offer records the block (`Offer::last_seen`): its
//! registration and offer changes, each claim and each receipt. An idle provider sends a
//! feeless [`Pallet::heartbeat`] instead, at most once per `MinHeartbeatInterval` blocks and
//! within `MaxHeartbeatsPerBlock` per block, so reconnecting workers cannot flood the chain.
//! A provider is live while its last sign of life is less than `LivenessWindow` blocks old,
//! unless the hub marked it offline since: a job reserved for it passed its acceptance window
//! unclaimed ([`ProviderRegistry::missed_reservation`]), a job of its expired, or a quorum of
//! validators' probes found its endpoint down ([`Pallet::note_unreachable`]). Its next sign of
//! life clears the mark;
//! a heartbeat that clears it is due at once, whatever the interval.

use crate::*;
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::Saturating;

impl<T: Config> Pallet<T> {
	/// Whether a heartbeat of `provider` is due and fits in this block; returns its offer.
	/// The same check decides whether the heartbeat is feeless, so a heartbeat that would fail
	/// is never free.
	pub fn check_heartbeat(provider: &T::AccountId) -> Result<OfferOf<T>, DispatchError> {
		let offer = Offers::<T>::get(provider).ok_or(Error::<T>::NoOffer)?;
		Self::check_eligible(provider)?;
		let now = frame_system::Pallet::<T>::block_number();
		ensure!(
			offer.offline || offer.last_seen.saturating_add(T::MinHeartbeatInterval::get()) <= now,
			Error::<T>::HeartbeatTooSoon
		);
		let (block, count) = HeartbeatsInBlock::<T>::get();
		ensure!(
			block != now || count < T::MaxHeartbeatsPerBlock::get(),
			Error::<T>::TooManyHeartbeats
		);
		Ok(offer)
	}

	/// Whether an offer's provider is live at `now`.
	pub fn is_live(offer: &OfferOf<T>, now: BlockNumberFor<T>) -> bool {
		!offer.offline && offer.last_seen.saturating_add(T::LivenessWindow::get()) > now
	}

	/// Marks `provider` offline until its next sign of life (it missed a reservation or a
	/// deadline).
	pub(crate) fn mark_offline(provider: &T::AccountId) {
		Offers::<T>::mutate(provider, |offer| {
			if let Some(offer) = offer.as_mut().filter(|offer| !offer.offline) {
				offer.offline = true;
				Self::deposit_event(Event::MarkedOffline { provider: provider.clone() });
			}
		});
	}

	/// A quorum of validators' probes found `provider`'s endpoint down: it counts as offline
	/// until its next sign of life, like a provider that missed a reservation.
	pub fn note_unreachable(provider: &T::AccountId) {
		Self::mark_offline(provider)
	}

	/// Records a sign of life of the offer's provider.
	pub(crate) fn seen(offer: &mut OfferOf<T>) {
		offer.last_seen = frame_system::Pallet::<T>::block_number();
		offer.offline = false;
	}
}
