//! Who audits and when: the draw, the rotation of auditors, and the deadline schedule that
//! moves an audit through its commit and reveal phases.

use super::*;

impl<T: Config> Pallet<T> {
	/// The one rule choosing auditors: up to `count` of `model_id`'s registered auditors,
	/// in rotation from where the last choice stopped, that can audit the model now and
	/// are none of `excluded`. Advances the rotation past the last one chosen.
	pub fn select_auditors(
		model_id: ModelId,
		excluded: &[&T::AccountId],
		count: u32,
	) -> alloc::vec::Vec<T::AccountId> {
		let (chosen, next) = Self::pick_auditors(model_id, excluded, count);
		if let Some(next) = next {
			NextAuditor::<T>::insert(model_id, next);
		}
		chosen
	}

	/// What [`Self::select_auditors`] would choose, and where the rotation would continue,
	/// without moving it.
	pub fn pick_auditors(
		model_id: ModelId,
		excluded: &[&T::AccountId],
		count: u32,
	) -> (alloc::vec::Vec<T::AccountId>, Option<u32>) {
		let auditors = Auditors::<T>::get(model_id);
		let len = auditors.len();
		let mut chosen = alloc::vec::Vec::new();
		if len == 0 || count == 0 {
			return (chosen, None);
		}
		let start = NextAuditor::<T>::get(model_id) as usize % len;
		let mut next = None;
		for offset in 0..len {
			let index = (start + offset) % len;
			let candidate = &auditors[index];
			if excluded.contains(&candidate)
				|| T::Providers::check_can_audit(candidate, model_id).is_err()
			{
				continue;
			}
			chosen.push(candidate.clone());
			next = Some(((index + 1) % len) as u32);
			if chosen.len() as u32 == count {
				break;
			}
		}
		(chosen, next)
	}

	/// Whether the draw of block `now` audits receipt `job_id` (accepted in `now - 1`).
	pub fn drawn(seed: &[u8], job_id: JobId, rate: Perbill) -> bool {
		let mut data = b"aitbc/audit/draw".to_vec();
		data.extend_from_slice(seed);
		data.extend_from_slice(&job_id.to_le_bytes());
		let hash = sp_io::hashing::blake2_256(&data);
		let sample = u32::from_le_bytes([hash[0], hash[1], hash[2], hash[3]]);
		// `sample / 2^32` below the rate: P = parts / 10^9, exactly up to rounding.
		(u64::from(sample) * 1_000_000_000u64) >> 32 < u64::from(rate.deconstruct())
	}

	/// Draws over the receipts accepted in the previous block and opens the audits.
	/// Returns the weight used.
	pub(crate) fn draw(now: BlockNumberFor<T>) -> Weight {
		let rate = AuditRate::<T>::get();
		let threshold = AlwaysAuditUnits::<T>::get();
		if rate.is_zero() && threshold == 0 {
			return T::DbWeight::get().reads(2);
		}
		let accepted_at = now.saturating_sub(1u32.into());
		if accepted_at.is_zero() {
			return T::DbWeight::get().reads(2);
		}
		let seed = frame_system::Pallet::<T>::parent_hash();
		let final_at = accepted_at.saturating_add(T::Receipts::challenge_window());
		let scheduled = T::Receipts::scheduled_at(final_at);
		let (mut receipts, providers) = (0u32, scheduled.len() as u32);
		let mut opened = 0u32;
		for (_, jobs) in scheduled {
			for job_id in jobs {
				receipts = receipts.saturating_add(1);
				let selected = Self::drawn(seed.as_ref(), job_id, rate)
					|| (threshold > 0
						&& T::Receipts::subject(job_id)
							.is_some_and(|subject| subject.units >= threshold));
				if selected {
					opened = opened.saturating_add(1);
					// A receipt that cannot be held (its job ended meanwhile) is not
					// audited; the schedule full means no mint (see `open`).
					let _ = Self::open(job_id, None, now);
				}
			}
		}
		T::WeightInfo::draw(receipts, providers).saturating_add(
			T::WeightInfo::open_audit(T::MaxAuditorsPerModel::get()).saturating_mul(opened.into()),
		)
	}

