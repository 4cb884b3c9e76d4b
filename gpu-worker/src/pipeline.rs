//! The text-to-image pipeline: CLIP tokenizer → text encoder → UNet loop with classifier-free
//! guidance (one batch-2 call per step) → VAE decoder → PNG. Sessions are created once and
//! reused; element types (f16/f32, int32/int64 ids, the timestep's type and shape) are read
//! from each model, so an SD 1.5 ONNX export runs unchanged.

use std::{path::PathBuf, time::Instant};

use half::f16;
use ort::{
	session::Session,
	value::{DynValue, Tensor, TensorElementType, ValueType},
};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use serde::Deserialize;

use crate::{
	model::{Manifest, ModelError, ModelLimits, SCHEDULER_CONFIG},
	onnx::{DeviceChoice, OnnxError, OnnxRuntime, Optimization, Provider},
	scheduler::{Scheduler, SchedulerConfig, SchedulerError, SchedulerKind},
	tokenizer::{ClipTokenizer, TokenizerError},
};

/// One image to make.
#[derive(Clone, Debug)]
pub struct GenerateRequest {
	pub prompt: String,
	pub steps: u32,
	/// Classifier-free guidance scale; at or below 1 the unconditional pass is skipped.
	pub guidance: f32,
	pub width: u32,
	pub height: u32,
	pub seed: u64,
	pub scheduler: SchedulerKind,
}

/// Where the time went, in milliseconds.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Timings {
	pub text_encoder_ms: f64,
	/// One entry per denoising step (the UNet call plus the scheduler update).
	pub step_ms: Vec<f64>,
	pub vae_decoder_ms: f64,
	pub png_ms: f64,
	pub total_ms: f64,
}

impl Timings {
	/// Time spent inside ONNX Runtime (text encoder, UNet, VAE): the job's accelerator time.
	pub fn inference_ms(&self) -> f64 {
		self.text_encoder_ms + self.step_ms.iter().sum::<f64>() + self.vae_decoder_ms
	}
}

