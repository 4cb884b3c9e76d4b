//! Batch jobs: sharding, payout by shard, re-queueing, cancelling, completion; invariants
//! (every shard in one state, shard units and payments summing to the batch's) after each.

use super::{escrow, params, prompt, submit};
use crate::{
	mock::*, Batches, Error, Event, JobLedger, JobState, Jobs as JobsStore, NextJobId, OpenJobs,
	PendingJobs,
};
use aitbc_primitives::{BatchId, JobId, JobParams};
use frame_support::{assert_noop, assert_ok, traits::fungible::Inspect};
use pallet_aitbc_marketplace::{Offers, Reputations};

/// Alice submits `count` images (seeds 1…) for `payment`, one per shard; returns the batch
/// and its shards.
fn submit_batch(count: u32, payment: u128) -> (BatchId, Vec<JobId>) {
	submit_sharded(count, 1, payment)
}

/// Alice submits `count` images (seeds 1…) in shards of `per_shard` for `payment`; returns the
/// batch and its shards.
fn submit_sharded(count: u32, per_shard: u32, payment: u128) -> (BatchId, Vec<JobId>) {
	let batch_id = crate::NextBatchId::<Test>::get();
	let first = NextJobId::<Test>::get();
	assert_ok!(Jobs::submit_batch(
		RuntimeOrigin::signed(ALICE),
		0,
		prompt("a red circle on a blue background"),
		params(20, 256, 256),
		count,
		per_shard,
		10,
		payment,
		// Two blocks per image of a shard, at least 5.
		(2 * u64::from(per_shard)).max(5)
	));
	(batch_id, (first..first + u64::from(count.div_ceil(per_shard))).collect())
}

fn state(job_id: JobId) -> JobState<u64, u128, u64> {
	JobsStore::<Test>::get(job_id).unwrap().state
}

/// Receipts `job_id` (claimed by `provider`) with receipt hash `[tag; 32]`.
fn serve(provider: u64, job_id: JobId, tag: u8) {
	assert_ok!(Jobs::claim_job(RuntimeOrigin::signed(provider), job_id));
	assert_ok!(<Jobs as JobLedger<_, _>>::mark_receipted(job_id, [tag; 32], 100));
}

fn approve_other_provider() {
	assert_ok!(Marketplace::approve_provider(RuntimeOrigin::root(), OTHER_PROVIDER));
}

#[test]
fn a_batch_becomes_one_pending_shard_per_image_with_its_seed_and_share() {
	build_and_execute(|| {
		let (batch_id, shards) = submit_batch(3, 100);
		let seeds: Vec<u64> =
			shards.iter().map(|id| JobsStore::<Test>::get(id).unwrap().params.seed).collect();
		assert_eq!(seeds, vec![1, 2, 3], "image i has seed seed + i");
		let payments: Vec<u128> =
			shards.iter().map(|id| JobsStore::<Test>::get(id).unwrap().payment).collect();
		assert_eq!(payments, vec![34, 33, 33], "an even split, the remainder on the first");
		for id in &shards {
			let job = JobsStore::<Test>::get(id).unwrap();
			assert_eq!(
				(job.units, job.batch, job.state),
				(5_000, Some(batch_id), JobState::Pending)
			);
		}
		let batch = Batches::<Test>::get(batch_id).unwrap();
		assert_eq!((batch.count, batch.units, batch.payment), (3, 15_000, 100));
		assert_eq!((batch.open_shards, batch.completed_at), (3, None));
		assert_eq!(PendingJobs::<Test>::get().to_vec(), shards);
		assert_eq!(OpenJobs::<Test>::get(ALICE), 1, "a batch is one open job in the quota");
		assert_eq!((escrow(), Balances::balance(&ALICE)), (100, 900));
		System::assert_last_event(
			Event::BatchSubmitted {
				batch_id,
				client: ALICE,
				model_id: 0,
				first_job: shards[0],
				count: 3,
				shards: 3,
				units: 15_000,
				payment: 100,
			}
			.into(),
		);
	});
}

