//! # AITBC validators pallet
//!
//! The validator set of a hybrid Proof-of-Authority / Proof-of-Stake chain, handed to
//! `pallet-session` (which drives Aura and GRANDPA) at every session change.
//!
//! ## Overview
//! Each session's set is:
//! - the **authorities** governance appoints ([`Pallet::set_authorities`]): the PoA part;
//! - plus the [`DesiredCandidates`] **candidates** with the highest candidacy bonds: the PoS
//!   part. Any AIT holder with session keys set (`session.setKeys`) registers with a bond of at
//!   least [`CandidacyBond`] ([`Pallet::register_as_candidate`]), may raise it
//!   ([`Pallet::raise_bond`]) and leaves with [`Pallet::leave_intent`]. Bonds are *held* on the
//!   candidate's own account (`HoldReason::CandidacyBond`), never transferred.
//!
//! A set planned at the change into session `n` serves in session `n + 1` (that is
//! `pallet-session`'s queue), so a candidate registered during session `s` first validates in
//! session `s + 2`.
//!
//! ### Leaving, eviction and the unlock delay
//! A bond that stops backing a candidacy (the candidate left, was outbid from a full list,
//! was dropped for idleness or slashed) stays held for `BondUnlockDelay` sessions: the
//! candidate may still be validating the current and the queued session, and an equivocation
//! in them must still find its bond. [`Pallet::withdraw_bond`] then releases it.
//!
//! ### Idle candidates
//! Blocks authored are noted through `pallet-authorship` ([`pallet_authorship::EventHandler`]).
//! At each session change a candidate that has been in the active set without authoring a
//! block for `KickThreshold` sessions is dropped, unless that would plan a set smaller than
//! `MinValidators`. Authorities are never dropped: governance answers for them.
//!
//! ### Session length
//! [`SessionLength`] (blocks per session) is set in the genesis config and never changes: the
//! runtime hands [`SessionLengthOf`] to `pallet-session`'s `PeriodicSessions`, whose session
//! boundaries and rotation estimates assume a fixed period. A test network may start with
//! short sessions from the same binary by setting `validators.sessionLength` in its chain spec.
//! The idle threshold and the unlock delay are counted in sessions, so they scale with it.
//!
//! ### Slashing
//! GRANDPA equivocations, proven on-chain and reported through `pallet-offences`, reach
//! [`Pallet`]'s [`sp_staking::offence::OnOffenceHandler`]: the offender loses the offence's
//! slash fraction of its bond (at least `MinEquivocationSlash`), which is **burned** and
//! counted in [`TotalSlashed`] for the issuance ledger, and it is removed from the candidates.
//! An authority has no bond: the offence is recorded as an event for governance.
//! Aura equivocations (two blocks in one slot) cannot be proven on-chain with Aura, which
//! has no equivocation reporting runtime API; they are visible to every node, and the
//! sanction is governance's.
//!
//! ### Stalled finality
//! GRANDPA needs votes from more than two thirds of the set. When a third or more is gone for
//! good, governance appoints a set that is online, waits until it is the next session's set,
//! and calls [`Pallet::recover_finality`]: the runtime's [`NoteFinalityStall`] (GRANDPA's
//! `Stalled`) turns the next session change into a forced set change that nodes enact on
//! import. The call is governance's and feeless for the sudo key, like the other governance
//! calls, so a chain whose sudo key holds no AIT can still be recovered.
//!
//! ## Terminology
//! - *Authority*: a validator appointed by governance, with no bond.
//! - *Candidate*: an account with a candidacy bond; the top [`DesiredCandidates`] of them by
//!   bond (ties: who registered first) with keys set validate.
//! - *Unlocking bond*: a bond that backs no candidacy any more, held until its unlock block.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;
pub use rotation::SessionLengthOf;
pub use weights::WeightInfo;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
mod rotation;
mod slashing;
#[cfg(test)]
mod tests;
pub mod weights;

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::{Inspect, Mutate, MutateHold},
		tokens::Precision,
		ValidatorRegistration,
	},
};
use frame_system::pallet_prelude::BlockNumberFor;
use scale_info::TypeInfo;
use sp_runtime::{
	traits::{Saturating, Zero},
	DispatchResult,
};

/// A candidate and its bond.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub struct CandidateInfo<AccountId, Balance> {
	/// The candidate's account (its validator id).
	pub who: AccountId,
	/// What it holds as its candidacy bond.
	pub bond: Balance,
}

