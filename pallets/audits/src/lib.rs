//! # AITBC audits pallet
//!
//! Verified compute: a sample of accepted receipts is re-executed by other providers before it
//! mints, and whoever is found wrong loses stake.
//!
//! ## Overview
//! A worker signature proves who claims a job's work, not that it was done. This pallet makes
//! the receipts pallet's challenge window real:
//!
//! - **The draw.** In block `n`, every receipt accepted in block `n - 1` is audited with
//!   probability [`AuditRate`]; receipts of at least [`AlwaysAuditUnits`] milli-units always
//!   are. The draw is `blake2_256("aitbc/audit/draw" ++ parent_hash ++ job_id)`: the hash of the
//!   block that included the receipt, which its provider cannot know when it signs and
//!   submits. (Aura has no VRF. The author of that block can still bias the draw for the
//!   receipts it includes: it can leave a receipt out, or re-seal the block until the hash
//!   spares its own receipts. A provider that does not author blocks cannot.)
//! - **Auditors.** Providers that serve a model opt in as its auditors
//!   ([`Pallet::register_auditor`]; `aitbc-worker` does it when it starts). An audit goes to the
//!   next eligible auditors of the job's model in rotation ([`NextAuditor`]), never the
//!   audited provider, the job's client or the challenger. The rule is [`Pallet::select_auditors`].
//! - **Held.** An audited receipt leaves the finalization schedule: it mints only when its
//!   audit passes.
//! - **Commit, then reveal.** Each auditor fetches the provider's artifact, checks it against
//!   the receipt's sha256, re-runs the job and posts
//!   [`aitbc_primitives::verdict_commitment`] within `CommitPeriod` blocks, then reveals the
//!   verdict and salt within `RevealPeriod`. A verdict cannot be copied from another auditor's
//!   commitment (it binds the auditor's account), and nobody sees a verdict before every
//!   auditor of the round has committed or the commit period is over.
//! - **Escalation.** One auditor's `Match` passes the receipt. Anything else (a mismatch, an
//!   unavailable artifact, no verdict) does not convict: `EscalationAuditors` more auditors
//!   (runtime: 2) audit it, and the verdicts of all of them decide by a majority of the full
//!   panel (2 of 3).
//! - **Outcomes** ([`AuditOutcome`]):
//!   - *Passed*: the receipt mints and its job is paid. Auditors whose verdict lost are slashed
//!     by `WrongVerdictSlash` of their stake and lose their approval; `SlashRewardShare` of
//!     each slash goes to the provider. A challenger's bond is forfeited: the same share goes
//!     to the provider, the rest is burned.
//!   - *Failed*: the receipt mints nothing and the client is refunded; the provider is slashed
//!     by `AuditFailSlash`, loses its approval, and `SlashRewardShare` of the slash is shared by
//!     the auditors who were right and the challenger, whose bond is returned.
//!   - *Inconclusive* (no majority, or too few independent auditors to escalate) and
//!     *NoAuditors* (nobody could audit a drawn receipt): the receipt is **not** minted as if
//!     audited: the client is refunded, nobody is paid or slashed, a challenger's bond is
//!     returned. A challenge that finds no auditor is refused instead, so that a client cannot
//!     use one to take back a payment on a chain with a single provider.
//! - **Auditors are paid** for the compute they served: each auditor on the winning side of a
//!   decided audit is minted what the audited receipt mints (`units × price`). This is
//!   issuance for compute really served (a re-run), counted in [`TotalAuditorPay`], so the
//!   ledger becomes `total issuance = receipts minted + auditors paid − burned − slashed`.
//! - **Penalties bite without stake**: losing an audit revokes the loser's governance approval
//!   (marketplace), so a provider that bonded nothing still loses the right to take jobs and
//!   audits until governance approves it again. Once stake is required, the slash bites too.
//! - **Challenges**: anyone but the provider may challenge a receipt while it is not final
//!   ([`Pallet::challenge`]), holding a bond of at least `MinChallengeBond`; this forces an
//!   audit (or joins the one under way).
//!
//! ## Bounds
//! Every open audit has one deadline entry ([`AuditDeadlines`], at most `MaxAuditsPerBlock`
//! per block); `on_initialize` draws over the previous block's receipts (bounded by the
//! receipts pallet's `MaxReceiptsPerBlock`) and advances the audits whose phase ends. A panel
//! has at most `1 + EscalationAuditors` auditors, a model at most `MaxAuditorsPerModel`.
//!
//! ## Terminology
//! - *Panel*: the auditors of one audit. *Round*: the first auditor, then the escalation.
//! - *Execution echelon*: execution provider, device class and runtime version, as a receipt
//!   records them; within one, an honest re-run is bit-identical.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;
pub use weights::WeightInfo;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
mod outcome;
mod panel;
#[cfg(test)]
mod tests;
mod unavailable;
pub mod weights;

