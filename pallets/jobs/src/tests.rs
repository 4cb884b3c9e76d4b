//! Tests of every call, hook and error of the jobs pallet; invariants checked after each.

mod batches;
mod reservations;

use crate::{
	mock::*, Call, Deadlines, Error, Event, JobId, JobLedger, JobState, Jobs as JobsStore,
	NextJobId, OpenJobs, PendingJobs,
};
use aitbc_primitives::{JobParams, Scheduler};
use frame_support::{
	assert_noop, assert_ok,
	dispatch::{CheckIfFeeless, GetDispatchInfo},
	traits::fungible::Inspect,
};
use frame_support::{traits::ConstU32, BoundedVec};
use pallet_aitbc_marketplace::{Offers, Reputations};

pub(crate) fn params(steps: u32, width: u32, height: u32) -> JobParams {
	JobParams { steps, guidance_milli: 7_500, width, height, seed: 1, scheduler: Scheduler::Euler }
}

pub(crate) fn prompt(text: &str) -> BoundedVec<u8, ConstU32<64>> {
	BoundedVec::truncate_from(text.as_bytes().to_vec())
}

pub(crate) fn submit(who: u64, payment: u128) -> JobId {
	let id = NextJobId::<Test>::get();
	assert_ok!(Jobs::submit_job(
		RuntimeOrigin::signed(who),
		0,
		prompt("a red circle on a blue background"),
		params(20, 256, 256),
		10,
		payment,
		5
	));
	id
}

/// What the escrow account holds.
pub(crate) fn escrow() -> u128 {
	Balances::balance(&Jobs::escrow_account())
}

#[test]
fn submit_computes_units_escrows_payment_and_queues() {
	build_and_execute(|| {
		let id = submit(ALICE, 100);
		let job = JobsStore::<Test>::get(id).unwrap();
		assert_eq!(job.units, 5_000, "20 steps at 256×256 with weight 1 is 5 units");
		assert_eq!(job.state, JobState::Pending);
		assert_eq!(escrow(), 100);
		assert_eq!(Balances::balance(&ALICE), 900);
		assert_eq!(PendingJobs::<Test>::get().to_vec(), vec![id]);
		assert_eq!(OpenJobs::<Test>::get(ALICE), 1);
		System::assert_last_event(
			Event::JobSubmitted {
				job_id: id,
				client: ALICE,
				model_id: 0,
				units: 5_000,
				payment: 100,
			}
			.into(),
		);
	});
}

#[test]
fn submit_rejects_each_bad_input_and_changes_nothing() {
	build_and_execute(|| {
		let submit_with = |model, text: &str, p, payment, deadline| {
			Jobs::submit_job(
				RuntimeOrigin::signed(ALICE),
				model,
				prompt(text),
				p,
				10,
				payment,
				deadline,
			)
		};
		assert_noop!(submit_with(9, "x", params(20, 256, 256), 0, 5), Error::<Test>::UnknownModel);
		assert_noop!(submit_with(0, "", params(20, 256, 256), 0, 5), Error::<Test>::EmptyPrompt);
		assert_noop!(submit_with(0, "x", params(0, 256, 256), 0, 5), Error::<Test>::InvalidSteps);
		assert_noop!(submit_with(0, "x", params(51, 256, 256), 0, 5), Error::<Test>::InvalidSteps);
		assert_noop!(submit_with(0, "x", params(20, 260, 256), 0, 5), Error::<Test>::InvalidSize);
		assert_noop!(submit_with(0, "x", params(20, 256, 1_024), 0, 5), Error::<Test>::InvalidSize);
		assert_noop!(submit_with(0, "x", params(20, 56, 256), 0, 5), Error::<Test>::InvalidSize);
		assert_noop!(
			submit_with(0, "x", params(20, 256, 256), 0, 1),
			Error::<Test>::InvalidDeadline
		);
		assert_noop!(
			submit_with(0, "x", params(20, 256, 256), 0, 101),
			Error::<Test>::InvalidDeadline
		);
		assert_noop!(
			submit_with(0, "x", params(20, 256, 256), 5_000, 5),
			Error::<Test>::InsufficientBalance
		);
		// Escrowing all of it would leave Alice's account below the existential deposit.
		assert_noop!(
			submit_with(0, "x", params(20, 256, 256), 1_000, 5),
			Error::<Test>::InsufficientBalance
		);
		assert_noop!(
			submit_with(0, "x", params(20, 256, 256), ExistentialDeposit::get() - 1, 5),
			Error::<Test>::PaymentBelowMinimum
		);
	});
}

