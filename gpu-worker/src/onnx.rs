//! Loading ONNX Runtime (1.31, from the PyPI wheel's shared library) and creating sessions on
//! the CUDA execution provider when it works, the CPU provider otherwise. The provider that was
//! actually registered is recorded, never assumed.

use std::{
	ffi::CStr,
	fmt,
	path::{Path, PathBuf},
	sync::Arc,
};

use ort::{
	environment::Environment,
	ep::{self, ExecutionProvider},
	session::{builder::GraphOptimizationLevel, Session},
};

/// The ONNX Runtime release this worker is built against (ort 2.0.0-rc.15's API 31).
pub const ORT_VERSION_PREFIX: &str = "1.31.";
/// File name of the library inside the wheel (`onnxruntime/capi/`).
pub const ORT_LIBRARY_FILE: &str = "libonnxruntime.so.1.31.1";
/// Environment variable naming the library explicitly.
pub const ORT_LIBRARY_ENV: &str = "AITBC_ORT_LIB";
/// Where `scripts/setup.sh` installs the library, relative to the repository root.
pub const PROJECT_ORT_DIR: &str = ".ort/lib";

/// Which execution provider the caller asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeviceChoice {
	/// CUDA device 0 when it works, CPU otherwise.
	Auto,
	/// CPU only.
	Cpu,
	/// This CUDA device or an error.
	Cuda(i32),
}

impl std::str::FromStr for DeviceChoice {
	type Err = String;
	fn from_str(s: &str) -> Result<Self, Self::Err> {
		match s {
			"auto" => Ok(Self::Auto),
			"cpu" => Ok(Self::Cpu),
			"cuda" => Ok(Self::Cuda(0)),
			other => other
				.strip_prefix("cuda:")
				.and_then(|id| id.parse().ok())
				.map(Self::Cuda)
				.ok_or_else(|| format!("unknown device '{other}': use auto, cpu, cuda or cuda:N")),
		}
	}
}

/// ONNX Runtime's graph optimisation level for a session.
///
/// `All` (ORT_ENABLE_ALL, ONNX Runtime's own default) is what the worker runs; the others exist
/// so the audit tolerance benchmark can show that an honest re-run at another level still
/// matches.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Optimization {
	/// No graph rewrites.
	Disabled,
	/// Constant folding and redundant-node elimination only (ORT_ENABLE_BASIC).
	Basic,
	/// Every rewrite, including the layout and fused-kernel ones (ORT_ENABLE_ALL).
	#[default]
	All,
}

impl std::str::FromStr for Optimization {
	type Err = String;
	fn from_str(s: &str) -> Result<Self, Self::Err> {
		match s {
			"disabled" => Ok(Self::Disabled),
			"basic" => Ok(Self::Basic),
			"all" => Ok(Self::All),
			other => {
				Err(format!("unknown optimisation level '{other}': use disabled, basic or all"))
			},
		}
	}
}

/// The execution provider sessions were actually created with.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Provider {
	/// ONNX Runtime's name, e.g. `CUDAExecutionProvider` or `CPUExecutionProvider`.
	pub name: String,
	/// Human description of the device, e.g. `cuda:0` or `cpu`.
	pub device: String,
	/// Why CUDA was not used, when `Auto` fell back to CPU.
	pub fallback_reason: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum OnnxError {
	#[error("{0}")]
	Library(String),
	#[error("model file {path}: {reason}")]
	Session { path: String, reason: String },
	#[error("CUDA was requested but cannot be used: {0}")]
	CudaUnavailable(String),
	#[error("inference failed in {stage}: {reason}")]
	Run { stage: &'static str, reason: String },
}

/// A loaded ONNX Runtime: the environment and where the library came from.
pub struct OnnxRuntime {
	pub environment: Environment,
	pub library: PathBuf,
	pub version: String,
}

impl fmt::Debug for OnnxRuntime {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		write!(f, "ONNX Runtime {} ({})", self.version, self.library.display())
	}
}

/// The places the library is looked for, in order: an explicit path, `$AITBC_ORT_LIB`, next to
/// the executable (and in its `lib/`), then the repository's `.ort/lib` that the set-up script fills
/// (see [`crate::repo_path`]).
pub fn library_candidates(explicit: Option<&Path>) -> Vec<PathBuf> {
	if let Some(path) = explicit {
		return vec![path.to_path_buf()];
	}
	let mut candidates = Vec::new();
	if let Some(path) = std::env::var_os(ORT_LIBRARY_ENV) {
		candidates.push(PathBuf::from(path));
	}
	if let Some(dir) =
		std::env::current_exe().ok().and_then(|exe| exe.parent().map(Path::to_path_buf))
	{
		candidates.push(dir.join(ORT_LIBRARY_FILE));
		candidates.push(dir.join("lib").join(ORT_LIBRARY_FILE));
	}
	candidates.push(crate::repo_path(&format!("{PROJECT_ORT_DIR}/{ORT_LIBRARY_FILE}")));
	candidates
}

