//! Tests of the validator set, each followed by the `try_state` invariants. Session changes
//! run through the real `pallet-session`.

use crate::{
	mock::*, ActiveCandidates, Authorities, CandidacyBond, Candidates, Departure, Error, Event,
	HoldReason, LastAuthoredBlock, TotalSlashed, Unlocking,
};
use frame_support::{
	assert_noop, assert_ok,
	traits::fungible::{Inspect, InspectHold},
};
use sp_runtime::{DispatchError::BadOrigin, Perbill};
use sp_staking::offence::{OffenceDetails, OnOffenceHandler};

fn register(who: u64, bond: u128) {
	set_keys(who);
	assert_ok!(Validators::register_as_candidate(RuntimeOrigin::signed(who), bond));
}

fn held(who: u64) -> u128 {
	Balances::balance_on_hold(&HoldReason::CandidacyBond.into(), &who)
}

fn candidates() -> Vec<(u64, u128)> {
	Candidates::<Test>::get().into_iter().map(|c| (c.who, c.bond)).collect()
}

fn departed(who: u64) -> Option<Departure> {
	System::events().into_iter().find_map(|record| match record.event {
		RuntimeEvent::Validators(Event::CandidateDeparted { who: w, reason, .. }) if w == who => {
			Some(reason)
		},
		_ => None,
	})
}

fn report_equivocation(offender: u64, fraction: Perbill) {
	let details = OffenceDetails { offender: (offender, ()), reporters: vec![] };
	<Validators as OnOffenceHandler<u64, (u64, ()), _>>::on_offence(&[details], &[fraction], 0);
}

#[test]
fn genesis_sessions_are_the_authorities() {
	build_and_execute(|| {
		assert_eq!(SessionValidators::get(), AUTHORITIES.to_vec());
		assert_eq!(Session::validators(), AUTHORITIES.to_vec());
		assert_eq!(CandidacyBond::<Test>::get(), FLOOR);
		run_to_session(1, None);
		assert_eq!(SessionValidators::get(), AUTHORITIES.to_vec());
	});
}

#[test]
fn a_candidate_validates_two_sessions_after_it_registers_and_leaves_the_same_way() {
	build_and_execute(|| {
		register(ALICE, 500);
		assert_eq!(held(ALICE), 500);
		assert_eq!(Balances::balance(&ALICE), ENDOWMENT - 500);
		run_to_session(1, None);
		assert_eq!(Session::validators(), AUTHORITIES.to_vec(), "session 1 was already queued");
		run_to_session(2, None);
		assert_eq!(Session::validators(), vec![1, 2, ALICE]);
		assert_eq!(SessionValidators::get(), vec![1, 2, ALICE]);
		assert_eq!(ActiveCandidates::<Test>::get().into_inner(), vec![ALICE]);

		assert_ok!(Validators::leave_intent(RuntimeOrigin::signed(ALICE)));
		assert_eq!(departed(ALICE), Some(Departure::Left));
		assert!(candidates().is_empty());
		assert_eq!(held(ALICE), 500, "the bond stays held while it may still be needed");
		run_to_session(3, None);
		assert_eq!(Session::validators(), vec![1, 2, ALICE], "session 3 was already queued");
		run_to_session(4, None);
		assert_eq!(Session::validators(), AUTHORITIES.to_vec());
	});
}

#[test]
fn only_the_highest_bonds_with_keys_and_at_the_floor_are_selected() {
	build_and_execute(|| {
		register(ALICE, 200);
		register(BOB, 400);
		register(CAROL, 300);
		assert_eq!(candidates(), vec![(BOB, 400), (CAROL, 300), (ALICE, 200)]);
		run_to_session(2, None);
		assert_eq!(Session::validators(), vec![1, 2, BOB, CAROL], "two seats");
		// Bob drops his keys: Alice takes his seat. Raising the floor above Carol's bond
		// takes her out too, though she stays registered.
		assert_ok!(Session::purge_keys(RuntimeOrigin::signed(BOB)));
		assert_ok!(Validators::set_candidacy_bond(RuntimeOrigin::root(), 250));
		register(DAVE, 260);
		run_to_session(4, Some(CAROL));
		assert_eq!(Session::validators(), vec![1, 2, CAROL, DAVE]);
		assert_eq!(candidates().len(), 4);
	});
}

