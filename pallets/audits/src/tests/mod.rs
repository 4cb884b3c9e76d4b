//! Tests of audits, played as the cheaters would play them: forged receipts, lying and lazy
//! auditors, copied commitments, challenges both ways, self-dealing. After each test, the
//! invariants of every pallet and the issuance ledger are checked.

use crate::{
	mock::*, AuditOutcome, AuditPhase, Audits as AuditsStorage, Error, Event, NextAuditor,
	TotalAuditorPay, TotalForfeited,
};
use aitbc_primitives::AuditVerdict::{self, ArtifactUnavailable, Match, Mismatch};
use aitbc_primitives::JobId;
use frame_support::{assert_noop, assert_ok, dispatch::GetDispatchInfo, weights::Weight};
use pallet_aitbc_jobs::{JobState, Jobs as JobsStorage};
use sp_runtime::{DispatchError::BadOrigin, Perbill};

mod unavailable;

fn audit_of(job_id: JobId) -> crate::Audit<Test> {
	AuditsStorage::<Test>::get(job_id).expect("the job has an audit")
}

fn panel(job_id: JobId) -> Vec<u64> {
	audit_of(job_id).votes.iter().map(|vote| vote.auditor).collect()
}

fn outcome(job_id: JobId) -> Option<AuditOutcome> {
	audit_of(job_id).outcome
}

fn state(job_id: JobId) -> JobState<u64, u128, u64> {
	JobsStorage::<Test>::get(job_id).unwrap().state
}

fn free(who: u64) -> u128 {
	Balances::free_balance(who)
}

fn approved(who: u64) -> bool {
	pallet_aitbc_marketplace::Approved::<Test>::contains_key(who)
}

fn reputation(who: u64) -> (u32, u32) {
	let r = pallet_aitbc_marketplace::Reputations::<Test>::get(who);
	(r.passed_checks, r.failed_checks)
}

fn bond(who: u64, amount: u128) {
	assert_ok!(ProviderStaking::bond(RuntimeOrigin::signed(who), amount));
}

fn set_rate(percent: u32) {
	assert_ok!(Audits::set_audit_params(RuntimeOrigin::root(), Perbill::from_percent(percent), 0));
}

/// The auditor of `job_id`'s current round commits and reveals `verdict`.
fn vote(auditor: u64, job_id: JobId, verdict: AuditVerdict) {
	commit(auditor, job_id, verdict);
	reveal(auditor, job_id, verdict);
}

/// PROVIDER's receipt of ALICE's job, audited (rate 100 %) by the next block: returns the job
/// and its first auditor.
fn audited_receipt() -> (JobId, u64) {
	let job_id = receipted_job(ALICE, PROVIDER);
	run_to_block(System::block_number() + 1);
	let auditors = panel(job_id);
	assert_eq!(auditors.len(), 1);
	(job_id, auditors[0])
}

fn has_event(event: Event<Test>) -> bool {
	System::events().iter().any(|record| record.event == RuntimeEvent::Audits(event.clone()))
}

#[test]
fn registering_needs_an_eligible_provider_serving_the_model() {
	build_and_execute(|| {
		assert_ok!(Audits::register_auditor(RuntimeOrigin::signed(AUDITOR_A), 0));
		assert!(has_event(Event::AuditorRegistered { auditor: AUDITOR_A, model_id: 0 }));
		assert_noop!(
			Audits::register_auditor(RuntimeOrigin::signed(AUDITOR_A), 0),
			Error::<Test>::AlreadyAuditor
		);
		// A client with no offer, a model nobody serves, an unapproved provider.
		assert_noop!(
			Audits::register_auditor(RuntimeOrigin::signed(ALICE), 0),
			pallet_aitbc_marketplace::Error::<Test>::NoOffer
		);
		assert_noop!(
			Audits::register_auditor(RuntimeOrigin::signed(AUDITOR_B), 1),
			pallet_aitbc_marketplace::Error::<Test>::ModelNotServed
		);
		assert_ok!(Marketplace::revoke_approval(RuntimeOrigin::root(), AUDITOR_B));
		assert_noop!(
			Audits::register_auditor(RuntimeOrigin::signed(AUDITOR_B), 0),
			pallet_aitbc_marketplace::Error::<Test>::NotApproved
		);
		assert_noop!(
			Audits::deregister_auditor(RuntimeOrigin::signed(AUDITOR_C), 0),
			Error::<Test>::NotAuditor
		);
		assert_ok!(Audits::deregister_auditor(RuntimeOrigin::signed(AUDITOR_A), 0));
		assert!(crate::Auditors::<Test>::get(0).is_empty());
	});
}

