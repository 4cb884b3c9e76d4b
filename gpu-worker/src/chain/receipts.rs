//! Receipt submission. Receipts go to the chain as authorized general transactions
//! (`Receipts.submit_receipts_authorized`): the worker signature authorizes them, so they need no
//! account nonce and pay no fee. Receipts that finish while an earlier submission is still in
//! flight wait for it and then go together in one batch, up to the chain's `MaxReceiptBatch`: a
//! batch shares the per-transaction costs on chain, so a busy provider receipts more jobs per
//! block. A batch is all or nothing; when the chain refuses one, each of its receipts is sent
//! again alone, so that one bad receipt does not hold back the others.

use std::future::Future;

use aitbc_client::{Client, ClientError};
use aitbc_primitives::Receipt;
use subxt::utils::AccountId32;
use tokio::sync::{mpsc, oneshot};

/// A receipt and its worker signature.
type SignedReceipt = (Receipt<AccountId32>, [u8; 64]);

/// Where batches go: the chain (a [`Client`]), or a stand-in in tests.
pub trait Submit: Clone + Send + Sync + 'static {
	/// The most receipts one batch may hold.
	fn max_batch(&self) -> impl Future<Output = Result<u32, ClientError>> + Send;
	/// Submits `receipts` in one transaction, all or nothing.
	fn submit(
		&self,
		receipts: Vec<SignedReceipt>,
	) -> impl Future<Output = Result<(), ClientError>> + Send;
}

impl Submit for Client {
	async fn max_batch(&self) -> Result<u32, ClientError> {
		self.max_receipt_batch().await
	}

	async fn submit(&self, receipts: Vec<SignedReceipt>) -> Result<(), ClientError> {
		self.submit_receipts_authorized(receipts).await.map(|_| ())
	}
}

/// A receipt waiting to be submitted, and where its outcome goes.
struct Queued<S> {
	to: S,
	receipt: SignedReceipt,
	outcome: oneshot::Sender<Result<(), ClientError>>,
}

/// Submits receipts in batches; cheap to clone.
pub struct ReceiptQueue<S: Submit = Client> {
	queue: mpsc::UnboundedSender<Queued<S>>,
}

impl<S: Submit> Clone for ReceiptQueue<S> {
	fn clone(&self) -> Self {
		Self { queue: self.queue.clone() }
	}
}

impl<S: Submit> ReceiptQueue<S> {
	/// Starts the task that submits queued receipts (it ends when every handle is dropped).
	pub fn start() -> Self {
		let (queue, receiver) = mpsc::unbounded_channel();
		tokio::spawn(run(receiver));
		Self { queue }
	}

	/// Submits `receipt` to `to`, in a batch with whatever else is queued, and returns once the
	/// chain has taken or refused it.
	pub async fn submit(
		&self,
		to: &S,
		receipt: Receipt<AccountId32>,
		signature: [u8; 64],
	) -> Result<(), ClientError> {
		let (outcome, result) = oneshot::channel();
		let stopped = || ClientError::Chain("the receipt queue has stopped".into());
		self.queue
			.send(Queued { to: to.clone(), receipt: (receipt, signature), outcome })
			.map_err(|_| stopped())?;
		result.await.unwrap_or_else(|_| Err(stopped()))
	}
}

async fn run<S: Submit>(mut receiver: mpsc::UnboundedReceiver<Queued<S>>) {
	let mut max_batch = None;
	while let Some(first) = receiver.recv().await {
		let limit = match max_batch {
			Some(limit) => limit,
			None => match first.to.max_batch().await {
				Ok(limit) => *max_batch.insert(limit.max(1) as usize),
				Err(e) => {
					tracing::warn!(error = %e, "cannot read MaxReceiptBatch; sending one receipt per transaction");
					1
				},
			},
		};
		let mut batch = vec![first];
		while batch.len() < limit {
			match receiver.try_recv() {
				Ok(queued) => batch.push(queued),
				Err(_) => break,
			}
		}
		submit_batch(batch).await;
	}
}

