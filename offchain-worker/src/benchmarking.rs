//! Benchmarks of the probes pallet (frame-benchmarking v2), each at its worst case: a full
//! prober list and reports whose every finding reaches the quorum.

use super::*;
use alloc::vec::Vec;
use frame_benchmarking::v2::*;
use frame_support::{pallet_prelude::*, traits::Authorize, BoundedVec};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use sp_runtime::{
	traits::{UniqueSaturatedInto, Zero},
	RuntimeAppPublic,
};

/// A full list of probers with keys in the keystore; returns them.
fn full_probers<T: Config>() -> Vec<T::AuthorityId> {
	let keys: Vec<T::AuthorityId> =
		(0..T::MaxProbers::get()).map(|_| T::AuthorityId::generate_pair(None)).collect();
	Probers::<T>::put(BoundedVec::truncate_from(keys.clone()));
	keys
}

/// Prober 0's signed report of `f` providers down, each one vote short of the quorum.
fn report_one_short<T: Config>(f: u32) -> (ReportOf<T>, ProbeSignatureOf<T>) {
	let keys = full_probers::<T>();
	let round = Pallet::<T>::current_round();
	let quorum = Pallet::<T>::quorum();
	let mut findings: Vec<FindingOf<T>> =
		(0..f).map(|i| Finding::ProviderDown(account("provider", i, 0))).collect();
	findings.sort();
	for prober in 1..quorum {
		Reported::<T>::insert(round, keys[prober as usize].clone(), ());
	}
	for finding in &findings {
		Votes::<T>::insert(round, finding, quorum - 1);
	}
	let report = Report { round, prober: 0, findings: BoundedVec::truncate_from(findings) };
	let genesis = frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero());
	let signature =
		keys[0].sign(&report.signing_message(genesis.as_ref())).expect("key in keystore");
	(report, signature)
}

/// Prober 0's signed report of `f` artifacts of the current block unavailable, each one vote
/// short of the quorum.
fn artifacts_one_short<T: Config>(f: u32) -> (ArtifactReportOf<T>, ProbeSignatureOf<T>) {
	let keys = full_probers::<T>();
	let block: u32 = frame_system::Pallet::<T>::block_number().unique_saturated_into();
	let round = Pallet::<T>::current_round();
	let quorum = Pallet::<T>::quorum();
	for prober in 1..quorum {
		ArtifactReported::<T>::insert(round, (block, keys[prober as usize].clone()), ());
	}
	let unavailable: Vec<u64> = (0..f as u64).collect();
	for job in &unavailable {
		ArtifactVotes::<T>::insert(round, (block, *job), quorum - 1);
	}
	let report =
		ArtifactReport { block, prober: 0, unavailable: BoundedVec::truncate_from(unavailable) };
	let genesis = frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero());
	let signature =
		keys[0].sign(&report.signing_message(genesis.as_ref())).expect("key in keystore");
	(report, signature)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn report(f: Linear<1, { T::MaxFindings::get() }>) {
		let (findings, signature) = report_one_short::<T>(f);
		let round = findings.round;
		let key = Probers::<T>::get()[0].clone();
		#[extrinsic_call]
		_(RawOrigin::Authorized, findings, signature);
		assert!(Reported::<T>::contains_key(round, key));
	}

	#[benchmark]
	fn authorize_report(f: Linear<1, { T::MaxFindings::get() }>) -> Result<(), BenchmarkError> {
		let (findings, signature) = report_one_short::<T>(f);
		let call = Call::<T>::report { report: findings, signature };
		#[block]
		{
			call.authorize(TransactionSource::External)
				.ok_or(BenchmarkError::Weightless)?
				.map_err(|_| BenchmarkError::Stop("a valid report"))?;
		}
		Ok(())
	}

	#[benchmark]
	fn report_artifacts(f: Linear<1, { T::MaxFindings::get() }>) {
		let (artifacts, signature) = artifacts_one_short::<T>(f);
		let (block, round) = (artifacts.block, Pallet::<T>::current_round());
		let key = Probers::<T>::get()[0].clone();
		#[extrinsic_call]
		_(RawOrigin::Authorized, artifacts, signature);
		assert!(ArtifactReported::<T>::contains_key(round, (block, key)));
	}

	#[benchmark]
	fn authorize_artifact_report(
		f: Linear<1, { T::MaxFindings::get() }>,
	) -> Result<(), BenchmarkError> {
		let (artifacts, signature) = artifacts_one_short::<T>(f);
		let call = Call::<T>::report_artifacts { report: artifacts, signature };
		#[block]
		{
			call.authorize(TransactionSource::External)
				.ok_or(BenchmarkError::Weightless)?
				.map_err(|_| BenchmarkError::Stop("a valid artifact report"))?;
		}
		Ok(())
	}

	#[benchmark]
	fn clear_round(k: Linear<0, 512>) {
		for i in 0..k {
			Votes::<T>::insert(0, Finding::ProviderDown(account("provider", i, 0)), 1);
		}
		#[block]
		{
			Pallet::<T>::clear_old_rounds(1, Weight::MAX);
		}
		assert_eq!(OldestRound::<T>::get(), 1);
		assert_eq!(Votes::<T>::iter_prefix(0).count(), 0);
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
