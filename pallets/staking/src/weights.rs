//! Weights of `pallet-aitbc-staking`.
//!
//! PROVISIONAL: storage reads/writes are counted from the code and ref-time components are
//! generous estimates, to be replaced by `frame-omni-bencher` output (see the issue notes).

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use frame_support::{traits::Get, weights::{Weight, constants::RocksDbWeight}};
use core::marker::PhantomData;

/// Weight functions needed by `pallet-aitbc-staking`.
pub trait WeightInfo {
	fn bond() -> Weight;
	fn unbond() -> Weight;
	fn withdraw_unbonded(c: u32) -> Weight;
	fn set_min_provider_stake() -> Weight;
}

/// Weights for `pallet-aitbc-staking` using the node's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn bond() -> Weight {
		Weight::from_parts(60_000_000, 4_000)
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
	fn unbond() -> Weight {
		Weight::from_parts(40_000_000, 4_000)
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	fn withdraw_unbonded(c: u32) -> Weight {
		Weight::from_parts(60_000_000, 4_000)
			.saturating_add(Weight::from_parts(500_000, 40).saturating_mul(c.into()))
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
	fn set_min_provider_stake() -> Weight {
		Weight::from_parts(10_000_000, 0).saturating_add(T::DbWeight::get().writes(1_u64))
	}
}

/// For tests.
impl WeightInfo for () {
	fn bond() -> Weight { Weight::from_parts(60_000_000, 4_000).saturating_add(RocksDbWeight::get().reads_writes(3, 3)) }
	fn unbond() -> Weight { Weight::from_parts(40_000_000, 4_000).saturating_add(RocksDbWeight::get().reads_writes(2, 2)) }
	fn withdraw_unbonded(c: u32) -> Weight { Weight::from_parts(60_000_000, 4_000).saturating_add(Weight::from_parts(500_000, 40).saturating_mul(c.into())) }
	fn set_min_provider_stake() -> Weight { Weight::from_parts(10_000_000, 0).saturating_add(RocksDbWeight::get().writes(1)) }
}