#[test]
fn retired_models_take_no_new_jobs() {
	build_and_execute(|| {
		assert_ok!(Marketplace::retire_model(RuntimeOrigin::root(), 0));
		assert_noop!(
			Jobs::submit_job(
				RuntimeOrigin::signed(ALICE),
				0,
				prompt("x"),
				params(20, 256, 256),
				10,
				0,
				5
			),
			Error::<Test>::UnknownModel
		);
	});
}

#[test]
fn quota_and_queue_are_bounded() {
	build_and_execute(|| {
		for _ in 0..MaxOpenJobsPerAccount::get() {
			submit(ALICE, 0);
		}
		assert_noop!(
			Jobs::submit_job(
				RuntimeOrigin::signed(ALICE),
				0,
				prompt("x"),
				params(20, 256, 256),
				10,
				0,
				5
			),
			Error::<Test>::TooManyOpenJobs
		);
		submit(BOB, 0);
		assert_eq!(PendingJobs::<Test>::get().len() as u32, MaxPendingJobs::get());
		assert_noop!(
			Jobs::submit_job(
				RuntimeOrigin::signed(BOB),
				0,
				prompt("x"),
				params(20, 256, 256),
				10,
				0,
				5
			),
			Error::<Test>::QueueFull
		);
	});
}

#[test]
fn free_jobs_within_quota_and_valid_claims_are_feeless() {
	build_and_execute(|| {
		let free = RuntimeCall::Jobs(Call::submit_job {
			model_id: 0,
			prompt: prompt("x"),
			params: params(20, 256, 256),
			max_price_per_unit: 10,
			payment: 0,
			deadline_blocks: 5,
		});
		let paid = RuntimeCall::Jobs(Call::submit_job {
			model_id: 0,
			prompt: prompt("x"),
			params: params(20, 256, 256),
			max_price_per_unit: 10,
			payment: 1,
			deadline_blocks: 5,
		});
		assert!(free.is_feeless(&RuntimeOrigin::signed(ALICE)));
		assert!(!paid.is_feeless(&RuntimeOrigin::signed(ALICE)));
		for _ in 0..MaxOpenJobsPerAccount::get() {
			submit(ALICE, 0);
		}
		assert!(!free.is_feeless(&RuntimeOrigin::signed(ALICE)), "over quota pays fees");

		let claim = RuntimeCall::Jobs(Call::claim_job { job_id: 0 });
		assert!(claim.is_feeless(&RuntimeOrigin::signed(PROVIDER)));
		assert!(!claim.is_feeless(&RuntimeOrigin::signed(OTHER_PROVIDER)), "unapproved claim pays");
		assert!(!RuntimeCall::Jobs(Call::claim_job { job_id: 99 })
			.is_feeless(&RuntimeOrigin::signed(PROVIDER)));
		assert!(claim.get_dispatch_info().call_weight.ref_time() > 0);
	});
}

#[test]
fn claim_assigns_and_schedules_the_deadline() {
	build_and_execute(|| {
		let id = submit(ALICE, 100);
		assert_ok!(Jobs::claim_job(RuntimeOrigin::signed(PROVIDER), id));
		let job = JobsStore::<Test>::get(id).unwrap();
		assert_eq!(
			job.state,
			JobState::Assigned { provider: PROVIDER, price_per_unit: 2, deadline: 6 }
		);
		assert!(PendingJobs::<Test>::get().is_empty());
		assert_eq!(Deadlines::<Test>::get(6).to_vec(), vec![id]);
		assert_eq!(Offers::<Test>::get(PROVIDER).unwrap().in_flight, 1);
		System::assert_last_event(
			Event::JobAssigned { job_id: id, provider: PROVIDER, price_per_unit: 2, deadline: 6 }
				.into(),
		);
		let ledger = <Jobs as JobLedger<_, _>>::assigned(id).unwrap();
		assert_eq!((ledger.client, ledger.provider, ledger.units), (ALICE, PROVIDER, 5_000));
		assert_eq!(
			ledger.prompt_hash,
			aitbc_primitives::prompt_hash(b"a red circle on a blue background")
		);
	});
}