#[test]
fn equal_bonds_keep_registration_order() {
	build_and_execute(|| {
		register(ALICE, 300);
		register(BOB, 300);
		register(CAROL, 300);
		assert_eq!(candidates(), vec![(ALICE, 300), (BOB, 300), (CAROL, 300)]);
		run_to_session(2, None);
		assert_eq!(Session::validators(), vec![1, 2, ALICE, BOB]);
	});
}

#[test]
fn registering_checks_each_condition_and_changes_nothing_when_it_fails() {
	build_and_execute(|| {
		set_keys(1);
		assert_noop!(
			Validators::register_as_candidate(RuntimeOrigin::signed(1), 500),
			Error::<Test>::AlreadyAuthority
		);
		assert_noop!(
			Validators::register_as_candidate(RuntimeOrigin::signed(KEYLESS), 500),
			Error::<Test>::NoSessionKeys
		);
		set_keys(ALICE);
		assert_noop!(
			Validators::register_as_candidate(RuntimeOrigin::signed(ALICE), FLOOR - 1),
			Error::<Test>::BondBelowFloor
		);
		assert_noop!(
			Validators::register_as_candidate(RuntimeOrigin::signed(ALICE), ENDOWMENT + 1),
			Error::<Test>::InsufficientBalance
		);
		assert_ok!(Validators::register_as_candidate(RuntimeOrigin::signed(ALICE), FLOOR));
		assert_noop!(
			Validators::register_as_candidate(RuntimeOrigin::signed(ALICE), FLOOR),
			Error::<Test>::AlreadyCandidate
		);
		assert_noop!(Validators::register_as_candidate(RuntimeOrigin::none(), FLOOR), BadOrigin);
	});
}

#[test]
fn a_full_list_takes_a_newcomer_only_for_a_higher_bond() {
	build_and_execute(|| {
		register(ALICE, 400);
		register(BOB, 300);
		register(CAROL, 200);
		register(DAVE, 150);
		set_keys(EVE);
		// Matching the lowest bond is not enough: an equal bid cannot push anyone out.
		assert_noop!(
			Validators::register_as_candidate(RuntimeOrigin::signed(EVE), 150),
			Error::<Test>::CandidateListFull
		);
		assert_ok!(Validators::register_as_candidate(RuntimeOrigin::signed(EVE), 151));
		assert_eq!(candidates(), vec![(ALICE, 400), (BOB, 300), (CAROL, 200), (EVE, 151)]);
		assert_eq!(departed(DAVE), Some(Departure::Outbid));
		assert_eq!(Unlocking::<Test>::get(DAVE).map(|u| u.amount), Some(150));
		assert!(LastAuthoredBlock::<Test>::get(DAVE).is_none());
	});
}

#[test]
fn raising_a_bond_reorders_the_list() {
	build_and_execute(|| {
		register(ALICE, 400);
		register(BOB, 300);
		assert_noop!(
			Validators::raise_bond(RuntimeOrigin::signed(BOB), 0),
			Error::<Test>::ZeroRaise
		);
		assert_noop!(
			Validators::raise_bond(RuntimeOrigin::signed(CAROL), 10),
			Error::<Test>::NotCandidate
		);
		assert_noop!(
			Validators::raise_bond(RuntimeOrigin::signed(BOB), ENDOWMENT),
			Error::<Test>::InsufficientBalance
		);
		assert_ok!(Validators::raise_bond(RuntimeOrigin::signed(BOB), 101));
		assert_eq!(candidates(), vec![(BOB, 401), (ALICE, 400)]);
		assert_eq!(held(BOB), 401);
		System::assert_last_event(Event::BondRaised { who: BOB, bond: 401 }.into());
	});
}

