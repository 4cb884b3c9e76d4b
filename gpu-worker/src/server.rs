//! `aitbc-worker serve`: the Stage 1 HTTP API on axum/tower.
//!
//! - `POST /v1/generate-image`: API key (body `api_key` or `Authorization: Bearer`), per-key rate
//!   limit, validation with the field named, a bounded queue in front of one inference thread;
//! - `GET /v1/health`, `GET /metrics` (Prometheus), `GET /v1/openapi.json`,
//!   `GET /v1/artifacts/{sha256}` (content-addressed PNGs).
//!
//! Status codes: 400 malformed JSON, 401 bad key, 413 body too large, 415 not JSON, 422 a field out
//! of range (named in `field`), 429 rate limited, 503 queue full, 408 timed out.

use std::{
	net::SocketAddr,
	num::NonZeroU32,
	path::PathBuf,
	sync::{
		atomic::{AtomicU64, Ordering},
		Arc,
	},
	time::{Duration, Instant},
};

use axum::{
	body::Body,
	extract::{DefaultBodyLimit, MatchedPath, Path as UrlPath, Request, State},
	http::{header, HeaderMap, HeaderValue, Method, StatusCode},
	middleware::{self, Next},
	response::{IntoResponse, Response},
	routing::{get, post},
	Json, Router,
};
use base64::Engine;
use bytes::Bytes;
use governor::{clock::Clock, DefaultKeyedRateLimiter, Quota, RateLimiter};
use prometheus::{
	Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, Opts, Registry, TextEncoder,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::sync::{mpsc, oneshot};
use tower_http::{
	cors::{Any, CorsLayer},
	timeout::TimeoutLayer,
};
use utoipa::{OpenApi, ToSchema};

use crate::{
	artifacts::{is_sha256_hex, ArtifactStore},
	model::ModelLimits,
	pipeline::{GenerateRequest, Pipeline},
	scheduler::SchedulerKind,
};

/// Stage 1 bounds (the model may allow less; see [`ModelLimits`]).
pub const MIN_STEPS: u32 = 5;
pub const MAX_STEPS: u32 = 100;
pub const MAX_GUIDANCE: f32 = 25.0;
pub const MIN_SIDE: u32 = 256;
pub const MAX_SIDE: u32 = 1024;
pub const MAX_PROMPT_CHARS: usize = 2000;

/// Settings of `aitbc-worker serve`.
#[derive(Clone, Debug)]
pub struct ServeConfig {
	pub listen: SocketAddr,
	/// Accepted API keys (at least one).
	pub api_keys: Vec<String>,
	/// Requests per minute per API key.
	pub rate_limit_per_minute: NonZeroU32,
	/// Jobs that may wait behind the running one; one more gets 503.
	pub queue_capacity: usize,
	pub body_limit_bytes: usize,
	pub request_timeout: Duration,
	pub artifact_dir: PathBuf,
}

/// `POST /v1/generate-image` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GenerateImageBody {
	/// API key (or send `Authorization: Bearer <key>`).
	#[serde(default)]
	pub api_key: Option<String>,
	/// What to draw.
	pub prompt: String,
	/// Denoising steps, 5–100 (default 20).
	#[serde(default = "default_steps")]
	pub steps: u32,
	/// Classifier-free guidance scale, 0–25 (default 7.5).
	#[serde(default = "default_guidance")]
	pub guidance: f32,
	/// Image width, 256–1024, a multiple of 8 (and of the model's size multiple).
	#[serde(default = "default_side")]
	pub width: u32,
	/// Image height, as width.
	#[serde(default = "default_side")]
	pub height: u32,
	/// Seed; random when absent. The same seed and parameters give the same image on the same provider.
	#[serde(default)]
	pub seed: Option<u64>,
	/// `ddim` (default) or `euler`.
	#[serde(default = "default_scheduler")]
	pub scheduler: SchedulerKind,
}

fn default_steps() -> u32 {
	20
}
fn default_guidance() -> f32 {
	7.5
}
fn default_side() -> u32 {
	MIN_SIDE
}
fn default_scheduler() -> SchedulerKind {
	SchedulerKind::Ddim
}

