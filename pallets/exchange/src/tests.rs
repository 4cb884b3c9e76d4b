//! Tests of the exchange: every call and error, price-time priority, partial fills, holds,
//! self-trade prevention, expiry, bounds, and random order flows that conserve balances.

use crate::{mock::*, *};
use frame_support::{
	assert_noop, assert_ok,
	traits::{
		fungible::{Inspect as _, InspectHold as _},
		fungibles::{Inspect as _, InspectHold as _},
	},
};
use sp_runtime::DispatchError;

fn reason() -> RuntimeHoldReason {
	HoldReason::OpenOrder.into()
}
/// AIT the account owns, free and on hold.
fn ait(who: u64) -> u128 {
	Balances::total_balance(&who)
}
fn ait_held(who: u64) -> u128 {
	Balances::balance_on_hold(&reason(), &who)
}
/// Quote the account owns, free and on hold.
fn cash(who: u64) -> u128 {
	AssetsHolder::total_balance(USD, &who)
}
fn cash_held(who: u64) -> u128 {
	AssetsHolder::balance_on_hold(USD, &reason(), &who)
}
/// Places a limit order and returns its id.
fn limit(who: u64, side: Side, price: u128, lots: Lots) -> OrderId {
	let id = NextOrderId::<Test>::get();
	assert_ok!(Exchange::place_limit(RuntimeOrigin::signed(who), 0, side, price, lots, None));
	id
}
fn resting(id: OrderId) -> Lots {
	Orders::<Test>::get(id).map_or(0, |o| o.lots)
}
fn events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::Exchange(e) => Some(e),
			_ => None,
		})
		.collect()
}

#[test]
fn governance_opens_and_closes_pairs() {
	new_test_ext(|| {
		assert_noop!(
			Exchange::create_pair(RuntimeOrigin::signed(ALICE), USD, 1, 1, 1),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Exchange::create_pair(RuntimeOrigin::root(), USD, 0, 1, 1),
			Error::<Test>::InvalidPairTerms
		);
		assert_noop!(
			Exchange::create_pair(RuntimeOrigin::root(), USD, 1, 1, 0),
			Error::<Test>::InvalidPairTerms
		);
		assert_noop!(
			Exchange::create_pair(RuntimeOrigin::root(), 404, 1, 1, 1),
			Error::<Test>::UnknownAsset
		);
		assert_ok!(Assets::force_create(RuntimeOrigin::root(), 8, 1, true, 10));
		assert_noop!(
			Exchange::create_pair(RuntimeOrigin::root(), 8, 1, 5, 1),
			Error::<Test>::TickBelowAssetMinimum
		);
		assert_ok!(Exchange::create_pair(RuntimeOrigin::root(), USD, 100, 1, 2));
		assert_eq!(Pairs::<Test>::get(1).unwrap().lot, 100);
		assert_noop!(
			Exchange::set_pair_open(RuntimeOrigin::signed(ALICE), 0, false),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Exchange::set_pair_open(RuntimeOrigin::root(), 9, false),
			Error::<Test>::UnknownPair
		);
		let id = limit(ALICE, Side::Sell, 50, 1);
		assert_ok!(Exchange::set_pair_open(RuntimeOrigin::root(), 0, false));
		assert_noop!(
			Exchange::place_limit(RuntimeOrigin::signed(BOB), 0, Side::Buy, 50, 1, None),
			Error::<Test>::PairClosed
		);
		assert_noop!(
			Exchange::place_market(RuntimeOrigin::signed(BOB), 0, Side::Buy, 1, 50),
			Error::<Test>::PairClosed
		);
		// A closed pair's resting orders can still be cancelled.
		assert_ok!(Exchange::cancel(RuntimeOrigin::signed(ALICE), id));
		assert_eq!(ait_held(ALICE), 0);
	});
}