#[test]
fn a_bond_unlocks_only_after_the_delay_and_blocks_a_new_candidacy_until_withdrawn() {
	build_and_execute(|| {
		assert_noop!(
			Validators::withdraw_bond(RuntimeOrigin::signed(ALICE)),
			Error::<Test>::NothingUnlocking
		);
		assert_noop!(
			Validators::leave_intent(RuntimeOrigin::signed(ALICE)),
			Error::<Test>::NotCandidate
		);
		register(ALICE, 500);
		assert_ok!(Validators::leave_intent(RuntimeOrigin::signed(ALICE)));
		let unlock_at = Unlocking::<Test>::get(ALICE).expect("unlocking").unlock_at;
		assert_eq!(unlock_at, 1 + 3 * PERIOD);
		assert_noop!(
			Validators::register_as_candidate(RuntimeOrigin::signed(ALICE), 500),
			Error::<Test>::BondStillUnlocking
		);
		run_to_block(unlock_at - 1, None);
		assert_noop!(
			Validators::withdraw_bond(RuntimeOrigin::signed(ALICE)),
			Error::<Test>::BondLocked
		);
		run_to_block(unlock_at, None);
		assert_ok!(Validators::withdraw_bond(RuntimeOrigin::signed(ALICE)));
		assert_eq!(held(ALICE), 0);
		assert_eq!(Balances::balance(&ALICE), ENDOWMENT);
		System::assert_last_event(Event::BondWithdrawn { who: ALICE, amount: 500 }.into());
		assert_ok!(Validators::register_as_candidate(RuntimeOrigin::signed(ALICE), 500));
	});
}

#[test]
fn a_validator_cannot_leave_below_the_minimum_set() {
	build_and_execute(|| {
		assert_ok!(Validators::set_authorities(RuntimeOrigin::root(), vec![1].try_into().unwrap()));
		register(ALICE, 500);
		assert_noop!(
			Validators::leave_intent(RuntimeOrigin::signed(ALICE)),
			Error::<Test>::TooFewValidators
		);
		// With a second candidate to take the seat, Alice may go.
		register(BOB, 400);
		assert_ok!(Validators::set_desired_candidates(RuntimeOrigin::root(), 1));
		assert_ok!(Validators::leave_intent(RuntimeOrigin::signed(ALICE)));
	});
}

#[test]
fn governance_calls_check_origin_and_bounds() {
	build_and_execute(|| {
		assert_noop!(
			Validators::set_desired_candidates(RuntimeOrigin::signed(ALICE), 1),
			BadOrigin
		);
		assert_noop!(Validators::set_candidacy_bond(RuntimeOrigin::signed(ALICE), 1), BadOrigin);
		assert_noop!(
			Validators::set_authorities(RuntimeOrigin::signed(ALICE), Default::default()),
			BadOrigin
		);
		assert_noop!(
			Validators::set_desired_candidates(RuntimeOrigin::root(), 5),
			Error::<Test>::TooManyDesiredCandidates
		);
		assert_noop!(
			Validators::set_authorities(RuntimeOrigin::root(), vec![1, 1].try_into().unwrap()),
			Error::<Test>::DuplicateAuthority
		);
		register(ALICE, 500);
		assert_noop!(
			Validators::set_authorities(RuntimeOrigin::root(), vec![1, ALICE].try_into().unwrap()),
			Error::<Test>::AuthorityIsCandidate
		);
		set_keys(BOB);
		assert_ok!(Validators::set_authorities(
			RuntimeOrigin::root(),
			vec![2, BOB].try_into().unwrap()
		));
		assert_eq!(Authorities::<Test>::get().into_inner(), vec![2, BOB]);
		run_to_session(2, None);
		assert_eq!(Session::validators(), vec![2, BOB, ALICE]);
	});
}

#[test]
fn an_idle_candidate_is_dropped_and_an_authoring_one_kept() {
	build_and_execute(|| {
		register(ALICE, 500);
		register(BOB, 400);
		run_to_session(2, None);
		assert_eq!(Session::validators(), vec![1, 2, ALICE, BOB]);
		// Alice authors every block from here; Bob never does.
		run_to_session(5, Some(ALICE));
		assert_eq!(departed(BOB), Some(Departure::Idle));
		assert_eq!(candidates(), vec![(ALICE, 500)]);
		assert_eq!(Unlocking::<Test>::get(BOB).map(|u| u.amount), Some(400));
		run_to_session(6, Some(ALICE));
		assert_eq!(Session::validators(), vec![1, 2, ALICE]);
	});
}

#[test]
fn idle_candidates_are_never_dropped_below_the_minimum_set() {
	build_and_execute(|| {
		assert_ok!(Validators::set_authorities(RuntimeOrigin::root(), vec![1].try_into().unwrap()));
		register(ALICE, 500);
		register(BOB, 400);
		run_to_session(2, None);
		assert_eq!(Session::validators(), vec![1, ALICE, BOB]);
		run_to_session(8, None);
		// Both were idle as long; dropping one leaves two, the minimum: the other stays.
		assert_eq!(candidates(), vec![(ALICE, 500)]);
		assert_eq!(departed(BOB), Some(Departure::Idle), "the lower bond goes first");
		assert_eq!(Session::validators(), vec![1, ALICE]);
	});
}

