//! The rotation: per model, the providers serving it, in the order the hub asks them.
//!
//! Assignment must not iterate over every offer in a block, and must not favour whoever sits
//! closest to a validator. Each model keeps a bounded list of the providers whose offer serves
//! it ([`Rotation`]), kept in step with their offers. To find a provider for a job the hub asks
//! the providers at the front of the model's list, at most `MaxProbesPerPick` of them, with the
//! one matching rule ([`Pallet::match_offer`], liveness included) and takes the first that
//! fits. Every provider it asked goes to the back, chosen or not: the next job starts with the
//! providers after them, so over successive jobs every provider is asked in turn, and one that
//! is busy, offline or too dear does not keep the front.

use crate::*;
use frame_system::pallet_prelude::BlockNumberFor;

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

	/// The provider of the model's rotation that takes `job` next, and its price; rotates
	/// every provider asked to the back.
	pub(crate) fn pick(
		job: &JobRequest<T::Balance>,
		now: BlockNumberFor<T>,
	) -> Option<(T::AccountId, T::Balance)> {
		let mut rotation = Rotation::<T>::get(job.model);
		let probes = rotation.len().min(T::MaxProbesPerPick::get() as usize);
		let mut chosen = None;
		let mut asked = probes;
		for (at, provider) in rotation.iter().take(probes).enumerate() {
			let Some(offer) = Offers::<T>::get(provider) else { continue };
			if let Ok(price) = Self::match_offer(provider, &offer, job, Some(now)) {
				chosen = Some((provider.clone(), price));
				asked = at.saturating_add(1);
				break;
			}
		}
		if asked > 0 && asked < rotation.len() {
			// Cannot fail: `asked` is within the rotation's length.
			let _ = rotation.try_rotate_left(asked);
			Rotation::<T>::insert(job.model, rotation);
		}
		chosen
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
