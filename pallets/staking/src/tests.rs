//! Tests of every call, error and slash path of provider staking; invariants checked after each.

use crate::{mock::*, *};
use frame_support::{assert_noop, assert_ok, traits::fungible::Inspect};
use sp_runtime::DispatchError::BadOrigin;

fn held(who: u64) -> u128 {
	Balances::balance_on_hold(&HoldReason::ProviderBond.into(), &who)
}

fn run_to_block(n: u64) {
	System::set_block_number(n);
}

#[test]
fn bond_holds_free_balance() {
	build_and_execute(|| {
		assert_ok!(Staking::bond(RuntimeOrigin::signed(PROVIDER), 4_000));
		assert_ok!(Staking::bond(RuntimeOrigin::signed(PROVIDER), 1_000));
		assert_eq!(Bonded::<Test>::get(PROVIDER), 5_000);
		assert_eq!(held(PROVIDER), 5_000);
		assert_eq!(Balances::balance(&PROVIDER), 5_000);
		System::assert_last_event(Event::Bonded { provider: PROVIDER, amount: 1_000 }.into());
	});
}

#[test]
fn bond_errors() {
	build_and_execute(|| {
		assert_noop!(Staking::bond(RuntimeOrigin::signed(PROVIDER), 0), Error::<Test>::ZeroAmount);
		assert_noop!(
			Staking::bond(RuntimeOrigin::signed(PROVIDER), 10_001),
			Error::<Test>::InsufficientBalance
		);
		assert_noop!(Staking::bond(RuntimeOrigin::none(), 1), BadOrigin);
	});
}

#[test]
fn unbond_then_withdraw_after_the_period() {
	build_and_execute(|| {
		assert_ok!(Staking::bond(RuntimeOrigin::signed(PROVIDER), 5_000));
		assert_ok!(Staking::unbond(RuntimeOrigin::signed(PROVIDER), 2_000));
		System::assert_last_event(
			Event::Unbonding { provider: PROVIDER, amount: 2_000, unlock_at: 11 }.into(),
		);
		assert_eq!(Bonded::<Test>::get(PROVIDER), 3_000);
		assert_eq!(held(PROVIDER), 5_000, "unbonding stake stays held");
		assert_noop!(
			Staking::withdraw_unbonded(RuntimeOrigin::signed(PROVIDER)),
			Error::<Test>::NothingToWithdraw
		);
		run_to_block(5);
		assert_ok!(Staking::unbond(RuntimeOrigin::signed(PROVIDER), 3_000));
		assert_eq!(Bonded::<Test>::get(PROVIDER), 0);
		assert!(!Bonded::<Test>::contains_key(PROVIDER));
		run_to_block(11);
		assert_ok!(Staking::withdraw_unbonded(RuntimeOrigin::signed(PROVIDER)));
		System::assert_last_event(Event::Withdrawn { provider: PROVIDER, amount: 2_000 }.into());
		assert_eq!(Balances::balance(&PROVIDER), 7_000);
		assert_eq!(Unbonding::<Test>::get(PROVIDER).len(), 1);
		run_to_block(15);
		assert_ok!(Staking::withdraw_unbonded(RuntimeOrigin::signed(PROVIDER)));
		assert_eq!(Balances::balance(&PROVIDER), 10_000);
		assert!(!Unbonding::<Test>::contains_key(PROVIDER));
		assert_eq!(held(PROVIDER), 0);
	});
}

#[test]
fn unbond_errors() {
	build_and_execute(|| {
		assert_noop!(
			Staking::unbond(RuntimeOrigin::signed(PROVIDER), 0),
			Error::<Test>::ZeroAmount
		);
		assert_noop!(
			Staking::unbond(RuntimeOrigin::signed(PROVIDER), 1),
			Error::<Test>::NotEnoughBonded
		);
		assert_ok!(Staking::bond(RuntimeOrigin::signed(PROVIDER), 300));
		assert_ok!(Staking::unbond(RuntimeOrigin::signed(PROVIDER), 100));
		assert_ok!(Staking::unbond(RuntimeOrigin::signed(PROVIDER), 100));
		assert_noop!(
			Staking::unbond(RuntimeOrigin::signed(PROVIDER), 100),
			Error::<Test>::TooManyChunks
		);
	});
}

#[test]
fn the_minimum_stake_is_governance_set_and_switches_eligibility() {
	build_and_execute(|| {
		assert!(!<Staking as ProviderStake<u64>>::stake_required());
		assert_noop!(
			Staking::set_min_provider_stake(RuntimeOrigin::signed(PROVIDER), 1_000),
			BadOrigin
		);
		assert_ok!(Staking::set_min_provider_stake(RuntimeOrigin::root(), 1_000));
		System::assert_last_event(Event::MinProviderStakeSet { amount: 1_000 }.into());
		assert!(<Staking as ProviderStake<u64>>::stake_required());
		assert!(!<Staking as ProviderStake<u64>>::has_min_stake(&PROVIDER));
		assert_ok!(Staking::bond(RuntimeOrigin::signed(PROVIDER), 1_000));
		assert!(<Staking as ProviderStake<u64>>::has_min_stake(&PROVIDER));
		assert_ok!(Staking::unbond(RuntimeOrigin::signed(PROVIDER), 1));
		assert!(
			!<Staking as ProviderStake<u64>>::has_min_stake(&PROVIDER),
			"unbonding stake does not count"
		);
	});
}

#[test]
fn expiry_slashes_a_small_fraction_and_burns_it() {
	build_and_execute(|| {
		assert_ok!(Staking::bond(RuntimeOrigin::signed(PROVIDER), 5_000));
		let before = Balances::total_issuance();
		<Staking as pallet_aitbc_jobs::OnJobExpired<u64>>::on_job_expired(&PROVIDER, 7);
		assert_eq!(TotalSlashed::<Test>::get(), 50, "1% of 5_000");
		assert_eq!(Bonded::<Test>::get(PROVIDER), 4_950);
		assert_eq!(held(PROVIDER), 4_950);
		assert_eq!(Balances::total_issuance(), before - 50);
		System::assert_last_event(Event::Slashed { provider: PROVIDER, amount: 50 }.into());
	});
}

#[test]
fn a_failed_check_slashes_active_then_unbonding_stake() {
	build_and_execute(|| {
		assert_ok!(Staking::bond(RuntimeOrigin::signed(PROVIDER), 1_000));
		assert_ok!(Staking::unbond(RuntimeOrigin::signed(PROVIDER), 800));
		// At stake: 200 active + 800 unbonding; 50% is 500: 200 active, then 300 unbonding.
		assert_eq!(Staking::slash_failed_check(&PROVIDER), 500);
		assert_eq!(Bonded::<Test>::get(PROVIDER), 0);
		assert_eq!(Unbonding::<Test>::get(PROVIDER)[0].amount, 500);
		assert_eq!(held(PROVIDER), 500);
		run_to_block(11);
		assert_ok!(Staking::withdraw_unbonded(RuntimeOrigin::signed(PROVIDER)));
		assert_eq!(Balances::balance(&PROVIDER), 9_500);
	});
}

#[test]
fn slashing_nothing_is_a_no_op() {
	build_and_execute(|| {
		assert_eq!(Staking::slash_failed_check(&OTHER), 0);
		assert_eq!(TotalSlashed::<Test>::get(), 0);
	});
}