#[test]
fn bad_orders_are_refused_with_their_error_and_change_nothing() {
	new_test_ext(|| {
		let signed = RuntimeOrigin::signed(ALICE);
		assert_noop!(
			Exchange::place_limit(signed.clone(), 5, Side::Buy, 50, 1, None),
			Error::<Test>::UnknownPair
		);
		assert_noop!(
			Exchange::place_limit(signed.clone(), 0, Side::Buy, 0, 1, None),
			Error::<Test>::InvalidPrice
		);
		assert_noop!(
			Exchange::place_limit(signed.clone(), 0, Side::Buy, 52, 1, None),
			Error::<Test>::InvalidPrice
		);
		assert_noop!(
			Exchange::place_limit(signed.clone(), 0, Side::Buy, 50, 0, None),
			Error::<Test>::BelowMinimum
		);
		assert_noop!(
			Exchange::place_limit(signed.clone(), 0, Side::Buy, 50, 1, Some(0)),
			Error::<Test>::InvalidExpiry
		);
		assert_noop!(
			Exchange::place_limit(signed.clone(), 0, Side::Buy, 50, 1, Some(101)),
			Error::<Test>::InvalidExpiry
		);
		assert_noop!(
			Exchange::place_market(signed.clone(), 0, Side::Buy, 1, 0),
			Error::<Test>::InvalidPrice
		);
		assert_noop!(
			Exchange::place_market(signed.clone(), 0, Side::Buy, 1, 100),
			Error::<Test>::NoLiquidity
		);
		assert_noop!(Exchange::cancel(signed.clone(), 42), Error::<Test>::UnknownOrder);
		// More than the account holds: the hold fails, nothing rests.
		assert!(Exchange::place_limit(signed.clone(), 0, Side::Buy, 5_000, 1_000, None).is_err());
		assert!(Exchange::place_limit(signed, 0, Side::Sell, 50, 1_000_000, None).is_err());
		assert_eq!((cash_held(ALICE), ait_held(ALICE)), (0, 0));
		assert_eq!(Orders::<Test>::iter().count(), 0);
	});
}

#[test]
fn a_resting_order_holds_its_funds_in_its_owners_account() {
	new_test_ext(|| {
		let sell = limit(ALICE, Side::Sell, 50, 3);
		assert_eq!(ait_held(ALICE), 3 * LOT);
		assert_eq!(ait(ALICE), AIT, "held, not moved: the total stays the owner's");
		let buy = limit(BOB, Side::Buy, 45, 4);
		assert_eq!(cash_held(BOB), 4 * 45);
		assert_eq!(Levels::<Test>::get(0, Side::Sell).into_inner(), vec![50]);
		assert_eq!(Levels::<Test>::get(0, Side::Buy).into_inner(), vec![45]);
		assert_eq!(Exchange::depth(0, 10), BookDepth { bids: vec![(45, 4)], asks: vec![(50, 3)] });
		assert_eq!(Exchange::open_orders(&ALICE).len(), 1);
		assert_noop!(Exchange::cancel(RuntimeOrigin::signed(BOB), sell), Error::<Test>::NotOwner);
		assert_ok!(Exchange::cancel(RuntimeOrigin::signed(BOB), buy));
		assert_eq!((cash_held(BOB), cash(BOB)), (0, CASH));
		assert!(Levels::<Test>::get(0, Side::Buy).is_empty());
		assert!(AccountOrders::<Test>::get(BOB).is_empty());
	});
}

#[test]
fn a_crossing_limit_order_trades_at_the_makers_price_and_rests_the_rest() {
	new_test_ext(|| {
		let ask = limit(ALICE, Side::Sell, 50, 2);
		// Bob bids 60 for 5 lots: 2 trade at Alice's 50, 3 rest at 60.
		let bid = limit(BOB, Side::Buy, 60, 5);
		assert_eq!(resting(ask), 0);
		assert_eq!(resting(bid), 3);
		assert_eq!(ait(BOB), AIT + 2 * LOT);
		assert_eq!(ait(ALICE), AIT - 2 * LOT);
		assert_eq!(cash(ALICE), CASH + 2 * 50);
		assert_eq!(cash(BOB), CASH - 2 * 50, "paid the maker's price, not the limit");
		assert_eq!(cash_held(BOB), 3 * 60);
		assert_eq!(ait_held(ALICE), 0);
		assert!(events().contains(&Event::Traded {
			pair: 0,
			maker_order: ask,
			taker_order: bid,
			maker: ALICE,
			taker: BOB,
			taker_side: Side::Buy,
			price: 50,
			lots: 2,
		}));
		assert!(events().contains(&Event::OrderPlaced {
			order: bid,
			pair: 0,
			owner: BOB,
			side: Side::Buy,
			price: Some(60),
			lots: 5,
			filled: 2,
			resting: 3,
		}));
		assert_eq!(Exchange::recent_trades(0).len(), 1);
	});
}