use aitbc_primitives::{AuditVerdict, Hash32, JobId, ModelId, Units};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::{Inspect, Mutate, MutateHold},
		tokens::Precision,
	},
	CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use frame_system::pallet_prelude::BlockNumberFor;
use pallet_aitbc_marketplace::ProviderRegistry;
use pallet_aitbc_receipts::{AuditSubject, AuditedReceipts};
use pallet_aitbc_staking::StakeSlasher;
use scale_info::TypeInfo;
use sp_runtime::{
	traits::{Saturating, Zero},
	DispatchResult, Perbill,
};

/// Which part of its round an audit is in.
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
pub enum AuditPhase {
	/// The round's auditors post commitments.
	Commit,
	/// The round's auditors that committed reveal their verdicts.
	Reveal,
}

/// How an audit ended.
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
pub enum AuditOutcome {
	/// The receipt was upheld and minted.
	Passed,
	/// The receipt was found false: no mint, the provider slashed.
	Failed,
	/// No majority, or too few independent auditors to escalate: no mint, nobody slashed.
	Inconclusive,
	/// No auditor could take the audit: no mint, nobody slashed.
	NoAuditors,
}

/// One auditor of a panel.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct AuditorVote<AccountId> {
	/// The auditor (a provider serving the model).
	pub auditor: AccountId,
	/// Chosen when the audit escalated (`false`: the first auditor).
	pub escalation: bool,
	/// Its commitment, once posted.
	pub commitment: Option<Hash32>,
	/// Its verdict, once revealed.
	pub verdict: Option<AuditVerdict>,
}

/// A challenge of a receipt and the bond that backs it.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct Challenge<AccountId, Balance> {
	/// Who challenged.
	pub challenger: AccountId,
	/// The bond it holds on the audit's outcome.
	pub bond: Balance,
}

/// An audit, open or ended (ended ones stay as the job's record, like the job itself).
#[derive(
	Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
pub struct Audit<T: Config> {
	/// The audited provider.
	pub provider: T::AccountId,
	/// The job's client.
	pub client: T::AccountId,
	/// The job's model.
	pub model_id: ModelId,
	/// The audited receipt.
	pub receipt_hash: Hash32,
	/// The job's cost in milli-units.
	pub units: Units,
	/// What the receipt mints if upheld (and what each winning auditor is paid).
	pub amount: BalanceOf<T>,
	/// The challenge that forced or joined it, if any.
	pub challenge: Option<Challenge<T::AccountId, BalanceOf<T>>>,
	/// The panel, first auditor first.
	pub votes: BoundedVec<AuditorVote<T::AccountId>, T::MaxPanel>,
	/// Whether it escalated to a full panel.
	pub escalated: bool,
	/// The current round's phase.
	pub phase: AuditPhase,
	/// The block the current phase ends in (its entry in [`AuditDeadlines`]).
	pub phase_ends: BlockNumberFor<T>,
	/// The block it opened in.
	pub opened_at: BlockNumberFor<T>,
	/// How it ended; `None` while open.
	pub outcome: Option<AuditOutcome>,
}

