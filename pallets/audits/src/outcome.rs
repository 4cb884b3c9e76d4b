//! How an audit's rounds end and what its outcome does: the receipt minted or rejected, the
//! winners paid, the losers slashed, the challenger's bond returned or forfeited.

use super::*;
use frame_support::traits::tokens::{Fortitude, Restriction};

/// The verdicts a panel revealed: (upholding, not upholding).
fn tally<AccountId>(votes: &[AuditorVote<AccountId>]) -> (u32, u32) {
	votes.iter().filter_map(|vote| vote.verdict).fold((0, 0), |(pass, fail), verdict| {
		if verdict.upholds() {
			(pass + 1, fail)
		} else {
			(pass, fail + 1)
		}
	})
}

impl<T: Config> Pallet<T> {
	/// What a reveal may cost at most: the last reveal of an escalated panel, or a first
	/// mismatch whose escalation walks the whole rotation.
	pub(crate) fn reveal_weight_limit() -> Weight {
		let walk = T::MaxAuditorsPerModel::get().saturating_sub(T::MaxPanel::get());
		T::WeightInfo::reveal_verdict().max(T::WeightInfo::reveal_verdict_escalates(walk))
	}

	/// What ending `audit`'s current round costs, by what it will do: the first auditor's
	/// `Match` passes the receipt at once; anything else escalates or resolves a panel, charged
	/// at the limit (how far an escalation walks is not known before it walks).
	pub(crate) fn round_end_weight(audit: &Audit<T>) -> Weight {
		let first = audit.votes.first().and_then(|vote| vote.verdict);
		if !audit.escalated && first.is_some_and(|verdict| verdict.upholds()) {
			T::WeightInfo::reveal_verdict_passes()
		} else {
			Self::reveal_weight_limit()
		}
	}

	/// The current round of `job_id`'s audit is over at `now`. After the first auditor: its
	/// `Match` passes the receipt, anything else escalates. After the escalation: a majority
	/// of the whole panel decides; without one the audit is inconclusive.
	pub(crate) fn end_round(job_id: JobId, mut audit: Audit<T>, now: BlockNumberFor<T>) {
		Self::unschedule(job_id, audit.phase_ends);
		if !audit.escalated {
			let first = audit.votes.first().and_then(|vote| vote.verdict);
			if first.is_some_and(|verdict| verdict.upholds()) {
				return Self::resolve(job_id, audit, AuditOutcome::Passed);
			}
			let mut excluded: alloc::vec::Vec<&T::AccountId> =
				alloc::vec![&audit.provider, &audit.client];
			excluded.extend(audit.votes.iter().map(|vote| &vote.auditor));
			if let Some(challenge) = &audit.challenge {
				excluded.push(&challenge.challenger);
			}
			let wanted = T::EscalationAuditors::get();
			let added = Self::select_auditors(audit.model_id, &excluded, wanted);
			if (added.len() as u32) < wanted {
				// Too few independent auditors to outvote anyone: nobody is convicted and
				// nothing mints as if audited.
				return Self::resolve(job_id, audit, AuditOutcome::Inconclusive);
			}
			for auditor in &added {
				let vote = AuditorVote {
					auditor: auditor.clone(),
					escalation: true,
					commitment: None,
					verdict: None,
				};
				if audit.votes.try_push(vote).is_err() {
					return Self::resolve(job_id, audit, AuditOutcome::Inconclusive);
				}
			}
			audit.escalated = true;
			audit.phase = AuditPhase::Commit;
			let commit_until = now.saturating_add(T::CommitPeriod::get());
			if Self::schedule(job_id, &mut audit, commit_until).is_err() {
				return Self::resolve(job_id, audit, AuditOutcome::Inconclusive);
			}
			Self::deposit_event(Event::AuditEscalated {
				job_id,
				auditors: added,
				commit_until: audit.phase_ends,
			});
			Audits::<T>::insert(job_id, audit);
			return;
		}
		let (pass, fail) = tally(&audit.votes);
		let majority = T::MaxPanel::get() / 2 + 1;
		let outcome = if fail >= majority && fail > pass {
			AuditOutcome::Failed
		} else if pass >= majority && pass > fail {
			AuditOutcome::Passed
		} else {
			AuditOutcome::Inconclusive
		};
		Self::resolve(job_id, audit, outcome);
	}

	/// Ends `job_id`'s audit with `outcome` and does what it says; stores the ended audit.
	/// Callers have taken it off the deadline schedule (or never put it there).
	pub(crate) fn resolve(job_id: JobId, mut audit: Audit<T>, outcome: AuditOutcome) {
		let (mut minted, mut refund) = (Zero::zero(), Zero::zero());
		let mut outcome = outcome;
		match outcome {
			AuditOutcome::Passed => match T::Receipts::release(job_id) {
				Ok(amount) => {
					minted = amount;
					T::Providers::record_outcome(
						&audit.provider,
						pallet_aitbc_marketplace::JobOutcome::PassedCheck,
					);
					Self::settle_panel(job_id, &audit, true);
					Self::settle_challenge(job_id, &audit, false);
				},
				Err(_) => {
					// The receipt could not be minted (its job's accounting is broken, which
					// try_state reports): do not pay anybody for a receipt that did not mint.
					refund = T::Receipts::reject(job_id, false).unwrap_or_else(|_| Zero::zero());
					outcome = AuditOutcome::Inconclusive;
					Self::settle_challenge(job_id, &audit, true);
				},
			},
			AuditOutcome::Failed => {
				refund = T::Receipts::reject(job_id, true).unwrap_or_else(|_| Zero::zero());
				Self::settle_panel(job_id, &audit, false);
				Self::settle_challenge(job_id, &audit, true);
			},
			AuditOutcome::Inconclusive | AuditOutcome::NoAuditors => {
				refund = T::Receipts::reject(job_id, false).unwrap_or_else(|_| Zero::zero());
				Self::settle_challenge(job_id, &audit, true);
			},
		}
		audit.outcome = Some(outcome);
		Audits::<T>::insert(job_id, audit);
		Self::deposit_event(Event::AuditResolved { job_id, outcome, minted, refund });
	}

