//! Weights of `pallet-aitbc-jobs`.
//!
//! PROVISIONAL: storage reads/writes are counted from the code and ref-time components are
//! generous estimates, to be replaced by `frame-omni-bencher` output (see the issue notes).

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use frame_support::{traits::Get, weights::{Weight, constants::RocksDbWeight}};
use core::marker::PhantomData;

/// Weight functions needed by `pallet-aitbc-jobs`.
pub trait WeightInfo {
	fn submit_job(p: u32) -> Weight;
	fn claim_job() -> Weight;
	fn cancel_job() -> Weight;
	fn on_initialize(n: u32) -> Weight;
}

/// Weights for `pallet-aitbc-jobs` using the node's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn submit_job(p: u32) -> Weight {
		Weight::from_parts(90_000_000, 12_000)
			.saturating_add(Weight::from_parts(2_000, 1).saturating_mul(p.into()))
			.saturating_add(T::DbWeight::get().reads(6_u64))
			.saturating_add(T::DbWeight::get().writes(6_u64))
	}
	fn claim_job() -> Weight {
		Weight::from_parts(80_000_000, 14_000)
			.saturating_add(T::DbWeight::get().reads(6_u64))
			.saturating_add(T::DbWeight::get().writes(4_u64))
	}
	fn cancel_job() -> Weight {
		Weight::from_parts(70_000_000, 12_000)
			.saturating_add(T::DbWeight::get().reads(4_u64))
			.saturating_add(T::DbWeight::get().writes(5_u64))
	}
	fn on_initialize(n: u32) -> Weight {
		Weight::from_parts(5_000_000, 3_000)
			.saturating_add(Weight::from_parts(90_000_000, 14_000).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
			.saturating_add(T::DbWeight::get().reads((6_u64).saturating_mul(n.into())))
			.saturating_add(T::DbWeight::get().writes((6_u64).saturating_mul(n.into())))
	}
}

/// For tests.
impl WeightInfo for () {
	fn submit_job(p: u32) -> Weight { Weight::from_parts(90_000_000, 12_000).saturating_add(Weight::from_parts(2_000, 1).saturating_mul(p.into())).saturating_add(RocksDbWeight::get().reads_writes(6, 6)) }
	fn claim_job() -> Weight { Weight::from_parts(80_000_000, 14_000).saturating_add(RocksDbWeight::get().reads_writes(6, 4)) }
	fn cancel_job() -> Weight { Weight::from_parts(70_000_000, 12_000).saturating_add(RocksDbWeight::get().reads_writes(4, 5)) }
	fn on_initialize(n: u32) -> Weight { Weight::from_parts(5_000_000, 3_000).saturating_add(Weight::from_parts(90_000_000, 14_000).saturating_mul(n.into())) }
}
