//! # AITBC exchange pallet: a central limit order book for AIT
//!
//! Providers earn AIT and sell it; clients buy AIT to pay for jobs. This pallet matches them with
//! price discovery, on chain and non-custodial.
//!
//! ## Overview
//! - Governance opens a [`Pair`] of AIT against a quote asset held in `pallet-assets`
//!   ([`Pallet::create_pair`]), with its lot (AIT per lot), tick (price step) and minimum order.
//! - [`Pallet::place_limit`] trades at once with the resting orders it crosses, best price first
//!   and, within a price, first come first served (price-time priority), then rests what is left
//!   at its price; [`Pallet::place_market`] trades up to a worst price and drops the rest.
//! - A resting order's funds stay in its owner's account, **on hold**
//!   ([`HoldReason::OpenOrder`]): AIT for a sell, the quote asset (lots × price) for a buy. A
//!   trade moves the maker's held funds and the taker's free funds atomically: the maker's hold
//!   goes to the taker, the taker's payment to the maker. Nothing passes through a pallet account.
//! - [`Pallet::cancel`], [`Pallet::cancel_all`] and expiry (in `on_initialize`, at most
//!   `MaxExpiriesPerBlock` orders a block) release the hold.
//! - An incoming order that meets a resting order of its own owner cancels that resting order
//!   (self-trade prevention) instead of trading with itself.
//! - Fees are paid in AIT, so an account that holds none (a client with only the quote asset)
//!   could never buy its first AIT: a market buy from such an account is feeless when every
//!   check that could fail it holds ([`Pallet::is_first_buy`]); once it trades, the account
//!   holds AIT and pays fees like everyone.
//!
//! ## Terminology
//! - *Lot*: the unit of amount; an order trades whole lots of `Pair::lot` AIT.
//! - *Price*: quote smallest units per lot; a multiple of `Pair::tick`.
//! - *Level*: the orders resting at one price on one side, in arrival order.
//! - *Maker* / *taker*: the resting order and the incoming one that trades with it.
//!
//! ## Bounds
//! Price levels per side (`MaxLevels`), orders per level (`MaxOrdersPerLevel`), open orders per
//! account (`MaxOrdersPerAccount`), expiries per block (`MaxExpiriesPerBlock`) and makers one
//! incoming order may touch (`MaxFills`): each has its own error when reached. A placement is
//! charged for `MaxFills` touched orders and refunded to those it touched. A full side takes a
//! better price by evicting its worst level (those orders are cancelled,
//! `CancelReason::Evicted`, and count against the placement's `MaxFills`), so orders parked far
//! from the market cannot keep better ones out.
//!
//! ## Issuance
//! The exchange never mints or burns: every movement is a transfer between the two parties.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use aitbc_primitives::exchange::*;
pub use pallet::*;
pub use weights::WeightInfo;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod book;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod weights;

use alloc::vec::Vec;
use frame_support::{
	pallet_prelude::*,
	traits::{fungible, fungibles},
};
use sp_runtime::{
	traits::{CheckedAdd, Zero},
	DispatchError,
};

/// AIT amounts (the native currency's balance type); quote amounts use the same type.
pub type BalanceOf<T> =
	<<T as Config>::Currency as fungible::Inspect<<T as frame_system::Config>::AccountId>>::Balance;
/// A resting order of this runtime.
pub type OrderOf<T> = Order<
	<T as frame_system::Config>::AccountId,
	BalanceOf<T>,
	frame_system::pallet_prelude::BlockNumberFor<T>,
>;
/// A trade of this runtime.
pub type TradeOf<T> = Trade<
	<T as frame_system::Config>::AccountId,
	BalanceOf<T>,
	frame_system::pallet_prelude::BlockNumberFor<T>,
>;
/// A pair of this runtime.
pub type PairOf<T> = Pair<<T as Config>::AssetId, BalanceOf<T>>;

