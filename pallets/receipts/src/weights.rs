//! Weights of `pallet-aitbc-receipts`.
//!
//! PROVISIONAL: storage reads/writes are counted from the code and ref-time components are
//! generous estimates (an sr25519 verification is about 50 µs natively), to be replaced by
//! `frame-omni-bencher` output (see the issue notes).

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use frame_support::{traits::Get, weights::{Weight, constants::RocksDbWeight}};
use core::marker::PhantomData;

/// Weight functions needed by `pallet-aitbc-receipts`.
pub trait WeightInfo {
	fn submit_receipt(a: u32) -> Weight;
	fn set_max_price_per_unit() -> Weight;
	fn set_attesters(a: u32) -> Weight;
	fn on_initialize(n: u32) -> Weight;
}

/// Weights for `pallet-aitbc-receipts` using the node's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn submit_receipt(a: u32) -> Weight {
		Weight::from_parts(120_000_000, 16_000)
			.saturating_add(Weight::from_parts(60_000_000, 0).saturating_mul(a.into()))
			.saturating_add(T::DbWeight::get().reads(8_u64))
			.saturating_add(T::DbWeight::get().writes(5_u64))
	}
	fn set_max_price_per_unit() -> Weight {
		Weight::from_parts(10_000_000, 0).saturating_add(T::DbWeight::get().writes(1_u64))
	}
	fn set_attesters(a: u32) -> Weight {
		Weight::from_parts(12_000_000, 0)
			.saturating_add(Weight::from_parts(100_000, 0).saturating_mul(a.into()))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	fn on_initialize(n: u32) -> Weight {
		Weight::from_parts(5_000_000, 3_000)
			.saturating_add(Weight::from_parts(110_000_000, 16_000).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
			.saturating_add(T::DbWeight::get().reads((7_u64).saturating_mul(n.into())))
			.saturating_add(T::DbWeight::get().writes((7_u64).saturating_mul(n.into())))
	}
}

/// For tests.
impl WeightInfo for () {
	fn submit_receipt(a: u32) -> Weight { Weight::from_parts(120_000_000, 16_000).saturating_add(Weight::from_parts(60_000_000, 0).saturating_mul(a.into())).saturating_add(RocksDbWeight::get().reads_writes(8, 5)) }
	fn set_max_price_per_unit() -> Weight { Weight::from_parts(10_000_000, 0).saturating_add(RocksDbWeight::get().writes(1)) }
	fn set_attesters(a: u32) -> Weight { Weight::from_parts(12_000_000, 0).saturating_add(Weight::from_parts(100_000, 0).saturating_mul(a.into())) }
	fn on_initialize(n: u32) -> Weight { Weight::from_parts(5_000_000, 3_000).saturating_add(Weight::from_parts(110_000_000, 16_000).saturating_mul(n.into())) }
}
