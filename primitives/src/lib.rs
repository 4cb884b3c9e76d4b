//! # AITBC primitives
//!
//! The types every AITBC component agrees on, in one `no_std` crate: the runtime checks exactly
//! the bytes the worker signs, and the client decodes exactly what the runtime stores.
//!
//! ## Terminology
//! - **Compute unit**: one UNet step over 512×512 pixels for a model of weight 1. Units are
//!   counted in thousandths ([`Units`], "milli-units") so that small images and light models
//!   still cost a whole number.
//! - **Receipt**: what a provider's worker signs after serving a job ([`Receipt`]). Its hash is
//!   `blake2_256(SCALE(receipt))`; the signed message is [`RECEIPT_DOMAIN`] `++` that hash.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "std")]
pub mod audit_economics;
pub mod exchange;
pub mod feasibility;
pub mod manifest;

pub use feasibility::{Feasibility, NoProvider};

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_core::{bounded::BoundedVec, ConstU32};

/// Job identifier, assigned by the chain in submission order.
pub type JobId = u64;
/// Batch job identifier, assigned by the chain in submission order.
pub type BatchId = u64;
/// Model identifier in the on-chain model registry.
pub type ModelId = u32;
/// Compute units, in thousandths of a unit.
pub type Units = u64;
/// A 32-byte hash (blake2-256 or sha-256, as the field says).
pub type Hash32 = [u8; 32];

/// Thousandths per compute unit.
pub const MILLI_UNITS_PER_UNIT: u64 = 1_000;
/// Pixels of the reference image of one compute unit (512×512).
pub const REFERENCE_PIXELS: u64 = 512 * 512;
/// Weight of a reference model, in thousandths (so 1_000 is "weight 1").
pub const REFERENCE_UNIT_WEIGHT: u32 = 1_000;
/// Domain separator of receipt signatures: a receipt signature can never be mistaken for a
/// signature over anything else.
pub const RECEIPT_DOMAIN: &[u8; 16] = b"aitbc/receipt/v1";

/// Diffusion noise scheduler.
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
pub enum Scheduler {
	/// Denoising diffusion implicit models (deterministic).
	Ddim,
	/// Euler discrete.
	Euler,
}

/// What a client asks of a text-to-image job (besides model and prompt).
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
pub struct JobParams {
	/// UNet denoising steps.
	pub steps: u32,
	/// Classifier-free guidance scale, in thousandths (7.5 is 7_500): no floats on-chain.
	pub guidance_milli: u32,
	/// Image width in pixels.
	pub width: u32,
	/// Image height in pixels.
	pub height: u32,
	/// Noise seed: the same seed on the same provider gives the same image.
	pub seed: u64,
	/// Noise scheduler.
	pub scheduler: Scheduler,
}

impl JobParams {
	/// `blake2_256` of the SCALE encoding: the `params_hash` of a receipt.
	pub fn hash(&self) -> Hash32 {
		sp_crypto_hashing::blake2_256(&self.encode())
	}

	/// Pixels of the image (width × height): what a provider's `max_pixels` limits.
	pub fn pixels(&self) -> u64 {
		u64::from(self.width).saturating_mul(u64::from(self.height))
	}
}

/// Smallest image side in pixels.
pub const MIN_IMAGE_SIDE: u32 = 64;

/// Whether `px` is a valid image side: at least [`MIN_IMAGE_SIDE`] and a multiple of 8 (the VAE
/// works on 8× downsampled latents). The model's own maximum is checked separately.
pub fn valid_image_side(px: u32) -> bool {
	px >= MIN_IMAGE_SIDE && px % 8 == 0
}

