//! Checks that images from the embedded shapes model show what their prompt asks for: the
//! background colour and the shape's colour (nearest palette colour of the pixels). Used by the
//! tests and by `aitbc-worker selftest`, which lets a provider confirm that its machine (provider,
//! drivers, library) produces correct images before it takes paid jobs.

use std::{collections::BTreeMap, path::Path};

use serde::Deserialize;

/// `dataset.json` written next to the model by the training script.
#[derive(Clone, Debug, Deserialize)]
pub struct DatasetInfo {
	pub image_size: u32,
	/// Colour name → sRGB.
	pub colours: BTreeMap<String, [u8; 3]>,
	pub shapes: Vec<String>,
}

impl DatasetInfo {
	/// Reads `dir/dataset.json`.
	pub fn load(dir: &Path) -> Result<Self, String> {
		let path = dir.join("dataset.json");
		let text = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
		serde_json::from_slice(&text).map_err(|e| format!("{}: {e}", path.display()))
	}

	/// The caption the model was trained with.
	pub fn caption(shape: &str, fg: &str, bg: &str) -> String {
		format!("a {fg} {shape} on a {bg} background")
	}

	/// Every training caption as (shape, shape colour, background): 3 × 6 × 5 = 90.
	pub fn all_cases(&self) -> Vec<(String, String, String)> {
		let mut cases = Vec::new();
		for shape in &self.shapes {
			for fg in self.colours.keys() {
				for bg in self.colours.keys().filter(|bg| *bg != fg) {
					cases.push((shape.clone(), fg.clone(), bg.clone()));
				}
			}
		}
		cases
	}

	fn nearest(&self, pixel: &[u8]) -> usize {
		let mut best = (u32::MAX, 0);
		for (i, rgb) in self.colours.values().enumerate() {
			let d: u32 = pixel
				.iter()
				.zip(rgb)
				.map(|(&a, &b)| (i32::from(a) - i32::from(b)).pow(2) as u32)
				.sum();
			if d < best.0 {
				best = (d, i);
			}
		}
		best.1
	}

	/// What an RGB8 image shows: background colour (majority of the outer ring of pixels),
	/// shape colour (majority of the other-coloured pixels) and the shape's share of the image.
	pub fn analyse(&self, rgb: &[u8], width: usize, height: usize) -> Analysis {
		let names: Vec<&String> = self.colours.keys().collect();
		let classes: Vec<usize> = rgb.chunks_exact(3).map(|p| self.nearest(p)).collect();
		let ring = (width.min(height) / 32).max(2);
		let mut border = vec![0usize; names.len()];
		for y in 0..height {
			for x in 0..width {
				if x < ring || y < ring || x >= width - ring || y >= height - ring {
					border[classes[y * width + x]] += 1;
				}
			}
		}
		let background = argmax(&border);
		let mut others = vec![0usize; names.len()];
		for &c in &classes {
			if c != background {
				others[c] += 1;
			}
		}
		let shape = argmax(&others);
		Analysis {
			background: names[background].clone(),
			shape_colour: names[shape].clone(),
			shape_share: others[shape] as f64 / classes.len() as f64,
		}
	}
}

fn argmax(counts: &[usize]) -> usize {
	counts.iter().enumerate().max_by_key(|(_, &n)| n).map(|(i, _)| i).unwrap_or(0)
}

/// The prompts `aitbc-worker selftest` and the tests check, (shape, shape colour, background):
/// every colour as the background twice and as the shape colour twice, all three shapes. The
/// embedded model renders 72 of its 90 training captions fully right with both schedulers
/// (backgrounds 87/90; black shapes are its weak spot, see README); these twelve are among them,
/// and a broken pipeline fails them.
pub const SELFTEST_CASES: [(&str, &str, &str); 12] = [
	("circle", "red", "black"),
	("square", "white", "black"),
	("triangle", "black", "blue"),
	("square", "yellow", "blue"),
	("triangle", "white", "green"),
	("circle", "black", "green"),
	("triangle", "green", "red"),
	("circle", "yellow", "red"),
	("square", "blue", "white"),
	("triangle", "red", "white"),
	("circle", "green", "yellow"),
	("triangle", "blue", "yellow"),
];

/// What [`DatasetInfo::analyse`] found.
#[derive(Clone, Debug, PartialEq)]
pub struct Analysis {
	pub background: String,
	pub shape_colour: String,
	/// Fraction of all pixels in the shape's colour.
	pub shape_share: f64,
}

impl Analysis {
	/// Whether the image matches the asked colours, with a shape of at least 2 % of the image.
	pub fn matches(&self, fg: &str, bg: &str) -> bool {
		self.background == bg && self.shape_colour == fg && self.shape_share >= 0.02
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn info() -> DatasetInfo {
		serde_json::from_str(
			r#"{"image_size":256,"colours":{"red":[220,30,30],"blue":[40,70,220],"white":[245,245,245]},"shapes":["square"]}"#,
		)
		.unwrap()
	}

	#[test]
	fn a_drawn_square_is_read_back() {
		let (w, h) = (64usize, 48usize);
		let mut rgb = Vec::new();
		for y in 0..h {
			for x in 0..w {
				let inside = (20..40).contains(&x) && (10..30).contains(&y);
				rgb.extend_from_slice(if inside { &[200, 40, 35] } else { &[50, 60, 210] });
			}
		}
		let a = info().analyse(&rgb, w, h);
		assert_eq!((a.background.as_str(), a.shape_colour.as_str()), ("blue", "red"));
		assert!((a.shape_share - 400.0 / 3072.0).abs() < 1e-9);
		assert!(a.matches("red", "blue"));
		assert!(!a.matches("white", "blue"));
	}
}
