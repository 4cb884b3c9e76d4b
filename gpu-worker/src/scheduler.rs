//! Diffusion schedulers (DDIM and Euler discrete), configured from a model's
//! `scheduler/scheduler_config.json` and computed as diffusers computes them, so that the same
//! ONNX files give the same images here and in the Python reference.

use std::path::Path;

use serde::Deserialize;

/// Which sampler runs the denoising loop.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SchedulerKind {
	/// Deterministic DDIM (eta = 0).
	Ddim,
	/// Euler discrete (k-diffusion's Euler, no churn).
	Euler,
}

impl std::str::FromStr for SchedulerKind {
	type Err = String;
	fn from_str(s: &str) -> Result<Self, Self::Err> {
		match s.to_ascii_lowercase().as_str() {
			"ddim" => Ok(Self::Ddim),
			"euler" => Ok(Self::Euler),
			other => Err(format!("unknown scheduler '{other}': use ddim or euler")),
		}
	}
}

/// The fields of `scheduler_config.json` both samplers use (other keys are ignored, so SD 1.5's
/// PNDM config works too).
#[derive(Clone, Debug, Deserialize)]
pub struct SchedulerConfig {
	#[serde(default = "default_train_timesteps")]
	pub num_train_timesteps: usize,
	#[serde(default = "default_beta_start")]
	pub beta_start: f64,
	#[serde(default = "default_beta_end")]
	pub beta_end: f64,
	#[serde(default = "default_beta_schedule")]
	pub beta_schedule: String,
	#[serde(default = "default_prediction_type")]
	pub prediction_type: String,
	#[serde(default)]
	pub steps_offset: usize,
	#[serde(default)]
	pub set_alpha_to_one: bool,
	#[serde(default)]
	pub timestep_spacing: Option<String>,
}

fn default_train_timesteps() -> usize {
	1000
}
fn default_beta_start() -> f64 {
	0.00085
}
fn default_beta_end() -> f64 {
	0.012
}
fn default_beta_schedule() -> String {
	"scaled_linear".into()
}
fn default_prediction_type() -> String {
	"epsilon".into()
}

#[derive(Debug, thiserror::Error)]
pub enum SchedulerError {
	#[error("scheduler config {path}: {reason}")]
	Config { path: String, reason: String },
	#[error("steps must be between 1 and {max}, got {got}")]
	Steps { got: usize, max: usize },
}

impl SchedulerConfig {
	/// Reads and checks `scheduler_config.json`.
	pub fn load(path: &Path) -> Result<Self, SchedulerError> {
		let err =
			|reason: String| SchedulerError::Config { path: path.display().to_string(), reason };
		let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
		let config: Self = serde_json::from_str(&text).map_err(|e| err(e.to_string()))?;
		if !["linear", "scaled_linear"].contains(&config.beta_schedule.as_str()) {
			return Err(err(format!("beta_schedule '{}' is not supported", config.beta_schedule)));
		}
		if !["epsilon", "v_prediction"].contains(&config.prediction_type.as_str()) {
			return Err(err(format!(
				"prediction_type '{}' is not supported",
				config.prediction_type
			)));
		}
		if config.num_train_timesteps < 2 {
			return Err(err("num_train_timesteps must be at least 2".into()));
		}
		Ok(config)
	}

	fn alphas_cumprod(&self) -> Vec<f64> {
		let n = self.num_train_timesteps;
		let betas: Vec<f64> = (0..n)
			.map(|i| {
				let frac = i as f64 / (n - 1) as f64;
				if self.beta_schedule == "linear" {
					self.beta_start + frac * (self.beta_end - self.beta_start)
				} else {
					let (a, b) = (self.beta_start.sqrt(), self.beta_end.sqrt());
					(a + frac * (b - a)).powi(2)
				}
			})
			.collect();
		let mut product = 1.0;
		betas
			.iter()
			.map(|beta| {
				product *= 1.0 - beta;
				product
			})
			.collect()
	}
}

/// A configured sampler for one run of `steps` denoising steps.
pub struct Scheduler {
	kind: SchedulerKind,
	v_prediction: bool,
	alphas_cumprod: Vec<f64>,
	final_alpha_cumprod: f64,
	/// UNet timesteps, highest first (fractional for Euler with linspace spacing).
	timesteps: Vec<f64>,
	/// Euler only: sigma per step plus a trailing 0.
	sigmas: Vec<f64>,
	step_ratio: usize,
	/// Euler with "leading" spacing starts from sqrt(sigma_max^2 + 1), as diffusers does.
	leading: bool,
}