#[test]
fn price_then_time_priority_and_partial_fills() {
	new_test_ext(|| {
		let first_at_55 = limit(ALICE, Side::Sell, 55, 2);
		let second_at_55 = limit(BOB, Side::Sell, 55, 2);
		let at_50 = limit(CAROL, Side::Sell, 50, 1);
		assert_eq!(Levels::<Test>::get(0, Side::Sell).into_inner(), vec![50, 55]);
		// Dave takes 4 lots: Carol's 50 first, then Alice's (earlier) 55, then 1 of Bob's.
		assert_ok!(Exchange::place_market(RuntimeOrigin::signed(DAVE), 0, Side::Buy, 4, 55));
		assert_eq!((resting(at_50), resting(first_at_55), resting(second_at_55)), (0, 0, 1));
		assert_eq!(cash(DAVE), CASH - 50 - 2 * 55 - 55);
		assert!(events().contains(&Event::OrderFilled {
			order: second_at_55,
			lots: 1,
			remaining: 1
		}));
		assert_eq!(ait_held(BOB), LOT, "the partly filled maker keeps the rest on hold");
		let trades = Exchange::recent_trades(0);
		assert_eq!(trades.len(), 3, "the newest 3 kept");
		assert_eq!(trades[0].maker, BOB, "newest first");
	});
}

#[test]
fn a_market_order_stops_at_its_worst_price_and_drops_the_rest() {
	new_test_ext(|| {
		limit(ALICE, Side::Buy, 50, 1);
		let far = limit(BOB, Side::Buy, 30, 1);
		// Carol sells 3 lots, none below 40: one trades at 50; the rest is dropped, not rested.
		assert_ok!(Exchange::place_market(RuntimeOrigin::signed(CAROL), 0, Side::Sell, 3, 40));
		assert_eq!(cash(CAROL), CASH + 50);
		assert_eq!(ait(CAROL), AIT - LOT);
		assert_eq!(resting(far), 1);
		assert!(Exchange::open_orders(&CAROL).is_empty());
		assert_noop!(
			Exchange::place_market(RuntimeOrigin::signed(CAROL), 0, Side::Sell, 1, 40),
			Error::<Test>::NoLiquidity
		);
	});
}

#[test]
fn an_order_meeting_its_owners_resting_order_cancels_that_one() {
	new_test_ext(|| {
		let own = limit(ALICE, Side::Sell, 50, 2);
		let other = limit(BOB, Side::Sell, 55, 1);
		// Alice bids 55 for 2: her own ask is cancelled (released), Bob's trades.
		let bid = limit(ALICE, Side::Buy, 55, 2);
		assert_eq!(resting(own), 0);
		assert_eq!(resting(other), 0);
		assert_eq!(resting(bid), 1);
		assert_eq!(ait_held(ALICE), 0);
		assert_eq!(ait(ALICE), AIT + LOT);
		assert!(events().contains(&Event::OrderCancelled {
			order: own,
			owner: ALICE,
			remaining: 2,
			reason: CancelReason::SelfTrade,
		}));
	});
}