/// A finished job.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct GenerateImageResponse {
	/// `succeeded`.
	pub status: String,
	pub job_id: String,
	/// `data:image/png;base64,...`
	pub image_base64: String,
	/// Wall time from accepting the request to the PNG.
	pub duration_ms: u64,
	/// Time inside ONNX Runtime (text encoder, UNet steps, VAE).
	pub gpu_seconds: f64,
	/// sha256 of the PNG; also its artifact name.
	pub sha256: String,
	pub artifact_url: String,
	pub width: u32,
	pub height: u32,
	pub steps: u32,
	pub seed: u64,
	/// The execution provider that ran the job, e.g. `CPUExecutionProvider`.
	pub provider: String,
	pub model: String,
}

/// Every error body.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
	pub error: String,
	/// The offending request field, for 422.
	#[serde(skip_serializing_if = "Option::is_none")]
	pub field: Option<String>,
}

/// `GET /v1/health`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Health {
	pub status: String,
	/// `cpu` or `cuda:N`.
	pub device: String,
	/// The execution provider sessions were created with.
	pub provider: String,
	/// Why CUDA was not used, if it was asked for and fell back.
	#[serde(skip_serializing_if = "Option::is_none")]
	pub fallback_reason: Option<String>,
	pub model: String,
	pub model_manifest_sha256: String,
	pub onnxruntime: String,
	pub queue_depth: i64,
	pub queue_capacity: usize,
}

#[derive(OpenApi)]
#[openapi(
	info(
		title = "aitbc-worker Stage 1 API",
		description = "Text-to-image on an AITBC GPU worker."
	),
	paths(generate_image, health, artifact, metrics, openapi),
	components(schemas(
		GenerateImageBody,
		GenerateImageResponse,
		ErrorBody,
		Health,
		SchedulerKind
	))
)]
struct ApiDoc;

struct Job {
	id: String,
	request: GenerateRequest,
	accepted: Instant,
	reply: oneshot::Sender<Result<GenerateImageResponse, String>>,
}

struct Metrics {
	registry: Registry,
	requests: IntCounterVec,
	latency: HistogramVec,
	queue_depth: IntGauge,
	jobs: IntCounterVec,
}

impl Metrics {
	fn new() -> prometheus::Result<Self> {
		let registry = Registry::new();
		let requests = IntCounterVec::new(
			Opts::new("aitbc_worker_http_requests_total", "HTTP requests by route and status"),
			&["route", "status"],
		)?;
		let latency = HistogramVec::new(
			HistogramOpts::new(
				"aitbc_worker_http_request_duration_seconds",
				"HTTP request latency",
			)
			.buckets(vec![
				0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0,
			]),
			&["route"],
		)?;
		let queue_depth =
			IntGauge::new("aitbc_worker_queue_depth", "Jobs waiting for the inference thread")?;
		let jobs = IntCounterVec::new(
			Opts::new("aitbc_worker_jobs_total", "Finished jobs by outcome"),
			&["outcome"],
		)?;
		registry.register(Box::new(requests.clone()))?;
		registry.register(Box::new(latency.clone()))?;
		registry.register(Box::new(queue_depth.clone()))?;
		registry.register(Box::new(jobs.clone()))?;
		Ok(Self { registry, requests, latency, queue_depth, jobs })
	}
}

struct AppState {
	config: ServeConfig,
	health: Health,
	limits: ModelLimits,
	limiter: DefaultKeyedRateLimiter<String>,
	queue: mpsc::Sender<Job>,
	metrics: Arc<Metrics>,
	artifacts: ArtifactStore,
	next_job: AtomicU64,
}

type Shared = Arc<AppState>;

fn error(status: StatusCode, message: impl Into<String>) -> Response {
	(status, Json(ErrorBody { error: message.into(), field: None })).into_response()
}

fn invalid(field: &str, message: impl Into<String>) -> Response {
	(
		StatusCode::UNPROCESSABLE_ENTITY,
		Json(ErrorBody { error: message.into(), field: Some(field.into()) }),
	)
		.into_response()
}

