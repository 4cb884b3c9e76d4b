//! The rotation: who the hub asks for the next job, kept in step with the offers; bounded
//! picks that give every provider its turn; providers marked offline and back.

use super::{add_model, key, request, terms, ALICE, BOB};
use crate::{mock::*, *};
use frame_support::{assert_noop, assert_ok};

const CAROL: u64 = 3;
const DAVE: u64 = 4;

/// `who` serves `models` at price 5 with capacity 1 and key `n`, approved.
fn ready(who: u64, models: &[ModelId], n: u8) {
	assert_ok!(Marketplace::register_offer(
		RuntimeOrigin::signed(who),
		terms(models, &[key(n)], 5, 1)
	));
	assert_ok!(Marketplace::approve_provider(RuntimeOrigin::root(), who));
}

fn rotation(model: ModelId) -> Vec<u64> {
	Rotation::<Test>::get(model).into_inner()
}

fn pick(model: ModelId, max_price: u128) -> Option<u64> {
	<Marketplace as ProviderRegistry<_, _>>::pick_provider(&request(model, max_price))
		.map(|(who, _)| who)
}

#[test]
fn rotations_follow_offers_as_they_are_registered_changed_and_withdrawn() {
	build_and_execute(|| {
		let (m0, m1) = (add_model(), add_model());
		ready(ALICE, &[m0, m1], 1);
		ready(BOB, &[m0], 2);
		assert_eq!((rotation(m0), rotation(m1)), (vec![ALICE, BOB], vec![ALICE]));
		assert_ok!(Marketplace::update_offer(
			RuntimeOrigin::signed(BOB),
			terms(&[m1], &[key(2)], 5, 1)
		));
		assert_eq!((rotation(m0), rotation(m1)), (vec![ALICE], vec![ALICE, BOB]));
		assert_ok!(Marketplace::deregister(RuntimeOrigin::signed(ALICE)));
		assert_eq!((rotation(m0), rotation(m1)), (vec![], vec![BOB]));
		assert!(!Rotation::<Test>::contains_key(m0), "an empty rotation is not stored");
	});
}

#[test]
fn a_full_rotation_refuses_another_provider_and_changes_nothing() {
	build_and_execute(|| {
		let (m0, m1) = (add_model(), add_model());
		for (who, n) in [(ALICE, 1), (BOB, 2), (CAROL, 3)] {
			ready(who, &[m0], n);
		}
		// MaxProvidersPerModel is 3: a fourth provider of m0 is refused, even alongside a
		// model with room, and no rotation changes.
		assert_noop!(
			Marketplace::register_offer(
				RuntimeOrigin::signed(DAVE),
				terms(&[m1, m0], &[key(4)], 5, 1)
			),
			Error::<Test>::RotationFull
		);
		assert_ok!(Marketplace::register_offer(
			RuntimeOrigin::signed(DAVE),
			terms(&[m1], &[key(4)], 5, 1)
		));
		assert_noop!(
			Marketplace::update_offer(
				RuntimeOrigin::signed(DAVE),
				terms(&[m1, m0], &[key(4)], 5, 1)
			),
			Error::<Test>::RotationFull
		);
	});
}

#[test]
fn picks_take_providers_in_turn_and_ask_at_most_the_bound() {
	build_and_execute(|| {
		let model = add_model();
		for (who, n) in [(ALICE, 1), (BOB, 2), (CAROL, 3)] {
			ready(who, &[model], n);
		}
		// Each chosen provider goes to the back.
		assert_eq!(pick(model, 10), Some(ALICE));
		assert_eq!(rotation(model), vec![BOB, CAROL, ALICE]);
		assert_eq!(pick(model, 10), Some(BOB));
		assert_eq!(pick(model, 10), Some(CAROL));
		assert_eq!(rotation(model), vec![ALICE, BOB, CAROL]);
		// Alice and Bob become unfit (paused, offline): the pick asks both, at most
		// MaxProbesPerPick (2) providers, finds nobody, and sends both to the back...
		assert_ok!(Marketplace::pause(RuntimeOrigin::signed(ALICE)));
		<Marketplace as ProviderRegistry<_, _>>::missed_reservation(&BOB);
		assert_eq!(pick(model, 10), None, "Carol, third in line, is not asked");
		assert_eq!(rotation(model), vec![CAROL, ALICE, BOB]);
		// ...so the next pick reaches Carol.
		assert_eq!(pick(model, 10), Some(CAROL));
		// A price limit below every offer finds nobody, whoever is asked.
		assert_eq!(pick(model, 4), None);
	});
}

