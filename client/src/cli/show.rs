//! How the CLI shows jobs, receipts and audits: one-line descriptions, text blocks and JSON.

use aitbc_client::{format_ait, jobs::JobInfo, state_name, JobStateInfo, ReceiptInfo};

pub(crate) fn describe_state(state: &JobStateInfo) -> String {
	use aitbc_client::runtime::runtime_types::pallet_aitbc_jobs::JobState;
	match state {
		JobState::Assigned { provider, price_per_unit, deadline } => {
			format!("Assigned to {provider} at {} per unit, receipt due by block {deadline}", format_ait(*price_per_unit))
		},
		JobState::Receipted { provider, receipt_hash, .. } => {
			format!("Receipted by {provider} (receipt 0x{})", hex::encode(receipt_hash))
		},
		JobState::Finalized { provider, receipt_hash, minted } => format!(
			"Finalized: served by {provider} (receipt 0x{}), minted {}",
			hex::encode(receipt_hash),
			format_ait(*minted)
		),
		JobState::Expired { provider } => format!("Expired: {provider} missed the deadline, payment refunded"),
		JobState::Cancelled => "Cancelled: payment refunded".into(),
		JobState::Unclaimed => "Unclaimed: no provider took it in time, payment refunded".into(),
		JobState::Pending => "Pending: waiting for a provider".into(),
		JobState::Rejected { provider, receipt_hash, convicted: true } => format!(
			"Rejected: the audit found {provider}'s receipt 0x{} false; nothing minted, payment refunded",
			hex::encode(receipt_hash)
		),
		JobState::Rejected { provider, receipt_hash, convicted: false } => format!(
			"Rejected: {provider}'s receipt 0x{} could not be audited (too few independent auditors); nothing minted, payment refunded",
			hex::encode(receipt_hash)
		),
	}
}

/// A job's audit in a line: its panel with each verdict (hidden until revealed), and its outcome.
pub(crate) fn describe_audit(audit: &aitbc_client::audits::AuditInfo) -> String {
	use aitbc_client::audits::{outcome_name, verdict_name};
	let panel: Vec<String> = audit
		.votes
		.0
		.iter()
		.map(|vote| {
			let verdict = match (&vote.verdict, &vote.commitment) {
				(Some(v), _) => verdict_name(&v.0).to_string(),
				(None, Some(_)) => "committed".to_string(),
				(None, None) => "pending".to_string(),
			};
			format!("{} {verdict}", vote.auditor)
		})
		.collect();
	let outcome =
		audit.outcome.as_ref().map_or("open".to_string(), |o| outcome_name(o).to_string());
	let challenge = audit.challenge.as_ref().map_or(String::new(), |c| {
		format!(", challenged by {} ({})", c.challenger, format_ait(c.bond))
	});
	format!("audit {outcome}: {}{challenge}", panel.join(", "))
}

pub(crate) fn audit_json(audit: &aitbc_client::audits::AuditInfo) -> serde_json::Value {
	use aitbc_client::audits::{outcome_name, verdict_name};
	serde_json::json!({
		"outcome": audit.outcome.as_ref().map(outcome_name),
		"escalated": audit.escalated,
		"auditors": audit.votes.0.iter().map(|v| serde_json::json!({
			"auditor": v.auditor.to_string(),
			"committed": v.commitment.is_some(),
			"verdict": v.verdict.as_ref().map(|x| verdict_name(&x.0)),
		})).collect::<Vec<_>>(),
		"challenger": audit.challenge.as_ref().map(|c| c.challenger.to_string()),
	})
}

pub(crate) fn job_json(job_id: u64, job: &JobInfo) -> serde_json::Value {
	serde_json::json!({
		"job_id": job_id,
		"state": state_name(&job.state),
		"client": job.client.to_string(),
		"model_id": job.model_id,
		"prompt": String::from_utf8_lossy(&job.prompt.0),
		"images": job.images,
		"units_milli": job.units,
		"payment": job.payment.to_string(),
		"submitted_at": job.submitted_at,
		"queued_at": job.queued_at,
		"batch": job.batch,
	})
}

pub(crate) fn receipt_json(stored: &ReceiptInfo) -> serde_json::Value {
	let r = &stored.receipt;
	serde_json::json!({
		"job_id": r.job_id,
		"hash": format!("0x{}", hex::encode(stored.receipt_hash)),
		"provider": r.provider.to_string(),
		"client": r.client.to_string(),
		"model_id": r.model_id,
		"units_milli": r.units,
		"gpu_ms": r.gpu_ms,
		"artifact_sha256": hex::encode(r.artifact_sha256),
		"execution_provider": String::from_utf8_lossy(&r.execution.execution_provider),
		"device": String::from_utf8_lossy(&r.execution.device),
		"accepted_at": stored.accepted_at,
		"final_at": stored.final_at,
		"minted": stored.minted.map(|m| m.to_string()),
	})
}

/// `audited`: the receipt had an audit, which held its mint past the challenge window.
pub(crate) fn print_receipt(stored: &ReceiptInfo, audited: bool) {
	let r = &stored.receipt;
	println!("receipt 0x{} for job {}", hex::encode(stored.receipt_hash), r.job_id);
	println!("  provider  {}", r.provider);
	println!(
		"  units     {:.3} (gpu {} ms on {} / {})",
		r.units as f64 / 1000.0,
		r.gpu_ms,
		String::from_utf8_lossy(&r.execution.execution_provider),
		String::from_utf8_lossy(&r.execution.device)
	);
	println!("  image     sha256 {}", hex::encode(r.artifact_sha256));
	match stored.minted {
		Some(minted) if audited => println!(
			"  minted {} once its audit passed (its challenge window closed at block {})",
			format_ait(minted),
			stored.final_at
		),
		Some(minted) => {
			println!("  final at block {}: minted {}", stored.final_at, format_ait(minted))
		},
		None => println!(
			"  accepted at block {}, final at block {}",
			stored.accepted_at, stored.final_at
		),
	}
}
