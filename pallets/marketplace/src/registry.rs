//! The matching rule and the [`ProviderRegistry`] the jobs, receipts and audits pallets use.

use crate::*;
use aitbc_primitives::{Feasibility, ModelId, WorkerKey};
use frame_support::pallet_prelude::*;
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::DispatchResult;

/// How far an offer gets through the matching rule, for the feasibility funnel.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Stage {
	/// Eligible, unpaused, serving the model.
	Serving,
	/// And live.
	Live,
	/// And within the price limit.
	WithinPrice,
	/// And runs the image size.
	Able,
	/// And has a free slot.
	Free,
}

impl<T: Config> Pallet<T> {
	/// The one matching rule: whether `provider`'s `offer` may take `job`, checked in the
	/// order of the feasibility funnel — eligible (approved or bonded), unpaused, serving the
	/// model, live at `now` (when given: assignment and feasibility ask it, a claim is itself
	/// a sign of life), within the price limit, within the size limit, with a free slot.
	/// Returns the provider's price.
	pub fn match_offer(
		provider: &T::AccountId,
		offer: &OfferOf<T>,
		job: &JobRequest<T::Balance>,
		now: Option<BlockNumberFor<T>>,
	) -> Result<T::Balance, Error<T>> {
		Self::check_eligible(provider)?;
		ensure!(!offer.paused, Error::<T>::OfferPaused);
		ensure!(offer.terms.models.contains(&job.model), Error::<T>::ModelNotServed);
		if let Some(now) = now {
			ensure!(Self::is_live(offer, now), Error::<T>::ProviderOffline);
		}
		ensure!(offer.terms.price_per_unit <= job.max_price, Error::<T>::PriceTooHigh);
		ensure!(u64::from(offer.terms.max_pixels) >= job.pixels, Error::<T>::ImageTooLarge);
		ensure!(offer.in_flight < offer.terms.capacity, Error::<T>::AtCapacity);
		Ok(offer.terms.price_per_unit)
	}
}

/// Set-up shortcuts for the benchmarks of pallets that build on the marketplace.
#[cfg(feature = "runtime-benchmarks")]
impl<T: Config> Pallet<T> {
	/// Registers a model with the largest limits and returns its id.
	pub fn benchmark_model() -> ModelId {
		let model_id = ModelCount::<T>::get();
		Models::<T>::insert(
			model_id,
			ModelInfo {
				name: BoundedVec::truncate_from(b"benchmark".to_vec()),
				pipeline: PipelineKind::TextToImage,
				files: BoundedVec::new(),
				manifest_sha256: [0; 32],
				unit_weight_milli: 1_000,
				max_width: 1_024,
				max_height: 1_024,
				max_steps: 100,
				retired: false,
			},
		);
		ModelCount::<T>::put(model_id.saturating_add(1));
		model_id
	}

	/// Makes `provider` an approved provider of `model` with `capacity` and `worker_keys`, at
	/// the back of the model's rotation. An existing offer keeps its jobs in flight, and room
	/// for one more.
	pub fn benchmark_provider(
		provider: &T::AccountId,
		model: ModelId,
		capacity: u32,
		worker_keys: alloc::vec::Vec<WorkerKey>,
	) {
		Rotation::<T>::mutate(model, |rotation| {
			if !rotation.contains(provider) {
				let _ = rotation.try_push(provider.clone());
			}
		});
		for key in &worker_keys {
			WorkerKeyOwner::<T>::insert(key, provider);
		}
		Approved::<T>::insert(provider, ());
		let in_flight = Offers::<T>::get(provider).map_or(0, |offer| offer.in_flight);
		let capacity = capacity.max(in_flight.saturating_add(1));
		Offers::<T>::insert(
			provider,
			Offer {
				terms: OfferTerms {
					models: BoundedVec::truncate_from(alloc::vec![model]),
					price_per_unit: 1u32.into(),
					gpu_name: BoundedVec::new(),
					gpu_memory_mib: 0,
					endpoint: BoundedVec::truncate_from(b"http://bench".to_vec()),
					capacity,
					max_pixels: u32::MAX,
					worker_keys: BoundedVec::truncate_from(worker_keys),
				},
				paused: false,
				in_flight,
				last_seen: frame_system::Pallet::<T>::block_number(),
				offline: false,
				last_model: None,
			},
		);
	}