/// A running server: its address and a handle to stop it.
pub struct Running {
	pub addr: SocketAddr,
	pub done: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// Binds, starts the inference thread on `pipeline`, and serves until `shutdown` resolves; then
/// stops accepting, finishes the requests in flight (and so their jobs) and returns.
pub async fn serve(
	config: ServeConfig,
	pipeline: Pipeline,
	shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<Running> {
	anyhow::ensure!(!config.api_keys.is_empty(), "no API key configured");
	let provider = pipeline.provider().clone();
	let health_info = Health {
		status: "ok".into(),
		device: provider.device.clone(),
		provider: provider.name.clone(),
		fallback_reason: provider.fallback_reason.clone(),
		model: pipeline.manifest().name.clone(),
		model_manifest_sha256: pipeline.manifest_sha256().to_string(),
		onnxruntime: pipeline.runtime().version.clone(),
		queue_depth: 0,
		queue_capacity: config.queue_capacity,
	};
	let (queue, jobs) = mpsc::channel::<Job>(config.queue_capacity.max(1));
	let artifacts = ArtifactStore::open(&config.artifact_dir)
		.map_err(|e| anyhow::anyhow!("artifact dir {}: {e}", config.artifact_dir.display()))?;
	let shared_metrics = Arc::new(Metrics::new()?);
	let state = Arc::new(AppState {
		limits: pipeline.limits().clone(),
		limiter: RateLimiter::keyed(Quota::per_minute(config.rate_limit_per_minute)),
		queue,
		metrics: shared_metrics.clone(),
		artifacts: artifacts.clone(),
		next_job: AtomicU64::new(1),
		health: health_info,
		config: config.clone(),
	});
	// The thread must not hold the queue's sender, or the queue would never close on shutdown.
	let inference = spawn_inference(pipeline, jobs, shared_metrics, artifacts);

	// Artifacts and health are public reads: browsers on any origin (the web app checks an
	// image's sha256 against its receipt) may fetch them. Generation is not opened to pages.
	let public_reads = Router::new()
		.route("/v1/health", get(health))
		.route("/v1/artifacts/{sha256}", get(artifact))
		.layer(public_read_cors());
	let app = Router::new()
		.route("/v1/generate-image", post(generate_image))
		.merge(public_reads)
		.route("/v1/openapi.json", get(openapi))
		.route("/metrics", get(metrics))
		.layer(DefaultBodyLimit::max(config.body_limit_bytes))
		.layer(middleware::from_fn_with_state(state.clone(), record_metrics))
		.layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, config.request_timeout))
		.with_state(state);

	let listener = tokio::net::TcpListener::bind(config.listen).await?;
	let addr = listener.local_addr()?;
	let done = tokio::spawn(async move {
		let result = axum::serve(listener, app).with_graceful_shutdown(shutdown).await;
		// The router (and its queue sender) is gone: the inference thread drains and exits.
		let _ = tokio::task::spawn_blocking(move || inference.join()).await;
		tracing::info!("worker stopped");
		result
	});
	Ok(Running { addr, done })
}

/// CORS for the public reads (artifacts, health): any origin may GET them, so the web app can
/// fetch an image and check its sha256 in the browser. Artifacts are content-addressed and public.
pub fn public_read_cors() -> CorsLayer {
	CorsLayer::new().allow_origin(Any).allow_methods([Method::GET])
}

fn spawn_inference(
	mut pipeline: Pipeline,
	mut jobs: mpsc::Receiver<Job>,
	metrics: Arc<Metrics>,
	artifacts: ArtifactStore,
) -> std::thread::JoinHandle<()> {
	std::thread::Builder::new()
		.name("inference".into())
		.spawn(move || {
			while let Some(job) = jobs.blocking_recv() {
				metrics.queue_depth.dec();
				if job.reply.is_closed() {
					metrics.jobs.with_label_values(&["abandoned"]).inc();
					tracing::info!(job_id = %job.id, "client went away before the job started; skipped");
					continue;
				}
				let result = run_job(&mut pipeline, &job, &artifacts);
				metrics
					.jobs
					.with_label_values(&[if result.is_ok() { "succeeded" } else { "failed" }])
					.inc();
				let _ = job.reply.send(result);
			}
		})
		.expect("spawning the inference thread")
}