#[test]
fn a_provider_marked_offline_is_not_live_until_its_next_sign_of_life() {
	build_and_execute(|| {
		let model = add_model();
		ready(ALICE, &[model], 1);
		let registry = |job| <Marketplace as ProviderRegistry<_, _>>::feasibility(&job, 0);
		assert_eq!(registry(request(model, 10)).live, 1);
		System::set_block_number(2);
		<Marketplace as ProviderRegistry<_, _>>::missed_reservation(&ALICE);
		System::assert_last_event(Event::MarkedOffline { provider: ALICE }.into());
		assert!(Offers::<Test>::get(ALICE).unwrap().offline);
		assert_eq!(registry(request(model, 10)).live, 0, "within its window, but offline");
		// A heartbeat is due at once (the interval is 3 blocks), and brings it back.
		assert_ok!(Marketplace::heartbeat(RuntimeOrigin::signed(ALICE)));
		assert!(!Offers::<Test>::get(ALICE).unwrap().offline);
		assert_eq!(registry(request(model, 10)).live, 1);
		// Live again, the interval applies as before.
		assert_noop!(
			Marketplace::heartbeat(RuntimeOrigin::signed(ALICE)),
			Error::<Test>::HeartbeatTooSoon
		);
		// A missed deadline marks it offline too.
		<Marketplace as ProviderRegistry<_, _>>::record_outcome(&ALICE, JobOutcome::Expired);
		assert!(Offers::<Test>::get(ALICE).unwrap().offline);
		assert_eq!(pick(model, 10), None);
	});
}

#[test]
fn a_reserved_slot_counts_against_capacity_and_a_lapse_frees_it() {
	build_and_execute(|| {
		let model = add_model();
		ready(ALICE, &[model], 1);
		let registry = || <Marketplace as ProviderRegistry<_, _>>::slot_reserved(&ALICE, model);
		assert_ok!(registry());
		assert_noop!(registry(), Error::<Test>::AtCapacity);
		assert_eq!(
			<Marketplace as ProviderRegistry<_, _>>::check_can_take(
				&ALICE,
				&request(model, 10),
				false
			),
			Err(Error::<Test>::AtCapacity.into()),
			"another job does not fit"
		);
		assert_eq!(
			<Marketplace as ProviderRegistry<_, _>>::check_can_take(
				&ALICE,
				&request(model, 10),
				true
			),
			Ok(5),
			"the reserved job does: its slot is held already"
		);
		<Marketplace as ProviderRegistry<_, _>>::missed_reservation(&ALICE);
		assert_eq!(Offers::<Test>::get(ALICE).unwrap().in_flight, 0);
	});
}

/// A record of `completed` finalized jobs and `expired` missed deadlines, the provider still
/// live (a missed deadline marks it offline; a heartbeat brings it back).
fn record(who: u64, completed: u32, expired: u32) {
	Reputations::<Test>::mutate(who, |reputation| {
		reputation.completed = completed;
		reputation.expired = expired;
	});
}