/// What the benchmarks need from the runtime: a quote asset that accounts can be given.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AssetId> {
	/// Creates a sufficient quote asset with a minimum balance of 1 and returns its id.
	fn create_quote_asset() -> AssetId;
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_system::pallet_prelude::*;

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	/// Why the exchange holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// The funds of a resting order: AIT for a sell, the quote asset for a buy.
		OpenOrder,
	}

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;
		/// AIT: transfers and holds.
		type Currency: fungible::Mutate<Self::AccountId>
			+ fungible::MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;
		/// Identifies a quote asset in `pallet-assets`.
		type AssetId: Parameter + Member + MaxEncodedLen + Copy + Ord + MaybeSerializeDeserialize;
		/// Quote assets: transfers (`pallet-assets`).
		type Assets: fungibles::Mutate<
			Self::AccountId,
			AssetId = Self::AssetId,
			Balance = BalanceOf<Self>,
		>;
		/// Quote assets: holds (`pallet-assets-holder`).
		type AssetHolds: fungibles::MutateHold<
			Self::AccountId,
			AssetId = Self::AssetId,
			Balance = BalanceOf<Self>,
			Reason = Self::RuntimeHoldReason,
		>;
		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;
		/// Who opens pairs and changes them (governance).
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// Most price levels on one side of one pair.
		#[pallet::constant]
		type MaxLevels: Get<u32>;
		/// Most orders resting at one price on one side.
		#[pallet::constant]
		type MaxOrdersPerLevel: Get<u32>;
		/// Most open orders one account may have, over all pairs.
		#[pallet::constant]
		type MaxOrdersPerAccount: Get<u32>;
		/// Most resting orders one incoming order may touch (trade with, or cancel as its own).
		#[pallet::constant]
		type MaxFills: Get<u32>;
		/// Most orders that may expire in one block.
		#[pallet::constant]
		type MaxExpiriesPerBlock: Get<u32>;
		/// Longest expiry, in blocks from placement.
		#[pallet::constant]
		type MaxOrderLifetime: Get<BlockNumberFor<Self>>;
		/// How many of a pair's last trades are kept (for the runtime API).
		#[pallet::constant]
		type MaxRecentTrades: Get<u32>;
		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
		/// Creates the quote asset the benchmarks trade.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AssetId>;
	}

	/// The pairs, by id.
	#[pallet::storage]
	pub type Pairs<T: Config> = StorageMap<_, Twox64Concat, PairId, PairOf<T>>;

	/// The id the next pair gets.
	#[pallet::storage]
	pub type NextPairId<T: Config> = StorageValue<_, PairId, ValueQuery>;

	/// Resting orders, by id.
	#[pallet::storage]
	pub type Orders<T: Config> = StorageMap<_, Twox64Concat, OrderId, OrderOf<T>>;

	/// The id the next order gets (every placement takes one, resting or not).
	#[pallet::storage]
	pub type NextOrderId<T: Config> = StorageValue<_, OrderId, ValueQuery>;

	/// A side's prices with resting orders, best first (asks ascending, bids descending).
	#[pallet::storage]
	pub type Levels<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		PairId,
		Twox64Concat,
		Side,
		BoundedVec<BalanceOf<T>, T::MaxLevels>,
		ValueQuery,
	>;

	/// The orders resting at one price of one side, in arrival order.
	#[pallet::storage]
	pub type Queues<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		(PairId, Side),
		Twox64Concat,
		BalanceOf<T>,
		BoundedVec<OrderId, T::MaxOrdersPerLevel>,
		ValueQuery,
	>;

	/// Each account's resting orders.
	#[pallet::storage]
	pub type AccountOrders<T: Config> = StorageMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		BoundedVec<OrderId, T::MaxOrdersPerAccount>,
		ValueQuery,
	>;

	/// Orders to expire at the start of a block.
	#[pallet::storage]
	pub type Expiries<T: Config> = StorageMap<
		_,
		Twox64Concat,
		BlockNumberFor<T>,
		BoundedVec<OrderId, T::MaxExpiriesPerBlock>,
		ValueQuery,
	>;

	/// A pair's last trades, oldest first.
	#[pallet::storage]
	pub type RecentTrades<T: Config> =
		StorageMap<_, Twox64Concat, PairId, BoundedVec<TradeOf<T>, T::MaxRecentTrades>, ValueQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// Governance opened a pair.
		PairCreated {
			pair: PairId,
			quote: T::AssetId,
			lot: BalanceOf<T>,
			tick: BalanceOf<T>,
			min_lots: Lots,
		},
		/// Governance opened or closed a pair to new orders.
		PairOpenSet { pair: PairId, open: bool },
		/// An order came in: `lots` asked, `filled` traded at once, `resting` left on the book.
		OrderPlaced {
			order: OrderId,
			pair: PairId,
			owner: T::AccountId,
			side: Side,
			price: Option<BalanceOf<T>>,
			lots: Lots,
			filled: Lots,
			resting: Lots,
		},
		/// Two orders traded.
		Traded {
			pair: PairId,
			maker_order: OrderId,
			taker_order: OrderId,
			maker: T::AccountId,
			taker: T::AccountId,
			taker_side: Side,
			price: BalanceOf<T>,
			lots: Lots,
		},
		/// A resting order was filled in part (`remaining` > 0) or wholly.
		OrderFilled { order: OrderId, lots: Lots, remaining: Lots },
		/// A resting order could not be expired (its hold could not be released); it stays on
		/// the book without an expiry, cancellable by its owner.
		ExpiryFailed { order: OrderId },
		/// A resting order left the book unfilled: its hold was released.
		OrderCancelled {
			order: OrderId,
			owner: T::AccountId,
			remaining: Lots,
			reason: CancelReason,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No pair with this id.
		UnknownPair,
		/// No quote asset with this id in `pallet-assets`.
		UnknownAsset,
		/// The tick is below the quote asset's minimum balance: a one-lot fill could not be paid
		/// to an account that holds none of the asset yet.
		TickBelowAssetMinimum,
		/// The pair takes no new orders.
		PairClosed,
		/// A lot, tick or minimum of zero.
		InvalidPairTerms,
		/// The price is zero or not a multiple of the pair's tick.
		InvalidPrice,
		/// Fewer lots than the pair's minimum.
		BelowMinimum,
		/// The expiry is zero or beyond `MaxOrderLifetime`.
		InvalidExpiry,
		/// The account has `MaxOrdersPerAccount` open orders.
		TooManyOrders,
		/// The price level has `MaxOrdersPerLevel` orders: use another price.
		LevelFull,
		/// The side has `MaxLevels` prices and this one would be the worst, or the worst level
		/// holds more orders than this order may still touch (`MaxFills` less its trades): use a
		/// price already on the book, or a better one.
		BookFull,
		/// `MaxExpiriesPerBlock` orders already expire in that block: choose another expiry.
		ExpiryFull,
		/// No resting order with this id.
		UnknownOrder,
		/// The order belongs to someone else.
		NotOwner,
		/// A market order found nothing to trade within its worst price.
		NoLiquidity,
		/// The limit order would trade with more than `MaxFills` resting orders: place fewer lots
		/// (or several orders).
		CrossesTooDeep,
		/// An amount overflowed.
		Overflow,
		/// The book's records disagree (a bug; nothing was changed).
		Corrupt,
	}

	/// Pairs open from genesis (a dev chain's test market).
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// (quote asset, lot, tick, minimum lots) of each pair, in id order.
		pub pairs: Vec<(T::AssetId, BalanceOf<T>, BalanceOf<T>, Lots)>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			for &(quote, lot, tick, min_lots) in &self.pairs {
				// A bad genesis pair must stop the chain spec from building, not start a chain
				// without it.
				Pallet::<T>::do_create_pair(quote, lot, tick, min_lots)
					.expect("genesis pair terms are valid and its quote asset exists");
			}
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			let expired = Self::expire(now);
			T::WeightInfo::expire(expired)
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Opens a pair of AIT against `quote` (governance): orders trade whole lots of `lot` AIT at
		/// prices in multiples of `tick`, at least `min_lots` lots each.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::create_pair())]
		pub fn create_pair(
			origin: OriginFor<T>,
			quote: T::AssetId,
			lot: BalanceOf<T>,
			tick: BalanceOf<T>,
			min_lots: Lots,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::do_create_pair(quote, lot, tick, min_lots).map(|_| ())
		}

		/// Opens or closes a pair to new orders (governance); resting orders stay cancellable.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::set_pair_open())]
		pub fn set_pair_open(origin: OriginFor<T>, pair: PairId, open: bool) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Pairs::<T>::try_mutate(pair, |p| -> DispatchResult {
				p.as_mut().ok_or(Error::<T>::UnknownPair)?.open = open;
				Ok(())
			})?;
			Self::deposit_event(Event::PairOpenSet { pair, open });
			Ok(())
		}

		/// A limit order: trades at once with the resting orders it crosses (at their prices,
		/// best first), then rests the rest at `price` with its funds on hold, until filled,
		/// cancelled or `expires_in` blocks have passed.
		#[pallet::call_index(2)]
		#[pallet::weight(Pallet::<T>::place_limit_worst_case())]
		pub fn place_limit(
			origin: OriginFor<T>,
			pair: PairId,
			side: Side,
			price: BalanceOf<T>,
			lots: Lots,
			expires_in: Option<BlockNumberFor<T>>,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let terms = Self::open_pair(pair)?;
			ensure!(lots >= terms.min_lots, Error::<T>::BelowMinimum);
			ensure!(!price.is_zero() && (price % terms.tick).is_zero(), Error::<T>::InvalidPrice);
			let now = frame_system::Pallet::<T>::block_number();
			let expires_at = match expires_in {
				None => None,
				Some(blocks) => {
					ensure!(
						!blocks.is_zero() && blocks <= T::MaxOrderLifetime::get(),
						Error::<T>::InvalidExpiry
					);
					Some(now.checked_add(&blocks).ok_or(Error::<T>::Overflow)?)
				},
			};
			let order = Self::take_order_id()?;
			let (filled, touched) = Self::take(&who, order, pair, &terms, side, price, lots)?;
			let resting = lots.checked_sub(filled).ok_or(Error::<T>::Corrupt)?;
			let mut evicted = 0;
			if resting > 0 {
				ensure!(!Self::still_crosses(pair, side, &price), Error::<T>::CrossesTooDeep);
				let budget = T::MaxFills::get().saturating_sub(touched);
				evicted = Self::rest(
					order, &who, pair, &terms, side, price, resting, lots, now, expires_at, budget,
				)?;
			}
			Self::deposit_event(Event::OrderPlaced {
				order,
				pair,
				owner: who,
				side,
				price: Some(price),
				lots,
				filled,
				resting,
			});
			// An order that traded with nothing wrote no trade and no maker: its own benchmark.
			let placed = match (touched, expires_at) {
				(0, None) => T::WeightInfo::place_limit_resting(),
				(0, Some(_)) => T::WeightInfo::place_limit_resting_expiring(),
				_ => T::WeightInfo::place_limit(touched),
			};
			Ok(Some(placed.saturating_add(T::WeightInfo::cancel().saturating_mul(evicted.into())))
				.into())
		}

		/// A market order: trades with the resting orders of the other side, best first, at
		/// their prices but none worse than `worst_price`, until `lots` are filled; what cannot
		/// be filled is dropped, not rested. Fails with `NoLiquidity` if nothing trades.
		///
		/// Feeless for an account's first AIT ([`Pallet::is_first_buy`]): a buy by an account
		/// that holds no AIT, which it would otherwise need to pay the fee, when the order is
		/// sure to trade.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::place_market(T::MaxFills::get()))]
		#[pallet::feeless_if(|origin: &OriginFor<T>, pair: &PairId, side: &Side, lots: &Lots,
			worst_price: &BalanceOf<T>| -> bool {
			ensure_signed(origin.clone()).is_ok_and(|who| {
				Pallet::<T>::is_first_buy(&who, *pair, *side, *lots, *worst_price)
			})
		})]
		pub fn place_market(
			origin: OriginFor<T>,
			pair: PairId,
			side: Side,
			lots: Lots,
			worst_price: BalanceOf<T>,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let terms = Self::open_pair(pair)?;
			ensure!(lots >= terms.min_lots, Error::<T>::BelowMinimum);
			ensure!(!worst_price.is_zero(), Error::<T>::InvalidPrice);
			let order = Self::take_order_id()?;
			let (filled, touched) = Self::take(&who, order, pair, &terms, side, worst_price, lots)?;
			ensure!(filled > 0, Error::<T>::NoLiquidity);
			Self::deposit_event(Event::OrderPlaced {
				order,
				pair,
				owner: who,
				side,
				price: None,
				lots,
				filled,
				resting: 0,
			});
			Ok(Some(T::WeightInfo::place_market(touched)).into())
		}

		/// Cancels one of the caller's resting orders and releases its hold.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::cancel())]
		pub fn cancel(origin: OriginFor<T>, order: OrderId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let resting = Orders::<T>::get(order).ok_or(Error::<T>::UnknownOrder)?;
			ensure!(resting.owner == who, Error::<T>::NotOwner);
			Self::remove(order, &resting, CancelReason::ByOwner)
		}

		/// Cancels all of the caller's resting orders, or those of one pair.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::cancel_all(T::MaxOrdersPerAccount::get()))]
		pub fn cancel_all(
			origin: OriginFor<T>,
			pair: Option<PairId>,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let mut cancelled = 0u32;
			for order in AccountOrders::<T>::get(&who) {
				let resting = Orders::<T>::get(order).ok_or(Error::<T>::Corrupt)?;
				if pair.is_none_or(|p| p == resting.pair) {
					Self::remove(order, &resting, CancelReason::ByOwner)?;
					cancelled = cancelled.saturating_add(1);
				}
			}
			Ok(Some(T::WeightInfo::cancel_all(cancelled)).into())
		}
	}
}