#[test]
fn submit_batch_rejects_each_bad_input_and_changes_nothing() {
	build_and_execute(|| {
		let sharded = |count, per_shard, p: JobParams, payment, deadline| {
			Jobs::submit_batch(
				RuntimeOrigin::signed(ALICE),
				0,
				prompt("a cat"),
				p,
				count,
				per_shard,
				10,
				payment,
				deadline,
			)
		};
		let batch = |count, p, payment, deadline| sharded(count, 1, p, payment, deadline);
		let ok = params(20, 256, 256);
		assert_noop!(batch(0, ok, 100, 5), Error::<Test>::InvalidBatchSize);
		assert_noop!(batch(5, ok, 100, 5), Error::<Test>::InvalidBatchSize);
		assert_noop!(sharded(3, 0, ok, 100, 5), Error::<Test>::InvalidShardSize);
		assert_noop!(sharded(2, 3, ok, 100, 6), Error::<Test>::InvalidShardSize);
		// More than the most images to a shard (3 here).
		assert_noop!(sharded(4, 4, ok, 100, 8), Error::<Test>::InvalidShardSize);
		// Three images to a shard need three times the shortest deadline (2 blocks).
		assert_noop!(sharded(3, 3, ok, 99, 5), Error::<Test>::InvalidDeadline);
		// 12 over 3 images is 4 each, below the existential deposit of 5: dust in escrow.
		assert_noop!(batch(3, ok, 12, 5), Error::<Test>::PaymentBelowMinimum);
		let last_seeds = JobParams { seed: u64::MAX - 1, ..ok };
		assert_noop!(batch(3, last_seeds, 100, 5), Error::<Test>::SeedRangeOverflow);
		assert_ok!(batch(2, last_seeds, 100, 5));
		assert_noop!(batch(2, params(0, 256, 256), 100, 5), Error::<Test>::InvalidSteps);
		assert_noop!(batch(2, params(20, 250, 256), 100, 5), Error::<Test>::InvalidSize);
		assert_noop!(batch(2, ok, 100, 1), Error::<Test>::InvalidDeadline);
		assert_noop!(batch(2, ok, 2_000, 5), Error::<Test>::InsufficientBalance);
		// Two shards queued of four places: three more do not fit, two do.
		assert_noop!(batch(3, ok, 30, 5), Error::<Test>::QueueFull);
		assert_ok!(batch(2, ok, 30, 5));
		assert_noop!(
			Jobs::submit_batch(RuntimeOrigin::signed(ALICE), 9, prompt("a"), ok, 1, 1, 10, 10, 5),
			Error::<Test>::UnknownModel
		);
		assert_noop!(
			Jobs::submit_batch(RuntimeOrigin::signed(ALICE), 0, prompt(""), ok, 1, 1, 10, 10, 5),
			Error::<Test>::EmptyPrompt
		);
	});
}

#[test]
fn a_batch_holds_one_quota_slot_until_its_last_shard_ends() {
	build_and_execute(|| {
		let (batch_id, shards) = submit_batch(2, 20);
		submit(ALICE, 10);
		submit(ALICE, 10);
		assert_eq!(OpenJobs::<Test>::get(ALICE), 3);
		assert_noop!(
			Jobs::submit_batch(
				RuntimeOrigin::signed(ALICE),
				0,
				prompt("a"),
				params(20, 256, 256),
				1,
				1,
				10,
				10,
				5
			),
			Error::<Test>::TooManyOpenJobs
		);
		assert_ok!(Jobs::cancel_job(RuntimeOrigin::signed(ALICE), shards[0]));
		assert_eq!(OpenJobs::<Test>::get(ALICE), 3, "one shard ended, the batch is still open");
		assert_ok!(Jobs::cancel_job(RuntimeOrigin::signed(ALICE), shards[1]));
		assert_eq!(OpenJobs::<Test>::get(ALICE), 2);
		let batch = Batches::<Test>::get(batch_id).unwrap();
		assert_eq!((batch.open_shards, batch.refunded, batch.completed_at), (0, 20, Some(1)));
		System::assert_has_event(
			Event::BatchCompleted { batch_id, served: 0, paid: 0, minted: 0, refunded: 20 }.into(),
		);
	});
}

