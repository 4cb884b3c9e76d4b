//! Slashing equivocating validators, as `pallet-offences` reports them.

use crate::{
	Authorities, Candidates, Config, Departure, Event, HoldReason, Pallet, TotalSlashed, Unlocking,
	WeightInfo,
};
use frame_support::{
	traits::{
		fungible::MutateHold,
		tokens::{Fortitude, Precision},
		Get,
	},
	weights::Weight,
};
use sp_runtime::{traits::Saturating, Perbill};
use sp_staking::{
	offence::{OffenceDetails, OnOffenceHandler},
	SessionIndex,
};

impl<T: Config> Pallet<T> {
	/// Burns `fraction` (at least `MinEquivocationSlash`) of everything `offender` holds as
	/// candidacy bond; a candidate is removed from the list and the rest of its bond starts
	/// unlocking. Returns what was burned.
	pub fn slash_equivocation(offender: &T::AccountId, fraction: Perbill) -> crate::BalanceOf<T> {
		let fraction = fraction.max(T::MinEquivocationSlash::get());
		let mut candidates = Candidates::<T>::get();
		let (held, candidate) = match candidates.iter().position(|c| &c.who == offender) {
			Some(index) => {
				let entry = candidates.remove(index);
				(entry.bond, Some(entry))
			},
			None => match Unlocking::<T>::get(offender) {
				Some(unlocking) => (unlocking.amount, None),
				None => {
					if Authorities::<T>::get().contains(offender) {
						Self::deposit_event(Event::AuthorityEquivocated { who: offender.clone() });
					}
					return Default::default();
				},
			},
		};
		let burned = T::Currency::burn_held(
			&HoldReason::CandidacyBond.into(),
			offender,
			fraction * held,
			Precision::BestEffort,
			Fortitude::Force,
		)
		.unwrap_or_default();
		let rest = held.saturating_sub(burned);
		TotalSlashed::<T>::mutate(|total| *total = total.saturating_add(burned));
		Self::deposit_event(Event::EquivocationSlashed { who: offender.clone(), amount: burned });
		match candidate {
			Some(mut entry) => {
				Candidates::<T>::put(candidates);
				entry.bond = rest;
				Self::start_unlocking(entry, Departure::Slashed);
			},
			None => Unlocking::<T>::mutate_extant(offender, |unlocking| unlocking.amount = rest),
		}
		burned
	}
}

/// Offences (GRANDPA equivocations) reported through `pallet-offences`; the offender's
/// full identification is not used.
impl<T: Config, FullIdentification>
	OnOffenceHandler<T::AccountId, (T::AccountId, FullIdentification), Weight> for Pallet<T>
{
	fn on_offence(
		offenders: &[OffenceDetails<T::AccountId, (T::AccountId, FullIdentification)>],
		slash_fraction: &[Perbill],
		_session: SessionIndex,
	) -> Weight {
		let mut weight = Weight::zero();
		for (details, fraction) in offenders.iter().zip(slash_fraction) {
			Self::slash_equivocation(&details.offender.0, *fraction);
			weight = weight.saturating_add(T::WeightInfo::slash_equivocation());
		}
		weight
	}
}
