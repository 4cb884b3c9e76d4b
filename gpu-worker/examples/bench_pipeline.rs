//! Benchmark of the Rust pipeline: per-step and end-to-end latency over several runs, and peak
//! memory. Prints one JSON line in the same shape as `models/tools/reference_pipeline.py`, so
//! `scripts/bench-worker.sh` can put the two side by side. Not a test: it only measures.
//!
//! `cargo run --release -p aitbc-worker --example bench_pipeline -- [--model DIR] [--device cpu]
//!  [--steps 20] [--width 256] [--height 256] [--runs 5] [--warmup 1] [--threads 0]`

use std::path::PathBuf;

use aitbc_worker::{
	onnx::DeviceChoice,
	pipeline::{default_model_dir, GenerateRequest, Pipeline, PipelineOptions},
	scheduler::SchedulerKind,
};

fn arg<T: std::str::FromStr>(args: &[String], name: &str, default: T) -> T {
	args.iter()
		.position(|a| a == name)
		.and_then(|i| args.get(i + 1))
		.and_then(|v| v.parse().ok())
		.unwrap_or(default)
}

fn median(mut values: Vec<f64>) -> f64 {
	values.sort_by(|a, b| a.total_cmp(b));
	let n = values.len();
	if n == 0 {
		return 0.0;
	}
	if n % 2 == 1 {
		values[n / 2]
	} else {
		(values[n / 2 - 1] + values[n / 2]) / 2.0
	}
}

/// Peak resident set size of this process in MB (VmHWM).
fn peak_rss_mb() -> f64 {
	std::fs::read_to_string("/proc/self/status")
		.ok()
		.and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(str::to_string))
		.and_then(|l| l.split_whitespace().nth(1).and_then(|kb| kb.parse::<f64>().ok()))
		.map(|kb| kb / 1024.0)
		.unwrap_or(0.0)
}

fn main() -> anyhow::Result<()> {
	let args: Vec<String> = std::env::args().collect();
	let model: PathBuf = arg(&args, "--model", default_model_dir());
	let device: DeviceChoice = arg(&args, "--device", DeviceChoice::Auto);
	let steps: u32 = arg(&args, "--steps", 20);
	let width: u32 = arg(&args, "--width", 256);
	let height: u32 = arg(&args, "--height", 256);
	let runs: usize = arg(&args, "--runs", 5);
	let warmup: usize = arg(&args, "--warmup", 1);
	let threads: usize = arg(&args, "--threads", 0);
	let guidance: f32 = arg(&args, "--guidance", 7.5);
	let prompt: String = arg(&args, "--prompt", "a red circle on a blue background".to_string());

	let mut pipeline = Pipeline::load(&PipelineOptions { model_dir: model, device, ort_library: None, threads })?;
	let request = |seed| GenerateRequest {
		prompt: prompt.clone(),
		steps,
		guidance,
		width,
		height,
		seed,
		scheduler: SchedulerKind::Ddim,
	};
	for i in 0..warmup {
		pipeline.generate(&request(i as u64), &mut |_, _| {})?;
	}
	let rss_after_warmup = peak_rss_mb();
	let mut results = Vec::new();
	for i in 0..runs {
		results.push(pipeline.generate(&request(100 + i as u64), &mut |_, _| {})?.timings);
	}
	println!(
		"{}",
		serde_json::json!({
			"impl": format!("rust-ort {} ({})", pipeline.runtime().version, pipeline.provider().name),
			"runs": runs,
			"step_ms_median": median(results.iter().flat_map(|t| t.step_ms.iter().copied()).collect()),
			"text_encoder_ms_median": median(results.iter().map(|t| t.text_encoder_ms).collect()),
			"vae_decoder_ms_median": median(results.iter().map(|t| t.vae_decoder_ms).collect()),
			"total_ms_median": median(results.iter().map(|t| t.total_ms).collect()),
			"peak_rss_mb": peak_rss_mb(),
			"peak_rss_growth_after_warmup_mb": peak_rss_mb() - rss_after_warmup,
		})
	);
	Ok(())
}