#[test]
fn two_providers_serve_one_batch_and_each_is_paid_the_shards_it_served() {
	build_and_execute(|| {
		approve_other_provider();
		let (batch_id, shards) = submit_batch(3, 100);
		serve(PROVIDER, shards[0], 1);
		serve(OTHER_PROVIDER, shards[1], 2);
		// Two deadlines fit in a block of the mock: the third claim comes a block later.
		run_to_block(2);
		serve(PROVIDER, shards[2], 3);
		let progress = Jobs::batch_progress(batch_id).unwrap();
		assert_eq!((progress.count, progress.receipted, progress.finalized), (3, 3, 0));
		assert_eq!(progress.providers, vec![(PROVIDER, 2), (OTHER_PROVIDER, 1)]);
		assert!(!progress.completed);
		assert_ok!(<Jobs as JobLedger<_, _>>::finalize(
			&PROVIDER,
			&[(shards[0], 7), (shards[2], 5)]
		));
		assert_eq!(Batches::<Test>::get(batch_id).unwrap().open_shards, 1);
		assert_eq!(OpenJobs::<Test>::get(ALICE), 1, "open until its last shard ends");
		assert_ok!(<Jobs as JobLedger<_, _>>::finalize(&OTHER_PROVIDER, &[(shards[1], 6)]));

		assert_eq!(Balances::balance(&PROVIDER), 34 + 33, "paid its two shards' shares");
		assert_eq!(Balances::balance(&OTHER_PROVIDER), 33, "paid its one shard's share");
		assert_eq!((escrow(), OpenJobs::<Test>::get(ALICE)), (0, 0));
		let batch = Batches::<Test>::get(batch_id).unwrap();
		let served: Vec<(JobId, u64, u8, u128, u128)> = batch
			.receipts
			.iter()
			.map(|r| (r.job_id, r.provider, r.receipt_hash[0], r.payment, r.minted))
			.collect();
		assert_eq!(
			served,
			vec![
				(shards[0], PROVIDER, 1, 34, 7),
				(shards[2], PROVIDER, 3, 33, 5),
				(shards[1], OTHER_PROVIDER, 2, 33, 6)
			],
			"one record of the whole job lists every shard's receipt"
		);
		assert_eq!(batch.completed_at, Some(2));
		let progress = Jobs::batch_progress(batch_id).unwrap();
		assert_eq!((progress.finalized, progress.unserved, progress.completed), (3, 0, true));
		assert_eq!(Jobs::batch_progress(batch_id + 1), None);
		System::assert_has_event(
			Event::BatchCompleted { batch_id, served: 3, paid: 100, minted: 18, refunded: 0 }
				.into(),
		);
	});
}

