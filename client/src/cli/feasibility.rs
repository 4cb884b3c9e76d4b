//! "Why no provider": `aitbc submit` asks the chain whether any live provider could take the job
//! before it signs, says so, and refuses a job no provider could ever take unless `--force`.

use aitbc_client::{format_ait, Balance, Client};
use aitbc_primitives::{Feasibility, JobParams, NoProvider};

use crate::Cli;

/// Asks the runtime's feasibility answer for a job; prints it (to stderr, so stdout keeps one
/// result) and fails with what to change when no provider could take the job, unless `force`.
pub async fn check(
	cli: &Cli,
	client: &Client,
	model: u32,
	params: &JobParams,
	max_price: Balance,
	force: bool,
) -> anyhow::Result<Feasibility<Balance>> {
	let answer = client.feasibility(model, *params, max_price).await?;
	if let Some(blocker) = answer.blocker {
		let why = explain(&answer, blocker, model, params, max_price);
		if !force {
			anyhow::bail!(
				"no provider could take this job: {why}. Nothing was submitted; --force submits it anyway (it waits for a provider and is refunded if none takes it in time)"
			);
		}
		if !cli.json {
			eprintln!(
				"warning: no provider could take this job now: {why}; submitting anyway (--force)"
			);
		}
	} else if !cli.json {
		eprintln!("{}", summary(&answer));
	}
	Ok(answer)
}

/// What a blocked job would need to change.
fn explain(
	answer: &Feasibility<Balance>,
	blocker: NoProvider,
	model: u32,
	params: &JobParams,
	max_price: Balance,
) -> String {
	match blocker {
		NoProvider::ModelNotServed => format!(
			"no eligible provider serves model {model} (`aitbc providers` lists what is served, `aitbc models` the registry)"
		),
		NoProvider::AllOffline => format!(
			"{} provider(s) serve model {model}, but none has shown a sign of life within the chain's liveness window",
			answer.serving
		),
		NoProvider::AllAbovePrice => format!(
			"every live provider of model {model} asks more than --max-price {} per unit; the cheapest asks {}: raise --max-price to at least that",
			format_ait(max_price),
			answer.cheapest_price.map_or("-".into(), format_ait),
		),
		NoProvider::SizeBeyondLimits => format!(
			"no live provider within the price limit runs {}×{} images ({} pixels; the largest any of them runs is {}): ask a smaller --width/--height",
			params.width,
			params.height,
			params.pixels(),
			answer.largest_pixels.map_or("-".into(), |p| p.to_string()),
		),
	}
}

/// One line: who could take it and how long it would wait.
pub fn summary(answer: &Feasibility<Balance>) -> String {
	let wait = match answer.wait_estimate_ms {
		Some(0) => ", no wait expected".to_string(),
		Some(ms) => format!(", about {:.0} s of work ahead", ms as f64 / 1000.0),
		None if answer.free == 0 => ", all busy".to_string(),
		None => String::new(),
	};
	format!(
		"{} live provider(s) could take it, {} with a free slot now; {} job(s) queued ahead{wait}",
		answer.able, answer.free, answer.pending_ahead
	)
}

/// The answer as JSON, for `--json` output.
pub fn json(answer: &Feasibility<Balance>) -> serde_json::Value {
	serde_json::json!({
		"serving": answer.serving,
		"live": answer.live,
		"within_price": answer.within_price,
		"able": answer.able,
		"free": answer.free,
		"cheapest_price": answer.cheapest_price.map(|p| p.to_string()),
		"largest_pixels": answer.largest_pixels,
		"pending_ahead": answer.pending_ahead,
		"wait_estimate_ms": answer.wait_estimate_ms,
		"blocker": answer.blocker.map(|b| format!("{b:?}")),
	})
}
