//! The Rust pipeline on the embedded model (CPU provider): images show what the prompt asks
//! (background and shape colour), with both schedulers; seeded runs are reproducible; sessions
//! are reused and memory stays flat over many jobs.

use aitbc_worker::{
	model::embedded_model_dir,
	onnx::DeviceChoice,
	pipeline::{GenerateRequest, Pipeline, PipelineOptions},
	scheduler::SchedulerKind,
	selftest::{DatasetInfo, SELFTEST_CASES},
};

fn pipeline() -> Pipeline {
	Pipeline::load(&PipelineOptions {
		model_dir: embedded_model_dir(),
		device: DeviceChoice::Cpu,
		ort_library: None,
		threads: 0,
		optimization: Default::default(),
	})
	.expect("the embedded model loads (run scripts/setup.sh for ONNX Runtime)")
}

fn request(prompt: &str, scheduler: SchedulerKind, seed: u64) -> GenerateRequest {
	GenerateRequest {
		prompt: prompt.into(),
		steps: 20,
		guidance: 7.5,
		width: 256,
		height: 256,
		seed,
		scheduler,
	}
}

fn check_all(pipeline: &mut Pipeline, scheduler: SchedulerKind) {
	let dataset = DatasetInfo::load(&embedded_model_dir()).unwrap();
	let mut failures = Vec::new();
	for (shape, fg, bg) in SELFTEST_CASES {
		let prompt = DatasetInfo::caption(shape, fg, bg);
		let image = pipeline.generate(&request(&prompt, scheduler, 1), &mut |_, _| {}).unwrap();
		assert_eq!((image.width, image.height), (256, 256));
		let found = dataset.analyse(&image.rgb, 256, 256);
		if !found.matches(fg, bg) {
			failures.push(format!("{prompt}: got {found:?}"));
		}
	}
	assert!(failures.is_empty(), "{scheduler:?}: {failures:#?}");
}

#[test]
fn images_show_the_prompted_colours_with_ddim() {
	check_all(&mut pipeline(), SchedulerKind::Ddim);
}

#[test]
fn images_show_the_prompted_colours_with_euler() {
	check_all(&mut pipeline(), SchedulerKind::Euler);
}

#[test]
fn each_colour_word_drives_its_colour_and_a_seed_reproduces_the_image() {
	let mut pipeline = pipeline();
	let dataset = DatasetInfo::load(&embedded_model_dir()).unwrap();
	let red_on_blue = request("a red circle on a blue background", SchedulerKind::Ddim, 1);
	let first = pipeline.generate(&red_on_blue, &mut |_, _| {}).unwrap();
	let again = pipeline.generate(&red_on_blue, &mut |_, _| {}).unwrap();
	assert_eq!(first.png, again.png, "same seed, same provider: same bytes");
	let other_seed = pipeline
		.generate(&request(&red_on_blue.prompt, SchedulerKind::Ddim, 2), &mut |_, _| {})
		.unwrap();
	assert_ne!(first.rgb, other_seed.rgb);
	// Changing one colour word changes that colour in the image, and only that one.
	for (prompt, fg, bg) in [
		("a red circle on a blue background", "red", "blue"),
		("a green circle on a blue background", "green", "blue"),
		("a yellow circle on a blue background", "yellow", "blue"),
		("a yellow square on a blue background", "yellow", "blue"),
		("a yellow square on a red background", "yellow", "red"),
	] {
		let image =
			pipeline.generate(&request(prompt, SchedulerKind::Ddim, 1), &mut |_, _| {}).unwrap();
		let found = dataset.analyse(&image.rgb, 256, 256);
		assert!(found.matches(fg, bg), "{prompt}: {found:?}");
	}
}

#[test]
fn progress_is_reported_per_step_and_timings_add_up() {
	let mut pipeline = pipeline();
	let mut seen = Vec::new();
	let image = pipeline
		.generate(
			&request("a white square on a green background", SchedulerKind::Euler, 3),
			&mut |step, of| seen.push((step, of)),
		)
		.unwrap();
	assert_eq!(seen, (1..=20).map(|s| (s, 20)).collect::<Vec<_>>());
	assert_eq!(image.timings.step_ms.len(), 20);
	assert!(image.timings.inference_ms() <= image.timings.total_ms);
	assert!(image.timings.vae_decoder_ms > 0.0 && image.timings.text_encoder_ms > 0.0);
}

#[test]
fn memory_stays_flat_over_many_jobs() {
	fn rss_kb() -> u64 {
		let status = std::fs::read_to_string("/proc/self/status").unwrap();
		let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
		line.split_whitespace().nth(1).unwrap().parse().unwrap()
	}
	let mut pipeline = pipeline();
	let job = |seed| GenerateRequest {
		steps: 5,
		..request("a yellow triangle on a black background", SchedulerKind::Ddim, seed)
	};
	for seed in 0..5 {
		pipeline.generate(&job(seed), &mut |_, _| {}).unwrap();
	}
	let after_warmup = rss_kb();
	for seed in 5..45 {
		pipeline.generate(&job(seed), &mut |_, _| {}).unwrap();
	}
	let growth_mb = (rss_kb() as f64 - after_warmup as f64) / 1024.0;
	assert!(growth_mb < 20.0, "resident memory grew {growth_mb:.1} MB over 40 jobs");
}