/// Reads the library's version string without initialising ort, so a wrong release is a clear
/// error naming the file instead of a crash later.
fn library_version(path: &Path) -> Result<String, String> {
	// SAFETY: loading ONNX Runtime runs no initialisers with preconditions; the symbol has the
	// C signature ONNX Runtime documents, and the returned string is static in the library.
	unsafe {
		let library = libloading::Library::new(path).map_err(|e| e.to_string())?;
		let get_api_base: libloading::Symbol<
			unsafe extern "C" fn() -> *const ort::sys::OrtApiBase,
		> = library
			.get(b"OrtGetApiBase")
			.map_err(|_| "not an ONNX Runtime library (no OrtGetApiBase)".to_string())?;
		let base = get_api_base();
		if base.is_null() {
			return Err("OrtGetApiBase returned null".into());
		}
		let version = CStr::from_ptr(((*base).GetVersionString)()).to_string_lossy().into_owned();
		// Keep it loaded: ort opens the same file next and the process keeps it for its lifetime.
		std::mem::forget(library);
		Ok(version)
	}
}

/// The process's ONNX Runtime: ONNX Runtime allows one environment per process, so every
/// pipeline in a process shares the first one loaded.
static LOADED: std::sync::Mutex<Option<Arc<OnnxRuntime>>> = std::sync::Mutex::new(None);

/// Finds, checks and loads ONNX Runtime 1.31 (once per process; later calls return the same
/// runtime, or an error if they name a different library).
pub fn load(explicit: Option<&Path>) -> Result<Arc<OnnxRuntime>, OnnxError> {
	let mut loaded = LOADED.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
	if let Some(runtime) = loaded.as_ref() {
		if let Some(path) = explicit {
			if path != runtime.library {
				return Err(OnnxError::Library(format!(
					"ONNX Runtime is already loaded from {} in this process; cannot also load {}",
					runtime.library.display(),
					path.display()
				)));
			}
		}
		return Ok(runtime.clone());
	}
	let runtime = Arc::new(load_library(explicit)?);
	*loaded = Some(runtime.clone());
	Ok(runtime)
}

fn load_library(explicit: Option<&Path>) -> Result<OnnxRuntime, OnnxError> {
	let mut tried = Vec::new();
	for path in library_candidates(explicit) {
		if !path.is_file() {
			tried.push(format!("{} (not found)", path.display()));
			continue;
		}
		let version = match library_version(&path) {
			Ok(version) => version,
			Err(reason) => {
				tried.push(format!("{} ({reason})", path.display()));
				continue;
			},
		};
		if !version.starts_with(ORT_VERSION_PREFIX) {
			return Err(OnnxError::Library(format!(
				"ONNX Runtime at {} is version {version}, but aitbc-worker needs {ORT_VERSION_PREFIX}x: \
				 install onnxruntime==1.31.1 (or onnxruntime-gpu==1.31.1) and point --ort-library or \
				 ${ORT_LIBRARY_ENV} at its onnxruntime/capi/{ORT_LIBRARY_FILE}, or run scripts/setup.sh",
				path.display()
			)));
		}
		let environment = ort::init_from(&path)
			.map_err(|e| OnnxError::Library(format!("loading {}: {e}", path.display())))?
			.with_name("aitbc-worker")
			.build()
			.map_err(|e| {
				OnnxError::Library(format!("creating the ONNX Runtime environment: {e}"))
			})?;
		let library = path.canonicalize().unwrap_or(path);
		return Ok(OnnxRuntime { environment, library, version });
	}
	Err(OnnxError::Library(format!(
		"ONNX Runtime 1.31 not found; tried: {}. Run scripts/setup.sh (installs it into {PROJECT_ORT_DIR}), \
		 or install onnxruntime==1.31.1 from PyPI (onnxruntime-gpu for CUDA) and pass --ort-library PATH \
		 or set {ORT_LIBRARY_ENV}=PATH to its onnxruntime/capi/{ORT_LIBRARY_FILE}",
		tried.join("; ")
	)))
}

