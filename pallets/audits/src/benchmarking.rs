//! Benchmarks of the audits pallet (frame-benchmarking v2), each at its worst case: rotations
//! that skip every ineligible auditor, the last reveal of an escalated and challenged panel
//! that convicts (a slash shared by four, three auditors paid, a refund). A reveal is charged
//! that worst case up front and refunded to the measured cost of what it did: leaving its round
//! open, passing a receipt on the first auditor's word, or escalating.

use super::*;
use aitbc_primitives::{verdict_commitment, AuditVerdict};
use frame_benchmarking::v2::*;
use frame_support::traits::fungible::Mutate;
use frame_system::RawOrigin;

const SALT: Hash32 = [7; 32];

/// An eligible provider of the benchmark model.
fn provider<T: Config>(name: &'static str, index: u32) -> (T::AccountId, ModelId) {
	let who: T::AccountId = account(name, index, 0);
	let model = T::BenchmarkHelper::provider(&who);
	(who, model)
}

/// `count` registered auditors of `model` that can no longer audit it (suspended), which
/// every rotation has to walk past.
fn ineligible_auditors<T: Config>(model: ModelId, count: u32) {
	for i in 0..count {
		let (who, _) = provider::<T>("stale", i);
		Pallet::<T>::register_auditor(RawOrigin::Signed(who.clone()).into(), model)
			.expect("an eligible provider registers");
		T::Providers::suspend(&who);
	}
}

/// `count` registered, eligible auditors of `model`.
fn auditors<T: Config>(model: ModelId, count: u32) -> alloc::vec::Vec<T::AccountId> {
	(0..count)
		.map(|i| {
			let (who, _) = provider::<T>("auditor", i);
			Pallet::<T>::register_auditor(RawOrigin::Signed(who.clone()).into(), model)
				.expect("an eligible provider registers");
			who
		})
		.collect()
}

fn commit_as<T: Config>(who: &T::AccountId, job_id: JobId, verdict: AuditVerdict) {
	let commitment = verdict_commitment(job_id, who, verdict, &SALT);
	Pallet::<T>::commit_verdict(RawOrigin::Signed(who.clone()).into(), job_id, commitment)
		.expect("on the panel, in the commit phase");
}

fn reveal_as<T: Config>(who: &T::AccountId, job_id: JobId, verdict: AuditVerdict) {
	Pallet::<T>::reveal_verdict(RawOrigin::Signed(who.clone()).into(), job_id, verdict, SALT)
		.expect("committed, in the reveal phase");
}

/// A challenger holding enough for a bond.
fn challenger<T: Config>() -> (T::AccountId, BalanceOf<T>) {
	let who: T::AccountId = account("challenger", 0, 0);
	let bond = T::MinChallengeBond::get();
	T::Currency::set_balance(
		&who,
		bond.saturating_mul(4u32.into()).saturating_add(T::Currency::minimum_balance()),
	);
	(who, bond)
}