#[test]
fn the_auditor_list_is_bounded() {
	build_and_execute(|| {
		register_auditors(&[PROVIDER, AUDITOR_A, AUDITOR_B, AUDITOR_C]);
		// A fifth provider serving the model finds the list full (4).
		use pallet_aitbc_marketplace::OfferTerms;
		let fifth = 14;
		assert_ok!(Marketplace::register_offer(
			RuntimeOrigin::signed(fifth),
			OfferTerms {
				models: frame_support::BoundedVec::truncate_from(vec![0]),
				price_per_unit: PRICE,
				gpu_name: Default::default(),
				gpu_memory_mib: 0,
				endpoint: frame_support::BoundedVec::truncate_from(b"http://x".to_vec()),
				capacity: 1,
				max_pixels: 1_024 * 1_024,
				worker_keys: frame_support::BoundedVec::truncate_from(vec![
					aitbc_primitives::WorkerKey::Ed25519([5; 32])
				]),
			}
		));
		assert_ok!(Marketplace::approve_provider(RuntimeOrigin::root(), fifth));
		assert_noop!(
			Audits::register_auditor(RuntimeOrigin::signed(fifth), 0),
			Error::<Test>::TooManyAuditors
		);
	});
}

#[test]
fn governance_sets_the_audit_parameters() {
	build_and_execute(|| {
		assert_noop!(
			Audits::set_audit_params(RuntimeOrigin::signed(ALICE), Perbill::zero(), 0),
			BadOrigin
		);
		assert_ok!(Audits::set_audit_params(
			RuntimeOrigin::root(),
			Perbill::from_percent(10),
			50_000
		));
		assert_eq!(crate::AuditRate::<Test>::get(), Perbill::from_percent(10));
		assert_eq!(crate::AlwaysAuditUnits::<Test>::get(), 50_000);
	});
}

#[test]
fn a_chain_spec_can_start_with_other_audit_parameters() {
	use sp_runtime::BuildStorage;
	let defaults = crate::GenesisConfig::<Test>::default().build_storage().unwrap();
	sp_io::TestExternalities::new(defaults).execute_with(|| {
		assert_eq!(crate::AuditRate::<Test>::get(), DefaultAuditRate::get());
	});
	let off = crate::GenesisConfig::<Test> {
		audit_rate: Some(Perbill::zero()),
		always_audit_units: Some(0),
		..Default::default()
	};
	sp_io::TestExternalities::new(off.build_storage().unwrap()).execute_with(|| {
		assert_eq!(crate::AuditRate::<Test>::get(), Perbill::zero());
		assert_eq!(crate::AlwaysAuditUnits::<Test>::get(), 0);
	});
}

#[test]
fn the_draw_samples_at_the_audit_rate() {
	new_test_ext().execute_with(|| {
		let seed = [7u8; 32];
		for percent in [1u32, 10, 50] {
			let rate = Perbill::from_percent(percent);
			let hits = (0..20_000u64).filter(|id| Audits::drawn(&seed, *id, rate)).count();
			let expected = 200 * percent as usize;
			// Within 5 standard deviations of the binomial mean.
			let sd = ((20_000.0 * (percent as f64 / 100.0) * (1.0 - percent as f64 / 100.0)).sqrt()
				* 5.0) as usize;
			assert!(hits.abs_diff(expected) <= sd, "{percent}%: {hits} of 20000");
		}
		assert!((0..1_000u64).all(|id| !Audits::drawn(&seed, id, Perbill::zero())));
		assert!((0..1_000u64).all(|id| Audits::drawn(&seed, id, Perbill::one())));
		// Another block hash draws other receipts: the provider cannot know which in advance.
		let rate = Perbill::from_percent(50);
		let a: Vec<bool> = (0..64).map(|id| Audits::drawn(&[1; 32], id, rate)).collect();
		let b: Vec<bool> = (0..64).map(|id| Audits::drawn(&[2; 32], id, rate)).collect();
		assert_ne!(a, b);
	});
}