async fn submit_batch<S: Submit>(batch: Vec<Queued<S>>) {
	let to = batch[0].to.clone();
	let receipts = batch.iter().map(|queued| queued.receipt.clone()).collect();
	if batch.len() > 1 {
		tracing::info!(receipts = batch.len(), "submitting a batch of receipts");
	}
	match to.submit(receipts).await {
		Ok(()) => {
			for queued in batch {
				let _ = queued.outcome.send(Ok(()));
			}
		},
		Err(ClientError::Refused(reason)) if batch.len() > 1 => {
			tracing::warn!(%reason, receipts = batch.len(), "batch refused; sending its receipts one by one");
			for queued in batch {
				let alone = to.submit(vec![queued.receipt]).await;
				let _ = queued.outcome.send(alone);
			}
		},
		Err(error) => {
			for queued in batch {
				let _ = queued.outcome.send(Err(error.clone()));
			}
		},
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use std::sync::{Arc, Mutex};

	/// Records each batch (as job ids), holds the first one until released, and refuses any
	/// batch that holds job 13.
	#[derive(Clone)]
	struct Recorder {
		batches: Arc<Mutex<Vec<Vec<u64>>>>,
		release: Arc<tokio::sync::Semaphore>,
		max_batch: u32,
	}

	impl Submit for Recorder {
		async fn max_batch(&self) -> Result<u32, ClientError> {
			Ok(self.max_batch)
		}

		async fn submit(&self, receipts: Vec<SignedReceipt>) -> Result<(), ClientError> {
			let jobs: Vec<u64> = receipts.iter().map(|(receipt, _)| receipt.job_id).collect();
			self.batches.lock().unwrap().push(jobs.clone());
			self.release.acquire().await.unwrap().forget();
			if jobs.contains(&13) {
				return Err(ClientError::Refused("Receipts::WrongUnits".into()));
			}
			Ok(())
		}
	}

	fn receipt(job_id: u64) -> Receipt<AccountId32> {
		Receipt {
			job_id,
			provider: AccountId32([1; 32]),
			worker_key: aitbc_primitives::WorkerKey::Sr25519([2; 32]),
			client: AccountId32([3; 32]),
			model_id: 0,
			units: 5_000,
			gpu_ms: 1,
			prompt_hash: [0; 32],
			params_hash: [0; 32],
			artifact_sha256: [0; 32],
			started_at: 0,
			finished_at: 1,
			nonce: job_id,
			genesis_hash: [0; 32],
			execution: aitbc_primitives::ExecutionInfo {
				execution_provider: Default::default(),
				device: Default::default(),
				runtime_version: Default::default(),
			},
		}
	}

	#[tokio::test]
	async fn receipts_that_wait_go_together_and_a_refused_batch_is_retried_one_by_one() {
		let recorder = Recorder {
			batches: Arc::default(),
			release: Arc::new(tokio::sync::Semaphore::new(0)),
			max_batch: 3,
		};
		let queue = ReceiptQueue::<Recorder>::start();
		let send = |job_id| {
			let (queue, to) = (queue.clone(), recorder.clone());
			tokio::spawn(async move { queue.submit(&to, receipt(job_id), [0; 64]).await })
		};
		// The first receipt is in flight; five more queue behind it.
		let first = send(1);
		while recorder.batches.lock().unwrap().is_empty() {
			tokio::task::yield_now().await;
		}
		let waiting: Vec<_> = [2, 3, 13, 4, 5].into_iter().map(send).collect();
		// Let them all queue (one thread: spawned tasks run in order).
		tokio::time::sleep(std::time::Duration::from_millis(50)).await;
		assert_eq!(recorder.batches.lock().unwrap().len(), 1, "nothing else is sent meanwhile");
		recorder.release.add_permits(100);
		assert!(first.await.unwrap().is_ok());
		let outcomes: Vec<bool> = futures_outcomes(waiting).await;
		// Job 13 alone is refused; everyone else is accepted.
		assert_eq!(outcomes, vec![true, true, false, true, true]);
		let batches = recorder.batches.lock().unwrap().clone();
		// One alone, then at most three per batch; the batch with job 13 was refused and each
		// of its receipts sent again alone.
		assert_eq!(batches, vec![vec![1], vec![2, 3, 13], vec![2], vec![3], vec![13], vec![4, 5]]);
	}

	async fn futures_outcomes(
		handles: Vec<tokio::task::JoinHandle<Result<(), ClientError>>>,
	) -> Vec<bool> {
		let mut outcomes = Vec::new();
		for handle in handles {
			outcomes.push(handle.await.unwrap().is_ok());
		}
		outcomes
	}
}