#[test]
fn requests_outside_the_model_limits_are_refused_before_running() {
	let mut pipeline = pipeline();
	for (width, height, steps) in [(264, 256, 20), (256, 544, 20), (256, 256, 0), (256, 256, 101)] {
		let request = GenerateRequest {
			width,
			height,
			steps,
			..request("a red circle", SchedulerKind::Ddim, 1)
		};
		let err = pipeline.generate(&request, &mut |_, _| panic!("must not run")).unwrap_err();
		assert!(err.to_string().starts_with("invalid request"), "{err}");
	}
}

#[test]
fn the_interface_is_read_from_the_model_f16_int32_ids_scalar_float_timestep() {
	// A model whose graphs are trivial but whose interface differs from the embedded one the way
	// real exports do (models/tools/make_io_fixture.py): f16 everywhere, int32 ids with a fixed
	// batch of 1, a rank-0 float timestep. Its "UNet" predicts 0.1 × sample, so the run is checkable.
	let dir =
		std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/io-variant-model");
	let mut pipeline = Pipeline::load(&PipelineOptions {
		model_dir: dir,
		device: DeviceChoice::Cpu,
		ort_library: None,
		threads: 1,
		optimization: Default::default(),
	})
	.unwrap();
	for scheduler in [SchedulerKind::Ddim, SchedulerKind::Euler] {
		let image = pipeline
			.generate(
				&GenerateRequest {
					width: 320,
					height: 256,
					steps: 4,
					..request("a red circle", scheduler, 5)
				},
				&mut |_, _| {},
			)
			.unwrap();
		assert_eq!((image.width, image.height), (320, 256), "{scheduler:?}");
		assert_eq!(image.rgb.len(), 320 * 256 * 3);
		// Nearest-neighbour 8x upsampling: every 8x8 block is one colour.
		let pixel = |x: usize, y: usize| &image.rgb[(y * 320 + x) * 3..(y * 320 + x) * 3 + 3];
		assert_eq!(pixel(8, 16), pixel(15, 23));
		assert!((0..256).step_by(8).any(|y| pixel(0, y) != pixel(0, 0)), "not a flat image");
	}
}

#[test]
fn pixels_match_the_python_onnxruntime_reference_from_the_same_noise() {
	// models/tools/pipeline_fixture.py ran the Python reference (same ONNX files, DDIM, batch-2
	// CFG, VAE) from this noise; tokenizer, text encoder, schedule, guidance, scaling and decoding
	// must all agree for the images to match.
	let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/reference");
	#[derive(serde::Deserialize)]
	struct Case {
		prompt: String,
		steps: u32,
		guidance: f32,
		width: u32,
		height: u32,
	}
	let case: Case =
		serde_json::from_slice(&std::fs::read(dir.join("case.json")).unwrap()).unwrap();
	let noise: Vec<f32> = std::fs::read(dir.join("noise.f32"))
		.unwrap()
		.chunks_exact(4)
		.map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
		.collect();
	let expected_png = std::fs::read(dir.join("expected.png")).unwrap();
	let mut reader = png::Decoder::new(std::io::Cursor::new(expected_png)).read_info().unwrap();
	let mut expected = vec![0u8; reader.output_buffer_size().unwrap()];
	reader.next_frame(&mut expected).unwrap();

	let mut pipeline = pipeline();
	let request = GenerateRequest {
		prompt: case.prompt,
		steps: case.steps,
		guidance: case.guidance,
		width: case.width,
		height: case.height,
		seed: 0,
		scheduler: SchedulerKind::Ddim,
	};
	let image = pipeline.generate_with_noise(&request, Some(&noise), &mut |_, _| {}).unwrap();
	assert_eq!(image.rgb.len(), expected.len());
	let diffs: Vec<u8> = image.rgb.iter().zip(&expected).map(|(a, b)| a.abs_diff(*b)).collect();
	let max = *diffs.iter().max().unwrap();
	let mean = diffs.iter().map(|&d| f64::from(d)).sum::<f64>() / diffs.len() as f64;
	assert!(max <= 3 && mean < 0.5, "Rust vs Python: max |diff| {max}, mean {mean:.3}");
	// And a different start gives a different image, so the comparison means something.
	let other: Vec<f32> = noise.iter().map(|v| -v).collect();
	let flipped = pipeline.generate_with_noise(&request, Some(&other), &mut |_, _| {}).unwrap();
	assert!(flipped.rgb.iter().zip(&expected).filter(|(a, b)| a.abs_diff(**b) > 3).count() > 1000);
}
