//! `aitbc submit --count N`, `aitbc status --batch`, `aitbc fetch --batch` and
//! `aitbc cancel --batch`: batch jobs of N images.

use std::{path::Path, time::Duration};

use aitbc_client::{batches::BatchView, format_ait, state_name, Balance, Client};
use aitbc_primitives::{BatchId, JobParams};
use anyhow::Context;

use crate::{describe_state, job_json, signer, Cli};

/// What `submit` asks for, besides the parameters.
pub struct BatchRequest<'a> {
	pub model: u32,
	pub prompt: &'a str,
	pub params: JobParams,
	pub count: u32,
	pub images_per_shard: u32,
	pub max_price: Balance,
	pub payment: Balance,
	pub deadline: u32,
	/// The chain's feasibility answer, asked before signing.
	pub feasibility: aitbc_primitives::Feasibility<Balance>,
}

pub async fn submit(cli: &Cli, client: &Client, request: BatchRequest<'_>) -> anyhow::Result<()> {
	let signer = signer(cli, &cli.account)?;
	let (batch_id, first_job) = client
		.submit_batch(
			&signer,
			request.model,
			request.prompt,
			request.params,
			request.count,
			request.images_per_shard,
			request.max_price,
			request.payment,
			request.deadline,
		)
		.await?;
	let view = client.batch(batch_id).await?;
	// What providers at the highest accepted price would be minted for all of it.
	let max_mint = u128::from(view.batch.units).saturating_mul(request.max_price) / 1000;
	if cli.json {
		let mut out = batch_json(&view);
		out["max_mint"] = max_mint.to_string().into();
		out["feasibility"] = crate::feasibility_cli::json(&request.feasibility);
		println!("{out}");
	} else {
		let last = first_job + u64::from(view.batch.shards) - 1;
		println!(
			"batch {batch_id}: {} images in {} shard(s) of up to {} as jobs {first_job}–{last} (seeds {}–{}), {:.3} units, payment {}, provider price at most {} per unit (at most {} minted)",
			request.count,
			view.batch.shards,
			request.images_per_shard,
			request.params.seed,
			request.params.seed + u64::from(request.count) - 1,
			view.batch.units as f64 / 1000.0,
			format_ait(request.payment),
			format_ait(request.max_price),
			format_ait(max_mint),
		);
	}
	Ok(())
}

fn batch_json(view: &BatchView) -> serde_json::Value {
	let p = &view.progress;
	serde_json::json!({
		"batch_id": view.batch_id,
		"client": view.batch.client.to_string(),
		"model_id": view.batch.model_id,
		"count": view.batch.count,
		"images_per_shard": view.batch.images_per_shard,
		"shard_count": view.batch.shards,
		"first_job": view.batch.first_job,
		"units": view.batch.units,
		"payment": view.batch.payment.to_string(),
		"refunded": view.batch.refunded.to_string(),
		"completed_at": view.batch.completed_at,
		"pending": p.pending,
		"assigned": p.assigned,
		"receipted": p.receipted,
		"finalized": p.finalized,
		"unserved": p.unserved,
		"completed": p.completed,
		"providers": p.providers.iter().map(|(who, n)| serde_json::json!({"provider": who.to_string(), "images": n})).collect::<Vec<_>>(),
		"receipts": view.batch.receipts.0.iter().map(|r| serde_json::json!({
			"job_id": r.job_id,
			"provider": r.provider.to_string(),
			"receipt_hash": format!("0x{}", hex::encode(r.receipt_hash)),
			"units": r.units,
			"payment": r.payment.to_string(),
			"minted": r.minted.to_string(),
		})).collect::<Vec<_>>(),
		"shards": view.shards.iter().map(|(id, job)| job_json(*id, job)).collect::<Vec<_>>(),
	})
}

/// One line: how far the batch has come.
fn summary(view: &BatchView) -> String {
	let p = &view.progress;
	let mut line = format!(
		"{} of {} done ({} receipted, {} assigned, {} pending, {} unserved)",
		p.finalized, p.count, p.receipted, p.assigned, p.pending, p.unserved
	);
	if p.completed {
		line.push_str(", completed");
	}
	if !p.providers.is_empty() {
		let by: Vec<String> = p.providers.iter().map(|(who, n)| format!("{who} ({n})")).collect();
		line.push_str(&format!("; served by {}", by.join(", ")));
	}
	line
}

pub async fn status(
	cli: &Cli,
	client: &Client,
	batch_id: BatchId,
	follow: bool,
) -> anyhow::Result<()> {
	let mut view = client.batch(batch_id).await?;
	if !follow {
		if cli.json {
			println!("{}", batch_json(&view));
		} else {
			println!("batch {batch_id}: {}", summary(&view));
			for (job_id, job) in &view.shards {
				println!("  job {job_id}: {}", describe_state(&job.state));
			}
		}
		return Ok(());
	}
	// Polls once per block: a line (or a JSON object) whenever a shard changes state.
	let mut seen: Vec<&'static str> = Vec::new();
	loop {
		let states: Vec<&'static str> =
			view.shards.iter().map(|(_, job)| state_name(&job.state)).collect();
		if states != seen {
			if cli.json {
				println!("{}", batch_json(&view));
			} else {
				println!("batch {batch_id}: {}", summary(&view));
			}
			seen = states;
		}
		if view.progress.completed {
			return Ok(());
		}
		tokio::time::sleep(Duration::from_secs(1)).await;
		view = client.batch(batch_id).await?;
	}
}

pub async fn cancel(cli: &Cli, client: &Client, batch_id: BatchId) -> anyhow::Result<()> {
	let cancelled = client.cancel_batch(&signer(cli, &cli.account)?, batch_id).await?;
	println!("batch {batch_id}: {cancelled} pending shards cancelled and refunded; shards already taken go on");
	Ok(())
}

/// Fetches every served shard's image into `dir`, each verified against its receipt; fails
/// (after trying all) if any could not be fetched or verified.
pub async fn fetch(
	cli: &Cli,
	client: &Client,
	batch_id: BatchId,
	dir: &Path,
) -> anyhow::Result<()> {
	let view = client.batch(batch_id).await?;
	std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
	let mut written = Vec::new();
	let mut failed = Vec::new();
	// Images (not shards) that could not be fetched.
	let mut missing = 0u32;
	for (job_id, job) in &view.shards {
		if !matches!(state_name(&job.state), "Receipted" | "Finalized") {
			continue;
		}
		match client.fetch_images(*job_id).await {
			Ok(images) => {
				let out = dir.join(format!("job-{job_id}.png"));
				written.extend(crate::fetch_cli::write_images(cli.json, *job_id, &images, &out)?);
			},
			Err(e) => {
				if !cli.json {
					eprintln!("job {job_id}: {e}");
				}
				missing = missing.saturating_add(job.images);
				failed.push(
					serde_json::json!({"job_id": job_id, "images": job.images, "error": e.to_string()}),
				);
			},
		}
	}
	if cli.json {
		println!(
			"{}",
			serde_json::json!({"batch_id": batch_id, "written": written, "failed": failed})
		);
	}
	let served = view.progress.receipted + view.progress.finalized;
	anyhow::ensure!(
		failed.is_empty(),
		"{missing} of {served} served images of batch {batch_id} could not be fetched and verified"
	);
	if !cli.json && served < view.progress.count {
		println!(
			"batch {batch_id}: {served} of {} images served so far ({})",
			view.progress.count,
			summary(&view)
		);
	}
	Ok(())
}
