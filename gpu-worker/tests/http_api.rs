//! The Stage 1 HTTP API, tested against the real `aitbc-worker serve` process on loopback with the
//! embedded model on the CPU provider.

use std::{
	io::{BufRead, BufReader},
	process::{Child, Command, Stdio},
	time::{Duration, Instant},
};

use base64::Engine;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const KEY: &str = "test-key-1";

struct Worker {
	child: Child,
	base: String,
	_artifacts: tempfile::TempDir,
}

impl Worker {
	fn start(extra: &[&str]) -> Self {
		let artifacts = tempfile::tempdir().unwrap();
		let mut child = Command::new(env!("CARGO_BIN_EXE_aitbc-worker"))
			.args(["serve", "--listen", "127.0.0.1:0", "--device", "cpu", "--threads", "1"])
			.args(["--api-key", KEY, "--artifacts"])
			.arg(artifacts.path())
			.args(extra)
			.env_remove("AITBC_MODEL_DIR")
			.stdout(Stdio::piped())
			.stderr(Stdio::null())
			.spawn()
			.expect("aitbc-worker starts");
		let stdout = child.stdout.take().unwrap();
		let (tx, rx) = std::sync::mpsc::channel();
		std::thread::spawn(move || {
			for line in BufReader::new(stdout).lines().map_while(Result::ok) {
				if let Some(addr) = line.strip_prefix("listening on ") {
					let _ = tx.send(addr.to_string());
				}
			}
		});
		let base = rx.recv_timeout(Duration::from_secs(60)).expect("worker prints its address");
		Self { child, base, _artifacts: artifacts }
	}

	fn url(&self, path: &str) -> String {
		format!("{}{path}", self.base)
	}

	fn interrupt(&mut self) -> std::process::ExitStatus {
		// SAFETY: sending a signal to our own child process.
		unsafe { libc::kill(self.child.id() as libc::pid_t, libc::SIGINT) };
		let deadline = Instant::now() + Duration::from_secs(60);
		loop {
			if let Some(status) = self.child.try_wait().unwrap() {
				return status;
			}
			assert!(Instant::now() < deadline, "worker did not stop after SIGINT");
			std::thread::sleep(Duration::from_millis(50));
		}
	}
}

impl Drop for Worker {
	fn drop(&mut self) {
		let _ = self.child.kill();
		let _ = self.child.wait();
	}
}

fn agent() -> ureq::Agent {
	ureq::Agent::config_builder().http_status_as_error(false).build().into()
}

