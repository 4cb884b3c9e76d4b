//! A model folder in the common Stable Diffusion ONNX layout, pinned by `manifest.json`
//! (sha256 of every file). The worker refuses a folder whose files do not match its manifest.

use std::{
	fs::File,
	io::Read,
	path::{Path, PathBuf},
};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Files every model folder must have (and its manifest must pin).
pub const REQUIRED_FILES: [&str; 6] = [
	"model_index.json",
	"tokenizer/vocab.json",
	"tokenizer/merges.txt",
	"text_encoder/model.onnx",
	"unet/model.onnx",
	"vae_decoder/model.onnx",
];
/// The scheduler config (SD exports keep it here).
pub const SCHEDULER_CONFIG: &str = "scheduler/scheduler_config.json";

/// One pinned file.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct ManifestFile {
	/// Path relative to the model folder, `/`-separated.
	pub path: String,
	/// Lower-case hex sha256 of the file's bytes.
	pub sha256: String,
	/// Size in bytes.
	pub bytes: u64,
}

/// What a model allows; the HTTP API and the chain's model registry use the same limits.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct ModelLimits {
	pub max_width: u32,
	pub max_height: u32,
	pub max_steps: u32,
	/// Width and height must be multiples of this (VAE factor x UNet downsampling).
	pub size_multiple: u32,
}

impl Default for ModelLimits {
	fn default() -> Self {
		Self { max_width: 1024, max_height: 1024, max_steps: 100, size_multiple: 64 }
	}
}

impl ModelLimits {
	/// Checks steps and image size against the model; the error names the offending field.
	pub fn check(&self, steps: u32, width: u32, height: u32) -> Result<(), (String, &'static str)> {
		if steps == 0 || steps > self.max_steps {
			return Err((
				format!("steps must be between 1 and {} for this model", self.max_steps),
				"steps",
			));
		}
		for (value, max, field) in
			[(width, self.max_width, "width"), (height, self.max_height, "height")]
		{
			if value > max {
				return Err((format!("{field} must be at most {max} for this model"), field));
			}
			if value == 0 || value % self.size_multiple != 0 {
				return Err((
					format!("{field} must be a multiple of {} for this model", self.size_multiple),
					field,
				));
			}
		}
		Ok(())
	}
}

/// `manifest.json` of a model folder.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
	/// Model name (the worker reports it; the chain's model registry refers to its hashes).
	pub name: String,
	/// Pipeline kind; only `stable-diffusion` today.
	pub pipeline: String,
	#[serde(default)]
	pub limits: ModelLimits,
	pub files: Vec<ManifestFile>,
}

#[derive(Debug, thiserror::Error)]
pub enum ModelError {
	#[error(
		"model folder {0} has no manifest.json: pin its files with `aitbc-worker manifest {0}`"
	)]
	NoManifest(String),
	#[error("manifest {path}: {reason}")]
	BadManifest { path: String, reason: String },
	#[error("model file {path} does not match the manifest: {reason}")]
	Mismatch { path: String, reason: String },
	#[error("model folder {dir}: {reason}")]
	Layout { dir: String, reason: String },
}

/// sha256 of a file, streamed.
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
	let mut file = File::open(path)?;
	let mut hasher = Sha256::new();
	let mut buffer = vec![0u8; 1 << 20];
	loop {
		let n = file.read(&mut buffer)?;
		if n == 0 {
			break;
		}
		hasher.update(&buffer[..n]);
	}
	Ok(hex::encode(hasher.finalize()))
}

impl Manifest {
	/// Reads `dir/manifest.json` and checks every file it lists, plus that it lists the layout's
	/// required files. Returns the manifest and the sha256 of the manifest file itself.
	pub fn load_verified(dir: &Path) -> Result<(Self, String), ModelError> {
		let path = dir.join("manifest.json");
		if !path.is_file() {
			return Err(ModelError::NoManifest(dir.display().to_string()));
		}
		let bad =
			|reason: String| ModelError::BadManifest { path: path.display().to_string(), reason };
		let text = std::fs::read(&path).map_err(|e| bad(e.to_string()))?;
		let manifest: Manifest = serde_json::from_slice(&text).map_err(|e| bad(e.to_string()))?;
		if manifest.pipeline != "stable-diffusion" {
			return Err(bad(format!(
				"pipeline '{}' is not supported (stable-diffusion is)",
				manifest.pipeline
			)));
		}
		for required in REQUIRED_FILES.iter().chain([&SCHEDULER_CONFIG]) {
			if !manifest.files.iter().any(|f| f.path == *required) {
				return Err(bad(format!("it does not pin {required}")));
			}
		}
		for file in &manifest.files {
			let rel = Path::new(&file.path);
			if rel.is_absolute()
				|| rel.components().any(|c| matches!(c, std::path::Component::ParentDir))
			{
				return Err(bad(format!("path {} leaves the model folder", file.path)));
			}
			let full = dir.join(rel);
			let mismatch =
				|reason: String| ModelError::Mismatch { path: full.display().to_string(), reason };
			let meta = std::fs::metadata(&full).map_err(|e| mismatch(e.to_string()))?;
			if meta.len() != file.bytes {
				return Err(mismatch(format!(
					"{} bytes, manifest says {}",
					meta.len(),
					file.bytes
				)));
			}
			let digest = sha256_file(&full).map_err(|e| mismatch(e.to_string()))?;
			if digest != file.sha256 {
				return Err(mismatch(format!("sha256 {digest}, manifest says {}", file.sha256)));
			}
		}
		let mut hasher = Sha256::new();
		hasher.update(&text);
		Ok((manifest, hex::encode(hasher.finalize())))
	}

