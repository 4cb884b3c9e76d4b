//! The order book: pairs, depth, orders and trades (the runtime's `ExchangeApi`), placing and
//! cancelling orders, and quote-asset balances (`pallet-assets`, holds in
//! `pallet-assets-holder`).

use aitbc_primitives::exchange::{
	BookDepth, CancelReason, Lots, Order, OrderId, Pair, PairId, Side, Trade,
};
use subxt::utils::{AccountId32, Static};
use subxt_signer::sr25519::Keypair;

use crate::{runtime, Balance, Client, ClientError};

/// A quote asset's id.
pub type AssetId = u32;
/// A resting order as the runtime API returns it.
pub type OrderInfo = Order<AccountId32, Balance, u32>;
/// A trade as the runtime API returns it.
pub type TradeInfo = Trade<AccountId32, Balance, u32>;

/// A pair with its quote asset's name and decimals.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Market {
	/// The pair's id.
	pub pair: PairId,
	/// Its terms (quote asset, lot, tick, minimum, open).
	pub terms: Pair<AssetId, Balance>,
	/// The quote asset's symbol ("tUSD"), or its id when it has no metadata.
	pub quote_symbol: String,
	/// The quote asset's decimals.
	pub quote_decimals: u8,
}

/// A quote-asset balance: free and on hold (the funds of resting buy orders).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AssetBalance {
	/// Spendable.
	pub free: Balance,
	/// Held by resting orders.
	pub held: Balance,
}

/// What one placement did: the `Exchange.OrderPlaced` event and the trades it made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placement {
	/// The order's id.
	pub order: OrderId,
	/// Lots asked.
	pub lots: Lots,
	/// Lots traded at once.
	pub filled: Lots,
	/// Lots left resting on the book.
	pub resting: Lots,
	/// Each trade: (maker order, price per lot, lots).
	pub trades: Vec<(OrderId, Balance, Lots)>,
	/// Resting orders this one made leave the book: the placer's own that it met
	/// ([`CancelReason::SelfTrade`]) and others' evicted from a full side to make room.
	pub cancelled: Vec<(OrderId, AccountId32, CancelReason)>,
}

impl Client {
	/// Every pair, in id order, with its quote asset's symbol and decimals.
	pub async fn markets(&self) -> Result<Vec<Market>, ClientError> {
		let at = self.api().at_current_block().await.map_err(ClientError::chain)?;
		let pairs = at
			.runtime_apis()
			.call(runtime::runtime_apis().exchange_api().pairs())
			.await
			.map_err(ClientError::chain)?;
		let metadata = at
			.storage()
			.entry(runtime::storage().assets().metadata())
			.map_err(ClientError::chain)?;
		let mut markets = Vec::new();
		for (pair, Static(terms)) in pairs {
			let meta = metadata.fetch((terms.quote,)).await.map_err(ClientError::chain)?;
			let meta = meta.decode().map_err(ClientError::chain)?;
			let symbol = String::from_utf8_lossy(&meta.symbol.0).into_owned();
			markets.push(Market {
				pair,
				quote_symbol: if symbol.is_empty() {
					format!("asset {}", terms.quote)
				} else {
					symbol
				},
				quote_decimals: meta.decimals,
				terms,
			});
		}
		Ok(markets)
	}

	/// One pair, or a clear error naming the pairs that exist.
	pub async fn market(&self, pair: PairId) -> Result<Market, ClientError> {
		let markets = self.markets().await?;
		let ids: Vec<_> = markets.iter().map(|m| m.pair.to_string()).collect();
		markets.into_iter().find(|m| m.pair == pair).ok_or_else(|| {
			ClientError::Chain(if ids.is_empty() {
				format!("no pair {pair}: this chain has no market yet (governance opens pairs)")
			} else {
				format!("no pair {pair}; pairs: {}", ids.join(", "))
			})
		})
	}

	/// Up to `levels` prices of each side of `pair`, best first.
	pub async fn depth(
		&self,
		pair: PairId,
		levels: u32,
	) -> Result<BookDepth<Balance>, ClientError> {
		let at = self.api().at_current_block().await.map_err(ClientError::chain)?;
		let depth = at
			.runtime_apis()
			.call(runtime::runtime_apis().exchange_api().depth(pair, levels))
			.await
			.map_err(ClientError::chain)?;
		depth.map(|Static(d)| d).ok_or_else(|| ClientError::Chain(format!("no pair {pair}")))
	}

	/// `who`'s resting orders.
	pub async fn open_orders(
		&self,
		who: &AccountId32,
	) -> Result<Vec<(OrderId, OrderInfo)>, ClientError> {
		let at = self.api().at_current_block().await.map_err(ClientError::chain)?;
		let orders = at
			.runtime_apis()
			.call(runtime::runtime_apis().exchange_api().open_orders(who.clone()))
			.await
			.map_err(ClientError::chain)?;
		Ok(orders.into_iter().map(|(id, Static(order))| (id, order)).collect())
	}