#[test]
fn a_drawn_receipt_is_held_until_its_audit_ends() {
	build_and_execute(|| {
		register_auditors(&[AUDITOR_A]);
		let job_id = receipted_job(ALICE, PROVIDER);
		let provider_before = free(PROVIDER);
		// Block 2 draws it; the challenge window would close at block 4.
		run_to_block(2);
		let audit = audit_of(job_id);
		assert_eq!(audit.votes[0].auditor, AUDITOR_A);
		assert_eq!((audit.phase, audit.phase_ends), (AuditPhase::Commit, 5));
		assert!(pallet_aitbc_receipts::FinalizeAt::<Test>::get(4, PROVIDER).is_empty());
		run_to_block(4);
		assert!(matches!(state(job_id), JobState::Receipted { .. }), "not final while audited");
		assert_eq!(free(PROVIDER), provider_before);
		vote(AUDITOR_A, job_id, Match);
		assert_eq!(outcome(job_id), Some(AuditOutcome::Passed));
		assert!(matches!(state(job_id), JobState::Finalized { minted: RECEIPT_MINT, .. }));
		assert_eq!(free(PROVIDER), provider_before + RECEIPT_MINT + PAYMENT);
	});
}

#[test]
fn no_receipt_is_audited_at_rate_zero_and_all_mint_on_time() {
	build_and_execute(|| {
		set_rate(0);
		register_auditors(&[AUDITOR_A]);
		let job_id = receipted_job(ALICE, PROVIDER);
		run_to_block(4);
		assert!(AuditsStorage::<Test>::get(job_id).is_none());
		assert!(matches!(state(job_id), JobState::Finalized { minted: RECEIPT_MINT, .. }));
	});
}

#[test]
fn receipts_above_the_threshold_are_always_audited() {
	build_and_execute(|| {
		register_auditors(&[AUDITOR_A]);
		assert_ok!(Audits::set_audit_params(RuntimeOrigin::root(), Perbill::zero(), 5_000));
		let job_id = receipted_job(ALICE, PROVIDER);
		run_to_block(2);
		assert_eq!(panel(job_id), vec![AUDITOR_A]);
		assert_ok!(Audits::set_audit_params(RuntimeOrigin::root(), Perbill::zero(), 5_001));
		let small = receipted_job(ALICE, PROVIDER);
		run_to_block(3);
		assert!(AuditsStorage::<Test>::get(small).is_none());
	});
}

#[test]
fn an_honest_receipt_passes_and_its_auditor_is_paid() {
	build_and_execute(|| {
		register_auditors(&[AUDITOR_A, AUDITOR_B]);
		let auditor_before = free(AUDITOR_A);
		let (job_id, auditor) = audited_receipt();
		assert_eq!(auditor, AUDITOR_A);
		commit(auditor, job_id, Match);
		// Everyone on the round committed: reveals open at once.
		assert_eq!(audit_of(job_id).phase, AuditPhase::Reveal);
		reveal(auditor, job_id, Match);
		assert!(has_event(Event::AuditResolved {
			job_id,
			outcome: AuditOutcome::Passed,
			minted: RECEIPT_MINT,
			refund: 0
		}));
		assert_eq!(free(AUDITOR_A), auditor_before + RECEIPT_MINT);
		assert_eq!(TotalAuditorPay::<Test>::get(), RECEIPT_MINT);
		assert_eq!(reputation(PROVIDER), (1, 0));
		assert!(crate::AuditDeadlines::<Test>::iter().next().is_none());
	});
}

#[test]
fn auditors_rotate_and_never_audit_their_own_or_their_clients_job() {
	build_and_execute(|| {
		register_auditors(&[PROVIDER, AUDITOR_A, AUDITOR_B]);
		// PROVIDER's receipts are never audited by PROVIDER.
		let first = receipted_job(ALICE, PROVIDER);
		let second = receipted_job(BOB, PROVIDER);
		run_to_block(2);
		let (a, b) = (panel(first)[0], panel(second)[0]);
		assert_ne!(a, b, "the rotation moves on");
		assert!(![a, b].contains(&PROVIDER));
		// AUDITOR_A's job for client AUDITOR_B: neither audits it, so PROVIDER does.
		let cross = receipted_job(AUDITOR_B, AUDITOR_A);
		run_to_block(3);
		assert_eq!(panel(cross), vec![PROVIDER]);
		assert!(NextAuditor::<Test>::get(0) < 3);
	});
}

