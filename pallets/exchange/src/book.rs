//! The book's mechanics: matching an incoming order, resting, removing and expiring orders,
//! settling trades, the read-outs for the runtime API, and the invariants `try_state` checks.

use super::*;
use alloc::vec::Vec;
use frame_support::traits::{
	fungible::{Mutate as _, MutateHold as _},
	fungibles::{Mutate as _, MutateHold as _},
	tokens::{Fortitude, Precision, Preservation, Restriction},
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{traits::CheckedMul, DispatchError, DispatchResult};

impl<T: Config> Pallet<T> {
	/// The pair's terms, if it exists and takes orders.
	pub(crate) fn open_pair(pair: PairId) -> Result<PairOf<T>, DispatchError> {
		let terms = Pairs::<T>::get(pair).ok_or(Error::<T>::UnknownPair)?;
		ensure!(terms.open, Error::<T>::PairClosed);
		Ok(terms)
	}

	pub(crate) fn take_order_id() -> Result<OrderId, DispatchError> {
		let id = NextOrderId::<T>::get();
		NextOrderId::<T>::put(id.checked_add(1).ok_or(Error::<T>::Overflow)?);
		Ok(id)
	}

	fn lots_balance(lots: Lots) -> Result<BalanceOf<T>, DispatchError> {
		BalanceOf::<T>::try_from(lots).map_err(|_| Error::<T>::Overflow.into())
	}

	/// AIT in `lots` lots.
	pub(crate) fn base_amount(
		terms: &PairOf<T>,
		lots: Lots,
	) -> Result<BalanceOf<T>, DispatchError> {
		terms.lot.checked_mul(&Self::lots_balance(lots)?).ok_or(Error::<T>::Overflow.into())
	}

	/// Quote for `lots` lots at `price`.
	pub(crate) fn quote_amount(
		price: BalanceOf<T>,
		lots: Lots,
	) -> Result<BalanceOf<T>, DispatchError> {
		price.checked_mul(&Self::lots_balance(lots)?).ok_or(Error::<T>::Overflow.into())
	}

	/// Trades incoming order `order` of `who` (up to `lots` at `limit` or better) against the
	/// other side, best price first and in arrival order within a price, touching at most
	/// `MaxFills` resting orders. Returns the lots filled and the resting orders touched.
	pub(crate) fn take(
		who: &T::AccountId,
		order: OrderId,
		pair: PairId,
		terms: &PairOf<T>,
		side: Side,
		limit: BalanceOf<T>,
		lots: Lots,
	) -> Result<(Lots, u32), DispatchError> {
		let other = side.opposite();
		let mut levels = Levels::<T>::get(pair, other);
		let mut remaining = lots;
		let mut touched = 0u32;
		let mut emptied_levels = 0usize;
		// Kept for the runtime API once, after the matching, not rewritten at every fill.
		let mut trades = Vec::new();
		for &price in levels.iter() {
			if remaining == 0 || touched >= T::MaxFills::get() || !side.crosses(&price, &limit) {
				break;
			}
			let mut queue = Queues::<T>::get((pair, other), price);
			let mut done = 0usize;
			for &maker_id in queue.iter() {
				if remaining == 0 || touched >= T::MaxFills::get() {
					break;
				}
				touched = touched.saturating_add(1);
				let mut maker = Orders::<T>::get(maker_id).ok_or(Error::<T>::Corrupt)?;
				if &maker.owner == who {
					// Self-trade prevention: the resting order is cancelled, not traded (its queue
					// entry goes with the ones consumed below).
					Self::cancel_unqueued(maker_id, &maker, terms, CancelReason::SelfTrade)?;
					done = done.saturating_add(1);
					continue;
				}
				let fill = remaining.min(maker.lots);
				Self::settle(terms, side, who, &maker, fill)?;
				remaining -= fill;
				maker.lots -= fill;
				trades.push(Self::trade(pair, maker_id, order, &maker, who, side, fill));
				Self::deposit_event(Event::OrderFilled {
					order: maker_id,
					lots: fill,
					remaining: maker.lots,
				});
				if maker.lots == 0 {
					Self::forget(maker_id, &maker)?;
					done = done.saturating_add(1);
				} else {
					Orders::<T>::insert(maker_id, &maker);
				}
			}
			if done == queue.len() {
				Queues::<T>::remove((pair, other), price);
				emptied_levels = emptied_levels.saturating_add(1);
			} else {
				if done > 0 {
					queue = BoundedVec::truncate_from(queue.into_iter().skip(done).collect());
				}
				Queues::<T>::insert((pair, other), price, queue);
				break;
			}
		}
		if emptied_levels > 0 {
			levels = BoundedVec::truncate_from(levels.into_iter().skip(emptied_levels).collect());
			if levels.is_empty() {
				Levels::<T>::remove(pair, other);
			} else {
				Levels::<T>::insert(pair, other, &levels);
			}
		}
		Self::keep_recent(pair, trades);
		Ok((lots.saturating_sub(remaining), touched))
	}

	/// Appends `trades` to the pair's recent trades, dropping the oldest beyond the bound.
	fn keep_recent(pair: PairId, trades: Vec<TradeOf<T>>) {
		if trades.is_empty() {
			return;
		}
		RecentTrades::<T>::mutate(pair, |recent| {
			let bound = T::MaxRecentTrades::get() as usize;
			let mut all = core::mem::take(recent).into_inner();
			all.extend(trades);
			let skip = all.len().saturating_sub(bound);
			*recent = BoundedVec::truncate_from(all.into_iter().skip(skip).collect());
		});
	}

	/// Whether a resting order on the other side still crosses `limit` (after `take`): then the
	/// rest of an order may not rest, or the book would be crossed.
	pub(crate) fn still_crosses(pair: PairId, side: Side, limit: &BalanceOf<T>) -> bool {
		Levels::<T>::get(pair, side.opposite())
			.first()
			.is_some_and(|best| side.crosses(best, limit))
	}

	/// One fill of `lots` between taker `taker` (on `side`) and resting `maker`, at the maker's
	/// price: the maker's held funds go to the taker, the taker's free funds to the maker.
	fn settle(
		terms: &PairOf<T>,
		side: Side,
		taker: &T::AccountId,
		maker: &OrderOf<T>,
		lots: Lots,
	) -> DispatchResult {
		let base = Self::base_amount(terms, lots)?;
		let quote = Self::quote_amount(maker.price, lots)?;
		let reason = HoldReason::OpenOrder.into();
		// The maker's held funds were committed to its order: they move even if the maker froze
		// its account since (`Force`), so one maker cannot make every taker fail.
		match side {
			Side::Buy => {
				T::Currency::transfer_on_hold(
					&reason,
					&maker.owner,
					taker,
					base,
					Precision::Exact,
					Restriction::Free,
					Fortitude::Force,
				)?;
				T::Assets::transfer(
					terms.quote,
					taker,
					&maker.owner,
					quote,
					Preservation::Expendable,
				)?;
			},
			Side::Sell => {
				T::AssetHolds::transfer_on_hold(
					terms.quote,
					&reason,
					&maker.owner,
					taker,
					quote,
					Precision::Exact,
					Restriction::Free,
					Fortitude::Force,
				)?;
				T::Currency::transfer(taker, &maker.owner, base, Preservation::Preserve)?;
			},
		}
		Ok(())
	}

	/// A fill's trade, announced (`Traded`); the caller keeps it among the recent trades.
	fn trade(
		pair: PairId,
		maker_order: OrderId,
		taker_order: OrderId,
		maker: &OrderOf<T>,
		taker: &T::AccountId,
		taker_side: Side,
		lots: Lots,
	) -> TradeOf<T> {
		let trade = Trade {
			maker_order,
			taker_order,
			maker: maker.owner.clone(),
			taker: taker.clone(),
			taker_side,
			price: maker.price,
			lots,
			block: frame_system::Pallet::<T>::block_number(),
		};
		Self::deposit_event(Event::Traded {
			pair,
			maker_order,
			taker_order,
			maker: maker.owner.clone(),
			taker: taker.clone(),
			taker_side,
			price: maker.price,
			lots,
		});
		trade
	}

	/// Puts `lots` of order `order` on the book at `price`, holding its funds; returns how many
	/// orders it evicted to make room for a new price level (at most `evict_budget`: what is left
	/// of the order's `MaxFills` after its trades).
	#[allow(clippy::too_many_arguments)]
	pub(crate) fn rest(
		order: OrderId,
		who: &T::AccountId,
		pair: PairId,
		terms: &PairOf<T>,
		side: Side,
		price: BalanceOf<T>,
		lots: Lots,
		placed_lots: Lots,
		now: BlockNumberFor<T>,
		expires_at: Option<BlockNumberFor<T>>,
		evict_budget: u32,
	) -> Result<u32, DispatchError> {
		let resting = Order {
			owner: who.clone(),
			pair,
			side,
			price,
			lots,
			placed_lots,
			placed_at: now,
			expires_at,
		};
		Self::hold(terms, &resting)?;
		AccountOrders::<T>::try_mutate(who, |orders| orders.try_push(order))
			.map_err(|_| Error::<T>::TooManyOrders)?;
		if let Some(at) = expires_at {
			Expiries::<T>::try_mutate(at, |due| due.try_push(order))
				.map_err(|_| Error::<T>::ExpiryFull)?;
		}
		Queues::<T>::try_mutate((pair, side), price, |queue| queue.try_push(order))
			.map_err(|_| Error::<T>::LevelFull)?;
		let evicted = Self::make_room(pair, side, price, evict_budget)?;
		Levels::<T>::try_mutate(pair, side, |levels| -> DispatchResult {
			match levels.iter().position(|p| !side.before(p, &price)) {
				Some(i) if levels[i] == price => Ok(()),
				Some(i) => levels.try_insert(i, price).map_err(|_| Error::<T>::BookFull.into()),
				None => levels.try_push(price).map_err(|_| Error::<T>::BookFull.into()),
			}
		})?;
		Orders::<T>::insert(order, resting);
		Ok(evicted)
	}

	/// Room for a new price level: when the side already holds `MaxLevels` prices and `price`
	/// is better than the worst of them, the worst level's orders are cancelled (`Evicted`), so
	/// orders parked far from the market cannot keep better ones out. Returns how many were
	/// cancelled; `BookFull` when `price` would itself be the worst, or when the worst level
	/// holds more than `budget` orders (each evicted order counts against the placement's
	/// `MaxFills`, so the weight charged up front stays that of `MaxFills` touched orders).
	fn make_room(
		pair: PairId,
		side: Side,
		price: BalanceOf<T>,
		budget: u32,
	) -> Result<u32, DispatchError> {
		let levels = Levels::<T>::get(pair, side);
		if levels.contains(&price) || (levels.len() as u32) < T::MaxLevels::get() {
			return Ok(0);
		}
		let worst = *levels.last().ok_or(Error::<T>::BookFull)?;
		ensure!(side.before(&price, &worst), Error::<T>::BookFull);
		let queue = Queues::<T>::get((pair, side), worst);
		ensure!(queue.len() as u32 <= budget, Error::<T>::BookFull);
		let mut evicted = 0u32;
		for id in queue {
			let order = Orders::<T>::get(id).ok_or(Error::<T>::Corrupt)?;
			Self::remove(id, &order, CancelReason::Evicted)?;
			evicted = evicted.saturating_add(1);
		}
		Ok(evicted)
	}

	fn hold(terms: &PairOf<T>, order: &OrderOf<T>) -> DispatchResult {
		let reason = HoldReason::OpenOrder.into();
		match order.side {
			Side::Sell => {
				T::Currency::hold(&reason, &order.owner, Self::base_amount(terms, order.lots)?)
			},
			Side::Buy => T::AssetHolds::hold(
				terms.quote,
				&reason,
				&order.owner,
				Self::quote_amount(order.price, order.lots)?,
			),
		}
	}

	/// Releases the hold of `lots` lots of `order`.
	fn release_hold(terms: &PairOf<T>, order: &OrderOf<T>, lots: Lots) -> DispatchResult {
		let reason = HoldReason::OpenOrder.into();
		match order.side {
			Side::Sell => {
				T::Currency::release(
					&reason,
					&order.owner,
					Self::base_amount(terms, lots)?,
					Precision::Exact,
				)?;
			},
			Side::Buy => {
				T::AssetHolds::release(
					terms.quote,
					&reason,
					&order.owner,
					Self::quote_amount(order.price, lots)?,
					Precision::Exact,
				)?;
			},
		}
		Ok(())
	}

	/// Drops a resting order's records except its price queue (the caller updates that):
	/// the order, its owner's list, its expiry entry.
	fn forget(order: OrderId, resting: &OrderOf<T>) -> DispatchResult {
		Orders::<T>::remove(order);
		AccountOrders::<T>::try_mutate(&resting.owner, |orders| -> DispatchResult {
			let i = orders.iter().position(|o| *o == order).ok_or(Error::<T>::Corrupt)?;
			orders.remove(i);
			Ok(())
		})?;
		if AccountOrders::<T>::get(&resting.owner).is_empty() {
			AccountOrders::<T>::remove(&resting.owner);
		}
		if let Some(at) = resting.expires_at {
			Expiries::<T>::mutate_exists(at, |slot| {
				if let Some(due) = slot {
					due.retain(|o| *o != order);
					if due.is_empty() {
						*slot = None;
					}
				}
			});
		}
		Ok(())
	}

	/// Takes a resting order off the book unfilled, releasing its hold.
	pub(crate) fn remove(
		order: OrderId,
		resting: &OrderOf<T>,
		reason: CancelReason,
	) -> DispatchResult {
		let terms = Pairs::<T>::get(resting.pair).ok_or(Error::<T>::Corrupt)?;
		Self::cancel_unqueued(order, resting, &terms, reason)?;
		let key = (resting.pair, resting.side);
		let mut queue = Queues::<T>::get(key, resting.price);
		let i = queue.iter().position(|o| *o == order).ok_or(Error::<T>::Corrupt)?;
		queue.remove(i);
		if queue.is_empty() {
			Queues::<T>::remove(key, resting.price);
			let mut levels = Levels::<T>::get(resting.pair, resting.side);
			levels.retain(|p| *p != resting.price);
			if levels.is_empty() {
				Levels::<T>::remove(resting.pair, resting.side);
			} else {
				Levels::<T>::insert(resting.pair, resting.side, levels);
			}
		} else {
			Queues::<T>::insert(key, resting.price, queue);
		}
		Ok(())
	}

	/// Cancels a resting order except for its queue entry (the caller removes that): releases
	/// its hold, drops its records, says why.
	fn cancel_unqueued(
		order: OrderId,
		resting: &OrderOf<T>,
		terms: &PairOf<T>,
		reason: CancelReason,
	) -> DispatchResult {
		Self::release_hold(terms, resting, resting.lots)?;
		Self::forget(order, resting)?;
		Self::deposit_event(Event::OrderCancelled {
			order,
			owner: resting.owner.clone(),
			remaining: resting.lots,
			reason,
		});
		Ok(())
	}

	/// Expires the orders due at `now`; returns how many.
	pub(crate) fn expire(now: BlockNumberFor<T>) -> u32 {
		let due = Expiries::<T>::take(now);
		let mut expired = 0u32;
		for order in due {
			if let Some(resting) = Orders::<T>::get(order) {
				// Each removal is its own transaction: one failure leaves the others done.
				let removed = frame_support::storage::with_storage_layer(|| {
					Self::remove(order, &resting, CancelReason::Expired)
				});
				if removed.is_ok() {
					expired = expired.saturating_add(1);
				} else {
					// Still on the book, no longer due: its owner can cancel it.
					Orders::<T>::mutate(order, |o| {
						if let Some(o) = o {
							o.expires_at = None;
						}
					});
					Self::deposit_event(Event::ExpiryFailed { order });
				}
			}
		}
		expired
	}

	/// Up to `depth` price levels of each side, best first, with the lots resting at each.
	pub fn depth(pair: PairId, depth: u32) -> BookDepth<BalanceOf<T>> {
		let side_depth = |side: Side| {
			Levels::<T>::get(pair, side)
				.into_iter()
				.take(depth as usize)
				.map(|price| {
					let lots = Queues::<T>::get((pair, side), price)
						.into_iter()
						.filter_map(Orders::<T>::get)
						.fold(0u64, |sum, o| sum.saturating_add(o.lots));
					(price, lots)
				})
				.collect()
		};
		BookDepth { bids: side_depth(Side::Buy), asks: side_depth(Side::Sell) }
	}

	/// `who`'s resting orders.
	pub fn open_orders(who: &T::AccountId) -> Vec<(OrderId, OrderOf<T>)> {
		AccountOrders::<T>::get(who)
			.into_iter()
			.filter_map(|id| Orders::<T>::get(id).map(|o| (id, o)))
			.collect()
	}

	/// The pair's last trades, newest first.
	pub fn recent_trades(pair: PairId) -> Vec<TradeOf<T>> {
		let mut trades = RecentTrades::<T>::get(pair).into_inner();
		trades.reverse();
		trades
	}

	/// The book's invariants: sorted levels with non-empty queues of matching orders, no crossed
	/// book, every order in its owner's list and its expiry slot, and each account's holds equal
	/// to what its orders lock.
	#[cfg(any(feature = "try-runtime", test))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		use sp_runtime::traits::Zero;
		let mut queued = 0usize;
		for (pair, terms) in Pairs::<T>::iter() {
			for side in [Side::Buy, Side::Sell] {
				let levels = Levels::<T>::get(pair, side);
				ensure!(
					levels.windows(2).all(|w| side.before(&w[0], &w[1])),
					"levels out of order"
				);
				for price in levels.iter() {
					let queue = Queues::<T>::get((pair, side), price);
					ensure!(!queue.is_empty(), "a level with an empty queue");
					for id in queue.iter() {
						let order = Orders::<T>::get(id).ok_or("a queued order is missing")?;
						ensure!(
							order.pair == pair && order.side == side && order.price == *price,
							"an order queued at the wrong place"
						);
						ensure!(
							order.lots > 0 && order.lots <= order.placed_lots,
							"an order's lots"
						);
						ensure!((order.price % terms.tick).is_zero(), "a price off the tick");
						queued += 1;
					}
				}
			}
			let best_bid = Levels::<T>::get(pair, Side::Buy).first().copied();
			let best_ask = Levels::<T>::get(pair, Side::Sell).first().copied();
			if let (Some(bid), Some(ask)) = (best_bid, best_ask) {
				ensure!(bid < ask, "a crossed book rests");
			}
		}
		ensure!(queued == Orders::<T>::iter().count(), "an order rests outside any queue");
		for (id, order) in Orders::<T>::iter() {
			ensure!(
				AccountOrders::<T>::get(&order.owner).contains(&id),
				"an order not in its owner's list"
			);
			if let Some(at) = order.expires_at {
				ensure!(Expiries::<T>::get(at).contains(&id), "an order not in its expiry slot");
			}
			ensure!(Pairs::<T>::contains_key(order.pair), "an order of an unknown pair");
		}
		for (who, orders) in AccountOrders::<T>::iter() {
			ensure!(
				orders.iter().all(|id| Orders::<T>::contains_key(id)),
				"a listed order is missing"
			);
			Self::ensure_holds_match_orders(&who)?;
		}
		Ok(())
	}

	/// `who`'s AIT and quote on hold equal what its resting orders lock: lots × lot for its
	/// sells, lots × price (per quote asset) for its buys.
	#[cfg(any(feature = "try-runtime", test))]
	pub fn ensure_holds_match_orders(
		who: &T::AccountId,
	) -> Result<(), sp_runtime::TryRuntimeError> {
		use alloc::collections::btree_map::BTreeMap;
		use frame_support::traits::{fungible::InspectHold as _, fungibles::InspectHold as _};
		let mut base = BalanceOf::<T>::zero();
		let mut quote: BTreeMap<T::AssetId, BalanceOf<T>> = BTreeMap::new();
		for (_, order) in Self::open_orders(who) {
			let terms = Pairs::<T>::get(order.pair).ok_or("an order of an unknown pair")?;
			match order.side {
				Side::Sell => {
					base += Self::base_amount(&terms, order.lots).map_err(|_| "overflow")?
				},
				Side::Buy => {
					*quote.entry(terms.quote).or_default() +=
						Self::quote_amount(order.price, order.lots).map_err(|_| "overflow")?
				},
			}
		}
		let reason = HoldReason::OpenOrder.into();
		ensure!(
			T::Currency::balance_on_hold(&reason, who) == base,
			"AIT on hold differs from the sell orders"
		);
		// Every pair's quote asset, so a hold left on an asset with no buys left is seen too.
		for terms in Pairs::<T>::iter_values() {
			let locked = quote.get(&terms.quote).copied().unwrap_or_default();
			ensure!(
				T::AssetHolds::balance_on_hold(terms.quote, &reason, who) == locked,
				"quote on hold differs from the buy orders"
			);
		}
		Ok(())
	}
}