/// A challenged receipt whose first auditor revealed a mismatch, so that its panel escalated;
/// the escalated auditors have not committed. Returns the job and the escalated auditors.
fn escalated_audit<T: Config>() -> (JobId, alloc::vec::Vec<T::AccountId>) {
	let (audited, model) = provider::<T>("provider", 0);
	let client: T::AccountId = account("client", 0, 0);
	let panel = auditors::<T>(model, T::MaxPanel::get());
	let job_id = T::BenchmarkHelper::receipted_job(&audited, &client);
	let now = frame_system::Pallet::<T>::block_number();
	let (challenger, bond) = challenger::<T>();
	Pallet::<T>::challenge(RawOrigin::Signed(challenger).into(), job_id, bond)
		.expect("a receipt in its window with auditors available");
	let first = Audits::<T>::get(job_id).expect("opened").votes[0].auditor.clone();
	commit_as::<T>(&first, job_id, AuditVerdict::Mismatch);
	reveal_as::<T>(&first, job_id, AuditVerdict::Mismatch);
	let audit = Audits::<T>::get(job_id).expect("escalated");
	assert!(audit.escalated && audit.opened_at == now);
	let escalated = panel.into_iter().filter(|who| *who != first).collect();
	(job_id, escalated)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// `a`: auditors already registered for the model.
	#[benchmark]
	fn register_auditor(a: Linear<0, { T::MaxAuditorsPerModel::get() - 1 }>) {
		let (who, model) = provider::<T>("provider", 0);
		let others: alloc::vec::Vec<T::AccountId> =
			(0..a).map(|i| account("registered", i, 0)).collect();
		Auditors::<T>::insert(model, BoundedVec::truncate_from(others));
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), model);
		assert!(Auditors::<T>::get(model).contains(&who));
	}

	/// `a`: auditors registered for the model, the caller last.
	#[benchmark]
	fn deregister_auditor(a: Linear<1, { T::MaxAuditorsPerModel::get() }>) {
		let (who, model) = provider::<T>("provider", 0);
		let mut list: alloc::vec::Vec<T::AccountId> =
			(1..a).map(|i| account("registered", i, 0)).collect();
		list.push(who.clone());
		Auditors::<T>::insert(model, BoundedVec::truncate_from(list));
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), model);
		assert!(!Auditors::<T>::get(model).contains(&who));
	}

	/// The last commitment of a round, which opens its reveal phase.
	#[benchmark]
	fn commit_verdict() {
		let (job_id, escalated) = escalated_audit::<T>();
		commit_as::<T>(&escalated[0], job_id, AuditVerdict::Mismatch);
		let last = escalated[1].clone();
		let commitment = verdict_commitment(job_id, &last, AuditVerdict::Mismatch, &SALT);
		#[extrinsic_call]
		_(RawOrigin::Signed(last), job_id, commitment);
		assert_eq!(Audits::<T>::get(job_id).map(|a| a.phase), Some(AuditPhase::Reveal));
	}

	/// The last reveal of an escalated, challenged panel, convicting the provider.
	#[benchmark]
	fn reveal_verdict() {
		let (job_id, escalated) = escalated_audit::<T>();
		for who in &escalated {
			commit_as::<T>(who, job_id, AuditVerdict::Mismatch);
		}
		reveal_as::<T>(&escalated[0], job_id, AuditVerdict::Mismatch);
		let last = escalated[1].clone();
		#[extrinsic_call]
		_(RawOrigin::Signed(last), job_id, AuditVerdict::Mismatch, SALT);
		assert_eq!(Audits::<T>::get(job_id).and_then(|a| a.outcome), Some(AuditOutcome::Failed));
	}

	/// A reveal that leaves its round open: the first of an escalated panel's two.
	#[benchmark]
	fn reveal_verdict_pending() {
		let (job_id, escalated) = escalated_audit::<T>();
		for who in &escalated {
			commit_as::<T>(who, job_id, AuditVerdict::Mismatch);
		}
		let first = escalated[0].clone();
		#[extrinsic_call]
		reveal_verdict(RawOrigin::Signed(first), job_id, AuditVerdict::Mismatch, SALT);
		let audit = Audits::<T>::get(job_id).expect("still open");
		assert!(audit.outcome.is_none() && audit.phase == AuditPhase::Reveal);
	}

	/// The first auditor's `Match` on a challenged receipt: the receipt mints, the auditor is
	/// paid and the challenger's bond is forfeited (a share to the provider, the rest burned).
	#[benchmark]
	fn reveal_verdict_passes() {
		let (audited, model) = provider::<T>("provider", 0);
		let client: T::AccountId = account("client", 0, 0);
		auditors::<T>(model, 1);
		let job_id = T::BenchmarkHelper::receipted_job(&audited, &client);
		let (challenger, bond) = challenger::<T>();
		Pallet::<T>::challenge(RawOrigin::Signed(challenger).into(), job_id, bond)
			.expect("a receipt in its window with an auditor available");
		let first = Audits::<T>::get(job_id).expect("opened").votes[0].auditor.clone();
		commit_as::<T>(&first, job_id, AuditVerdict::Match);
		#[extrinsic_call]
		reveal_verdict(RawOrigin::Signed(first), job_id, AuditVerdict::Match, SALT);
		assert_eq!(Audits::<T>::get(job_id).and_then(|a| a.outcome), Some(AuditOutcome::Passed));
	}

	/// The first auditor's `Mismatch`, which escalates: the rotation walks past `a`
	/// ineligible auditors to find the two more of the panel.
	#[benchmark]
	fn reveal_verdict_escalates(
		a: Linear<0, { T::MaxAuditorsPerModel::get() - T::MaxPanel::get() }>,
	) {
		let (audited, model) = provider::<T>("provider", 0);
		let client: T::AccountId = account("client", 0, 0);
		let first = auditors::<T>(model, 1).remove(0);
		ineligible_auditors::<T>(model, a);
		for i in 1..T::MaxPanel::get() {
			let (who, _) = provider::<T>("escalation", i);
			Pallet::<T>::register_auditor(RawOrigin::Signed(who).into(), model)
				.expect("an eligible provider registers");
		}
		let job_id = T::BenchmarkHelper::receipted_job(&audited, &client);
		let now = frame_system::Pallet::<T>::block_number();
		Pallet::<T>::open(job_id, None, now).expect("the receipt is waiting");
		assert_eq!(Audits::<T>::get(job_id).expect("opened").votes[0].auditor, first);
		commit_as::<T>(&first, job_id, AuditVerdict::Mismatch);
		#[extrinsic_call]
		reveal_verdict(RawOrigin::Signed(first), job_id, AuditVerdict::Mismatch, SALT);
		let audit = Audits::<T>::get(job_id).expect("escalated");
		assert!(audit.escalated && audit.votes.len() as u32 == T::MaxPanel::get());
	}

	/// A challenge that opens an audit, its rotation walking past `a` ineligible auditors.
	#[benchmark]
	fn challenge(a: Linear<0, { T::MaxAuditorsPerModel::get() - 1 }>) {
		let (audited, model) = provider::<T>("provider", 0);
		let client: T::AccountId = account("client", 0, 0);
		ineligible_auditors::<T>(model, a);
		auditors::<T>(model, 1);
		let job_id = T::BenchmarkHelper::receipted_job(&audited, &client);
		let (who, bond) = challenger::<T>();
		#[extrinsic_call]
		_(RawOrigin::Signed(who), job_id, bond);
		assert!(Audits::<T>::get(job_id).is_some_and(|audit| audit.outcome.is_none()));
	}

	#[benchmark]
	fn set_audit_params() {
		#[extrinsic_call]
		_(RawOrigin::Root, Perbill::from_percent(10), 1_000_000);
		assert_eq!(AuditRate::<T>::get(), Perbill::from_percent(10));
	}

	/// The draw over `r` receipts of `p` providers accepted in the previous block, none of
	/// them drawn but each read for the size threshold.
	#[benchmark]
	fn draw(r: Linear<1, 8>, p: Linear<1, 4>) {
		let providers: alloc::vec::Vec<T::AccountId> =
			(0..p).map(|i| provider::<T>("provider", i).0).collect();
		for i in 0..r {
			let client: T::AccountId = account("client", i, 0);
			T::BenchmarkHelper::receipted_job(&providers[(i % p) as usize], &client);
		}
		AuditRate::<T>::put(Perbill::zero());
		AlwaysAuditUnits::<T>::put(Units::MAX);
		let next = frame_system::Pallet::<T>::block_number().saturating_add(1u32.into());
		frame_system::Pallet::<T>::set_block_number(next);
		#[block]
		{
			Pallet::<T>::draw(next);
		}
		assert!(Audits::<T>::iter().next().is_none());
	}

	/// Opening a drawn receipt's audit, the rotation walking past `a` ineligible auditors.
	#[benchmark]
	fn open_audit(a: Linear<0, { T::MaxAuditorsPerModel::get() - 1 }>) {
		let (audited, model) = provider::<T>("provider", 0);
		let client: T::AccountId = account("client", 0, 0);
		ineligible_auditors::<T>(model, a);
		auditors::<T>(model, 1);
		let job_id = T::BenchmarkHelper::receipted_job(&audited, &client);
		let now = frame_system::Pallet::<T>::block_number();
		#[block]
		{
			Pallet::<T>::open(job_id, None, now).expect("the receipt is waiting");
		}
		assert!(Audits::<T>::get(job_id).is_some_and(|audit| audit.outcome.is_none()));
	}

	/// A reveal deadline that convicts: two mismatches revealed, one auditor silent.
	#[benchmark]
	fn advance_phase() {
		let (job_id, escalated) = escalated_audit::<T>();
		for who in &escalated {
			commit_as::<T>(who, job_id, AuditVerdict::Mismatch);
		}
		reveal_as::<T>(&escalated[0], job_id, AuditVerdict::Mismatch);
		let at = Audits::<T>::get(job_id).expect("open").phase_ends;
		frame_system::Pallet::<T>::set_block_number(at);
		#[block]
		{
			Pallet::<T>::advance(job_id, at);
		}
		assert_eq!(Audits::<T>::get(job_id).and_then(|a| a.outcome), Some(AuditOutcome::Failed));
	}

	/// A quorum of validators could not get the artifact of a challenged receipt whose
	/// audit escalated: the audit ends, the provider is slashed, the challenger's bond returned.
	#[benchmark]
	fn fail_unavailable() {
		let (job_id, _) = escalated_audit::<T>();
		#[block]
		{
			assert!(Pallet::<T>::fail_unavailable(job_id));
		}
		assert_eq!(Audits::<T>::get(job_id).and_then(|a| a.outcome), Some(AuditOutcome::Failed));
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
