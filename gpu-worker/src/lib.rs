//! # aitbc-worker
//!
//! The AITBC GPU worker: runs text-to-image diffusion models in the common Stable Diffusion
//! ONNX layout on ONNX Runtime (CUDA execution provider when it works, CPU otherwise) and serves
//! the Stage 1 HTTP API. Chain mode (claiming jobs and submitting receipts) builds on the same
//! [`pipeline::Pipeline`].
//!
//! - [`onnx`]: finding ONNX Runtime 1.31 and choosing the execution provider;
//! - [`model`]: model folders and their sha256 manifests;
//! - [`tokenizer`], [`scheduler`], [`pipeline`]: the diffusion pipeline;
//! - [`artifacts`]: content-addressed image store;
//! - [`selftest`]: checks that the embedded model's images show what the prompt asks;
//! - [`server`]: `aitbc-worker serve`;
//! - [`chain`]: chain mode (`init`, `register`, `start`).

pub mod artifacts;
pub mod chain;
pub mod compare;
pub mod model;
pub mod onnx;
pub mod pipeline;
pub mod scheduler;
pub mod selftest;
pub mod server;
pub mod tokenizer;

/// A path inside the AITBC repository: found from the current directory upwards first (a shared
/// `CARGO_TARGET_DIR` means the binary may have been built from another checkout), else in the
/// checkout this binary was built from.
pub fn repo_path(relative: &str) -> std::path::PathBuf {
	if let Ok(cwd) = std::env::current_dir() {
		for dir in cwd.ancestors() {
			let candidate = dir.join(relative);
			if candidate.exists() && dir.join("gpu-worker").is_dir() {
				return candidate;
			}
		}
	}
	std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(relative)
}
