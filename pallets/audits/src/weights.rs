//! Weights of `pallet_aitbc_audits`: ESTIMATES, not yet measured. Regenerate them with
//! `scripts/bench-weights.sh 20 10 audits` (the benchmarks are in `benchmarking.rs`); until
//! then each figure below is built from the measured weights of the operations it is made of
//! (receipts' per-receipt finalization, staking's slash, balances' mint), rounded up.

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use frame_support::{traits::Get, weights::{Weight, constants::RocksDbWeight}};
use core::marker::PhantomData;

/// Weight functions of `pallet_aitbc_audits`.
pub trait WeightInfo {
	fn register_auditor(a: u32, ) -> Weight;
	fn deregister_auditor(a: u32, ) -> Weight;
	fn commit_verdict() -> Weight;
	fn reveal_verdict() -> Weight;
	fn reveal_verdict_pending() -> Weight;
	fn reveal_verdict_passes() -> Weight;
	fn reveal_verdict_escalates(a: u32, ) -> Weight;
	fn challenge(a: u32, ) -> Weight;
	fn set_audit_params() -> Weight;
	fn draw(r: u32, p: u32, ) -> Weight;
	fn open_audit(a: u32, ) -> Weight;
	fn advance_phase() -> Weight;
}

/// Estimated weights, over the node's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	/// `a` in `[0, 64]`.
	fn register_auditor(a: u32, ) -> Weight {
		Weight::from_parts(60_000_000, 4000)
			.saturating_add(Weight::from_parts(200_000, 32).saturating_mul(a.into()))
			.saturating_add(T::DbWeight::get().reads(4_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	/// `a` in `[1, 64]`.
	fn deregister_auditor(a: u32, ) -> Weight {
		Weight::from_parts(40_000_000, 2000)
			.saturating_add(Weight::from_parts(200_000, 32).saturating_mul(a.into()))
			.saturating_add(T::DbWeight::get().reads(1_u64))
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	fn commit_verdict() -> Weight {
		Weight::from_parts(60_000_000, 3000)
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
	/// The worst case: the last reveal of an escalated panel, which resolves the audit
	/// (mint and payout, three auditors paid or slashed, the provider slashed, a bond).
	fn reveal_verdict() -> Weight {
		Weight::from_parts(2_000_000_000, 20000)
			.saturating_add(T::DbWeight::get().reads(24_u64))
			.saturating_add(T::DbWeight::get().writes(22_u64))
	}
	fn reveal_verdict_pending() -> Weight {
		Weight::from_parts(60_000_000, 3000)
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	fn reveal_verdict_passes() -> Weight {
		Weight::from_parts(600_000_000, 10000)
			.saturating_add(T::DbWeight::get().reads(12_u64))
			.saturating_add(T::DbWeight::get().writes(10_u64))
	}
	/// `a` in `[0, 61]`.
	fn reveal_verdict_escalates(a: u32, ) -> Weight {
		Weight::from_parts(250_000_000, 8000)
			.saturating_add(Weight::from_parts(15_000_000, 1000).saturating_mul(a.into()))
			.saturating_add(T::DbWeight::get().reads(8_u64))
			.saturating_add(T::DbWeight::get().writes(6_u64))
			.saturating_add(T::DbWeight::get().reads((2_u64).saturating_mul(a.into())))
	}
	/// `a` in `[0, 64]`.
	fn challenge(a: u32, ) -> Weight {
		Weight::from_parts(300_000_000, 8000)
			.saturating_add(Weight::from_parts(15_000_000, 1000).saturating_mul(a.into()))
			.saturating_add(T::DbWeight::get().reads(10_u64))
			.saturating_add(T::DbWeight::get().writes(8_u64))
			.saturating_add(T::DbWeight::get().reads((2_u64).saturating_mul(a.into())))
	}
	fn set_audit_params() -> Weight {
		Weight::from_parts(20_000_000, 0)
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	/// `r` in `[1, 2304]`, `p` in `[1, 640]`.
	fn draw(r: u32, p: u32, ) -> Weight {
		Weight::from_parts(20_000_000, 0)
			.saturating_add(Weight::from_parts(30_000_000, 0).saturating_mul(r.into()))
			.saturating_add(Weight::from_parts(40_000_000, 3000).saturating_mul(p.into()))
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(r.into())))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(p.into())))
	}
	/// `a` in `[0, 64]`.
	fn open_audit(a: u32, ) -> Weight {
		Weight::from_parts(250_000_000, 8000)
			.saturating_add(Weight::from_parts(15_000_000, 1000).saturating_mul(a.into()))
			.saturating_add(T::DbWeight::get().reads(8_u64))
			.saturating_add(T::DbWeight::get().writes(6_u64))
			.saturating_add(T::DbWeight::get().reads((2_u64).saturating_mul(a.into())))
	}
	/// The worst case: a phase end that resolves an escalated audit.
	fn advance_phase() -> Weight {
		Weight::from_parts(2_000_000_000, 20000)
			.saturating_add(T::DbWeight::get().reads(24_u64))
			.saturating_add(T::DbWeight::get().writes(22_u64))
	}
}

// For tests.
impl WeightInfo for () {
	fn register_auditor(_a: u32, ) -> Weight { Weight::from_parts(1_000_000, 0) }
	fn deregister_auditor(_a: u32, ) -> Weight { Weight::from_parts(1_000_000, 0) }
	fn commit_verdict() -> Weight { Weight::from_parts(1_000_000, 0) }
	fn reveal_verdict() -> Weight { Weight::from_parts(1_000_000, 0) }
	fn reveal_verdict_pending() -> Weight { Weight::from_parts(1_000_000, 0) }
	fn reveal_verdict_passes() -> Weight { Weight::from_parts(1_000_000, 0) }
	fn reveal_verdict_escalates(_a: u32, ) -> Weight { Weight::from_parts(1_000_000, 0) }
	fn challenge(_a: u32, ) -> Weight { Weight::from_parts(1_000_000, 0) }
	fn set_audit_params() -> Weight { Weight::from_parts(1_000_000, 0) }
	fn draw(_r: u32, _p: u32, ) -> Weight { Weight::from_parts(1_000_000, 0) }
	fn open_audit(_a: u32, ) -> Weight { Weight::from_parts(1_000_000, 0) }
	fn advance_phase() -> Weight { Weight::from_parts(1_000_000, 0) }
}
