//! Weights of `pallet_aitbc_validators`: ESTIMATES until `scripts/bench-weights.sh` measures
//! them (it overwrites this file).

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use frame_support::{traits::Get, weights::{Weight, constants::RocksDbWeight}};
use core::marker::PhantomData;

/// Weight functions of `pallet_aitbc_validators`.
pub trait WeightInfo {
	fn set_authorities(a: u32, ) -> Weight;
	fn set_desired_candidates() -> Weight;
	fn set_candidacy_bond() -> Weight;
	fn register_as_candidate() -> Weight;
	fn raise_bond() -> Weight;
	fn leave_intent() -> Weight;
	fn withdraw_bond() -> Weight;
	fn slash_equivocation() -> Weight;
	fn rotate_session(c: u32, ) -> Weight;
	fn note_author() -> Weight;
	fn recover_finality() -> Weight;
}

/// Measured weights, over the node's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn set_authorities(a: u32, ) -> Weight {
		Weight::from_parts(20_000_000, 4000)
			.saturating_add(Weight::from_parts(1_000_000, 0).saturating_mul(a.into()))
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	fn set_desired_candidates() -> Weight {
		Weight::from_parts(10_000_000, 4000)
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	fn set_candidacy_bond() -> Weight {
		Weight::from_parts(10_000_000, 4000)
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	fn register_as_candidate() -> Weight {
		Weight::from_parts(150_000_000, 4000)
			.saturating_add(T::DbWeight::get().reads(6_u64))
			.saturating_add(T::DbWeight::get().writes(5_u64))
	}
	fn raise_bond() -> Weight {
		Weight::from_parts(100_000_000, 4000)
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	fn leave_intent() -> Weight {
		Weight::from_parts(120_000_000, 4000)
			.saturating_add(T::DbWeight::get().reads(5_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
	fn withdraw_bond() -> Weight {
		Weight::from_parts(80_000_000, 4000)
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	fn slash_equivocation() -> Weight {
		Weight::from_parts(150_000_000, 4000)
			.saturating_add(T::DbWeight::get().reads(5_u64))
			.saturating_add(T::DbWeight::get().writes(4_u64))
	}
	fn rotate_session(c: u32, ) -> Weight {
		Weight::from_parts(300_000_000, 4000)
			.saturating_add(Weight::from_parts(40_000_000, 0).saturating_mul(c.into()))
			.saturating_add(T::DbWeight::get().reads(8_u64))
			.saturating_add(T::DbWeight::get().writes(4_u64))
			.saturating_add(T::DbWeight::get().writes((2_u64).saturating_mul(c.into())))
	}
	fn note_author() -> Weight {
		Weight::from_parts(10_000_000, 4000)
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	fn recover_finality() -> Weight {
		Weight::from_parts(10_000_000, 1500)
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
}

/// The same measurements over RocksDB weights, for mock runtimes.
impl WeightInfo for () {
	fn set_authorities(a: u32, ) -> Weight {
		Weight::from_parts(20_000_000, 4000)
			.saturating_add(Weight::from_parts(1_000_000, 0).saturating_mul(a.into()))
			.saturating_add(RocksDbWeight::get().reads(1_u64))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	fn set_desired_candidates() -> Weight {
		Weight::from_parts(10_000_000, 4000)
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	fn set_candidacy_bond() -> Weight {
		Weight::from_parts(10_000_000, 4000)
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	fn register_as_candidate() -> Weight {
		Weight::from_parts(150_000_000, 4000)
			.saturating_add(RocksDbWeight::get().reads(6_u64))
			.saturating_add(RocksDbWeight::get().writes(5_u64))
	}
	fn raise_bond() -> Weight {
		Weight::from_parts(100_000_000, 4000)
			.saturating_add(RocksDbWeight::get().reads(3_u64))
			.saturating_add(RocksDbWeight::get().writes(2_u64))
	}
	fn leave_intent() -> Weight {
		Weight::from_parts(120_000_000, 4000)
			.saturating_add(RocksDbWeight::get().reads(5_u64))
			.saturating_add(RocksDbWeight::get().writes(3_u64))
	}
	fn withdraw_bond() -> Weight {
		Weight::from_parts(80_000_000, 4000)
			.saturating_add(RocksDbWeight::get().reads(3_u64))
			.saturating_add(RocksDbWeight::get().writes(2_u64))
	}
	fn slash_equivocation() -> Weight {
		Weight::from_parts(150_000_000, 4000)
			.saturating_add(RocksDbWeight::get().reads(5_u64))
			.saturating_add(RocksDbWeight::get().writes(4_u64))
	}
	fn rotate_session(c: u32, ) -> Weight {
		Weight::from_parts(300_000_000, 4000)
			.saturating_add(Weight::from_parts(40_000_000, 0).saturating_mul(c.into()))
			.saturating_add(RocksDbWeight::get().reads(8_u64))
			.saturating_add(RocksDbWeight::get().writes(4_u64))
			.saturating_add(RocksDbWeight::get().writes((2_u64).saturating_mul(c.into())))
	}
	fn note_author() -> Weight {
		Weight::from_parts(10_000_000, 4000)
			.saturating_add(RocksDbWeight::get().reads(1_u64))
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	fn recover_finality() -> Weight {
		Weight::from_parts(10_000_000, 1500)
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
}