/// A generated image.
#[derive(Clone, Debug)]
pub struct Generated {
	pub png: Vec<u8>,
	/// RGB8, row-major, `width * height * 3` bytes.
	pub rgb: Vec<u8>,
	pub width: u32,
	pub height: u32,
	pub timings: Timings,
}

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
	#[error(transparent)]
	Model(#[from] ModelError),
	#[error(transparent)]
	Onnx(#[from] OnnxError),
	#[error(transparent)]
	Tokenizer(#[from] TokenizerError),
	#[error(transparent)]
	Scheduler(#[from] SchedulerError),
	#[error("model folder {dir}: {reason}")]
	Layout { dir: String, reason: String },
	#[error("invalid request: {0}")]
	Request(String),
	#[error("PNG encoding failed: {0}")]
	Png(String),
}

/// How a model wants one float input or output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Float {
	F32,
	F16,
}

/// How the UNet wants its timestep.
#[derive(Clone, Copy, Debug)]
struct TimestepInput {
	ty: TensorElementType,
	/// `None`: a scalar; `Some(n)`: a vector of n (0 = the batch size).
	len: Option<usize>,
}

#[derive(Deserialize)]
struct VaeConfig {
	#[serde(default = "default_scaling")]
	scaling_factor: f64,
	#[serde(default)]
	block_out_channels: Vec<u32>,
	#[serde(default = "default_latent_channels")]
	latent_channels: usize,
}
fn default_scaling() -> f64 {
	0.18215
}
fn default_latent_channels() -> usize {
	4
}

/// What a request must satisfy for one loaded model: its manifest's limits and whole latents.
#[derive(Clone, Debug)]
pub struct RequestLimits {
	pub limits: ModelLimits,
	/// Pixels per latent cell (8 for SD's VAE).
	pub vae_factor: u32,
}

impl RequestLimits {
	/// Checks a request; the message names the field.
	pub fn check(&self, request: &GenerateRequest) -> Result<(), (String, &'static str)> {
		self.limits.check(request.steps, request.width, request.height)?;
		// The latent size must be whole too (a manifest's size_multiple normally covers this).
		for (value, field) in [(request.width, "width"), (request.height, "height")] {
			if value % self.vae_factor != 0 {
				return Err((format!("{field} must be a multiple of {}", self.vae_factor), field));
			}
		}
		Ok(())
	}
}

/// Options for loading a pipeline.
#[derive(Clone, Debug)]
pub struct PipelineOptions {
	pub model_dir: PathBuf,
	pub device: DeviceChoice,
	pub ort_library: Option<PathBuf>,
	/// Intra-op threads per session (0 = ONNX Runtime's default).
	pub threads: usize,
	/// Graph optimisation level of every session.
	pub optimization: Optimization,
}

/// A loaded model, ready to generate.
pub struct Pipeline {
	runtime: std::sync::Arc<OnnxRuntime>,
	provider: Provider,
	manifest: Manifest,
	manifest_sha256: String,
	tokenizer: ClipTokenizer,
	text_encoder: Session,
	unet: Session,
	vae_decoder: Session,
	scheduler_config: SchedulerConfig,
	ids_ty: TensorElementType,
	text_batch_dynamic: bool,
	unet_sample: Float,
	unet_hidden: Float,
	timestep: TimestepInput,
	latent_in: Float,
	latent_channels: usize,
	vae_factor: u32,
	scaling_factor: f64,
	optimization: Optimization,
}

fn element_type(
	session: &Session,
	input: &str,
	stage: &'static str,
) -> Result<(TensorElementType, Vec<i64>), PipelineError> {
	let outlet = session.inputs().iter().find(|o| o.name() == input).ok_or_else(|| {
		let names: Vec<&str> = session.inputs().iter().map(|o| o.name()).collect();
		PipelineError::Layout {
			dir: stage.into(),
			reason: format!("no input '{input}' (inputs: {names:?})"),
		}
	})?;
	match outlet.dtype() {
		ValueType::Tensor { ty, shape, .. } => Ok((*ty, shape.iter().copied().collect())),
		other => Err(PipelineError::Layout {
			dir: stage.into(),
			reason: format!("input '{input}' is {other:?}, not a tensor"),
		}),
	}
}

fn float_kind(ty: TensorElementType, what: &str) -> Result<Float, PipelineError> {
	match ty {
		TensorElementType::Float32 => Ok(Float::F32),
		TensorElementType::Float16 => Ok(Float::F16),
		other => Err(PipelineError::Layout {
			dir: what.into(),
			reason: format!("float input has type {other:?}"),
		}),
	}
}

fn float_tensor(kind: Float, shape: Vec<i64>, data: &[f32]) -> Result<DynValue, OnnxError> {
	let run = |e: ort::Error| OnnxError::Run { stage: "input", reason: e.to_string() };
	Ok(match kind {
		Float::F32 => Tensor::from_array((shape, data.to_vec())).map_err(run)?.into_dyn(),
		Float::F16 => {
			Tensor::from_array((shape, data.iter().map(|&v| f16::from_f32(v)).collect::<Vec<_>>()))
				.map_err(run)?
				.into_dyn()
		},
	})
}

fn read_floats(value: &DynValue, stage: &'static str) -> Result<(Vec<i64>, Vec<f32>), OnnxError> {
	let run = |reason: String| OnnxError::Run { stage, reason };
	match value.dtype() {
		ValueType::Tensor { ty: TensorElementType::Float32, .. } => {
			let (shape, data) =
				value.try_extract_tensor::<f32>().map_err(|e| run(e.to_string()))?;
			Ok((shape.iter().copied().collect(), data.to_vec()))
		},
		ValueType::Tensor { ty: TensorElementType::Float16, .. } => {
			let (shape, data) =
				value.try_extract_tensor::<f16>().map_err(|e| run(e.to_string()))?;
			Ok((shape.iter().copied().collect(), data.iter().map(|v| v.to_f32()).collect()))
		},
		other => Err(run(format!("output is {other:?}, expected f32 or f16"))),
	}
}

impl Pipeline {
	/// Verifies the model folder against its manifest, loads ONNX Runtime, picks the execution
	/// provider and creates the three sessions.
	pub fn load(options: &PipelineOptions) -> Result<Self, PipelineError> {
		let dir = &options.model_dir;
		let layout =
			|reason: String| PipelineError::Layout { dir: dir.display().to_string(), reason };
		let (manifest, manifest_sha256) = Manifest::load_verified(dir)?;
		let runtime = crate::onnx::load(options.ort_library.as_deref())?;
		let provider =
			runtime.choose_provider(options.device, &dir.join("text_encoder/model.onnx"))?;
		if let Some(reason) = &provider.fallback_reason {
			tracing::warn!(%reason, "CUDA not used, running on CPU");
		}
		tracing::info!(provider = %provider.name, device = %provider.device, ort = %runtime.version, library = %runtime.library.display(), "execution provider");

		let scheduler_config = SchedulerConfig::load(&dir.join(SCHEDULER_CONFIG))?;
		let vae: VaeConfig = match std::fs::read(dir.join("vae_decoder/config.json")) {
			Ok(bytes) => serde_json::from_slice(&bytes)
				.map_err(|e| layout(format!("vae_decoder/config.json: {e}")))?,
			Err(_) => VaeConfig {
				scaling_factor: default_scaling(),
				block_out_channels: vec![0; 4],
				latent_channels: 4,
			},
		};
		let vae_factor = 1u32 << vae.block_out_channels.len().saturating_sub(1).min(5);

		let session = |stage: &str| {
			runtime.session(
				&dir.join(stage).join("model.onnx"),
				&provider,
				options.threads,
				options.optimization,
			)
		};
		let (text_encoder, unet, vae_decoder) =
			(session("text_encoder")?, session("unet")?, session("vae_decoder")?);

		let (ids_ty, ids_shape) = element_type(&text_encoder, "input_ids", "text_encoder")?;
		if !matches!(ids_ty, TensorElementType::Int32 | TensorElementType::Int64) {
			return Err(layout(format!("text_encoder input_ids has type {ids_ty:?}")));
		}
		let max_length = match ids_shape.get(1) {
			Some(&n) if n > 0 => n as usize,
			_ => 77,
		};
		let tokenizer = ClipTokenizer::load(&dir.join("tokenizer"), max_length)?;
		let (sample_ty, _) = element_type(&unet, "sample", "unet")?;
		let (hidden_ty, _) = element_type(&unet, "encoder_hidden_states", "unet")?;
		let (timestep_ty, timestep_shape) = element_type(&unet, "timestep", "unet")?;
		if !matches!(
			timestep_ty,
			TensorElementType::Int64
				| TensorElementType::Int32
				| TensorElementType::Float32
				| TensorElementType::Float16
		) {
			return Err(layout(format!("unet timestep has type {timestep_ty:?}")));
		}
		let timestep = TimestepInput {
			ty: timestep_ty,
			len: match timestep_shape.first() {
				None => None,
				Some(&n) if n > 0 => Some(n as usize),
				Some(_) => Some(0),
			},
		};
		let (latent_ty, _) = element_type(&vae_decoder, "latent_sample", "vae_decoder")?;
		Ok(Self {
			text_batch_dynamic: ids_shape.first().is_none_or(|&n| n < 0),
			unet_sample: float_kind(sample_ty, "unet sample")?,
			unet_hidden: float_kind(hidden_ty, "unet encoder_hidden_states")?,
			latent_in: float_kind(latent_ty, "vae_decoder latent_sample")?,
			ids_ty,
			timestep,
			latent_channels: vae.latent_channels,
			vae_factor,
			scaling_factor: vae.scaling_factor,
			optimization: options.optimization,
			scheduler_config,
			tokenizer,
			text_encoder,
			unet,
			vae_decoder,
			manifest,
			manifest_sha256,
			provider,
			runtime,
		})
	}

	/// The execution provider the sessions run on.
	pub fn provider(&self) -> &Provider {
		&self.provider
	}

	/// The model's manifest (name, limits, files).
	pub fn manifest(&self) -> &Manifest {
		&self.manifest
	}

	/// sha256 of `manifest.json`: identifies the exact model files.
	pub fn manifest_sha256(&self) -> &str {
		&self.manifest_sha256
	}

	/// The model's limits.
	pub fn limits(&self) -> &ModelLimits {
		&self.manifest.limits
	}

	/// ONNX Runtime version and library path.
	pub fn runtime(&self) -> &OnnxRuntime {
		&self.runtime
	}

	/// The sessions' graph optimisation level.
	pub fn optimization(&self) -> Optimization {
		self.optimization
	}

	/// Checks a request against the model's limits; the message names the field.
	pub fn check(&self, request: &GenerateRequest) -> Result<(), (String, &'static str)> {
		self.request_limits().check(request)
	}

	/// The rules [`Pipeline::check`] applies, detached from the pipeline (checking then needs no
	/// access to a pipeline that may be busy generating).
	pub fn request_limits(&self) -> RequestLimits {
		RequestLimits { limits: self.limits().clone(), vae_factor: self.vae_factor }
	}

	fn encode_text(&mut self, prompts: &[&str]) -> Result<(Vec<i64>, Vec<f32>), PipelineError> {
		let mut all_ids = Vec::new();
		for prompt in prompts {
			all_ids.extend(self.tokenizer.encode(prompt)?);
		}
		let length = self.tokenizer.max_length() as i64;
		let run = |reason: String| OnnxError::Run { stage: "text_encoder", reason };
		let mut run_batch =
			|ids: &[i64], batch: i64| -> Result<(Vec<i64>, Vec<f32>), PipelineError> {
				let input: DynValue = match self.ids_ty {
					TensorElementType::Int32 => {
						let ids: Vec<i32> = ids.iter().map(|&v| v as i32).collect();
						Tensor::from_array((vec![batch, length], ids))
							.map_err(|e| run(e.to_string()))?
							.into_dyn()
					},
					_ => Tensor::from_array((vec![batch, length], ids.to_vec()))
						.map_err(|e| run(e.to_string()))?
						.into_dyn(),
				};
				let outputs = self
					.text_encoder
					.run(ort::inputs!["input_ids" => input])
					.map_err(|e| run(e.to_string()))?;
				Ok(read_floats(&outputs[0], "text_encoder")?)
			};
		if self.text_batch_dynamic {
			return run_batch(&all_ids, prompts.len() as i64);
		}
		let mut shape = Vec::new();
		let mut data = Vec::new();
		for ids in all_ids.chunks(length as usize) {
			let (s, d) = run_batch(ids, 1)?;
			shape = s;
			data.extend(d);
		}
		if let Some(first) = shape.first_mut() {
			*first = prompts.len() as i64;
		}
		Ok((shape, data))
	}

	fn timestep_value(&self, t: f64, batch: usize) -> Result<DynValue, OnnxError> {
		let run = |e: ort::Error| OnnxError::Run { stage: "unet timestep", reason: e.to_string() };
		let shape: Vec<i64> = match self.timestep.len {
			None => vec![],
			Some(0) => vec![batch as i64],
			Some(n) => vec![n as i64],
		};
		let count = shape.iter().product::<i64>().max(1) as usize;
		Ok(match self.timestep.ty {
			TensorElementType::Int64 => {
				Tensor::from_array((shape, vec![t.round() as i64; count])).map_err(run)?.into_dyn()
			},
			TensorElementType::Int32 => {
				Tensor::from_array((shape, vec![t.round() as i32; count])).map_err(run)?.into_dyn()
			},
			TensorElementType::Float16 => {
				Tensor::from_array((shape, vec![f16::from_f64(t); count])).map_err(run)?.into_dyn()
			},
			_ => Tensor::from_array((shape, vec![t as f32; count])).map_err(run)?.into_dyn(),
		})
	}

	/// Generates one image from the request's seed; `progress(step, steps)` is called after every
	/// denoising step.
	pub fn generate(
		&mut self,
		request: &GenerateRequest,
		progress: &mut dyn FnMut(usize, usize),
	) -> Result<Generated, PipelineError> {
		self.generate_with_noise(request, None, progress)
	}

	/// Number of initial-noise values for a `width` × `height` image (latent channels × h/8 × w/8).
	pub fn noise_len(&self, width: u32, height: u32) -> usize {
		self.latent_channels
			* (height / self.vae_factor) as usize
			* (width / self.vae_factor) as usize
	}

	/// As [`Pipeline::generate`], but starting from the given standard-normal noise instead of the
	/// seed's (so other implementations can be compared on exactly the same start).
	pub fn generate_with_noise(
		&mut self,
		request: &GenerateRequest,
		noise: Option<&[f32]>,
		progress: &mut dyn FnMut(usize, usize),
	) -> Result<Generated, PipelineError> {
		self.check(request).map_err(|(message, _)| PipelineError::Request(message))?;
		if let Some(noise) = noise {
			let expected = self.noise_len(request.width, request.height);
			if noise.len() != expected {
				return Err(PipelineError::Request(format!(
					"noise has {} values, expected {expected}",
					noise.len()
				)));
			}
		}
		let started = Instant::now();
		let mut timings = Timings::default();
		let guided = request.guidance > 1.0;

		let t0 = Instant::now();
		let prompts: Vec<&str> =
			if guided { vec!["", &request.prompt] } else { vec![&request.prompt] };
		let (hidden_shape, hidden) = self.encode_text(&prompts)?;
		timings.text_encoder_ms = ms(t0);

		let scheduler =
			Scheduler::new(&self.scheduler_config, request.scheduler, request.steps as usize)?;
		let (lh, lw) = (
			(request.height / self.vae_factor) as usize,
			(request.width / self.vae_factor) as usize,
		);
		let per_image = self.noise_len(request.width, request.height);
		let sigma = scheduler.init_noise_sigma();
		let mut latents: Vec<f32> = match noise {
			Some(noise) => noise.iter().map(|&v| (f64::from(v) * sigma) as f32).collect(),
			None => {
				let mut rng = ChaCha8Rng::seed_from_u64(request.seed);
				(0..per_image)
					.map(|_| {
						let value: f64 = StandardNormal.sample(&mut rng);
						(value * sigma) as f32
					})
					.collect()
			},
		};

		let batch = prompts.len();
		let latent_shape = vec![batch as i64, self.latent_channels as i64, lh as i64, lw as i64];
		let steps = scheduler.timesteps().len();
		let mut model_input = vec![0f32; per_image * batch];
		for (index, &t) in scheduler.timesteps().iter().enumerate() {
			let t_step = Instant::now();
			let scale = scheduler.input_scale(index) as f32;
			for chunk in model_input.chunks_mut(per_image) {
				for (dst, &src) in chunk.iter_mut().zip(&latents) {
					*dst = src * scale;
				}
			}
			let sample = float_tensor(self.unet_sample, latent_shape.clone(), &model_input)?;
			let hidden_value = float_tensor(self.unet_hidden, hidden_shape.clone(), &hidden)?;
			let timestep = self.timestep_value(t, batch)?;
			let outputs = self
				.unet
				.run(ort::inputs!["sample" => sample, "timestep" => timestep, "encoder_hidden_states" => hidden_value])
				.map_err(|e| OnnxError::Run { stage: "unet", reason: e.to_string() })?;
			let (_, noise) = read_floats(&outputs[0], "unet")?;
			drop(outputs);
			let guided_noise: Vec<f32> = if guided {
				let (uncond, cond) = noise.split_at(per_image);
				uncond.iter().zip(cond).map(|(u, c)| u + request.guidance * (c - u)).collect()
			} else {
				noise
			};
			scheduler.step(index, &guided_noise, &mut latents);
			timings.step_ms.push(ms(t_step));
			progress(index + 1, steps);
		}

		let t0 = Instant::now();
		let inv = (1.0 / self.scaling_factor) as f32;
		let scaled: Vec<f32> = latents.iter().map(|v| v * inv).collect();
		let latent_value = float_tensor(
			self.latent_in,
			vec![1, self.latent_channels as i64, lh as i64, lw as i64],
			&scaled,
		)?;
		let outputs = self
			.vae_decoder
			.run(ort::inputs!["latent_sample" => latent_value])
			.map_err(|e| OnnxError::Run { stage: "vae_decoder", reason: e.to_string() })?;
		let (shape, pixels) = read_floats(&outputs[0], "vae_decoder")?;
		drop(outputs);
		timings.vae_decoder_ms = ms(t0);
		let (height, width) = match shape.as_slice() {
			[1, 3, h, w] => (*h as usize, *w as usize),
			other => {
				return Err(PipelineError::Onnx(OnnxError::Run {
					stage: "vae_decoder",
					reason: format!("output shape {other:?}, expected [1, 3, H, W]"),
				}))
			},
		};

		let t0 = Instant::now();
		let plane = width * height;
		let mut rgb = vec![0u8; plane * 3];
		for i in 0..plane {
			for c in 0..3 {
				let v = (pixels[c * plane + i] / 2.0 + 0.5).clamp(0.0, 1.0);
				rgb[i * 3 + c] = (v * 255.0).round() as u8;
			}
		}
		let png = encode_png(&rgb, width as u32, height as u32)?;
		timings.png_ms = ms(t0);
		timings.total_ms = ms(started);
		Ok(Generated { png, rgb, width: width as u32, height: height as u32, timings })
	}
}

fn ms(since: Instant) -> f64 {
	since.elapsed().as_secs_f64() * 1000.0
}

/// RGB8 → PNG.
pub fn encode_png(rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>, PipelineError> {
	let mut out = Vec::new();
	let mut encoder = png::Encoder::new(&mut out, width, height);
	encoder.set_color(png::ColorType::Rgb);
	encoder.set_depth(png::BitDepth::Eight);
	let mut writer = encoder.write_header().map_err(|e| PipelineError::Png(e.to_string()))?;
	writer.write_image_data(rgb).map_err(|e| PipelineError::Png(e.to_string()))?;
	writer.finish().map_err(|e| PipelineError::Png(e.to_string()))?;
	Ok(out)
}

/// Default model folder: `$AITBC_MODEL_DIR` or the embedded model.
pub fn default_model_dir() -> PathBuf {
	std::env::var_os("AITBC_MODEL_DIR")
		.map(PathBuf::from)
		.unwrap_or_else(crate::model::embedded_model_dir)
}
