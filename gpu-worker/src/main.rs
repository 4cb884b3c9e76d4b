//! `aitbc-worker`: the AITBC GPU worker command line.

use std::{
	net::SocketAddr,
	num::NonZeroU32,
	path::{Path, PathBuf},
	process::ExitCode,
	time::Duration,
};

use aitbc_worker::{
	model::{Manifest, ModelLimits},
	onnx::DeviceChoice,
	pipeline::{default_model_dir, GenerateRequest, Pipeline, PipelineOptions},
	scheduler::SchedulerKind,
	selftest::{DatasetInfo, SELFTEST_CASES},
	server::{self, ServeConfig},
};
use anyhow::{bail, Context};
use clap::{Args, Parser, Subcommand};

/// AITBC GPU worker: text-to-image on ONNX Runtime, served over HTTP.
#[derive(Parser)]
#[command(name = "aitbc-worker", version)]
struct Cli {
	#[command(subcommand)]
	command: Command,
	/// Log format: json (one object per line) or text.
	#[arg(long, global = true, default_value = "json")]
	log_format: String,
}

#[derive(Args, Clone)]
struct ModelArgs {
	/// Model folder (SD ONNX layout with manifest.json); defaults to the embedded tiny-shapes model.
	#[arg(long, env = "AITBC_MODEL_DIR")]
	model: Option<PathBuf>,
	/// auto (CUDA if it works, else CPU), cpu, cuda or cuda:N.
	#[arg(long, default_value = "auto")]
	device: DeviceChoice,
	/// ONNX Runtime 1.31 library (libonnxruntime.so.1.31.1); found automatically when set up.
	#[arg(long, env = "AITBC_ORT_LIB")]
	ort_library: Option<PathBuf>,
	/// Intra-op threads per ONNX Runtime session (0 = its default, one per core).
	#[arg(long, default_value_t = 0)]
	threads: usize,
}

impl ModelArgs {
	fn options(&self) -> PipelineOptions {
		PipelineOptions {
			model_dir: self.model.clone().unwrap_or_else(default_model_dir),
			device: self.device,
			ort_library: self.ort_library.clone(),
			threads: self.threads,
			optimization: Default::default(),
		}
	}
}

