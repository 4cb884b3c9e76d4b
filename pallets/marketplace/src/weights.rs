//! Weights of `pallet-aitbc-marketplace`.
//!
//! PROVISIONAL: the storage reads/writes below are counted from the code, and the ref-time
//! components are estimates. They are to be replaced by the output of `frame-omni-bencher` over
//! `benchmarking.rs` (see the issue notes); until then they are deliberately generous.

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use frame_support::{traits::Get, weights::{Weight, constants::RocksDbWeight}};
use core::marker::PhantomData;

/// Weight functions needed by `pallet-aitbc-marketplace`.
pub trait WeightInfo {
	fn add_model() -> Weight;
	fn retire_model() -> Weight;
	fn register_offer(m: u32, k: u32) -> Weight;
	fn update_offer(m: u32, k: u32) -> Weight;
	fn pause() -> Weight;
	fn resume() -> Weight;
	fn deregister(k: u32) -> Weight;
	fn approve_provider() -> Weight;
	fn revoke_approval() -> Weight;
}

/// Weights for `pallet-aitbc-marketplace` using the node's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn add_model() -> Weight {
		Weight::from_parts(40_000_000, 8_000)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	fn retire_model() -> Weight {
		Weight::from_parts(30_000_000, 8_000)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	fn register_offer(m: u32, k: u32) -> Weight {
		Weight::from_parts(50_000_000, 4_000)
			.saturating_add(Weight::from_parts(8_000_000, 8_000).saturating_mul(m.into()))
			.saturating_add(Weight::from_parts(12_000_000, 2_600).saturating_mul(k.into()))
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(m.into())))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(k.into())))
			.saturating_add(T::DbWeight::get().writes(1_u64))
			.saturating_add(T::DbWeight::get().writes((1_u64).saturating_mul(k.into())))
	}
	fn update_offer(m: u32, k: u32) -> Weight {
		Weight::from_parts(60_000_000, 4_000)
			.saturating_add(Weight::from_parts(8_000_000, 8_000).saturating_mul(m.into()))
			.saturating_add(Weight::from_parts(20_000_000, 2_600).saturating_mul(k.into()))
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(m.into())))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(k.into())))
			.saturating_add(T::DbWeight::get().writes(1_u64))
			.saturating_add(T::DbWeight::get().writes((2_u64).saturating_mul(k.into())))
	}
	fn pause() -> Weight {
		Weight::from_parts(30_000_000, 4_000)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	fn resume() -> Weight {
		Weight::from_parts(30_000_000, 4_000)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	fn deregister(k: u32) -> Weight {
		Weight::from_parts(40_000_000, 4_000)
			.saturating_add(Weight::from_parts(10_000_000, 0).saturating_mul(k.into()))
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
			.saturating_add(T::DbWeight::get().writes((1_u64).saturating_mul(k.into())))
	}
	fn approve_provider() -> Weight {
		Weight::from_parts(25_000_000, 3_500)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	fn revoke_approval() -> Weight {
		Weight::from_parts(25_000_000, 3_500)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
}

/// For tests: the same formulas over RocksDB weights.
impl WeightInfo for () {
	fn add_model() -> Weight { Weight::from_parts(40_000_000, 8_000).saturating_add(RocksDbWeight::get().reads_writes(1, 2)) }
	fn retire_model() -> Weight { Weight::from_parts(30_000_000, 8_000).saturating_add(RocksDbWeight::get().reads_writes(1, 1)) }
	fn register_offer(m: u32, k: u32) -> Weight {
		Weight::from_parts(50_000_000, 4_000)
			.saturating_add(Weight::from_parts(8_000_000, 8_000).saturating_mul(m.into()))
			.saturating_add(Weight::from_parts(12_000_000, 2_600).saturating_mul(k.into()))
	}
	fn update_offer(m: u32, k: u32) -> Weight {
		Weight::from_parts(60_000_000, 4_000)
			.saturating_add(Weight::from_parts(8_000_000, 8_000).saturating_mul(m.into()))
			.saturating_add(Weight::from_parts(20_000_000, 2_600).saturating_mul(k.into()))
	}
	fn pause() -> Weight { Weight::from_parts(30_000_000, 4_000).saturating_add(RocksDbWeight::get().reads_writes(1, 1)) }
	fn resume() -> Weight { Weight::from_parts(30_000_000, 4_000).saturating_add(RocksDbWeight::get().reads_writes(1, 1)) }
	fn deregister(k: u32) -> Weight { Weight::from_parts(40_000_000, 4_000).saturating_add(Weight::from_parts(10_000_000, 0).saturating_mul(k.into())) }
	fn approve_provider() -> Weight { Weight::from_parts(25_000_000, 3_500).saturating_add(RocksDbWeight::get().reads_writes(1, 1)) }
	fn revoke_approval() -> Weight { Weight::from_parts(25_000_000, 3_500).saturating_add(RocksDbWeight::get().reads_writes(1, 1)) }
}
