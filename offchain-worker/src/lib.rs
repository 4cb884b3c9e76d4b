//! # AITBC probes pallet: the validators' off-chain workers
//!
//! Validators watch the providers: their off-chain workers probe providers' endpoints over
//! HTTP and fetch a sample of receipted artifacts, and a quorum of their signed reports, never
//! one validator alone, marks a provider that does not answer offline or fails a receipt whose
//! artifact nobody can get.
//!
//! ## Overview
//! - **Probe keys.** Each validator has a probe key (sr25519, key type `aitp`), the `probe` part
//!   of its session keys: `author_rotateKeys` makes one with the others, `aitbc-node key insert
//!   --key-type aitp` stores a known one. At every session change this pallet takes the new
//!   validators' probe keys ([`Probers`]) from `pallet-session`.
//! - **Rounds.** Time is cut into rounds of `RoundLength` blocks. At a round's first block the
//!   off-chain worker of every node holding one of [`Probers`] probes at most
//!   `MaxFindings` of the providers counted as live ([`ProbeTargets::live_providers`]), chosen
//!   by the round number in an order every node sees alike, so all validators probe the same
//!   ones: `GET <endpoint>/v1/health` within `ProbeTimeoutMs`; a provider is *down* unless it
//!   answers `200` with `"status": "ok"` and every model it offers loaded (by manifest sha256).
//! - **Reports.** A validator that found someone down submits one [`Report`] for the round,
//!   signed with its probe key over [`REPORT_CONTEXT`], the genesis hash and the report, as an
//!   authorized general transaction ([`Pallet::report`]): nobody pays, the pool refuses a
//!   report of another round, a duplicate of the validator's report for the round, an unknown
//!   prober, a bad signature or unsorted findings, each with this pallet's error index.
//! - **Quorum.** Each finding is counted once per validator and round ([`Votes`]). When the
//!   count reaches the quorum (more than half of the probers, and never fewer than two) the
//!   finding takes effect once: [`ProbeTargets::provider_down`] marks the provider offline (the
//!   marketplace stops reserving work for it until its next sign of life). A chain with one
//!   validator never reaches a quorum: one validator cannot take a provider offline.
//! - **Artifacts.** At every block, the same nodes fetch the artifacts of (a sample of at most
//!   `MaxFindings` of) the receipts that block accepted, from `<endpoint>/v1/artifacts/<sha256>`
//!   as a client would, and check the sha256 and that it is a PNG of the job's size
//!   ([`artifacts::check_artifact`]). The sample is chosen by the block's hash
//!   ([`artifacts::sample`]), the same on every node. A validator that could not get some
//!   submits one [`ArtifactReport`] for the block ([`Pallet::report_artifacts`], authorized
//!   like a report). At the quorum, [`ProbeTargets::artifact_unavailable`] fails the receipt's
//!   audit if it is not final yet (the runtime: the audits pallet's `fail_unavailable`: no
//!   mint, client refunded, provider slashed). A report is accepted for a block of the current
//!   or the previous round, once per prober and block; votes count per (block, job).
//! - **Bounded.** At most `MaxProbers` keys, one report per prober and round, at most
//!   `MaxFindings` findings per report. Rounds that are over are cleared in `on_idle`
//!   ([`OldestRound`]), within the weight the block has left.
//!
//! ## Terminology
//! - *Prober*: a validator of the current session, by its position in [`Probers`].
//! - *Round*: `block / RoundLength`; reports are accepted only during their round.
//! - *Finding*: what a report says of a provider ([`Finding`]).
//! - *Artifact*: the image a receipt names by its sha256, served by the provider.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

