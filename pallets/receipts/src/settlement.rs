//! Finalization: what a final receipt mints, the provider's settlement (one mint and one
//! payout for all its receipts of a block), and the invariants of the issuance ledger.

use super::*;

impl<T: Config> Pallet<T> {
	/// The amount minted for `units` milli-units at `price_per_unit`, capped by governance.
	pub fn mint_amount(
		units: u64,
		price_per_unit: BalanceOf<T>,
	) -> Result<BalanceOf<T>, DispatchError> {
		let price = price_per_unit.min(MaxPricePerUnit::<T>::get());
		let units: BalanceOf<T> = units.try_into().map_err(|_| Error::<T>::MintOverflow)?;
		let per_unit: BalanceOf<T> =
			MILLI_UNITS_PER_UNIT.try_into().map_err(|_| Error::<T>::MintOverflow)?;
		Ok(units.checked_mul(&price).ok_or(Error::<T>::MintOverflow)? / per_unit)
	}

	/// Finalizes the receipts of `provider` whose challenge window closed: mints for all of
	/// them at once and has the jobs pallet finalize the jobs and pay the provider their
	/// payments in one transfer. A receipt that cannot be minted for is left out with a
	/// `FinalizationFailed` event; if the provider's settlement itself fails, none of its
	/// receipts is finalized and each gets that event.
	pub(crate) fn settle(provider: T::AccountId, jobs: BoundedVec<JobId, T::MaxReceiptsPerBlock>) {
		let mut due = alloc::vec::Vec::with_capacity(jobs.len());
		for job_id in jobs {
			match Self::amount_for(&provider, job_id) {
				Ok(amount) => due.push((job_id, amount)),
				Err(error) => Self::deposit_event(Event::FinalizationFailed { job_id, error }),
			}
		}
		let settled = frame_support::storage::with_storage_layer(|| {
			Self::mint_and_finalize(&provider, &mut due)
		});
		// On success each job's `JobFinalized` (jobs pallet) says what was minted for it.
		if let Err(error) = settled {
			for (job_id, _) in due {
				Self::deposit_event(Event::FinalizationFailed { job_id, error });
			}
		}
	}

	/// What the receipt of `job_id`, receipted by `provider`, mints.
	pub(crate) fn amount_for(
		provider: &T::AccountId,
		job_id: JobId,
	) -> Result<BalanceOf<T>, DispatchError> {
		let job = T::Jobs::receipted(job_id).ok_or(Error::<T>::JobNotAssigned)?;
		ensure!(&job.provider == provider, Error::<T>::NotAssignedProvider);
		Self::mint_amount(job.units, job.price_per_unit)
	}

	/// Mints the sum of `due`'s amounts to `provider` and finalizes the jobs. An amount the
	/// provider's account cannot take (below the existential deposit of an account that
	/// does not exist) is not minted: `due` then records zero for each job.
	pub(crate) fn mint_and_finalize(
		provider: &T::AccountId,
		due: &mut [(JobId, BalanceOf<T>)],
	) -> DispatchResult {
		let total = due.iter().try_fold(BalanceOf::<T>::zero(), |total, (_, amount)| {
			total.checked_add(amount).ok_or(Error::<T>::MintOverflow)
		})?;
		if !total.is_zero() {
			match T::Currency::mint_into(provider, total) {
				Ok(_) => {},
				Err(e) if e == TokenError::BelowMinimum.into() => {
					due.iter_mut().for_each(|(_, amount)| *amount = Zero::zero());
				},
				Err(e) => return Err(e),
			}
		}
		let minted =
			due.iter().fold(BalanceOf::<T>::zero(), |sum, (_, amount)| sum.saturating_add(*amount));
		TotalMinted::<T>::mutate(|total| *total = total.saturating_add(minted));
		T::Jobs::finalize(provider, due)
	}

	/// The receipt of `job_id`, if one was accepted: the job's state records the provider
	/// and hash it is stored under.
	pub fn receipt_of(job_id: JobId) -> Option<StoredReceiptOf<T>> {
		let record = T::Jobs::receipt_record(job_id)?;
		Receipts::<T>::get(record.provider, record.receipt_hash)
	}

	/// Invariants: every receipt is stored under its own provider and hash, and its job
	/// records exactly it; no job has two receipts; every pending receipt is scheduled under
	/// its provider; each block's finalization load counts its scheduled receipts and
	/// providers; the sum minted over final receipts equals `TotalMinted`.
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		// The issuance ledger: receipts are the only source of AIT; fees, dust and slashes
		// the only sinks.
		ensure!(
			T::Currency::total_issuance()
				.saturating_add(TotalBurned::<T>::get())
				.saturating_add(T::BurnedElsewhere::get())
				== GenesisIssuance::<T>::get()
					.saturating_add(TotalMinted::<T>::get())
					.saturating_add(T::MintedElsewhere::get()),
			"total issuance differs from genesis + minted - burned - slashed"
		);
		let mut minted = BalanceOf::<T>::zero();
		let mut receipted = alloc::collections::BTreeSet::new();
		for (provider, receipt_hash, stored) in Receipts::<T>::iter() {
			let job_id = stored.receipt.job_id;
			ensure!(receipted.insert(job_id), "two stored receipts for one job");
			ensure!(
				stored.receipt.provider == provider && stored.receipt.hash() == receipt_hash,
				"receipt stored under another provider or hash"
			);
			let record = T::Jobs::receipt_record(job_id)
				.ok_or("a stored receipt's job is neither receipted nor finalized")?;
			ensure!(
				record.provider == provider && record.receipt_hash == receipt_hash,
				"a stored receipt's job records another receipt"
			);
			match record.minted {
				Some(amount) => minted = minted.saturating_add(amount),
				None if record.rejected => {},
				None => ensure!(
					T::Audits::holds(job_id)
						!= FinalizeAt::<T>::get(stored.final_at, &provider).contains(&job_id),
					"a pending receipt is neither scheduled for finalization under its \
					 provider nor held by its audit (or it is both)"
				),
			}
		}
		ensure!(minted == TotalMinted::<T>::get(), "TotalMinted differs from the receipts' mints");
		let mut loads = alloc::collections::BTreeMap::<BlockNumberFor<T>, FinalizationLoad>::new();
		for (at, _provider, jobs) in FinalizeAt::<T>::iter() {
			ensure!(!jobs.is_empty(), "an empty finalization entry");
			let load = loads.entry(at).or_default();
			load.receipts = load.receipts.saturating_add(jobs.len() as u32);
			load.providers = load.providers.saturating_add(1);
		}
		ensure!(
			FinalizeLoad::<T>::iter().count() == loads.len()
				&& loads.iter().all(|(at, load)| FinalizeLoad::<T>::get(at) == *load),
			"a block's finalization load differs from its scheduled receipts"
		);
		Ok(())
	}
}
