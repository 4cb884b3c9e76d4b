//! The order book's capacity from the runtime's benchmarked weights: orders placed, matched and
//! cancelled per second on the chain's block time, and what a market order sweeping the most
//! makers allowed (`MaxFills`) costs.
//!
//! A placement is charged its worst case up front (`MaxFills` touched orders) and refunded to
//! what it did, so a block admits an order while its worst case still fits and then counts only
//! what it used: the figures below fill a block with the used weights and keep the last order's
//! worst case free.
//!
//! `cargo run --release -p aitbc-runtime --example exchange_capacity`

use aitbc_runtime::{configs::RuntimeBlockWeights, time::MILLISECS_PER_BLOCK, Runtime};
use frame_support::{dispatch::DispatchClass, traits::Get, weights::Weight};
use pallet_aitbc_exchange::WeightInfo as _;

type Weights = <Runtime as pallet_aitbc_exchange::Config>::WeightInfo;
type MaxFills = <Runtime as pallet_aitbc_exchange::Config>::MaxFills;

fn micros(weight: Weight) -> f64 {
	weight.ref_time() as f64 / 1_000_000.0
}

fn main() {
	let block = RuntimeBlockWeights::get();
	let normal = block.get(DispatchClass::Normal);
	let budget = normal.max_total.unwrap_or(block.max_block);
	let base = normal.base_extrinsic;
	let seconds = MILLISECS_PER_BLOCK as f64 / 1_000.0;
	let worst =
		pallet_aitbc_exchange::Pallet::<Runtime>::place_limit_worst_case().saturating_add(base);
	// Orders of `used` weight each, admitted while the worst case of the next still fits.
	let per_block = |used: Weight| -> u64 {
		let room =
			budget.ref_time().saturating_sub(worst.ref_time().saturating_sub(used.ref_time()));
		room / used.ref_time().max(1)
	};
	let most: u32 = MaxFills::get();
	println!(
		"block: {:.0} µs for normal extrinsics every {seconds} s; each extrinsic's base {:.0} µs",
		micros(budget),
		micros(base)
	);
	println!(
		"charged up front per placement (MaxFills = {most} touched orders): {:.0} µs",
		micros(worst)
	);
	let rows = [
		("limit order that rests (no trade)", Weights::place_limit_resting()),
		("limit order that rests with an expiry", Weights::place_limit_resting_expiring()),
		("limit order that trades with one maker and rests the rest", Weights::place_limit(1)),
		("market order that trades with one maker", Weights::place_market(1)),
		("cancel", Weights::cancel()),
	];
	for (what, weight) in rows {
		let used = weight.saturating_add(base);
		let n = per_block(used);
		println!("{what}: {:.0} µs → {n} per block = {:.0}/s", micros(used), n as f64 / seconds);
	}
	// Matching is linear in fills: every fill adds the same slope whatever the book's size
	// (levels, queues and other accounts' orders are read only where they are touched).
	let slope = Weights::place_market(2).saturating_sub(Weights::place_market(1));
	let sweep = Weights::place_market(most).saturating_add(base);
	let fills = per_block(sweep) * u64::from(most);
	println!(
		"each fill adds {:.0} µs; a market order sweeping {most} makers: {:.0} µs ({:.2} ms), \
		 {} such orders per block = {:.0} fills/s",
		micros(slope),
		micros(sweep),
		micros(sweep) / 1_000.0,
		per_block(sweep),
		fills as f64 / seconds
	);
	let expire = Weights::expire(2).saturating_sub(Weights::expire(1));
	println!("expiry in on_initialize: {:.0} µs per expired order", micros(expire));
}
