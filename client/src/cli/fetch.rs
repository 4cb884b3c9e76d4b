//! `aitbc fetch`: a job's images from its provider's endpoint, each checked against the
//! receipt, written to files (`aitbc fetch --batch` writes every shard's through the same).

use std::path::{Path, PathBuf};

use aitbc_client::Client;
use anyhow::Context;

use crate::Cli;

/// `dir/name-<index>.ext` for `dir/name.ext`: the file of image `index` of a job of several.
fn numbered(path: &Path, index: usize) -> PathBuf {
	let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
	let name = match path.extension() {
		Some(ext) => format!("{stem}-{index}.{}", ext.to_string_lossy()),
		None => format!("{stem}-{index}"),
	};
	path.with_file_name(name)
}

/// Writes job `job_id`'s verified `images` to `out`, or for a job of several to `out`
/// numbered (job-7.png becomes job-7-0.png, job-7-1.png, …); says so unless `json`. Returns a
/// JSON entry per file written.
pub fn write_images(
	json: bool,
	job_id: u64,
	images: &[Vec<u8>],
	out: &Path,
) -> anyhow::Result<Vec<serde_json::Value>> {
	let mut written = Vec::with_capacity(images.len());
	for (index, bytes) in images.iter().enumerate() {
		let file = if images.len() == 1 { out.to_path_buf() } else { numbered(out, index) };
		std::fs::write(&file, bytes).with_context(|| format!("writing {}", file.display()))?;
		if !json {
			println!(
				"job {job_id}: {} bytes, sha256 verified against the receipt, written to {}",
				bytes.len(),
				file.display()
			);
		}
		written.push(
			serde_json::json!({"job_id": job_id, "image": index, "file": file.display().to_string(), "bytes": bytes.len()}),
		);
	}
	Ok(written)
}

/// `aitbc fetch JOB [--out FILE]`: the job's images, verified, to `out` (default `job-JOB.png`).
pub async fn job(
	cli: &Cli,
	client: &Client,
	job_id: u64,
	out: Option<PathBuf>,
) -> anyhow::Result<()> {
	let images = client.fetch_images(job_id).await?;
	let out = out.unwrap_or_else(|| PathBuf::from(format!("job-{job_id}.png")));
	for entry in write_images(cli.json, job_id, &images, &out)? {
		if cli.json {
			println!("{entry}");
		}
	}
	Ok(())
}
