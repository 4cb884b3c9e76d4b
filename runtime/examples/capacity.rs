//! On-chain capacity from the runtime's benchmarked weights: how many receipts and jobs fit in
//! one block, one receipt per transaction (`submit_receipt`) and in full batches
//! (`submit_receipts`), and the sustained receipts per second when every block both accepts
//! receipts and finalizes (mints) as many. Receipts accepted in one block are finalized together
//! in one later block, so no block accepts more than `MaxReceiptsPerBlock`.
//!
//! The receipt weights are read from the calls' own dispatch info, so they include everything
//! the calls declare (the feeless check the transaction extension runs before dispatch, too).
//!
//! `cargo run --release -p aitbc-runtime --example capacity`

use aitbc_primitives::{ExecutionInfo, Receipt, WorkerKey};
use aitbc_runtime::{configs::RuntimeBlockWeights, time::MILLISECS_PER_BLOCK, Runtime, RuntimeCall};
use frame_support::{
	dispatch::{DispatchClass, GetDispatchInfo},
	traits::Get,
	weights::Weight,
	BoundedVec,
};
use pallet_aitbc_jobs::WeightInfo as _;
use pallet_aitbc_receipts::{KeySignature, SignedReceipt, WeightInfo as _};

type ReceiptWeights = <Runtime as pallet_aitbc_receipts::Config>::WeightInfo;
type JobWeights = <Runtime as pallet_aitbc_jobs::Config>::WeightInfo;
type MaxReceiptBatch = <Runtime as pallet_aitbc_receipts::Config>::MaxReceiptBatch;
type MaxReceiptsPerBlock = <Runtime as pallet_aitbc_receipts::Config>::MaxReceiptsPerBlock;

fn micros(weight: Weight) -> f64 {
	weight.ref_time() as f64 / 1_000_000.0
}

/// A receipt without attestations (the weights do not depend on its field values).
fn receipt() -> Receipt<aitbc_runtime::AccountId> {
	Receipt {
		job_id: 0,
		provider: [0u8; 32].into(),
		worker_key: WorkerKey::Sr25519([0; 32]),
		client: [0u8; 32].into(),
		model_id: 0,
		units: 0,
		gpu_ms: 0,
		prompt_hash: [0; 32],
		params_hash: [0; 32],
		artifact_sha256: [0; 32],
		started_at: 0,
		finished_at: 0,
		nonce: 0,
		genesis_hash: [0; 32],
		execution: ExecutionInfo {
			execution_provider: BoundedVec::new(),
			device: BoundedVec::new(),
			runtime_version: BoundedVec::new(),
		},
	}
}

fn main() {
	let block = RuntimeBlockWeights::get();
	let normal = block.get(DispatchClass::Normal);
	let max_normal = normal.max_total.unwrap_or(block.max_block);
	let per_extrinsic = normal.base_extrinsic;
	let with_base = |call: RuntimeCall| call.get_dispatch_info().call_weight.saturating_add(per_extrinsic);

	let single = with_base(RuntimeCall::Receipts(pallet_aitbc_receipts::Call::submit_receipt {
		receipt: receipt(),
		signature: KeySignature([0; 64]),
		attestations: BoundedVec::new(),
	}));
	let batch_size: u32 = MaxReceiptBatch::get();
	let entry = SignedReceipt {
		receipt: receipt(),
		signature: KeySignature([0; 64]),
		attestations: BoundedVec::new(),
	};
	let batch = with_base(RuntimeCall::Receipts(pallet_aitbc_receipts::Call::submit_receipts {
		receipts: BoundedVec::truncate_from(vec![entry; batch_size as usize]),
	}));
	let finalize_each =
		ReceiptWeights::on_initialize(1).saturating_sub(ReceiptWeights::on_initialize(0));
	let job = JobWeights::submit_job(64).saturating_add(per_extrinsic);
	let claim = JobWeights::claim_job().saturating_add(per_extrinsic);

	let fit = |each: Weight, budget: Weight| budget.ref_time() / each.ref_time().max(1);
	let slot = u64::from(<MaxReceiptsPerBlock as Get<u32>>::get());
	let singles_by_weight = fit(single, max_normal);
	let batched_by_weight = fit(batch, max_normal) * batch_size as u64;
	let singles = singles_by_weight.min(slot);
	let batched = batched_by_weight.min(slot);
	// Steady state: a block accepts r receipts (normal class) and finalizes r older ones in
	// on_initialize (mandatory), all within the block's total.
	let budget = block
		.max_block
		.saturating_sub(block.base_block)
		.saturating_sub(ReceiptWeights::on_initialize(0));
	let batch_each = batch.ref_time() as f64 / batch_size as f64;
	let steady_single = singles.min(fit(single.saturating_add(finalize_each), budget));
	let steady_batched = batched.min(
		(budget.ref_time() as f64 / (batch_each + finalize_each.ref_time() as f64)) as u64,
	);
	let seconds = MILLISECS_PER_BLOCK as f64 / 1_000.0;
	let per_second = |count: u64| count as f64 / seconds;

	println!(
		"block: {:.0} µs compute ({:.0} µs for normal extrinsics), {seconds} s per block",
		micros(block.max_block),
		micros(max_normal)
	);
	println!("per extrinsic base: {:.1} µs", micros(per_extrinsic));
	println!("submit_receipt: {:.1} µs incl. base", micros(single));
	println!(
		"submit_receipts ({batch_size} receipts): {:.1} µs incl. base = {:.1} µs per receipt",
		micros(batch),
		batch_each / 1_000_000.0
	);
	println!("finalize (mint) per receipt: {:.1} µs", micros(finalize_each));
	println!(
		"submit_job (64-byte prompt): {:.1} µs incl. base; claim_job: {:.1} µs",
		micros(job),
		micros(claim)
	);
	println!("submit_job per block: {} ({:.0}/s)", fit(job, max_normal), per_second(fit(job, max_normal)));
	println!("finalization slot (MaxReceiptsPerBlock): {slot} receipts per block");
	println!(
		"receipts per block, one per transaction: {singles} ({:.0}/s; {singles_by_weight} by weight alone)",
		per_second(singles)
	);
	println!(
		"receipts per block, in batches of {batch_size}: {batched} ({:.0}/s; {batched_by_weight} by weight \
		 alone = {:.0}/s; goal 1000/s)",
		per_second(batched),
		per_second(batched_by_weight)
	);
	println!(
		"sustained (accept + mint every block): one per transaction {steady_single} per block = {:.0}/s; \
		 in batches {steady_batched} per block = {:.0}/s",
		per_second(steady_single),
		per_second(steady_batched)
	);
}
