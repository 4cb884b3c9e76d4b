//! Audit tolerance benchmark: does the auditor's comparison ([`aitbc_worker::compare::matches`])
//! pass every honest re-run and catch the cheap substitutes a cheater would serve instead?
//!
//! For each of `--jobs` random jobs of the embedded model (random caption and seed, DDIM and
//! Euler alternately) the *provider* pipeline makes the reference image. Then:
//! - **honest pairs**: the same job re-run by auditor pipelines with other intra-op thread
//!   counts and graph optimisation levels (and the CUDA provider with `--cuda` on a GPU
//!   machine);
//! - **substitutes**: one step fewer, half the steps, the next seed, another caption with the
//!   same seed, half resolution upscaled, the previous job's image, uniform noise.
//!
//! Every pair is judged twice by the worker's own decision code: as if both ran in the same
//! execution echelon (exact bytes) and as if they ran in different ones (PSNR at least
//! [`CROSS_ECHELON_MIN_PSNR_DB`]). The table gives false accusations of honest pairs and the
//! share of substitutes caught, the PSNR range of each class (the window a threshold must fall
//! in), and then the expected value of cheating under the measured detection rate
//! ([`aitbc_primitives::audit_economics`]). Not a test: it measures and prints.
//!
//! `cargo run --release -p aitbc-worker --example audit_tolerance -- [--jobs 200] [--steps 20]
//!  [--width 256] [--height 256] [--cuda] [--audit-rate 0.1]`

use std::{collections::BTreeMap, path::PathBuf};

use aitbc_primitives::{audit_economics::CheatingModel, ExecutionInfo};
use aitbc_worker::{
	compare::{decode_rgb, execution_info, matches, psnr, CROSS_ECHELON_MIN_PSNR_DB},
	onnx::{DeviceChoice, Optimization},
	pipeline::{default_model_dir, encode_png, GenerateRequest, Pipeline, PipelineOptions},
	scheduler::SchedulerKind,
	selftest::DatasetInfo,
};
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

#[derive(clap::Parser)]
struct Args {
	#[arg(long, default_value_os_t = default_model_dir())]
	model: PathBuf,
	/// Jobs to run; each gives one pair of every class.
	#[arg(long, default_value_t = 200)]
	jobs: usize,
	#[arg(long, default_value_t = 20)]
	steps: u32,
	#[arg(long, default_value_t = 256)]
	width: u32,
	#[arg(long, default_value_t = 256)]
	height: u32,
	/// Also re-run every job with the CUDA provider (a GPU machine).
	#[arg(long)]
	cuda: bool,
	/// Seed of the job generator.
	#[arg(long, default_value_t = 17)]
	seed: u64,
	/// The audit rate of the expected-value table (the runtime's `DefaultAuditRate`).
	#[arg(long, default_value_t = 0.1)]
	audit_rate: f64,
}

/// The provider's pipeline, and the auditors' honest variants of it.
struct Variant {
	name: String,
	pipeline: Pipeline,
	execution: ExecutionInfo,
}

fn load(
	model: &PathBuf,
	device: DeviceChoice,
	threads: usize,
	optimization: Optimization,
) -> anyhow::Result<Variant> {
	let pipeline = Pipeline::load(&PipelineOptions {
		model_dir: model.clone(),
		device,
		ort_library: None,
		threads,
		optimization,
	})?;
	let execution = execution_info(&pipeline);
	let name = format!(
		"{} threads={} opt={:?}",
		pipeline.provider().device,
		if threads == 0 { "default".to_string() } else { threads.to_string() },
		optimization
	);
	Ok(Variant { name, pipeline, execution })
}

/// One comparison class: how its pairs were judged.
#[derive(Default)]
struct Class {
	honest: bool,
	pairs: usize,
	identical: usize,
	/// PSNR of each pair that is not byte-identical (`None`: another size).
	psnr: Vec<Option<f64>>,
	/// Judged a mismatch by the same-echelon rule / the cross-echelon rule.
	flagged_exact: usize,
	flagged_cross: usize,
}

impl Class {
	fn record(
		&mut self,
		served: &[u8],
		served_on: &ExecutionInfo,
		rerun: &[u8],
		rerun_on: &ExecutionInfo,
	) -> anyhow::Result<()> {
		self.pairs += 1;
		if served == rerun {
			self.identical += 1;
		} else {
			self.psnr.push(psnr(&decode_rgb(rerun)?, &decode_rgb(served)?));
		}
		// As the worker judges it: its own echelon against the receipt's.
		let real = matches(served, served_on, rerun, rerun_on)?;
		let exact = matches(served, rerun_on, rerun, rerun_on)?;
		let cross = matches(served, &other_echelon(rerun_on), rerun, rerun_on)?;
		// A pair whose echelons really differ (CUDA) is only ever judged across echelons.
		let same = aitbc_worker::compare::same_echelon(served_on, rerun_on);
		self.flagged_exact += usize::from(if same { !exact } else { !real });
		self.flagged_cross += usize::from(!cross);
		Ok(())
	}
}