#[test]
fn claim_errors() {
	build_and_execute(|| {
		assert_noop!(
			Jobs::claim_job(RuntimeOrigin::signed(PROVIDER), 7),
			Error::<Test>::UnknownJob
		);
		let id = submit(ALICE, 0);
		assert_noop!(
			Jobs::claim_job(RuntimeOrigin::signed(OTHER_PROVIDER), id),
			pallet_aitbc_marketplace::Error::<Test>::NotApproved
		);
		// Its own client may not serve it (self-dealing), whatever its offer.
		assert_noop!(Jobs::claim_job(RuntimeOrigin::signed(ALICE), id), Error::<Test>::SelfDealing);
		let bobs = submit(BOB, 0);
		assert_noop!(
			Jobs::claim_job(RuntimeOrigin::signed(ALICE), bobs),
			pallet_aitbc_marketplace::Error::<Test>::NoOffer
		);
		assert_ok!(Jobs::claim_job(RuntimeOrigin::signed(PROVIDER), id));
		assert_noop!(
			Jobs::claim_job(RuntimeOrigin::signed(PROVIDER), id),
			Error::<Test>::NotPending
		);
		// A job capping the price below the provider's price is not for it.
		assert_ok!(Jobs::submit_job(
			RuntimeOrigin::signed(BOB),
			0,
			prompt("x"),
			params(20, 256, 256),
			1,
			0,
			5
		));
		assert_noop!(
			Jobs::claim_job(RuntimeOrigin::signed(PROVIDER), bobs + 1),
			pallet_aitbc_marketplace::Error::<Test>::PriceTooHigh
		);
	});
}

#[test]
fn check_claim_refuses_stale_claims_before_dispatch() {
	use crate::CheckClaim;
	use aitbc_primitives::StaleClaim;
	use sp_runtime::{
		traits::DispatchTransaction,
		transaction_validity::{InvalidTransaction, TransactionSource, TransactionValidityError},
	};
	build_and_execute(|| {
		let validate = |who: u64, call: RuntimeCall| {
			let info = call.get_dispatch_info();
			CheckClaim::<Test>::new()
				.validate_only(
					RuntimeOrigin::signed(who),
					&call,
					&info,
					0,
					TransactionSource::External,
					0,
				)
				.map(|_| ())
		};
		let claim = |job_id| RuntimeCall::Jobs(Call::claim_job { job_id });
		let refused = |stale: StaleClaim| {
			Err(TransactionValidityError::Invalid(InvalidTransaction::Custom(stale.code())))
		};
		assert_eq!(validate(PROVIDER, claim(7)), refused(StaleClaim::UnknownJob));
		let id = submit(ALICE, 0);
		assert_eq!(validate(PROVIDER, claim(id)), Ok(()));
		// Whether the provider may take the job is not this extension's business: that failure
		// still reaches dispatch (and is not feeless).
		assert_eq!(validate(OTHER_PROVIDER, claim(id)), Ok(()));
		assert_ok!(Jobs::claim_job(RuntimeOrigin::signed(PROVIDER), id));
		assert_eq!(validate(PROVIDER, claim(id)), refused(StaleClaim::NotPending));
		let cancelled = submit(ALICE, 0);
		assert_ok!(Jobs::cancel_job(RuntimeOrigin::signed(ALICE), cancelled));
		assert_eq!(validate(PROVIDER, claim(cancelled)), refused(StaleClaim::NotPending));
		// Other calls pass untouched and cost the extension nothing.
		let cancel = RuntimeCall::Jobs(Call::cancel_job { job_id: 99 });
		assert_eq!(validate(ALICE, cancel.clone()), Ok(()));
		use sp_runtime::traits::TransactionExtension;
		assert_eq!(
			CheckClaim::<Test>::new().weight(&cancel),
			frame_support::weights::Weight::zero()
		);
		assert!(CheckClaim::<Test>::new().weight(&claim(id)).ref_time() > 0);
	});
}

