//! Benchmarks of provider staking (frame-benchmarking v2), each at its worst case.

use super::*;
use frame_benchmarking::v2::*;
use frame_system::RawOrigin;

fn funded_provider<T: Config>() -> T::AccountId {
	let provider: T::AccountId = whitelisted_caller();
	// Far above any existential deposit plus the bonds below.
	T::Currency::set_balance(&provider, 4_000_000_000u32.into());
	provider
}

/// A funded provider that bonded `(chunks + 1) × 1_000` and then unbonded `chunks` of it in
/// chunks of 1_000.
fn with_unbonding<T: Config>(chunks: u32) -> Result<T::AccountId, BenchmarkError> {
	let provider = funded_provider::<T>();
	Pallet::<T>::bond(
		RawOrigin::Signed(provider.clone()).into(),
		(1_000u32 * (chunks + 1)).into(),
	)?;
	for _ in 0..chunks {
		Pallet::<T>::unbond(RawOrigin::Signed(provider.clone()).into(), 1_000u32.into())?;
	}
	Ok(provider)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn bond() {
		let provider = funded_provider::<T>();
		let amount: BalanceOf<T> = 1_000u32.into();
		#[extrinsic_call]
		_(RawOrigin::Signed(provider.clone()), amount);
		assert_eq!(Bonded::<T>::get(&provider), amount);
	}

	#[benchmark]
	fn unbond() -> Result<(), BenchmarkError> {
		let provider = funded_provider::<T>();
		let chunks = T::MaxUnbondingChunks::get();
		Pallet::<T>::bond(
			RawOrigin::Signed(provider.clone()).into(),
			(1_000u32 * (chunks + 1)).into(),
		)?;
		// Worst case: one chunk short of the limit.
		for _ in 1..chunks {
			Pallet::<T>::unbond(RawOrigin::Signed(provider.clone()).into(), 1_000u32.into())?;
		}
		#[extrinsic_call]
		_(RawOrigin::Signed(provider.clone()), 1_000u32.into());
		assert_eq!(Unbonding::<T>::get(&provider).len() as u32, chunks);
		Ok(())
	}

	/// A slash that burns from the active bond and every unbonding chunk (the most it touches),
	/// as a missed deadline or a failed spot-check runs it.
	#[benchmark]
	fn slash() -> Result<(), BenchmarkError> {
		let provider = with_unbonding::<T>(T::MaxUnbondingChunks::get())?;
		#[block]
		{
			Pallet::<T>::slash(&provider, Perbill::from_percent(100));
		}
		assert!(Bonded::<T>::get(&provider).is_zero());
		assert!(Unbonding::<T>::get(&provider).is_empty());
		Ok(())
	}

	#[benchmark]
	fn withdraw_unbonded(
		c: Linear<1, { T::MaxUnbondingChunks::get() }>,
	) -> Result<(), BenchmarkError> {
		let provider = with_unbonding::<T>(c)?;
		let unlock =
			frame_system::Pallet::<T>::block_number().saturating_add(T::UnbondingPeriod::get());
		frame_system::Pallet::<T>::set_block_number(unlock);
		#[extrinsic_call]
		_(RawOrigin::Signed(provider.clone()));
		assert!(Unbonding::<T>::get(&provider).is_empty());
		Ok(())
	}

	#[benchmark]
	fn set_min_provider_stake() -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let amount: BalanceOf<T> = 1_000u32.into();
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, amount);
		assert_eq!(MinProviderStake::<T>::get(), amount);
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
