//! Auditing other providers' receipts, with no setup beyond `start`.
//!
//! On connecting, the worker joins the auditor rotation of every model it serves. On every
//! best block it looks at the open audits ([`Client::open_audits_at`]); for each whose current
//! round lists this provider and that it has not committed to, it fetches the audited
//! provider's artifact and checks it against the receipt's sha256, re-runs the job (same model,
//! prompt, parameters and seed) and compares the two images ([`crate::compare::matches`]:
//! exactly within one execution echelon). It commits to its verdict with a random salt
//! (journalled first, in `state/audits/`, so a restart can still reveal), waits for the reveal
//! phase, and reveals.

use std::{
	path::{Path, PathBuf},
	sync::Arc,
	time::{Duration, Instant},
};

use aitbc_client::{audits::AuditPhase, Client, ClientError};
use aitbc_primitives::{verdict_commitment, AuditVerdict, JobId};
use anyhow::{anyhow, Context};
use codec::{Decode, Encode};
use rand::RngCore;
use serde::{Deserialize, Serialize};

use super::{requests_of, FollowError, Worker};

/// How long an auditor keeps trying to fetch an artifact before it calls it unavailable.
const FETCH_PATIENCE: Duration = Duration::from_secs(20);
/// The longest an audit task waits for its reveal phase (a commit period is a minute).
const REVEAL_PATIENCE: Duration = Duration::from_secs(300);

/// A committed verdict, kept until it is revealed.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct CommittedVerdict {
	job_id: JobId,
	/// Hex of the verdict's SCALE encoding.
	verdict: String,
	/// Hex of the 32-byte salt.
	salt: String,
}

/// The auditor's journal: one file per committed verdict.
#[derive(Clone, Debug)]
pub struct AuditJournal {
	dir: PathBuf,
}

impl AuditJournal {
	/// Opens (creating) the journal in `state_dir/audits`.
	pub fn open(state_dir: &Path) -> std::io::Result<Self> {
		let dir = state_dir.join("audits");
		std::fs::create_dir_all(&dir)?;
		Ok(Self { dir })
	}

	fn path(&self, job_id: JobId) -> PathBuf {
		self.dir.join(format!("{job_id}.json"))
	}

	fn put(&self, record: &CommittedVerdict) -> std::io::Result<()> {
		let tmp = self.dir.join(format!(".{}.tmp", record.job_id));
		std::fs::write(&tmp, serde_json::to_vec_pretty(record).map_err(std::io::Error::other)?)?;
		std::fs::File::open(&tmp)?.sync_all()?;
		std::fs::rename(tmp, self.path(record.job_id))
	}

	fn get(&self, job_id: JobId) -> Option<CommittedVerdict> {
		serde_json::from_slice(&std::fs::read(self.path(job_id)).ok()?).ok()
	}

	fn remove(&self, job_id: JobId) {
		let _ = std::fs::remove_file(self.path(job_id));
	}
}

impl Worker {
	/// Joins the auditor rotation of each model this worker serves (feeless); a failure is
	/// logged, never fatal: the worker still serves jobs.
	pub(super) async fn join_auditors(&self, client: &Client) {
		let models: Vec<u32> =
			self.served.lock().map(|s| s.keys().copied().collect()).unwrap_or_default();
		for model_id in models {
			match client.auditors(model_id).await {
				Ok(auditors) if auditors.contains(&self.me) => continue,
				Ok(_) => {},
				Err(e) => {
					tracing::warn!(model_id, error = %e, "cannot read the auditors");
					continue;
				},
			}
			match client.register_auditor(&self.keys.provider, model_id).await {
				Ok(_) => tracing::info!(model_id, "registered as an auditor"),
				Err(e) => tracing::warn!(model_id, error = %e, "not registered as an auditor"),
			}
		}
	}

	/// Starts an audit task for each open audit at `at` that lists this provider in its
	/// current round and has none yet.
	pub(super) async fn audit_open(
		self: Arc<Self>,
		client: &Client,
		at: &subxt::client::ClientAtBlock<
			aitbc_client::Config,
			impl subxt::client::OnlineClientAtBlockT<aitbc_client::Config>,
		>,
	) -> Result<(), FollowError> {
		for job_id in Client::open_audits_at(at).await? {
			let Some(audit) = Client::audit_at(at, job_id).await? else { continue };
			let mine = audit.votes.0.iter().any(|v| {
				v.auditor == self.me && v.escalation == audit.escalated && v.verdict.is_none()
			});
			if !mine || !self.audits_in_flight.lock().map(|mut s| s.insert(job_id)).unwrap_or(false)
			{
				continue;
			}
			let worker = self.clone();
			let client = client.clone();
			tokio::spawn(async move {
				if let Err(e) = worker.audit(&client, job_id).await {
					tracing::warn!(job_id, error = %format!("{e:#}"), "audit not completed");
				}
				if let Ok(mut s) = worker.audits_in_flight.lock() {
					s.remove(&job_id);
				}
			});
		}
		Ok(())
	}

