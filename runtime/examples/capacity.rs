//! On-chain capacity from the runtime's benchmarked weights: how many `submit_receipt` and
//! `submit_job` fit in one block, and the sustained receipts per second when every block both
//! accepts receipts and finalizes (mints) as many.
//!
//! `cargo run --release -p aitbc-runtime --example capacity`

use aitbc_runtime::{configs::RuntimeBlockWeights, time::MILLISECS_PER_BLOCK, Runtime};
use frame_support::{dispatch::DispatchClass, weights::Weight};
use pallet_aitbc_jobs::WeightInfo as _;
use pallet_aitbc_receipts::WeightInfo as _;

type ReceiptWeights = <Runtime as pallet_aitbc_receipts::Config>::WeightInfo;
type JobWeights = <Runtime as pallet_aitbc_jobs::Config>::WeightInfo;

fn micros(weight: Weight) -> f64 {
	weight.ref_time() as f64 / 1_000_000.0
}

fn main() {
	let block = RuntimeBlockWeights::get();
	let normal = block.get(DispatchClass::Normal);
	let max_normal = normal.max_total.unwrap_or(block.max_block);
	let per_extrinsic = normal.base_extrinsic;

	let receipt = ReceiptWeights::submit_receipt(0).saturating_add(per_extrinsic);
	let finalize_each =
		ReceiptWeights::on_initialize(1).saturating_sub(ReceiptWeights::on_initialize(0));
	let job = JobWeights::submit_job(64).saturating_add(per_extrinsic);
	let claim = JobWeights::claim_job().saturating_add(per_extrinsic);

	let fit = |each: Weight, budget: Weight| budget.ref_time() / each.ref_time().max(1);
	let receipts_only = fit(receipt, max_normal);
	// Steady state: a block accepts r receipts (normal class) and finalizes r older ones in
	// on_initialize (mandatory), all within the block's total.
	let budget = block
		.max_block
		.saturating_sub(block.base_block)
		.saturating_sub(ReceiptWeights::on_initialize(0));
	let steady = receipts_only.min(fit(receipt.saturating_add(finalize_each), budget));
	let seconds = MILLISECS_PER_BLOCK as f64 / 1_000.0;

	println!(
		"block: {:.0} µs compute ({:.0} µs for normal extrinsics), {seconds} s per block",
		micros(block.max_block),
		micros(max_normal)
	);
	println!("per extrinsic base: {:.1} µs", micros(per_extrinsic));
	println!(
		"submit_receipt: {:.1} µs incl. base; finalize (mint) per receipt: {:.1} µs",
		micros(receipt),
		micros(finalize_each)
	);
	println!(
		"submit_job (64-byte prompt): {:.1} µs incl. base; claim_job: {:.1} µs",
		micros(job),
		micros(claim)
	);
	println!("submit_receipt per block: {receipts_only} ({:.0}/s)", receipts_only as f64 / seconds);
	println!(
		"submit_job per block: {} ({:.0}/s)",
		fit(job, max_normal),
		fit(job, max_normal) as f64 / seconds
	);
	println!(
		"sustained receipts (accept + mint every block): {steady} per block = {:.0} receipts/s (goal 1000/s)",
		steady as f64 / seconds
	);
}
