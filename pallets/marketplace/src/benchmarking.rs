//! Benchmarks of the marketplace pallet (frame-benchmarking v2), each at its worst case.

use super::*;
use crate::pallet::{Approved, HeartbeatsInBlock, ModelCount, Offers, Rotation};
use aitbc_primitives::WorkerKey;
use frame_benchmarking::v2::*;
use frame_system::RawOrigin;
use sp_runtime::Saturating;

fn full_name<S: Get<u32>>() -> BoundedVec<u8, S> {
	BoundedVec::truncate_from(alloc::vec![b'x'; S::get() as usize])
}

fn register_models<T: Config>(count: u32) -> alloc::vec::Vec<ModelId> {
	(0..count)
		.map(|_| {
			let id = ModelCount::<T>::get();
			let files = (0..T::MaxModelFiles::get())
				.map(|_| ModelFile { path: full_name::<T::MaxNameLen>(), sha256: [1; 32] })
				.collect::<alloc::vec::Vec<_>>();
			Pallet::<T>::add_model(
				RawOrigin::Root.into(),
				full_name::<T::MaxNameLen>(),
				PipelineKind::TextToImage,
				BoundedVec::truncate_from(files),
				[2; 32],
				1_000,
				1_024,
				1_024,
				100,
			)
			.expect("model registry has room");
			id
		})
		.collect()
}

fn worker_keys(seed: u8, count: u32) -> alloc::vec::Vec<WorkerKey> {
	(0..count).map(|i| WorkerKey::Sr25519([seed ^ (i as u8); 32])).collect()
}

fn offer_terms<T: Config>(models: &[ModelId], keys: alloc::vec::Vec<WorkerKey>) -> OfferTermsOf<T> {
	OfferTerms {
		models: BoundedVec::truncate_from(models.to_vec()),
		price_per_unit: 1u32.into(),
		gpu_name: full_name::<T::MaxNameLen>(),
		gpu_memory_mib: 81_920,
		endpoint: full_name::<T::MaxEndpointLen>(),
		capacity: 4,
		max_pixels: 1_024 * 1_024,
		worker_keys: BoundedVec::truncate_from(keys),
	}
}

/// Fills each model's rotation with other providers, leaving room for one more: joining or
/// leaving it then reads and writes the longest list.
fn crowd_rotations<T: Config>(models: &[ModelId]) {
	for model in models {
		let crowd = (0..T::MaxProvidersPerModel::get().saturating_sub(1))
			.map(|i| account::<T::AccountId>("crowd", i, *model))
			.collect::<alloc::vec::Vec<_>>();
		Rotation::<T>::insert(model, BoundedVec::truncate_from(crowd));
	}
}

/// The whitelisted caller with a registered offer of `models` models, in crowded rotations,
/// and `keys` worker keys.
fn caller_with_offer<T: Config>(models: u32, keys: u32) -> Result<T::AccountId, BenchmarkError>
where
	T::RuntimeOrigin: From<RawOrigin<T::AccountId>>,
{
	let models = register_models::<T>(models);
	crowd_rotations::<T>(&models);
	let caller: T::AccountId = whitelisted_caller();
	Pallet::<T>::register_offer(
		RawOrigin::Signed(caller.clone()).into(),
		offer_terms::<T>(&models, worker_keys(1, keys)),
	)?;
	Ok(caller)
}