	/// Gives `provider` a record short of spotless (one expired job), so that the hub's pick
	/// compares it with the others instead of stopping at it.
	pub fn benchmark_unreliable(provider: &T::AccountId) {
		Reputations::<T>::mutate(provider, |reputation| reputation.record(JobOutcome::Expired));
	}

	/// Makes `provider` a provider of `model` at the back of its rotation, with every slot
	/// taken: the matching rule asks it and finds no room.
	pub fn benchmark_busy_provider(provider: &T::AccountId, model: ModelId) {
		Self::benchmark_provider(provider, model, 1, alloc::vec::Vec::new());
		Offers::<T>::mutate(provider, |offer| {
			if let Some(offer) = offer.as_mut() {
				offer.in_flight = offer.terms.capacity;
			}
		});
	}
}

impl<T: Config> ProviderRegistry<T::AccountId, T::Balance> for Pallet<T> {
	fn active_model(id: ModelId) -> Option<ModelLimits> {
		Models::<T>::get(id).filter(|model| !model.retired).map(|model| ModelLimits {
			unit_weight_milli: model.unit_weight_milli,
			max_width: model.max_width,
			max_height: model.max_height,
			max_steps: model.max_steps,
		})
	}

	fn check_can_take(
		provider: &T::AccountId,
		job: &JobRequest<T::Balance>,
		holds_slot: bool,
	) -> Result<T::Balance, DispatchError> {
		let mut offer = Offers::<T>::get(provider).ok_or(Error::<T>::NoOffer)?;
		// The job's reservation already holds the slot the claim takes.
		if holds_slot {
			offer.in_flight = offer.in_flight.saturating_sub(1);
		}
		// A claim is itself a sign of life: liveness is not asked of it.
		Ok(Self::match_offer(provider, &offer, job, None)?)
	}

	fn job_assigned(provider: &T::AccountId, model: ModelId) -> DispatchResult {
		Offers::<T>::try_mutate(provider, |offer| {
			let offer = offer.as_mut().ok_or(Error::<T>::NoOffer)?;
			ensure!(offer.in_flight < offer.terms.capacity, Error::<T>::AtCapacity);
			offer.in_flight = offer.in_flight.checked_add(1).ok_or(Error::<T>::AtCapacity)?;
			offer.last_model = Some(model);
			Self::seen(offer);
			Ok(())
		})
	}

	fn slot_reserved(provider: &T::AccountId, model: ModelId) -> DispatchResult {
		Offers::<T>::try_mutate(provider, |offer| {
			let offer = offer.as_mut().ok_or(Error::<T>::NoOffer)?;
			ensure!(offer.in_flight < offer.terms.capacity, Error::<T>::AtCapacity);
			offer.in_flight = offer.in_flight.checked_add(1).ok_or(Error::<T>::AtCapacity)?;
			offer.last_model = Some(model);
			Ok(())
		})
	}

	fn job_released(provider: &T::AccountId, receipted: bool) -> DispatchResult {
		Offers::<T>::try_mutate(provider, |offer| {
			let offer = offer.as_mut().ok_or(Error::<T>::NoOffer)?;
			offer.in_flight = offer.in_flight.checked_sub(1).ok_or(Error::<T>::NoJobInFlight)?;
			if receipted {
				Self::seen(offer);
			}
			Ok(())
		})
	}