#[test]
fn orders_expire_at_the_start_of_their_block_and_release_their_hold() {
	new_test_ext(|| {
		assert_ok!(Exchange::place_limit(
			RuntimeOrigin::signed(ALICE),
			0,
			Side::Sell,
			50,
			2,
			Some(3)
		));
		assert_ok!(Exchange::place_limit(RuntimeOrigin::signed(BOB), 0, Side::Buy, 40, 2, Some(3)));
		// Two orders already expire in block 4: a third is refused.
		assert_noop!(
			Exchange::place_limit(RuntimeOrigin::signed(CAROL), 0, Side::Buy, 40, 1, Some(3)),
			Error::<Test>::ExpiryFull
		);
		run_to(3);
		assert_eq!(Orders::<Test>::iter().count(), 2);
		run_to(4);
		assert_eq!(Orders::<Test>::iter().count(), 0);
		assert_eq!((ait_held(ALICE), cash_held(BOB)), (0, 0));
		assert!(Expiries::<Test>::get(4).is_empty());
		assert!(events()
			.iter()
			.any(|e| matches!(e, Event::OrderCancelled { reason: CancelReason::Expired, .. })));
	});
}

#[test]
fn cancel_all_cancels_the_callers_orders_of_a_pair_or_of_all() {
	new_test_ext(|| {
		assert_ok!(Exchange::create_pair(RuntimeOrigin::root(), USD, 1, 1, 1));
		limit(ALICE, Side::Sell, 50, 1);
		limit(ALICE, Side::Buy, 20, 1);
		assert_ok!(Exchange::place_limit(RuntimeOrigin::signed(ALICE), 1, Side::Sell, 9, 1, None));
		let bobs = limit(BOB, Side::Sell, 60, 1);
		assert_ok!(Exchange::cancel_all(RuntimeOrigin::signed(ALICE), Some(0)));
		assert_eq!(Exchange::open_orders(&ALICE).len(), 1);
		assert_ok!(Exchange::cancel_all(RuntimeOrigin::signed(ALICE), None));
		assert!(Exchange::open_orders(&ALICE).is_empty());
		assert_eq!((ait_held(ALICE), cash_held(ALICE)), (0, 0));
		assert_eq!(resting(bobs), 1, "others' orders stay");
	});
}

#[test]
fn every_bound_has_its_error() {
	new_test_ext(|| {
		// Orders per level: 3.
		for who in [ALICE, BOB, CAROL] {
			limit(who, Side::Sell, 100, 1);
		}
		assert_noop!(
			Exchange::place_limit(RuntimeOrigin::signed(DAVE), 0, Side::Sell, 100, 1, None),
			Error::<Test>::LevelFull
		);
		// Levels per side: 4.
		for price in [105, 110, 115] {
			limit(DAVE, Side::Sell, price, 1);
		}
		assert_noop!(
			Exchange::place_limit(RuntimeOrigin::signed(DAVE), 0, Side::Sell, 120, 1, None),
			Error::<Test>::BookFull
		);
		// A better price takes the worst level's room: that order is cancelled, its hold freed.
		let worst = Queues::<Test>::get((0, Side::Sell), 115)[0];
		let info = Exchange::place_limit(RuntimeOrigin::signed(CAROL), 0, Side::Sell, 95, 1, None)
			.unwrap();
		assert_eq!(
			info.actual_weight,
			Some(
				<() as WeightInfo>::place_limit_resting()
					.saturating_add(<() as WeightInfo>::cancel())
			)
		);
		assert_eq!(Levels::<Test>::get(0, Side::Sell).into_inner(), vec![95, 100, 105, 110]);
		assert!(events().contains(&Event::OrderCancelled {
			order: worst,
			owner: DAVE,
			remaining: 1,
			reason: CancelReason::Evicted,
		}));
		assert_eq!(ait_held(DAVE), 2 * LOT);
		// Orders per account: 5 (Dave has 2 asks left).
		for _ in 0..3 {
			limit(DAVE, Side::Buy, 10, 1);
		}
		assert_noop!(
			Exchange::place_limit(RuntimeOrigin::signed(DAVE), 0, Side::Sell, 105, 1, None),
			Error::<Test>::TooManyOrders
		);
	});
}