#[test]
fn a_forged_receipt_is_caught_escalated_and_slashed() {
	build_and_execute(|| {
		register_auditors(&[AUDITOR_A, AUDITOR_B, AUDITOR_C]);
		bond(PROVIDER, 500);
		let alice_before = free(ALICE);
		let (job_id, first) = audited_receipt();
		// The artifact is not the job's image: the first auditor does not convict alone.
		vote(first, job_id, Mismatch);
		let audit = audit_of(job_id);
		assert!(audit.escalated && audit.outcome.is_none());
		let escalated: Vec<u64> = audit.votes.iter().skip(1).map(|v| v.auditor).collect();
		assert_eq!(escalated.len(), 2);
		assert!(!escalated.contains(&first));
		for auditor in &escalated {
			commit(*auditor, job_id, Mismatch);
		}
		for auditor in &escalated {
			reveal(*auditor, job_id, Mismatch);
		}
		assert_eq!(outcome(job_id), Some(AuditOutcome::Failed));
		// No mint, the client refunded, the provider slashed (50 % of 500) and suspended; half
		// of the slash rewards the three auditors, who are also paid for their re-runs.
		assert!(matches!(state(job_id), JobState::Rejected { convicted: true, .. }));
		assert_eq!(pallet_aitbc_receipts::TotalMinted::<Test>::get(), 0);
		assert_eq!(free(ALICE), alice_before, "the payment came back");
		assert_eq!(pallet_aitbc_staking::Bonded::<Test>::get(PROVIDER), 250);
		assert_eq!(pallet_aitbc_staking::TotalSlashed::<Test>::get(), 250 - 3 * 41);
		for auditor in [AUDITOR_A, AUDITOR_B, AUDITOR_C] {
			assert_eq!(free(auditor), 1_000 + 41 + RECEIPT_MINT, "auditor {auditor}");
		}
		assert!(!approved(PROVIDER));
		assert_eq!(reputation(PROVIDER), (0, 1));
		// Suspended: it can take no new job.
		let id = pallet_aitbc_jobs::NextJobId::<Test>::get();
		assert_ok!(Jobs::submit_job(
			RuntimeOrigin::signed(BOB),
			0,
			frame_support::BoundedVec::truncate_from(PROMPT.to_vec()),
			params(),
			10,
			0,
			20
		));
		assert_noop!(
			Jobs::claim_job(RuntimeOrigin::signed(PROVIDER), id),
			pallet_aitbc_marketplace::Error::<Test>::NotApproved
		);
	});
}

#[test]
fn an_unserved_artifact_fails_like_a_mismatch() {
	build_and_execute(|| {
		register_auditors(&[AUDITOR_A, AUDITOR_B, AUDITOR_C]);
		let (job_id, first) = audited_receipt();
		vote(first, job_id, ArtifactUnavailable);
		let escalated: Vec<u64> = panel(job_id).into_iter().skip(1).collect();
		for auditor in &escalated {
			commit(*auditor, job_id, ArtifactUnavailable);
		}
		for auditor in &escalated {
			reveal(*auditor, job_id, ArtifactUnavailable);
		}
		assert_eq!(outcome(job_id), Some(AuditOutcome::Failed));
		// Nothing bonded: nothing to slash, but the approval is gone.
		assert!(!approved(PROVIDER));
		assert!(has_event(Event::Penalized { job_id, who: PROVIDER, slashed: 0, suspended: true }));
	});
}

