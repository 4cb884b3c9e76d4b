//! Batch jobs: one submission for N images, its shards (one job each) served by any providers,
//! the progress of the whole, and fetching every image checked against its receipt.

use aitbc_primitives::{BatchId, BatchProgress, JobId, JobParams, ModelId};
use subxt::utils::AccountId32;
use subxt_signer::sr25519::Keypair;

use crate::{
	jobs::JobInfo,
	runtime::{self, runtime_types::pallet_aitbc_jobs::batches::Batch},
	Balance, Client, ClientError,
};

/// A stored batch, as the generated interface decodes it.
pub type BatchInfo = Batch;

/// A batch with its shards, as of one block.
pub struct BatchView {
	/// The batch's id.
	pub batch_id: BatchId,
	/// The stored record (count, units, payment, receipts of finalized shards).
	pub batch: BatchInfo,
	/// The runtime's count of its shards by state and who served them.
	pub progress: BatchProgress<AccountId32>,
	/// Each shard: its job id and job.
	pub shards: Vec<(JobId, JobInfo)>,
}

impl BatchView {
	/// Its shards' job ids.
	pub fn shard_ids(&self) -> impl Iterator<Item = JobId> {
		let first = self.batch.first_job;
		(0..u64::from(self.batch.shards)).map(move |i| first + i)
	}
}

impl Client {
	/// Submits a batch of `count` images (seeds `params.seed …`), `images_per_shard` to a
	/// shard, for one `payment`; returns the batch id and its first shard (from
	/// `Jobs.BatchSubmitted`).
	#[allow(clippy::too_many_arguments)]
	pub async fn submit_batch(
		&self,
		signer: &Keypair,
		model_id: ModelId,
		prompt: &str,
		params: JobParams,
		count: u32,
		images_per_shard: u32,
		max_price_per_unit: Balance,
		payment: Balance,
		deadline_blocks: u32,
	) -> Result<(BatchId, JobId), ClientError> {
		use runtime::runtime_types::bounded_collections::bounded_vec::BoundedVec;
		let call = runtime::transactions().jobs().submit_batch(
			model_id,
			BoundedVec(prompt.as_bytes().to_vec()),
			subxt::utils::Static(params),
			count,
			images_per_shard,
			max_price_per_unit,
			payment,
			deadline_blocks,
		);
		let event: runtime::jobs::events::BatchSubmitted =
			self.submit_for_event(&call, signer).await?;
		Ok((event.batch_id, event.first_job))
	}

	/// The shortest deadline a job may ask, in blocks (`Jobs::MinDeadline`); a shard of a
	/// batch needs it once per image.
	pub async fn min_deadline(&self) -> Result<u32, ClientError> {
		let at = self.api().at_current_block().await.map_err(ClientError::chain)?;
		at.constants().entry(runtime::constants().jobs().min_deadline()).map_err(ClientError::chain)
	}

	/// Cancels the pending shards of a batch; returns how many were cancelled.
	pub async fn cancel_batch(
		&self,
		signer: &Keypair,
		batch_id: BatchId,
	) -> Result<u32, ClientError> {
		let call = runtime::transactions().jobs().cancel_batch(batch_id);
		let event: runtime::jobs::events::BatchCancelled =
			self.submit_for_event(&call, signer).await?;
		Ok(event.cancelled)
	}

	/// The batch, its progress and its shards, at the finalized block.
	pub async fn batch(&self, batch_id: BatchId) -> Result<BatchView, ClientError> {
		let at = self.api().at_current_block().await.map_err(ClientError::chain)?;
		let entry =
			at.storage().entry(runtime::storage().jobs().batches()).map_err(ClientError::chain)?;
		let batch: BatchInfo =
			match entry.try_fetch((batch_id,)).await.map_err(ClientError::chain)? {
				Some(value) => value.decode().map_err(ClientError::chain)?,
				None => return Err(ClientError::BatchNotFound(batch_id)),
			};
		let progress = at
			.runtime_apis()
			.call(runtime::runtime_apis().compute_api().batch_progress(batch_id))
			.await
			.map_err(ClientError::chain)?
			.ok_or(ClientError::BatchNotFound(batch_id))?
			.0;
		let mut shards = Vec::with_capacity(batch.shards as usize);
		for job_id in batch.first_job..batch.first_job + u64::from(batch.shards) {
			let job = Self::job_at(&at, job_id).await?.ok_or(ClientError::JobNotFound(job_id))?;
			shards.push((job_id, job));
		}
		Ok(BatchView { batch_id, batch, progress, shards })
	}
}