/// The cost of a job in milli-units:
/// `steps × width × height / 512² × unit_weight`, with `unit_weight` in thousandths.
///
/// Rounds down; `None` only on overflow, which no valid job reaches.
pub fn compute_units(params: &JobParams, unit_weight_milli: u32) -> Option<Units> {
	let work = u128::from(params.steps)
		.checked_mul(u128::from(params.width))?
		.checked_mul(u128::from(params.height))?
		.checked_mul(u128::from(unit_weight_milli))?;
	// (pixels / 512²) × (weight / 1000) × 1000 milli-units per unit: the thousandths cancel.
	let milli_units = work / u128::from(REFERENCE_PIXELS);
	Units::try_from(milli_units).ok()
}

/// `blake2_256` of a prompt's UTF-8 bytes: the `prompt_hash` of a receipt.
pub fn prompt_hash(prompt: &[u8]) -> Hash32 {
	sp_crypto_hashing::blake2_256(prompt)
}

/// The public key a worker signs receipts with.
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
	PartialOrd,
	Ord,
	Debug,
)]
pub enum WorkerKey {
	/// Schnorrkel/Ristretto (the Substrate default).
	Sr25519([u8; 32]),
	/// Ed25519.
	Ed25519([u8; 32]),
}

/// Most bytes of an execution provider name (`CUDAExecutionProvider`).
pub type MaxExecutionProviderLen = ConstU32<32>;
/// Most bytes of a device name (`NVIDIA H100 80GB HBM3`).
pub type MaxDeviceNameLen = ConstU32<64>;
/// Most bytes of a runtime version string (`onnxruntime 1.31.1`).
pub type MaxRuntimeVersionLen = ConstU32<32>;

/// Where and how a job actually ran, as the worker detected it.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub struct ExecutionInfo {
	/// The ONNX Runtime execution provider that ran the UNet.
	pub execution_provider: BoundedVec<u8, MaxExecutionProviderLen>,
	/// The device name.
	pub device: BoundedVec<u8, MaxDeviceNameLen>,
	/// Inference runtime and version.
	pub runtime_version: BoundedVec<u8, MaxRuntimeVersionLen>,
}

/// A compute receipt, signed by the provider's registered worker key.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub struct Receipt<AccountId> {
	/// The job served.
	pub job_id: JobId,
	/// The provider the job was assigned to.
	pub provider: AccountId,
	/// The key that signed this receipt; must be registered to `provider`.
	pub worker_key: WorkerKey,
	/// The client that submitted the job.
	pub client: AccountId,
	/// The model that ran.
	pub model_id: ModelId,
	/// Compute units, which must equal the on-chain cost of the job.
	pub units: Units,
	/// Measured GPU time in milliseconds (reputation and SLAs only, never payment).
	pub gpu_ms: u64,
	/// [`prompt_hash`] of the job's prompt.
	pub prompt_hash: Hash32,
	/// [`JobParams::hash`] of the job's parameters.
	pub params_hash: Hash32,
	/// SHA-256 of the produced image (PNG bytes), as served by the provider.
	pub artifact_sha256: Hash32,
	/// Unix time in ms when inference started.
	pub started_at: u64,
	/// Unix time in ms when inference finished.
	pub finished_at: u64,
	/// Worker-chosen nonce, so two honest runs of one job never share a hash.
	pub nonce: u64,
	/// Genesis hash of the chain the receipt is for (no cross-chain replay).
	pub genesis_hash: Hash32,
	/// Where and how it ran.
	pub execution: ExecutionInfo,
}

impl<AccountId: Encode> Receipt<AccountId> {
	/// `blake2_256` of the SCALE encoding; each hash can mint only once.
	pub fn hash(&self) -> Hash32 {
		sp_crypto_hashing::blake2_256(&self.encode())
	}

	/// The message the worker key signs: [`RECEIPT_DOMAIN`] `++` [`Self::hash`].
	pub fn signing_message(&self) -> [u8; 48] {
		receipt_signing_message(&self.hash())
	}
}