#[test]
fn deadline_block_is_bounded() {
	build_and_execute(|| {
		let ids: Vec<JobId> = (0..3).map(|i| submit(if i < 2 { ALICE } else { BOB }, 0)).collect();
		assert_ok!(Marketplace::approve_provider(RuntimeOrigin::root(), OTHER_PROVIDER));
		assert_ok!(Jobs::claim_job(RuntimeOrigin::signed(PROVIDER), ids[0]));
		assert_ok!(Jobs::claim_job(RuntimeOrigin::signed(PROVIDER), ids[1]));
		assert_noop!(
			Jobs::claim_job(RuntimeOrigin::signed(OTHER_PROVIDER), ids[2]),
			Error::<Test>::DeadlineBlockFull
		);
		run_to_block(2);
		assert_ok!(Jobs::claim_job(RuntimeOrigin::signed(OTHER_PROVIDER), ids[2]));
	});
}

#[test]
fn cancel_refunds_pending_jobs_only() {
	build_and_execute(|| {
		let id = submit(ALICE, 100);
		assert_noop!(Jobs::cancel_job(RuntimeOrigin::signed(BOB), id), Error::<Test>::NotClient);
		assert_noop!(Jobs::cancel_job(RuntimeOrigin::signed(ALICE), 9), Error::<Test>::UnknownJob);
		assert_ok!(Jobs::cancel_job(RuntimeOrigin::signed(ALICE), id));
		assert_eq!(Balances::balance(&ALICE), 1_000);
		assert_eq!(escrow(), 0);
		assert_eq!(OpenJobs::<Test>::get(ALICE), 0);
		assert_eq!(JobsStore::<Test>::get(id).unwrap().state, JobState::Cancelled);
		System::assert_last_event(Event::JobCancelled { job_id: id, refund: 100 }.into());
		assert_noop!(Jobs::cancel_job(RuntimeOrigin::signed(ALICE), id), Error::<Test>::NotPending);

		let assigned = submit(ALICE, 0);
		assert_ok!(Jobs::claim_job(RuntimeOrigin::signed(PROVIDER), assigned));
		assert_noop!(
			Jobs::cancel_job(RuntimeOrigin::signed(ALICE), assigned),
			Error::<Test>::NotPending
		);
	});
}

#[test]
fn unreceipted_jobs_expire_at_their_deadline_with_a_refund() {
	build_and_execute(|| {
		let id = submit(ALICE, 100);
		assert_ok!(Jobs::claim_job(RuntimeOrigin::signed(PROVIDER), id));
		run_to_block(5);
		assert!(matches!(JobsStore::<Test>::get(id).unwrap().state, JobState::Assigned { .. }));
		run_to_block(6);
		assert_eq!(
			JobsStore::<Test>::get(id).unwrap().state,
			JobState::Expired { provider: PROVIDER }
		);
		assert_eq!(Balances::balance(&ALICE), 1_000);
		assert_eq!(escrow(), 0);
		assert_eq!(Offers::<Test>::get(PROVIDER).unwrap().in_flight, 0);
		assert_eq!(Reputations::<Test>::get(PROVIDER).expired, 1);
		assert!(Deadlines::<Test>::get(6).is_empty());
		System::assert_last_event(
			Event::JobExpired { job_id: id, provider: PROVIDER, refund: 100 }.into(),
		);
	});
}