impl Scheduler {
	/// Builds the schedule; `steps` must be within 1..=num_train_timesteps.
	pub fn new(
		config: &SchedulerConfig,
		kind: SchedulerKind,
		steps: usize,
	) -> Result<Self, SchedulerError> {
		let n = config.num_train_timesteps;
		if steps == 0 || steps > n {
			return Err(SchedulerError::Steps { got: steps, max: n });
		}
		let alphas_cumprod = config.alphas_cumprod();
		let default_spacing = match kind {
			SchedulerKind::Ddim => "leading",
			SchedulerKind::Euler => "linspace",
		};
		let spacing = config.timestep_spacing.as_deref().unwrap_or(default_spacing);
		let step_ratio = n / steps;
		let timesteps: Vec<f64> = match spacing {
			"trailing" => {
				let ratio = n as f64 / steps as f64;
				(0..steps).map(|i| ((n as f64 - i as f64 * ratio).round() - 1.0).max(0.0)).collect()
			},
			"linspace" => (0..steps)
				.map(|i| {
					let t = (n - 1) as f64 * (steps - 1 - i) as f64 / (steps.max(2) - 1) as f64;
					if kind == SchedulerKind::Ddim {
						t.round()
					} else {
						t
					}
				})
				.collect(),
			// "leading" (SD 1.5's DDIM/PNDM default)
			_ => (0..steps)
				.rev()
				.map(|i| ((i * step_ratio + config.steps_offset).min(n - 1)) as f64)
				.collect(),
		};
		let sigmas = if kind == SchedulerKind::Euler {
			let all: Vec<f64> = alphas_cumprod.iter().map(|a| ((1.0 - a) / a).sqrt()).collect();
			let mut sigmas: Vec<f64> = timesteps.iter().map(|&t| interpolate(&all, t)).collect();
			sigmas.push(0.0);
			sigmas
		} else {
			Vec::new()
		};
		let final_alpha_cumprod = if config.set_alpha_to_one { 1.0 } else { alphas_cumprod[0] };
		Ok(Self {
			kind,
			v_prediction: config.prediction_type == "v_prediction",
			alphas_cumprod,
			final_alpha_cumprod,
			timesteps,
			sigmas,
			step_ratio,
			leading: !matches!(spacing, "trailing" | "linspace"),
		})
	}

	/// The timesteps fed to the UNet, in order.
	pub fn timesteps(&self) -> &[f64] {
		&self.timesteps
	}

	/// Standard deviation of the initial noise.
	pub fn init_noise_sigma(&self) -> f64 {
		match self.kind {
			SchedulerKind::Ddim => 1.0,
			SchedulerKind::Euler => {
				let max = self.sigmas.iter().cloned().fold(0.0, f64::max);
				if self.leading {
					(max * max + 1.0).sqrt()
				} else {
					max
				}
			},
		}
	}

	/// Factor the latents are multiplied by before the UNet call of step `index`.
	pub fn input_scale(&self, index: usize) -> f64 {
		match self.kind {
			SchedulerKind::Ddim => 1.0,
			SchedulerKind::Euler => 1.0 / (self.sigmas[index].powi(2) + 1.0).sqrt(),
		}
	}

	/// One denoising step in place: `latents` at step `index` with the guided model output.
	pub fn step(&self, index: usize, model_output: &[f32], latents: &mut [f32]) {
		match self.kind {
			SchedulerKind::Ddim => {
				let t = self.timesteps[index] as usize;
				let alpha = self.alphas_cumprod[t];
				let alpha_prev = t
					.checked_sub(self.step_ratio)
					.map(|prev| self.alphas_cumprod[prev])
					.unwrap_or(self.final_alpha_cumprod);
				let (sa, sb) = (alpha.sqrt(), (1.0 - alpha).sqrt());
				let (sa_prev, sb_prev) = (alpha_prev.sqrt(), (1.0 - alpha_prev).sqrt());
				for (x, &out) in latents.iter_mut().zip(model_output) {
					let (x0, eps) = if self.v_prediction {
						let (xv, ov) = (f64::from(*x), f64::from(out));
						(sa * xv - sb * ov, sa * ov + sb * xv)
					} else {
						let (xv, ov) = (f64::from(*x), f64::from(out));
						((xv - sb * ov) / sa, ov)
					};
					*x = (sa_prev * x0 + sb_prev * eps) as f32;
				}
			},
			SchedulerKind::Euler => {
				let sigma = self.sigmas[index];
				let dt = self.sigmas[index + 1] - sigma;
				for (x, &out) in latents.iter_mut().zip(model_output) {
					let xv = f64::from(*x);
					let ov = f64::from(out);
					let x0 = if self.v_prediction {
						ov * (-sigma / (sigma * sigma + 1.0).sqrt()) + xv / (sigma * sigma + 1.0)
					} else {
						xv - sigma * ov
					};
					let derivative = (xv - x0) / sigma;
					*x = (xv + derivative * dt) as f32;
				}
			},
		}
	}
}