/// The message signed for the receipt whose [`Receipt::hash`] is `receipt_hash` (for callers that
/// already hold the hash: the runtime's checks hash each receipt once).
pub fn receipt_signing_message(receipt_hash: &Hash32) -> [u8; 48] {
	let mut message = [0u8; 48];
	message[..16].copy_from_slice(RECEIPT_DOMAIN);
	message[16..].copy_from_slice(receipt_hash);
	message
}

/// What an auditor found when it re-ran an audited job.
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
pub enum AuditVerdict {
	/// The provider's artifact matches its sha256 and the auditor's re-run of the job (exactly
	/// within one execution echelon, within the perceptual tolerance across echelons).
	Match,
	/// The artifact matches its sha256 but not the auditor's re-run: not the job's image.
	Mismatch,
	/// The provider did not serve bytes matching the receipt's sha256 before the audit's
	/// commit deadline.
	ArtifactUnavailable,
}

impl AuditVerdict {
	/// `true` for a verdict that upholds the receipt.
	pub const fn upholds(self) -> bool {
		matches!(self, Self::Match)
	}
}

/// Domain separator of audit verdict commitments.
pub const VERDICT_DOMAIN: &[u8; 16] = b"aitbc/verdict/v1";

/// The commitment an auditor posts before revealing `verdict`:
/// `blake2_256(VERDICT_DOMAIN ++ SCALE(job_id, auditor, verdict, salt))`. Binding the auditor's
/// account means a second auditor cannot post a copy of the first's commitment and reveal it.
pub fn verdict_commitment<AccountId: Encode>(
	job_id: JobId,
	auditor: &AccountId,
	verdict: AuditVerdict,
	salt: &Hash32,
) -> Hash32 {
	let mut data = VERDICT_DOMAIN.to_vec();
	(job_id, auditor, verdict, salt).encode_to(&mut data);
	sp_crypto_hashing::blake2_256(&data)
}

/// How far a batch job has come: its shards counted by state, and who served them.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug, Default)]
pub struct BatchProgress<AccountId> {
	/// Images in the batch (a shard may hold several; every count below is of images).
	pub count: u32,
	/// Images waiting for a provider (including ones back in the queue after a missed deadline).
	pub pending: u32,
	/// Images a provider is working on.
	pub assigned: u32,
	/// Images with a valid receipt, in their challenge window or audit.
	pub receipted: u32,
	/// Images served and paid.
	pub finalized: u32,
	/// Images that ended without a receipt that stands: cancelled, unclaimed, expired or
	/// rejected by their audit (each refunded).
	pub unserved: u32,
	/// Every provider that served images (receipted or finalized), with how many, in the order
	/// of the shards.
	pub providers: alloc::vec::Vec<(AccountId, u32)>,
	/// Whether every shard has ended.
	pub completed: bool,
}

/// Why the transaction pool refuses a claim outright, as its `InvalidTransaction::Custom` code.
///
/// A claim on a job that is no longer pending can never succeed, so the jobs pallet's
/// `CheckClaim` transaction extension makes it an invalid transaction instead of a failing one:
/// it never enters a block, and the provider that lost a race for the job pays no fee.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
pub enum StaleClaim {
	/// No job has this id.
	UnknownJob = 1,
	/// The job is no longer pending: another provider claimed it, or its client cancelled it.
	NotPending = 2,
	/// The hub reserved the job for another provider.
	ReservedForAnother = 3,
}

impl StaleClaim {
	/// The `InvalidTransaction::Custom` code.
	pub const fn code(self) -> u8 {
		self as u8
	}

	/// The refusal with this code, if it is one.
	pub const fn from_code(code: u8) -> Option<Self> {
		match code {
			1 => Some(Self::UnknownJob),
			2 => Some(Self::NotPending),
			3 => Some(Self::ReservedForAnother),
			_ => None,
		}
	}