#[test]
fn a_shard_whose_provider_misses_its_deadline_goes_back_to_the_queue_for_another() {
	build_and_execute(|| {
		approve_other_provider();
		// Room for the two jobs the hub reserves for it while PROVIDER holds the shard.
		let mut terms = Offers::<Test>::get(OTHER_PROVIDER).unwrap().terms;
		terms.capacity = 3;
		assert_ok!(Marketplace::update_offer(RuntimeOrigin::signed(OTHER_PROVIDER), terms));
		let (batch_id, shards) = submit_batch(2, 100);
		assert_ok!(Jobs::claim_job(RuntimeOrigin::signed(PROVIDER), shards[0]));
		run_to_block(3);
		let later = submit(BOB, 10);
		run_to_block(6);
		assert_eq!(state(shards[0]), JobState::Pending, "back in the queue, not ended");
		assert_eq!(JobsStore::<Test>::get(shards[0]).unwrap().queued_at, 6);
		assert_eq!(
			PendingJobs::<Test>::get().to_vec(),
			vec![shards[1], later, shards[0]],
			"at the end of the queue, so the queue stays in the order jobs were queued"
		);
		assert_eq!(Reputations::<Test>::get(PROVIDER).expired, 1, "the miss is recorded");
		assert_eq!(Offers::<Test>::get(PROVIDER).unwrap().in_flight, 0);
		assert_eq!((escrow(), Batches::<Test>::get(batch_id).unwrap().open_shards), (110, 2));
		System::assert_has_event(
			Event::ShardRequeued { job_id: shards[0], batch_id, provider: PROVIDER }.into(),
		);
		// The provider that missed it counts as offline: the hub reserves the shard for the
		// other, which takes it and serves it.
		assert!(Offers::<Test>::get(PROVIDER).unwrap().offline);
		System::assert_has_event(
			Event::JobReserved { job_id: shards[0], provider: OTHER_PROVIDER, accept_by: 9 }.into(),
		);
		serve(OTHER_PROVIDER, shards[0], 4);
		assert_ok!(<Jobs as JobLedger<_, _>>::finalize(&OTHER_PROVIDER, &[(shards[0], 1)]));
		assert_eq!(Balances::balance(&OTHER_PROVIDER), 50);
		assert_eq!(Balances::balance(&PROVIDER), 0, "nothing for the shard it dropped");
	});
}

#[test]
fn a_missed_shard_that_finds_the_queue_full_expires_with_a_refund() {
	build_and_execute(|| {
		let (batch_id, shards) = submit_batch(1, 40);
		assert_ok!(Jobs::claim_job(RuntimeOrigin::signed(PROVIDER), shards[0]));
		for _ in 0..3 {
			submit(BOB, 10);
		}
		submit(ALICE, 10);
		run_to_block(6);
		assert_eq!(state(shards[0]), JobState::Expired { provider: PROVIDER });
		assert_eq!(Balances::balance(&ALICE), 990, "the shard's share is back");
		let batch = Batches::<Test>::get(batch_id).unwrap();
		assert_eq!((batch.open_shards, batch.refunded, batch.completed_at), (0, 40, Some(6)));
		assert_eq!(
			OpenJobs::<Test>::get(ALICE),
			1,
			"the batch's slot is free; the single job's is not"
		);
	});
}

#[test]
fn cancel_batch_refunds_the_shards_not_taken_and_the_rest_go_on() {
	build_and_execute(|| {
		let (batch_id, shards) = submit_batch(3, 90);
		submit(BOB, 10);
		assert_ok!(Jobs::claim_job(RuntimeOrigin::signed(PROVIDER), shards[1]));
		assert_noop!(
			Jobs::cancel_batch(RuntimeOrigin::signed(BOB), batch_id),
			Error::<Test>::NotClient
		);
		assert_noop!(
			Jobs::cancel_batch(RuntimeOrigin::signed(ALICE), 7),
			Error::<Test>::UnknownBatch
		);
		assert_ok!(Jobs::cancel_batch(RuntimeOrigin::signed(ALICE), batch_id));
		assert_eq!(state(shards[0]), JobState::Cancelled);
		assert_eq!(state(shards[2]), JobState::Cancelled);
		assert!(matches!(state(shards[1]), JobState::Assigned { .. }), "a taken shard goes on");
		assert_eq!(PendingJobs::<Test>::get().len(), 1, "only Bob's job is left in the queue");
		assert_eq!(Balances::balance(&ALICE), 1_000 - 30);
		System::assert_last_event(
			Event::BatchCancelled { batch_id, cancelled: 2, refund: 60 }.into(),
		);
		assert_noop!(
			Jobs::cancel_batch(RuntimeOrigin::signed(ALICE), batch_id),
			Error::<Test>::NothingToCancel
		);
		assert_eq!(OpenJobs::<Test>::get(ALICE), 1);
		assert_ok!(<Jobs as JobLedger<_, _>>::mark_receipted(shards[1], [5; 32], 10));
		assert_ok!(<Jobs as JobLedger<_, _>>::finalize(&PROVIDER, &[(shards[1], 2)]));
		assert_eq!(OpenJobs::<Test>::get(ALICE), 0);
		System::assert_has_event(
			Event::BatchCompleted { batch_id, served: 1, paid: 30, minted: 2, refunded: 60 }.into(),
		);
	});
}