#[test]
fn reliability_counts_a_newcomer_as_reliable_and_a_failed_check_as_four_expiries() {
	let of = |completed, expired, failed_checks| {
		Reputation::<ConstU32<5>> { completed, expired, failed_checks, ..Default::default() }
			.reliability_tenths()
	};
	assert_eq!(of(0, 0, 0), 10, "a newcomer is not held back");
	assert_eq!(of(1_000, 0, 0), 10);
	assert_eq!(of(9, 1, 0), 9, "10 good of 11");
	assert_eq!(of(10_000, 1, 0), 10, "one miss in ten thousand does not lose to a newcomer");
	assert_eq!(of(17, 1, 0), 9, "18 good of 19: 9.47");
	assert_eq!(of(18, 1, 0), 10, "19 good of 20: 9.5 rounds up");
	assert_eq!(of(0, 1, 0), 5);
	assert_eq!(of(0, 0, 1), 2, "1 good of 5");
	assert_eq!(of(u32::MAX, u32::MAX, u32::MAX), 2, "no overflow at the bounds");
}

#[test]
fn a_pick_prefers_the_more_reliable_provider_and_the_one_passed_over_keeps_its_turn() {
	build_and_execute(|| {
		let model = add_model();
		for (who, n) in [(ALICE, 1), (BOB, 2), (CAROL, 3)] {
			ready(who, &[model], n);
		}
		record(ALICE, 1, 1);
		let reserve = |who| {
			assert_ok!(<Marketplace as ProviderRegistry<_, _>>::slot_reserved(&who, model));
		};
		// Alice is first in line but has missed a deadline: Bob, spotless, is preferred and
		// goes to the back; Alice keeps the front.
		assert_eq!(pick(model, 10), Some(BOB));
		assert_eq!(rotation(model), vec![ALICE, CAROL, BOB]);
		reserve(BOB);
		assert_eq!(pick(model, 10), Some(CAROL));
		assert_eq!(rotation(model), vec![ALICE, BOB, CAROL]);
		reserve(CAROL);
		// The better providers are busy: Alice takes the job, and Bob (asked, full) goes to
		// the back with her.
		assert_eq!(pick(model, 10), Some(ALICE));
		assert_eq!(rotation(model), vec![CAROL, ALICE, BOB]);
	});
}

#[test]
fn a_pick_prefers_a_provider_with_the_model_loaded_among_equally_reliable_ones() {
	build_and_execute(|| {
		let (m0, m1) = (add_model(), add_model());
		for (who, n) in [(ALICE, 1), (BOB, 2)] {
			assert_ok!(Marketplace::register_offer(
				RuntimeOrigin::signed(who),
				terms(&[m0, m1], &[key(n)], 5, 4)
			));
			assert_ok!(Marketplace::approve_provider(RuntimeOrigin::root(), who));
		}
		let reserve = |who, model| {
			assert_ok!(<Marketplace as ProviderRegistry<_, _>>::slot_reserved(&who, model));
		};
		// Alice's GPU last ran m1 (a job she claimed); Bob has had no job yet: his worker
		// loaded both models when it started.
		assert_ok!(<Marketplace as ProviderRegistry<_, _>>::job_assigned(&ALICE, m1));
		assert_eq!(Offers::<Test>::get(ALICE).unwrap().last_model, Some(m1));
		assert_eq!(pick(m0, 10), Some(BOB), "Alice, first in line, would have to swap models");
		assert_eq!(rotation(m0), vec![ALICE, BOB]);
		assert_eq!(pick(m1, 10), Some(ALICE));
		// A reservation loads the model too: with Bob on m1 as well, both would have to swap
		// for m0, and the first in line takes it.
		reserve(BOB, m1);
		assert_eq!(Offers::<Test>::get(BOB).unwrap().last_model, Some(m1));
		assert_eq!(pick(m0, 10), Some(ALICE));
		assert_eq!(rotation(m0), vec![BOB, ALICE]);
		// Reliability comes before the loaded model: Alice now runs m0 but has missed a
		// deadline; Bob must swap but is spotless, and is preferred even behind her in line.
		reserve(ALICE, m0);
		record(ALICE, 0, 1);
		assert_eq!(pick(m0, 10), Some(BOB));
		assert_eq!(rotation(m0), vec![ALICE, BOB]);
		assert_eq!(pick(m0, 10), Some(BOB), "a spotless record before a loaded model");
	});
}