#[test]
fn evictions_count_against_max_fills() {
	new_test_ext(|| {
		// Bids at 4 prices (MaxLevels), the worst (30) holding 3 orders; asks at 50 and 55.
		for (who, price) in [(ALICE, 45), (ALICE, 40), (ALICE, 35)] {
			limit(who, Side::Buy, price, 1);
		}
		for who in [BOB, CAROL, DAVE] {
			limit(who, Side::Buy, 30, 1);
		}
		let bob_ask = limit(BOB, Side::Sell, 50, 1);
		limit(CAROL, Side::Sell, 50, 1);
		// A bid at 50 for 3 lots trades with both asks (2 of its 4 touches), then would rest a
		// new best level: evicting the 3 orders at 30 would exceed its budget. Refused whole.
		let before = (cash(ALICE), cash_held(ALICE), ait(BOB), ait(CAROL));
		assert_noop!(
			Exchange::place_limit(RuntimeOrigin::signed(ALICE), 0, Side::Buy, 50, 3, None),
			Error::<Test>::BookFull
		);
		assert_eq!((cash(ALICE), cash_held(ALICE), ait(BOB), ait(CAROL)), before);
		// With one trade, 3 touches remain: the level at 30 is evicted, and the weight charged
		// is that of one fill and three cancels, below the worst case charged up front.
		assert_ok!(Exchange::cancel(RuntimeOrigin::signed(BOB), bob_ask));
		let info =
			Exchange::place_limit(RuntimeOrigin::signed(ALICE), 0, Side::Buy, 50, 2, None).unwrap();
		let used = <() as WeightInfo>::place_limit(1)
			.saturating_add(<() as WeightInfo>::cancel().saturating_mul(3));
		assert_eq!(info.actual_weight, Some(used));
		assert!(used.all_lte(Exchange::place_limit_worst_case()));
		assert_eq!(Levels::<Test>::get(0, Side::Buy).into_inner(), vec![50, 45, 40, 35]);
		assert_eq!(cash_held(DAVE), 0);
	});
}

#[test]
fn an_order_may_touch_at_most_max_fills_resting_orders() {
	new_test_ext(|| {
		for (who, price) in [(ALICE, 50), (BOB, 50), (CAROL, 50), (ALICE, 55), (BOB, 55)] {
			limit(who, Side::Sell, price, 1);
		}
		// A limit bid for 5 lots at 55 would need 5 makers (MaxFills is 4): refused whole.
		assert_noop!(
			Exchange::place_limit(RuntimeOrigin::signed(DAVE), 0, Side::Buy, 55, 5, None),
			Error::<Test>::CrossesTooDeep
		);
		// A market order takes what 4 makers offer, and its weight is refunded to 4 fills.
		let info =
			Exchange::place_market(RuntimeOrigin::signed(DAVE), 0, Side::Buy, 5, 55).unwrap();
		assert_eq!(info.actual_weight, Some(<() as WeightInfo>::place_market(4)));
		assert_eq!(ait(DAVE), AIT + 4 * LOT);
		assert_eq!(Exchange::depth(0, 10).asks, vec![(55, 1)]);
		// Four trades in one order, three kept: the newest, newest first.
		let recent = Exchange::recent_trades(0);
		assert_eq!(
			recent.iter().map(|t| (t.maker, t.price)).collect::<Vec<_>>(),
			vec![(ALICE, 55), (CAROL, 50), (BOB, 50)]
		);
	});
}

/// A tiny deterministic generator (xorshift), so the property test needs no crate.
struct Rng(u64);
impl Rng {
	fn next(&mut self) -> u64 {
		self.0 ^= self.0 << 13;
		self.0 ^= self.0 >> 7;
		self.0 ^= self.0 << 17;
		self.0
	}
	fn below(&mut self, n: u64) -> u64 {
		self.next() % n
	}
}