	/// Pays the auditors whose verdict agreed with the outcome (`upheld`: the receipt passed)
	/// and penalizes those whose verdict did not. Without a challenger, the provider's slash
	/// on a failure rewards the winning auditors; a losing auditor's slash rewards the
	/// provider when the receipt passed, the winning auditors when it failed.
	fn settle_panel(job_id: JobId, audit: &Audit<T>, upheld: bool) {
		let revealed = || audit.votes.iter().filter_map(|v| v.verdict.map(|x| (&v.auditor, x)));
		let winners: alloc::vec::Vec<T::AccountId> = revealed()
			.filter(|(_, verdict)| verdict.upholds() == upheld)
			.map(|(who, _)| who.clone())
			.collect();
		let losers: alloc::vec::Vec<T::AccountId> = revealed()
			.filter(|(_, verdict)| verdict.upholds() != upheld)
			.map(|(who, _)| who.clone())
			.collect();
		for auditor in &winners {
			Self::pay_auditor(job_id, auditor, audit.amount);
		}
		let mut right_side =
			if upheld { alloc::vec![audit.provider.clone()] } else { winners.clone() };
		for loser in &losers {
			Self::penalize(job_id, loser, T::WrongVerdictSlash::get(), &right_side);
		}
		if !upheld {
			if let Some(challenge) = &audit.challenge {
				right_side.push(challenge.challenger.clone());
			}
			Self::penalize(job_id, &audit.provider, T::AuditFailSlash::get(), &right_side);
		}
	}

	/// Mints `amount` to an auditor for its re-run (nothing when the account cannot take it).
	fn pay_auditor(job_id: JobId, auditor: &T::AccountId, amount: BalanceOf<T>) {
		if amount.is_zero() || T::Currency::mint_into(auditor, amount).is_err() {
			return;
		}
		TotalAuditorPay::<T>::mutate(|total| *total = total.saturating_add(amount));
		Self::deposit_event(Event::AuditorPaid { job_id, auditor: auditor.clone(), amount });
	}

	/// `who` lost an audit: slashes `fraction` of its stake (a share to `right_side`) and
	/// revokes its approval.
	pub(crate) fn penalize(
		job_id: JobId,
		who: &T::AccountId,
		fraction: Perbill,
		right_side: &[T::AccountId],
	) {
		let slash =
			T::Staking::slash_rewarding(who, fraction, right_side, T::SlashRewardShare::get());
		let suspended = T::Providers::suspend(who);
		Self::deposit_event(Event::Penalized {
			job_id,
			who: who.clone(),
			slashed: slash.burned.saturating_add(slash.rewarded),
			suspended,
		});
	}

	/// Settles the challenge of an ended audit, if any: `upheld` (the challenger was right,
	/// or nobody was shown wrong) returns the bond; otherwise it is forfeited, a share paid to
	/// the provider and the rest burned.
	pub(crate) fn settle_challenge(job_id: JobId, audit: &Audit<T>, upheld: bool) {
		let Some(Challenge { challenger, bond }) = &audit.challenge else { return };
		let reason = HoldReason::ChallengeBond.into();
		let (mut returned, mut forfeited, mut reward) = (Zero::zero(), Zero::zero(), Zero::zero());
		if upheld {
			returned = Self::release_bond(challenger, *bond);
		} else {
			reward = T::Currency::transfer_on_hold(
				&reason,
				challenger,
				&audit.provider,
				T::SlashRewardShare::get() * *bond,
				Precision::BestEffort,
				Restriction::Free,
				Fortitude::Force,
			)
			.unwrap_or_else(|_| Zero::zero());
			let burned = T::Currency::burn_held(
				&reason,
				challenger,
				bond.saturating_sub(reward),
				Precision::BestEffort,
				Fortitude::Force,
			)
			.unwrap_or_else(|_| Zero::zero());
			TotalForfeited::<T>::mutate(|total| *total = total.saturating_add(burned));
			forfeited = burned.saturating_add(reward);
		}
		Self::deposit_event(Event::ChallengeSettled {
			job_id,
			challenger: challenger.clone(),
			returned,
			forfeited,
			reward,
		});
	}
}

impl<T: Config> Pallet<T> {
	/// Holds a challenger's bond.
	pub(crate) fn hold_bond(who: &T::AccountId, bond: BalanceOf<T>) -> DispatchResult {
		T::Currency::hold(&HoldReason::ChallengeBond.into(), who, bond)
			.map_err(|_| Error::<T>::InsufficientBalance.into())
	}

	/// Releases `amount` of a challenger's bond.
	pub(crate) fn release_bond(who: &T::AccountId, amount: BalanceOf<T>) -> BalanceOf<T> {
		T::Currency::release(&HoldReason::ChallengeBond.into(), who, amount, Precision::BestEffort)
			.unwrap_or_else(|_| Zero::zero())
	}
}