	/// A manifest pinning every file under `dir` (for `aitbc-worker manifest`).
	pub fn create(dir: &Path, name: &str, limits: ModelLimits) -> Result<Self, ModelError> {
		let layout = |reason: String| ModelError::Layout { dir: dir.display().to_string(), reason };
		for required in REQUIRED_FILES.iter().chain([&SCHEDULER_CONFIG]) {
			if !dir.join(required).is_file() {
				return Err(layout(format!(
					"{required} is missing (expected the SD ONNX export layout)"
				)));
			}
		}
		let mut files = Vec::new();
		let mut stack = vec![dir.to_path_buf()];
		while let Some(current) = stack.pop() {
			for entry in std::fs::read_dir(&current).map_err(|e| layout(e.to_string()))? {
				let entry = entry.map_err(|e| layout(e.to_string()))?;
				let path = entry.path();
				if path.is_dir() {
					stack.push(path);
					continue;
				}
				let rel = path.strip_prefix(dir).map_err(|e| layout(e.to_string()))?;
				let rel = rel
					.components()
					.map(|c| c.as_os_str().to_string_lossy())
					.collect::<Vec<_>>()
					.join("/");
				if rel == "manifest.json" {
					continue;
				}
				let sha256 = sha256_file(&path).map_err(|e| layout(e.to_string()))?;
				let bytes = entry.metadata().map_err(|e| layout(e.to_string()))?.len();
				files.push(ManifestFile { path: rel, sha256, bytes });
			}
		}
		files.sort_by(|a, b| a.path.cmp(&b.path));
		Ok(Self { name: name.into(), pipeline: "stable-diffusion".into(), limits, files })
	}
}

/// Default location of the embedded model in the repository.
pub fn embedded_model_dir() -> PathBuf {
	crate::repo_path("models/tiny-shapes")
}

#[cfg(test)]
mod tests {
	use super::*;

	fn copy_embedded(to: &Path) {
		let from = embedded_model_dir();
		let manifest: Manifest =
			serde_json::from_slice(&std::fs::read(from.join("manifest.json")).unwrap()).unwrap();
		for file in
			manifest.files.iter().map(|f| f.path.clone()).chain(["manifest.json".to_string()])
		{
			let target = to.join(&file);
			std::fs::create_dir_all(target.parent().unwrap()).unwrap();
			std::fs::copy(from.join(&file), target).unwrap();
		}
	}

	#[test]
	fn the_embedded_model_matches_its_manifest() {
		let (manifest, digest) = Manifest::load_verified(&embedded_model_dir()).unwrap();
		assert_eq!(manifest.name, "tiny-shapes");
		assert_eq!(digest.len(), 64);
	}

	#[test]
	fn a_changed_byte_is_refused_naming_the_file() {
		let dir = tempfile::tempdir().unwrap();
		copy_embedded(dir.path());
		let unet = dir.path().join("unet/model.onnx");
		let mut bytes = std::fs::read(&unet).unwrap();
		let last = bytes.len() - 1;
		bytes[last] ^= 1;
		std::fs::write(&unet, bytes).unwrap();
		let err = Manifest::load_verified(dir.path()).unwrap_err();
		assert!(matches!(err, ModelError::Mismatch { .. }), "{err}");
		assert!(err.to_string().contains("unet/model.onnx"), "{err}");
		assert!(err.to_string().contains("sha256"), "{err}");
	}

	#[test]
	fn a_missing_manifest_says_how_to_make_one() {
		let dir = tempfile::tempdir().unwrap();
		let err = Manifest::load_verified(dir.path()).unwrap_err().to_string();
		assert!(err.contains("aitbc-worker manifest"), "{err}");
	}

	#[test]
	fn a_manifest_made_by_create_verifies() {
		let dir = tempfile::tempdir().unwrap();
		copy_embedded(dir.path());
		let manifest = Manifest::create(dir.path(), "copy", ModelLimits::default()).unwrap();
		std::fs::write(dir.path().join("manifest.json"), serde_json::to_vec(&manifest).unwrap())
			.unwrap();
		let (loaded, _) = Manifest::load_verified(dir.path()).unwrap();
		assert_eq!(loaded, manifest);
		assert!(loaded.files.iter().any(|f| f.path == "unet/model.onnx"));
	}
}