	/// The last trades of `pair`, newest first.
	pub async fn recent_trades(&self, pair: PairId) -> Result<Vec<TradeInfo>, ClientError> {
		let at = self.api().at_current_block().await.map_err(ClientError::chain)?;
		let trades = at
			.runtime_apis()
			.call(runtime::runtime_apis().exchange_api().recent_trades(pair))
			.await
			.map_err(ClientError::chain)?;
		Ok(trades.into_iter().map(|Static(trade)| trade).collect())
	}

	/// `who`'s AIT: free and on hold (all holds: resting sell orders, stakes, bonds).
	pub async fn ait_balance(&self, who: &AccountId32) -> Result<AssetBalance, ClientError> {
		let at = self.api().at_current_block().await.map_err(ClientError::chain)?;
		let entry = at
			.storage()
			.entry(runtime::storage().system().account())
			.map_err(ClientError::chain)?;
		let info = entry.fetch((who.clone(),)).await.map_err(ClientError::chain)?;
		let info = info.decode().map_err(ClientError::chain)?;
		Ok(AssetBalance { free: info.data.free, held: info.data.reserved })
	}

	/// `who`'s balance of the quote asset `asset`: free and held.
	pub async fn asset_balance(
		&self,
		asset: AssetId,
		who: &AccountId32,
	) -> Result<AssetBalance, ClientError> {
		let at = self.api().at_current_block().await.map_err(ClientError::chain)?;
		let account = at
			.storage()
			.entry(runtime::storage().assets().account())
			.map_err(ClientError::chain)?;
		let free =
			match account.try_fetch((asset, who.clone())).await.map_err(ClientError::chain)? {
				Some(value) => value.decode().map_err(ClientError::chain)?.balance,
				None => 0,
			};
		let held = at
			.storage()
			.entry(runtime::storage().assets_holder().balances_on_hold())
			.map_err(ClientError::chain)?;
		let held = match held.try_fetch((asset, who.clone())).await.map_err(ClientError::chain)? {
			Some(value) => value.decode().map_err(ClientError::chain)?,
			None => 0,
		};
		Ok(AssetBalance { free, held })
	}

	/// Places a limit order: it trades at once with what it crosses and rests the rest at
	/// `price` (quote smallest units per lot), for `expires_in` blocks or until cancelled.
	pub async fn place_limit(
		&self,
		signer: &Keypair,
		pair: PairId,
		side: Side,
		price: Balance,
		lots: Lots,
		expires_in: Option<u32>,
	) -> Result<Placement, ClientError> {
		let call = runtime::transactions().exchange().place_limit(
			pair,
			Static(side),
			price,
			lots,
			expires_in,
		);
		self.place(&call, signer).await
	}

	/// Places a market order: it trades up to `lots` with the other side, at prices no worse
	/// than `worst_price`, and drops what it cannot fill.
	pub async fn place_market(
		&self,
		signer: &Keypair,
		pair: PairId,
		side: Side,
		lots: Lots,
		worst_price: Balance,
	) -> Result<Placement, ClientError> {
		let call =
			runtime::transactions().exchange().place_market(pair, Static(side), lots, worst_price);
		self.place(&call, signer).await
	}

	async fn place(
		&self,
		call: &impl subxt::tx::Payload,
		signer: &Keypair,
	) -> Result<Placement, ClientError> {
		use runtime::exchange::events::{OrderCancelled, OrderPlaced, Traded};
		let events = self.submit_and_watch(call, signer).await?;
		let trades = events
			.find::<Traded>()
			.map(|t| t.map(|t| (t.maker_order, t.price, t.lots)))
			.collect::<Result<Vec<_>, _>>()
			.map_err(ClientError::chain)?;
		let cancelled = events
			.find::<OrderCancelled>()
			.map(|c| c.map(|c| (c.order, c.owner, c.reason.0)))
			.collect::<Result<Vec<_>, _>>()
			.map_err(ClientError::chain)?;
		let placed = events.find_first::<OrderPlaced>().transpose().map_err(ClientError::chain)?;
		let placed = placed.ok_or_else(|| {
			ClientError::Chain("the order emitted no Exchange.OrderPlaced".into())
		})?;
		Ok(Placement {
			order: placed.order,
			lots: placed.lots,
			filled: placed.filled,
			resting: placed.resting,
			trades,
			cancelled,
		})
	}

	/// Cancels one of the signer's resting orders (its hold is released).
	pub async fn cancel_order(
		&self,
		signer: &Keypair,
		order: OrderId,
	) -> Result<crate::Included, ClientError> {
		self.submit(&runtime::transactions().exchange().cancel(order), signer).await
	}

	/// Cancels all of the signer's resting orders, or those of `pair`; returns how many.
	pub async fn cancel_all_orders(
		&self,
		signer: &Keypair,
		pair: Option<PairId>,
	) -> Result<usize, ClientError> {
		let call = runtime::transactions().exchange().cancel_all(pair);
		let events = self.submit_and_watch(&call, signer).await?;
		let cancelled = events.find::<runtime::exchange::events::OrderCancelled>().count();
		Ok(cancelled)
	}
}