impl<T: Config> Pallet<T> {
	/// Whether a market order is an account's first purchase of AIT, and so feeless: a buy by
	/// an account that holds no AIT at all (free or held), on an open pair, for at least the
	/// minimum, with the quote to pay all of it at `worst_price`, and an ask at or below that
	/// price, so it trades. It then holds AIT, and pays fees from then on. Every check that could
	/// fail the order in dispatch is made here, so a free order cannot fail and be repeated
	/// free: the only spam it allows is one order per account that has quote and no AIT.
	pub fn is_first_buy(
		who: &T::AccountId,
		pair: PairId,
		side: Side,
		lots: Lots,
		worst_price: BalanceOf<T>,
	) -> bool {
		use frame_support::traits::{
			fungible::Inspect as _,
			fungibles::Inspect as _,
			tokens::{Fortitude, Preservation},
		};
		if side != Side::Buy || !T::Currency::total_balance(who).is_zero() || worst_price.is_zero()
		{
			return false;
		}
		let Some(terms) = Pairs::<T>::get(pair) else { return false };
		let Ok(cost) = Self::quote_amount(worst_price, lots) else { return false };
		let spendable = T::Assets::reducible_balance(
			terms.quote,
			who,
			Preservation::Expendable,
			Fortitude::Polite,
		);
		terms.open &&
			lots >= terms.min_lots &&
			// A fill of one lot must open the buyer's AIT account.
			terms.lot >= T::Currency::minimum_balance() &&
			spendable >= cost &&
			Levels::<T>::get(pair, Side::Sell).first().is_some_and(|best| *best <= worst_price)
	}

