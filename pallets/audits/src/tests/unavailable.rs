//! Receipts whose artifact a quorum of validators could not get, played as the cheater: a
//! provider that receipts an image and withholds it, from everyone or from all but its
//! auditors.

use super::*;
use crate::Pallet as AuditsPallet;

#[test]
fn a_withheld_artifact_fails_a_receipt_nobody_audits() {
	build_and_execute(|| {
		set_rate(0);
		bond(PROVIDER, 500);
		let alice_before = free(ALICE);
		let job_id = receipted_job(ALICE, PROVIDER);
		run_to_block(System::block_number() + 1);
		assert!(AuditsStorage::<Test>::get(job_id).is_none(), "not drawn at rate 0");
		assert!(AuditsPallet::<Test>::fail_unavailable(job_id));
		assert_eq!(outcome(job_id), Some(AuditOutcome::Failed));
		assert!(has_event(Event::ArtifactUnavailable { job_id, provider: PROVIDER }));
		// No mint, the client refunded, the provider slashed (50 % of 500) and suspended.
		assert!(matches!(state(job_id), JobState::Rejected { convicted: true, .. }));
		assert_eq!(free(ALICE), alice_before, "the payment came back");
		assert_eq!(pallet_aitbc_staking::Bonded::<Test>::get(PROVIDER), 250);
		assert!(!approved(PROVIDER));
		assert_eq!(reputation(PROVIDER), (0, 1));
		// Its window passes: it never mints, and it is not failed twice.
		run_to_block(System::block_number() + 5);
		assert_eq!(pallet_aitbc_receipts::TotalMinted::<Test>::get(), 0);
		assert!(!AuditsPallet::<Test>::fail_unavailable(job_id));
		assert_eq!(pallet_aitbc_staking::Bonded::<Test>::get(PROVIDER), 250);
	});
}

#[test]
fn an_audit_under_way_ends_failed_and_its_auditors_are_neither_paid_nor_slashed() {
	build_and_execute(|| {
		register_auditors(&[AUDITOR_A, AUDITOR_B, AUDITOR_C]);
		bond(PROVIDER, 500);
		let (job_id, first) = audited_receipt();
		// The provider served its auditor, who committed `Match`, and nobody else.
		commit(first, job_id, Match);
		let before = free(first);
		assert!(AuditsPallet::<Test>::fail_unavailable(job_id));
		assert_eq!(outcome(job_id), Some(AuditOutcome::Failed));
		assert_eq!(free(first), before, "an auditor served alone is not paid");
		assert!(approved(first), "nor slashed: its re-run is not what failed");
		assert_eq!(pallet_aitbc_staking::Bonded::<Test>::get(PROVIDER), 250);
		assert_eq!(TotalAuditorPay::<Test>::get(), 0);
		// The audit is over: its deadline is gone and its reveal comes too late.
		let phase_ends = audit_of(job_id).phase_ends;
		assert!(!crate::AuditDeadlines::<Test>::get(phase_ends).contains(&job_id));
		run_to_block(phase_ends);
		assert_noop!(
			Audits::reveal_verdict(RuntimeOrigin::signed(first), job_id, Match, salt_of(first)),
			Error::<Test>::AuditEnded
		);
	});
}

#[test]
fn the_challenger_of_a_withheld_artifact_gets_its_bond_back_with_the_reward() {
	build_and_execute(|| {
		set_rate(0);
		register_auditors(&[AUDITOR_A, AUDITOR_B, AUDITOR_C]);
		bond(PROVIDER, 500);
		let job_id = receipted_job(ALICE, PROVIDER);
		run_to_block(2);
		assert_ok!(Audits::challenge(RuntimeOrigin::signed(BOB), job_id, 100));
		assert!(AuditsPallet::<Test>::fail_unavailable(job_id));
		// Bond back, plus the reward half of the 250 slash, which is the challenger's alone.
		assert_eq!(free(BOB), 1_000 + 125);
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
fn a_final_receipt_is_not_failed() {
	build_and_execute(|| {
		set_rate(0);
		let job_id = receipted_job(ALICE, PROVIDER);
		run_to_block(System::block_number() + 5);
		let minted = pallet_aitbc_receipts::TotalMinted::<Test>::get();
		assert!(minted > 0, "minted at the end of its window");
		assert!(!AuditsPallet::<Test>::fail_unavailable(job_id));
		assert!(AuditsStorage::<Test>::get(job_id).is_none());
		assert!(approved(PROVIDER));
		assert_eq!(pallet_aitbc_receipts::TotalMinted::<Test>::get(), minted);
		assert!(!AuditsPallet::<Test>::fail_unavailable(JobId::MAX), "no such job");
	});
}
