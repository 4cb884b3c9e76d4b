//! Assignment by the hub: reservations made after each block's transactions, claimed by their
//! provider only, lapsing when it does not claim in time; the hook's bounds and weight.

use super::{prompt, submit};
use crate::{
	mock::*, Call, Error, Event, JobState, Jobs as JobsStore, Reservation, Reservations,
	ReservationsDue, WeightInfo,
};
use aitbc_primitives::{JobId, JobParams, Scheduler, StaleClaim};
use frame_support::{
	assert_noop, assert_ok,
	dispatch::GetDispatchInfo,
	traits::{fungible::Inspect, Hooks},
	weights::Weight,
};
use pallet_aitbc_marketplace::Offers;
use sp_runtime::{
	traits::DispatchTransaction,
	transaction_validity::{InvalidTransaction, TransactionSource, TransactionValidityError},
};

/// The hub's pass after the current block's transactions.
fn hub() -> Weight {
	Jobs::on_idle(System::block_number(), Weight::MAX)
}

fn reserved_for(job_id: JobId) -> Option<u64> {
	Reservations::<Test>::get(job_id).map(|r| r.provider)
}

fn in_flight(provider: u64) -> u32 {
	Offers::<Test>::get(provider).unwrap().in_flight
}

fn approve_other_provider() {
	assert_ok!(Marketplace::approve_provider(RuntimeOrigin::root(), OTHER_PROVIDER));
}

/// A job of `who` asking `width`×`height` pixels at most `max_price` per unit.
fn submit_sized(who: u64, width: u32, max_price: u128) -> JobId {
	let id = crate::NextJobId::<Test>::get();
	let params = JobParams {
		steps: 20,
		guidance_milli: 7_500,
		width,
		height: width,
		seed: 1,
		scheduler: Scheduler::Euler,
	};
	assert_ok!(Jobs::submit_job(
		RuntimeOrigin::signed(who),
		0,
		prompt("a red circle"),
		params,
		max_price,
		0,
		5
	));
	id
}