	/// What a limit order is charged before it runs: `MaxFills` resting orders touched, each
	/// either traded with or evicted, whichever costs more.
	pub fn place_limit_worst_case() -> Weight {
		let most = T::MaxFills::get();
		let all_fills = T::WeightInfo::place_limit(most);
		let resting =
			T::WeightInfo::place_limit(0).max(T::WeightInfo::place_limit_resting_expiring());
		let all_evictions =
			resting.saturating_add(T::WeightInfo::cancel().saturating_mul(most.into()));
		all_fills.max(all_evictions)
	}

	/// Opens a pair after checking its terms (the body of `create_pair`, shared with genesis).
	pub(crate) fn do_create_pair(
		quote: T::AssetId,
		lot: BalanceOf<T>,
		tick: BalanceOf<T>,
		min_lots: Lots,
	) -> Result<PairId, DispatchError> {
		ensure!(!lot.is_zero() && !tick.is_zero() && min_lots > 0, Error::<T>::InvalidPairTerms);
		type Quote<T> = <T as Config>::Assets;
		type AccountOf<T> = <T as frame_system::Config>::AccountId;
		ensure!(
			<Quote<T> as fungibles::Inspect<AccountOf<T>>>::asset_exists(quote),
			Error::<T>::UnknownAsset
		);
		// Every fill pays at least one tick: it must be able to open the receiver's account.
		ensure!(
			tick >= <Quote<T> as fungibles::Inspect<AccountOf<T>>>::minimum_balance(quote),
			Error::<T>::TickBelowAssetMinimum
		);
		let pair = NextPairId::<T>::get();
		let next = pair.checked_add(1).ok_or(Error::<T>::Overflow)?;
		Pairs::<T>::insert(pair, Pair { quote, lot, tick, min_lots, open: true });
		NextPairId::<T>::put(next);
		Self::deposit_event(Event::PairCreated { pair, quote, lot, tick, min_lots });
		Ok(pair)
	}
}
