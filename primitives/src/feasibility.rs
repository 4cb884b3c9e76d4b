//! "Why no provider": what the chain answers before a client signs a job.
//!
//! The marketplace's matching rule filters the offers in a fixed order (a funnel): serving the
//! model, live, within the client's price limit, able to run the image size, with a free slot.
//! The counts at each stage tell a client what would have to change for its job to be served.

use codec::{Decode, Encode};
use scale_info::TypeInfo;

/// Why no live provider could ever take a job as asked: the first stage of the matching funnel
/// that no offer passes. A job blocked this way would wait until `PendingTimeout` and be refunded.
#[derive(Encode, Decode, TypeInfo, Clone, Copy, PartialEq, Eq, Debug)]
pub enum NoProvider {
	/// No eligible, unpaused offer serves the model (or the model is unknown or retired).
	ModelNotServed,
	/// Offers serve the model, but none of their providers has shown a sign of life within the
	/// liveness window.
	AllOffline,
	/// Every live provider serving the model asks more per unit than the job accepts.
	AllAbovePrice,
	/// No live provider within the price limit runs images of this size.
	SizeBeyondLimits,
}

/// How many providers could take a job, stage by stage, and how long it would wait.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug, Default)]
pub struct Feasibility<Balance> {
	/// Eligible (approved or bonded), unpaused offers serving the model.
	pub serving: u32,
	/// Of those, providers that showed a sign of life within the liveness window.
	pub live: u32,
	/// Of those, offers whose price is within the job's limit.
	pub within_price: u32,
	/// Of those, offers that run images of the job's size: the providers able to take it.
	pub able: u32,
	/// Of those, offers with a free slot now.
	pub free: u32,
	/// The lowest price per unit among the live offers serving the model: the least the job's
	/// price limit must be for `within_price` to be non-zero.
	pub cheapest_price: Option<Balance>,
	/// The largest image (width × height) a live offer within the price limit runs.
	pub largest_pixels: Option<u32>,
	/// Jobs already waiting in the queue: a new job would be queued behind them.
	pub pending_ahead: u32,
	/// A rough wait before a provider takes the job, in milliseconds of GPU time: the waves of
	/// queued jobs the able providers' free and total slots must work through, times their
	/// median GPU time per job. `None` when no able provider has a recorded GPU time (or none
	/// is able).
	pub wait_estimate_ms: Option<u64>,
	/// Why no provider could take the job, if none could.
	pub blocker: Option<NoProvider>,
}

impl<Balance> Feasibility<Balance> {
	/// The first empty stage of the funnel, if any: why no provider could take the job.
	pub fn first_blocker(&self) -> Option<NoProvider> {
		if self.serving == 0 {
			Some(NoProvider::ModelNotServed)
		} else if self.live == 0 {
			Some(NoProvider::AllOffline)
		} else if self.within_price == 0 {
			Some(NoProvider::AllAbovePrice)
		} else if self.able == 0 {
			Some(NoProvider::SizeBeyondLimits)
		} else {
			None
		}
	}
}

/// The wait estimate of [`Feasibility::wait_estimate_ms`]: with `free` slots open now among
/// `slots` in all, the job behind `ahead` queued jobs waits for
/// `ceil((ahead + 1 - free) / slots)` jobs to finish on each slot, each `median_gpu_ms` long.
pub fn wait_estimate_ms(ahead: u32, free: u32, slots: u32, median_gpu_ms: u64) -> Option<u64> {
	if slots == 0 {
		return None;
	}
	let behind = u64::from(ahead).saturating_add(1).saturating_sub(u64::from(free));
	let waves = behind.div_ceil(u64::from(slots));
	Some(waves.saturating_mul(median_gpu_ms))
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn the_first_empty_stage_is_the_blocker() {
		let mut f = Feasibility::<u128> {
			serving: 2,
			live: 2,
			within_price: 1,
			able: 1,
			..Default::default()
		};
		assert_eq!(f.first_blocker(), None);
		f.able = 0;
		assert_eq!(f.first_blocker(), Some(NoProvider::SizeBeyondLimits));
		f.within_price = 0;
		assert_eq!(f.first_blocker(), Some(NoProvider::AllAbovePrice));
		f.live = 0;
		assert_eq!(f.first_blocker(), Some(NoProvider::AllOffline));
		f.serving = 0;
		assert_eq!(f.first_blocker(), Some(NoProvider::ModelNotServed));
	}

	#[test]
	fn a_free_slot_means_no_wait_and_a_full_queue_waits_in_waves() {
		assert_eq!(wait_estimate_ms(0, 1, 2, 900), Some(0));
		// Three ahead, none free, two slots: the fourth job starts after two waves.
		assert_eq!(wait_estimate_ms(3, 0, 2, 900), Some(1_800));
		assert_eq!(wait_estimate_ms(3, 0, 0, 900), None);
		assert_eq!(wait_estimate_ms(u32::MAX, 0, 1, u64::MAX), Some(u64::MAX));
	}
}