/// A bond that backs no candidacy any more, held until `unlock_at`.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, Copy, PartialEq, Eq, Debug)]
pub struct UnlockingBond<Balance, BlockNumber> {
	/// Still held.
	pub amount: Balance,
	/// First block [`Pallet::withdraw_bond`] releases it in.
	pub unlock_at: BlockNumber,
}

/// Why a bond stopped backing a candidacy.
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
pub enum Departure {
	/// The candidate left.
	Left,
	/// A higher bond took its place in a full list.
	Outbid,
	/// It authored nothing for `KickThreshold` sessions while in the set.
	Idle,
	/// It equivocated.
	Slashed,
}

/// What the runtime does when governance declares finality stalled: GRANDPA's `on_stalled`,
/// which makes the next session change a forced authority-set change.
pub trait NoteFinalityStall<BlockNumber> {
	/// A forced change to the next session's set, `delay` blocks after that session starts,
	/// building on the finalized block `best_finalized`.
	fn note_stalled(delay: BlockNumber, best_finalized: BlockNumber);
}

/// No finality gadget to recover.
impl<BlockNumber> NoteFinalityStall<BlockNumber> for () {
	fn note_stalled(_: BlockNumber, _: BlockNumber) {}
}

/// What the benchmarks need from the runtime: session keys for an account.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// Sets session keys for `who`, so it may register as a candidate.
	fn set_session_keys(who: &AccountId);
}