#[derive(Subcommand)]
enum Command {
	/// Serve the Stage 1 HTTP API (POST /v1/generate-image, GET /v1/health, /metrics, ...).
	Serve {
		#[command(flatten)]
		model: ModelArgs,
		/// Address to listen on.
		#[arg(long, default_value = "127.0.0.1:8080")]
		listen: SocketAddr,
		/// API key(s), comma-separated (prefer --api-key-file).
		#[arg(long, env = "AITBC_WORKER_API_KEY", hide_env_values = true)]
		api_key: Option<String>,
		/// File with one API key per line.
		#[arg(long)]
		api_key_file: Option<PathBuf>,
		/// Requests per minute allowed per API key.
		#[arg(long, default_value_t = NonZeroU32::new(60).expect("non-zero"))]
		rate_limit: NonZeroU32,
		/// Jobs that may wait behind the running one before requests get 503.
		#[arg(long, default_value_t = 8)]
		queue: usize,
		/// Largest accepted request body in bytes.
		#[arg(long, default_value_t = 64 * 1024)]
		body_limit: usize,
		/// Seconds before a request is answered 408.
		#[arg(long, default_value_t = 300)]
		timeout: u64,
		/// Where generated images are stored by sha256.
		#[arg(long, default_value = ".aitbc-data/artifacts")]
		artifacts: PathBuf,
	},
	/// Generate one image and write it as PNG.
	Generate {
		#[command(flatten)]
		model: ModelArgs,
		#[arg(long)]
		prompt: String,
		#[arg(long, default_value_t = 20)]
		steps: u32,
		#[arg(long, default_value_t = 7.5)]
		guidance: f32,
		#[arg(long, default_value_t = 256)]
		width: u32,
		#[arg(long, default_value_t = 256)]
		height: u32,
		#[arg(long, default_value_t = 0)]
		seed: u64,
		/// ddim or euler.
		#[arg(long, default_value = "ddim")]
		scheduler: SchedulerKind,
		/// Output PNG file.
		#[arg(long, short)]
		out: PathBuf,
	},
	/// Write manifest.json pinning every file of a model folder by sha256.
	Manifest {
		/// The model folder.
		dir: PathBuf,
		/// Model name recorded in the manifest.
		#[arg(long)]
		name: String,
		#[arg(long, default_value_t = 1024)]
		max_width: u32,
		#[arg(long, default_value_t = 1024)]
		max_height: u32,
		#[arg(long, default_value_t = 100)]
		max_steps: u32,
		/// Sides must be multiples of this (VAE factor x UNet downsampling; 64 for SD 1.5).
		#[arg(long, default_value_t = 64)]
		size_multiple: u32,
	},
	/// Generate known prompts with the embedded shapes model and check the images' colours.
	Selftest {
		#[command(flatten)]
		model: ModelArgs,
		/// Check every caption of the training set (90) instead of the twelve standard ones.
		#[arg(long)]
		all: bool,
		#[arg(long, default_value_t = 20)]
		steps: u32,
		#[arg(long, default_value = "ddim")]
		scheduler: SchedulerKind,
		#[arg(long, default_value_t = 1)]
		seed: u64,
	},
	/// Load ONNX Runtime and the model, and print what would run where.
	Info {
		#[command(flatten)]
		model: ModelArgs,
	},
	/// Chain mode: write a worker folder (worker.toml, a new worker key, the provider key).
	Init {
		/// The worker folder.
		#[arg(long, default_value = "aitbc-worker")]
		dir: PathBuf,
		#[arg(long, default_value = "ws://127.0.0.1:9944")]
		node: String,
		/// Model folders to serve (repeatable; default: the embedded tiny-shapes model).
		#[arg(long = "model")]
		models: Vec<PathBuf>,
		/// Price per compute unit in AIT.
		#[arg(long, default_value = "0.001")]
		price: String,
		/// Jobs taken at once.
		#[arg(long, default_value_t = 1)]
		capacity: u32,
		/// auto, cpu, cuda or cuda:N.
		#[arg(long, default_value = "auto")]
		device: String,
		/// GPU name for the offer (default: the device setting).
		#[arg(long, default_value = "")]
		gpu_name: String,
		#[arg(long, default_value_t = 0)]
		gpu_memory_mib: u32,
		/// Largest image (width × height, in pixels) this GPU runs; published in the offer.
		#[arg(long, default_value_t = aitbc_worker::chain::config::DEFAULT_MAX_PIXELS)]
		max_pixels: u32,
		/// Address of the artifact server.
		#[arg(long, default_value = "127.0.0.1:8090")]
		http_listen: SocketAddr,
		/// Public URL of the artifact server (default: http://<http-listen>).
		#[arg(long)]
		endpoint: Option<String>,
		/// Use this provider account (secret URI, mnemonic, or a dev name on dev chains) instead of
		/// generating one.
		#[arg(long, hide_env_values = true)]
		provider: Option<String>,
	},
	/// Chain mode: publish (or update) the offer and the worker key.
	Register {
		/// The worker folder or its worker.toml.
		#[arg(long, default_value = "aitbc-worker")]
		config: PathBuf,
		/// Bond this much AIT first (when the chain requires provider stake).
		#[arg(long)]
		bond: Option<String>,
	},
	/// Chain mode: claim jobs, run them, store the images, submit signed receipts.
	Start {
		/// The worker folder or its worker.toml.
		#[arg(long, default_value = "aitbc-worker")]
		config: PathBuf,
		/// ONNX Runtime 1.31 library; found automatically when set up.
		#[arg(long, env = "AITBC_ORT_LIB")]
		ort_library: Option<PathBuf>,
		/// Intra-op threads per ONNX Runtime session (0 = one per core).
		#[arg(long, default_value_t = 0)]
		threads: usize,
	},
	/// Governance: register a model folder's hashes and limits on-chain (signed by the sudo key).
	AddModel {
		/// The model folder (with manifest.json).
		dir: PathBuf,
		#[arg(long, default_value = "ws://127.0.0.1:9944")]
		node: String,
		/// The governance (sudo) key: secret URI, mnemonic, or a dev name on dev chains.
		#[arg(long, hide_env_values = true)]
		governance: String,
		/// Cost weight of one step at 512x512 relative to the reference model.
		#[arg(long, default_value_t = 1.0)]
		unit_weight: f64,
	},
}