#[test]
fn a_new_validator_gets_the_whole_threshold_to_author() {
	build_and_execute(|| {
		register(ALICE, 500);
		// Registered at block 1, active from block 20: the threshold counts from then.
		run_to_session(2, None);
		assert_eq!(LastAuthoredBlock::<Test>::get(ALICE), Some(2 * PERIOD));
		run_to_session(3, None);
		assert!(departed(ALICE).is_none());
	});
}

#[test]
fn an_equivocation_burns_the_bond_share_and_removes_the_candidate() {
	build_and_execute(|| {
		register(ALICE, 1_000);
		register(BOB, 800);
		let issuance = Balances::total_issuance();
		// The offence's fraction when it exceeds the pallet's minimum...
		report_equivocation(ALICE, Perbill::from_percent(36));
		assert_eq!(TotalSlashed::<Test>::get(), 360);
		assert_eq!(Balances::total_issuance(), issuance - 360);
		assert_eq!(departed(ALICE), Some(Departure::Slashed));
		assert_eq!(Unlocking::<Test>::get(ALICE).map(|u| u.amount), Some(640));
		assert_eq!(held(ALICE), 640);
		assert_eq!(candidates(), vec![(BOB, 800)]);
		// ...and at least the minimum otherwise; a bond already unlocking is slashed too.
		report_equivocation(ALICE, Perbill::from_percent(1));
		assert_eq!(TotalSlashed::<Test>::get(), 360 + 64);
		assert_eq!(held(ALICE), 576);
		assert_eq!(Balances::total_issuance(), issuance - 424);
		// A slashed candidate cannot come straight back.
		assert_noop!(
			Validators::register_as_candidate(RuntimeOrigin::signed(ALICE), 500),
			Error::<Test>::BondStillUnlocking
		);
	});
}

#[test]
fn an_equivocating_authority_has_nothing_to_slash_and_is_reported() {
	build_and_execute(|| {
		let issuance = Balances::total_issuance();
		report_equivocation(1, Perbill::from_percent(50));
		System::assert_last_event(Event::AuthorityEquivocated { who: 1 }.into());
		report_equivocation(KEYLESS, Perbill::from_percent(50));
		assert_eq!(Balances::total_issuance(), issuance);
		assert_eq!(TotalSlashed::<Test>::get(), 0);
	});
}

#[test]
fn the_set_never_goes_empty() {
	build_and_execute(|| {
		assert_ok!(Validators::set_authorities(RuntimeOrigin::root(), Default::default()));
		run_to_session(3, None);
		assert_eq!(Session::validators(), AUTHORITIES.to_vec(), "an empty plan keeps the set");
	});
}

#[test]
fn the_genesis_session_length_drives_session_changes() {
	build_and_execute(|| {
		// The mock's default is 1,000 blocks; its genesis config sets PERIOD.
		assert_eq!(crate::SessionLength::<Test>::get(), PERIOD);
		run_to_block(PERIOD - 1, None);
		assert_eq!(Session::current_index(), 0);
		run_to_block(PERIOD, None);
		assert_eq!(Session::current_index(), 1);
		// The unlock delay counts sessions of that length.
		register(ALICE, FLOOR);
		assert_ok!(Validators::leave_intent(RuntimeOrigin::signed(ALICE)));
		assert_eq!(Unlocking::<Test>::get(ALICE).unwrap().unlock_at, PERIOD + 3 * PERIOD);
	});
}

#[test]
fn recovering_finality_tells_grandpa_and_checks_origin_and_block() {
	build_and_execute(|| {
		run_to_block(20, None);
		assert_noop!(Validators::recover_finality(RuntimeOrigin::signed(ALICE), 5, 10), BadOrigin);
		assert_noop!(
			Validators::recover_finality(RuntimeOrigin::root(), 5, 21),
			Error::<Test>::FinalizedAhead
		);
		assert_eq!(NotedStall::get(), None);
		assert_ok!(Validators::recover_finality(RuntimeOrigin::root(), 5, 20));
		assert_eq!(NotedStall::get(), Some((5, 20)));
		System::assert_last_event(
			Event::FinalityStallNoted { delay: 5, best_finalized: 20 }.into(),
		);
	});
}