	/// Opens an audit of `job_id`'s receipt, holding it back from finalization. With no
	/// auditor to take it, it ends `NoAuditors` at once (no mint, client refunded).
	pub(crate) fn open(
		job_id: JobId,
		challenge: Option<Challenge<T::AccountId, BalanceOf<T>>>,
		now: BlockNumberFor<T>,
	) -> DispatchResult {
		let subject: AuditSubject<_, _, _> = T::Receipts::hold(job_id)?;
		let mut excluded = alloc::vec![&subject.provider, &subject.client];
		if let Some(challenge) = &challenge {
			excluded.push(&challenge.challenger);
		}
		let panel = Self::select_auditors(subject.model_id, &excluded, 1);
		let commit_until = now.saturating_add(T::CommitPeriod::get());
		let challenged = challenge.is_some();
		let mut audit = Audit::<T> {
			provider: subject.provider.clone(),
			client: subject.client,
			model_id: subject.model_id,
			receipt_hash: subject.receipt_hash,
			units: subject.units,
			amount: subject.amount,
			challenge,
			votes: BoundedVec::truncate_from(
				panel
					.iter()
					.map(|auditor| AuditorVote {
						auditor: auditor.clone(),
						escalation: false,
						commitment: None,
						verdict: None,
					})
					.collect::<alloc::vec::Vec<_>>(),
			),
			escalated: false,
			phase: AuditPhase::Commit,
			phase_ends: commit_until,
			opened_at: now,
			outcome: None,
		};
		Self::deposit_event(Event::AuditOpened {
			job_id,
			provider: subject.provider,
			auditors: panel.clone(),
			commit_until,
			challenged,
		});
		if panel.is_empty() {
			Self::resolve(job_id, audit, AuditOutcome::NoAuditors);
			return Ok(());
		}
		if Self::schedule(job_id, &mut audit, commit_until).is_err() {
			// Nowhere to put its deadline: it cannot be audited, so it cannot mint.
			Self::resolve(job_id, audit, AuditOutcome::Inconclusive);
			return Ok(());
		}
		Audits::<T>::insert(job_id, audit);
		Ok(())
	}

	/// Puts the audit's phase end in the deadline schedule at `at`, or the first of the
	/// next blocks with room; records where in `phase_ends`.
	pub(crate) fn schedule(
		job_id: JobId,
		audit: &mut Audit<T>,
		at: BlockNumberFor<T>,
	) -> DispatchResult {
		let mut block = at;
		for _ in 0..16 {
			let mut due = AuditDeadlines::<T>::get(block);
			if due.try_push(job_id).is_ok() {
				AuditDeadlines::<T>::insert(block, due);
				audit.phase_ends = block;
				return Ok(());
			}
			block = block.saturating_add(1u32.into());
		}
		Err(Error::<T>::ScheduleFull.into())
	}

	/// Moves the audit to its reveal phase (every committed vote may now be revealed).
	pub(crate) fn open_reveal(
		job_id: JobId,
		audit: &mut Audit<T>,
		now: BlockNumberFor<T>,
	) -> DispatchResult {
		let reveal_until = now.saturating_add(T::RevealPeriod::get());
		Self::unschedule(job_id, audit.phase_ends);
		audit.phase = AuditPhase::Reveal;
		Self::schedule(job_id, audit, reveal_until)?;
		Self::deposit_event(Event::RevealOpened { job_id, reveal_until: audit.phase_ends });
		Ok(())
	}

	/// Removes `job_id` from the deadline schedule at `at`.
	pub(crate) fn unschedule(job_id: JobId, at: BlockNumberFor<T>) {
		AuditDeadlines::<T>::mutate_exists(at, |due| {
			if let Some(list) = due {
				list.retain(|id| *id != job_id);
				if list.is_empty() {
					*due = None;
				}
			}
		});
	}

	/// The phase of `job_id`'s audit ended at `now` (its deadline entry was taken).
	pub(crate) fn advance(job_id: JobId, now: BlockNumberFor<T>) {
		let Some(mut audit) = Audits::<T>::get(job_id) else { return };
		if audit.outcome.is_some() || audit.phase_ends != now {
			return;
		}
		match audit.phase {
			AuditPhase::Commit if audit.current_round().any(|v| v.commitment.is_some()) => {
				audit.phase = AuditPhase::Reveal;
				let reveal_until = now.saturating_add(T::RevealPeriod::get());
				match Self::schedule(job_id, &mut audit, reveal_until) {
					Ok(()) => {
						Self::deposit_event(Event::RevealOpened {
							job_id,
							reveal_until: audit.phase_ends,
						});
						Audits::<T>::insert(job_id, audit);
					},
					Err(_) => Self::resolve(job_id, audit, AuditOutcome::Inconclusive),
				}
			},
			// Nobody committed, or the reveal period is over: the round ends with the
			// verdicts it has.
			_ => Self::end_round(job_id, audit, now),
		}
	}
}