#[test]
fn a_lying_auditor_is_outvoted_and_slashed() {
	build_and_execute(|| {
		register_auditors(&[AUDITOR_A, AUDITOR_B, AUDITOR_C]);
		bond(AUDITOR_A, 500);
		let provider_before = free(PROVIDER);
		let (job_id, liar) = audited_receipt();
		assert_eq!(liar, AUDITOR_A);
		vote(liar, job_id, Mismatch);
		for auditor in [AUDITOR_B, AUDITOR_C] {
			commit(auditor, job_id, Match);
		}
		for auditor in [AUDITOR_B, AUDITOR_C] {
			reveal(auditor, job_id, Match);
		}
		assert_eq!(outcome(job_id), Some(AuditOutcome::Passed));
		// The honest provider is minted and paid, plus half of the liar's slash (20 % of 500).
		assert_eq!(free(PROVIDER), provider_before + RECEIPT_MINT + PAYMENT + 50);
		assert_eq!(pallet_aitbc_staking::Bonded::<Test>::get(AUDITOR_A), 400);
		assert!(!approved(AUDITOR_A));
		assert!(approved(PROVIDER));
		// The liar is not paid; the two honest auditors are.
		assert_eq!(free(AUDITOR_A), 500);
		assert_eq!(free(AUDITOR_B), 1_000 + RECEIPT_MINT);
		assert_eq!(TotalAuditorPay::<Test>::get(), 2 * RECEIPT_MINT);
	});
}

#[test]
fn a_receipt_nobody_can_audit_does_not_mint() {
	build_and_execute(|| {
		// Only the provider itself is registered: no independent auditor.
		register_auditors(&[PROVIDER]);
		let alice_before = free(ALICE);
		let job_id = receipted_job(ALICE, PROVIDER);
		run_to_block(5);
		assert_eq!(outcome(job_id), Some(AuditOutcome::NoAuditors));
		assert!(matches!(state(job_id), JobState::Rejected { convicted: false, .. }));
		assert_eq!(pallet_aitbc_receipts::TotalMinted::<Test>::get(), 0);
		assert_eq!(free(ALICE), alice_before, "the payment came back");
		assert!(approved(PROVIDER), "not convicted");
	});
}

#[test]
fn a_mismatch_without_enough_auditors_to_escalate_is_inconclusive() {
	build_and_execute(|| {
		register_auditors(&[AUDITOR_A, AUDITOR_B]);
		bond(PROVIDER, 500);
		let (job_id, first) = audited_receipt();
		vote(first, job_id, Mismatch);
		// One other auditor left: two are needed.
		assert_eq!(outcome(job_id), Some(AuditOutcome::Inconclusive));
		assert!(matches!(state(job_id), JobState::Rejected { convicted: false, .. }));
		assert_eq!(pallet_aitbc_staking::Bonded::<Test>::get(PROVIDER), 500);
		assert!(approved(PROVIDER) && approved(first));
		assert_eq!(TotalAuditorPay::<Test>::get(), 0);
	});
}

#[test]
fn a_split_panel_convicts_nobody() {
	build_and_execute(|| {
		register_auditors(&[AUDITOR_A, AUDITOR_B, AUDITOR_C]);
		let (job_id, first) = audited_receipt();
		vote(first, job_id, Mismatch);
		let escalated: Vec<u64> = panel(job_id).into_iter().skip(1).collect();
		// One says Match, the other never commits: 1 against 1.
		commit(escalated[0], job_id, Match);
		run_to_block(System::block_number() + 3);
		reveal(escalated[0], job_id, Match);
		assert_eq!(outcome(job_id), Some(AuditOutcome::Inconclusive));
		assert_eq!(pallet_aitbc_receipts::TotalMinted::<Test>::get(), 0);
		assert!(approved(PROVIDER) && approved(first));
	});
}

#[test]
fn an_absent_auditor_is_replaced_by_the_escalation() {
	build_and_execute(|| {
		register_auditors(&[AUDITOR_A, AUDITOR_B, AUDITOR_C]);
		let (job_id, lazy) = audited_receipt();
		// The first auditor never commits: its round ends at the commit deadline (block 5).
		run_to_block(5);
		let audit = audit_of(job_id);
		assert!(audit.escalated);
		let escalated: Vec<u64> = audit.votes.iter().skip(1).map(|v| v.auditor).collect();
		assert_noop!(
			Audits::commit_verdict(RuntimeOrigin::signed(lazy), job_id, [0; 32]),
			Error::<Test>::NotOnPanel
		);
		for auditor in &escalated {
			commit(*auditor, job_id, Match);
		}
		for auditor in &escalated {
			reveal(*auditor, job_id, Match);
		}
		assert_eq!(outcome(job_id), Some(AuditOutcome::Passed));
		assert_eq!(free(lazy), 1_000, "an absent auditor is not paid");
	});
}

