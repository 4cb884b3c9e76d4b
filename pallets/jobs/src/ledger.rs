//! [`JobLedger`]: the job side of receipts, finalization and audits, for the receipts and
//! audits pallets.

use super::*;

impl<T: Config> JobLedger<T::AccountId, BalanceOf<T>> for Pallet<T> {
	fn assigned(job_id: JobId) -> Option<AssignedJob<T::AccountId, BalanceOf<T>>> {
		let job = Jobs::<T>::get(job_id)?;
		let JobState::Assigned { provider, price_per_unit, .. } = job.state else { return None };
		Some(AssignedJob {
			client: job.client,
			provider,
			model_id: job.model_id,
			units: job.units,
			price_per_unit,
			prompt_hash: aitbc_primitives::prompt_hash(&job.prompt),
			params_hash: job.params.hash(),
		})
	}

	fn receipted(job_id: JobId) -> Option<ReceiptedJob<T::AccountId, BalanceOf<T>>> {
		let job = Jobs::<T>::get(job_id)?;
		match job.state {
			JobState::Receipted { provider, price_per_unit, .. } => {
				Some(ReceiptedJob { provider, units: job.units, price_per_unit })
			},
			_ => None,
		}
	}

	fn receipt_record(job_id: JobId) -> Option<ReceiptRecord<T::AccountId, BalanceOf<T>>> {
		match Jobs::<T>::get(job_id)?.state {
			JobState::Receipted { provider, receipt_hash, .. } => {
				Some(ReceiptRecord { provider, receipt_hash, minted: None, rejected: false })
			},
			JobState::Finalized { provider, receipt_hash, minted } => Some(ReceiptRecord {
				provider,
				receipt_hash,
				minted: Some(minted),
				rejected: false,
			}),
			JobState::Rejected { provider, receipt_hash, .. } => {
				Some(ReceiptRecord { provider, receipt_hash, minted: None, rejected: true })
			},
			_ => None,
		}
	}

	fn mark_receipted(job_id: JobId, receipt_hash: Hash32, gpu_ms: u64) -> DispatchResult {
		Jobs::<T>::try_mutate(job_id, |job| {
			let job = job.as_mut().ok_or(Error::<T>::UnknownJob)?;
			let JobState::Assigned { provider, price_per_unit, .. } = job.state.clone() else {
				return Err(Error::<T>::NotAssigned.into());
			};
			// The GPU work is done: the provider may take another job during the challenge
			// window.
			T::Providers::job_released(&provider, true)?;
			job.state = JobState::Receipted {
				provider: provider.clone(),
				price_per_unit,
				receipt_hash,
				gpu_ms,
			};
			Self::deposit_event(Event::JobReceipted { job_id, provider, receipt_hash });
			Ok(())
		})
	}

	fn finalize(provider: &T::AccountId, jobs: &[(JobId, BalanceOf<T>)]) -> DispatchResult {
		// All or nothing: called from hooks, where no outer transaction would roll back.
		frame_support::storage::with_storage_layer(|| Self::do_finalize(provider, jobs))
	}

	fn reject(job_id: JobId, convicted: bool) -> Result<BalanceOf<T>, DispatchError> {
		let job = Jobs::<T>::get(job_id).ok_or(Error::<T>::UnknownJob)?;
		let JobState::Receipted { provider, receipt_hash, .. } = job.state.clone() else {
			return Err(Error::<T>::NotReceipted.into());
		};
		if convicted {
			T::Providers::record_outcome(&provider, JobOutcome::FailedCheck);
		}
		let state = JobState::Rejected { provider: provider.clone(), receipt_hash, convicted };
		let refund = Self::end_open(job_id, job, state);
		Self::deposit_event(Event::JobRejected { job_id, provider, refund, convicted });
		Ok(refund)
	}

	fn client_of(job_id: JobId) -> Option<(T::AccountId, ModelId)> {
		let job = Jobs::<T>::get(job_id)?;
		matches!(job.state, JobState::Receipted { .. }).then_some((job.client, job.model_id))
	}
}

impl<T: Config> Pallet<T> {
	fn do_finalize(provider: &T::AccountId, jobs: &[(JobId, BalanceOf<T>)]) -> DispatchResult {
		let mut payments = BalanceOf::<T>::zero();
		for &(job_id, minted) in jobs {
			let mut job = Jobs::<T>::get(job_id).ok_or(Error::<T>::UnknownJob)?;
			let JobState::Receipted { provider: receipted_by, receipt_hash, gpu_ms, .. } =
				job.state.clone()
			else {
				return Err(Error::<T>::NotReceipted.into());
			};
			ensure!(&receipted_by == provider, Error::<T>::NotReceipted);
			// Cannot saturate: every payment is in escrow, so their sum is at most the issuance.
			payments = payments.saturating_add(job.payment);
			// Reputation keeps GPU time per image, so shards of several images and single
			// jobs give one median.
			let per_image = gpu_ms / u64::from(job.images.max(1));
			T::Providers::record_outcome(provider, JobOutcome::Completed { gpu_ms: per_image });
			let served = ShardReceipt {
				job_id,
				provider: provider.clone(),
				receipt_hash,
				units: job.units,
				payment: job.payment,
				minted,
			};
			Self::job_closed(&job, Some(served), Zero::zero());
			let payment = job.payment;
			job.state = JobState::Finalized { provider: provider.clone(), receipt_hash, minted };
			Jobs::<T>::insert(job_id, job);
			Self::deposit_event(Event::JobFinalized {
				job_id,
				provider: provider.clone(),
				payment,
				minted,
			});
		}
		// One transfer for all of the provider's jobs, whatever the number of clients.
		Self::pay_out(provider, payments)
	}
}