#[test]
fn receipted_jobs_do_not_expire_and_finalize_pays_the_provider() {
	build_and_execute(|| {
		let id = submit(ALICE, 100);
		assert_ok!(Jobs::claim_job(RuntimeOrigin::signed(PROVIDER), id));
		assert_noop!(
			<Jobs as JobLedger<_, _>>::finalize(&PROVIDER, &[(id, 10)]),
			Error::<Test>::NotReceipted
		);
		assert_ok!(<Jobs as JobLedger<_, _>>::mark_receipted(id, [9; 32], 1_500));
		assert_eq!(
			Offers::<Test>::get(PROVIDER).unwrap().in_flight,
			0,
			"a receipted job frees its capacity slot"
		);
		assert!(<Jobs as JobLedger<_, _>>::assigned(id).is_none());
		assert_noop!(
			<Jobs as JobLedger<_, _>>::mark_receipted(id, [9; 32], 1_500),
			Error::<Test>::NotAssigned
		);
		run_to_block(8);
		assert!(matches!(JobsStore::<Test>::get(id).unwrap().state, JobState::Receipted { .. }));

		// Only the provider that receipted it is paid for it, and nothing changes otherwise.
		assert_noop!(
			<Jobs as JobLedger<_, _>>::finalize(&OTHER_PROVIDER, &[(id, 7)]),
			Error::<Test>::NotReceipted
		);
		// The receipts pallet minted 7 for it; the job records that.
		assert_ok!(<Jobs as JobLedger<_, _>>::finalize(&PROVIDER, &[(id, 7)]));
		assert_eq!(
			JobsStore::<Test>::get(id).unwrap().state,
			JobState::Finalized { provider: PROVIDER, receipt_hash: [9; 32], minted: 7 }
		);
		assert_eq!(
			<Jobs as JobLedger<_, _>>::receipt_record(id).map(|r| (r.receipt_hash, r.minted)),
			Some(([9; 32], Some(7)))
		);
		assert_eq!(Balances::balance(&PROVIDER), 100, "the escrowed payment went to the provider");
		assert_eq!(Balances::balance(&ALICE), 900);
		assert_eq!(escrow(), 0);
		assert_eq!(OpenJobs::<Test>::get(ALICE), 0);
		let reputation = Reputations::<Test>::get(PROVIDER);
		assert_eq!((reputation.completed, reputation.median_gpu_ms()), (1, Some(1_500)));
		System::assert_has_event(
			Event::JobFinalized { job_id: id, provider: PROVIDER, payment: 100, minted: 7 }.into(),
		);
	});
}

#[test]
fn finalizing_a_providers_jobs_pays_all_their_clients_payments_in_one_transfer() {
	build_and_execute(|| {
		let a = submit(ALICE, 40);
		let b = submit(BOB, 60);
		let waiting = submit(BOB, 25);
		for id in [a, b] {
			assert_ok!(Jobs::claim_job(RuntimeOrigin::signed(PROVIDER), id));
			assert_ok!(<Jobs as JobLedger<_, _>>::mark_receipted(id, [id as u8; 32], 100));
		}
		assert_eq!(escrow(), 125);

		// All or nothing: one job that is not receipted fails the whole set.
		assert_noop!(
			<Jobs as JobLedger<_, _>>::finalize(&PROVIDER, &[(a, 1), (waiting, 1)]),
			Error::<Test>::NotReceipted
		);

		System::reset_events();
		assert_ok!(<Jobs as JobLedger<_, _>>::finalize(&PROVIDER, &[(a, 3), (b, 4)]));
		assert_eq!(Balances::balance(&PROVIDER), 100, "40 from Alice and 60 from Bob");
		assert_eq!(escrow(), 25, "the pending job's payment stays in escrow");
		let transfers = System::events()
			.into_iter()
			.filter(|record| {
				matches!(
					record.event,
					RuntimeEvent::Balances(pallet_balances::Event::Transfer { .. })
				)
			})
			.count();
		assert_eq!(transfers, 1, "one payout for both clients' jobs");
		assert_eq!(Reputations::<Test>::get(PROVIDER).completed, 2);
		assert_eq!((OpenJobs::<Test>::get(ALICE), OpenJobs::<Test>::get(BOB)), (0, 1));
		System::assert_has_event(
			Event::JobFinalized { job_id: b, provider: PROVIDER, payment: 60, minted: 4 }.into(),
		);
	});
}