fn init_logging(format: &str) {
	let filter = tracing_subscriber::EnvFilter::try_from_default_env()
		.unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,ort=warn"));
	use std::io::IsTerminal;
	let builder = tracing_subscriber::fmt()
		.with_env_filter(filter)
		.with_writer(std::io::stderr)
		.with_ansi(std::io::stderr().is_terminal());
	if format == "text" {
		builder.init();
	} else {
		builder.json().flatten_event(true).with_current_span(false).init();
	}
}

fn read_api_keys(inline: Option<String>, file: Option<&Path>) -> anyhow::Result<Vec<String>> {
	let mut keys: Vec<String> =
		inline.iter().flat_map(|k| k.split(',')).map(|k| k.trim().to_string()).collect();
	if let Some(file) = file {
		let text = std::fs::read_to_string(file)
			.with_context(|| format!("reading API key file {}", file.display()))?;
		keys.extend(
			text.lines()
				.map(str::trim)
				.filter(|l| !l.is_empty() && !l.starts_with('#'))
				.map(str::to_string),
		);
	}
	keys.retain(|k| !k.is_empty());
	if keys.is_empty() {
		bail!("no API key: set AITBC_WORKER_API_KEY, pass --api-key, or --api-key-file FILE (one key per line)");
	}
	Ok(keys)
}

async fn shutdown_signal() {
	let ctrl_c = tokio::signal::ctrl_c();
	let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
		Ok(term) => term,
		Err(_) => {
			let _ = ctrl_c.await;
			return;
		},
	};
	tokio::select! {
		_ = ctrl_c => {},
		_ = term.recv() => {},
	}
	tracing::info!("shutting down: finishing requests in flight");
}

