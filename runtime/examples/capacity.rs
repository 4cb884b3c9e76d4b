//! On-chain capacity from the runtime's benchmarked weights: how many receipts and jobs fit in
//! one block, one receipt per transaction (`submit_receipt`) and in full batches
//! (`submit_receipts`), and the sustained receipts per second when every block both accepts
//! receipts and finalizes (mints) as many. Receipts accepted in one block are finalized together
//! in one later block, so no block accepts more than `MaxReceiptsPerBlock`, of at most
//! `MaxProvidersPerBlock` providers. Finalizing costs a part per receipt and a part per provider
//! (one mint and one payout each): the sustained figures take the worst case of each way of
//! sending receipts, every batch (or every single receipt) from another provider.
//!
//! The receipt weights are read from the calls' own dispatch info, so they include everything
//! the calls declare (the feeless check the transaction extension runs before dispatch, too).
//! An authorized batch (`submit_receipts_authorized`, a general transaction, see the receipts
//! pallet) costs its authorization (`weight_of_authorize`: the checks, run once) plus its
//! dispatch (the recording alone).
//!
//! Audits cost every receipt the draw (in `on_initialize`) and every audited one its opening,
//! its first auditor's commit and reveal (the reveal resolves it: the mint and the auditor's
//! pay) and a phase deadline: the sustained figures are printed for audit rates of 0, 10 % and
//! 100 %, escalations (a failed first verdict) not counted: they are the cheaters' cost.
//!
//! `cargo run --release -p aitbc-runtime --example capacity`

use aitbc_primitives::{ExecutionInfo, Receipt, WorkerKey};
use aitbc_runtime::{
	configs::RuntimeBlockWeights, time::MILLISECS_PER_BLOCK, Runtime, RuntimeCall,
};
use frame_support::{
	dispatch::{DispatchClass, GetDispatchInfo},
	traits::{Authorize, Get},
	weights::Weight,
	BoundedVec,
};
use pallet_aitbc_audits::WeightInfo as _;
use pallet_aitbc_jobs::WeightInfo as _;
use pallet_aitbc_receipts::{KeySignature, SignedReceipt, WeightInfo as _};