#[test]
fn money_is_conserved_over_a_mixed_sequence() {
	build_and_execute(|| {
		let total = Balances::total_issuance();
		let a = submit(ALICE, 50);
		let b = submit(BOB, 70);
		let c = submit(ALICE, 30);
		assert_ok!(Jobs::claim_job(RuntimeOrigin::signed(PROVIDER), a));
		assert_ok!(Jobs::claim_job(RuntimeOrigin::signed(PROVIDER), b));
		assert_ok!(Jobs::cancel_job(RuntimeOrigin::signed(ALICE), c));
		assert_ok!(<Jobs as JobLedger<_, _>>::mark_receipted(a, [1; 32], 5));
		Jobs::do_try_state().unwrap();
		run_to_block(6); // b expires, a is receipted
		assert_ok!(<Jobs as JobLedger<_, _>>::finalize(&PROVIDER, &[(a, 0)]));
		assert_eq!(Balances::total_issuance(), total, "jobs move money, never mint it");
		assert_eq!(Balances::balance(&PROVIDER), 50);
		assert_eq!(Balances::balance(&ALICE), 950);
		assert_eq!(Balances::balance(&BOB), 1_000);
	});
}

/// An account that holds no AIT: it can submit free jobs (feeless within its quota) but cannot
/// pay the fee to cancel them.
const CHARLIE: u64 = 3;

fn submit_free(who: u64) -> Result<JobId, sp_runtime::DispatchError> {
	let id = NextJobId::<Test>::get();
	Jobs::submit_job(
		RuntimeOrigin::signed(who),
		0,
		prompt("a red circle on a blue background"),
		params(20, 256, 256),
		10,
		0,
		5,
	)
	.map(|_| id)
}

#[test]
fn pending_jobs_end_unclaimed_after_the_timeout_with_a_refund() {
	build_and_execute(|| {
		let paid = submit(ALICE, 100);
		let free = submit_free(CHARLIE).unwrap();
		let served = submit(BOB, 0);
		assert_ok!(Jobs::claim_job(RuntimeOrigin::signed(PROVIDER), served));
		assert_ok!(<Jobs as JobLedger<_, _>>::mark_receipted(served, [7; 32], 10));
		run_to_block(5);
		let later = submit(BOB, 70);

		// Submitted at block 1 with a timeout of 20 blocks: pending through block 20.
		run_to_block(20);
		assert_eq!(JobsStore::<Test>::get(paid).unwrap().state, JobState::Pending);
		assert_eq!(PendingJobs::<Test>::get().to_vec(), vec![paid, free, later]);
		run_to_block(21);
		for id in [paid, free] {
			assert_eq!(JobsStore::<Test>::get(id).unwrap().state, JobState::Unclaimed);
		}
		System::assert_has_event(Event::JobUnclaimed { job_id: paid, refund: 100 }.into());
		System::assert_has_event(Event::JobUnclaimed { job_id: free, refund: 0 }.into());
		assert_eq!(Balances::balance(&ALICE), 1_000, "payment refunded");
		assert_eq!(escrow(), 70, "only Bob's later job is still paid for");
		assert_eq!(OpenJobs::<Test>::get(ALICE), 0);
		assert_eq!(OpenJobs::<Test>::get(CHARLIE), 0);
		assert_eq!(PendingJobs::<Test>::get().to_vec(), vec![later]);
		assert!(
			matches!(JobsStore::<Test>::get(served).unwrap().state, JobState::Receipted { .. }),
			"a claimed job left the queue and is not touched"
		);

		// An unclaimed job is over: nobody can claim or cancel it.
		assert_noop!(
			Jobs::claim_job(RuntimeOrigin::signed(PROVIDER), paid),
			Error::<Test>::NotPending
		);
		assert_noop!(
			Jobs::cancel_job(RuntimeOrigin::signed(ALICE), paid),
			Error::<Test>::NotPending
		);

		// Bob's job came at block 5: it ends at block 25, not before.
		run_to_block(24);
		assert_eq!(JobsStore::<Test>::get(later).unwrap().state, JobState::Pending);
		run_to_block(25);
		assert_eq!(JobsStore::<Test>::get(later).unwrap().state, JobState::Unclaimed);
		assert_eq!((Balances::balance(&BOB), escrow()), (1_000, 0));
		assert!(PendingJobs::<Test>::get().is_empty());
	});
}