/// Balance type of the pallet's currency.
pub type BalanceOf<T> =
	<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_system::pallet_prelude::*;
	use sp_runtime::Perbill;
	use sp_staking::SessionIndex;

	/// A candidate with this runtime's types.
	pub type CandidateOf<T> = CandidateInfo<<T as frame_system::Config>::AccountId, BalanceOf<T>>;
	/// An unlocking bond with this runtime's types.
	pub type UnlockingOf<T> = UnlockingBond<BalanceOf<T>, BlockNumberFor<T>>;

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A candidacy bond, backing a candidacy or unlocking.
		CandidacyBond,
	}

	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The AIT currency; bonds are held with it and slashes burned.
		type Currency: Inspect<Self::AccountId>
			+ Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;
		/// The runtime's hold reasons.
		type RuntimeHoldReason: From<HoldReason>;
		/// Appoints the authorities and sets the bond floor and the number of seats.
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// Whether an account has session keys set (`pallet-session`).
		type ValidatorRegistration: ValidatorRegistration<Self::AccountId>;
		/// Most authorities governance may appoint.
		#[pallet::constant]
		type MaxAuthorities: Get<u32>;
		/// Most candidates at once (a full list takes a newcomer only for a higher bond).
		#[pallet::constant]
		type MaxCandidates: Get<u32>;
		/// Idle candidates are never dropped below this many planned validators.
		#[pallet::constant]
		type MinValidators: Get<u32>;
		/// Blocks per session when the genesis config does not set [`SessionLength`].
		#[pallet::constant]
		type DefaultSessionLength: Get<BlockNumberFor<Self>>;
		/// Sessions an active candidate may go without authoring before it is dropped.
		#[pallet::constant]
		type KickThreshold: Get<u32>;
		/// Sessions a bond stays held after it stops backing a candidacy.
		#[pallet::constant]
		type BondUnlockDelay: Get<u32>;
		/// The least share of its bond an equivocating candidate loses.
		#[pallet::constant]
		type MinEquivocationSlash: Get<Perbill>;
		/// The finality gadget's stall recovery ([`Pallet::recover_finality`]).
		type FinalityStall: NoteFinalityStall<BlockNumberFor<Self>>;
		/// Weights of this pallet's calls and hooks.
		type WeightInfo: WeightInfo;
		/// Session keys for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	/// The governance-appointed validators, in order.
	#[pallet::storage]
	pub type Authorities<T: Config> =
		StorageValue<_, BoundedVec<T::AccountId, T::MaxAuthorities>, ValueQuery>;

	/// The candidates, highest bond first (equal bonds: who registered first).
	#[pallet::storage]
	pub type Candidates<T: Config> =
		StorageValue<_, BoundedVec<CandidateOf<T>, T::MaxCandidates>, ValueQuery>;

	/// How many candidates validate besides the authorities.
	#[pallet::storage]
	pub type DesiredCandidates<T: Config> = StorageValue<_, u32, ValueQuery>;

	/// The least bond a candidate must hold to register and to be selected.
	#[pallet::storage]
	pub type CandidacyBond<T: Config> = StorageValue<_, BalanceOf<T>, ValueQuery>;

	/// Per candidate: the last block it authored, or the block it (re-)entered the active set.
	#[pallet::storage]
	pub type LastAuthoredBlock<T: Config> =
		StorageMap<_, Twox64Concat, T::AccountId, BlockNumberFor<T>, OptionQuery>;

	/// Bonds that back no candidacy any more, by owner.
	#[pallet::storage]
	pub type Unlocking<T: Config> =
		StorageMap<_, Twox64Concat, T::AccountId, UnlockingOf<T>, OptionQuery>;

	/// The candidates planned for a session that has not started yet, by session.
	#[pallet::storage]
	pub type PlannedCandidates<T: Config> = StorageMap<
		_,
		Twox64Concat,
		SessionIndex,
		BoundedVec<T::AccountId, T::MaxCandidates>,
		OptionQuery,
	>;

	/// The candidates validating in the current session.
	#[pallet::storage]
	pub type ActiveCandidates<T: Config> =
		StorageValue<_, BoundedVec<T::AccountId, T::MaxCandidates>, ValueQuery>;

	/// All AIT burned by equivocation slashes, for the issuance ledger.
	#[pallet::storage]
	pub type TotalSlashed<T: Config> = StorageValue<_, BalanceOf<T>, ValueQuery>;

	/// Blocks per session, fixed at genesis (see the crate docs).
	#[pallet::storage]
	pub type SessionLength<T: Config> =
		StorageValue<_, BlockNumberFor<T>, ValueQuery, T::DefaultSessionLength>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The first authorities (their session keys go in `pallet-session`'s genesis).
		pub authorities: Vec<T::AccountId>,
		/// Seats for candidates.
		pub desired_candidates: u32,
		/// The bond floor.
		pub candidacy_bond: BalanceOf<T>,
		/// Blocks per session; 0 keeps the runtime's `DefaultSessionLength`.
		pub session_length: BlockNumberFor<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			let authorities: BoundedVec<_, T::MaxAuthorities> =
				self.authorities.clone().try_into().expect("genesis: too many authorities");
			assert!(
				!Pallet::<T>::has_duplicates(&authorities),
				"genesis: an authority is listed twice"
			);
			assert!(
				self.desired_candidates <= T::MaxCandidates::get(),
				"genesis: more desired candidates than MaxCandidates"
			);
			Authorities::<T>::put(authorities);
			DesiredCandidates::<T>::put(self.desired_candidates);
			CandidacyBond::<T>::put(self.candidacy_bond);
			if !self.session_length.is_zero() {
				SessionLength::<T>::put(self.session_length);
			}
			assert!(!SessionLength::<T>::get().is_zero(), "genesis: sessions of zero blocks");
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// Governance appointed a new list of authorities.
		AuthoritiesSet { authorities: Vec<T::AccountId> },
		/// Governance changed the number of candidate seats.
		DesiredCandidatesSet { desired: u32 },
		/// Governance changed the bond floor.
		CandidacyBondSet { bond: BalanceOf<T> },
		/// An account registered as a candidate, holding `bond`.
		CandidateRegistered { who: T::AccountId, bond: BalanceOf<T> },
		/// A candidate raised its bond to `bond`.
		BondRaised { who: T::AccountId, bond: BalanceOf<T> },
		/// A candidacy ended; its bond (`unlocking`) unlocks at `unlock_at`.
		CandidateDeparted {
			who: T::AccountId,
			reason: Departure,
			unlocking: BalanceOf<T>,
			unlock_at: BlockNumberFor<T>,
		},
		/// An unlocked bond was released to its owner.
		BondWithdrawn { who: T::AccountId, amount: BalanceOf<T> },
		/// The set for session `session` was planned: `authorities` authorities and these
		/// candidates.
		NewSetPlanned { session: SessionIndex, authorities: u32, candidates: Vec<T::AccountId> },
		/// An equivocating validator's bond was slashed by `amount` (burned).
		EquivocationSlashed { who: T::AccountId, amount: BalanceOf<T> },
		/// An authority equivocated; it has no bond, governance decides.
		AuthorityEquivocated { who: T::AccountId },
		/// Governance declared finality stalled: the next session change forces GRANDPA to
		/// that session's set `delay` blocks after it starts, on top of `best_finalized`.
		FinalityStallNoted { delay: BlockNumberFor<T>, best_finalized: BlockNumberFor<T> },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// More candidate seats than `MaxCandidates`.
		TooManyDesiredCandidates,
		/// An account is listed twice among the authorities.
		DuplicateAuthority,
		/// An appointed authority is a candidate: it must leave its candidacy first.
		AuthorityIsCandidate,
		/// The caller is an authority already.
		AlreadyAuthority,
		/// The caller is a candidate already.
		AlreadyCandidate,
		/// The caller is not a candidate.
		NotCandidate,
		/// The caller has no session keys: set them with `session.setKeys` first.
		NoSessionKeys,
		/// The bond is below `CandidacyBond`.
		BondBelowFloor,
		/// The candidate list is full and the bond is not above its lowest.
		CandidateListFull,
		/// The caller's last bond is still unlocking: withdraw it first.
		BondStillUnlocking,
		/// The caller has no unlocking bond.
		NothingUnlocking,
		/// The bond unlocks at a later block.
		BondLocked,
		/// The caller cannot hold that much.
		InsufficientBalance,
		/// A bond raise of zero.
		ZeroRaise,
		/// Leaving now would plan fewer than `MinValidators` validators.
		TooFewValidators,
		/// The finalized block named is above the current block.
		FinalizedAhead,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// `pallet-authorship` notes each block's author in its own `on_initialize`, which
		/// charges nothing: the write is accounted here.
		fn on_initialize(_: BlockNumberFor<T>) -> Weight {
			T::WeightInfo::note_author()
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Appoints the authorities (governance). They validate from the session after next;
		/// none may be a candidate.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::set_authorities(authorities.len() as u32))]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _authorities: &BoundedVec<T::AccountId, T::MaxAuthorities>| -> bool {
			T::GovernanceOrigin::try_origin(origin.clone()).is_ok()
		})]
		pub fn set_authorities(
			origin: OriginFor<T>,
			authorities: BoundedVec<T::AccountId, T::MaxAuthorities>,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			ensure!(!Self::has_duplicates(&authorities), Error::<T>::DuplicateAuthority);
			let candidates = Candidates::<T>::get();
			ensure!(
				!authorities.iter().any(|a| candidates.iter().any(|c| &c.who == a)),
				Error::<T>::AuthorityIsCandidate
			);
			Authorities::<T>::put(&authorities);
			Self::deposit_event(Event::AuthoritiesSet { authorities: authorities.into_inner() });
			Ok(())
		}

		/// Sets how many candidates validate besides the authorities (governance).
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::set_desired_candidates())]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _desired: &u32| -> bool {
			T::GovernanceOrigin::try_origin(origin.clone()).is_ok()
		})]
		pub fn set_desired_candidates(origin: OriginFor<T>, desired: u32) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			ensure!(desired <= T::MaxCandidates::get(), Error::<T>::TooManyDesiredCandidates);
			DesiredCandidates::<T>::put(desired);
			Self::deposit_event(Event::DesiredCandidatesSet { desired });
			Ok(())
		}

		/// Sets the bond floor (governance). Candidates below a raised floor stay registered
		/// but are not selected until they raise their bond.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::set_candidacy_bond())]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _bond: &BalanceOf<T>| -> bool {
			T::GovernanceOrigin::try_origin(origin.clone()).is_ok()
		})]
		pub fn set_candidacy_bond(origin: OriginFor<T>, bond: BalanceOf<T>) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			CandidacyBond::<T>::put(bond);
			Self::deposit_event(Event::CandidacyBondSet { bond });
			Ok(())
		}

		/// Registers the caller as a candidate, holding `bond` (at least [`CandidacyBond`]).
		/// The caller must have session keys set. When the list is full, a bond above the
		/// lowest one takes its place (that candidate's bond starts unlocking).
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::register_as_candidate())]
		pub fn register_as_candidate(origin: OriginFor<T>, bond: BalanceOf<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(!Authorities::<T>::get().contains(&who), Error::<T>::AlreadyAuthority);
			let mut candidates = Candidates::<T>::get();
			ensure!(!candidates.iter().any(|c| c.who == who), Error::<T>::AlreadyCandidate);
			ensure!(!Unlocking::<T>::contains_key(&who), Error::<T>::BondStillUnlocking);
			ensure!(T::ValidatorRegistration::is_registered(&who), Error::<T>::NoSessionKeys);
			ensure!(bond >= CandidacyBond::<T>::get(), Error::<T>::BondBelowFloor);
			let outbid = if candidates.is_full() {
				let lowest = candidates.last().ok_or(Error::<T>::CandidateListFull)?;
				ensure!(bond > lowest.bond, Error::<T>::CandidateListFull);
				candidates.pop()
			} else {
				None
			};
			Self::hold(&who, bond)?;
			Self::insert_sorted(&mut candidates, CandidateInfo { who: who.clone(), bond })?;
			Candidates::<T>::put(candidates);
			LastAuthoredBlock::<T>::insert(&who, frame_system::Pallet::<T>::block_number());
			if let Some(lowest) = outbid {
				Self::start_unlocking(lowest, Departure::Outbid);
			}
			Self::deposit_event(Event::CandidateRegistered { who, bond });
			Ok(())
		}

		/// Adds `extra` to the caller's candidacy bond.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::raise_bond())]
		pub fn raise_bond(origin: OriginFor<T>, extra: BalanceOf<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(!extra.is_zero(), Error::<T>::ZeroRaise);
			let mut candidates = Candidates::<T>::get();
			let index =
				candidates.iter().position(|c| c.who == who).ok_or(Error::<T>::NotCandidate)?;
			Self::hold(&who, extra)?;
			let mut entry = candidates.remove(index);
			entry.bond = entry.bond.saturating_add(extra);
			let bond = entry.bond;
			Self::insert_sorted(&mut candidates, entry)?;
			Candidates::<T>::put(candidates);
			Self::deposit_event(Event::BondRaised { who, bond });
			Ok(())
		}

		/// Ends the caller's candidacy. It leaves the set at the next planned session; its
		/// bond unlocks `BondUnlockDelay` sessions from now.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::leave_intent())]
		pub fn leave_intent(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut candidates = Candidates::<T>::get();
			let index =
				candidates.iter().position(|c| c.who == who).ok_or(Error::<T>::NotCandidate)?;
			let selected = Self::selected_candidates(&candidates);
			if selected.contains(&who) {
				let remaining = Self::planned_size_without(&candidates, 1);
				ensure!(remaining >= T::MinValidators::get(), Error::<T>::TooFewValidators);
			}
			let entry = candidates.remove(index);
			Candidates::<T>::put(candidates);
			Self::start_unlocking(entry, Departure::Left);
			Ok(())
		}

		/// Releases the caller's unlocked bond.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::withdraw_bond())]
		pub fn withdraw_bond(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let unlocking = Unlocking::<T>::get(&who).ok_or(Error::<T>::NothingUnlocking)?;
			let now = frame_system::Pallet::<T>::block_number();
			ensure!(now >= unlocking.unlock_at, Error::<T>::BondLocked);
			let released = T::Currency::release(
				&HoldReason::CandidacyBond.into(),
				&who,
				unlocking.amount,
				Precision::BestEffort,
			)?;
			Unlocking::<T>::remove(&who);
			Self::deposit_event(Event::BondWithdrawn { who, amount: released });
			Ok(())
		}

		/// Recovers a stalled finality (governance): the next session change becomes a forced
		/// GRANDPA authority-set change to that session's validators, `delay` blocks after it
		/// starts, on top of `best_finalized` (the highest block every honest node finalized).
		/// Nodes enact a forced change on import, without a finality vote, so a set that has
		/// lost a third of its voters can be replaced by one that is online: appoint it first
		/// (it must be the *next* session's set, see `aitbc validators`), then call this.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::recover_finality())]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _delay: &BlockNumberFor<T>, _best: &BlockNumberFor<T>| -> bool {
			T::GovernanceOrigin::try_origin(origin.clone()).is_ok()
		})]
		pub fn recover_finality(
			origin: OriginFor<T>,
			delay: BlockNumberFor<T>,
			best_finalized: BlockNumberFor<T>,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			ensure!(
				best_finalized <= frame_system::Pallet::<T>::block_number(),
				Error::<T>::FinalizedAhead
			);
			T::FinalityStall::note_stalled(delay, best_finalized);
			Self::deposit_event(Event::FinalityStallNoted { delay, best_finalized });
			Ok(())
		}
	}
}