fn run_job(
	pipeline: &mut Pipeline,
	job: &Job,
	artifacts: &ArtifactStore,
) -> Result<GenerateImageResponse, String> {
	let prompt_hash = hex::encode(Sha256::digest(job.request.prompt.as_bytes()));
	let provider = pipeline.provider().name.clone();
	let generated = pipeline.generate(&job.request, &mut |_, _| {}).map_err(|e| {
		tracing::error!(job_id = %job.id, %prompt_hash, ep = %provider, error = %e, "job failed");
		e.to_string()
	})?;
	let sha256 = artifacts.put(&generated.png).map_err(|e| format!("storing the artifact: {e}"))?;
	let duration_ms = job.accepted.elapsed().as_millis() as u64;
	let gpu_seconds = generated.timings.inference_ms() / 1000.0;
	tracing::info!(
		job_id = %job.id,
		duration_ms,
		gpu_seconds,
		bytes_out = generated.png.len(),
		prompt_hash = %prompt_hash,
		ep = %provider,
		steps = job.request.steps,
		width = generated.width,
		height = generated.height,
		"job done"
	);
	Ok(GenerateImageResponse {
		status: "succeeded".into(),
		job_id: job.id.clone(),
		image_base64: format!(
			"data:image/png;base64,{}",
			base64::engine::general_purpose::STANDARD.encode(&generated.png)
		),
		duration_ms,
		gpu_seconds,
		artifact_url: format!("/v1/artifacts/{sha256}"),
		sha256,
		width: generated.width,
		height: generated.height,
		steps: job.request.steps,
		seed: job.request.seed,
		provider,
		model: pipeline.manifest().name.clone(),
	})
}

async fn record_metrics(State(state): State<Shared>, request: Request, next: Next) -> Response {
	let route = request
		.extensions()
		.get::<MatchedPath>()
		.map(|p| p.as_str().to_string())
		.unwrap_or_else(|| "unmatched".into());
	let started = Instant::now();
	let response = next.run(request).await;
	state.metrics.latency.with_label_values(&[&route]).observe(started.elapsed().as_secs_f64());
	state.metrics.requests.with_label_values(&[&route, response.status().as_str()]).inc();
	response
}

fn bearer(headers: &HeaderMap) -> Option<String> {
	let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
	value.strip_prefix("Bearer ").map(|key| key.trim().to_string())
}

/// Generate one image.
#[utoipa::path(
	post,
	path = "/v1/generate-image",
	request_body = GenerateImageBody,
	responses(
		(status = 200, description = "The image", body = GenerateImageResponse),
		(status = 400, description = "Malformed JSON", body = ErrorBody),
		(status = 401, description = "Missing or unknown API key", body = ErrorBody),
		(status = 413, description = "Body too large", body = ErrorBody),
		(status = 422, description = "A field is out of range; `field` names it", body = ErrorBody),
		(status = 429, description = "Rate limit of this API key reached", body = ErrorBody),
		(status = 503, description = "Queue full", body = ErrorBody),
	)
)]
async fn generate_image(
	State(state): State<Shared>,
	headers: HeaderMap,
	body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Response {
	let body = match body {
		Ok(body) => body,
		Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
			return error(
				StatusCode::PAYLOAD_TOO_LARGE,
				format!("request body is larger than {} bytes", state.config.body_limit_bytes),
			)
		},
		Err(rejection) => return error(rejection.status(), rejection.body_text()),
	};
	if let Some(ct) = headers.get(header::CONTENT_TYPE) {
		if !ct.to_str().unwrap_or("").starts_with("application/json") {
			return error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "send the body as application/json");
		}
	}
	let value: serde_json::Value = match serde_json::from_slice(&body) {
		Ok(value) => value,
		Err(e) => return error(StatusCode::BAD_REQUEST, format!("body is not valid JSON: {e}")),
	};
	let key = bearer(&headers)
		.or_else(|| value.get("api_key").and_then(|k| k.as_str()).map(str::to_string));
	let Some(key) = key else {
		return error(
			StatusCode::UNAUTHORIZED,
			"missing API key: send `api_key` in the body or `Authorization: Bearer <key>`",
		);
	};
	if !state.config.api_keys.iter().any(|k| k == &key) {
		return error(StatusCode::UNAUTHORIZED, "unknown API key");
	}
	if let Err(not_until) = state.limiter.check_key(&key) {
		let wait = not_until.wait_time_from(governor::clock::DefaultClock::default().now());
		let mut response = error(
			StatusCode::TOO_MANY_REQUESTS,
			format!(
				"rate limit of {} requests per minute reached for this key",
				state.config.rate_limit_per_minute
			),
		);
		let secs = wait.as_secs().max(1).to_string();
		if let Ok(value) = HeaderValue::from_str(&secs) {
			response.headers_mut().insert(header::RETRY_AFTER, value);
		}
		return response;
	}
	let body: GenerateImageBody = match serde_path_to_error::deserialize(value) {
		Ok(body) => body,
		Err(e) => {
			let path = e.path().to_string();
			let inner = e.into_inner().to_string();
			// Missing and unknown fields are reported at the top level, with the name in the message.
			let field = if path == "." {
				["prompt", "steps", "guidance", "width", "height", "seed", "scheduler", "api_key"]
					.into_iter()
					.find(|f| inner.contains(&format!("`{f}`")))
					.unwrap_or("body")
					.to_string()
			} else {
				path
			};
			return invalid(&field, format!("{field}: {inner}"));
		},
	};
	let request = match validate(&body, &state.limits) {
		Ok(request) => request,
		Err(response) => return response,
	};

	let id = format!("job-{}", state.next_job.fetch_add(1, Ordering::Relaxed));
	let (reply, result) = oneshot::channel();
	let job = Job { id: id.clone(), request, accepted: Instant::now(), reply };
	state.metrics.queue_depth.inc();
	if state.queue.try_send(job).is_err() {
		state.metrics.queue_depth.dec();
		let mut response = error(
			StatusCode::SERVICE_UNAVAILABLE,
			format!("queue full ({} jobs waiting): retry later", state.config.queue_capacity),
		);
		response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
		return response;
	}
	match result.await {
		Ok(Ok(done)) => Json(done).into_response(),
		Ok(Err(message)) => {
			error(StatusCode::INTERNAL_SERVER_ERROR, format!("{id} failed: {message}"))
		},
		Err(_) => {
			error(StatusCode::SERVICE_UNAVAILABLE, format!("{id}: the worker is shutting down"))
		},
	}
}

