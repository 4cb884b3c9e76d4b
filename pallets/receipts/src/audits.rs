//! The receipts pallet's side of audits: which receipts an audit holds back from
//! finalization, and what the audits pallet may do with a receipted job (hold it, release it
//! to mint, reject it).

use super::*;

/// Whether the audits pallet holds a receipt back from finalization (for `try_state`: a held
/// receipt is not in the finalization schedule). `()`: no audits.
pub trait AuditHolds {
	/// `true` while the receipt of `job_id` waits for its audit.
	fn holds(job_id: JobId) -> bool;
}

impl AuditHolds for () {
	fn holds(_: JobId) -> bool {
		false
	}
}

/// A receipted job as an audit needs it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct AuditSubject<AccountId, Balance, BlockNumber> {
	/// The provider that receipted it.
	pub provider: AccountId,
	/// The job's client.
	pub client: AccountId,
	/// The job's model.
	pub model_id: aitbc_primitives::ModelId,
	/// The receipt's hash.
	pub receipt_hash: Hash32,
	/// The job's on-chain cost in milli-units.
	pub units: aitbc_primitives::Units,
	/// What the receipt mints when final.
	pub amount: Balance,
	/// When its challenge window closes.
	pub final_at: BlockNumber,
}

/// What the audits pallet does with receipts, implemented by this pallet.
pub trait AuditedReceipts<AccountId, Balance, BlockNumber> {
	/// The jobs whose receipts become final at `final_at`, by provider: the receipts accepted
	/// in block `final_at - ChallengeWindow`.
	fn scheduled_at(final_at: BlockNumber) -> alloc::vec::Vec<(AccountId, alloc::vec::Vec<JobId>)>;
	/// The job's receipt, if it is receipted and not yet final.
	fn subject(job_id: JobId) -> Option<AuditSubject<AccountId, Balance, BlockNumber>>;
	/// Takes the receipt of `job_id` out of the finalization schedule: it waits for its audit.
	fn hold(job_id: JobId) -> Result<AuditSubject<AccountId, Balance, BlockNumber>, DispatchError>;
	/// The audit passed: mint for the receipt and finalize its job now. Returns the minted
	/// amount.
	fn release(job_id: JobId) -> Result<Balance, DispatchError>;
	/// The audit rejected the receipt: it mints nothing, the job ends `Rejected` and its
	/// client is refunded. Returns the refund.
	fn reject(job_id: JobId, convicted: bool) -> Result<Balance, DispatchError>;
	/// Blocks between a receipt's acceptance and its finalization.
	fn challenge_window() -> BlockNumber;
}

impl<T: Config> AuditedReceipts<T::AccountId, BalanceOf<T>, BlockNumberFor<T>> for Pallet<T> {
	fn scheduled_at(
		final_at: BlockNumberFor<T>,
	) -> alloc::vec::Vec<(T::AccountId, alloc::vec::Vec<JobId>)> {
		FinalizeAt::<T>::iter_prefix(final_at).map(|(who, jobs)| (who, jobs.into_inner())).collect()
	}

	fn subject(
		job_id: JobId,
	) -> Option<AuditSubject<T::AccountId, BalanceOf<T>, BlockNumberFor<T>>> {
		let record = T::Jobs::receipt_record(job_id)?;
		if record.minted.is_some() || record.rejected {
			return None;
		}
		let stored = Receipts::<T>::get(&record.provider, record.receipt_hash)?;
		let job = T::Jobs::receipted(job_id)?;
		let amount = Self::mint_amount(job.units, job.price_per_unit).ok()?;
		Some(AuditSubject {
			provider: record.provider,
			client: stored.receipt.client,
			model_id: stored.receipt.model_id,
			receipt_hash: record.receipt_hash,
			units: job.units,
			amount,
			final_at: stored.final_at,
		})
	}

	fn hold(
		job_id: JobId,
	) -> Result<AuditSubject<T::AccountId, BalanceOf<T>, BlockNumberFor<T>>, DispatchError> {
		let subject = Self::subject(job_id).ok_or(Error::<T>::JobNotAssigned)?;
		let (at, provider) = (subject.final_at, &subject.provider);
		let mut due = FinalizeAt::<T>::get(at, provider);
		let before = due.len();
		due.retain(|id| *id != job_id);
		ensure!(due.len() < before, Error::<T>::JobNotAssigned);
		let mut load = FinalizeLoad::<T>::get(at);
		load.receipts = load.receipts.saturating_sub(1);
		if due.is_empty() {
			FinalizeAt::<T>::remove(at, provider);
			load.providers = load.providers.saturating_sub(1);
		} else {
			FinalizeAt::<T>::insert(at, provider, due);
		}
		if load.receipts == 0 {
			FinalizeLoad::<T>::remove(at);
		} else {
			FinalizeLoad::<T>::insert(at, load);
		}
		Ok(subject)
	}

	fn release(job_id: JobId) -> Result<BalanceOf<T>, DispatchError> {
		let record = T::Jobs::receipt_record(job_id).ok_or(Error::<T>::JobNotAssigned)?;
		let amount = Self::amount_for(&record.provider, job_id)?;
		let mut due = [(job_id, amount)];
		frame_support::storage::with_storage_layer(|| {
			Self::mint_and_finalize(&record.provider, &mut due)
		})?;
		Ok(due[0].1)
	}

	fn reject(job_id: JobId, convicted: bool) -> Result<BalanceOf<T>, DispatchError> {
		T::Jobs::reject(job_id, convicted)
	}

	fn challenge_window() -> BlockNumberFor<T> {
		T::ChallengeWindow::get()
	}
}