impl<T: Config> Pallet<T> {
	/// Holds `amount` of `who`'s free balance as candidacy bond.
	fn hold(who: &T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
		T::Currency::hold(&HoldReason::CandidacyBond.into(), who, amount)
			.map_err(|_| Error::<T>::InsufficientBalance.into())
	}

	/// Inserts `entry` after every candidate with a bond at least as high.
	fn insert_sorted(
		candidates: &mut BoundedVec<pallet::CandidateOf<T>, T::MaxCandidates>,
		entry: pallet::CandidateOf<T>,
	) -> DispatchResult {
		let at = candidates.iter().position(|c| c.bond < entry.bond).unwrap_or(candidates.len());
		candidates.try_insert(at, entry).map_err(|_| Error::<T>::CandidateListFull.into())
	}

	/// `entry`'s bond (already out of the list) starts unlocking.
	pub(crate) fn start_unlocking(entry: pallet::CandidateOf<T>, reason: Departure) {
		let unlock_at =
			frame_system::Pallet::<T>::block_number().saturating_add(Self::unlock_delay());
		LastAuthoredBlock::<T>::remove(&entry.who);
		Unlocking::<T>::insert(&entry.who, UnlockingBond { amount: entry.bond, unlock_at });
		Self::deposit_event(Event::CandidateDeparted {
			who: entry.who,
			reason,
			unlocking: entry.bond,
			unlock_at,
		});
	}

