//! Comparing an audited image with the auditor's re-run of its job.
//!
//! Within one *execution echelon* (the same ONNX Runtime execution provider, device class and
//! runtime version with its graph optimisation level, as the receipt records them) an honest re-run is bit-identical, so the
//! PNG bytes must match exactly. Across echelons floating-point differences are allowed up to a
//! perceptual tolerance: the peak signal-to-noise ratio of the two decoded images.

use aitbc_primitives::ExecutionInfo;

/// The smallest PSNR (dB) at which images from different echelons count as the same job's.
///
/// Calibrated by `examples/audit_tolerance.rs` on the embedded model (CPU, 200 jobs of 20 steps
/// at 256×256, DDIM and Euler): honest re-runs at other graph optimisation levels score 80.6 dB
/// and more (median 92), the closest cheap substitute (one step fewer) at most 51.7 dB (median
/// 35.5). 60 dB sits in that window; re-measure with the CUDA provider when a GPU is at hand,
/// since a CPU/GPU pair may differ more than two CPU optimisation levels do.
pub const CROSS_ECHELON_MIN_PSNR_DB: f64 = 60.0;

/// Where and how a job ran, as a receipt records it (and as an auditor describes its re-run).
/// The graph optimisation level is part of the runtime version: the tolerance benchmark found
/// that ONNX Runtime's levels change the bytes of an image (to a PSNR of 80 dB and more), while
/// thread counts do not.
pub fn execution_info(pipeline: &crate::pipeline::Pipeline) -> ExecutionInfo {
	use sp_core::bounded::BoundedVec;
	let provider = pipeline.provider();
	let optimization = match pipeline.optimization() {
		crate::onnx::Optimization::Disabled => "disabled",
		crate::onnx::Optimization::Basic => "basic",
		crate::onnx::Optimization::All => "all",
	};
	ExecutionInfo {
		execution_provider: BoundedVec::truncate_from(provider.name.clone().into_bytes()),
		device: BoundedVec::truncate_from(provider.device.clone().into_bytes()),
		runtime_version: BoundedVec::truncate_from(
			format!("onnxruntime {} opt={optimization}", pipeline.runtime().version).into_bytes(),
		),
	}
}

/// Whether two runs are in the same execution echelon.
pub fn same_echelon(a: &ExecutionInfo, b: &ExecutionInfo) -> bool {
	a.execution_provider == b.execution_provider
		&& a.device == b.device
		&& a.runtime_version == b.runtime_version
}

/// An image decoded to 8-bit RGB.
pub struct Rgb {
	pub width: u32,
	pub height: u32,
	pub pixels: Vec<u8>,
}

/// Decodes a PNG to 8-bit RGB.
pub fn decode_rgb(png_bytes: &[u8]) -> anyhow::Result<Rgb> {
	let mut decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
	decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
	let mut reader = decoder.read_info()?;
	let mut buffer =
		vec![0u8; reader.output_buffer_size().ok_or_else(|| anyhow::anyhow!("PNG too large"))?];
	let frame = reader.next_frame(&mut buffer)?;
	buffer.truncate(frame.buffer_size());
	let pixels = match frame.color_type {
		png::ColorType::Rgb => buffer,
		png::ColorType::Rgba => buffer.chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect(),
		png::ColorType::Grayscale => buffer.iter().flat_map(|&g| [g, g, g]).collect(),
		png::ColorType::GrayscaleAlpha => {
			buffer.chunks_exact(2).flat_map(|p| [p[0], p[0], p[0]]).collect()
		},
		other => anyhow::bail!("unsupported PNG colour type {other:?}"),
	};
	Ok(Rgb { width: frame.width, height: frame.height, pixels })
}

/// The PSNR in dB of `b` against `a` (infinite for identical pixels); `None` when their sizes
/// differ (another image, whatever its content).
pub fn psnr(a: &Rgb, b: &Rgb) -> Option<f64> {
	if a.width != b.width
		|| a.height != b.height
		|| a.pixels.len() != b.pixels.len()
		|| a.pixels.is_empty()
	{
		return None;
	}
	let squared: f64 =
		a.pixels.iter().zip(&b.pixels).map(|(x, y)| f64::from(x.abs_diff(*y)).powi(2)).sum();
	let mse = squared / a.pixels.len() as f64;
	Some(if mse == 0.0 { f64::INFINITY } else { 10.0 * (255.0f64 * 255.0 / mse).log10() })
}

/// Whether `served` (the provider's artifact, already checked against its receipt's sha256) is
/// the image the job asks for, given the auditor's own re-run `rerun`. Exact within one
/// echelon; within the PSNR tolerance across echelons.
pub fn matches(
	served: &[u8],
	served_on: &ExecutionInfo,
	rerun: &[u8],
	rerun_on: &ExecutionInfo,
) -> anyhow::Result<bool> {
	if same_echelon(served_on, rerun_on) {
		return Ok(served == rerun);
	}
	let (a, b) = (decode_rgb(rerun)?, decode_rgb(served)?);
	Ok(psnr(&a, &b).is_some_and(|db| db >= CROSS_ECHELON_MIN_PSNR_DB))
}

#[cfg(test)]
mod tests {
	use super::*;

	fn info(ep: &str) -> ExecutionInfo {
		ExecutionInfo {
			execution_provider: sp_core::bounded::BoundedVec::truncate_from(ep.as_bytes().to_vec()),
			device: sp_core::bounded::BoundedVec::truncate_from(b"cpu".to_vec()),
			runtime_version: sp_core::bounded::BoundedVec::truncate_from(
				b"onnxruntime 1.31.1".to_vec(),
			),
		}
	}

	fn png_of(width: u32, height: u32, pixels: &[u8]) -> Vec<u8> {
		let mut out = Vec::new();
		let mut encoder = png::Encoder::new(&mut out, width, height);
		encoder.set_color(png::ColorType::Rgb);
		encoder.set_depth(png::BitDepth::Eight);
		encoder.write_header().unwrap().write_image_data(pixels).unwrap();
		out
	}

	#[test]
	fn within_an_echelon_only_identical_bytes_match() {
		let a = png_of(2, 1, &[10, 20, 30, 40, 50, 60]);
		let b = png_of(2, 1, &[10, 20, 30, 40, 50, 61]);
		assert!(matches(&a, &info("CPU"), &a, &info("CPU")).unwrap());
		assert!(!matches(&b, &info("CPU"), &a, &info("CPU")).unwrap());
	}

	#[test]
	fn across_echelons_small_differences_match_and_large_ones_do_not() {
		let base: Vec<u8> = (0..64 * 64 * 3).map(|i| (i % 251) as u8).collect();
		let close: Vec<u8> = base
			.iter()
			.enumerate()
			.map(|(i, &v)| if i % 97 == 0 { v.saturating_add(1) } else { v })
			.collect();
		let far: Vec<u8> = base.iter().map(|&v| v.wrapping_add(40)).collect();
		let (a, b, c) = (png_of(64, 64, &base), png_of(64, 64, &close), png_of(64, 64, &far));
		assert!(matches(&b, &info("CUDA"), &a, &info("CPU")).unwrap());
		assert!(!matches(&c, &info("CUDA"), &a, &info("CPU")).unwrap());
		// Another size is never the same image.
		let small = png_of(32, 64, &base[..32 * 64 * 3]);
		assert!(!matches(&small, &info("CUDA"), &a, &info("CPU")).unwrap());
	}
}