/// The same run labelled as another execution provider's, so the cross-echelon rule judges it.
fn other_echelon(info: &ExecutionInfo) -> ExecutionInfo {
	let mut other = info.clone();
	other.execution_provider =
		sp_core::bounded::BoundedVec::truncate_from(b"OtherProvider".to_vec());
	other
}

fn upscale_bilinear(rgb: &[u8], width: u32, height: u32) -> Vec<u8> {
	let (w, h) = (width as usize, height as usize);
	let (ow, oh) = (w * 2, h * 2);
	let mut out = vec![0u8; ow * oh * 3];
	for y in 0..oh {
		let sy = ((y as f64 + 0.5) / 2.0 - 0.5).clamp(0.0, (h - 1) as f64);
		let (y0, fy) = (sy.floor() as usize, sy.fract());
		let y1 = (y0 + 1).min(h - 1);
		for x in 0..ow {
			let sx = ((x as f64 + 0.5) / 2.0 - 0.5).clamp(0.0, (w - 1) as f64);
			let (x0, fx) = (sx.floor() as usize, sx.fract());
			let x1 = (x0 + 1).min(w - 1);
			for c in 0..3 {
				let at = |xx: usize, yy: usize| f64::from(rgb[(yy * w + xx) * 3 + c]);
				let top = at(x0, y0) * (1.0 - fx) + at(x1, y0) * fx;
				let bottom = at(x0, y1) * (1.0 - fx) + at(x1, y1) * fx;
				out[(y * ow + x) * 3 + c] = (top * (1.0 - fy) + bottom * fy).round() as u8;
			}
		}
	}
	out
}

fn fmt_db(value: Option<f64>) -> String {
	match value {
		Some(db) if db.is_infinite() => "identical".into(),
		Some(db) => format!("{db:.1}"),
		None => "-".into(),
	}
}