	/// Audits `job_id`'s receipt: verdict, commitment, reveal.
	async fn audit(&self, client: &Client, job_id: JobId) -> anyhow::Result<()> {
		let audit =
			client.audit(job_id).await?.ok_or_else(|| anyhow!("no audit of job {job_id}"))?;
		let seat = audit
			.votes
			.0
			.iter()
			.find(|v| v.auditor == self.me && v.escalation == audit.escalated)
			.ok_or_else(|| anyhow!("not on the current round"))?;
		let committed = match (seat.commitment, self.audit_journal.get(job_id)) {
			(None, _) => {
				let verdict = self.verdict(client, job_id).await?;
				let mut salt = [0u8; 32];
				rand::rngs::OsRng.fill_bytes(&mut salt);
				let record = CommittedVerdict {
					job_id,
					verdict: hex::encode(verdict.encode()),
					salt: hex::encode(salt),
				};
				self.audit_journal.put(&record).context("journalling the verdict")?;
				let commitment = verdict_commitment(job_id, &self.me, verdict, &salt);
				client.commit_verdict(&self.keys.provider, job_id, commitment).await?;
				tracing::info!(
					job_id,
					verdict = aitbc_client::audits::verdict_name(&verdict),
					"verdict committed"
				);
				record
			},
			(Some(_), Some(record)) => record,
			(Some(_), None) => {
				return Err(anyhow!(
					"committed before a restart, but the verdict's journal entry is gone"
				))
			},
		};
		let deadline = Instant::now() + REVEAL_PATIENCE;
		loop {
			let Some(audit) = client.audit(job_id).await? else { break };
			if audit.outcome.is_some() {
				tracing::info!(job_id, "audit ended before this verdict was revealed");
				break;
			}
			if matches!(audit.phase, AuditPhase::Reveal) {
				let mut salt = [0u8; 32];
				hex::decode_to_slice(&committed.salt, &mut salt)?;
				let verdict = AuditVerdict::decode(&mut &hex::decode(&committed.verdict)?[..])?;
				client.reveal_verdict(&self.keys.provider, job_id, verdict, salt).await?;
				tracing::info!(
					job_id,
					verdict = aitbc_client::audits::verdict_name(&verdict),
					"verdict revealed"
				);
				break;
			}
			if Instant::now() > deadline {
				return Err(anyhow!("the reveal phase never opened"));
			}
			tokio::time::sleep(Duration::from_secs(1)).await;
		}
		self.audit_journal.remove(job_id);
		Ok(())
	}

	/// Fetches the artifact, re-runs the job and compares.
	async fn verdict(&self, client: &Client, job_id: JobId) -> anyhow::Result<AuditVerdict> {
		let job = client.job(job_id).await?;
		let stored = client.receipt(job_id).await?.ok_or(ClientError::NoReceipt(job_id))?;
		let receipt = stored.receipt;
		let provider = client.provider(&receipt.provider).await?;
		let endpoint = provider.offer.map(|o| o.endpoint).unwrap_or_default();
		let deadline = Instant::now() + FETCH_PATIENCE;
		let served = loop {
			match aitbc_client::fetch_receipted_images(
				&endpoint,
				receipt.artifact_sha256,
				job.images,
			)
			.await
			{
				Ok(images) => break Some(images),
				Err(e) if Instant::now() > deadline => {
					tracing::info!(job_id, error = %e, "artifact unavailable");
					break None;
				},
				Err(_) => tokio::time::sleep(Duration::from_secs(2)).await,
			}
		};
		let Some(served) = served else { return Ok(AuditVerdict::ArtifactUnavailable) };
		let loaded = self
			.served
			.lock()
			.map_err(|_| anyhow!("poisoned lock"))?
			.get(&job.model_id)
			.cloned()
			.ok_or_else(|| anyhow!("model {} is not served here", job.model_id))?;
		let requests = requests_of(&job).map_err(|e| anyhow!(e))?;
		let pipeline = loaded.pipeline.clone();
		let (rerun, rerun_on) = tokio::task::spawn_blocking(move || {
			let mut pipeline = pipeline.lock().map_err(|_| anyhow!("poisoned pipeline lock"))?;
			let mut pngs = Vec::with_capacity(requests.len());
			for request in &requests {
				pngs.push(pipeline.generate(request, &mut |_, _| {})?.png);
			}
			anyhow::Ok((pngs, crate::compare::execution_info(&pipeline)))
		})
		.await??;
		// Every image must match its re-run: one made-up image fails the whole receipt.
		let mut same = served.len() == rerun.len();
		for (served, rerun) in served.iter().zip(&rerun) {
			same &= crate::compare::matches(served, &receipt.execution, rerun, &rerun_on)?;
		}
		tracing::info!(
			job_id,
			provider = %receipt.provider,
			same_echelon = crate::compare::same_echelon(&receipt.execution, &rerun_on),
			matches = same,
			"job re-run for its audit"
		);
		Ok(if same { AuditVerdict::Match } else { AuditVerdict::Mismatch })
	}
}
