//! Claiming: which pending jobs a worker takes (those the hub reserved for its provider first,
//! then any reserved for nobody for a while), and the journalled claim itself.

use std::{collections::HashSet, sync::Arc, time::Instant};

use aitbc_client::{Client, ClientError, JobInfo};
use aitbc_primitives::JobId;

use super::{
	journal::{JobRecord, Stage},
	request_of, FollowError, Worker,
};

/// Pending jobs whose reservation a worker reads per block: the hub reserves at most a few
/// dozen jobs per block, so a provider's own are near the front of the queue.
const PENDING_LOOKED_AT: usize = 256;
/// Blocks a job may stay reserved for nobody before a worker claims it without the hub (more
/// than the acceptance window, so a lapsed reservation is given to the next provider first).
const UNRESERVED_GRACE_BLOCKS: u64 = 8;

impl Worker {
	/// Why this worker cannot take `job`, if it cannot (the runtime makes the binding check).
	fn cannot_serve(&self, job: &JobInfo) -> Option<String> {
		let served = self.served.lock().ok()?.get(&job.model_id).cloned();
		let Some(served) = served else {
			return Some(format!("model {} not served", job.model_id));
		};
		if job.max_price_per_unit < self.config.price() {
			return Some("the job's price limit is below this offer's price".into());
		}
		if job.params.0.pixels() > u64::from(self.config.max_pixels) {
			return Some("the job's image is larger than this offer's max_pixels".into());
		}
		let request = match request_of(job) {
			Ok(request) => request,
			Err(e) => return Some(e),
		};
		served.limits.check(&request).err().map(|(message, _)| message)
	}

	/// Claims pending jobs of the best block `at` (number `block`) while capacity is free.
	pub(super) async fn claim_pending(
		self: Arc<Self>,
		client: &Client,
		at: &subxt::client::ClientAtBlock<
			aitbc_client::Config,
			impl subxt::client::OnlineClientAtBlockT<aitbc_client::Config>,
		>,
		block: u64,
	) -> Result<(), FollowError> {
		let free = (self.config.capacity as usize)
			.saturating_sub(self.in_flight.lock().map(|s| s.len()).unwrap_or(0));
		if free == 0 {
			return Ok(());
		}
		let mut pending = Client::pending_jobs_at(at).await?;
		// Forget skipped jobs that left the queue, so the map stays as small as the queue.
		let queued: HashSet<JobId> = pending.iter().copied().collect();
		if let Ok(mut skip) = self.skip.lock() {
			skip.retain(|job_id, _| queued.contains(job_id));
		}
		// Workers of different providers start at different places in the queue, so that they do
		// not all race for the oldest job (a lost race costs no fee, but it costs a block).
		if !pending.is_empty() {
			let offset = usize::from(self.me.0[0]) % pending.len();
			pending.rotate_left(offset);
		}
		// The hub reserves each job for one provider: claim the jobs reserved for this one
		// first (they hold its slots already), then jobs reserved for nobody; a job reserved
		// for another provider is its to claim (ours would be refused).
		let skipped = |job_id: &JobId| {
			self.skip
				.lock()
				.map(|s| s.get(job_id).is_some_and(|until| *until > block))
				.unwrap_or(false)
		};
		let (mut mine, mut unreserved) = (Vec::new(), Vec::new());
		for job_id in pending.into_iter().filter(|id| !skipped(id)).take(PENDING_LOOKED_AT) {
			match Client::reservation_at(at, job_id).await? {
				Some(holder) if holder == self.me => mine.push(job_id),
				Some(_) => {},
				None => unreserved.push(job_id),
			}
		}
		let mine_count = mine.len();
		let mut started = 0;
		for (at_index, job_id) in mine.into_iter().chain(unreserved).enumerate() {
			if started == free {
				break;
			}
			let Some(job) = Client::job_at(at, job_id).await? else { continue };
			// A job reserved for nobody is normally reserved within a block of being queued;
			// claiming it sooner races the hub, which may meanwhile reserve another job for this
			// provider and fill its capacity (the claim would then fail and cost a fee). Only a
			// job the hub has not placed for a while is claimed directly.
			let reserved_for_me = at_index < mine_count;
			if !reserved_for_me && u64::from(job.queued_at) + UNRESERVED_GRACE_BLOCKS > block {
				continue;
			}
			if let Some(reason) = self.cannot_serve(&job) {
				tracing::info!(job_id, reason = %reason, "not taking job");
				if let Ok(mut skip) = self.skip.lock() {
					skip.insert(job_id, u64::MAX);
				}
				continue;
			}
			if !self.begin(job_id) {
				continue;
			}
			started += 1;
			let worker = self.clone();
			let client = client.clone();
			// Claimed: not again before its deadline has passed (a best block on another fork
			// may still list it as pending); after it, a job still pending is a batch's shard
			// back in the queue, which this worker may take again. Lost the race or refused:
			// look again in a few blocks.
			let retry_after = block + u64::from(job.deadline_blocks) + 1;
			tokio::spawn(async move {
				let claimed = worker.claim_and_run(&client, job_id, job, block).await;
				if let Ok(mut skip) = worker.skip.lock() {
					skip.insert(job_id, if claimed { retry_after } else { block + 3 });
				}
				worker.end(job_id);
			});
		}
		Ok(())
	}

	/// Claims, runs and receipts one job; false if the claim failed.
	async fn claim_and_run(
		&self,
		client: &Client,
		job_id: JobId,
		job: JobInfo,
		block: u64,
	) -> bool {
		if let Err(e) = self.journal.put(&JobRecord { job_id, stage: Stage::Claiming }) {
			tracing::error!(job_id, error = %e, "cannot journal the claim; not claiming");
			return false;
		}
		let claimed_at = Instant::now();
		match client.claim_job(&self.keys.provider, job_id).await {
			Ok(_) => {
				tracing::info!(
					job_id,
					block,
					claim_ms = claimed_at.elapsed().as_millis() as u64,
					"claimed"
				);
			},
			Err(e) => {
				tracing::info!(job_id, error = %e, "claim failed");
				// Only forget the job if the chain confirms it is not ours (a refused claim: the
				// pool found the job no longer pending, and charged nothing).
				if matches!(
					e,
					ClientError::Dispatch(_)
						| ClientError::Module(_)
						| ClientError::Refused(_)
						| ClientError::InsufficientBalance(_)
				) {
					let _ = self.journal.remove(job_id);
				}
				return false;
			},
		}
		self.run_and_submit(client, job_id, job).await;
		true
	}
}