#[test]
fn a_rejected_shard_is_refunded_and_the_batch_completes_without_it() {
	build_and_execute(|| {
		approve_other_provider();
		let (batch_id, shards) = submit_batch(2, 100);
		serve(PROVIDER, shards[0], 1);
		serve(OTHER_PROVIDER, shards[1], 2);
		assert_eq!(<Jobs as JobLedger<_, _>>::reject(shards[0], true), Ok(50));
		assert_eq!(Balances::balance(&ALICE), 950);
		assert_ok!(<Jobs as JobLedger<_, _>>::finalize(&OTHER_PROVIDER, &[(shards[1], 3)]));
		let batch = Batches::<Test>::get(batch_id).unwrap();
		assert_eq!((batch.receipts.len(), batch.refunded, batch.open_shards), (1, 50, 0));
		assert_eq!((Balances::balance(&PROVIDER), Balances::balance(&OTHER_PROVIDER)), (0, 50));
	});
}

#[test]
fn shards_nobody_takes_end_unclaimed_and_complete_the_batch() {
	build_and_execute(|| {
		let (batch_id, shards) = submit_batch(2, 100);
		run_to_block(21);
		assert_eq!(state(shards[0]), JobState::Unclaimed);
		assert_eq!(state(shards[1]), JobState::Unclaimed);
		assert_eq!(Balances::balance(&ALICE), 1_000);
		assert!(Batches::<Test>::get(batch_id).unwrap().completed_at.is_some());
		assert_eq!(OpenJobs::<Test>::get(ALICE), 0);
	});
}

#[test]
fn try_state_reports_shard_units_that_do_not_sum_to_the_batch() {
	new_test_ext().execute_with(|| {
		let (batch_id, _) = submit_batch(2, 100);
		Jobs::do_try_state().unwrap();
		Batches::<Test>::mutate(batch_id, |b| b.as_mut().unwrap().units += 1);
		assert_eq!(
			Jobs::do_try_state(),
			Err("a batch's shard units do not sum to its units".into())
		);
	});
}

#[test]
fn a_free_batch_holds_a_quota_slot_per_image_and_is_feeless_only_within_the_quota() {
	use frame_support::dispatch::CheckIfFeeless;
	build_and_execute(|| {
		let free_batch = |count: u32| crate::Call::<Test>::submit_batch {
			model_id: 0,
			prompt: prompt("a cat"),
			params: params(20, 256, 256),
			count,
			images_per_shard: 1,
			max_price_per_unit: 0,
			payment: 0,
			deadline_blocks: 5,
		};
		let alice = RuntimeOrigin::signed(ALICE);
		assert!(free_batch(3).is_feeless(&alice));
		assert!(!free_batch(4).is_feeless(&alice), "more free images than the quota");
		let (batch_id, shards) = submit_batch(2, 0);
		assert_eq!(OpenJobs::<Test>::get(ALICE), 2, "a free batch holds a slot per image");
		assert!(!free_batch(2).is_feeless(&alice));
		assert!(free_batch(1).is_feeless(&alice));
		assert_noop!(
			Jobs::submit_batch(alice.clone(), 0, prompt("a"), params(20, 256, 256), 2, 1, 0, 0, 5),
			Error::<Test>::TooManyOpenJobs
		);
		let paid = crate::Call::<Test>::submit_batch {
			model_id: 0,
			prompt: prompt("a cat"),
			params: params(20, 256, 256),
			count: 1,
			images_per_shard: 1,
			max_price_per_unit: 10,
			payment: 10,
			deadline_blocks: 5,
		};
		assert!(!paid.is_feeless(&alice), "a paid batch pays its fee");
		assert_ok!(Jobs::cancel_batch(alice, batch_id));
		assert_eq!(OpenJobs::<Test>::get(ALICE), 0, "all its slots are freed when it completes");
		assert_eq!(state(shards[1]), JobState::Cancelled);
	});
}