	/// The name of the jobs pallet's error that dispatch would have failed with.
	pub const fn error_name(self) -> &'static str {
		match self {
			Self::UnknownJob => "Jobs::UnknownJob",
			Self::NotPending => "Jobs::NotPending",
			Self::ReservedForAnother => "Jobs::ReservedForAnother",
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn params(steps: u32, width: u32, height: u32) -> JobParams {
		JobParams {
			steps,
			guidance_milli: 7_500,
			width,
			height,
			seed: 42,
			scheduler: Scheduler::Ddim,
		}
	}

	#[test]
	fn one_step_at_512_with_weight_one_is_one_unit() {
		assert_eq!(compute_units(&params(1, 512, 512), REFERENCE_UNIT_WEIGHT), Some(1_000));
	}

	#[test]
	fn units_scale_with_steps_pixels_and_weight() {
		// 20 steps at 256×256 is a quarter of the pixels: 5 units.
		assert_eq!(compute_units(&params(20, 256, 256), 1_000), Some(5_000));
		// A model of weight 2.5 at 768×512 for 30 steps: 30 × 1.5 × 2.5 = 112.5 units.
		assert_eq!(compute_units(&params(30, 768, 512), 2_500), Some(112_500));
		// Rounds down to the milli-unit.
		assert_eq!(compute_units(&params(1, 8, 8), 1_000), Some(0));
	}

	#[test]
	fn units_never_overflow_silently() {
		assert_eq!(compute_units(&params(u32::MAX, u32::MAX, u32::MAX), u32::MAX), None);
	}

	fn receipt() -> Receipt<[u8; 32]> {
		Receipt {
			job_id: 7,
			provider: [1; 32],
			worker_key: WorkerKey::Sr25519([2; 32]),
			client: [3; 32],
			model_id: 1,
			units: 5_000,
			gpu_ms: 1_234,
			prompt_hash: prompt_hash(b"a red circle on a blue background"),
			params_hash: params(20, 256, 256).hash(),
			artifact_sha256: [4; 32],
			started_at: 1_700_000_000_000,
			finished_at: 1_700_000_001_234,
			nonce: 9,
			genesis_hash: [5; 32],
			execution: ExecutionInfo {
				execution_provider: BoundedVec::truncate_from(b"CPUExecutionProvider".to_vec()),
				device: BoundedVec::truncate_from(b"cpu".to_vec()),
				runtime_version: BoundedVec::truncate_from(b"onnxruntime 1.31.1".to_vec()),
			},
		}
	}

	#[test]
	fn signing_message_is_domain_separated_hash() {
		let r = receipt();
		let message = r.signing_message();
		assert_eq!(&message[..16], b"aitbc/receipt/v1");
		assert_eq!(&message[16..], &sp_crypto_hashing::blake2_256(&r.encode()));
	}

	#[test]
	fn every_field_changes_the_hash() {
		let base = receipt().hash();
		let mut r = receipt();
		r.units += 1;
		assert_ne!(r.hash(), base);
		let mut r = receipt();
		r.nonce += 1;
		assert_ne!(r.hash(), base);
		let mut r = receipt();
		r.genesis_hash[0] ^= 1;
		assert_ne!(r.hash(), base);
	}

	#[test]
	fn encoding_round_trips_within_max_encoded_len() {
		let r = receipt();
		let bytes = r.encode();
		assert!(bytes.len() <= Receipt::<[u8; 32]>::max_encoded_len());
		assert_eq!(Receipt::<[u8; 32]>::decode(&mut &bytes[..]).unwrap(), r);
	}

	#[test]
	fn stale_claim_codes_round_trip_and_zero_is_none() {
		for refusal in
			[StaleClaim::UnknownJob, StaleClaim::NotPending, StaleClaim::ReservedForAnother]
		{
			assert_eq!(StaleClaim::from_code(refusal.code()), Some(refusal));
		}
		assert_eq!(StaleClaim::from_code(0), None);
		assert_eq!(StaleClaim::from_code(4), None);
		assert_eq!(StaleClaim::NotPending.error_name(), "Jobs::NotPending");
	}
}
