//! Benchmark of the Rust pipeline: per-step and end-to-end latency over several runs, and peak
//! memory. Prints one JSON line in the same shape as `models/tools/reference_pipeline.py`, so
//! `scripts/bench-worker.sh` can put the two side by side. Not a test: it only measures.
//!
//! `cargo run --release -p aitbc-worker --example bench_pipeline -- [--model DIR] [--device cpu]
//!  [--steps 20] [--width 256] [--height 256] [--runs 5] [--warmup 2] [--threads 0]`
//!
//! Two warm-up runs by default: ONNX Runtime records a session's memory pattern on its first run
//! and allocates the planned buffers on the second, so memory is flat only from the third run on.

use std::path::PathBuf;

use aitbc_worker::{
	onnx::DeviceChoice,
	pipeline::{default_model_dir, GenerateRequest, Pipeline, PipelineOptions},
	scheduler::SchedulerKind,
};

/// Benchmark options (the Python reference takes the same names).
#[derive(clap::Parser)]
struct Args {
	#[arg(long, default_value_os_t = default_model_dir())]
	model: PathBuf,
	#[arg(long, default_value = "auto")]
	device: DeviceChoice,
	#[arg(long, default_value_t = 20)]
	steps: u32,
	#[arg(long, default_value_t = 256)]
	width: u32,
	#[arg(long, default_value_t = 256)]
	height: u32,
	#[arg(long, default_value_t = 5)]
	runs: usize,
	#[arg(long, default_value_t = 2)]
	warmup: usize,
	#[arg(long, default_value_t = 0)]
	threads: usize,
	#[arg(long, default_value_t = 7.5)]
	guidance: f32,
	#[arg(long, default_value = "a red circle on a blue background")]
	prompt: String,
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
	let Args { model, device, steps, width, height, runs, warmup, threads, guidance, prompt } =
		<Args as clap::Parser>::parse();

	let mut pipeline = Pipeline::load(&PipelineOptions {
		model_dir: model,
		device,
		ort_library: None,
		threads,
		optimization: Default::default(),
	})?;
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
			"png_ms_median": median(results.iter().map(|t| t.png_ms).collect()),
			"steps_sum_ms_median": median(results.iter().map(|t| t.step_ms.iter().sum()).collect()),
			"total_ms_median": median(results.iter().map(|t| t.total_ms).collect()),
			"peak_rss_mb": peak_rss_mb(),
			"peak_rss_growth_after_warmup_mb": peak_rss_mb() - rss_after_warmup,
		})
	);
	Ok(())
}