pub mod artifacts;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
pub mod health;
#[cfg(test)]
mod mock;
mod offchain;
mod probe;
mod quorum;
#[cfg(test)]
mod tests;
mod types;
pub mod weights;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use aitbc_primitives::JobId;
	use frame_support::pallet_prelude::*;
	use frame_system::{ensure_authorized, pallet_prelude::*};
	use sp_runtime::{
		traits::{Saturating, UniqueSaturatedInto},
		RuntimeAppPublic,
	};

	/// The signature of a probe key.
	pub type ProbeSignatureOf<T> = <<T as Config>::AuthorityId as RuntimeAppPublic>::Signature;
	/// A report as this runtime bounds it.
	pub type ReportOf<T> =
		Report<<T as frame_system::Config>::AccountId, <T as Config>::MaxFindings>;
	/// A finding as this runtime types it.
	pub type FindingOf<T> = Finding<<T as frame_system::Config>::AccountId>;
	/// An artifact report as this runtime bounds it.
	pub type ArtifactReportOf<T> = ArtifactReport<<T as Config>::MaxFindings>;

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config:
		frame_system::Config + frame_system::offchain::CreateAuthorizedTransaction<Call<Self>>
	{
		/// The probe key type (the runtime's: [`ProbeKey`]).
		type AuthorityId: Member
			+ Parameter
			+ RuntimeAppPublic
			+ Ord
			+ MaxEncodedLen
			+ DecodeWithMemTracking;
		/// The providers to probe, and what a quorum's finding does.
		type Targets: ProbeTargets<Self::AccountId, BlockNumberFor<Self>>;
		/// Most probe keys kept (at least the most validators a session may have).
		#[pallet::constant]
		type MaxProbers: Get<u32>;
		/// Most findings in one report, and most providers one validator probes per round.
		#[pallet::constant]
		type MaxFindings: Get<u32>;
		/// Blocks per round.
		#[pallet::constant]
		type RoundLength: Get<BlockNumberFor<Self>>;
		/// How long a probe waits for an endpoint's answer, in milliseconds.
		#[pallet::constant]
		type ProbeTimeoutMs: Get<u64>;
		/// Pool priority of reports.
		#[pallet::constant]
		type ReportPriority: Get<TransactionPriority>;
		/// Weights of this pallet's calls and hooks.
		type WeightInfo: WeightInfo;
	}

	/// The probe keys of the current session's validators, in the session's order.
	#[pallet::storage]
	pub type Probers<T: Config> =
		StorageValue<_, BoundedVec<T::AuthorityId, T::MaxProbers>, ValueQuery>;

	/// The probe keys that reported in a round (one report each). By key, not position: a
	/// session change moves validators to other positions, and one validator must not vote
	/// twice under two of them.
	#[pallet::storage]
	pub type Reported<T: Config> =
		StorageDoubleMap<_, Twox64Concat, u32, Blake2_128Concat, T::AuthorityId, (), OptionQuery>;

	/// How many probers reported a finding in a round.
	#[pallet::storage]
	pub type Votes<T: Config> =
		StorageDoubleMap<_, Twox64Concat, u32, Blake2_128Concat, FindingOf<T>, u32, ValueQuery>;

	/// The probe keys that reported on a block's artifacts, by the block's round: one report
	/// each per block.
	#[pallet::storage]
	pub type ArtifactReported<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		u32,
		Blake2_128Concat,
		(u32, T::AuthorityId),
		(),
		OptionQuery,
	>;

	/// How many probers found a job's artifact unavailable, by the round of the block that
	/// accepted its receipt: `(block, job)`.
	#[pallet::storage]
	pub type ArtifactVotes<T: Config> =
		StorageDoubleMap<_, Twox64Concat, u32, Twox64Concat, (u32, JobId), u32, ValueQuery>;

	/// The oldest round whose entries ([`Reported`], [`Votes`], [`ArtifactReported`],
	/// [`ArtifactVotes`]) may still be stored.
	#[pallet::storage]
	pub type OldestRound<T: Config> = StorageValue<_, u32, ValueQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A prober's report for a round was recorded.
		Reported { round: u32, prober: u32, findings: u32 },
		/// A quorum of probers found the provider down in a round: it counts as offline until
		/// its next sign of life.
		ProviderDown { provider: T::AccountId, round: u32, reporters: u32 },
		/// A prober's report on the artifacts of a block's receipts was recorded.
		ArtifactsReported { block: u32, prober: u32, unavailable: u32 },
		/// A quorum of probers could not get the artifact of `job_id`'s receipt (accepted in
		/// `block`). `failed`: its receipt failed its audit (`false`: it was final already).
		ArtifactUnavailable { job_id: JobId, block: u32, reporters: u32, failed: bool },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The report is not for the current round.
		WrongRound,
		/// No prober of the current session has this position.
		NotAProber,
		/// This prober already reported in this round.
		AlreadyReported,
		/// The report's signature is not the prober's over this chain's report message.
		BadSignature,
		/// A report lists something: an empty one is refused.
		EmptyReport,
		/// Findings must be in strictly increasing order (each at most once).
		UnsortedFindings,
		/// An artifact report is for a block of the current or the previous round, not a
		/// later one.
		WrongBlock,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Artifacts first: their reports race the receipts' challenge window; a round's
		/// probes can wait.
		fn offchain_worker(now: BlockNumberFor<T>) {
			artifacts::run::<T>(now);
			probe::run::<T>(now);
		}

		/// Clears the rounds before the previous one: artifact reports on the previous
		/// round's last blocks still come in.
		fn on_idle(now: BlockNumberFor<T>, limit: Weight) -> Weight {
			Self::clear_old_rounds(Self::round_of(now).saturating_sub(1), limit)
		}

		fn integrity_test() {
			assert!(!T::RoundLength::get().is_zero(), "a round lasts at least one block");
			assert!(T::MaxProbers::get() > 0 && T::MaxFindings::get() > 0);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Records a prober's report for the current round and applies every finding that
		/// reaches the quorum with it. An authorized general transaction: the probe key's
		/// signature is the authorization, checked by [`Pallet::authorize_report`] in the pool
		/// and again right before dispatch; nobody pays.
		#[pallet::call_index(0)]
		#[pallet::weight((
			T::WeightInfo::report(report.findings.len() as u32).saturating_add(
				T::Targets::provider_down_weight().saturating_mul(report.findings.len() as u64)),
			Pays::No,
		))]
		#[pallet::authorize(Pallet::<T>::authorize_report)]
		#[pallet::weight_of_authorize(T::WeightInfo::authorize_report(report.findings.len() as u32))]
		pub fn report(
			origin: OriginFor<T>,
			report: ReportOf<T>,
			signature: ProbeSignatureOf<T>,
		) -> DispatchResult {
			ensure_authorized(origin)?;
			let _ = signature;
			// Authorized right before dispatch: every check held; only the key is looked up.
			let key = Self::prober_key(report.prober)?;
			Self::record(report, key);
			Ok(())
		}

		/// Records a prober's report on the artifacts of one block's receipts, and fails the
		/// receipt of every job whose unavailability reaches the quorum with it. An authorized
		/// general transaction, like [`Pallet::report`]: the probe key's signature authorizes
		/// it ([`Pallet::authorize_artifact_report`]); nobody pays.
		#[pallet::call_index(1)]
		#[pallet::weight((
			T::WeightInfo::report_artifacts(report.unavailable.len() as u32).saturating_add(
				T::Targets::artifact_unavailable_weight()
					.saturating_mul(report.unavailable.len() as u64)),
			Pays::No,
		))]
		#[pallet::authorize(Pallet::<T>::authorize_artifact_report)]
		#[pallet::weight_of_authorize(
			T::WeightInfo::authorize_artifact_report(report.unavailable.len() as u32)
		)]
		pub fn report_artifacts(
			origin: OriginFor<T>,
			report: ArtifactReportOf<T>,
			signature: ProbeSignatureOf<T>,
		) -> DispatchResultWithPostInfo {
			ensure_authorized(origin)?;
			let _ = signature;
			let key = Self::prober_key(report.prober)?;
			let listed = report.unavailable.len() as u32;
			// Charged as if every job reached the quorum; refunded to those that did.
			let decided = Self::record_artifacts(report, key);
			let actual = T::WeightInfo::report_artifacts(listed).saturating_add(
				T::Targets::artifact_unavailable_weight().saturating_mul(decided.into()),
			);
			Ok(Some(actual).into())
		}
	}

	impl<T: Config> Pallet<T> {
		/// The round block `now` belongs to.
		pub fn round_of(now: BlockNumberFor<T>) -> u32 {
			(now / T::RoundLength::get()).unique_saturated_into()
		}

		/// The current round.
		pub fn current_round() -> u32 {
			Self::round_of(frame_system::Pallet::<T>::block_number())
		}

		/// Probers whose reports of one finding take effect: more than half, never one alone.
		pub fn quorum() -> u32 {
			(Probers::<T>::decode_len().unwrap_or(0) as u32 / 2 + 1).max(2)
		}

		/// Every check a report passes before it is recorded: its round is the current one,
		/// [`Pallet::check_signed`], and its prober's key has not reported in the round.
		/// Returns the key.
		pub fn check_report(
			report: &ReportOf<T>,
			signature: &ProbeSignatureOf<T>,
		) -> Result<T::AuthorityId, Error<T>> {
			ensure!(report.round == Self::current_round(), Error::<T>::WrongRound);
			let message = report.signing_message(Self::genesis().as_ref());
			let key = Self::check_signed(report.prober, &report.findings, &message, signature)?;
			ensure!(!Reported::<T>::contains_key(report.round, &key), Error::<T>::AlreadyReported);
			Ok(key)
		}

		/// The pool's (and the block's) authorization of a report: valid until its round ends,
		/// one per prober and round.
		pub fn authorize_report(
			_source: TransactionSource,
			report: &ReportOf<T>,
			signature: &ProbeSignatureOf<T>,
		) -> TransactionValidityWithRefund {
			let key = Self::check_report(report, signature).map_err(Self::refusal)?;
			let round_end = BlockNumberFor::<T>::from(report.round.saturating_add(1))
				.saturating_mul(T::RoundLength::get());
			Self::report_validity("aitbc/probe", (report.round, key), round_end)
		}
	}
}

