//! Jobs from the provider's side (pending queue, claims) and following a job until it ends.

use aitbc_primitives::JobId;

use crate::{
	runtime::{
		self,
		runtime_types::pallet_aitbc_jobs::{Job, JobState},
	},
	Client, ClientError, Included,
};

/// A stored job, as the generated interface decodes it.
pub type JobInfo = Job;
/// A job's state, as the generated interface decodes it.
pub type JobStateInfo = JobState<subxt::utils::AccountId32, crate::Balance, u32>;

/// The state's name: `Pending`, `Assigned`, `Receipted`, `Finalized`, `Cancelled`, `Expired`,
/// `Unclaimed` or `Rejected`.
pub fn state_name(state: &JobStateInfo) -> &'static str {
	match state {
		JobState::Pending => "Pending",
		JobState::Assigned { .. } => "Assigned",
		JobState::Receipted { .. } => "Receipted",
		JobState::Finalized { .. } => "Finalized",
		JobState::Cancelled => "Cancelled",
		JobState::Expired { .. } => "Expired",
		JobState::Unclaimed => "Unclaimed",
		JobState::Rejected { .. } => "Rejected",
	}
}

/// Whether a job in this state can change no more.
pub fn is_final(state: &JobStateInfo) -> bool {
	matches!(
		state,
		JobState::Finalized { .. }
			| JobState::Cancelled
			| JobState::Expired { .. }
			| JobState::Unclaimed
			| JobState::Rejected { .. }
	)
}

/// Names a claim the pool refused as stale: the node reports it as `Custom error: N` (the RPC
/// error) or `Invalid transaction with custom error: N` (the transaction's status), with N an
/// [`aitbc_primitives::StaleClaim`] code. Any other error is returned unchanged.
fn stale_claim(job_id: JobId, error: ClientError) -> ClientError {
	match crate::custom_error_code(&error).and_then(aitbc_primitives::StaleClaim::from_code) {
		Some(stale) => ClientError::Refused(format!(
			"{} (job {job_id} is {})",
			stale.error_name(),
			match stale {
				aitbc_primitives::StaleClaim::UnknownJob => "unknown",
				aitbc_primitives::StaleClaim::NotPending =>
					"no longer pending: another provider claimed it, or it was cancelled",
				aitbc_primitives::StaleClaim::ReservedForAnother =>
					"reserved by the hub for another provider until its acceptance window closes",
			}
		)),
		None => error,
	}
}

impl Client {
	/// Jobs waiting for a provider as of the block `at`, oldest first (workers read it at best
	/// blocks).
	pub async fn pending_jobs_at(
		at: &subxt::client::ClientAtBlock<
			crate::Config,
			impl subxt::client::OnlineClientAtBlockT<crate::Config>,
		>,
	) -> Result<Vec<JobId>, ClientError> {
		let entry = at
			.storage()
			.entry(runtime::storage().jobs().pending_jobs())
			.map_err(ClientError::chain)?;
		Ok(entry
			.fetch(())
			.await
			.map_err(ClientError::chain)?
			.decode()
			.map_err(ClientError::chain)?
			.0)
	}

	/// The provider the hub reserved the pending `job_id` for as of the block `at`, if any:
	/// only it may claim the job until the reservation lapses.
	pub async fn reservation_at(
		at: &subxt::client::ClientAtBlock<
			crate::Config,
			impl subxt::client::OnlineClientAtBlockT<crate::Config>,
		>,
		job_id: JobId,
	) -> Result<Option<subxt::utils::AccountId32>, ClientError> {
		let entry = at
			.storage()
			.entry(runtime::storage().jobs().reservations())
			.map_err(ClientError::chain)?;
		match entry.try_fetch((job_id,)).await.map_err(ClientError::chain)? {
			Some(value) => value
				.decode()
				.map(|reservation| Some(reservation.provider))
				.map_err(ClientError::chain),
			None => Ok(None),
		}
	}

	/// Claims a pending job for the signer's offer (feeless when the claim is valid). A claim on
	/// a job that is no longer pending is refused by the transaction pool
	/// ([`ClientError::Refused`], naming `Jobs::NotPending` or `Jobs::UnknownJob`) and costs
	/// nothing.
	pub async fn claim_job(
		&self,
		provider: &subxt_signer::sr25519::Keypair,
		job_id: JobId,
	) -> Result<Included, ClientError> {
		self.submit(&runtime::transactions().jobs().claim_job(job_id), provider)
			.await
			.map_err(|e| stale_claim(job_id, e))
	}

	/// Follows `job_id` block by block (finalized) and calls `on_change(block, job)` whenever its
	/// state changes, until it is final; returns the final job.
	pub async fn follow_job(
		&self,
		job_id: JobId,
		mut on_change: impl FnMut(u64, &JobInfo),
	) -> Result<JobInfo, ClientError> {
		let mut blocks = self.api().stream_blocks().await.map_err(ClientError::chain)?;
		let mut last: Option<JobStateInfo> = None;
		let mut check = |number: u64, job: JobInfo| -> Option<JobInfo> {
			if last.as_ref() != Some(&job.state) {
				on_change(number, &job);
				last = Some(job.state.clone());
			}
			is_final(&job.state).then_some(job)
		};
		// The state now, then every new finalized block.
		let at = self.api().at_current_block().await.map_err(ClientError::chain)?;
		let job = Self::job_at(&at, job_id).await?.ok_or(ClientError::JobNotFound(job_id))?;
		if let Some(done) = check(at.block_number(), job) {
			return Ok(done);
		}
		while let Some(block) = blocks.next().await {
			let block = block.map_err(ClientError::chain)?;
			let at = block.at().await.map_err(ClientError::chain)?;
			// The subscription may start with finalized blocks older than the one the job was
			// found in; jobs are never removed, so a block without it is one of those.
			let Some(job) = Self::job_at(&at, job_id).await? else { continue };
			if let Some(done) = check(block.number(), job) {
				return Ok(done);
			}
		}
		Err(ClientError::Chain("the node closed the block subscription".into()))
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn pool_refusals_of_claims_are_named_and_others_pass_through() {
		let refused = stale_claim(
			4,
			ClientError::Chain(
				"Rpc error: RPC error: User error: Invalid Transaction (1010): Custom error: 2"
					.into(),
			),
		);
		assert!(
			matches!(&refused, ClientError::Refused(m) if m.contains("Jobs::NotPending") && m.contains("job 4")),
			"{refused}"
		);
		let watched = stale_claim(
			4,
			ClientError::Chain(
				"the transaction was not included: Invalid transaction with custom error: 2".into(),
			),
		);
		assert!(
			matches!(&watched, ClientError::Refused(m) if m.contains("Jobs::NotPending")),
			"{watched}"
		);
		let unknown =
			stale_claim(9, ClientError::Chain("Invalid Transaction: Custom error: 1".into()));
		assert!(unknown.to_string().contains("Jobs::UnknownJob"), "{unknown}");
		let other =
			stale_claim(4, ClientError::Chain("Invalid Transaction: Custom error: 77".into()));
		assert!(matches!(other, ClientError::Chain(_)));
		let dispatch = stale_claim(4, ClientError::Dispatch("Marketplace::NotApproved".into()));
		assert!(matches!(dispatch, ClientError::Dispatch(_)));
	}
}
