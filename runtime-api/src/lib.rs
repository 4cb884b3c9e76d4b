//! Runtime APIs of the AITBC compute economy and its order book, for RPC clients (`state_call`), the `aitbc` CLI
//! and the node's off-chain logic.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use aitbc_primitives::{
	exchange::{BookDepth, Order, OrderId, Pair, PairId, Trade},
	BatchId, BatchProgress, Feasibility, JobId, JobParams, ModelId,
};
use alloc::vec::Vec;
use codec::{Codec, Decode, Encode};
use scale_info::TypeInfo;

/// A provider's record, derived only from on-chain facts.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug, Default)]
pub struct ReputationSummary {
	/// Jobs completed with a finalized receipt.
	pub completed: u32,
	/// Jobs that expired while assigned to it.
	pub expired: u32,
	/// Jobs cancelled after assignment.
	pub cancelled_after_assign: u32,
	/// Receipts that failed a spot-check (an audit).
	pub failed_checks: u32,
	/// Receipts that passed an audit.
	pub passed_checks: u32,
	/// Median GPU milliseconds of its recent completed jobs.
	pub median_gpu_ms: Option<u64>,
}

sp_api::decl_runtime_apis! {
	/// Queries of the compute economy. Version 2 added `batch_progress`; version 3
	/// `feasibility` and `queue_position`.
	#[api_version(2)]
	pub trait ComputeApi<AccountId: Codec, Balance: Codec> {
		/// The reputation of `provider`.
		fn reputation(provider: AccountId) -> ReputationSummary;
		/// The jobs `provider` submitted receipts for, in job order.
		fn receipted_jobs(provider: AccountId) -> Vec<JobId>;
		/// How far the batch job `batch_id` has come, if it exists.
		#[api_version(2)]
		fn batch_progress(batch_id: BatchId) -> Option<BatchProgress<AccountId>>;
		/// Whether any live provider could take a job of `model_id` with `params` at
		/// `max_price_per_unit`: how many pass each stage of the matching rule, why none
		/// could, the jobs queued ahead and a wait estimate. Ask it before submitting.
		#[api_version(3)]
		fn feasibility(model_id: ModelId, params: JobParams, max_price_per_unit: Balance)
			-> Feasibility<Balance>;
		/// A pending job's place in the queue (0: the oldest), if it is pending.
		#[api_version(3)]
		fn queue_position(job_id: JobId) -> Option<u32>;
	}

	/// Queries of the order book (the exchange pallet).
	pub trait ExchangeApi<AccountId: Codec, Balance: Codec, BlockNumber: Codec, AssetId: Codec> {
		/// Every pair with its terms, in id order.
		fn pairs() -> Vec<(PairId, Pair<AssetId, Balance>)>;
		/// Up to `levels` prices of each side of `pair`, best first, with the lots resting at
		/// each; `None` if there is no such pair.
		fn depth(pair: PairId, levels: u32) -> Option<BookDepth<Balance>>;
		/// `who`'s resting orders, over all pairs.
		fn open_orders(who: AccountId) -> Vec<(OrderId, Order<AccountId, Balance, BlockNumber>)>;
		/// The last trades of `pair`, newest first.
		fn recent_trades(pair: PairId) -> Vec<Trade<AccountId, Balance, BlockNumber>>;
	}
}