#[test]
fn images_per_shard_groups_consecutive_images_into_one_job_each_and_the_last_takes_the_rest() {
	build_and_execute(|| {
		approve_other_provider();
		// 4 images of 5,000 milli-units, 3 per shard: a shard of images 0–2 and one of image 3.
		// 101 over 4 images is 25 each and 1 left, for the first image.
		let (batch_id, shards) = submit_sharded(4, 3, 101);
		assert_eq!(shards.len(), 2);
		let job = |i: usize| JobsStore::<Test>::get(shards[i]).unwrap();
		assert_eq!(
			(job(0).images, job(0).params.seed, job(0).units, job(0).payment),
			(3, 1, 15_000, 76)
		);
		assert_eq!(
			(job(1).images, job(1).params.seed, job(1).units, job(1).payment),
			(1, 4, 5_000, 25)
		);
		let seeds: Vec<u64> = job(0).image_params().map(|p| p.seed).collect();
		assert_eq!(seeds, vec![1, 2, 3], "a shard's images have consecutive seeds");
		let batch = Batches::<Test>::get(batch_id).unwrap();
		assert_eq!(
			(batch.count, batch.images_per_shard, batch.shards, batch.units, batch.open_shards),
			(4, 3, 2, 20_000, 2)
		);
		assert_eq!(PendingJobs::<Test>::get().to_vec(), shards, "two jobs queued, not four");
		System::assert_last_event(
			Event::BatchSubmitted {
				batch_id,
				client: ALICE,
				model_id: 0,
				first_job: shards[0],
				count: 4,
				shards: 2,
				units: 20_000,
				payment: 101,
			}
			.into(),
		);
		// Progress counts images: three assigned to one provider, then receipted.
		serve(PROVIDER, shards[0], 1);
		let progress = Jobs::batch_progress(batch_id).unwrap();
		assert_eq!(
			(progress.count, progress.pending, progress.receipted, progress.providers),
			(4, 1, 3, vec![(PROVIDER, 3)])
		);
		// Each provider is paid its shard's share: 76 for three images, 25 for one.
		serve(OTHER_PROVIDER, shards[1], 2);
		assert_ok!(<Jobs as JobLedger<_, _>>::finalize(&PROVIDER, &[(shards[0], 0)]));
		assert_ok!(<Jobs as JobLedger<_, _>>::finalize(&OTHER_PROVIDER, &[(shards[1], 0)]));
		assert_eq!((Balances::balance(&PROVIDER), Balances::balance(&OTHER_PROVIDER)), (76, 25));
		let batch = Batches::<Test>::get(batch_id).unwrap();
		assert_eq!((batch.open_shards, batch.receipts.len()), (0, 2));
		assert!(batch.completed_at.is_some());
		let progress = Jobs::batch_progress(batch_id).unwrap();
		assert_eq!((progress.finalized, progress.completed), (4, true));
	});
}

#[test]
fn a_shard_holding_the_wrong_number_of_images_breaks_the_invariants() {
	build_and_execute(|| {
		let (_, shards) = submit_sharded(3, 2, 30);
		// The first of two shards of 3 images holds 2; the last 1.
		JobsStore::<Test>::mutate(shards[0], |job| job.as_mut().unwrap().images = 1);
		assert_eq!(Jobs::do_try_state(), Err("a shard holds the wrong number of images".into()));
		JobsStore::<Test>::mutate(shards[0], |job| job.as_mut().unwrap().images = 2);
		JobsStore::<Test>::mutate(shards[1], |job| job.as_mut().unwrap().params.seed = 4);
		assert_eq!(
			Jobs::do_try_state(),
			Err("a shard's first seed is not its first image's".into())
		);
		JobsStore::<Test>::mutate(shards[1], |job| job.as_mut().unwrap().params.seed = 3);
		assert_ok!(Jobs::do_try_state());
	});
}