async fn run(cli: Cli) -> anyhow::Result<()> {
	match cli.command {
		command @ (Command::Init { .. }
		| Command::Register { .. }
		| Command::Start { .. }
		| Command::AddModel { .. }) => chain_command(command).await,
		Command::Serve {
			model,
			listen,
			api_key,
			api_key_file,
			rate_limit,
			queue,
			body_limit,
			timeout,
			artifacts,
		} => {
			let api_keys = read_api_keys(api_key, api_key_file.as_deref())?;
			let options = model.options();
			let pipeline = tokio::task::spawn_blocking(move || Pipeline::load(&options)).await??;
			let config = ServeConfig {
				listen,
				api_keys,
				rate_limit_per_minute: rate_limit,
				queue_capacity: queue,
				body_limit_bytes: body_limit,
				request_timeout: Duration::from_secs(timeout),
				artifact_dir: artifacts,
			};
			let running = server::serve(config, pipeline, shutdown_signal()).await?;
			tracing::info!(addr = %running.addr, "listening");
			// Tests and scripts read this line to learn the port.
			println!("listening on http://{}", running.addr);
			running.done.await??;
			Ok(())
		},
		Command::Generate {
			model,
			prompt,
			steps,
			guidance,
			width,
			height,
			seed,
			scheduler,
			out,
		} => {
			let mut pipeline = Pipeline::load(&model.options())?;
			let request =
				GenerateRequest { prompt, steps, guidance, width, height, seed, scheduler };
			let bar = indicatif::ProgressBar::new(u64::from(steps));
			bar.set_style(
				indicatif::ProgressStyle::with_template(
					"{spinner} step {pos}/{len} {wide_bar} {elapsed}",
				)
				.unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
			);
			let generated =
				pipeline.generate(&request, &mut |step, _| bar.set_position(step as u64))?;
			bar.finish_and_clear();
			std::fs::write(&out, &generated.png)
				.with_context(|| format!("writing {}", out.display()))?;
			println!(
				"{}: {}x{} in {:.0} ms ({:.0} ms inference, {}) sha256 {}",
				out.display(),
				generated.width,
				generated.height,
				generated.timings.total_ms,
				generated.timings.inference_ms(),
				pipeline.provider().name,
				aitbc_worker::model::sha256_file(&out)?,
			);
			Ok(())
		},
		Command::Manifest { dir, name, max_width, max_height, max_steps, size_multiple } => {
			let manifest = Manifest::create(
				&dir,
				&name,
				ModelLimits { max_width, max_height, max_steps, size_multiple },
			)?;
			let path = dir.join("manifest.json");
			std::fs::write(&path, serde_json::to_string_pretty(&manifest)? + "\n")?;
			println!("wrote {} ({} files)", path.display(), manifest.files.len());
			Ok(())
		},
		Command::Selftest { model, all, steps, scheduler, seed } => {
			let options = model.options();
			let dataset = DatasetInfo::load(&options.model_dir)
				.map_err(|e| anyhow::anyhow!("{e} (selftest needs the shapes model)"))?;
			let mut pipeline = Pipeline::load(&options)?;
			let cases: Vec<(String, String, String)> = if all {
				dataset.all_cases()
			} else {
				SELFTEST_CASES
					.iter()
					.map(|(s, f, b)| (s.to_string(), f.to_string(), b.to_string()))
					.collect()
			};
			let size = dataset.image_size;
			let mut passed = 0;
			for (shape, fg, bg) in &cases {
				let prompt = DatasetInfo::caption(shape, fg, bg);
				let request = GenerateRequest {
					prompt: prompt.clone(),
					steps,
					guidance: 7.5,
					width: size,
					height: size,
					seed,
					scheduler,
				};
				let image = pipeline.generate(&request, &mut |_, _| {})?;
				let found =
					dataset.analyse(&image.rgb, image.width as usize, image.height as usize);
				let ok = found.matches(fg, bg);
				passed += usize::from(ok);
				println!(
					"{} {prompt:45} -> {} shape ({:.1} %) on {}",
					if ok { "ok  " } else { "FAIL" },
					found.shape_colour,
					found.shape_share * 100.0,
					found.background
				);
			}
			println!(
				"{passed}/{} images match their prompt ({})",
				cases.len(),
				pipeline.provider().name
			);
			if passed != cases.len() && !all {
				bail!(
					"selftest failed: {} of {} images do not match their prompt",
					cases.len() - passed,
					cases.len()
				);
			}
			Ok(())
		},
		Command::Info { model } => {
			let pipeline = Pipeline::load(&model.options())?;
			let provider = pipeline.provider();
			println!(
				"onnxruntime {} ({})",
				pipeline.runtime().version,
				pipeline.runtime().library.display()
			);
			println!("provider    {} on {}", provider.name, provider.device);
			if let Some(reason) = &provider.fallback_reason {
				println!("cuda        not used: {reason}");
			}
			println!(
				"model       {} (manifest sha256 {})",
				pipeline.manifest().name,
				pipeline.manifest_sha256()
			);
			Ok(())
		},
	}
}