type ReceiptWeights = <Runtime as pallet_aitbc_receipts::Config>::WeightInfo;
type JobWeights = <Runtime as pallet_aitbc_jobs::Config>::WeightInfo;
type MaxReceiptBatch = <Runtime as pallet_aitbc_receipts::Config>::MaxReceiptBatch;
type MaxReceiptsPerBlock = <Runtime as pallet_aitbc_receipts::Config>::MaxReceiptsPerBlock;
type MaxProvidersPerBlock = <Runtime as pallet_aitbc_receipts::Config>::MaxProvidersPerBlock;
type AuditWeights = <Runtime as pallet_aitbc_audits::Config>::WeightInfo;
type MaxAuditorsPerModel = <Runtime as pallet_aitbc_audits::Config>::MaxAuditorsPerModel;
type MaxBatchSize = <Runtime as pallet_aitbc_jobs::Config>::MaxBatchSize;
type MaxImagesPerShard = <Runtime as pallet_aitbc_jobs::Config>::MaxImagesPerShard;
type MaxPendingJobs = <Runtime as pallet_aitbc_jobs::Config>::MaxPendingJobs;
type MaxReservationsPerBlock = <Runtime as pallet_aitbc_jobs::Config>::MaxReservationsPerBlock;

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
	let with_base =
		|call: RuntimeCall| call.get_dispatch_info().call_weight.saturating_add(per_extrinsic);

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
	let entries = BoundedVec::truncate_from(vec![entry; batch_size as usize]);
	let batch = with_base(RuntimeCall::Receipts(pallet_aitbc_receipts::Call::submit_receipts {
		receipts: entries.clone(),
	}));
	let authorized_call =
		RuntimeCall::Receipts(pallet_aitbc_receipts::Call::submit_receipts_authorized {
			receipts: entries,
		});
	let authorized =
		with_base(authorized_call.clone()).saturating_add(authorized_call.weight_of_authorize());
	let max_providers: u32 = MaxProvidersPerBlock::get();
	let finalize_each =
		ReceiptWeights::on_initialize(2, 1).saturating_sub(ReceiptWeights::on_initialize(1, 1));
	let finalize_provider =
		ReceiptWeights::on_initialize(2, 2).saturating_sub(ReceiptWeights::on_initialize(2, 1));
	let finalize_base = ReceiptWeights::on_initialize(0, 0);
	let job = JobWeights::submit_job(64).saturating_add(per_extrinsic);
	let claim = JobWeights::claim_job().saturating_add(per_extrinsic);

	let fit = |each: Weight, budget: Weight| budget.ref_time() / each.ref_time().max(1);
	let slot = u64::from(<MaxReceiptsPerBlock as Get<u32>>::get());
	let singles_by_weight = fit(single, max_normal);
	let batched_by_weight = fit(batch, max_normal) * batch_size as u64;
	let singles = singles_by_weight.min(slot);
	let batched = batched_by_weight.min(slot);
	let authorized_by_weight = fit(authorized, max_normal) * batch_size as u64;
	let authorized_batched = authorized_by_weight.min(slot);
	// Steady state: a block accepts r receipts (normal class) and finalizes r older ones in
	// on_initialize (mandatory), all within the block's total.
	let budget = block.max_block.saturating_sub(block.base_block).saturating_sub(finalize_base);
	let batch_each = batch.ref_time() as f64 / batch_size as f64;
	let ps = |w: Weight| w.ref_time() as f64;
	// Every single receipt from another provider: each pays the per-provider part, and a block
	// finalizes at most `MaxProvidersPerBlock` of them.
	let steady_single = singles
		.min(u64::from(max_providers))
		.min((ps(budget) / (ps(single) + ps(finalize_each) + ps(finalize_provider))) as u64);
	// Every batch from another provider: a batch pays the per-provider part once.
	let steady_batches = |accepted: u64, per_receipt: f64| {
		accepted.min(u64::from(max_providers) * batch_size as u64).min(
			(ps(budget)
				/ (per_receipt + ps(finalize_each) + ps(finalize_provider) / batch_size as f64))
				as u64,
		)
	};
	let steady_batched = steady_batches(batched, batch_each);
	let authorized_each = authorized.ref_time() as f64 / batch_size as f64;
	let steady_authorized = steady_batches(authorized_batched, authorized_each);
	// Audits: the draw reads every receipt; an audited one is opened (its rotation walking past
	// the most auditors a model may have), committed and revealed. An honest receipt passes on
	// its first auditor's reveal, refunded to that cost, and ends before its phase deadline, so
	// no deadline hook runs for it (those run for silent auditors and escalations only).
	let draw_each = AuditWeights::draw(2, 1).saturating_sub(AuditWeights::draw(1, 1));
	let audit_each = AuditWeights::open_audit(MaxAuditorsPerModel::get())
		.saturating_add(AuditWeights::commit_verdict())
		.saturating_add(AuditWeights::reveal_verdict_passes())
		.saturating_add(per_extrinsic.saturating_mul(2));
	let audited = |rate: f64| {
		let extra = ps(draw_each) + rate * ps(audit_each);
		steady_batches(authorized_batched, authorized_each + extra)
	};
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
	println!(
		"submit_receipts authorized ({batch_size} receipts, general transaction): {:.1} µs incl. \
		 base = {:.1} µs per receipt",
		micros(authorized),
		authorized_each / 1_000_000.0
	);
	println!(
		"finalize: {:.1} µs per receipt + {:.1} µs per provider (one mint, one payout) + {:.1} µs \
		 per block",
		micros(finalize_each),
		micros(finalize_provider),
		micros(finalize_base)
	);
	println!(
		"submit_job (64-byte prompt): {:.1} µs incl. base; claim_job: {:.1} µs",
		micros(job),
		micros(claim)
	);
	println!(
		"submit_job per block: {} ({:.0}/s)",
		fit(job, max_normal),
		per_second(fit(job, max_normal))
	);
	println!(
		"finalization slot: {slot} receipts (MaxReceiptsPerBlock) of {max_providers} providers \
		 (MaxProvidersPerBlock) per block"
	);
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
		"receipts per block, in authorized batches of {batch_size}: {authorized_batched} ({:.0}/s; \
		 {authorized_by_weight} by weight alone = {:.0}/s)",
		per_second(authorized_batched),
		per_second(authorized_by_weight)
	);
	println!(
		"sustained (accept + finalize every block, each transaction from another provider): one per \
		 transaction {steady_single} per block = {:.0}/s; in signed batches {steady_batched} per \
		 block = {:.0}/s; in authorized batches {steady_authorized} per block = {:.0}/s (goal 1000/s)",
		per_second(steady_single),
		per_second(steady_batched),
		per_second(steady_authorized)
	);
	println!(
		"audits: the draw {:.1} µs per receipt; an audited receipt {:.1} µs more (open, commit, \
		 and the first auditor's passing reveal with its mint and pay)",
		micros(draw_each),
		micros(audit_each)
	);
	// The hub: a job's reservation is one worst-case pick (8 providers asked) and one look in
	// `on_idle`; its full cycle adds the submission, the provider's claim, its share of an
	// authorized receipt batch and its finalization.
	let reserve_base = JobWeights::reserve_pending(0, 0);
	let reserve_look = JobWeights::reserve_pending(1, 0).saturating_sub(reserve_base);
	let reserve_pick = JobWeights::reserve_pending(0, 1).saturating_sub(reserve_base);
	let cycle = ps(job)
		+ ps(reserve_look)
		+ ps(reserve_pick)
		+ ps(claim)
		+ authorized_each
		+ ps(finalize_each)
		+ ps(finalize_provider) / batch_size as f64;
	println!(
		"hub: reserving a job {:.1} µs (a pick asking up to 8 providers) + {:.1} µs per pending job \
		 looked at, {:.1} µs per block",
		micros(reserve_pick),
		micros(reserve_look),
		micros(reserve_base)
	);
	println!(
		"full job cycle (submit + reservation + claim + authorized receipt + finalize): {:.1} µs = \
		 {:.0} single-image jobs/s by weight",
		cycle / 1_000_000.0,
		ps(budget) / cycle / seconds
	);
	// Batches: one submission for `MaxBatchSize` images in shards of `per_shard` images; each
	// shard then has one reservation, claim, receipt and finalization for all its images.
	let batch_images: u32 = MaxBatchSize::get();
	let most_per_shard: u32 = MaxImagesPerShard::get();
	for per_shard in [1u32, 2, 4, 8, 16].into_iter().filter(|n| *n <= most_per_shard) {
		let shards = batch_images.div_ceil(per_shard);
		let submit_batch = JobWeights::submit_batch(shards, 64).saturating_add(per_extrinsic);
		let per_image =
			(ps(submit_batch) + f64::from(shards) * (cycle - ps(job))) / f64::from(batch_images);
		println!(
			"full cycle per image in a batch of {batch_images} in shards of {per_shard} \
			 ({shards} shards: submit_batch {:.1} µs, then each shard reserved, claimed, \
			 receipted, finalized): {:.1} µs = {:.0} images/s by weight (goal 2000/s)",
			micros(submit_batch),
			per_image / 1_000_000.0,
			ps(budget) / per_image / seconds
		);
	}
	// The hub's pass in a block with 1,000 pending jobs and 100 providers: every pending job is
	// looked at (oldest first, those reserved already too), at most `MaxReservationsPerBlock`
	// picks are made, each asking at most `MaxProbesPerPick` providers whatever their number;
	// `on_idle` runs it only within the weight the block has left.
	let picks = <MaxReservationsPerBlock as Get<u32>>::get().min(100);
	let pass = JobWeights::reserve_pending(1_000, picks);
	let (most_pending, most_picks): (u32, u32) =
		(MaxPendingJobs::get(), MaxReservationsPerBlock::get());
	let worst = JobWeights::reserve_pending(most_pending, most_picks);
	println!(
		"hub pass with 1,000 pending jobs and 100 providers: {picks} picks, {:.1} ms = {:.1} % of \
		 the block's compute; the bound (a full queue of {} jobs, {} picks): {:.1} ms = {:.1} %",
		micros(pass) / 1_000.0,
		100.0 * ps(pass) / ps(block.max_block),
		most_pending,
		most_picks,
		micros(worst) / 1_000.0,
		100.0 * ps(worst) / ps(block.max_block)
	);
	for (rate, name) in [(0.0, "0 %"), (0.1, "10 % (the runtime's default)"), (1.0, "100 %")] {
		let steady = audited(rate);
		println!(
			"sustained in authorized batches with audits at {name}: {steady} per block = {:.0}/s",
			per_second(steady)
		);
	}
}
