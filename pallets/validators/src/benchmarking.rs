//! Benchmarks of the validator set (frame-benchmarking v2), each at its worst case: full
//! authority and candidate lists, and the entry that moves furthest.

use super::*;
use frame_benchmarking::v2::*;
use frame_support::traits::fungible::Mutate;
use frame_system::RawOrigin;
use sp_runtime::Perbill;

/// The bond floor the benchmarks set.
const FLOOR: u32 = 1_000;

fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who: T::AccountId = account(name, index, 0);
	// Far above any existential deposit plus the bonds below.
	T::Currency::set_balance(&who, 4_000_000_000u32.into());
	T::BenchmarkHelper::set_session_keys(&who);
	who
}

/// A full list of authorities (with keys).
fn full_authorities<T: Config>() {
	let authorities: Vec<T::AccountId> =
		(0..T::MaxAuthorities::get()).map(|i| funded::<T>("authority", i)).collect();
	Authorities::<T>::put(BoundedVec::truncate_from(authorities));
}

/// `count` candidates with bonds `FLOOR + count - 1` down to `FLOOR`, every seat open.
fn candidates<T: Config>(count: u32) -> Result<Vec<T::AccountId>, BenchmarkError> {
	CandidacyBond::<T>::put(BalanceOf::<T>::from(FLOOR));
	DesiredCandidates::<T>::put(T::MaxCandidates::get());
	let mut registered = Vec::new();
	for i in 0..count {
		let who = funded::<T>("candidate", i);
		let bond: BalanceOf<T> = (FLOOR + count - i).into();
		Pallet::<T>::register_as_candidate(RawOrigin::Signed(who.clone()).into(), bond)?;
		registered.push(who);
	}
	Ok(registered)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn set_authorities(a: Linear<1, { T::MaxAuthorities::get() }>) -> Result<(), BenchmarkError> {
		candidates::<T>(T::MaxCandidates::get())?;
		let authorities: Vec<T::AccountId> = (0..a).map(|i| account("authority", i, 0)).collect();
		let authorities = BoundedVec::truncate_from(authorities);
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, authorities);
		assert_eq!(Authorities::<T>::get().len() as u32, a);
		Ok(())
	}

	#[benchmark]
	fn set_desired_candidates() -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, 1);
		assert_eq!(DesiredCandidates::<T>::get(), 1);
		Ok(())
	}

	#[benchmark]
	fn set_candidacy_bond() -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, FLOOR.into());
		assert_eq!(CandidacyBond::<T>::get(), FLOOR.into());
		Ok(())
	}

	#[benchmark]
	fn recover_finality() -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		frame_system::Pallet::<T>::set_block_number(10u32.into());
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, 5u32.into(), 9u32.into());
		Ok(())
	}

	/// A full list: the newcomer outbids the lowest and goes first.
	#[benchmark]
	fn register_as_candidate() -> Result<(), BenchmarkError> {
		full_authorities::<T>();
		let max = T::MaxCandidates::get();
		let registered = candidates::<T>(max)?;
		let newcomer = funded::<T>("newcomer", 0);
		let bond: BalanceOf<T> = (FLOOR * 2 + max).into();
		#[extrinsic_call]
		_(RawOrigin::Signed(newcomer.clone()), bond);
		assert_eq!(Candidates::<T>::get()[0].who, newcomer);
		let outbid = registered.last().ok_or(BenchmarkError::Weightless)?;
		assert!(Unlocking::<T>::contains_key(outbid));
		Ok(())
	}

	/// The last of a full list raises its bond to the top.
	#[benchmark]
	fn raise_bond() -> Result<(), BenchmarkError> {
		let max = T::MaxCandidates::get();
		let registered = candidates::<T>(max)?;
		let last = registered.last().cloned().ok_or(BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(RawOrigin::Signed(last.clone()), (FLOOR + max).into());
		assert_eq!(Candidates::<T>::get()[0].who, last);
		Ok(())
	}

	/// A selected candidate of a full list leaves, checked against the minimum set size.
	#[benchmark]
	fn leave_intent() -> Result<(), BenchmarkError> {
		full_authorities::<T>();
		let registered = candidates::<T>(T::MaxCandidates::get())?;
		let first = registered[0].clone();
		#[extrinsic_call]
		_(RawOrigin::Signed(first.clone()));
		assert!(Unlocking::<T>::contains_key(&first));
		Ok(())
	}

	#[benchmark]
	fn withdraw_bond() -> Result<(), BenchmarkError> {
		let registered = candidates::<T>(1)?;
		let who = registered[0].clone();
		Pallet::<T>::leave_intent(RawOrigin::Signed(who.clone()).into())?;
		let unlock_at =
			frame_system::Pallet::<T>::block_number().saturating_add(Pallet::<T>::unlock_delay());
		frame_system::Pallet::<T>::set_block_number(unlock_at);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));
		assert!(!Unlocking::<T>::contains_key(&who));
		Ok(())
	}

	/// The last candidate of a full list equivocates.
	#[benchmark]
	fn slash_equivocation() -> Result<(), BenchmarkError> {
		full_authorities::<T>();
		let registered = candidates::<T>(T::MaxCandidates::get())?;
		let offender = registered.last().cloned().ok_or(BenchmarkError::Weightless)?;
		#[block]
		{
			Pallet::<T>::slash_equivocation(&offender, Perbill::from_percent(50));
		}
		assert!(!TotalSlashed::<T>::get().is_zero());
		Ok(())
	}

	/// A session change with `c` active candidates, every one idle past the threshold (the
	/// most the planning drops), with full authority and candidate lists; then the start of
	/// the session that set was planned for.
	#[benchmark]
	fn rotate_session(c: Linear<0, { T::MaxCandidates::get() }>) -> Result<(), BenchmarkError> {
		full_authorities::<T>();
		let registered = candidates::<T>(T::MaxCandidates::get())?;
		let active: Vec<_> = registered.iter().take(c as usize).cloned().collect();
		ActiveCandidates::<T>::put(BoundedVec::truncate_from(active));
		let now =
			frame_system::Pallet::<T>::block_number().saturating_add(Pallet::<T>::kick_threshold());
		frame_system::Pallet::<T>::set_block_number(now);
		#[block]
		{
			Pallet::<T>::plan_session(2);
			Pallet::<T>::activate_session(2);
		}
		assert_eq!(Candidates::<T>::get().len() as u32, T::MaxCandidates::get().saturating_sub(c));
		Ok(())
	}

	#[benchmark]
	fn note_author() -> Result<(), BenchmarkError> {
		let registered = candidates::<T>(1)?;
		let author = registered[0].clone();
		frame_system::Pallet::<T>::set_block_number(10u32.into());
		#[block]
		{
			<Pallet<T> as pallet_authorship::EventHandler<_, _>>::note_author(author.clone());
		}
		assert_eq!(LastAuthoredBlock::<T>::get(&author), Some(10u32.into()));
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
