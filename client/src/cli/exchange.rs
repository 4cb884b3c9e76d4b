//! `aitbc market …`: the AIT order book.
//!
//! Amounts are written in AIT and prices in the quote asset per AIT ("0.25" tUSD per AIT), as
//! people think of them; the chain counts lots and prices per lot, and a value that is not a
//! whole number of lots or ticks is refused here with the nearest valid step, before anything
//! is signed.

use aitbc_client::{
	account_of,
	exchange::{Market, OrderInfo, Placement, TradeInfo},
	format_ait, format_units, parse_ait, parse_units, Balance, Client, AIT,
};
use aitbc_primitives::exchange::{CancelReason, Lots, PairId, Side};
use anyhow::{bail, Context};
use clap::{Args, Subcommand};

use crate::{account_id, signer, Cli};

#[derive(Subcommand)]
pub enum MarketAction {
	/// The book: bids and asks with the AIT resting at each price, best first.
	Book {
		#[command(flatten)]
		pair: PairArg,
		/// Prices shown per side.
		#[arg(long, default_value_t = 10)]
		depth: u32,
	},
	/// Buy AMOUNT AIT: a limit order with --price (what does not trade at once rests on the
	/// book), or a market order with --worst (what cannot fill at that price or better is
	/// dropped).
	Buy(OrderArgs),
	/// Sell AMOUNT AIT, like `buy`.
	Sell(OrderArgs),
	/// An account's AIT and quote balances (free and held) and its resting orders (default:
	/// --account).
	Orders { who: Option<String> },
	/// Cancel one of --account's resting orders, or with --all every one (of --pair if given).
	Cancel {
		/// The order's id.
		#[arg(required_unless_present = "all")]
		order: Option<u64>,
		#[arg(long, conflicts_with = "order")]
		all: bool,
		/// With --all: only this pair's orders.
		#[arg(long, requires = "all")]
		pair: Option<PairId>,
	},
	/// The pair's last trades, newest first.
	Trades {
		#[command(flatten)]
		pair: PairArg,
	},
}

#[derive(Args)]
pub struct PairArg {
	/// The pair (0: AIT/tUSD on development chains).
	#[arg(long, default_value_t = 0)]
	pair: PairId,
}

#[derive(Args)]
#[group(id = "kind", required = true, multiple = false, args = ["price", "worst"])]
pub struct OrderArgs {
	/// AIT to trade (a whole number of the pair's lots).
	amount: String,
	#[command(flatten)]
	pair: PairArg,
	/// Limit price, in the quote asset per AIT.
	#[arg(long)]
	price: Option<String>,
	/// Market order: the worst price accepted, in the quote asset per AIT.
	#[arg(long)]
	worst: Option<String>,
	/// Limit orders: blocks the rest stays on the book (default: until filled or cancelled).
	#[arg(long, requires = "price")]
	expires_in: Option<u32>,
}

/// A pair's units: AIT amounts to lots, prices per AIT to prices per lot, and back.
struct Units<'a>(&'a Market);