impl OnnxRuntime {
	/// Creates a session for `model` on `provider`'s device (the provider must have been chosen
	/// by [`OnnxRuntime::choose_provider`]).
	pub fn session(
		&self,
		model: &Path,
		provider: &Provider,
		threads: usize,
		optimization: Optimization,
	) -> Result<Session, OnnxError> {
		let err = |reason: String| OnnxError::Session { path: model.display().to_string(), reason };
		// `All` is ORT_ENABLE_ALL, ONNX Runtime's own default (ort's `Level3` is only
		// ORT_ENABLE_LAYOUT, which left the UNet about 10% slower than the Python reference).
		let mut builder = Session::builder(&self.environment)
			.map_err(|e| err(e.to_string()))?
			.with_optimization_level(match optimization {
				Optimization::Disabled => GraphOptimizationLevel::Disable,
				Optimization::Basic => GraphOptimizationLevel::Level1,
				Optimization::All => GraphOptimizationLevel::All,
			})
			.map_err(|e| err(e.to_string()))?;
		if threads > 0 {
			builder = builder.with_intra_threads(threads).map_err(|e| err(e.to_string()))?;
		}
		if let Some(id) =
			provider.device.strip_prefix("cuda:").and_then(|id| id.parse::<i32>().ok())
		{
			builder = builder
				.with_execution_providers([ep::CUDA::default()
					.with_device_id(id)
					.build()
					.error_on_failure()])
				.map_err(|e| err(format!("registering CUDA: {e}")))?;
		}
		builder.commit_from_file(model).map_err(|e| err(e.to_string()))
	}

	/// Decides the execution provider: for CUDA, registers it on a probe session built from
	/// `probe_model` and keeps it only if that succeeds.
	pub fn choose_provider(
		&self,
		choice: DeviceChoice,
		probe_model: &Path,
	) -> Result<Provider, OnnxError> {
		let cpu = |reason: Option<String>| Provider {
			name: "CPUExecutionProvider".into(),
			device: "cpu".into(),
			fallback_reason: reason,
		};
		let id = match choice {
			DeviceChoice::Cpu => return Ok(cpu(None)),
			DeviceChoice::Auto => 0,
			DeviceChoice::Cuda(id) => id,
		};
		let cuda = Provider {
			name: "CUDAExecutionProvider".into(),
			device: format!("cuda:{id}"),
			fallback_reason: None,
		};
		let probe = match ep::CUDA::is_available() {
			Ok(true) => self
				.session(probe_model, &cuda, 1, Optimization::All)
				.map(drop)
				.map_err(|e| e.to_string()),
			Ok(false) => Err(format!(
				"this ONNX Runtime ({}) was built without CUDA (install onnxruntime-gpu==1.31.1)",
				self.library.display()
			)),
			Err(e) => Err(e.to_string()),
		};
		match (probe, choice) {
			(Ok(()), _) => Ok(cuda),
			(Err(reason), DeviceChoice::Auto) => Ok(cpu(Some(reason))),
			(Err(reason), _) => Err(OnnxError::CudaUnavailable(reason)),
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn device_choices_parse() {
		assert_eq!("auto".parse::<DeviceChoice>(), Ok(DeviceChoice::Auto));
		assert_eq!("cpu".parse::<DeviceChoice>(), Ok(DeviceChoice::Cpu));
		assert_eq!("cuda".parse::<DeviceChoice>(), Ok(DeviceChoice::Cuda(0)));
		assert_eq!("cuda:3".parse::<DeviceChoice>(), Ok(DeviceChoice::Cuda(3)));
		assert!("gpu"
			.parse::<DeviceChoice>()
			.unwrap_err()
			.contains("use auto, cpu, cuda or cuda:N"));
	}

	#[test]
	fn a_missing_library_names_every_path_tried_and_the_fix() {
		let err = load_library(Some(Path::new("/nonexistent/libonnxruntime.so")))
			.unwrap_err()
			.to_string();
		assert!(err.contains("/nonexistent/libonnxruntime.so (not found)"), "{err}");
		assert!(err.contains("scripts/setup.sh"), "{err}");
	}

	#[test]
	fn a_file_that_is_not_onnx_runtime_is_refused() {
		let dir = tempfile::tempdir().unwrap();
		let fake = dir.path().join("libonnxruntime.so.1.31.1");
		std::fs::write(&fake, b"not a library").unwrap();
		let err = load_library(Some(&fake)).unwrap_err().to_string();
		assert!(err.contains(&fake.display().to_string()), "{err}");
		assert!(err.contains("not found"), "{err}");
	}
}