impl<T: Config> Audit<T> {
	/// The votes of the current round.
	pub fn current_round(&self) -> impl Iterator<Item = &AuditorVote<T::AccountId>> {
		let escalated = self.escalated;
		self.votes.iter().filter(move |vote| vote.escalation == escalated)
	}
}

/// Balance type of the pallet's currency.
pub type BalanceOf<T> =
	<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;

/// What the benchmarks need from the marketplace, jobs, receipts and staking pallets.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// Makes `who` an eligible provider of the benchmark model, endowed and with a bond (so a
	/// slash has something to take); returns the model.
	fn provider(who: &AccountId) -> ModelId;
	/// A job of `client` (endowed here) claimed by `provider` (a [`Self::provider`]) and
	/// receipted in the current block.
	fn receipted_job(provider: &AccountId, client: &AccountId) -> JobId;
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_system::pallet_prelude::*;

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A challenger's bond on an audit's outcome.
		ChallengeBond,
	}

	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The AIT currency: auditors are minted into it, challenge bonds held in it.
		type Currency: Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;
		/// The runtime's hold reasons.
		type RuntimeHoldReason: From<HoldReason>;
		/// The receipts pallet: holds, releases and rejects audited receipts.
		type Receipts: AuditedReceipts<Self::AccountId, BalanceOf<Self>, BlockNumberFor<Self>>;
		/// The marketplace: who may audit a model, and approval revocation.
		type Providers: ProviderRegistry<Self::AccountId, BalanceOf<Self>>;
		/// The staking pallet: slashes with a reward for the side that was right.
		type Staking: StakeSlasher<Self::AccountId, BalanceOf<Self>>;
		/// Sets the audit rate and threshold.
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// Share of receipts audited until governance sets [`AuditRate`].
		#[pallet::constant]
		type DefaultAuditRate: Get<Perbill>;
		/// Receipts of at least this many milli-units are always audited (0: none), until
		/// governance sets [`AlwaysAuditUnits`].
		#[pallet::constant]
		type DefaultAlwaysAuditUnits: Get<Units>;
		/// Blocks a round's auditors have to commit.
		#[pallet::constant]
		type CommitPeriod: Get<BlockNumberFor<Self>>;
		/// Blocks they then have to reveal.
		#[pallet::constant]
		type RevealPeriod: Get<BlockNumberFor<Self>>;
		/// Auditors added when an audit escalates (the panel is one more).
		#[pallet::constant]
		type EscalationAuditors: Get<u32>;
		/// Most auditors of one audit: `1 + EscalationAuditors` (checked by `integrity_test`).
		#[pallet::constant]
		type MaxPanel: Get<u32>;
		/// Most registered auditors per model.
		#[pallet::constant]
		type MaxAuditorsPerModel: Get<u32>;
		/// Most audit phases ending in one block (bounds `on_initialize`).
		#[pallet::constant]
		type MaxAuditsPerBlock: Get<u32>;
		/// Share of a provider's stake slashed when its receipt fails an audit.
		#[pallet::constant]
		type AuditFailSlash: Get<Perbill>;
		/// Share of an auditor's stake slashed when its verdict loses.
		#[pallet::constant]
		type WrongVerdictSlash: Get<Perbill>;
		/// Share of each slash and forfeited bond paid to the side that was right.
		#[pallet::constant]
		type SlashRewardShare: Get<Perbill>;
		/// Smallest challenge bond.
		#[pallet::constant]
		type MinChallengeBond: Get<BalanceOf<Self>>;
		/// Weights of this pallet's calls and hooks.
		type WeightInfo: WeightInfo;
		/// Creates receipted jobs for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	/// Share of accepted receipts audited.
	#[pallet::storage]
	pub type AuditRate<T: Config> = StorageValue<_, Perbill, ValueQuery, T::DefaultAuditRate>;

	/// Receipts of at least this many milli-units are always audited; 0: none are.
	#[pallet::storage]
	pub type AlwaysAuditUnits<T: Config> =
		StorageValue<_, Units, ValueQuery, T::DefaultAlwaysAuditUnits>;

	/// The chain spec's audit parameters where they differ from the runtime's defaults.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// [`AuditRate`] from genesis on; `None`: `DefaultAuditRate`.
		pub audit_rate: Option<Perbill>,
		/// [`AlwaysAuditUnits`] from genesis on; `None`: `DefaultAlwaysAuditUnits`.
		pub always_audit_units: Option<Units>,
		#[serde(skip)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			if let Some(rate) = self.audit_rate {
				AuditRate::<T>::put(rate);
			}
			if let Some(units) = self.always_audit_units {
				AlwaysAuditUnits::<T>::put(units);
			}
		}
	}

	/// Registered auditors per model, in rotation order.
	#[pallet::storage]
	pub type Auditors<T: Config> = StorageMap<
		_,
		Twox64Concat,
		ModelId,
		BoundedVec<T::AccountId, T::MaxAuditorsPerModel>,
		ValueQuery,
	>;

	/// Where the rotation of a model's auditors continues.
	#[pallet::storage]
	pub type NextAuditor<T: Config> = StorageMap<_, Twox64Concat, ModelId, u32, ValueQuery>;

	/// Every audit by job, open or ended.
	#[pallet::storage]
	pub type Audits<T: Config> = StorageMap<_, Twox64Concat, JobId, Audit<T>>;

	/// The open audits whose phase ends in a block.
	#[pallet::storage]
	pub type AuditDeadlines<T: Config> = StorageMap<
		_,
		Twox64Concat,
		BlockNumberFor<T>,
		BoundedVec<JobId, T::MaxAuditsPerBlock>,
		ValueQuery,
	>;

	/// All AIT ever minted to auditors for re-running jobs.
	#[pallet::storage]
	pub type TotalAuditorPay<T: Config> = StorageValue<_, BalanceOf<T>, ValueQuery>;

	/// All AIT ever burned from forfeited challenge bonds.
	#[pallet::storage]
	pub type TotalForfeited<T: Config> = StorageValue<_, BalanceOf<T>, ValueQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A provider registered as an auditor of a model.
		AuditorRegistered { auditor: T::AccountId, model_id: ModelId },
		/// An auditor left a model's rotation.
		AuditorDeregistered { auditor: T::AccountId, model_id: ModelId },
		/// A receipt is audited by `auditors`, who commit until `commit_until`.
		AuditOpened {
			job_id: JobId,
			provider: T::AccountId,
			auditors: alloc::vec::Vec<T::AccountId>,
			commit_until: BlockNumberFor<T>,
			challenged: bool,
		},
		/// The first verdict did not uphold the receipt: `auditors` join the panel.
		AuditEscalated {
			job_id: JobId,
			auditors: alloc::vec::Vec<T::AccountId>,
			commit_until: BlockNumberFor<T>,
		},
		/// An auditor committed to a verdict.
		VerdictCommitted { job_id: JobId, auditor: T::AccountId },
		/// The round's verdicts may be revealed until `reveal_until`.
		RevealOpened { job_id: JobId, reveal_until: BlockNumberFor<T> },
		/// An auditor revealed its verdict.
		VerdictRevealed { job_id: JobId, auditor: T::AccountId, verdict: AuditVerdict },
		/// An audit ended. `minted`: what the receipt minted; `refund`: what the client got
		/// back.
		AuditResolved {
			job_id: JobId,
			outcome: AuditOutcome,
			minted: BalanceOf<T>,
			refund: BalanceOf<T>,
		},
		/// An auditor on the winning side was paid for its re-run.
		AuditorPaid { job_id: JobId, auditor: T::AccountId, amount: BalanceOf<T> },
		/// Someone lost an audit: `slashed` of its stake taken, `suspended` if its approval
		/// was revoked.
		Penalized { job_id: JobId, who: T::AccountId, slashed: BalanceOf<T>, suspended: bool },
		/// A receipt was challenged with a bond.
		ReceiptChallenged { job_id: JobId, challenger: T::AccountId, bond: BalanceOf<T> },
		/// A challenge ended: `returned` to the challenger, `forfeited` (of which `reward` paid
		/// to the provider, the rest burned).
		ChallengeSettled {
			job_id: JobId,
			challenger: T::AccountId,
			returned: BalanceOf<T>,
			forfeited: BalanceOf<T>,
			reward: BalanceOf<T>,
		},
		/// Governance set the audit rate and the always-audit threshold.
		AuditParamsSet { rate: Perbill, always_audit_units: Units },
		/// A quorum of validators could not get the artifact of `job_id`'s receipt: it fails
		/// its audit ([`Pallet::fail_unavailable`]).
		ArtifactUnavailable { job_id: JobId, provider: T::AccountId },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The caller is already an auditor of this model.
		AlreadyAuditor,
		/// The caller is not an auditor of this model.
		NotAuditor,
		/// The model has as many auditors as it may.
		TooManyAuditors,
		/// No audit exists for this job.
		UnknownAudit,
		/// The audit has ended.
		AuditEnded,
		/// The caller is not on the current round of this audit's panel.
		NotOnPanel,
		/// Commitments are accepted in the commit phase only.
		NotCommitPhase,
		/// Verdicts are revealed in the reveal phase only.
		NotRevealPhase,
		/// The caller already committed.
		AlreadyCommitted,
		/// The caller did not commit in time, so it has nothing to reveal.
		NotCommitted,
		/// The caller already revealed.
		AlreadyRevealed,
		/// The verdict and salt do not match the commitment.
		CommitmentMismatch,
		/// The job has no receipt waiting to become final.
		NotChallengeable,
		/// The receipt's challenge window closed (and no audit of it is open).
		ChallengeWindowClosed,
		/// A provider cannot challenge its own receipt.
		OwnReceipt,
		/// The audit already has a challenger.
		AlreadyChallenged,
		/// The bond is below `MinChallengeBond`.
		BondTooLow,
		/// The free balance cannot cover the bond.
		InsufficientBalance,
		/// No independent auditor serves the model: a challenge cannot be audited.
		NoAuditorAvailable,
		/// Too many audit phases end in the coming blocks; try again later.
		ScheduleFull,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			let drawn = Self::draw(now);
			let due = AuditDeadlines::<T>::take(now);
			let advanced = due.len() as u32;
			for job_id in due {
				Self::advance(job_id, now);
			}
			drawn
				.saturating_add(T::WeightInfo::advance_phase().saturating_mul(advanced.into()))
				.saturating_add(T::DbWeight::get().reads_writes(1, 1))
		}

		fn integrity_test() {
			assert_eq!(
				T::MaxPanel::get(),
				T::EscalationAuditors::get().saturating_add(1),
				"MaxPanel must be 1 + EscalationAuditors"
			);
			assert!(T::EscalationAuditors::get() >= 2, "a majority needs at least 3 auditors");
			assert!(
				T::Receipts::challenge_window() >= 2u32.into(),
				"the draw runs the block after acceptance and must hold the receipt before it is \
				 final: the challenge window needs at least 2 blocks"
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Joins the rotation of `model_id`'s auditors. The caller must be able to audit it:
		/// an eligible provider with an unpaused offer serving the model. Feeless when it can
		/// (an approved provider may hold no AIT yet).
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register_auditor(T::MaxAuditorsPerModel::get()))]
		#[pallet::feeless_if(|origin: &OriginFor<T>, model_id: &ModelId| -> bool {
			ensure_signed(origin.clone()).is_ok_and(|who| Pallet::<T>::check_register(&who, *model_id).is_ok())
		})]
		pub fn register_auditor(origin: OriginFor<T>, model_id: ModelId) -> DispatchResult {
			let auditor = ensure_signed(origin)?;
			let mut auditors = Self::check_register(&auditor, model_id)?;
			auditors.try_push(auditor.clone()).map_err(|_| Error::<T>::TooManyAuditors)?;
			Auditors::<T>::insert(model_id, auditors);
			Self::deposit_event(Event::AuditorRegistered { auditor, model_id });
			Ok(())
		}

		/// Leaves the rotation of `model_id`'s auditors. Audits it is on still count on it.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::deregister_auditor(T::MaxAuditorsPerModel::get()))]
		pub fn deregister_auditor(origin: OriginFor<T>, model_id: ModelId) -> DispatchResult {
			let auditor = ensure_signed(origin)?;
			let mut auditors = Auditors::<T>::get(model_id);
			let before = auditors.len();
			auditors.retain(|who| who != &auditor);
			ensure!(auditors.len() < before, Error::<T>::NotAuditor);
			if auditors.is_empty() {
				Auditors::<T>::remove(model_id);
			} else {
				Auditors::<T>::insert(model_id, auditors);
			}
			Self::deposit_event(Event::AuditorDeregistered { auditor, model_id });
			Ok(())
		}

		/// Posts the caller's commitment to its verdict on `job_id`'s receipt:
		/// [`aitbc_primitives::verdict_commitment`]. Feeless for an auditor of the round.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::commit_verdict())]
		#[pallet::feeless_if(|origin: &OriginFor<T>, job_id: &JobId, _commitment: &Hash32| -> bool {
			ensure_signed(origin.clone()).is_ok_and(|who| Pallet::<T>::check_commit(&who, *job_id).is_ok())
		})]
		pub fn commit_verdict(
			origin: OriginFor<T>,
			job_id: JobId,
			commitment: Hash32,
		) -> DispatchResult {
			let auditor = ensure_signed(origin)?;
			let (mut audit, index) = Self::check_commit(&auditor, job_id)?;
			audit.votes[index].commitment = Some(commitment);
			Self::deposit_event(Event::VerdictCommitted { job_id, auditor });
			if audit.current_round().all(|vote| vote.commitment.is_some()) {
				// Everybody committed: no need to wait out the commit period.
				let now = frame_system::Pallet::<T>::block_number();
				Self::open_reveal(job_id, &mut audit, now)?;
			}
			Audits::<T>::insert(job_id, audit);
			Ok(())
		}

		/// Reveals the verdict and salt the caller committed to. The last reveal of a round
		/// ends the round (and may resolve the audit). Feeless for an auditor of the round.
		#[pallet::call_index(3)]
		#[pallet::weight(Pallet::<T>::reveal_weight_limit())]
		#[pallet::feeless_if(|origin: &OriginFor<T>, job_id: &JobId, verdict: &AuditVerdict, salt: &Hash32| -> bool {
			ensure_signed(origin.clone()).is_ok_and(|who| Pallet::<T>::check_reveal(&who, *job_id, *verdict, salt).is_ok())
		})]
		pub fn reveal_verdict(
			origin: OriginFor<T>,
			job_id: JobId,
			verdict: AuditVerdict,
			salt: Hash32,
		) -> DispatchResultWithPostInfo {
			let auditor = ensure_signed(origin)?;
			let (mut audit, index) = Self::check_reveal(&auditor, job_id, verdict, &salt)?;
			audit.votes[index].verdict = Some(verdict);
			Self::deposit_event(Event::VerdictRevealed { job_id, auditor, verdict });
			let round_done = audit
				.current_round()
				.all(|vote| vote.commitment.is_none() || vote.verdict.is_some());
			let spent = if round_done {
				let spent = Self::round_end_weight(&audit);
				let now = frame_system::Pallet::<T>::block_number();
				Self::end_round(job_id, audit, now);
				spent
			} else {
				Audits::<T>::insert(job_id, audit);
				T::WeightInfo::reveal_verdict_pending()
			};
			Ok(Some(spent).into())
		}

		/// Challenges the receipt of `job_id` while it is not final, holding `bond` on the
		/// audit's outcome: it forces an audit, or joins the one under way. Returned with a
		/// share of the provider's slash if the receipt fails; forfeited if it passes.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::challenge(T::MaxAuditorsPerModel::get()))]
		pub fn challenge(
			origin: OriginFor<T>,
			job_id: JobId,
			bond: BalanceOf<T>,
		) -> DispatchResult {
			let challenger = ensure_signed(origin)?;
			ensure!(bond >= T::MinChallengeBond::get(), Error::<T>::BondTooLow);
			let now = frame_system::Pallet::<T>::block_number();
			let open = Audits::<T>::get(job_id).filter(|audit| audit.outcome.is_none());
			let challenge = Challenge { challenger: challenger.clone(), bond };
			match open {
				Some(mut audit) => {
					ensure!(audit.provider != challenger, Error::<T>::OwnReceipt);
					ensure!(audit.challenge.is_none(), Error::<T>::AlreadyChallenged);
					Self::hold_bond(&challenger, bond)?;
					audit.challenge = Some(challenge);
					Audits::<T>::insert(job_id, audit);
				},
				None => {
					let subject =
						T::Receipts::subject(job_id).ok_or(Error::<T>::NotChallengeable)?;
					ensure!(subject.provider != challenger, Error::<T>::OwnReceipt);
					ensure!(now < subject.final_at, Error::<T>::ChallengeWindowClosed);
					let (panel, _) = Self::pick_auditors(
						subject.model_id,
						&[&subject.provider, &subject.client, &challenger],
						1,
					);
					ensure!(!panel.is_empty(), Error::<T>::NoAuditorAvailable);
					Self::hold_bond(&challenger, bond)?;
					Self::open(job_id, Some(challenge), now)?;
				},
			}
			Self::deposit_event(Event::ReceiptChallenged { job_id, challenger, bond });
			Ok(())
		}

		/// Sets the share of receipts audited and the size from which every receipt is
		/// (governance; 0 units: no threshold).
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::set_audit_params())]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _rate: &Perbill, _units: &Units| -> bool {
			T::GovernanceOrigin::try_origin(origin.clone()).is_ok()
		})]
		pub fn set_audit_params(
			origin: OriginFor<T>,
			rate: Perbill,
			always_audit_units: Units,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			AuditRate::<T>::put(rate);
			AlwaysAuditUnits::<T>::put(always_audit_units);
			Self::deposit_event(Event::AuditParamsSet { rate, always_audit_units });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// `who` may join `model_id`'s auditors: it can audit the model and is not one yet.
		/// Returns the current list.
		pub fn check_register(
			who: &T::AccountId,
			model_id: ModelId,
		) -> Result<BoundedVec<T::AccountId, T::MaxAuditorsPerModel>, DispatchError> {
			T::Providers::check_can_audit(who, model_id)?;
			let auditors = Auditors::<T>::get(model_id);
			ensure!(!auditors.contains(who), Error::<T>::AlreadyAuditor);
			ensure!(!auditors.is_full(), Error::<T>::TooManyAuditors);
			Ok(auditors)
		}

		/// The open audit of `job_id` and the index of `who`'s vote in its current round.
		fn panel_seat(
			who: &T::AccountId,
			job_id: JobId,
		) -> Result<(Audit<T>, usize), DispatchError> {
			let audit = Audits::<T>::get(job_id).ok_or(Error::<T>::UnknownAudit)?;
			ensure!(audit.outcome.is_none(), Error::<T>::AuditEnded);
			let index = audit
				.votes
				.iter()
				.position(|vote| &vote.auditor == who && vote.escalation == audit.escalated)
				.ok_or(Error::<T>::NotOnPanel)?;
			Ok((audit, index))
		}

		/// Every check of a commitment by `who`, without changing state.
		pub fn check_commit(
			who: &T::AccountId,
			job_id: JobId,
		) -> Result<(Audit<T>, usize), DispatchError> {
			let (audit, index) = Self::panel_seat(who, job_id)?;
			ensure!(audit.phase == AuditPhase::Commit, Error::<T>::NotCommitPhase);
			ensure!(audit.votes[index].commitment.is_none(), Error::<T>::AlreadyCommitted);
			Ok((audit, index))
		}

		/// Every check of a reveal by `who`, without changing state.
		pub fn check_reveal(
			who: &T::AccountId,
			job_id: JobId,
			verdict: AuditVerdict,
			salt: &Hash32,
		) -> Result<(Audit<T>, usize), DispatchError> {
			let (audit, index) = Self::panel_seat(who, job_id)?;
			ensure!(audit.phase == AuditPhase::Reveal, Error::<T>::NotRevealPhase);
			let vote = &audit.votes[index];
			let commitment = vote.commitment.ok_or(Error::<T>::NotCommitted)?;
			ensure!(vote.verdict.is_none(), Error::<T>::AlreadyRevealed);
			ensure!(
				commitment == aitbc_primitives::verdict_commitment(job_id, who, verdict, salt),
				Error::<T>::CommitmentMismatch
			);
			Ok((audit, index))
		}

		/// Invariants: every open audit's phase end is in the deadline schedule and every
		/// scheduled id is an open audit's; panels hold no more than `MaxPanel` distinct
		/// auditors, none the provider or client; a revealed verdict was committed; an ended
		/// audit holds no deadline.
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			let mut scheduled = 0usize;
			for (at, due) in AuditDeadlines::<T>::iter() {
				ensure!(!due.is_empty(), "an empty deadline entry");
				for job_id in due.iter() {
					let audit = Audits::<T>::get(job_id).ok_or("a deadline of no audit")?;
					ensure!(audit.outcome.is_none(), "a deadline of an ended audit");
					ensure!(audit.phase_ends == at, "a stale deadline entry");
					scheduled += 1;
				}
			}
			let mut open = 0usize;
			for (job_id, audit) in Audits::<T>::iter() {
				for (i, vote) in audit.votes.iter().enumerate() {
					ensure!(
						vote.auditor != audit.provider && vote.auditor != audit.client,
						"the provider or client audits its own job"
					);
					ensure!(
						audit.votes[..i].iter().all(|other| other.auditor != vote.auditor),
						"an auditor sits twice on a panel"
					);
					ensure!(
						vote.verdict.is_none() || vote.commitment.is_some(),
						"a verdict revealed without a commitment"
					);
				}
				if audit.outcome.is_none() {
					open += 1;
					ensure!(
						AuditDeadlines::<T>::get(audit.phase_ends).contains(&job_id),
						"an open audit without its deadline"
					);
					ensure!(
						T::Receipts::subject(job_id).is_some(),
						"an open audit of a receipt that is not waiting"
					);
				}
			}
			ensure!(open == scheduled, "deadline entries differ from the open audits");
			Ok(())
		}
	}
}

impl<T: Config> pallet_aitbc_receipts::AuditHolds for Pallet<T> {
	fn holds(job_id: JobId) -> bool {
		Audits::<T>::get(job_id).is_some_and(|audit| audit.outcome.is_none())
	}
}

/// [`TotalAuditorPay`] as a `Get`, for the issuance ledger of the receipts pallet.
pub struct AuditorPay<T>(core::marker::PhantomData<T>);

impl<T: Config> Get<BalanceOf<T>> for AuditorPay<T> {
	fn get() -> BalanceOf<T> {
		TotalAuditorPay::<T>::get()
	}
}

/// [`TotalForfeited`] as a `Get`, for the issuance ledger of the receipts pallet.
pub struct Forfeited<T>(core::marker::PhantomData<T>);

impl<T: Config> Get<BalanceOf<T>> for Forfeited<T> {
	fn get() -> BalanceOf<T> {
		TotalForfeited::<T>::get()
	}
}