impl Units<'_> {
	fn lot(&self) -> Balance {
		self.0.terms.lot
	}

	fn lots(&self, amount: &str) -> anyhow::Result<Lots> {
		let planck = parse_ait(amount).map_err(anyhow::Error::msg)?;
		let lot = self.lot();
		if planck == 0 || planck % lot != 0 {
			bail!(
				"amount {amount} AIT is not a whole number of lots: pair {} trades lots of {} (e.g. {})",
				self.0.pair,
				format_ait(lot),
				format_ait(lot.saturating_mul((planck / lot).max(1)))
			);
		}
		let lots = Lots::try_from(planck / lot).context("amount too large")?;
		if lots < self.0.terms.min_lots {
			bail!(
				"amount {amount} AIT is below pair {}'s minimum order of {}",
				self.0.pair,
				format_ait(lot.saturating_mul(self.0.terms.min_lots.into()))
			);
		}
		Ok(lots)
	}

	/// A price per AIT as the chain's price per lot, or why it is not a valid one.
	fn price_per_lot(&self, text: &str) -> anyhow::Result<Balance> {
		let symbol = &self.0.quote_symbol;
		let per_ait =
			parse_units(text, self.0.quote_decimals).map_err(|e| anyhow::anyhow!("price: {e}"))?;
		let step = self.tick_per_ait();
		let scaled = per_ait.checked_mul(self.lot()).context("price too large")?;
		if per_ait == 0 || scaled % AIT != 0 || (scaled / AIT) % self.0.terms.tick != 0 {
			bail!(
				"price {text} {symbol} per AIT is not a multiple of the pair's tick, {} {symbol} per AIT",
				step.map_or_else(
					|| format!("{} per lot", self.quote(self.0.terms.tick)),
					|s| self.quote(s)
				)
			);
		}
		Ok(scaled / AIT)
	}

	/// The tick expressed per AIT, if whole in the quote's smallest unit.
	fn tick_per_ait(&self) -> Option<Balance> {
		let scaled = self.0.terms.tick.checked_mul(AIT)?;
		(scaled % self.lot() == 0).then(|| scaled / self.lot())
	}

	/// A price per lot as a decimal price per AIT (per lot when that is not whole).
	fn price(&self, per_lot: Balance) -> String {
		match per_lot.checked_mul(AIT) {
			Some(scaled) if scaled % self.lot() == 0 => self.quote(scaled / self.lot()),
			_ => format!("{} per lot", self.quote(per_lot)),
		}
	}

	fn quote(&self, units: Balance) -> String {
		format_units(units, self.0.quote_decimals)
	}

	fn amount(&self, lots: Lots) -> Balance {
		self.lot().saturating_mul(lots.into())
	}
}

fn side_name(side: Side) -> &'static str {
	match side {
		Side::Buy => "buy",
		Side::Sell => "sell",
	}
}

fn order_json(units: &Units, id: u64, o: &OrderInfo) -> serde_json::Value {
	serde_json::json!({
		"order": id, "pair": o.pair, "side": side_name(o.side),
		"price": units.price(o.price), "price_per_lot": o.price.to_string(),
		"lots": o.lots, "placed_lots": o.placed_lots,
		"amount": format_units(units.amount(o.lots), 12),
		"placed_at": o.placed_at, "expires_at": o.expires_at,
	})
}

fn trade_json(units: &Units, t: &TradeInfo) -> serde_json::Value {
	serde_json::json!({
		"block": t.block, "maker_order": t.maker_order, "taker_order": t.taker_order,
		"maker": t.maker.to_string(), "taker": t.taker.to_string(),
		"taker_side": side_name(t.taker_side), "price": units.price(t.price),
		"price_per_lot": t.price.to_string(), "lots": t.lots,
		"amount": format_units(units.amount(t.lots), 12),
	})
}

