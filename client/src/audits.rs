//! Audits: the auditor's side (joining a model's rotation, committing and revealing verdicts),
//! challenges, and anyone's view of a job's audit.

use aitbc_primitives::{AuditVerdict, JobId, ModelId};
use subxt::utils::{AccountId32, Static};
use subxt_signer::sr25519::Keypair;

use crate::{
	runtime::{
		self,
		runtime_types::{pallet_aitbc_audits::Audit, sp_arithmetic::per_things::Perbill},
	},
	Balance, Client, ClientError, Config, Included,
};

pub use crate::runtime::runtime_types::pallet_aitbc_audits::{AuditOutcome, AuditPhase};

/// An audit as the chain stores it (open, or ended with its outcome).
pub type AuditInfo = Audit;

/// The outcome's name: `Passed`, `Failed`, `Inconclusive` or `NoAuditors`.
pub fn outcome_name(outcome: &AuditOutcome) -> &'static str {
	match outcome {
		AuditOutcome::Passed => "Passed",
		AuditOutcome::Failed => "Failed",
		AuditOutcome::Inconclusive => "Inconclusive",
		AuditOutcome::NoAuditors => "NoAuditors",
	}
}

/// The verdict's name.
pub fn verdict_name(verdict: &AuditVerdict) -> &'static str {
	match verdict {
		AuditVerdict::Match => "Match",
		AuditVerdict::Mismatch => "Mismatch",
		AuditVerdict::ArtifactUnavailable => "ArtifactUnavailable",
	}
}

impl Client {
	/// The audit of `job_id`, if its receipt was audited.
	pub async fn audit(&self, job_id: JobId) -> Result<Option<AuditInfo>, ClientError> {
		let at = self.api().at_current_block().await.map_err(ClientError::chain)?;
		Self::audit_at(&at, job_id).await
	}

	/// The audit of `job_id` as of the block `at`.
	pub async fn audit_at(
		at: &subxt::client::ClientAtBlock<Config, impl subxt::client::OnlineClientAtBlockT<Config>>,
		job_id: JobId,
	) -> Result<Option<AuditInfo>, ClientError> {
		let entry =
			at.storage().entry(runtime::storage().audits().audits()).map_err(ClientError::chain)?;
		match entry.try_fetch((job_id,)).await.map_err(ClientError::chain)? {
			Some(value) => value.decode().map(Some).map_err(ClientError::chain),
			None => Ok(None),
		}
	}

	/// The jobs whose audits are open at the block `at` (each has one phase deadline).
	pub async fn open_audits_at(
		at: &subxt::client::ClientAtBlock<Config, impl subxt::client::OnlineClientAtBlockT<Config>>,
	) -> Result<Vec<JobId>, ClientError> {
		let entry = at
			.storage()
			.entry(runtime::storage().audits().audit_deadlines())
			.map_err(ClientError::chain)?;
		let mut all = entry.iter(()).await.map_err(ClientError::chain)?;
		let mut jobs = Vec::new();
		while let Some(item) = all.next().await {
			let item = item.map_err(ClientError::chain)?;
			jobs.extend(item.value().decode().map_err(ClientError::chain)?.0);
		}
		jobs.sort_unstable();
		Ok(jobs)
	}

	/// The registered auditors of `model_id`, in rotation order.
	pub async fn auditors(&self, model_id: ModelId) -> Result<Vec<AccountId32>, ClientError> {
		let at = self.api().at_current_block().await.map_err(ClientError::chain)?;
		let entry = at
			.storage()
			.entry(runtime::storage().audits().auditors())
			.map_err(ClientError::chain)?;
		Ok(entry
			.fetch((model_id,))
			.await
			.map_err(ClientError::chain)?
			.decode()
			.map_err(ClientError::chain)?
			.0)
	}

	/// Joins `model_id`'s auditors (feeless for an eligible provider serving it).
	pub async fn register_auditor(
		&self,
		provider: &Keypair,
		model_id: ModelId,
	) -> Result<Included, ClientError> {
		self.submit(&runtime::transactions().audits().register_auditor(model_id), provider).await
	}

	/// Posts a verdict commitment ([`aitbc_primitives::verdict_commitment`]; feeless for the
	/// round's auditors).
	pub async fn commit_verdict(
		&self,
		auditor: &Keypair,
		job_id: JobId,
		commitment: [u8; 32],
	) -> Result<Included, ClientError> {
		self.submit(&runtime::transactions().audits().commit_verdict(job_id, commitment), auditor)
			.await
	}

	/// Reveals a committed verdict and its salt (feeless for the round's auditors).
	pub async fn reveal_verdict(
		&self,
		auditor: &Keypair,
		job_id: JobId,
		verdict: AuditVerdict,
		salt: [u8; 32],
	) -> Result<Included, ClientError> {
		self.submit(
			&runtime::transactions().audits().reveal_verdict(job_id, Static(verdict), salt),
			auditor,
		)
		.await
	}

	/// Challenges `job_id`'s receipt with `bond` held on the audit's outcome.
	pub async fn challenge(
		&self,
		signer: &Keypair,
		job_id: JobId,
		bond: Balance,
	) -> Result<Included, ClientError> {
		self.submit(&runtime::transactions().audits().challenge(job_id, bond), signer).await
	}

	/// Sets the audit rate (in parts per billion) and the always-audit size in milli-units
	/// (governance; feeless for the sudo key).
	pub async fn set_audit_params(
		&self,
		governance: &Keypair,
		rate_parts_per_billion: u32,
		always_audit_units: u64,
	) -> Result<Included, ClientError> {
		let call = runtime::transactions()
			.audits()
			.set_audit_params(Perbill(rate_parts_per_billion), always_audit_units);
		self.submit(&call, governance).await
	}
}
