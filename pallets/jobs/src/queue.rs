//! The pending queue seen from outside: where a job stands, and whether any provider could
//! take a job before it is submitted (the runtime API's answers).

use crate::*;
use aitbc_primitives::Feasibility;
use pallet_aitbc_marketplace::JobRequest;

impl<T: Config> Pallet<T> {
	/// What the matching rule needs to know of a job of `model_id` with `params`.
	pub fn job_request(
		model_id: ModelId,
		params: &JobParams,
		max_price_per_unit: BalanceOf<T>,
	) -> JobRequest<BalanceOf<T>> {
		JobRequest { model: model_id, pixels: params.pixels(), max_price: max_price_per_unit }
	}

	/// How many providers could take a job of `model_id` with `params` at
	/// `max_price_per_unit`, stage by stage, and why none could: the marketplace's matching
	/// rule over every offer. A new job would wait behind every pending one.
	pub fn feasibility(
		model_id: ModelId,
		params: &JobParams,
		max_price_per_unit: BalanceOf<T>,
	) -> Feasibility<BalanceOf<T>> {
		let ahead = PendingJobs::<T>::decode_len().unwrap_or(0) as u32;
		T::Providers::feasibility(&Self::job_request(model_id, params, max_price_per_unit), ahead)
	}

	/// A pending job's place in the queue (0: the oldest), if it is pending.
	pub fn queue_position(job_id: JobId) -> Option<u32> {
		PendingJobs::<T>::get().iter().position(|id| *id == job_id).map(|at| at as u32)
	}
}
