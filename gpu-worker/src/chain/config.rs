//! `worker.toml`: what `aitbc-worker init` writes and `register` / `start` read.
//!
//! Relative paths in the file are relative to the folder holding it, so a worker folder can be
//! moved as a whole.

use std::{
	net::SocketAddr,
	path::{Path, PathBuf},
};

use serde::{Deserialize, Serialize};

/// The config file's name inside a worker folder.
pub const CONFIG_FILE: &str = "worker.toml";

/// Chain-mode settings.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct WorkerConfig {
	/// Node WebSocket RPC URL.
	pub node: String,
	/// Key file of the provider account (signs claims and receipt transactions).
	pub provider_key: PathBuf,
	/// Key file of the worker key (signs receipts; registered in the offer).
	pub worker_key: PathBuf,
	/// Model folders served (SD ONNX layout with manifest.json).
	pub models: Vec<PathBuf>,
	/// Price per compute unit, in AIT ("0.001").
	pub price_per_unit: String,
	/// Jobs taken at once.
	pub capacity: u32,
	/// Execution device: auto, cpu, cuda or cuda:N.
	pub device: String,
	/// GPU name published in the offer (empty: the detected device).
	#[serde(default)]
	pub gpu_name: String,
	/// GPU memory in MiB published in the offer.
	#[serde(default)]
	pub gpu_memory_mib: u32,
	/// Largest image (width × height) this GPU runs, published in the offer: the chain assigns
	/// and lets it claim no larger job.
	#[serde(default = "default_max_pixels")]
	pub max_pixels: u32,
	/// Where images are stored by sha256.
	pub artifact_dir: PathBuf,
	/// Where jobs in progress are journalled (survives restarts).
	pub state_dir: PathBuf,
	/// Address the artifact server listens on.
	pub http_listen: SocketAddr,
	/// Public base URL of the artifact server, published in the offer.
	pub endpoint: String,
}

/// 1024 × 1024: what a consumer GPU runs with an SD 1.5-class model.
pub const DEFAULT_MAX_PIXELS: u32 = 1_024 * 1_024;

fn default_max_pixels() -> u32 {
	DEFAULT_MAX_PIXELS
}

impl WorkerConfig {
	/// Reads `path` (a `worker.toml`, or a folder holding one) and makes its paths absolute.
	pub fn load(path: &Path) -> Result<(Self, PathBuf), String> {
		let file = if path.is_dir() { path.join(CONFIG_FILE) } else { path.to_path_buf() };
		let text = std::fs::read_to_string(&file).map_err(|e| {
			format!("reading {}: {e} (create one with `aitbc-worker init`)", file.display())
		})?;
		let mut config: Self =
			toml::from_str(&text).map_err(|e| format!("{}: {e}", file.display()))?;
		let base = file.parent().map(Path::to_path_buf).unwrap_or_default();
		let absolute = |p: &mut PathBuf| {
			if p.is_relative() {
				*p = base.join(&*p);
			}
		};
		absolute(&mut config.provider_key);
		absolute(&mut config.worker_key);
		absolute(&mut config.artifact_dir);
		absolute(&mut config.state_dir);
		config.models.iter_mut().for_each(absolute);
		config.validate().map_err(|e| format!("{}: {e}", file.display()))?;
		Ok((config, file))
	}

	/// Checks what can be checked without the chain.
	pub fn validate(&self) -> Result<(), String> {
		if !(self.node.starts_with("ws://") || self.node.starts_with("wss://")) {
			return Err(format!("node '{}' must be a ws:// or wss:// URL", self.node));
		}
		if self.models.is_empty() {
			return Err("models is empty: list at least one model folder".into());
		}
		aitbc_client::parse_ait(&self.price_per_unit)
			.map_err(|e| format!("price_per_unit: {e}"))?;
		if self.capacity == 0 {
			return Err("capacity must be at least 1".into());
		}
		self.device.parse::<crate::onnx::DeviceChoice>().map_err(|e| format!("device: {e}"))?;
		if !(self.endpoint.starts_with("http://") || self.endpoint.starts_with("https://")) {
			return Err(format!("endpoint '{}' must be an http:// or https:// URL", self.endpoint));
		}
		Ok(())
	}

	/// Writes the config as TOML to `path`.
	pub fn write(&self, path: &Path) -> Result<(), String> {
		let text = toml::to_string_pretty(self).map_err(|e| e.to_string())?;
		let header = "# aitbc-worker chain mode (written by `aitbc-worker init`; relative paths are relative to this file)\n";
		std::fs::write(path, format!("{header}{text}"))
			.map_err(|e| format!("writing {}: {e}", path.display()))
	}

	/// The price per unit in the smallest AIT unit.
	pub fn price(&self) -> u128 {
		aitbc_client::parse_ait(&self.price_per_unit).unwrap_or(0)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn sample() -> WorkerConfig {
		WorkerConfig {
			node: "ws://127.0.0.1:9944".into(),
			provider_key: "provider.key".into(),
			worker_key: "worker.key".into(),
			models: vec!["/models/tiny-shapes".into()],
			price_per_unit: "0.001".into(),
			capacity: 1,
			device: "auto".into(),
			gpu_name: String::new(),
			gpu_memory_mib: 0,
			max_pixels: DEFAULT_MAX_PIXELS,
			artifact_dir: "artifacts".into(),
			state_dir: "state".into(),
			http_listen: "127.0.0.1:8090".parse().unwrap(),
			endpoint: "http://127.0.0.1:8090".into(),
		}
	}

	#[test]
	fn a_written_config_loads_back_with_paths_relative_to_its_folder() {
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join(CONFIG_FILE);
		sample().write(&path).unwrap();
		let (loaded, file) = WorkerConfig::load(dir.path()).unwrap();
		assert_eq!(file, path);
		assert_eq!(loaded.worker_key, dir.path().join("worker.key"));
		assert_eq!(loaded.state_dir, dir.path().join("state"));
		assert_eq!(loaded.models, vec![PathBuf::from("/models/tiny-shapes")]);
		assert_eq!(loaded.price(), 1_000_000_000);
	}

	#[test]
	fn bad_values_are_named() {
		let mut c = sample();
		c.price_per_unit = "cheap".into();
		assert!(c.validate().unwrap_err().contains("price_per_unit"));
		let mut c = sample();
		c.node = "http://x".into();
		assert!(c.validate().unwrap_err().contains("ws://"));
		let mut c = sample();
		c.capacity = 0;
		assert!(c.validate().unwrap_err().contains("capacity"));
		let mut c = sample();
		c.device = "tpu".into();
		assert!(c.validate().unwrap_err().contains("device"));
		let dir = tempfile::tempdir().unwrap();
		let err = WorkerConfig::load(dir.path()).unwrap_err();
		assert!(err.contains("aitbc-worker init"), "{err}");
		std::fs::write(dir.path().join(CONFIG_FILE), "node = 3\n").unwrap();
		assert!(WorkerConfig::load(dir.path()).unwrap_err().contains("worker.toml"));
	}
}