	/// Blocks in `sessions` sessions.
	fn sessions_in_blocks(sessions: u32) -> BlockNumberFor<T> {
		SessionLength::<T>::get().saturating_mul(sessions.into())
	}

	/// Blocks a bond stays held after it stops backing a candidacy.
	pub(crate) fn unlock_delay() -> BlockNumberFor<T> {
		Self::sessions_in_blocks(T::BondUnlockDelay::get())
	}

	/// Blocks an active candidate may go without authoring.
	pub(crate) fn kick_threshold() -> BlockNumberFor<T> {
		Self::sessions_in_blocks(T::KickThreshold::get())
	}

	/// `true` when an account appears twice.
	fn has_duplicates(accounts: &[T::AccountId]) -> bool {
		accounts.iter().enumerate().any(|(i, a)| accounts[..i].contains(a))
	}

	/// The checks `try_state` runs after every test and block.
	#[cfg(any(feature = "try-runtime", test))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		use frame_support::traits::fungible::InspectHold;
		let candidates = Candidates::<T>::get();
		let authorities = Authorities::<T>::get();
		ensure!(
			candidates.windows(2).all(|pair| pair[0].bond >= pair[1].bond),
			"candidates are not sorted by bond"
		);
		let accounts: Vec<_> = candidates.iter().map(|c| c.who.clone()).collect();
		ensure!(!Self::has_duplicates(&accounts), "a candidate is listed twice");
		ensure!(!Self::has_duplicates(&authorities), "an authority is listed twice");
		ensure!(
			!accounts.iter().any(|a| authorities.contains(a)),
			"an authority is also a candidate"
		);
		ensure!(
			DesiredCandidates::<T>::get() <= T::MaxCandidates::get(),
			"more seats than MaxCandidates"
		);
		ensure!(!SessionLength::<T>::get().is_zero(), "sessions of zero blocks");
		let reason: T::RuntimeHoldReason = HoldReason::CandidacyBond.into();
		for candidate in candidates.iter() {
			ensure!(!Unlocking::<T>::contains_key(&candidate.who), "a candidate is unlocking");
			ensure!(
				LastAuthoredBlock::<T>::contains_key(&candidate.who),
				"a candidate has no authoring record"
			);
			ensure!(
				T::Currency::balance_on_hold(&reason, &candidate.who) == candidate.bond,
				"a candidate's hold differs from its bond"
			);
		}
		ensure!(
			LastAuthoredBlock::<T>::iter_keys().count() == candidates.len(),
			"an authoring record without a candidate"
		);
		for (who, unlocking) in Unlocking::<T>::iter() {
			ensure!(
				T::Currency::balance_on_hold(&reason, &who) == unlocking.amount,
				"an unlocking hold differs from its bond"
			);
		}
		Ok(())
	}
}