fn main() -> anyhow::Result<()> {
	let args = <Args as clap::Parser>::parse();
	let cpu = DeviceChoice::Cpu;
	let mut provider = load(&args.model, cpu, 0, Optimization::All)?;
	let mut auditors = vec![
		load(&args.model, cpu, 1, Optimization::All)?,
		load(&args.model, cpu, 0, Optimization::Basic)?,
		load(&args.model, cpu, 1, Optimization::Disabled)?,
	];
	if args.cuda {
		auditors.push(load(&args.model, DeviceChoice::Cuda(0), 0, Optimization::All)?);
	}
	let dataset = DatasetInfo::load(&args.model).map_err(anyhow::Error::msg)?;
	let cases = dataset.all_cases();
	let mut rng = ChaCha8Rng::seed_from_u64(args.seed);
	let job = |i: usize, rng: &mut ChaCha8Rng| {
		let (shape, fg, bg) = &cases[rng.gen_range(0..cases.len())];
		GenerateRequest {
			prompt: DatasetInfo::caption(shape, fg, bg),
			steps: args.steps,
			guidance: 7.5,
			width: args.width,
			height: args.height,
			seed: rng.next_u64(),
			scheduler: if i % 2 == 0 { SchedulerKind::Ddim } else { SchedulerKind::Euler },
		}
	};

	let mut classes: BTreeMap<String, Class> = BTreeMap::new();
	let substitute_names = [
		"one step fewer",
		"half the steps",
		"next seed",
		"another caption",
		"half resolution upscaled",
		"previous job's image",
		"uniform noise",
	];
	for variant in &auditors {
		classes.insert(
			format!("honest: {}", variant.name),
			Class { honest: true, ..Default::default() },
		);
	}
	for name in substitute_names {
		classes.insert(format!("substitute: {name}"), Class::default());
	}
	let progress = indicatif::ProgressBar::new(args.jobs as u64);
	let mut previous = provider.pipeline.generate(&job(1, &mut rng), &mut |_, _| {})?.png;
	let started = std::time::Instant::now();
	for i in 0..args.jobs {
		let request = job(i, &mut rng);
		let reference = provider.pipeline.generate(&request, &mut |_, _| {})?.png;
		let on = provider.execution.clone();
		for variant in &mut auditors {
			let rerun = variant.pipeline.generate(&request, &mut |_, _| {})?.png;
			classes.get_mut(&format!("honest: {}", variant.name)).expect("inserted above").record(
				&rerun,
				&variant.execution,
				&reference,
				&on,
			)?;
		}
		let mut substitute = |name: &str, png: &[u8]| {
			classes
				.get_mut(&format!("substitute: {name}"))
				.expect("inserted above")
				.record(png, &on, &reference, &on)
		};
		let mut make =
			|changed: GenerateRequest| provider.pipeline.generate(&changed, &mut |_, _| {});
		let fewer = make(GenerateRequest { steps: request.steps - 1, ..request.clone() })?;
		substitute("one step fewer", &fewer.png)?;
		let half = make(GenerateRequest { steps: request.steps.div_ceil(2), ..request.clone() })?;
		substitute("half the steps", &half.png)?;
		let next_seed =
			make(GenerateRequest { seed: request.seed.wrapping_add(1), ..request.clone() })?;
		substitute("next seed", &next_seed.png)?;
		let other_caption = loop {
			let (shape, fg, bg) = &cases[rng.gen_range(0..cases.len())];
			let caption = DatasetInfo::caption(shape, fg, bg);
			if caption != request.prompt {
				break caption;
			}
		};
		let caption = make(GenerateRequest { prompt: other_caption, ..request.clone() })?;
		substitute("another caption", &caption.png)?;
		let small = make(GenerateRequest {
			width: request.width / 2,
			height: request.height / 2,
			..request.clone()
		})?;
		let upscaled = encode_png(
			&upscale_bilinear(&small.rgb, small.width, small.height),
			request.width,
			request.height,
		)?;
		substitute("half resolution upscaled", &upscaled)?;
		substitute("previous job's image", &previous)?;
		let mut noise = vec![0u8; (request.width * request.height * 3) as usize];
		rng.fill_bytes(&mut noise);
		substitute("uniform noise", &encode_png(&noise, request.width, request.height)?)?;
		previous = reference;
		progress.inc(1);
	}
	progress.finish_and_clear();

	println!(
		"audit tolerance: {} jobs of {} steps at {}x{} (DDIM and Euler alternately), model {}, provider {} ({} s)",
		args.jobs,
		args.steps,
		args.width,
		args.height,
		provider.pipeline.manifest().name,
		provider.name,
		started.elapsed().as_secs()
	);
	println!(
		"same echelon: exact bytes; across echelons: PSNR >= {CROSS_ECHELON_MIN_PSNR_DB} dB\n"
	);
	println!(
		"{:<44} {:>5} {:>9} {:>9} {:>9} {:>9} {:>13} {:>13}",
		"pair class",
		"pairs",
		"identical",
		"PSNR min",
		"median",
		"max",
		"flagged same",
		"flagged cross"
	);
	let mut honest_min = f64::INFINITY;
	let mut substitute_max = f64::NEG_INFINITY;
	let mut detection = 1.0f64;
	let mut false_accusations = 0;
	for (name, class) in &classes {
		let mut db: Vec<f64> = class.psnr.iter().flatten().copied().collect();
		db.sort_by(f64::total_cmp);
		let (min, max) = (db.first().copied(), db.last().copied());
		let median = db.get(db.len() / 2).copied();
		let rate =
			|n: usize| format!("{n} ({:.1} %)", 100.0 * n as f64 / class.pairs.max(1) as f64);
		println!(
			"{:<44} {:>5} {:>9} {:>9} {:>9} {:>9} {:>13} {:>13}",
			name,
			class.pairs,
			class.identical,
			fmt_db(min),
			fmt_db(median),
			fmt_db(max),
			rate(class.flagged_exact),
			rate(class.flagged_cross)
		);
		if class.honest {
			false_accusations += class.flagged_exact + class.flagged_cross;
			honest_min = honest_min.min(min.unwrap_or(f64::INFINITY));
		} else {
			substitute_max = substitute_max.max(max.unwrap_or(f64::NEG_INFINITY));
			let caught = class.flagged_exact.min(class.flagged_cross);
			detection = detection.min(caught as f64 / class.pairs.max(1) as f64);
		}
	}
	println!(
		"\nfalse accusations of honest pairs: {false_accusations}; substitutes caught (worst class, either rule): {:.1} %",
		100.0 * detection
	);
	println!(
		"a cross-echelon threshold must lie above {} dB (the closest substitute) and below {} (the farthest honest re-run); it is {CROSS_ECHELON_MIN_PSNR_DB} dB",
		fmt_db(Some(substitute_max)),
		if honest_min.is_infinite() { "infinity: every honest re-run here was identical".to_string() } else { format!("{honest_min:.1} dB") }
	);

	println!(
		"\nexpected gain of cheating (in receipts' pay; negative: it loses), audit rate {:.0} %, detection {:.1} %, nothing bonded:",
		100.0 * args.audit_rate,
		100.0 * detection
	);
	let horizons = [100u32, 1_000, 10_000];
	print!("{:<8}", "margin");
	for h in horizons {
		print!(" {:>28}", format!("{h} receipts approved"));
	}
	println!();
	for margin in [0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 0.9] {
		print!("{:<8}", format!("{:.0} %", 100.0 * margin));
		for horizon in horizons {
			let model = CheatingModel {
				audit_rate: args.audit_rate,
				detection,
				margin,
				slash: 0.0,
				horizon,
			};
			let (fraction, gain) = model.best_cheating();
			let cell = if gain < 0.0 {
				format!("loses (best {gain:.2})")
			} else {
				format!("PAYS {gain:.2} at f={fraction}")
			};
			print!(" {cell:>28}");
		}
		println!();
	}
	Ok(())
}