/// `auditor` reveals `verdict` on `job_id`: the weight it was charged in the end.
fn reveal_charged(auditor: u64, job_id: JobId, verdict: AuditVerdict) -> Weight {
	let info =
		Audits::reveal_verdict(RuntimeOrigin::signed(auditor), job_id, verdict, salt_of(auditor))
			.expect("a valid reveal");
	info.actual_weight.expect("a reveal says what it spent")
}

#[test]
fn a_reveal_is_charged_the_worst_case_and_refunded_to_what_it_did() {
	build_and_execute(|| {
		use crate::weights::WeightInfo;
		type W = crate::weights::SubstrateWeight<Test>;
		let limit = crate::Pallet::<Test>::reveal_weight_limit();
		let call = crate::Call::<Test>::reveal_verdict { job_id: 0, verdict: Match, salt: [0; 32] };
		assert_eq!(call.get_dispatch_info().call_weight, limit);
		register_auditors(&[AUDITOR_A, AUDITOR_B, AUDITOR_C]);
		bond(PROVIDER, 500);
		// The common case: one auditor's Match passes the receipt.
		let (passing, first) = audited_receipt();
		commit(first, passing, Match);
		assert_eq!(reveal_charged(first, passing, Match), W::reveal_verdict_passes());
		assert_eq!(outcome(passing), Some(AuditOutcome::Passed));
		// A mismatch escalates, charged at the limit; the first escalated reveal leaves the
		// round open and costs little; the last one resolves the panel, at the limit.
		let (failing, first) = audited_receipt();
		commit(first, failing, Mismatch);
		assert_eq!(reveal_charged(first, failing, Mismatch), limit);
		let escalated: Vec<u64> = panel(failing).into_iter().skip(1).collect();
		for auditor in &escalated {
			commit(*auditor, failing, Mismatch);
		}
		assert_eq!(reveal_charged(escalated[0], failing, Mismatch), W::reveal_verdict_pending());
		assert_eq!(reveal_charged(escalated[1], failing, Mismatch), limit);
		assert_eq!(outcome(failing), Some(AuditOutcome::Failed));
		assert!(W::reveal_verdict_pending().all_lt(W::reveal_verdict_passes()));
		assert!(W::reveal_verdict_passes().all_lt(limit));
	});
}

#[test]
fn reveals_wait_for_the_commit_phase_to_end() {
	build_and_execute(|| {
		register_auditors(&[AUDITOR_A, AUDITOR_B, AUDITOR_C]);
		let (job_id, first) = audited_receipt();
		vote(first, job_id, Mismatch);
		let escalated: Vec<u64> = panel(job_id).into_iter().skip(1).collect();
		let (b, c) = (escalated[0], escalated[1]);
		commit(b, job_id, Match);
		// C has not committed: nobody may reveal yet, so C cannot learn B's verdict.
		assert_noop!(
			Audits::reveal_verdict(RuntimeOrigin::signed(b), job_id, Match, salt_of(b)),
			Error::<Test>::NotRevealPhase
		);
		// C copies B's commitment: it binds B's account, so C can never reveal it.
		let copied = audit_of(job_id).votes[1].commitment.unwrap();
		assert_ok!(Audits::commit_verdict(RuntimeOrigin::signed(c), job_id, copied));
		assert_noop!(
			Audits::reveal_verdict(RuntimeOrigin::signed(c), job_id, Match, salt_of(b)),
			Error::<Test>::CommitmentMismatch
		);
		assert_noop!(
			Audits::commit_verdict(RuntimeOrigin::signed(b), job_id, [1; 32]),
			Error::<Test>::NotCommitPhase
		);
		reveal(b, job_id, Match);
		assert_noop!(
			Audits::reveal_verdict(RuntimeOrigin::signed(b), job_id, Match, salt_of(b)),
			Error::<Test>::AlreadyRevealed
		);
		// C's reveal period runs out: 1 Match against 1 Mismatch.
		run_to_block(System::block_number() + 3);
		assert_eq!(outcome(job_id), Some(AuditOutcome::Inconclusive));
		assert_noop!(
			Audits::reveal_verdict(RuntimeOrigin::signed(c), job_id, Match, salt_of(c)),
			Error::<Test>::AuditEnded
		);
	});
}

