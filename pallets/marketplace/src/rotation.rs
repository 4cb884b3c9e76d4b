//! The rotation: per model, the providers serving it, in the order the hub asks them.
//!
//! Assignment must not iterate over every offer in a block, and must not favour whoever sits
//! closest to a validator. Each model keeps a bounded list of the providers whose offer serves
//! it ([`Rotation`]), kept in step with their offers. To find a provider for a job the hub asks
//! the providers at the front of the model's list, at most `MaxProbesPerPick` of them, with the
//! one matching rule ([`Pallet::match_offer`], liveness included) and takes the first that
//! fits best ([`Preference`]: the most reliable record, then a GPU that has the model loaded,
//! then the first in line). The chosen provider goes to the back, and so does every provider
//! asked that could not take the job: the next job starts with the providers after them, so
//! over successive jobs every provider is asked in turn, and one that is busy, offline or too
//! dear does not keep the front. A fitting provider passed over for a better one keeps its
//! place at the front: the preference decides who goes first, not who gets a turn.

use crate::*;
use frame_system::pallet_prelude::BlockNumberFor;

/// What the hub prefers among providers that can all take a job, compared field by field in
/// this order: the more reliable record (in tenths, [`Reputation::reliability_tenths`]), then
/// a GPU that has the job's model loaded ([`Offer::is_warm_for`]).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub struct Preference {
	/// The provider's reliability, 0–10.
	pub reliability_tenths: u32,
	/// Its last job was of the same model (or it has had none).
	pub warm: bool,
}

impl Preference {
	/// Nobody is preferred to a provider with this: a spotless record and the model loaded.
	pub const BEST: Preference = Preference { reliability_tenths: 10, warm: true };
}

impl<T: Config> Pallet<T> {
	/// Adds `provider` to the rotation of each model of `new` that is not in `old`. Checks
	/// every rotation has room before writing any.
	pub(crate) fn join_rotations(
		provider: &T::AccountId,
		old: &[ModelId],
		new: &[ModelId],
	) -> DispatchResult {
		let joined: alloc::vec::Vec<_> = new.iter().filter(|model| !old.contains(model)).collect();
		let mut rotations = alloc::vec::Vec::with_capacity(joined.len());
		for model in joined {
			let mut rotation = Rotation::<T>::get(model);
			rotation.try_push(provider.clone()).map_err(|_| Error::<T>::RotationFull)?;
			rotations.push((model, rotation));
		}
		for (model, rotation) in rotations {
			Rotation::<T>::insert(model, rotation);
		}
		Ok(())
	}

	/// Removes `provider` from the rotation of each model of `old` that is not in `new`.
	pub(crate) fn leave_rotations(provider: &T::AccountId, old: &[ModelId], new: &[ModelId]) {
		for model in old.iter().filter(|model| !new.contains(model)) {
			Rotation::<T>::mutate_exists(model, |rotation| {
				if let Some(list) = rotation {
					list.retain(|listed| listed != provider);
					if list.is_empty() {
						*rotation = None;
					}
				}
			});
		}
	}

	/// The provider of the model's rotation that takes `job` next, and its price. Of the
	/// providers at the front of the rotation (at most `MaxProbesPerPick`) that the matching
	/// rule lets take the job, the one with the best [`Preference`], the first in line among
	/// equals. The chosen provider, and every provider asked that could not take the job, go
	/// to the back in their order; fitting providers passed over keep their place, so the
	/// preference reorders a turn without taking it away.
	pub(crate) fn pick(
		job: &JobRequest<T::Balance>,
		now: BlockNumberFor<T>,
	) -> Option<(T::AccountId, T::Balance)> {
		let rotation = Rotation::<T>::get(job.model);
		let probes = rotation.len().min(T::MaxProbesPerPick::get() as usize);
		let mut best: Option<(usize, T::Balance, Preference)> = None;
		// Positions asked that could not take the job; at most `MaxProbesPerPick`.
		let mut unfit = alloc::vec::Vec::new();
		let mut asked = 0;
		for (at, provider) in rotation.iter().take(probes).enumerate() {
			asked = at.saturating_add(1);
			let fit = Offers::<T>::get(provider).and_then(|offer| {
				let price = Self::match_offer(provider, &offer, job, Some(now)).ok()?;
				Some((price, Self::preference(provider, &offer, job.model)))
			});
			match fit {
				Some((price, preference)) => {
					if best.as_ref().is_none_or(|(_, _, so_far)| preference > *so_far) {
						best = Some((at, price, preference));
					}
					// Nobody after it can do better: ask no more.
					if preference == Preference::BEST {
						break;
					}
				},
				None => unfit.push(at),
			}
		}
		let chosen_at = best.as_ref().map(|(at, _, _)| *at);
		let to_back = |at: usize| at < asked && (unfit.contains(&at) || chosen_at == Some(at));
		let moved = (0..asked).filter(|&at| to_back(at)).count();
		// Moving every provider of the rotation to the back changes nothing.
		if moved > 0 && moved < rotation.len() {
			let (back, front): (alloc::vec::Vec<_>, alloc::vec::Vec<_>) =
				rotation.iter().cloned().enumerate().partition(|(at, _)| to_back(*at));
			let reordered = front.into_iter().chain(back).map(|(_, provider)| provider);
			// Cannot fail: the same providers, as many as before.
			let reordered = BoundedVec::truncate_from(reordered.collect::<alloc::vec::Vec<_>>());
			Rotation::<T>::insert(job.model, reordered);
		}
		let (at, price, _) = best?;
		rotation.get(at).map(|provider| (provider.clone(), price))
	}

	/// How much the hub prefers `provider` for a job of `model`, among those that can take it.
	pub fn preference(provider: &T::AccountId, offer: &OfferOf<T>, model: ModelId) -> Preference {
		Preference {
			reliability_tenths: Reputations::<T>::get(provider).reliability_tenths(),
			warm: offer.is_warm_for(model),
		}
	}

	/// The rotations list exactly the offers serving each model, each once.
	pub(crate) fn check_rotations() -> Result<(), sp_runtime::TryRuntimeError> {
		let mut listed = 0usize;
		for (model, rotation) in Rotation::<T>::iter() {
			ensure!(!rotation.is_empty(), "an empty rotation is stored");
			for (at, provider) in rotation.iter().enumerate() {
				ensure!(
					!rotation[..at].contains(provider),
					"a provider listed twice in a rotation"
				);
				ensure!(
					Offers::<T>::get(provider).is_some_and(|o| o.terms.models.contains(&model)),
					"a rotation lists a provider whose offer does not serve the model"
				);
			}
			listed = listed.saturating_add(rotation.len());
		}
		let served: usize = Offers::<T>::iter_values().map(|o| o.terms.models.len()).sum();
		ensure!(listed == served, "rotations and offers disagree on who serves what");
		Ok(())
	}
}