pub async fn run(cli: &Cli, client: &Client, action: &MarketAction) -> anyhow::Result<()> {
	match action {
		MarketAction::Book { pair, depth } => book(cli, client, pair.pair, *depth).await,
		MarketAction::Buy(args) => place(cli, client, Side::Buy, args).await,
		MarketAction::Sell(args) => place(cli, client, Side::Sell, args).await,
		MarketAction::Orders { who } => {
			let who = account_id(cli, who.as_deref().unwrap_or(&cli.account))?;
			let orders = client.open_orders(&who).await?;
			let markets = client.markets().await?;
			let ait = client.ait_balance(&who).await?;
			let mut quotes = Vec::new();
			for market in &markets {
				if !quotes.iter().any(|(m, _): &(&Market, _)| m.terms.quote == market.terms.quote) {
					quotes.push((market, client.asset_balance(market.terms.quote, &who).await?));
				}
			}
			let units_of = |pair: PairId| markets.iter().find(|m| m.pair == pair).map(Units);
			if cli.json {
				let list: Vec<_> = orders
					.iter()
					.filter_map(|(id, o)| units_of(o.pair).map(|u| order_json(&u, *id, o)))
					.collect();
				let balances: Vec<_> = quotes
					.iter()
					.map(|(m, b)| {
						serde_json::json!({
							"asset": m.terms.quote, "symbol": m.quote_symbol,
							"free": format_units(b.free, m.quote_decimals),
							"held": format_units(b.held, m.quote_decimals),
						})
					})
					.collect();
				println!(
					"{}",
					serde_json::json!({
						"account": who.to_string(),
						"ait": { "free": format_units(ait.free, 12), "held": format_units(ait.held, 12) },
						"quote": balances,
						"orders": list,
					})
				);
				return Ok(());
			}
			println!("{who}: {} free, {} held", format_ait(ait.free), format_ait(ait.held));
			for (m, b) in &quotes {
				println!(
					"  {} {} free, {} held",
					format_units(b.free, m.quote_decimals),
					m.quote_symbol,
					format_units(b.held, m.quote_decimals)
				);
			}
			if orders.is_empty() {
				println!("no resting orders");
			}
			for (id, o) in &orders {
				let Some(units) = units_of(o.pair) else { continue };
				println!(
					"order {id}: {} {} of {} at {} {} per AIT on pair {}{}",
					side_name(o.side),
					format_ait(units.amount(o.lots)),
					format_ait(units.amount(o.placed_lots)),
					units.price(o.price),
					units.0.quote_symbol,
					o.pair,
					o.expires_at.map_or(String::new(), |at| format!(", expires at block {at}")),
				);
			}
			Ok(())
		},
		MarketAction::Cancel { order, all, pair } => {
			let signer = signer(cli, &cli.account)?;
			if *all {
				let cancelled = client.cancel_all_orders(&signer, *pair).await?;
				if cli.json {
					println!("{}", serde_json::json!({ "cancelled": cancelled }));
				} else {
					println!("cancelled {cancelled} order(s); their funds are free again");
				}
				return Ok(());
			}
			let order = order.context("name the order to cancel, or --all")?;
			let owned = client.open_orders(&account_of(&signer)).await?;
			if !owned.iter().any(|(id, _)| *id == order) {
				bail!(
					"order {order} is not a resting order of {}: see `aitbc market orders`",
					account_of(&signer)
				);
			}
			let included = client.cancel_order(&signer, order).await?;
			if cli.json {
				println!(
					"{}",
					serde_json::json!({ "cancelled": [order], "extrinsic": included.extrinsic_hash })
				);
			} else {
				println!("cancelled order {order}; its funds are free again");
			}
			Ok(())
		},
		MarketAction::Trades { pair } => {
			let market = client.market(pair.pair).await?;
			let units = Units(&market);
			let trades = client.recent_trades(pair.pair).await?;
			if cli.json {
				let list: Vec<_> = trades.iter().map(|t| trade_json(&units, t)).collect();
				println!("{}", serde_json::Value::Array(list));
			} else if trades.is_empty() {
				println!("no trades on pair {} yet", pair.pair);
			} else {
				for t in &trades {
					println!(
						"block {}: {} {} at {} {} per AIT (maker order {}, taker order {})",
						t.block,
						if t.taker_side == Side::Buy { "bought" } else { "sold" },
						format_ait(units.amount(t.lots)),
						units.price(t.price),
						market.quote_symbol,
						t.maker_order,
						t.taker_order,
					);
				}
			}
			Ok(())
		},
	}
}