/// POSTs `body` to /v1/generate-image; returns status, headers' Retry-After and the JSON body.
fn generate(worker: &Worker, body: &Value, bearer: Option<&str>) -> (u16, Option<String>, Value) {
	let mut request =
		agent().post(worker.url("/v1/generate-image")).header("Content-Type", "application/json");
	if let Some(key) = bearer {
		request = request.header("Authorization", format!("Bearer {key}"));
	}
	let mut response = request.send(body.to_string()).expect("request sent");
	let status = response.status().as_u16();
	let retry = response.headers().get("retry-after").map(|v| v.to_str().unwrap().to_string());
	let text = response.body_mut().read_to_string().unwrap();
	(status, retry, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

fn get(worker: &Worker, path: &str) -> (u16, Vec<u8>) {
	let mut response = agent().get(worker.url(path)).call().expect("request sent");
	(response.status().as_u16(), response.body_mut().read_to_vec().unwrap())
}

fn decode_png(bytes: &[u8]) -> (u32, u32) {
	let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
	let reader = decoder.read_info().expect("a valid PNG");
	let info = reader.info();
	(info.width, info.height)
}

#[test]
fn a_good_request_returns_the_png_its_artifact_and_reproduces_with_the_seed() {
	let worker = Worker::start(&[]);
	let body = json!({
		"api_key": KEY, "prompt": "a red circle on a blue background", "steps": 8,
		"guidance": 5.0, "width": 320, "height": 256, "seed": 42
	});
	let (status, _, result) = generate(&worker, &body, None);
	assert_eq!(status, 200, "{result}");
	assert_eq!(result["status"], "succeeded");
	assert_eq!(result["provider"], "CPUExecutionProvider");
	assert_eq!(result["model"], "tiny-shapes");
	assert!(result["job_id"].as_str().unwrap().starts_with("job-"));
	assert!(result["duration_ms"].as_u64().unwrap() > 0);
	let gpu_seconds = result["gpu_seconds"].as_f64().unwrap();
	assert!(
		gpu_seconds > 0.0 && gpu_seconds * 1000.0 <= result["duration_ms"].as_f64().unwrap() + 1.0
	);
	let data_url = result["image_base64"].as_str().unwrap();
	let png = base64::engine::general_purpose::STANDARD
		.decode(data_url.strip_prefix("data:image/png;base64,").expect("a PNG data URL"))
		.unwrap();
	assert_eq!(decode_png(&png), (320, 256));
	let sha = hex::encode(Sha256::digest(&png));
	assert_eq!(result["sha256"], sha.as_str());

	let (status, artifact) = get(&worker, &format!("/v1/artifacts/{sha}"));
	assert_eq!(status, 200);
	assert_eq!(hex::encode(Sha256::digest(&artifact)), sha);
	assert_eq!(get(&worker, &format!("/v1/artifacts/{}", "0".repeat(64))).0, 404);
	assert_eq!(get(&worker, "/v1/artifacts/not-a-hash").0, 400);
	// A page on another origin (the web app) may read artifacts, but not generate.
	let cross_origin = agent()
		.get(worker.url(&format!("/v1/artifacts/{sha}")))
		.header("Origin", "http://127.0.0.1:8080")
		.call()
		.expect("request sent");
	assert_eq!(cross_origin.headers().get("access-control-allow-origin").unwrap(), "*");
	let preflight = agent()
		.options(worker.url("/v1/generate-image"))
		.header("Origin", "http://127.0.0.1:8080")
		.header("Access-Control-Request-Method", "POST")
		.call()
		.expect("request sent");
	assert!(preflight.headers().get("access-control-allow-origin").is_none());

	// Same seed and parameters, bearer-header auth this time: the same image.
	let mut again = body.clone();
	again.as_object_mut().unwrap().remove("api_key");
	let (status, _, second) = generate(&worker, &again, Some(KEY));
	assert_eq!(status, 200, "{second}");
	assert_eq!(second["sha256"], sha.as_str());
	assert_ne!(second["job_id"], result["job_id"]);

	let (status, health) = get(&worker, "/v1/health");
	assert_eq!(status, 200);
	let health: Value = serde_json::from_slice(&health).unwrap();
	assert_eq!(health["provider"], "CPUExecutionProvider");
	assert_eq!(health["device"], "cpu");
	assert_eq!(health["model"], "tiny-shapes");
	assert!(health["onnxruntime"].as_str().unwrap().starts_with("1.31."));

	let (status, metrics) = get(&worker, "/metrics");
	assert_eq!(status, 200);
	let metrics = String::from_utf8(metrics).unwrap();
	assert!(
		metrics.contains(
			r#"aitbc_worker_http_requests_total{route="/v1/generate-image",status="200"} 2"#
		),
		"{metrics}"
	);
	assert!(metrics.contains("aitbc_worker_http_request_duration_seconds_bucket"));
	assert!(metrics.contains("aitbc_worker_queue_depth 0"));
	assert!(metrics.contains(r#"aitbc_worker_jobs_total{outcome="succeeded"} 2"#));

	let (status, doc) = get(&worker, "/v1/openapi.json");
	assert_eq!(status, 200);
	let doc: Value = serde_json::from_slice(&doc).unwrap();
	assert!(doc["paths"]["/v1/generate-image"]["post"].is_object());
	assert!(doc["components"]["schemas"]["GenerateImageBody"].is_object());
}

#[test]
fn bad_requests_get_their_status_and_the_field_named() {
	let worker = Worker::start(&["--body-limit", "4096"]);
	let ok = json!({"api_key": KEY, "prompt": "a red circle on a blue background"});

	let mut no_key = ok.clone();
	no_key.as_object_mut().unwrap().remove("api_key");
	let (status, _, body) = generate(&worker, &no_key, None);
	assert_eq!(status, 401, "{body}");
	assert!(body["error"].as_str().unwrap().contains("missing API key"));
	let (status, _, _) = generate(&worker, &no_key, Some("wrong"));
	assert_eq!(status, 401);

	let cases = [
		("steps", json!(4)),
		("steps", json!(101)),
		("steps", json!("ten")),
		("guidance", json!(25.5)),
		("guidance", json!(-0.5)),
		("width", json!(248)),
		("width", json!(1032)),
		("width", json!(544)),  // above the model's 512
		("height", json!(260)), // not a multiple of 8
		("height", json!(264)), // a multiple of 8, not of the model's 32
		("prompt", json!("")),
		("seed", json!(-1)),
		("scheduler", json!("plms")),
	];
	for (field, value) in cases {
		let mut body = ok.clone();
		body[field] = value.clone();
		let (status, _, answer) = generate(&worker, &body, None);
		assert_eq!(status, 422, "{field}={value}: {answer}");
		assert_eq!(answer["field"], field, "{field}={value}: {answer}");
		assert!(!answer["error"].as_str().unwrap().is_empty());
	}

	let huge = json!({"api_key": KEY, "prompt": "x".repeat(8000)});
	let (status, _, answer) = generate(&worker, &huge, None);
	assert_eq!(status, 413, "{answer}");

	let mut response = agent()
		.post(worker.url("/v1/generate-image"))
		.header("Content-Type", "application/json")
		.send("{not json")
		.unwrap();
	assert_eq!(response.status().as_u16(), 400);
	assert!(response.body_mut().read_to_string().unwrap().contains("not valid JSON"));
}

#[test]
fn the_rate_limit_is_per_key_and_says_when_to_retry() {
	let worker = Worker::start(&["--rate-limit", "3"]);
	let cheap = json!({"api_key": KEY, "prompt": "a red circle", "steps": 1});
	for _ in 0..3 {
		assert_eq!(generate(&worker, &cheap, None).0, 422);
	}
	let (status, retry_after, body) = generate(&worker, &cheap, None);
	assert_eq!(status, 429, "{body}");
	assert!(retry_after.unwrap().parse::<u64>().unwrap() >= 1);
	// Unknown keys are refused before they can use anyone's quota.
	assert_eq!(generate(&worker, &json!({"api_key": "other", "prompt": "x"}), None).0, 401);
}

#[test]
fn a_full_queue_answers_503_and_the_jobs_in_it_still_finish() {
	let worker = std::sync::Arc::new(Worker::start(&["--queue", "1"]));
	let slow = json!({"api_key": KEY, "prompt": "a blue square on a white background", "steps": 60, "width": 512, "height": 512});
	let handles: Vec<_> = (0..4)
		.map(|i| {
			let worker = worker.clone();
			let slow = slow.clone();
			std::thread::spawn(move || {
				std::thread::sleep(Duration::from_millis(150 * i));
				generate(&worker, &slow, None)
			})
		})
		.collect();
	let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
	let ok = results.iter().filter(|r| r.0 == 200).count();
	let full: Vec<_> = results.iter().filter(|r| r.0 == 503).collect();
	assert!(ok >= 1, "{results:?}");
	assert!(!full.is_empty(), "expected a 503 with one running and one queued: {results:?}");
	assert_eq!(ok + full.len(), 4, "{results:?}");
	assert!(full[0].2["error"].as_str().unwrap().contains("queue full"));
	assert!(full[0].1.is_some(), "503 carries Retry-After");
}

#[test]
fn sigint_finishes_the_running_job_then_exits_cleanly() {
	let mut worker = Worker::start(&[]);
	let url = worker.url("/v1/generate-image");
	let job = std::thread::spawn(move || {
		let body = json!({"api_key": KEY, "prompt": "a green triangle on a black background", "steps": 40, "width": 512, "height": 512});
		let mut response = agent()
			.post(url)
			.header("Content-Type", "application/json")
			.send(body.to_string())
			.unwrap();
		(response.status().as_u16(), response.body_mut().read_to_string().unwrap())
	});
	// Let the job start, then ask the worker to stop.
	std::thread::sleep(Duration::from_millis(700));
	let status = worker.interrupt();
	let (code, body) = job.join().unwrap();
	assert_eq!(code, 200, "the job in flight completes: {body}");
	assert!(status.success(), "exit status {status:?}");
}
