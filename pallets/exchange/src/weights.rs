//! Weights of the exchange pallet.
//!
//! ESTIMATES, not yet measured: storage accesses counted from the code at 25 µs a read and 100 µs
//! a write (the figures `scripts/bench-weights.sh` measured for the other pallets on the 2-core
//! reference VM were lower), plus 20 µs of computation per fill. They become measured weights when
//! the pallet joins the runtime and `scripts/bench-weights.sh` runs `benchmarking.rs`.

#![allow(unused_parens, unused_imports)]

use core::marker::PhantomData;
use frame_support::{traits::Get, weights::Weight};

/// Weight functions of the exchange pallet.
pub trait WeightInfo {
	fn create_pair() -> Weight;
	fn set_pair_open() -> Weight;
	/// A limit order that touched `f` resting orders (and rested).
	fn place_limit(f: u32) -> Weight;
	/// A market order that touched `f` resting orders.
	fn place_market(f: u32) -> Weight;
	fn cancel() -> Weight;
	/// Cancelling `n` orders.
	fn cancel_all(n: u32) -> Weight;
	/// Expiring `n` orders at the start of a block.
	fn expire(n: u32) -> Weight;
}

/// Estimated weights for a runtime whose `DbWeight` is `T::DbWeight`.
pub struct SubstrateWeight<T>(PhantomData<T>);

/// Per fill: the maker order (r/w), its queue, both accounts' balances on two currencies, the
/// hold, the recent trades, the owner's list and expiry when it leaves.
const FILL_READS: u64 = 9;
const FILL_WRITES: u64 = 8;

impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn create_pair() -> Weight {
		Weight::from_parts(15_000_000, 1_500).saturating_add(T::DbWeight::get().reads_writes(1, 2))
	}
	fn set_pair_open() -> Weight {
		Weight::from_parts(12_000_000, 1_500).saturating_add(T::DbWeight::get().reads_writes(1, 1))
	}
	fn place_limit(f: u32) -> Weight {
		Weight::from_parts(60_000_000, 12_000)
			.saturating_add(T::DbWeight::get().reads_writes(9, 8))
			.saturating_add(Weight::from_parts(20_000_000, 4_000).saturating_mul(f.into()))
			.saturating_add(
				T::DbWeight::get().reads_writes(FILL_READS, FILL_WRITES).saturating_mul(f.into()),
			)
	}
	fn place_market(f: u32) -> Weight {
		Weight::from_parts(40_000_000, 6_000)
			.saturating_add(T::DbWeight::get().reads_writes(4, 3))
			.saturating_add(Weight::from_parts(20_000_000, 4_000).saturating_mul(f.into()))
			.saturating_add(
				T::DbWeight::get().reads_writes(FILL_READS, FILL_WRITES).saturating_mul(f.into()),
			)
	}
	fn cancel() -> Weight {
		Weight::from_parts(45_000_000, 8_000).saturating_add(T::DbWeight::get().reads_writes(7, 6))
	}
	fn cancel_all(n: u32) -> Weight {
		Weight::from_parts(15_000_000, 3_000)
			.saturating_add(T::DbWeight::get().reads(1))
			.saturating_add(Self::cancel().saturating_mul(n.into()))
	}
	fn expire(n: u32) -> Weight {
		Weight::from_parts(5_000_000, 1_500)
			.saturating_add(T::DbWeight::get().reads_writes(1, 1))
			.saturating_add(Self::cancel().saturating_mul(n.into()))
	}
}

impl WeightInfo for () {
	fn create_pair() -> Weight {
		Weight::from_parts(15_000_000, 1_500)
	}
	fn set_pair_open() -> Weight {
		Weight::from_parts(12_000_000, 1_500)
	}
	fn place_limit(f: u32) -> Weight {
		Weight::from_parts(60_000_000, 12_000)
			.saturating_add(Weight::from_parts(20_000_000, 4_000).saturating_mul(f.into()))
	}
	fn place_market(f: u32) -> Weight {
		Weight::from_parts(40_000_000, 6_000)
			.saturating_add(Weight::from_parts(20_000_000, 4_000).saturating_mul(f.into()))
	}
	fn cancel() -> Weight {
		Weight::from_parts(45_000_000, 8_000)
	}
	fn cancel_all(n: u32) -> Weight {
		Weight::from_parts(15_000_000, 3_000)
			.saturating_add(Self::cancel().saturating_mul(n.into()))
	}
	fn expire(n: u32) -> Weight {
		Weight::from_parts(5_000_000, 1_500).saturating_add(Self::cancel().saturating_mul(n.into()))
	}
}