async fn book(cli: &Cli, client: &Client, pair: PairId, depth: u32) -> anyhow::Result<()> {
	let market = client.market(pair).await?;
	let units = Units(&market);
	let book = client.depth(pair, depth).await?;
	let levels = |side: &[(Balance, Lots)]| -> Vec<serde_json::Value> {
		side.iter()
			.map(|(price, lots)| {
				serde_json::json!({
					"price": units.price(*price), "price_per_lot": price.to_string(),
					"lots": lots, "amount": format_units(units.amount(*lots), 12),
				})
			})
			.collect()
	};
	if cli.json {
		println!(
			"{}",
			serde_json::json!({
				"pair": pair, "base": "AIT", "quote": market.quote_symbol,
				"quote_asset": market.terms.quote, "quote_decimals": market.quote_decimals,
				"lot": format_units(market.terms.lot, 12), "tick": units.price(market.terms.tick),
				"min_lots": market.terms.min_lots, "open": market.terms.open,
				"bids": levels(&book.bids), "asks": levels(&book.asks),
			})
		);
		return Ok(());
	}
	println!(
		"pair {pair}: AIT/{} — lots of {}, prices in steps of {} {} per AIT{}",
		market.quote_symbol,
		format_ait(market.terms.lot),
		units.price(market.terms.tick),
		market.quote_symbol,
		if market.terms.open { "" } else { " (closed to new orders)" }
	);
	println!("  asks (sell AIT):");
	for (price, lots) in book.asks.iter().rev() {
		println!(
			"    {:>14} {}  {}",
			units.price(*price),
			market.quote_symbol,
			format_ait(units.amount(*lots))
		);
	}
	if book.asks.is_empty() {
		println!("    (none)");
	}
	println!("  bids (buy AIT):");
	for (price, lots) in &book.bids {
		println!(
			"    {:>14} {}  {}",
			units.price(*price),
			market.quote_symbol,
			format_ait(units.amount(*lots))
		);
	}
	if book.bids.is_empty() {
		println!("    (none)");
	}
	Ok(())
}

async fn place(cli: &Cli, client: &Client, side: Side, args: &OrderArgs) -> anyhow::Result<()> {
	let market = client.market(args.pair.pair).await?;
	if !market.terms.open {
		bail!("pair {} is closed to new orders (governance closed it)", market.pair);
	}
	let units = Units(&market);
	let lots = units.lots(&args.amount)?;
	let signer = signer(cli, &cli.account)?;
	let placement = match (&args.price, &args.worst) {
		(Some(price), _) => {
			let price = units.price_per_lot(price)?;
			client.place_limit(&signer, market.pair, side, price, lots, args.expires_in).await?
		},
		(None, Some(worst)) => {
			let worst = units.price_per_lot(worst)?;
			client.place_market(&signer, market.pair, side, lots, worst).await?
		},
		(None, None) => bail!("give --price (a limit order) or --worst (a market order)"),
	};
	print_placement(cli, &units, side, &placement);
	Ok(())
}

fn print_placement(cli: &Cli, units: &Units, side: Side, p: &Placement) {
	if cli.json {
		println!(
			"{}",
			serde_json::json!({
				"order": p.order, "side": side_name(side), "lots": p.lots, "filled": p.filled,
				"resting": p.resting,
				"trades": p.trades.iter().map(|(maker, price, lots)| serde_json::json!({
					"maker_order": maker, "price": units.price(*price),
					"price_per_lot": price.to_string(), "lots": lots,
				})).collect::<Vec<_>>(),
				"cancelled": p.cancelled.iter().map(|(order, owner, reason)| serde_json::json!({
					"order": order, "owner": owner.to_string(), "reason": format!("{reason:?}"),
				})).collect::<Vec<_>>(),
			})
		);
		return;
	}
	println!(
		"order {}: {} {}, {} traded at once, {} resting",
		p.order,
		side_name(side),
		format_ait(units.amount(p.lots)),
		format_ait(units.amount(p.filled)),
		format_ait(units.amount(p.resting)),
	);
	for (maker, price, lots) in &p.trades {
		println!(
			"  traded {} at {} {} per AIT with order {maker}",
			format_ait(units.amount(*lots)),
			units.price(*price),
			units.0.quote_symbol
		);
	}
	for (order, owner, reason) in &p.cancelled {
		match reason {
			CancelReason::SelfTrade => println!(
				"  your resting order {order} was cancelled instead of trading with this one"
			),
			_ => println!("  order {order} of {owner} left the book ({reason:?}) to make room"),
		}
	}
}