/// Linear interpolation of `values` (indexed 0..len) at fractional position `t`.
fn interpolate(values: &[f64], t: f64) -> f64 {
	let last = values.len() - 1;
	let t = t.clamp(0.0, last as f64);
	let low = t.floor() as usize;
	let high = (low + 1).min(last);
	let frac = t - low as f64;
	values[low] * (1.0 - frac) + values[high] * frac
}

#[cfg(test)]
mod tests {
	use super::*;

	fn sd15() -> SchedulerConfig {
		serde_json::from_str(
			r#"{"beta_start":0.00085,"beta_end":0.012,"beta_schedule":"scaled_linear","num_train_timesteps":1000,"steps_offset":1,"set_alpha_to_one":false}"#,
		)
		.unwrap()
	}

	#[test]
	fn ddim_leading_timesteps_match_diffusers() {
		// diffusers DDIMScheduler(steps_offset=1).set_timesteps(10).timesteps
		let s = Scheduler::new(&sd15(), SchedulerKind::Ddim, 10).unwrap();
		assert_eq!(
			s.timesteps(),
			&[901.0, 801.0, 701.0, 601.0, 501.0, 401.0, 301.0, 201.0, 101.0, 1.0]
		);
	}

	#[test]
	fn euler_sigmas_match_diffusers() {
		// diffusers EulerDiscreteScheduler (linspace spacing), 5 steps: sigmas[0] = 14.6146,
		// init_noise_sigma = max sigma, last sigma before 0 = 0.0292 (t = 0).
		let s = Scheduler::new(&sd15(), SchedulerKind::Euler, 5).unwrap();
		assert_eq!(s.timesteps()[0], 999.0);
		assert_eq!(s.timesteps()[4], 0.0);
		assert!((s.timesteps()[1] - 749.25).abs() < 1e-9);
		assert!((s.sigmas[1] - 4.086090).abs() < 1e-4, "{}", s.sigmas[1]);
		assert!((s.init_noise_sigma() - 14.6146).abs() < 1e-3, "{}", s.init_noise_sigma());
		assert!((s.sigmas[4] - 0.0292).abs() < 1e-3, "{}", s.sigmas[4]);
		assert_eq!(s.sigmas[5], 0.0);
	}

	#[test]
	fn euler_leading_spacing_matches_diffusers() {
		let mut config = sd15();
		config.timestep_spacing = Some("leading".into());
		let s = Scheduler::new(&config, SchedulerKind::Euler, 5).unwrap();
		assert_eq!(s.timesteps(), &[801.0, 601.0, 401.0, 201.0, 1.0]);
		assert!((s.sigmas[0] - 5.134433).abs() < 1e-4, "{}", s.sigmas[0]);
		assert!((s.init_noise_sigma() - 5.230909).abs() < 1e-4, "{}", s.init_noise_sigma());
	}

	#[test]
	fn ddim_step_with_perfect_noise_prediction_recovers_the_clean_sample() {
		// x_t = sqrt(a) x0 + sqrt(1-a) eps; predicting eps exactly and stepping to the end
		// (alpha_prev = alphas_cumprod[0]) gives sqrt(a0) x0 + sqrt(1-a0) eps.
		let s = Scheduler::new(&sd15(), SchedulerKind::Ddim, 1).unwrap();
		let t = s.timesteps()[0] as usize;
		let a = s.alphas_cumprod[t];
		let (x0, eps) = (0.5f64, -1.25f64);
		let mut latents = [(a.sqrt() * x0 + (1.0 - a).sqrt() * eps) as f32];
		s.step(0, &[eps as f32], &mut latents);
		let a0 = s.alphas_cumprod[0];
		let expected = a0.sqrt() * x0 + (1.0 - a0).sqrt() * eps;
		assert!((f64::from(latents[0]) - expected).abs() < 1e-5);
	}

	#[test]
	fn steps_out_of_range_are_rejected() {
		assert!(matches!(
			Scheduler::new(&sd15(), SchedulerKind::Ddim, 0),
			Err(SchedulerError::Steps { got: 0, max: 1000 })
		));
		assert!(Scheduler::new(&sd15(), SchedulerKind::Euler, 1001).is_err());
	}
}