/// Checks every field against the Stage 1 bounds and the model's limits.
fn validate(body: &GenerateImageBody, limits: &ModelLimits) -> Result<GenerateRequest, Response> {
	if body.prompt.trim().is_empty() {
		return Err(invalid("prompt", "prompt must not be empty"));
	}
	if body.prompt.chars().count() > MAX_PROMPT_CHARS {
		return Err(invalid(
			"prompt",
			format!("prompt must be at most {MAX_PROMPT_CHARS} characters"),
		));
	}
	if !(MIN_STEPS..=MAX_STEPS).contains(&body.steps) {
		return Err(invalid("steps", format!("steps must be between {MIN_STEPS} and {MAX_STEPS}")));
	}
	if !body.guidance.is_finite() || !(0.0..=MAX_GUIDANCE).contains(&body.guidance) {
		return Err(invalid("guidance", format!("guidance must be between 0 and {MAX_GUIDANCE}")));
	}
	for (value, field) in [(body.width, "width"), (body.height, "height")] {
		if !(MIN_SIDE..=MAX_SIDE).contains(&value) || value % 8 != 0 {
			return Err(invalid(
				field,
				format!("{field} must be between {MIN_SIDE} and {MAX_SIDE}, a multiple of 8"),
			));
		}
	}
	limits
		.check(body.steps, body.width, body.height)
		.map_err(|(message, field)| invalid(field, message))?;
	Ok(GenerateRequest {
		prompt: body.prompt.clone(),
		steps: body.steps,
		guidance: body.guidance,
		width: body.width,
		height: body.height,
		seed: body.seed.unwrap_or_else(rand::random),
		scheduler: body.scheduler,
	})
}

/// Worker status: device, execution provider, model, queue.
#[utoipa::path(get, path = "/v1/health", responses((status = 200, body = Health)))]
async fn health(State(state): State<Shared>) -> Json<Health> {
	let mut health = state.health.clone();
	health.queue_depth = state.metrics.queue_depth.get();
	Json(health)
}

/// A stored image by its sha256.
#[utoipa::path(
	get,
	path = "/v1/artifacts/{sha256}",
	params(("sha256" = String, Path, description = "Lower-case hex sha256 of the PNG")),
	responses(
		(status = 200, description = "The PNG", content_type = "image/png"),
		(status = 400, description = "Not a sha256", body = ErrorBody),
		(status = 404, description = "No such artifact", body = ErrorBody),
	)
)]
async fn artifact(State(state): State<Shared>, UrlPath(sha256): UrlPath<String>) -> Response {
	artifact_response(&state.artifacts, &sha256).await
}

