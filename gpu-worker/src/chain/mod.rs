//! Chain mode: `aitbc-worker init | register | start`.
//!
//! `start` follows best blocks, claims the pending jobs the hub reserved for its provider (then
//! any reserved for nobody) that its offer can serve (the same checks the runtime's matching
//! rule makes, plus what the local model allows), runs them on the
//! [`Pipeline`], stores the image in the content-addressed [`ArtifactStore`] served over HTTP,
//! signs the receipt with the worker key and submits it. Every step the chain will see is
//! journalled first ([`journal`]), so after a crash or a restart a job is resumed (the same signed
//! receipt is resubmitted, never a second one) or abandoned once the chain says it is not ours.
//! A lost node connection is retried with backoff; jobs in flight keep their journal entries and
//! are resumed on the new connection. The worker also audits other providers' receipts of the
//! models it serves when the chain picks it ([`audit`]).

mod audit;
mod claims;
pub mod config;
pub mod journal;
mod offer;
mod receipts;

pub use offer::{local_manifests, model_ids_for, register};

use std::{
	collections::{HashMap, HashSet},
	path::Path,
	sync::{
		atomic::{AtomicU64, Ordering},
		Arc, Mutex,
	},
	time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use aitbc_client::{
	account_of, keys::read_key_file, runtime::runtime_types::pallet_aitbc_jobs::JobState, Client,
	ClientError, JobInfo,
};
use aitbc_primitives::{prompt_hash, JobId, ModelId, Receipt, Scheduler, WorkerKey};
use anyhow::{anyhow, bail, Context};
use codec::{Decode, Encode};
use rand::RngCore;
use subxt::utils::AccountId32;
use subxt_signer::sr25519::Keypair;

use crate::{
	artifacts::ArtifactStore,
	onnx::DeviceChoice,
	pipeline::{GenerateRequest, Pipeline, PipelineOptions, RequestLimits},
	scheduler::SchedulerKind,
};
use config::WorkerConfig;
use journal::{JobRecord, Journal, Stage};
use receipts::ReceiptQueue;

/// How long a job read at finalized blocks may lag behind what this worker did in best blocks.
const SETTLE_WAIT: Duration = Duration::from_secs(30);

/// The keys of a worker folder.
pub struct WorkerKeys {
	pub provider: Keypair,
	pub worker: Keypair,
}

impl WorkerKeys {
	pub fn load(config: &WorkerConfig) -> anyhow::Result<Self> {
		Ok(Self {
			provider: read_key_file(&config.provider_key).map_err(|e| anyhow!(e))?,
			worker: read_key_file(&config.worker_key).map_err(|e| anyhow!(e))?,
		})
	}

	/// The worker key as the chain knows it.
	pub fn worker_key(&self) -> WorkerKey {
		WorkerKey::Sr25519(self.worker.public_key().0)
	}
}

/// A loaded model folder.
struct Loaded {
	manifest_sha256: String,
	name: String,
	pipeline: Arc<Mutex<Pipeline>>,
	limits: RequestLimits,
}

/// Shared state of a running worker.
struct Worker {
	config: WorkerConfig,
	keys: WorkerKeys,
	me: AccountId32,
	/// Manifest sha256 (hex) of each loaded model folder.
	models: Vec<Arc<Loaded>>,
	/// The loaded models by on-chain id (resolved on every connection).
	served: Mutex<HashMap<ModelId, Arc<Loaded>>>,
	journal: Journal,
	artifacts: ArtifactStore,
	/// Jobs a task is working on right now.
	in_flight: Mutex<HashSet<JobId>>,
	/// The highest best block number seen, across reconnections.
	newest_block: AtomicU64,
	/// Jobs not to look at again: ones this worker cannot serve, or whose claim just failed (until
	/// the given block).
	skip: Mutex<HashMap<JobId, u64>>,
	/// Submits receipts, batching those that finish close together.
	receipts: ReceiptQueue,
	/// Audits a task is working on right now.
	audits_in_flight: Mutex<HashSet<JobId>>,
	/// Committed verdicts not yet revealed.
	audit_journal: audit::AuditJournal,
}

fn now_ms() -> u64 {
	SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

fn request_of(job: &JobInfo) -> Result<GenerateRequest, String> {
	let prompt = String::from_utf8(job.prompt.0.clone())
		.map_err(|_| "the prompt is not UTF-8".to_string())?;
	let params = job.params.0;
	Ok(GenerateRequest {
		prompt,
		steps: params.steps,
		guidance: params.guidance_milli as f32 / 1000.0,
		width: params.width,
		height: params.height,
		seed: params.seed,
		scheduler: match params.scheduler {
			Scheduler::Ddim => SchedulerKind::Ddim,
			Scheduler::Euler => SchedulerKind::Euler,
		},
	})
}

/// The request of each of the job's images, in order: image `i` has seed `seed + i`.
fn requests_of(job: &JobInfo) -> Result<Vec<GenerateRequest>, String> {
	let first = request_of(job)?;
	(0..job.images.max(1))
		.map(|index| {
			let seed =
				first.seed.checked_add(u64::from(index)).ok_or("the job's seeds overflow")?;
			Ok(GenerateRequest { seed, ..first.clone() })
		})
		.collect()
}

/// Handle on a running `start`.
pub struct Started {
	/// Address of the artifact server.
	pub http: std::net::SocketAddr,
	pub done: tokio::task::JoinHandle<anyhow::Result<()>>,
}

/// `aitbc-worker start`: loads the models, serves artifacts, and works the chain until
/// `shutdown` resolves; then takes no new jobs and finishes the ones in flight.
pub async fn start(
	config: WorkerConfig,
	threads: usize,
	ort_library: Option<std::path::PathBuf>,
	shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<Started> {
	let keys = WorkerKeys::load(&config)?;
	let me = account_of(&keys.provider);
	let device: DeviceChoice = config.device.parse().map_err(|e: String| anyhow!(e))?;
	let mut models = Vec::new();
	for dir in &config.models {
		let options = PipelineOptions {
			model_dir: dir.clone(),
			device,
			ort_library: ort_library.clone(),
			threads,
			optimization: Default::default(),
		};
		let pipeline = tokio::task::spawn_blocking(move || Pipeline::load(&options)).await??;
		let loaded = Loaded {
			manifest_sha256: pipeline.manifest_sha256().to_string(),
			name: pipeline.manifest().name.clone(),
			limits: pipeline.request_limits(),
			pipeline: Arc::new(Mutex::new(pipeline)),
		};
		tracing::info!(model = %loaded.name, manifest_sha256 = %loaded.manifest_sha256, "model loaded");
		models.push(Arc::new(loaded));
	}
	let artifacts = ArtifactStore::open(&config.artifact_dir)
		.with_context(|| format!("artifact dir {}", config.artifact_dir.display()))?;
	let journal = Journal::open(&config.state_dir)
		.with_context(|| format!("state dir {}", config.state_dir.display()))?;
	let audit_journal = audit::AuditJournal::open(&config.state_dir)
		.with_context(|| format!("state dir {}", config.state_dir.display()))?;
	let listener = tokio::net::TcpListener::bind(config.http_listen)
		.await
		.with_context(|| format!("listening on {}", config.http_listen))?;
	let http = listener.local_addr()?;
	let worker = Arc::new(Worker {
		config,
		keys,
		me,
		models,
		served: Mutex::new(HashMap::new()),
		journal,
		artifacts: artifacts.clone(),
		in_flight: Mutex::new(HashSet::new()),
		newest_block: AtomicU64::new(0),
		skip: Mutex::new(HashMap::new()),
		receipts: ReceiptQueue::start(),
		audits_in_flight: Mutex::new(HashSet::new()),
		audit_journal,
	});
	let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
	let http_stop = {
		let mut rx = stop_rx.clone();
		async move {
			let _ = rx.wait_for(|stop| *stop).await;
		}
	};
	let health = serde_json::json!({
		"status": "ok",
		"mode": "chain",
		"provider_account": worker.me.to_string(),
		"models": worker.models.iter().map(|m| serde_json::json!({"name": m.name, "manifest_sha256": m.manifest_sha256})).collect::<Vec<_>>(),
	});
	let app = axum::Router::new()
		.route(
			"/v1/artifacts/{sha256}",
			axum::routing::get(move |axum::extract::Path(sha): axum::extract::Path<String>| {
				let artifacts = artifacts.clone();
				async move { crate::server::artifact_response(&artifacts, &sha).await }
			}),
		)
		.route("/v1/health", axum::routing::get(move || async move { axum::Json(health) }))
		.layer(crate::server::public_read_cors());
	let server =
		tokio::spawn(
			async move { axum::serve(listener, app).with_graceful_shutdown(http_stop).await },
		);
	tokio::spawn(async move {
		shutdown.await;
		let _ = stop_tx.send(true);
	});
	let done = tokio::spawn(async move {
		let result = worker.clone().work(stop_rx).await;
		worker.drain().await;
		let _ = server.await;
		tracing::info!("worker stopped");
		result
	});
	Ok(Started { http, done })
}

impl Worker {
	/// Connects (with backoff), resumes journalled jobs, then claims and runs jobs block by block;
	/// reconnects when the node goes away; returns when `stop` turns true.
	async fn work(
		self: Arc<Self>,
		mut stop: tokio::sync::watch::Receiver<bool>,
	) -> anyhow::Result<()> {
		let mut backoff = Duration::from_millis(500);
		loop {
			if *stop.borrow() {
				return Ok(());
			}
			let client = tokio::select! {
				// Claims and receipts count once in a best block: seconds sooner, and a dropped one
				// is harmless (the journal keeps the job; the chain refuses what is not ours).
				connected = Client::connect(&self.config.node, Duration::from_secs(2)) => {
					connected.map(|c| c.with_inclusion(aitbc_client::Inclusion::BestBlock))
				},
				_ = stop.wait_for(|s| *s) => return Ok(()),
			};
			let client = match client {
				Ok(client) => client,
				Err(e) => {
					tracing::warn!(error = %e, retry_in_ms = backoff.as_millis() as u64, "node unreachable");
					tokio::select! {
						_ = tokio::time::sleep(backoff) => {},
						_ = stop.wait_for(|s| *s) => return Ok(()),
					}
					backoff = (backoff * 2).min(Duration::from_secs(15));
					continue;
				},
			};
			backoff = Duration::from_millis(500);
			tracing::info!(node = %self.config.node, provider = %self.me, "connected");
			match self.clone().follow(&client, &mut stop).await {
				Ok(()) => return Ok(()),
				Err(FollowError::Fatal(e)) => return Err(e),
				Err(FollowError::Connection(e)) => {
					tracing::warn!(error = %e, "lost the node; reconnecting");
				},
			}
		}
	}

	/// Waits for the jobs in flight to finish (at most 10 minutes).
	async fn drain(&self) {
		let deadline = Instant::now() + Duration::from_secs(600);
		loop {
			let left = self.in_flight.lock().map(|s| s.len()).unwrap_or(0);
			if left == 0 || Instant::now() > deadline {
				return;
			}
			tokio::time::sleep(Duration::from_millis(100)).await;
		}
	}

	async fn follow(
		self: Arc<Self>,
		client: &Client,
		stop: &mut tokio::sync::watch::Receiver<bool>,
	) -> Result<(), FollowError> {
		self.resolve_models(client).await?;
		let offer = client.provider(&self.me).await.map_err(FollowError::from)?;
		if offer.offer.is_none() {
			return Err(FollowError::Fatal(anyhow!(
				"provider {} has no offer on {}: run `aitbc-worker register` first",
				self.me,
				self.config.node
			)));
		}
		if !offer.approved {
			tracing::warn!(provider = %self.me, "not approved by governance yet: claims will be refused until it is");
		}
		if !offer.offer.as_ref().is_some_and(|o| o.worker_keys.contains(&self.keys.worker_key())) {
			return Err(FollowError::Fatal(anyhow!(
				"the offer of {} does not list this worker key: run `aitbc-worker register` again",
				self.me
			)));
		}
		self.join_auditors(client).await;
		for record in self.journal.all().map_err(|e| FollowError::Fatal(e.into()))? {
			if self.begin(record.job_id) {
				let worker = self.clone();
				let client = client.clone();
				tokio::spawn(async move { worker.resume(client, record).await });
			}
		}
		// New jobs are looked for in best blocks: a job is claimable as soon as it is in one, a
		// block or two before it is final. A claim on a job a re-organisation drops is refused by
		// the transaction pool (the runtime's CheckClaim) and costs nothing.
		let mut blocks = client
			.api()
			.stream_best_blocks()
			.await
			.map_err(|e| FollowError::Connection(e.to_string()))?;
		// An idle provider shows no sign of life but heartbeats: send one when half the liveness
		// window has passed since the last, asking at most once per minimum interval.
		let (window, min_interval) = client.liveness_rule().await.map_err(FollowError::from)?;
		let heartbeat_every = (window / 2).max(min_interval);
		let mut next_heartbeat_check = 0u64;
		// A subscription (re)starts with the last finalized block, which can still list as
		// pending a job claimed since (the claim would only be refused): skip it, and any block older
		// than one already looked at.
		let mut first = true;
		loop {
			let block = tokio::select! {
				block = blocks.next() => block,
				_ = stop.wait_for(|s| *s) => return Ok(()),
			};
			let Some(block) = block else {
				return Err(FollowError::Connection("the block subscription ended".into()));
			};
			let block = block.map_err(|e| FollowError::Connection(e.to_string()))?;
			let newest = self.newest_block.fetch_max(block.number(), Ordering::Relaxed);
			if std::mem::take(&mut first) || block.number() < newest {
				continue;
			}
			if block.number() >= next_heartbeat_check {
				next_heartbeat_check = block.number() + u64::from(min_interval.max(1));
				let (worker, client, number) = (self.clone(), client.clone(), block.number());
				tokio::spawn(async move {
					worker.heartbeat_if_due(&client, number, heartbeat_every).await
				});
			}
			let at = block.at().await.map_err(|e| FollowError::Connection(e.to_string()))?;
			self.clone().audit_open(client, &at).await?;
			self.clone().claim_pending(client, &at, block.number()).await?;
		}
	}

	/// Maps the loaded models to their on-chain ids.
	async fn resolve_models(&self, client: &Client) -> Result<(), FollowError> {
		let mut served = HashMap::new();
		for loaded in &self.models {
			let ids = model_ids_for(client, &loaded.manifest_sha256).await?;
			if ids.is_empty() {
				tracing::warn!(model = %loaded.name, manifest_sha256 = %loaded.manifest_sha256, "model not registered on-chain; its jobs cannot be taken");
			}
			for id in ids {
				served.insert(id, loaded.clone());
			}
		}
		*self.served.lock().map_err(|_| FollowError::Fatal(anyhow!("poisoned lock")))? = served;
		Ok(())
	}

	/// Marks `job_id` as being worked on; false if a task already is.
	fn begin(&self, job_id: JobId) -> bool {
		self.in_flight.lock().map(|mut s| s.insert(job_id)).unwrap_or(false)
	}

	fn end(&self, job_id: JobId) {
		if let Ok(mut s) = self.in_flight.lock() {
			s.remove(&job_id);
		}
	}

	/// Runs the job, signs the receipt (journalled) and submits it.
	async fn run_and_submit(&self, client: &Client, job_id: JobId, job: JobInfo) {
		match self.execute(client, job_id, &job).await {
			Ok((receipt, signature)) => self.submit(client, job_id, receipt, signature).await,
			Err(e) => {
				tracing::error!(job_id, error = %format!("{e:#}"), "job failed; it will expire and be refunded")
			},
		}
	}

	/// Generates the job's images, stores them (and, for several, their manifest), and returns
	/// the signed receipt (journalled before return).
	async fn execute(
		&self,
		client: &Client,
		job_id: JobId,
		job: &JobInfo,
	) -> anyhow::Result<(Receipt<AccountId32>, [u8; 64])> {
		let served = self
			.served
			.lock()
			.map_err(|_| anyhow!("poisoned lock"))?
			.get(&job.model_id)
			.cloned()
			.ok_or_else(|| anyhow!("model {} is not served", job.model_id))?;
		let requests = requests_of(job).map_err(|e| anyhow!(e))?;
		let images = requests.len();
		let pipeline = served.pipeline.clone();
		let model = served.name.clone();
		let started_at = now_ms();
		let (generated, execution) = tokio::task::spawn_blocking(move || {
			let mut pipeline = pipeline.lock().map_err(|_| anyhow!("poisoned pipeline lock"))?;
			let mut last_log = Instant::now();
			let mut generated = Vec::with_capacity(requests.len());
			for (image, request) in requests.iter().enumerate() {
				generated.push(pipeline.generate(request, &mut |step, steps| {
					// Long jobs show their progress in the log every few seconds.
					if last_log.elapsed() > Duration::from_secs(3) {
						tracing::info!(job_id, image, step, steps, "progress");
						last_log = Instant::now();
					}
				})?);
			}
			anyhow::Ok((generated, crate::compare::execution_info(&pipeline)))
		})
		.await??;
		let finished_at = now_ms();
		let mut hashes = Vec::with_capacity(generated.len());
		for image in &generated {
			let sha = self.artifacts.put(&image.png).context("storing the image")?;
			let mut hash = [0u8; 32];
			hex::decode_to_slice(&sha, &mut hash)?;
			hashes.push(hash);
		}
		// One image is receipted by its sha256; several by their manifest's, served too.
		let sha = match hashes.as_slice() {
			[only] => hex::encode(only),
			_ => self
				.artifacts
				.put(&aitbc_primitives::manifest::image_manifest(&hashes))
				.context("storing the image manifest")?,
		};
		let mut artifact_sha256 = [0u8; 32];
		hex::decode_to_slice(&sha, &mut artifact_sha256)?;
		let mut nonce = [0u8; 8];
		rand::rngs::OsRng.fill_bytes(&mut nonce);
		let gpu_ms = generated.iter().map(|g| g.timings.inference_ms()).sum::<f64>().round() as u64;
		let receipt = Receipt {
			job_id,
			provider: self.me.clone(),
			worker_key: self.keys.worker_key(),
			client: job.client.clone(),
			model_id: job.model_id,
			units: job.units,
			gpu_ms,
			prompt_hash: prompt_hash(&job.prompt.0),
			params_hash: job.params.0.hash(),
			artifact_sha256,
			started_at,
			finished_at,
			nonce: u64::from_le_bytes(nonce),
			genesis_hash: client.genesis_hash(),
			execution,
		};
		let signature = aitbc_client::sign_receipt(&self.keys.worker, &receipt);
		self.journal
			.put(&JobRecord {
				job_id,
				stage: Stage::Signed {
					receipt: hex::encode(receipt.encode()),
					signature: hex::encode(signature),
				},
			})
			.context("journalling the signed receipt")?;
		tracing::info!(
			job_id,
			model = %model,
			gpu_ms,
			duration_ms = finished_at.saturating_sub(started_at),
			images,
			artifact_sha256 = %sha,
			ep = %String::from_utf8_lossy(&receipt.execution.execution_provider),
			"image ready"
		);
		Ok((receipt, signature))
	}

	async fn submit(
		&self,
		client: &Client,
		job_id: JobId,
		receipt: Receipt<AccountId32>,
		signature: [u8; 64],
	) {
		let hash = hex::encode(receipt.hash());
		match self.receipts.submit(client, receipt, signature).await {
			Ok(_) => {
				tracing::info!(job_id, receipt_hash = %hash, "receipt accepted");
				let _ = self.journal.remove(job_id);
			},
			Err(
				e @ (ClientError::Dispatch(_)
				| ClientError::Module(_)
				| ClientError::InsufficientBalance(_)),
			) => {
				// The chain refused it: check whether it holds a receipt from us anyway.
				tracing::error!(job_id, error = %e, "receipt refused");
				if let Ok(job) = client.job(job_id).await {
					self.settle(job_id, &job);
				}
			},
			Err(e) => {
				tracing::warn!(job_id, error = %e, "receipt not confirmed");
				// The pool refuses a receipt the best block already holds (a resubmission after a
				// restart, `Receipts::ReceiptReplayed`): once the finalized state shows it, the job
				// is settled; otherwise the journal keeps it for the next connection.
				let deadline = Instant::now() + SETTLE_WAIT;
				while Instant::now() < deadline {
					tokio::time::sleep(Duration::from_secs(1)).await;
					match client.job(job_id).await {
						Ok(job) if !matches!(&job.state, JobState::Assigned { provider, .. } if *provider == self.me) =>
						{
							self.settle(job_id, &job);
							return;
						},
						Ok(_) => {},
						Err(_) => return,
					}
				}
				tracing::warn!(job_id, "receipt still not on-chain; will retry after reconnecting");
			},
		}
	}

	/// Drops the journal entry of a job the chain says is no longer ours to work on.
	fn settle(&self, job_id: JobId, job: &JobInfo) {
		let outcome = match &job.state {
			JobState::Receipted { provider, .. } | JobState::Finalized { provider, .. }
				if *provider == self.me =>
			{
				"receipted"
			},
			JobState::Assigned { provider, .. } if *provider == self.me => return,
			_ => "not ours",
		};
		tracing::info!(
			job_id,
			outcome,
			state = aitbc_client::state_name(&job.state),
			"job settled"
		);
		let _ = self.journal.remove(job_id);
	}

	/// Picks a journalled job up again after a restart or reconnection.
	async fn resume(self: Arc<Self>, client: Client, record: JobRecord) {
		let job_id = record.job_id;
		// Claims and receipts count in best blocks, but jobs are read at finalized ones: a claim
		// made just before a restart may still show the job as pending for a few blocks. Give it
		// time before deciding the claim never landed.
		let deadline = Instant::now() + SETTLE_WAIT;
		let job = loop {
			let job = match client.job(job_id).await {
				Ok(job) => job,
				Err(ClientError::JobNotFound(_)) => {
					let _ = self.journal.remove(job_id);
					self.end(job_id);
					return;
				},
				Err(e) => {
					tracing::warn!(job_id, error = %e, "cannot read the job; will retry");
					self.end(job_id);
					return;
				},
			};
			let claim_in_flight =
				record.stage == Stage::Claiming && matches!(job.state, JobState::Pending);
			if !claim_in_flight || Instant::now() > deadline {
				break job;
			}
			tokio::time::sleep(Duration::from_secs(1)).await;
		};
		let ours =
			matches!(&job.state, JobState::Assigned { provider, .. } if *provider == self.me);
		if !ours {
			self.settle(job_id, &job);
			self.end(job_id);
			return;
		}
		match record.stage {
			Stage::Signed { receipt, signature } => {
				let decoded = hex::decode(&receipt)
					.ok()
					.and_then(|b| Receipt::<AccountId32>::decode(&mut &b[..]).ok())
					.zip(hex::decode(&signature).ok().and_then(|s| <[u8; 64]>::try_from(s).ok()));
				match decoded {
					Some((receipt, signature)) => {
						tracing::info!(job_id, "resubmitting the journalled receipt");
						self.submit(&client, job_id, receipt, signature).await;
					},
					None => tracing::error!(
						job_id,
						"journalled receipt unreadable; the job will expire"
					),
				}
			},
			Stage::Claiming => {
				tracing::info!(job_id, "resuming an assigned job");
				self.run_and_submit(&client, job_id, job).await;
			},
		}
		self.end(job_id);
	}
}

enum FollowError {
	/// Worth reconnecting.
	Connection(String),
	/// Needs the operator.
	Fatal(anyhow::Error),
}

impl From<ClientError> for FollowError {
	fn from(e: ClientError) -> Self {
		match e {
			ClientError::NodeUnreachable { .. } | ClientError::Chain(_) => {
				Self::Connection(e.to_string())
			},
			other => Self::Fatal(other.into()),
		}
	}
}

/// `aitbc-worker init`: writes `worker.toml` and the keys into `dir`.
pub fn init(
	dir: &Path,
	config: WorkerConfig,
	provider_secret: Option<&str>,
) -> anyhow::Result<(AccountId32, WorkerKey)> {
	let file = dir.join(config::CONFIG_FILE);
	if file.exists() {
		bail!("{} already exists; edit it, or init another folder", file.display());
	}
	config.validate().map_err(|e| anyhow!(e))?;
	std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
	let resolve = |p: &Path| if p.is_relative() { dir.join(p) } else { p.to_path_buf() };
	let provider = match provider_secret {
		Some(secret) => {
			let pair =
				aitbc_client::keypair_from(secret).map_err(|e| anyhow!("--provider: {e}"))?;
			aitbc_client::keys::write_key_file(&resolve(&config.provider_key), secret)
				.map_err(|e| anyhow!(e))?;
			pair
		},
		None => aitbc_client::keys::generate_key_file(&resolve(&config.provider_key))
			.map_err(|e| anyhow!(e))?,
	};
	let worker = aitbc_client::keys::generate_key_file(&resolve(&config.worker_key))
		.map_err(|e| anyhow!(e))?;
	config.write(&file).map_err(|e| anyhow!(e))?;
	Ok((account_of(&provider), WorkerKey::Sr25519(worker.public_key().0)))
}