impl<T: Config> sp_runtime::BoundToRuntimeAppPublic for Pallet<T> {
	type Public = T::AuthorityId;
}

impl<T: Config> frame_support::traits::OneSessionHandler<T::AccountId> for Pallet<T> {
	type Key = T::AuthorityId;

	fn on_genesis_session<'a, I: 'a>(validators: I)
	where
		I: Iterator<Item = (&'a T::AccountId, T::AuthorityId)>,
	{
		Self::set_probers(validators.map(|(_, key)| key));
	}

	fn on_new_session<'a, I: 'a>(_changed: bool, validators: I, _queued: I)
	where
		I: Iterator<Item = (&'a T::AccountId, T::AuthorityId)>,
	{
		Self::set_probers(validators.map(|(_, key)| key));
	}

	fn on_disabled(_validator_index: u32) {}
}

impl<T: Config> Pallet<T> {
	/// The session's probe keys; beyond `MaxProbers` (never, with the runtime's bounds) the
	/// rest cannot report.
	fn set_probers(keys: impl Iterator<Item = T::AuthorityId>) {
		use frame_support::traits::Get;
		let keys: alloc::vec::Vec<_> = keys.take(T::MaxProbers::get() as usize).collect();
		Probers::<T>::put(frame_support::BoundedVec::truncate_from(keys));
	}
}
