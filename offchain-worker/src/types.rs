//! What validators report, what they probe, and the key they sign with.

use aitbc_primitives::{Hash32, JobId};
use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{
	pallet_prelude::Get, weights::Weight, BoundedVec, CloneNoBound, DebugNoBound, EqNoBound,
	PartialEqNoBound,
};
use scale_info::TypeInfo;

/// The key type of probe keys in a node's keystore (`aitbc-node key insert --key-type aitp`).
pub const KEY_TYPE: sp_core::crypto::KeyTypeId = sp_core::crypto::KeyTypeId(*b"aitp");

/// Domain separation of the signed report message.
pub const REPORT_CONTEXT: &[u8] = b"aitbc/probe-report/v1";

/// Domain separation of the signed artifact report message.
pub const ARTIFACT_REPORT_CONTEXT: &[u8] = b"aitbc/artifact-report/v1";

/// `context ++ genesis ++ SCALE(report)`: what a probe key signs, bound to one report kind
/// and one chain.
fn signing_message(context: &[u8], genesis: &[u8], report: &impl Encode) -> Vec<u8> {
	let mut message = context.to_vec();
	message.extend_from_slice(genesis);
	report.encode_to(&mut message);
	message
}

/// Probe keys: sr25519, one per validator, a session key beside Aura's and GRANDPA's.
pub mod crypto {
	use sp_runtime::app_crypto::{app_crypto, sr25519};
	app_crypto!(sr25519, super::KEY_TYPE);
}

/// A probe key (the `probe` part of a validator's session keys).
pub type ProbeKey = crypto::Public;

/// What a validator found in one round.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	Debug,
)]
pub enum Finding<AccountId> {
	/// The provider's endpoint did not answer `/v1/health` in time, answered with an error,
	/// or answered without every model the provider offers loaded.
	ProviderDown(AccountId),
}

/// One validator's report for one round: what it found wrong among the providers it probed.
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
#[scale_info(skip_type_params(MaxFindings))]
pub struct Report<AccountId: Clone + Eq + core::fmt::Debug, MaxFindings: Get<u32>> {
	/// The round probed: the block number divided by the round length.
	pub round: u32,
	/// The reporter's position in the session's list of probe keys.
	pub prober: u32,
	/// What it found, in strictly increasing order (so nothing is counted twice).
	pub findings: BoundedVec<Finding<AccountId>, MaxFindings>,
}

impl<AccountId: Encode + Clone + Eq + core::fmt::Debug, MaxFindings: Get<u32>>
	Report<AccountId, MaxFindings>
{
	/// The message the prober's key signs: domain, genesis hash, report.
	pub fn signing_message(&self, genesis: &[u8]) -> Vec<u8> {
		signing_message(REPORT_CONTEXT, genesis, self)
	}
}

/// One validator's report of the artifacts it could not get, among the receipts accepted in
/// one block that it sampled.
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
#[scale_info(skip_type_params(MaxFindings))]
pub struct ArtifactReport<MaxFindings: Get<u32>> {
	/// The block whose receipts were sampled.
	pub block: u32,
	/// The reporter's position in the session's list of probe keys.
	pub prober: u32,
	/// The jobs whose artifact was unavailable, in strictly increasing order.
	pub unavailable: BoundedVec<JobId, MaxFindings>,
}

impl<MaxFindings: Get<u32>> ArtifactReport<MaxFindings> {
	/// The message the prober's key signs: domain, genesis hash, report.
	pub fn signing_message(&self, genesis: &[u8]) -> Vec<u8> {
		signing_message(ARTIFACT_REPORT_CONTEXT, genesis, self)
	}
}

/// A receipted artifact to fetch: where its provider serves it and what it must be.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ArtifactTarget {
	/// The receipted job.
	pub job_id: JobId,
	/// The provider's endpoint base URL (`http://host:port`).
	pub endpoint: Vec<u8>,
	/// The sha256 the receipt states for the artifact: the image's, or for a job of several
	/// images their manifest's ([`aitbc_primitives::manifest`]).
	pub sha256: Hash32,
	/// The job's image width in pixels.
	pub width: u32,
	/// The job's image height in pixels.
	pub height: u32,
	/// Images the job produced: 1, or the manifest's entries.
	pub images: u32,
}

/// A provider to probe: where it listens and which models it must have loaded.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ProbeTarget<AccountId> {
	/// The provider's account.
	pub provider: AccountId,
	/// Its endpoint's base URL, as its offer states it (`http://host:port`).
	pub endpoint: Vec<u8>,
	/// The sha256 of the manifest of each model it offers.
	pub manifests: Vec<[u8; 32]>,
}

/// The providers validators probe, and what a quorum's finding does to them: the runtime
/// connects this to the marketplace.
pub trait ProbeTargets<AccountId, BlockNumber> {
	/// The providers counted as live at `now` that state an endpoint, in an order every node
	/// sees alike (storage order). Read only by the off-chain worker.
	fn live_providers(now: BlockNumber) -> Vec<ProbeTarget<AccountId>>;

	/// A quorum found `provider` down: it counts as offline until its next sign of life.
	fn provider_down(provider: &AccountId);

	/// The most [`ProbeTargets::provider_down`] may weigh.
	fn provider_down_weight() -> Weight;

	/// The artifacts of the receipts accepted in block `block`, in an order every node sees
	/// alike (an empty endpoint when the provider has none: such an artifact is unavailable). Read only by the off-chain worker, at
	/// `block`.
	fn receipted_in(block: BlockNumber) -> Vec<ArtifactTarget>;

	/// A quorum could not get `job_id`'s artifact: its receipt fails its audit, if it is not
	/// final yet. Returns whether it did.
	fn artifact_unavailable(job_id: JobId) -> bool;

	/// The most [`ProbeTargets::artifact_unavailable`] may weigh.
	fn artifact_unavailable_weight() -> Weight;
}