#[test]
fn the_hub_reserves_a_job_in_its_block_and_only_that_provider_may_claim_it() {
	build_and_execute(|| {
		approve_other_provider();
		let id = submit(ALICE, 100);
		hub();
		assert_eq!(
			Reservations::<Test>::get(id),
			Some(Reservation { provider: PROVIDER, accept_by: 1 + 3 })
		);
		System::assert_has_event(
			Event::JobReserved { job_id: id, provider: PROVIDER, accept_by: 4 }.into(),
		);
		assert_eq!(in_flight(PROVIDER), 1, "the reservation holds a slot");
		assert_eq!(JobsStore::<Test>::get(id).unwrap().state, JobState::Pending);

		// The other provider loses nothing trying: the pool refuses its claim as stale...
		let call = RuntimeCall::Jobs(Call::claim_job { job_id: id });
		let info = call.get_dispatch_info();
		let validate = |who: u64| {
			crate::CheckClaim::<Test>::new()
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
		assert_eq!(
			validate(OTHER_PROVIDER),
			Err(TransactionValidityError::Invalid(InvalidTransaction::Custom(
				StaleClaim::ReservedForAnother.code()
			)))
		);
		assert_eq!(validate(PROVIDER), Ok(()));
		// ...and dispatch refuses it with its named error, changing nothing.
		assert_noop!(
			Jobs::claim_job(RuntimeOrigin::signed(OTHER_PROVIDER), id),
			Error::<Test>::ReservedForAnother
		);

		assert_ok!(Jobs::claim_job(RuntimeOrigin::signed(PROVIDER), id));
		assert!(matches!(
			JobsStore::<Test>::get(id).unwrap().state,
			JobState::Assigned { provider: PROVIDER, .. }
		));
		assert_eq!(reserved_for(id), None, "the claim turns the reservation into the assignment");
		assert_eq!(in_flight(PROVIDER), 1, "one slot, not two");
	});
}

#[test]
fn the_rotation_spreads_jobs_over_providers_in_turn() {
	build_and_execute(|| {
		approve_other_provider();
		let jobs: Vec<JobId> =
			[ALICE, ALICE, BOB, BOB].into_iter().map(|c| submit(c, 10)).collect();
		// Two reservations per block (MaxReservationsPerBlock), the rest in the next block.
		hub();
		run_to_block(2);
		let holders: Vec<_> = jobs.iter().map(|id| reserved_for(*id)).collect();
		assert_eq!(
			holders,
			vec![Some(PROVIDER), Some(OTHER_PROVIDER), Some(PROVIDER), Some(OTHER_PROVIDER)],
			"each provider in turn, not the first one for as long as it has room"
		);
		assert_eq!((in_flight(PROVIDER), in_flight(OTHER_PROVIDER)), (2, 2));
	});
}

#[test]
fn a_provider_that_does_not_claim_in_time_loses_the_job_to_the_next_and_is_marked_offline() {
	build_and_execute(|| {
		approve_other_provider();
		let id = submit(ALICE, 100);
		run_to_block(2);
		assert_eq!(reserved_for(id), Some(PROVIDER), "reserved in block 2, until block 5");
		run_to_block(5);
		System::assert_has_event(
			Event::ReservationLapsed { job_id: id, provider: PROVIDER }.into(),
		);
		System::assert_has_event(
			pallet_aitbc_marketplace::Event::MarkedOffline { provider: PROVIDER }.into(),
		);
		assert_eq!(in_flight(PROVIDER), 0, "the lapsed reservation's slot is free again");
		assert!(Offers::<Test>::get(PROVIDER).unwrap().offline);
		assert_eq!(reserved_for(id), Some(OTHER_PROVIDER), "the next provider has it now");
		assert_eq!(JobsStore::<Test>::get(id).unwrap().state, JobState::Pending);
		// The provider that missed it cannot take it back...
		assert_noop!(
			Jobs::claim_job(RuntimeOrigin::signed(PROVIDER), id),
			Error::<Test>::ReservedForAnother
		);
		// ...and gets no new reservation until it shows a sign of life: a heartbeat, due at
		// once for a provider marked offline.
		let next = submit(BOB, 10);
		hub();
		assert_eq!(reserved_for(next), Some(OTHER_PROVIDER));
		assert_ok!(Marketplace::heartbeat(RuntimeOrigin::signed(PROVIDER)));
		assert!(!Offers::<Test>::get(PROVIDER).unwrap().offline);
		let after = submit(BOB, 10);
		// Block 5 made its two reservations already (MaxReservationsPerBlock): the next block.
		run_to_block(6);
		assert_eq!(reserved_for(after), Some(PROVIDER));
	});
}

#[test]
fn cancelling_or_timing_out_a_reserved_job_frees_its_slot() {
	build_and_execute(|| {
		let cancelled = submit(ALICE, 100);
		hub();
		assert_eq!(reserved_for(cancelled), Some(PROVIDER));
		assert_ok!(Jobs::cancel_job(RuntimeOrigin::signed(ALICE), cancelled));
		assert_eq!((reserved_for(cancelled), in_flight(PROVIDER)), (None, 0));
		assert_eq!(Balances::balance(&ALICE), 1_000, "refunded");
		// The schedule still lists it; the lapse finds it gone and changes nothing.
		assert!(ReservationsDue::<Test>::get(4).contains(&cancelled));
		run_to_block(4);
		assert!(!Offers::<Test>::get(PROVIDER).unwrap().offline, "nothing was missed");
	});
}

#[test]
fn the_hub_never_reserves_a_job_for_its_own_client() {
	build_and_execute(|| {
		let own = submit_sized(PROVIDER, 256, 10);
		hub();
		assert_eq!(reserved_for(own), None);
		assert_eq!(in_flight(PROVIDER), 0);
	});
}

#[test]
fn jobs_nobody_can_take_stay_unreserved_and_are_asked_for_once_per_block() {
	build_and_execute(|| {
		// Both providers charge 2 per unit: a price limit of 1 fits nobody.
		approve_other_provider();
		let cheap: Vec<JobId> = (0..3).map(|_| submit_sized(ALICE, 256, 1)).collect();
		let fits = submit_sized(BOB, 256, 10);
		let used = hub();
		assert!(cheap.iter().all(|id| reserved_for(*id).is_none()));
		assert_eq!(reserved_for(fits), Some(PROVIDER));
		// Four jobs looked at, two picks: the first cheap job's, and the one that fits. The
		// other cheap jobs ask no less than the one that failed and are not asked for again.
		assert_eq!(used, <() as WeightInfo>::reserve_pending(4, 2));
	});
}

#[test]
fn the_hub_does_at_most_its_bound_per_block_and_nothing_without_weight() {
	build_and_execute(|| {
		let w = |l, p| <() as WeightInfo>::reserve_pending(l, p);
		let mut terms = Offers::<Test>::get(PROVIDER).unwrap().terms;
		terms.capacity = 10;
		assert_ok!(Marketplace::update_offer(RuntimeOrigin::signed(PROVIDER), terms));
		let jobs: Vec<JobId> =
			[ALICE, ALICE, BOB, BOB].into_iter().map(|c| submit(c, 10)).collect();
		let reserved = || jobs.iter().filter(|id| reserved_for(**id).is_some()).count();
		// Less than one job's worth of weight: nothing happens, nothing is charged.
		let short = w(1, 1).saturating_sub(Weight::from_parts(1, 0));
		assert_eq!(Jobs::on_idle(1, short), Weight::zero());
		assert_eq!(reserved(), 0);
		// Weight for exactly one job: one reservation, and the weight of one.
		assert_eq!(Jobs::on_idle(1, w(1, 1)), w(1, 1));
		assert_eq!(reserved(), 1);
		// Unbounded weight: MaxReservationsPerBlock (2) picks per block at most.
		run_to_block(2);
		assert_eq!(reserved(), 3);
		assert_eq!(ReservationsDue::<Test>::get(5).len(), 2, "two made in block 2");
		run_to_block(3);
		assert_eq!(reserved(), 4);
	});
}