#[test]
fn random_order_flows_conserve_balances_and_keep_the_book_sound() {
	let (mut trades, mut rested, mut expired) = (0, 0, 0);
	for seed in 1..=40u64 {
		new_test_ext(|| {
			let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
			let total_ait: u128 = (1..=4).map(ait).sum();
			let total_cash: u128 = (1..=4).map(cash).sum();
			for step in 0..120 {
				let who = 1 + rng.below(4);
				let side = if rng.below(2) == 0 { Side::Buy } else { Side::Sell };
				let price = 5 * (8 + rng.below(8) as u128);
				let lots = 1 + rng.below(4);
				let origin = RuntimeOrigin::signed(who);
				let _ = match rng.below(10) {
					0..=5 => {
						let expiry = (rng.below(3) == 0).then(|| 1 + rng.below(5));
						Exchange::place_limit(origin, 0, side, price, lots, expiry).is_ok()
					},
					6 | 7 => Exchange::place_market(origin, 0, side, lots, price).is_ok(),
					8 => match Exchange::open_orders(&who).first() {
						Some((id, _)) => Exchange::cancel(origin, *id).is_ok(),
						None => false,
					},
					_ => Exchange::cancel_all(origin, None).is_ok(),
				};
				if step % 10 == 9 {
					run_to(System::block_number() + 1);
				}
				Exchange::do_try_state()
					.unwrap_or_else(|e| panic!("seed {seed} step {step}: {e:?}"));
				assert_eq!((1..=4).map(ait).sum::<u128>(), total_ait, "seed {seed}: AIT conserved");
				assert_eq!(
					(1..=4).map(cash).sum::<u128>(),
					total_cash,
					"seed {seed}: quote conserved"
				);
			}
			for event in events() {
				match event {
					Event::Traded { .. } => trades += 1,
					Event::OrderPlaced { resting, .. } if resting > 0 => rested += 1,
					Event::OrderCancelled { reason: CancelReason::Expired, .. } => expired += 1,
					_ => {},
				}
			}
		});
	}
	// The flows exercised the book: many trades, resting orders and expiries.
	assert!(
		trades > 500 && rested > 500 && expired > 20,
		"{trades} trades, {rested} rested, {expired} expired"
	);
}

#[test]
fn a_failure_after_fills_undoes_the_fills() {
	new_test_ext(|| {
		let first = limit(ALICE, Side::Sell, 50, 1);
		let second = limit(BOB, Side::Sell, 55, 1);
		// Carol can pay for the first fill but not the second: nothing trades.
		let poor = 99;
		assert_ok!(<Assets as frame_support::traits::fungibles::Mutate<u64>>::mint_into(
			USD, &poor, 60
		));
		assert_ok!(<Balances as frame_support::traits::fungible::Mutate<u64>>::mint_into(
			&poor, 100
		));
		assert_noop!(
			Exchange::place_market(RuntimeOrigin::signed(poor), 0, Side::Buy, 2, 55),
			sp_runtime::TokenError::FundsUnavailable
		);
		assert_eq!((resting(first), resting(second)), (1, 1));
		// Dave trades with Alice, then cannot rest the rest (his order list is full): undone.
		for price in [5, 5, 10, 10, 15] {
			limit(DAVE, Side::Buy, price, 1);
		}
		assert_noop!(
			Exchange::place_limit(RuntimeOrigin::signed(DAVE), 0, Side::Buy, 50, 2, None),
			Error::<Test>::TooManyOrders
		);
		assert_eq!(resting(first), 1);
	});
}

#[test]
fn a_market_order_meeting_only_its_owners_orders_changes_nothing() {
	new_test_ext(|| {
		let own = limit(ALICE, Side::Sell, 50, 2);
		assert_noop!(
			Exchange::place_market(RuntimeOrigin::signed(ALICE), 0, Side::Buy, 1, 50),
			Error::<Test>::NoLiquidity
		);
		assert_eq!(resting(own), 2, "the self-trade cancellation was undone with the order");
	});
}

#[test]
fn amounts_that_overflow_are_refused() {
	new_test_ext(|| {
		assert_noop!(
			Exchange::place_limit(
				RuntimeOrigin::signed(ALICE),
				0,
				Side::Buy,
				u128::MAX / 5 * 5,
				2,
				None
			),
			Error::<Test>::Overflow
		);
	});
}

