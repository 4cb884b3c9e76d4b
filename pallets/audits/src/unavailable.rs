//! An artifact a quorum of validators could not get: the receipt fails its audit.
//!
//! The validators' off-chain workers (`pallet-aitbc-probes`) fetch a sample of receipted
//! artifacts like any client would. When a quorum of them could not get one, a receipt that is
//! not final yet fails: it mints nothing, the client is refunded, the provider is slashed and
//! suspended as for a failed audit. An audit under way ends there. Its auditors are neither
//! paid nor slashed: a provider knows its auditors and may have served them alone, so a
//! `Match` is no evidence against the validators, and an auditor's re-run is not what failed.

use super::*;

impl<T: Config> Pallet<T> {
	/// Fails the receipt of `job_id` because a quorum of validators could not get its artifact.
	/// Returns `false`, changing nothing, when the receipt is final (minted or rejected) or
	/// there is none.
	pub fn fail_unavailable(job_id: JobId) -> bool {
		let now = frame_system::Pallet::<T>::block_number();
		let audit = match Audits::<T>::get(job_id).filter(|audit| audit.outcome.is_none()) {
			Some(audit) => {
				Self::unschedule(job_id, audit.phase_ends);
				audit
			},
			None => {
				let Ok(subject) = T::Receipts::hold(job_id) else { return false };
				Audit::<T> {
					provider: subject.provider,
					client: subject.client,
					model_id: subject.model_id,
					receipt_hash: subject.receipt_hash,
					units: subject.units,
					amount: subject.amount,
					challenge: None,
					votes: BoundedVec::new(),
					escalated: false,
					phase: AuditPhase::Commit,
					phase_ends: now,
					opened_at: now,
					outcome: None,
				}
			},
		};
		Self::deposit_event(Event::ArtifactUnavailable {
			job_id,
			provider: audit.provider.clone(),
		});
		Self::resolve_unavailable(job_id, audit);
		true
	}

	/// Ends `audit` `Failed` for an unavailable artifact: the receipt is rejected, the provider
	/// penalized (a share of its slash to a challenger, if any, whose bond is returned).
	fn resolve_unavailable(job_id: JobId, mut audit: Audit<T>) {
		let refund = T::Receipts::reject(job_id, true).unwrap_or_else(|_| Zero::zero());
		let right_side: alloc::vec::Vec<T::AccountId> =
			audit.challenge.iter().map(|challenge| challenge.challenger.clone()).collect();
		Self::penalize(job_id, &audit.provider, T::AuditFailSlash::get(), &right_side);
		Self::settle_challenge(job_id, &audit, true);
		audit.outcome = Some(AuditOutcome::Failed);
		Audits::<T>::insert(job_id, audit);
		Self::deposit_event(Event::AuditResolved {
			job_id,
			outcome: AuditOutcome::Failed,
			minted: Zero::zero(),
			refund,
		});
	}
}
