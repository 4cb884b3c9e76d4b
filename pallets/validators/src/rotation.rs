//! Planning each session's set for `pallet-session`, and dropping idle candidates.

use crate::{
	pallet::CandidateOf, ActiveCandidates, Authorities, CandidacyBond, Candidates, Config,
	Departure, DesiredCandidates, Event, LastAuthoredBlock, Pallet, PlannedCandidates,
	SessionLength,
};
use alloc::vec::Vec;
use frame_support::{
	traits::{Get, ValidatorRegistration},
	BoundedVec,
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::Saturating;
use sp_staking::SessionIndex;

/// [`SessionLength`] as a `Get`, for `pallet_session::PeriodicSessions`.
pub struct SessionLengthOf<T>(core::marker::PhantomData<T>);
impl<T: Config> Get<BlockNumberFor<T>> for SessionLengthOf<T> {
	fn get() -> BlockNumberFor<T> {
		SessionLength::<T>::get()
	}
}

impl<T: Config> Pallet<T> {
	/// Whether `candidate` may be selected: bonded at the floor and with session keys.
	fn eligible(candidate: &CandidateOf<T>) -> bool {
		candidate.bond >= CandidacyBond::<T>::get()
			&& T::ValidatorRegistration::is_registered(&candidate.who)
	}

	/// The candidates a set planned now would hold: the first `DesiredCandidates` eligible
	/// ones of the (bond-sorted) list. The one selection rule, used by planning and leaving.
	pub(crate) fn selected_candidates(candidates: &[CandidateOf<T>]) -> Vec<T::AccountId> {
		candidates
			.iter()
			.filter(|c| Self::eligible(c))
			.take(DesiredCandidates::<T>::get() as usize)
			.map(|c| c.who.clone())
			.collect()
	}

	/// The authorities with session keys, in order.
	fn keyed_authorities() -> Vec<T::AccountId> {
		Authorities::<T>::get()
			.into_iter()
			.filter(|a| T::ValidatorRegistration::is_registered(a))
			.collect()
	}

	/// How many validators a set planned now would hold with `removed` of the eligible
	/// candidates gone.
	pub(crate) fn planned_size_without(candidates: &[CandidateOf<T>], removed: u32) -> u32 {
		let authorities = Self::keyed_authorities().len() as u32;
		Self::planned_size(authorities, Self::eligible_count(candidates).saturating_sub(removed))
	}

	/// How many of `candidates` may be selected.
	fn eligible_count(candidates: &[CandidateOf<T>]) -> u32 {
		candidates.iter().filter(|c| Self::eligible(c)).count() as u32
	}

	/// A planned set's size from its keyed authorities and eligible candidates.
	fn planned_size(authorities: u32, eligible: u32) -> u32 {
		authorities.saturating_add(DesiredCandidates::<T>::get().min(eligible))
	}

	/// Drops the active candidates that authored nothing for `KickThreshold` sessions, longest
	/// idle first (then lowest bond), while the planned set keeps at least `MinValidators` validators.
	/// Returns how many were dropped.
	fn drop_idle_candidates(candidates: &mut BoundedVec<CandidateOf<T>, T::MaxCandidates>) -> u32 {
		let now = frame_system::Pallet::<T>::block_number();
		let threshold = Self::kick_threshold();
		let bond_of = |who: &T::AccountId| {
			candidates.iter().find(|c| &c.who == who).map(|c| c.bond).unwrap_or_default()
		};
		let mut idle: Vec<_> = ActiveCandidates::<T>::get()
			.into_iter()
			.filter_map(|who| LastAuthoredBlock::<T>::get(&who).map(|last| (who, last)))
			.filter(|(_, last)| now.saturating_sub(*last) >= threshold)
			.map(|(who, last)| (bond_of(&who), last, who))
			.collect();
		// Longest idle first; among equally idle, the lowest bond (the least at stake) first.
		idle.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
		// Counted once: dropping an eligible candidate removes one from `eligible`.
		let authorities = Self::keyed_authorities().len() as u32;
		let mut eligible = Self::eligible_count(candidates);
		let mut dropped = 0;
		for (_, _, who) in idle {
			let Some(index) = candidates.iter().position(|c| c.who == who) else { continue };
			if Self::eligible(&candidates[index]) {
				let remaining = Self::planned_size(authorities, eligible.saturating_sub(1));
				if remaining < T::MinValidators::get() {
					continue;
				}
				eligible = eligible.saturating_sub(1);
			}
			let entry = candidates.remove(index);
			Self::start_unlocking(entry, Departure::Idle);
			dropped += 1;
		}
		dropped
	}

	/// Plans session `index`'s set: drops idle candidates, then the authorities with keys
	/// plus the selected candidates. `None` (keep the current set) when it would be empty.
	pub(crate) fn plan_session(index: SessionIndex) -> Option<Vec<T::AccountId>> {
		let mut candidates = Candidates::<T>::get();
		if Self::drop_idle_candidates(&mut candidates) > 0 {
			Candidates::<T>::put(&candidates);
		}
		let authorities = Self::keyed_authorities();
		let selected = Self::selected_candidates(&candidates);
		if authorities.is_empty() && selected.is_empty() {
			return None;
		}
		// At most `DesiredCandidates <= MaxCandidates` of them: the bound holds.
		let planned: BoundedVec<_, T::MaxCandidates> = BoundedVec::truncate_from(selected.clone());
		PlannedCandidates::<T>::insert(index, planned);
		Self::deposit_event(Event::NewSetPlanned {
			session: index,
			authorities: authorities.len() as u32,
			candidates: selected.clone(),
		});
		Some(authorities.into_iter().chain(selected).collect())
	}

	/// Session `index` started: its planned candidates are now active, and the ones that
	/// just entered are given `KickThreshold` sessions from now to author.
	pub(crate) fn activate_session(index: SessionIndex) {
		let Some(planned) = PlannedCandidates::<T>::take(index) else { return };
		let previous = ActiveCandidates::<T>::get();
		let now = frame_system::Pallet::<T>::block_number();
		for who in planned.iter().filter(|who| !previous.contains(who)) {
			LastAuthoredBlock::<T>::mutate_extant(who, |last| *last = now);
		}
		ActiveCandidates::<T>::put(planned);
	}
}

impl<T: Config> pallet_session::SessionManager<T::AccountId> for Pallet<T> {
	fn new_session(index: SessionIndex) -> Option<Vec<T::AccountId>> {
		Self::plan_session(index)
	}

	fn start_session(index: SessionIndex) {
		Self::activate_session(index)
	}

	fn end_session(_: SessionIndex) {}
}

/// The historical session manager (`pallet-session`'s `historical` feature, which proves
/// GRANDPA equivocations against past sessions) with no full identification beyond the id.
impl<T: Config> pallet_session::historical::SessionManager<T::AccountId, ()> for Pallet<T> {
	fn new_session(index: SessionIndex) -> Option<Vec<(T::AccountId, ())>> {
		Self::plan_session(index).map(|set| set.into_iter().map(|who| (who, ())).collect())
	}

	fn start_session(index: SessionIndex) {
		Self::activate_session(index)
	}

	fn end_session(_: SessionIndex) {}
}

impl<T: Config>
	pallet_authorship::EventHandler<T::AccountId, frame_system::pallet_prelude::BlockNumberFor<T>>
	for Pallet<T>
{
	/// Notes the block's author: one write, and only for candidates.
	fn note_author(author: T::AccountId) {
		let now = frame_system::Pallet::<T>::block_number();
		LastAuthoredBlock::<T>::mutate_extant(&author, |last| *last = now);
	}
}