#[test]
fn a_partly_filled_order_expires_with_the_rest_released() {
	new_test_ext(|| {
		assert_ok!(Exchange::place_limit(
			RuntimeOrigin::signed(ALICE),
			0,
			Side::Sell,
			50,
			3,
			Some(2)
		));
		limit(BOB, Side::Buy, 50, 1);
		assert_eq!(ait_held(ALICE), 2 * LOT);
		run_to(3);
		assert_eq!((ait_held(ALICE), ait(ALICE)), (0, AIT - LOT));
		assert!(!Expiries::<Test>::contains_key(3), "the slot is gone");
		assert!(events().contains(&Event::OrderCancelled {
			order: 0,
			owner: ALICE,
			remaining: 2,
			reason: CancelReason::Expired,
		}));
	});
}

#[test]
fn a_cancelled_order_leaves_no_expiry_slot_behind() {
	new_test_ext(|| {
		let id = NextOrderId::<Test>::get();
		assert_ok!(Exchange::place_limit(
			RuntimeOrigin::signed(ALICE),
			0,
			Side::Sell,
			50,
			1,
			Some(9)
		));
		assert!(Expiries::<Test>::contains_key(10));
		assert_ok!(Exchange::cancel(RuntimeOrigin::signed(ALICE), id));
		assert!(!Expiries::<Test>::contains_key(10));
		assert!(!AccountOrders::<Test>::contains_key(ALICE));
	});
}

#[test]
fn a_limit_order_is_charged_for_the_fills_it_made() {
	new_test_ext(|| {
		limit(ALICE, Side::Sell, 50, 1);
		let info =
			Exchange::place_limit(RuntimeOrigin::signed(BOB), 0, Side::Buy, 50, 3, None).unwrap();
		assert_eq!(info.actual_weight, Some(<() as WeightInfo>::place_limit(1)));
	});
}

#[test]
fn an_accounts_first_buy_is_feeless_only_while_it_holds_no_ait_and_will_trade() {
	use frame_support::{dispatch::CheckIfFeeless, traits::fungibles::Mutate as _};
	new_test_ext(|| {
		// Account 5 holds quote and no AIT; account 6 too little quote for one lot at 50.
		Assets::mint_into(USD, &5, CASH).unwrap();
		Assets::mint_into(USD, &6, 40).unwrap();
		limit(ALICE, Side::Sell, 50, 2);
		let buy = |side, lots, worst_price| Call::<Test>::place_market {
			pair: 0,
			side,
			lots,
			worst_price,
		};
		let signed = RuntimeOrigin::signed;
		assert!(buy(Side::Buy, 2, 50).is_feeless(&signed(5)));
		// A sell, a worst price below the best ask, more than its quote pays, an account with
		// AIT, an unknown pair: charged as usual.
		assert!(!buy(Side::Sell, 1, 50).is_feeless(&signed(5)));
		assert!(!buy(Side::Buy, 1, 45).is_feeless(&signed(5)));
		assert!(!buy(Side::Buy, 1, 50).is_feeless(&signed(6)));
		assert!(!buy(Side::Buy, 1, 50).is_feeless(&signed(BOB)));
		assert!(!Call::<Test>::place_market { pair: 9, side: Side::Buy, lots: 1, worst_price: 50 }
			.is_feeless(&signed(5)));
		// Nor a closed pair, nor a buy below the minimum.
		assert_ok!(Exchange::set_pair_open(RuntimeOrigin::root(), 0, false));
		assert!(!buy(Side::Buy, 1, 50).is_feeless(&signed(5)));
		assert_ok!(Exchange::set_pair_open(RuntimeOrigin::root(), 0, true));
		assert!(!buy(Side::Buy, 0, 50).is_feeless(&signed(5)));
		// The free order trades; the buyer then holds AIT and pays for the next one.
		assert_ok!(Exchange::place_market(signed(5), 0, Side::Buy, 1, 50));
		assert_eq!(ait(5), LOT);
		assert_eq!(cash(5), CASH - 50);
		assert!(!buy(Side::Buy, 1, 50).is_feeless(&signed(5)));
	});
}