async fn chain_command(command: Command) -> anyhow::Result<()> {
	use aitbc_worker::chain::{self, config::WorkerConfig};
	match command {
		Command::Init {
			dir,
			node,
			models,
			price,
			capacity,
			device,
			gpu_name,
			gpu_memory_mib,
			max_pixels,
			http_listen,
			endpoint,
			provider,
		} => {
			let models = if models.is_empty() { vec![default_model_dir()] } else { models };
			let models = models
				.into_iter()
				.map(|m| {
					std::path::absolute(&m).with_context(|| format!("model folder {}", m.display()))
				})
				.collect::<anyhow::Result<Vec<_>>>()?;
			let config = WorkerConfig {
				node,
				provider_key: "provider.key".into(),
				worker_key: "worker.key".into(),
				models,
				price_per_unit: price,
				capacity,
				device,
				gpu_name,
				gpu_memory_mib,
				max_pixels,
				artifact_dir: "artifacts".into(),
				state_dir: "state".into(),
				http_listen,
				endpoint: endpoint.unwrap_or_else(|| format!("http://{http_listen}")),
			};
			let (provider, worker_key) = chain::init(&dir, config, provider.as_deref())?;
			let (aitbc_primitives::WorkerKey::Sr25519(public)
			| aitbc_primitives::WorkerKey::Ed25519(public)) = worker_key;
			println!("wrote {}", dir.join(chain::config::CONFIG_FILE).display());
			println!("provider account {provider}");
			println!("worker key       0x{} (sr25519)", hex::encode(public));
			println!(
				"next: governance approves the provider, then `aitbc-worker register --config {}`",
				dir.display()
			);
			Ok(())
		},
		Command::Register { config, bond } => {
			let (config, _) = WorkerConfig::load(&config).map_err(|e| anyhow::anyhow!(e))?;
			let bond = bond
				.map(|b| aitbc_client::parse_ait(&b).map_err(|e| anyhow::anyhow!("--bond: {e}")))
				.transpose()?;
			let (provider, offer) = chain::register(&config, bond).await?;
			println!(
				"offer of {provider}: models {:?}, {} per unit, capacity {}, artifacts at {}",
				offer.models,
				aitbc_client::format_ait(offer.price_per_unit),
				offer.capacity,
				offer.endpoint
			);
			Ok(())
		},
		Command::Start { config, ort_library, threads } => {
			let (config, _) = WorkerConfig::load(&config).map_err(|e| anyhow::anyhow!(e))?;
			let started = chain::start(config, threads, ort_library, shutdown_signal()).await?;
			// Tests and scripts read this line to learn the port.
			println!("listening on http://{}", started.http);
			started.done.await?
		},
		Command::AddModel { dir, node, governance, unit_weight } => {
			anyhow::ensure!(
				unit_weight > 0.0 && unit_weight <= 1_000.0,
				"--unit-weight must be in (0, 1000]"
			);
			let (manifest, sha) = Manifest::load_verified(&dir)?;
			let key = aitbc_client::keypair_from(&governance)
				.map_err(|e| anyhow::anyhow!("--governance: {e}"))?;
			// The registry pins the ONNX files; the manifest hash pins everything else.
			let mut files = Vec::new();
			for file in manifest.files.iter().filter(|f| f.path.ends_with(".onnx")) {
				let mut sha256 = [0u8; 32];
				hex::decode_to_slice(&file.sha256, &mut sha256)?;
				files.push((file.path.clone(), sha256));
			}
			let mut manifest_sha256 = [0u8; 32];
			hex::decode_to_slice(&sha, &mut manifest_sha256)?;
			let client = aitbc_client::Client::connect(&node, Duration::from_secs(10)).await?;
			let limits = &manifest.limits;
			let id = client
				.add_model(
					&key,
					&manifest.name,
					&files,
					manifest_sha256,
					(unit_weight * 1000.0).round() as u32,
					limits.max_width,
					limits.max_height,
					limits.max_steps,
				)
				.await?;
			println!("model {id}: {} (manifest sha256 {sha})", manifest.name);
			Ok(())
		},
		_ => unreachable!("not a chain command"),
	}
}

fn main() -> ExitCode {
	let cli = Cli::parse();
	init_logging(&cli.log_format);
	let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
		Ok(runtime) => runtime,
		Err(e) => {
			eprintln!("Error: starting the async runtime: {e}");
			return ExitCode::FAILURE;
		},
	};
	match runtime.block_on(run(cli)) {
		Ok(()) => ExitCode::SUCCESS,
		Err(e) => {
			eprintln!("Error: {e:#}");
			ExitCode::FAILURE
		},
	}
}
