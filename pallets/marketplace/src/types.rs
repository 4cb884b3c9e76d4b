//! The marketplace's types: models, offers, reputation, and the traits other pallets use.

use aitbc_primitives::{Feasibility, ModelId, WorkerKey};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{
	pallet_prelude::*, BoundedVec, CloneNoBound, DebugNoBound, DefaultNoBound, EqNoBound,
	PartialEqNoBound,
};
use scale_info::TypeInfo;
use sp_runtime::DispatchResult;

/// What a model's pipeline does.
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
pub enum PipelineKind {
	/// Text to image with a Stable-Diffusion-style pipeline.
	TextToImage,
}

/// One ONNX file of a model and its sha256.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
)]
#[scale_info(skip_type_params(MaxNameLen))]
pub struct ModelFile<MaxNameLen: Get<u32>> {
	/// Path inside the model folder (`unet/model.onnx`).
	pub path: BoundedVec<u8, MaxNameLen>,
	/// sha256 of the file.
	pub sha256: [u8; 32],
}

/// A registered model.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
)]
#[scale_info(skip_type_params(MaxNameLen, MaxFiles))]
pub struct ModelInfo<MaxNameLen: Get<u32>, MaxFiles: Get<u32>> {
	/// Human-readable name (`aitbc-tiny-sd`, `stable-diffusion-1.5`).
	pub name: BoundedVec<u8, MaxNameLen>,
	/// Pipeline kind.
	pub pipeline: PipelineKind,
	/// Every ONNX file with its sha256.
	pub files: BoundedVec<ModelFile<MaxNameLen>, MaxFiles>,
	/// sha256 of the model's manifest.
	pub manifest_sha256: [u8; 32],
	/// Cost weight in thousandths (1_000 = a reference model).
	pub unit_weight_milli: u32,
	/// Largest image width in pixels.
	pub max_width: u32,
	/// Largest image height in pixels.
	pub max_height: u32,
	/// Most denoising steps.
	pub max_steps: u32,
	/// A retired model takes no new jobs.
	pub retired: bool,
}

/// What a price must support to sit in an offer (the runtime's balance type does).
pub trait PriceBound: Clone + PartialEq + Eq + core::fmt::Debug {}
impl<T: Clone + PartialEq + Eq + core::fmt::Debug> PriceBound for T {}

/// What a provider offers, as given to `register_offer` and `update_offer`.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
)]
#[scale_info(skip_type_params(MaxModels, MaxNameLen, MaxEndpointLen, MaxKeys))]
pub struct OfferTerms<
	Balance: PriceBound,
	MaxModels: Get<u32>,
	MaxNameLen: Get<u32>,
	MaxEndpointLen: Get<u32>,
	MaxKeys: Get<u32>,
> {
	/// Models served.
	pub models: BoundedVec<ModelId, MaxModels>,
	/// Price per compute unit, in the smallest balance unit. 0 serves for free.
	pub price_per_unit: Balance,
	/// GPU model name.
	pub gpu_name: BoundedVec<u8, MaxNameLen>,
	/// GPU memory in MiB.
	pub gpu_memory_mib: u32,
	/// Base URL artifacts are served from (`http://host:port`).
	pub endpoint: BoundedVec<u8, MaxEndpointLen>,
	/// Jobs the provider runs at once.
	pub capacity: u32,
	/// Largest image (width × height, in pixels) its GPU runs; at least 64 × 64.
	pub max_pixels: u32,
	/// Keys its workers sign receipts with.
	pub worker_keys: BoundedVec<WorkerKey, MaxKeys>,
}

/// A registered offer: the terms plus its live state.
#[derive(
	Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound,
)]
#[scale_info(skip_type_params(MaxModels, MaxNameLen, MaxEndpointLen, MaxKeys))]
pub struct Offer<
	Balance: PriceBound,
	BlockNumber: PriceBound,
	MaxModels: Get<u32>,
	MaxNameLen: Get<u32>,
	MaxEndpointLen: Get<u32>,
	MaxKeys: Get<u32>,
> {
	/// The provider's terms.
	pub terms: OfferTerms<Balance, MaxModels, MaxNameLen, MaxEndpointLen, MaxKeys>,
	/// A paused offer takes no new jobs.
	pub paused: bool,
	/// Jobs assigned and not yet receipted or expired, and jobs the hub reserved for it and
	/// it has not claimed yet (what `capacity` limits).
	pub in_flight: u32,
	/// The provider's last sign of life: the block of its last heartbeat, claim, receipt or
	/// offer change. It is live while this is within the liveness window.
	pub last_seen: BlockNumber,
	/// Marked offline by the hub: a job reserved for it passed its acceptance window
	/// unclaimed. Not live until its next sign of life clears it.
	pub offline: bool,
	/// The model of the last job reserved for it or claimed by it: the one its GPU has
	/// loaded. `None` until its first job.
	pub last_model: Option<ModelId>,
}