#[test]
fn a_client_without_ait_gets_its_free_quota_back_when_nobody_claims() {
	build_and_execute(|| {
		for _ in 0..MaxOpenJobsPerAccount::get() {
			submit_free(CHARLIE).unwrap();
		}
		assert_eq!(submit_free(CHARLIE), Err(Error::<Test>::TooManyOpenJobs.into()));
		run_to_block(21);
		assert_eq!(OpenJobs::<Test>::get(CHARLIE), 1, "two end at block 21 (the per-block bound)");
		run_to_block(22);
		assert_eq!(OpenJobs::<Test>::get(CHARLIE), 0);
		assert_ok!(submit_free(CHARLIE));
	});
}

#[test]
fn at_most_max_unclaimed_per_block_end_in_one_block_and_the_hook_weighs_them() {
	use crate::WeightInfo;
	use frame_support::traits::Hooks;
	build_and_execute(|| {
		let ids = [submit(ALICE, 10), submit(ALICE, 20), submit(BOB, 30)];
		run_to_block(20);
		System::set_block_number(21);
		assert_eq!(
			Jobs::on_initialize(21),
			<() as WeightInfo>::on_initialize(0)
				.saturating_add(<() as WeightInfo>::end_unclaimed(2))
				.saturating_add(<() as WeightInfo>::lapse_reservations(0)),
			"the hook declares the two jobs it ended"
		);
		assert_eq!(PendingJobs::<Test>::get().to_vec(), vec![ids[2]], "the third waits a block");
		assert_eq!(JobsStore::<Test>::get(ids[2]).unwrap().state, JobState::Pending);
		System::set_block_number(22);
		assert_eq!(
			Jobs::on_initialize(22),
			<() as WeightInfo>::on_initialize(0)
				.saturating_add(<() as WeightInfo>::end_unclaimed(1))
				.saturating_add(<() as WeightInfo>::lapse_reservations(0))
		);
		assert_eq!(JobsStore::<Test>::get(ids[2]).unwrap().state, JobState::Unclaimed);
		assert_eq!(Balances::balance(&BOB), 1_000);
	});
}

#[test]
fn try_state_reports_a_queue_out_of_submission_order() {
	new_test_ext().execute_with(|| {
		let first = submit(ALICE, 10);
		run_to_block(2);
		let second = submit(BOB, 10);
		Jobs::do_try_state().unwrap();
		PendingJobs::<Test>::put(BoundedVec::truncate_from(vec![second, first]));
		assert_eq!(
			Jobs::do_try_state(),
			Err("pending queue is not in the order jobs were queued".into()),
			"the unclaimed rule reads only the front of the queue, so its order is an invariant"
		);
	});
}

#[test]
fn a_provider_claims_no_image_larger_than_it_runs_and_feasibility_says_so() {
	use aitbc_primitives::NoProvider;
	build_and_execute(|| {
		let first = submit(ALICE, 0);
		let second = submit(ALICE, 0);
		assert_eq!((Jobs::queue_position(first), Jobs::queue_position(second)), (Some(0), Some(1)));
		let ready = Jobs::feasibility(0, &params(20, 256, 256), 10);
		assert_eq!((ready.able, ready.free, ready.pending_ahead, ready.blocker), (1, 1, 2, None));

		let mut terms = Offers::<Test>::get(PROVIDER).unwrap().terms;
		terms.max_pixels = 128 * 128;
		assert_ok!(Marketplace::update_offer(RuntimeOrigin::signed(PROVIDER), terms));
		assert_noop!(
			Jobs::claim_job(RuntimeOrigin::signed(PROVIDER), first),
			pallet_aitbc_marketplace::Error::<Test>::ImageTooLarge
		);
		let too_large = Jobs::feasibility(0, &params(20, 256, 256), 10);
		assert_eq!(too_large.blocker, Some(NoProvider::SizeBeyondLimits));
		assert_eq!(too_large.largest_pixels, Some(128 * 128));
		assert_eq!(Jobs::feasibility(0, &params(20, 128, 128), 10).able, 1);

		assert_ok!(Jobs::cancel_job(RuntimeOrigin::signed(ALICE), first));
		assert_eq!((Jobs::queue_position(first), Jobs::queue_position(second)), (None, Some(0)));
	});
}