	fn feasibility(job: &JobRequest<T::Balance>, pending_ahead: u32) -> Feasibility<T::Balance> {
		let now = frame_system::Pallet::<T>::block_number();
		let mut answer = Feasibility { pending_ahead, ..Default::default() };
		let (mut slots, mut free_slots) = (0u32, 0u32);
		let mut medians = alloc::vec::Vec::new();
		for (provider, offer) in Offers::<T>::iter() {
			let stage = match Self::match_offer(&provider, &offer, job, Some(now)) {
				Ok(_) => Stage::Free,
				Err(Error::<T>::AtCapacity) => Stage::Able,
				Err(Error::<T>::ImageTooLarge) => Stage::WithinPrice,
				Err(Error::<T>::PriceTooHigh) => Stage::Live,
				Err(Error::<T>::ProviderOffline) => Stage::Serving,
				Err(_) => continue,
			};
			let count = |n: &mut u32, reached: bool| *n = n.saturating_add(u32::from(reached));
			count(&mut answer.serving, true);
			count(&mut answer.live, stage >= Stage::Live);
			count(&mut answer.within_price, stage >= Stage::WithinPrice);
			count(&mut answer.able, stage >= Stage::Able);
			count(&mut answer.free, stage >= Stage::Free);
			let price = offer.terms.price_per_unit;
			if stage >= Stage::Live && answer.cheapest_price.as_ref().is_none_or(|p| price < *p) {
				answer.cheapest_price = Some(price);
			}
			if stage >= Stage::WithinPrice {
				let largest = answer.largest_pixels.unwrap_or(0).max(offer.terms.max_pixels);
				answer.largest_pixels = Some(largest);
			}
			if stage >= Stage::Able {
				slots = slots.saturating_add(offer.terms.capacity);
				free_slots =
					free_slots.saturating_add(offer.terms.capacity.saturating_sub(offer.in_flight));
				if let Some(median) = Reputations::<T>::get(&provider).median_gpu_ms() {
					medians.push(median);
				}
			}
		}
		medians.sort_unstable();
		answer.wait_estimate_ms = medians.get(medians.len().saturating_sub(1) / 2).and_then(|m| {
			aitbc_primitives::feasibility::wait_estimate_ms(pending_ahead, free_slots, slots, *m)
		});
		answer.blocker = answer.first_blocker();
		answer
	}

	fn record_outcome(provider: &T::AccountId, outcome: JobOutcome) {
		Reputations::<T>::mutate(provider, |reputation| reputation.record(outcome));
		// A missed deadline is no sign of life either: the hub hands the provider nothing
		// more (a requeued shard least of all) until it shows one.
		if outcome == JobOutcome::Expired {
			Self::mark_offline(provider);
		}
	}

	fn worker_key_owner(key: &WorkerKey) -> Option<T::AccountId> {
		WorkerKeyOwner::<T>::get(key)
	}

	fn check_can_audit(provider: &T::AccountId, model: ModelId) -> DispatchResult {
		let offer = Offers::<T>::get(provider).ok_or(Error::<T>::NoOffer)?;
		Self::check_eligible(provider)?;
		ensure!(!offer.paused, Error::<T>::OfferPaused);
		ensure!(offer.terms.models.contains(&model), Error::<T>::ModelNotServed);
		Ok(())
	}

	fn suspend(provider: &T::AccountId) -> bool {
		if Approved::<T>::take(provider).is_none() {
			return false;
		}
		// As `revoke_approval`: drop the reference approval added.
		let _ = frame_system::Pallet::<T>::dec_providers(provider);
		Self::deposit_event(Event::ApprovalRevoked { provider: provider.clone() });
		true
	}

	fn pick_provider(job: &JobRequest<T::Balance>) -> Option<(T::AccountId, T::Balance)> {
		Self::pick(job, frame_system::Pallet::<T>::block_number())
	}

	fn missed_reservation(provider: &T::AccountId) {
		Offers::<T>::mutate(provider, |offer| {
			if let Some(offer) = offer.as_mut() {
				// The reservation held this slot; an empty one would be broken accounting,
				// which the jobs pallet's try_state reports.
				offer.in_flight = offer.in_flight.saturating_sub(1);
			}
		});
		Self::mark_offline(provider);
	}
}