impl<
		Balance: PriceBound,
		BlockNumber: PriceBound,
		MaxModels: Get<u32>,
		MaxNameLen: Get<u32>,
		MaxEndpointLen: Get<u32>,
		MaxKeys: Get<u32>,
	> Offer<Balance, BlockNumber, MaxModels, MaxNameLen, MaxEndpointLen, MaxKeys>
{
	/// Whether a job of `model` finds the provider's GPU ready: its last job was of that
	/// model, or it has had none yet (a worker loads its models when it starts). A provider
	/// whose last job was of another model would have to swap models first.
	pub fn is_warm_for(&self, model: ModelId) -> bool {
		self.last_model.is_none_or(|last| last == model)
	}
}

/// How a job that was assigned to a provider ended, for its reputation.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, Copy, PartialEq, Eq, Debug)]
pub enum JobOutcome {
	/// Receipt finalized; `gpu_ms` per image, from what the receipt reported.
	Completed { gpu_ms: u64 },
	/// Not receipted before its deadline.
	Expired,
	/// Cancelled after assignment.
	CancelledAfterAssign,
	/// Its receipt failed a spot-check.
	FailedCheck,
	/// Its receipt passed an audit.
	PassedCheck,
}

/// A provider's record, built from on-chain facts only.
#[derive(
	Encode,
	Decode,
	MaxEncodedLen,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
	DefaultNoBound,
)]
#[scale_info(skip_type_params(MaxSamples))]
pub struct Reputation<MaxSamples: Get<u32>> {
	/// Jobs completed with a finalized receipt.
	pub completed: u32,
	/// Jobs that expired while assigned to it.
	pub expired: u32,
	/// Jobs cancelled after it was assigned them.
	pub cancelled_after_assign: u32,
	/// Receipts that failed a spot-check.
	pub failed_checks: u32,
	/// Receipts that passed an audit.
	pub passed_checks: u32,
	/// GPU milliseconds of the most recent completed jobs, oldest first.
	pub recent_gpu_ms: BoundedVec<u64, MaxSamples>,
}

/// How many expired jobs a failed check counts as in [`Reputation::reliability_tenths`]: a
/// receipt for work not done is worse than work not delivered.
pub const FAILED_CHECK_WEIGHT: u64 = 4;

impl<MaxSamples: Get<u32>> Reputation<MaxSamples> {
	/// How far the hub can count on the provider, in tenths (0–10): the share of its record
	/// that is good, `(completed + 1) / (completed + 1 + expired + 4 × failed checks)`, rounded
	/// to the nearest tenth. A newcomer counts as fully reliable (10), so that it is not
	/// starved of its first jobs, and so does a veteran with one miss in twenty or fewer;
	/// tenths, so that small differences between good providers do not decide alone.
	pub fn reliability_tenths(&self) -> u32 {
		let good = u64::from(self.completed).saturating_add(1);
		let bad = u64::from(self.expired)
			.saturating_add(u64::from(self.failed_checks).saturating_mul(FAILED_CHECK_WEIGHT));
		// `good` is at least 1, so the total is too; the share is at most 10.
		let total = good.saturating_add(bad);
		let tenths = good.saturating_mul(10).saturating_add(total / 2) / total;
		u32::try_from(tenths).unwrap_or(10)
	}

	/// Median GPU time of the recent completed jobs (the lower median for an even count).
	pub fn median_gpu_ms(&self) -> Option<u64> {
		let mut samples = self.recent_gpu_ms.clone().into_inner();
		if samples.is_empty() {
			return None;
		}
		samples.sort_unstable();
		samples.get((samples.len() - 1) / 2).copied()
	}

	pub(crate) fn record(&mut self, outcome: JobOutcome) {
		match outcome {
			JobOutcome::Completed { gpu_ms } => {
				self.completed = self.completed.saturating_add(1);
				if self.recent_gpu_ms.is_full() && !self.recent_gpu_ms.is_empty() {
					self.recent_gpu_ms.remove(0);
				}
				// Cannot fail: there is room now (or the bound is 0 and nothing is kept).
				let _ = self.recent_gpu_ms.try_push(gpu_ms);
			},
			JobOutcome::Expired => self.expired = self.expired.saturating_add(1),
			JobOutcome::CancelledAfterAssign => {
				self.cancelled_after_assign = self.cancelled_after_assign.saturating_add(1)
			},
			JobOutcome::FailedCheck => self.failed_checks = self.failed_checks.saturating_add(1),
			JobOutcome::PassedCheck => self.passed_checks = self.passed_checks.saturating_add(1),
		}
	}
}