#[test]
fn commitment_errors_are_named() {
	build_and_execute(|| {
		register_auditors(&[AUDITOR_A, AUDITOR_B]);
		assert_noop!(
			Audits::commit_verdict(RuntimeOrigin::signed(AUDITOR_A), 99, [0; 32]),
			Error::<Test>::UnknownAudit
		);
		let (job_id, auditor) = audited_receipt();
		let other = if auditor == AUDITOR_A { AUDITOR_B } else { AUDITOR_A };
		assert_noop!(
			Audits::commit_verdict(RuntimeOrigin::signed(other), job_id, [0; 32]),
			Error::<Test>::NotOnPanel
		);
		assert_noop!(
			Audits::reveal_verdict(RuntimeOrigin::signed(auditor), job_id, Match, [0; 32]),
			Error::<Test>::NotRevealPhase
		);
		commit(auditor, job_id, Match);
		assert_noop!(
			Audits::commit_verdict(RuntimeOrigin::signed(auditor), job_id, [0; 32]),
			Error::<Test>::NotCommitPhase
		);
		// Revealing another verdict than the committed one.
		assert_noop!(
			Audits::reveal_verdict(
				RuntimeOrigin::signed(auditor),
				job_id,
				Mismatch,
				salt_of(auditor)
			),
			Error::<Test>::CommitmentMismatch
		);
		reveal(auditor, job_id, Match);
	});
}

#[test]
fn an_upheld_challenge_returns_the_bond_with_a_reward() {
	build_and_execute(|| {
		set_rate(0);
		register_auditors(&[AUDITOR_A, AUDITOR_B, AUDITOR_C]);
		bond(PROVIDER, 500);
		let job_id = receipted_job(ALICE, PROVIDER);
		run_to_block(2);
		assert!(AuditsStorage::<Test>::get(job_id).is_none(), "not drawn at rate 0");
		assert_ok!(Audits::challenge(RuntimeOrigin::signed(BOB), job_id, 100));
		assert_eq!(free(BOB), 900);
		let first = panel(job_id)[0];
		vote(first, job_id, Mismatch);
		let escalated: Vec<u64> = panel(job_id).into_iter().skip(1).collect();
		assert!(!escalated.contains(&BOB));
		for auditor in &escalated {
			commit(*auditor, job_id, Mismatch);
		}
		for auditor in &escalated {
			reveal(*auditor, job_id, Mismatch);
		}
		assert_eq!(outcome(job_id), Some(AuditOutcome::Failed));
		// Bond back, plus a quarter of 125 (the reward half of the 250 slash, shared by three
		// auditors and the challenger).
		assert_eq!(free(BOB), 1_000 + 31);
		assert!(has_event(Event::ChallengeSettled {
			job_id,
			challenger: BOB,
			returned: 100,
			forfeited: 0,
			reward: 0
		}));
	});
}

#[test]
fn a_rejected_challenge_forfeits_the_bond() {
	build_and_execute(|| {
		set_rate(0);
		register_auditors(&[AUDITOR_A, AUDITOR_B]);
		let provider_before = free(PROVIDER);
		// The client got its image and tries to take its payment back by challenging.
		let job_id = receipted_job(ALICE, PROVIDER);
		assert_ok!(Audits::challenge(RuntimeOrigin::signed(ALICE), job_id, 100));
		let auditor = panel(job_id)[0];
		assert_ne!(auditor, ALICE);
		vote(auditor, job_id, Match);
		assert_eq!(outcome(job_id), Some(AuditOutcome::Passed));
		// Half the bond to the provider, half burned; the client paid as agreed.
		assert_eq!(free(PROVIDER), provider_before + RECEIPT_MINT + PAYMENT + 50);
		assert_eq!(TotalForfeited::<Test>::get(), 50);
		assert_eq!(free(ALICE), 1_000 - PAYMENT - 100);
	});
}