#[benchmarks(where T::RuntimeOrigin: From<RawOrigin<T::AccountId>>)]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn add_model() {
		let files = (0..T::MaxModelFiles::get())
			.map(|_| ModelFile { path: full_name::<T::MaxNameLen>(), sha256: [1; 32] })
			.collect::<alloc::vec::Vec<_>>();
		#[extrinsic_call]
		_(
			RawOrigin::Root,
			full_name::<T::MaxNameLen>(),
			PipelineKind::TextToImage,
			BoundedVec::truncate_from(files),
			[2; 32],
			1_000,
			1_024,
			1_024,
			100,
		);
		assert_eq!(ModelCount::<T>::get(), 1);
	}

	#[benchmark]
	fn retire_model() {
		let model = register_models::<T>(1)[0];
		#[extrinsic_call]
		_(RawOrigin::Root, model);
		assert!(Models::<T>::get(model).is_some_and(|m| m.retired));
	}

	#[benchmark]
	fn register_offer(
		m: Linear<1, { T::MaxModelsPerOffer::get() }>,
		k: Linear<1, { T::MaxWorkerKeys::get() }>,
	) {
		let models = register_models::<T>(m);
		crowd_rotations::<T>(&models);
		let caller: T::AccountId = whitelisted_caller();
		let terms = offer_terms::<T>(&models, worker_keys(1, k));
		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), terms);
		assert!(Offers::<T>::contains_key(&caller));
	}

	#[benchmark]
	fn update_offer(
		m: Linear<1, { T::MaxModelsPerOffer::get() }>,
		k: Linear<1, { T::MaxWorkerKeys::get() }>,
	) -> Result<(), BenchmarkError> {
		// Worst case: it leaves the crowded rotations of `m` models and joins those of `m`
		// others.
		let (old_models, new_models) = (register_models::<T>(m), register_models::<T>(m));
		crowd_rotations::<T>(&old_models);
		crowd_rotations::<T>(&new_models);
		let caller: T::AccountId = whitelisted_caller();
		let old = offer_terms::<T>(&old_models, worker_keys(1, T::MaxWorkerKeys::get()));
		Pallet::<T>::register_offer(RawOrigin::Signed(caller.clone()).into(), old)?;
		let terms = offer_terms::<T>(&new_models, worker_keys(2, k));
		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), terms);
		assert_eq!(Offers::<T>::get(&caller).map(|o| o.terms.worker_keys.len() as u32), Some(k));
		Ok(())
	}

	#[benchmark]
	fn pause() -> Result<(), BenchmarkError> {
		let caller = caller_with_offer::<T>(1, 1)?;
		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()));
		assert!(Offers::<T>::get(&caller).is_some_and(|o| o.paused));
		Ok(())
	}

	#[benchmark]
	fn resume() -> Result<(), BenchmarkError> {
		let caller = caller_with_offer::<T>(1, 1)?;
		Pallet::<T>::pause(RawOrigin::Signed(caller.clone()).into())?;
		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()));
		assert!(Offers::<T>::get(&caller).is_some_and(|o| !o.paused));
		Ok(())
	}

	#[benchmark]
	fn deregister(k: Linear<1, { T::MaxWorkerKeys::get() }>) -> Result<(), BenchmarkError> {
		// Every model it served leaves a crowded rotation.
		let caller = caller_with_offer::<T>(T::MaxModelsPerOffer::get(), k)?;
		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()));
		assert!(!Offers::<T>::contains_key(&caller));
		Ok(())
	}

	#[benchmark]
	fn approve_provider() {
		let provider: T::AccountId = account("provider", 0, 0);
		#[extrinsic_call]
		_(RawOrigin::Root, provider.clone());
		assert!(Approved::<T>::contains_key(&provider));
	}

	#[benchmark]
	fn revoke_approval() -> Result<(), BenchmarkError> {
		let provider: T::AccountId = account("provider", 0, 0);
		Pallet::<T>::approve_provider(RawOrigin::Root.into(), provider.clone())?;
		#[extrinsic_call]
		_(RawOrigin::Root, provider.clone());
		assert!(!Approved::<T>::contains_key(&provider));
		Ok(())
	}

	#[benchmark]
	fn heartbeat() -> Result<(), BenchmarkError> {
		let caller = caller_with_offer::<T>(1, 1)?;
		// Only an eligible provider's heartbeat is accepted.
		Approved::<T>::insert(&caller, ());
		let now = frame_system::Pallet::<T>::block_number()
			.saturating_add(T::MinHeartbeatInterval::get());
		frame_system::Pallet::<T>::set_block_number(now);
		// Worst case: other heartbeats were counted in this block already.
		HeartbeatsInBlock::<T>::put((now, T::MaxHeartbeatsPerBlock::get().saturating_sub(1)));
		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()));
		assert!(Offers::<T>::get(&caller).is_some_and(|o| o.last_seen == now));
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
