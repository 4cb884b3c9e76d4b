//! The order book's records (pairs, orders, trades) and the shape of its runtime API's answers,
//! shared by the exchange pallet, the runtime API and clients.

use alloc::vec::Vec;

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// A trading pair's id.
pub type PairId = u32;
/// An order's id, unique over all pairs.
pub type OrderId = u64;
/// An amount of AIT counted in the pair's lots.
pub type Lots = u64;

/// Which way an order trades AIT.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub enum Side {
	/// Buys AIT, paying the quote asset (bids).
	Buy,
	/// Sells AIT for the quote asset (asks).
	Sell,
}

impl Side {
	/// The side an order of this side trades against.
	pub fn opposite(self) -> Side {
		match self {
			Side::Buy => Side::Sell,
			Side::Sell => Side::Buy,
		}
	}

	/// Whether a resting order at `resting` is at least as good for a taker of this side with
	/// limit `limit`: asks at or below a buyer's limit, bids at or above a seller's.
	pub fn crosses<P: PartialOrd>(self, resting: &P, limit: &P) -> bool {
		match self {
			Side::Buy => resting <= limit,
			Side::Sell => resting >= limit,
		}
	}

	/// Whether price `a` comes before `b` in this side's book: the best first (asks ascending,
	/// bids descending).
	pub fn before<P: PartialOrd>(self, a: &P, b: &P) -> bool {
		match self {
			Side::Buy => a > b,
			Side::Sell => a < b,
		}
	}
}

/// AIT against a quote asset.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct Pair<AssetId, Balance> {
	/// The `pallet-assets` asset prices are paid in.
	pub quote: AssetId,
	/// AIT (smallest units) in one lot: orders trade whole lots.
	pub lot: Balance,
	/// Prices (quote smallest units per lot) are multiples of this.
	pub tick: Balance,
	/// The fewest lots an order may ask for.
	pub min_lots: Lots,
	/// Whether new orders are taken (resting orders can always be cancelled).
	pub open: bool,
}

/// A resting limit order.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct Order<AccountId, Balance, BlockNumber> {
	/// Who placed it; its funds are on hold in this account.
	pub owner: AccountId,
	/// The pair it trades.
	pub pair: PairId,
	/// Buy or sell.
	pub side: Side,
	/// Quote smallest units per lot.
	pub price: Balance,
	/// Lots still open.
	pub lots: Lots,
	/// Lots it rested with (before any later fills).
	pub placed_lots: Lots,
	/// Block it rested in.
	pub placed_at: BlockNumber,
	/// Block at whose start it expires, if any.
	pub expires_at: Option<BlockNumber>,
}

/// A trade between a resting order (the maker) and an incoming one (the taker).
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct Trade<AccountId, Balance, BlockNumber> {
	/// The resting order that was hit.
	pub maker_order: OrderId,
	/// The incoming order.
	pub taker_order: OrderId,
	/// The maker's account.
	pub maker: AccountId,
	/// The taker's account.
	pub taker: AccountId,
	/// The taker's side: `Buy` means the taker bought AIT.
	pub taker_side: Side,
	/// The maker's price (quote smallest units per lot).
	pub price: Balance,
	/// Lots traded.
	pub lots: Lots,
	/// Block of the trade.
	pub block: BlockNumber,
}

/// Why an order left the book without being filled.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub enum CancelReason {
	/// Its owner cancelled it.
	ByOwner,
	/// Its expiry block came.
	Expired,
	/// An incoming order of the same owner met it: the resting one is cancelled instead of
	/// trading with itself.
	SelfTrade,
	/// Its side held `MaxLevels` prices, its price was the worst, and a better-priced order
	/// needed the room.
	Evicted,
}

/// The resting lots at each price of a pair, best price first on each side.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug, Default)]
pub struct BookDepth<Balance> {
	/// Bids: (price, lots), highest price first.
	pub bids: Vec<(Balance, Lots)>,
	/// Asks: (price, lots), lowest price first.
	pub asks: Vec<(Balance, Lots)>,
}