#[test]
fn challenge_errors_are_named_and_cost_nothing() {
	build_and_execute(|| {
		set_rate(0);
		assert_noop!(
			Audits::challenge(RuntimeOrigin::signed(BOB), 7, 100),
			Error::<Test>::NotChallengeable
		);
		let job_id = receipted_job(ALICE, PROVIDER);
		// No independent auditor: the challenge is refused, not turned into a refund.
		assert_noop!(
			Audits::challenge(RuntimeOrigin::signed(BOB), job_id, 100),
			Error::<Test>::NoAuditorAvailable
		);
		register_auditors(&[AUDITOR_A]);
		assert_noop!(
			Audits::challenge(RuntimeOrigin::signed(BOB), job_id, 49),
			Error::<Test>::BondTooLow
		);
		assert_noop!(
			Audits::challenge(RuntimeOrigin::signed(PROVIDER), job_id, 100),
			Error::<Test>::OwnReceipt
		);
		assert_noop!(
			Audits::challenge(RuntimeOrigin::signed(BOB), job_id, 5_000),
			Error::<Test>::InsufficientBalance
		);
		assert_ok!(Audits::challenge(RuntimeOrigin::signed(BOB), job_id, 100));
		assert_noop!(
			Audits::challenge(RuntimeOrigin::signed(ALICE), job_id, 100),
			Error::<Test>::AlreadyChallenged
		);
		// Another receipt, left alone until its window closed at block 4 + 1.
		let late = receipted_job(ALICE, PROVIDER);
		run_to_block(5);
		assert!(matches!(state(late), JobState::Finalized { .. }));
		assert_noop!(
			Audits::challenge(RuntimeOrigin::signed(BOB), late, 100),
			Error::<Test>::NotChallengeable
		);
	});
}

#[test]
fn a_challenge_joins_an_audit_under_way() {
	build_and_execute(|| {
		register_auditors(&[AUDITOR_A, AUDITOR_B]);
		let (job_id, auditor) = audited_receipt();
		assert_ok!(Audits::challenge(RuntimeOrigin::signed(BOB), job_id, 60));
		assert_eq!(audit_of(job_id).challenge.map(|c| (c.challenger, c.bond)), Some((BOB, 60)));
		vote(auditor, job_id, Match);
		assert_eq!(free(BOB), 1_000 - 60);
		assert_eq!(TotalForfeited::<Test>::get(), 30);
	});
}

#[test]
fn a_provider_cannot_claim_its_own_job() {
	build_and_execute(|| {
		let id = pallet_aitbc_jobs::NextJobId::<Test>::get();
		assert_ok!(Jobs::submit_job(
			RuntimeOrigin::signed(PROVIDER),
			0,
			frame_support::BoundedVec::truncate_from(PROMPT.to_vec()),
			params(),
			10,
			0,
			20
		));
		assert_noop!(
			Jobs::claim_job(RuntimeOrigin::signed(PROVIDER), id),
			pallet_aitbc_jobs::Error::<Test>::SelfDealing
		);
		assert_ok!(Jobs::claim_job(RuntimeOrigin::signed(AUDITOR_A), id));
	});
}

#[test]
fn the_ledger_stays_exact_over_many_audits() {
	build_and_execute(|| {
		set_rate(50);
		register_auditors(&[AUDITOR_A, AUDITOR_B, AUDITOR_C]);
		let mut audited = 0;
		for round in 0..6u64 {
			let job_id = receipted_job(if round % 2 == 0 { ALICE } else { BOB }, PROVIDER);
			run_to_block(System::block_number() + 1);
			if let Some(audit) = AuditsStorage::<Test>::get(job_id) {
				audited += 1;
				vote(audit.votes[0].auditor, job_id, Match);
			}
			check_invariants();
		}
		run_to_block(System::block_number() + 4);
		let minted = pallet_aitbc_receipts::TotalMinted::<Test>::get();
		assert_eq!(minted, 6 * RECEIPT_MINT, "every honest receipt minted once");
		assert_eq!(TotalAuditorPay::<Test>::get(), audited * RECEIPT_MINT);
		assert_eq!(Balances::total_issuance(), ENDOWMENT + minted + audited * RECEIPT_MINT);
	});
}