/// Whether providers must hold stake, and whether one does. Implemented by the staking pallet;
/// `()` means "no stake required ever" (governance approval only).
pub trait ProviderStake<AccountId> {
	/// True once governance requires a minimum stake of providers.
	fn stake_required() -> bool;
	/// True when `who` has bonded at least the minimum.
	fn has_min_stake(who: &AccountId) -> bool;
}

impl<AccountId> ProviderStake<AccountId> for () {
	fn stake_required() -> bool {
		false
	}
	fn has_min_stake(_: &AccountId) -> bool {
		false
	}
}

/// What a job needs to know of its model: cost weight and limits.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, Copy, PartialEq, Eq, Debug)]
pub struct ModelLimits {
	/// Cost weight in thousandths.
	pub unit_weight_milli: u32,
	/// Largest image width.
	pub max_width: u32,
	/// Largest image height.
	pub max_height: u32,
	/// Most steps.
	pub max_steps: u32,
}

/// What the matching rule needs to know of a job.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct JobRequest<Balance> {
	/// The model to run.
	pub model: ModelId,
	/// The image's pixels (width × height).
	pub pixels: u64,
	/// The highest price per unit the client accepts.
	pub max_price: Balance,
}

/// What the jobs and receipts pallets need from the marketplace.
pub trait ProviderRegistry<AccountId, Balance> {
	/// Weight and limits of model `id`, if registered and not retired.
	fn active_model(id: ModelId) -> Option<ModelLimits>;
	/// The one matching rule: `provider` may take `job` (model served, price within the
	/// limit, image within its size limit, a free slot, eligible, unpaused). Returns the
	/// provider's price. `holds_slot`: the job is reserved for the provider, and holds one of
	/// its slots already.
	fn check_can_take(
		provider: &AccountId,
		job: &JobRequest<Balance>,
		holds_slot: bool,
	) -> Result<Balance, DispatchError>;
	/// A job of `model` was assigned to `provider` (after `check_can_take` succeeded); a sign
	/// of life. The provider's GPU now holds `model`.
	fn job_assigned(provider: &AccountId, model: ModelId) -> DispatchResult;
	/// The hub reserved a job of `model` for `provider`: it takes one of its slots until the
	/// provider claims it (released then, before `job_assigned`) or lets it lapse. Not a sign
	/// of life.
	fn slot_reserved(provider: &AccountId, model: ModelId) -> DispatchResult;
	/// An assigned job no longer occupies `provider`'s capacity: it was receipted (the GPU
	/// work is done; the challenge window needs no GPU: a sign of life) or it expired.
	fn job_released(provider: &AccountId, receipted: bool) -> DispatchResult;
	/// How many providers could take `job`, stage by stage ([`Feasibility`]), with
	/// `pending_ahead` jobs already queued.
	fn feasibility(job: &JobRequest<Balance>, pending_ahead: u32) -> Feasibility<Balance>;
	/// How a job of `provider` ended, for its reputation.
	fn record_outcome(provider: &AccountId, outcome: JobOutcome);
	/// The provider that registered `key`.
	fn worker_key_owner(key: &WorkerKey) -> Option<AccountId>;
	/// Whether `provider` may audit a receipt of `model`: it has an unpaused offer serving
	/// the model and is eligible to take jobs (the same eligibility as `check_can_take`,
	/// without price and capacity: an audit is not a job of the auditor's).
	fn check_can_audit(provider: &AccountId, model: ModelId) -> DispatchResult;
	/// `provider` lost an audit: its governance approval, if any, is revoked, so that the
	/// penalty bites even with nothing bonded. Returns whether an approval was revoked.
	fn suspend(provider: &AccountId) -> bool;
	/// The live provider that takes `job` next, and its price: of the first providers of the
	/// model's rotation (at most `MaxProbesPerPick`: bounded work) that the matching rule lets
	/// take it, the most reliable, then one whose GPU has the model loaded, then the first in
	/// line. The chosen provider and every one asked that could not take the job go to the
	/// back of the rotation; those passed over keep their turn.
	fn pick_provider(job: &JobRequest<Balance>) -> Option<(AccountId, Balance)>;
	/// `provider` let a job reserved for it pass unclaimed: the reservation's slot is freed,
	/// and the provider is not live until its next sign of life.
	fn missed_reservation(provider: &AccountId);
}