/// `GET /v1/artifacts/{sha256}` from `store`: 400 for a malformed name, 404 when absent.
pub async fn artifact_response(store: &ArtifactStore, sha256: &str) -> Response {
	if !is_sha256_hex(sha256) {
		return error(
			StatusCode::BAD_REQUEST,
			"artifact names are 64 lower-case hex digits (sha256)",
		);
	}
	let Some(path) = store.path(sha256) else {
		return error(StatusCode::NOT_FOUND, format!("no artifact {sha256}"));
	};
	match tokio::fs::read(&path).await {
		Ok(bytes) => (
			[
				// An image, or a job's image manifest (its images' sha256s, concatenated).
				(header::CONTENT_TYPE, content_type(&bytes).to_string()),
				(header::ETAG, format!("\"{sha256}\"")),
			],
			Body::from(bytes),
		)
			.into_response(),
		Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, format!("reading artifact: {e}")),
	}
}

/// What an artifact is: a PNG image, or a job's image manifest (raw bytes).
fn content_type(bytes: &[u8]) -> &'static str {
	if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
		"image/png"
	} else {
		"application/octet-stream"
	}
}

/// Prometheus metrics.
#[utoipa::path(get, path = "/metrics", responses((status = 200, description = "Prometheus text format", content_type = "text/plain")))]
async fn metrics(State(state): State<Shared>) -> Response {
	let mut out = Vec::new();
	if let Err(e) = TextEncoder::new().encode(&state.metrics.registry.gather(), &mut out) {
		return error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string());
	}
	([(header::CONTENT_TYPE, TextEncoder::new().format_type().to_string())], out).into_response()
}

/// This document.
#[utoipa::path(get, path = "/v1/openapi.json", responses((status = 200, description = "OpenAPI 3.1 document")))]
async fn openapi() -> Response {
	Json(ApiDoc::openapi()).into_response()
}

#[cfg(test)]
mod tests {
	use super::*;

	fn body(json: &str) -> GenerateImageBody {
		serde_json::from_str(json).unwrap()
	}

	fn field_of(response: Response) -> (StatusCode, String) {
		let status = response.status();
		let body = futures_body(response);
		(status, body.field.unwrap_or_default())
	}

	fn futures_body(response: Response) -> ErrorBody {
		let bytes = tokio::runtime::Builder::new_current_thread()
			.build()
			.unwrap()
			.block_on(axum::body::to_bytes(response.into_body(), 1 << 20))
			.unwrap();
		serde_json::from_slice(&bytes).unwrap()
	}

	#[test]
	fn validation_names_the_field() {
		let limits =
			ModelLimits { max_width: 512, max_height: 512, max_steps: 100, size_multiple: 32 };
		let cases = [
			(r#"{"prompt":"x","steps":4}"#, "steps"),
			(r#"{"prompt":"x","steps":101}"#, "steps"),
			(r#"{"prompt":"x","guidance":25.5}"#, "guidance"),
			(r#"{"prompt":"x","guidance":-1}"#, "guidance"),
			(r#"{"prompt":"x","width":248}"#, "width"),
			(r#"{"prompt":"x","width":520}"#, "width"),
			(r#"{"prompt":"x","height":264}"#, "height"),
			(r#"{"prompt":"  "}"#, "prompt"),
		];
		for (json, field) in cases {
			let response = validate(&body(json), &limits).unwrap_err();
			assert_eq!(
				field_of(response),
				(StatusCode::UNPROCESSABLE_ENTITY, field.to_string()),
				"{json}"
			);
		}
		let ok = validate(
			&body(r#"{"prompt":"a red circle","width":512,"height":256,"seed":3}"#),
			&limits,
		)
		.unwrap();
		assert_eq!((ok.width, ok.height, ok.seed, ok.steps), (512, 256, 3, 20));
	}

	#[test]
	fn the_openapi_document_lists_every_route() {
		let doc = serde_json::to_value(ApiDoc::openapi()).unwrap();
		for path in [
			"/v1/generate-image",
			"/v1/health",
			"/v1/artifacts/{sha256}",
			"/metrics",
			"/v1/openapi.json",
		] {
			assert!(doc["paths"].get(path).is_some(), "{path} missing");
		}
	}
}
