//! Reading a provider's `/v1/health` answer (pure, so tests and the worker share it).

use alloc::{string::String, vec::Vec};

/// Most bytes of a health answer read; a longer one counts as malformed.
pub const MAX_HEALTH_BYTES: usize = 64 * 1024;

/// Why a provider counts as down.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Down {
	/// No answer before the deadline, or the connection failed.
	NoAnswer,
	/// An HTTP status other than 200.
	Status(u16),
	/// Not a JSON object with `"status": "ok"` and the models it runs, or too long.
	Malformed,
	/// A model the provider offers is not among those it has loaded.
	ModelNotLoaded,
}

/// Lower-case hex of a sha256, as the worker writes manifests.
pub fn hex32(bytes: &[u8; 32]) -> String {
	const DIGITS: &[u8; 16] = b"0123456789abcdef";
	bytes
		.iter()
		.flat_map(|byte| [DIGITS[(byte >> 4) as usize], DIGITS[(byte & 15) as usize]])
		.map(char::from)
		.collect()
}

/// Whether a `200` answer's body shows a worker that is up with every model of `manifests`
/// loaded: `{"status": "ok", "models": [{"manifest_sha256": "<hex>", ...}, ...], ...}` (a chain
/// worker) or `{"status": "ok", "model_manifest_sha256": "<hex>", ...}` (`aitbc-worker serve`).
pub fn check_health(body: &[u8], manifests: &[[u8; 32]]) -> Result<(), Down> {
	if body.len() > MAX_HEALTH_BYTES {
		return Err(Down::Malformed);
	}
	let health: serde_json::Value = serde_json::from_slice(body).map_err(|_| Down::Malformed)?;
	if health.get("status").and_then(|status| status.as_str()) != Some("ok") {
		return Err(Down::Malformed);
	}
	// A chain worker lists its models; a single-model `aitbc-worker serve` names its one.
	let single = health.get("model_manifest_sha256").and_then(|sha| sha.as_str());
	let listed = health.get("models").and_then(|models| models.as_array());
	if single.is_none() && listed.is_none() {
		return Err(Down::Malformed);
	}
	let loaded: Vec<&str> = listed
		.into_iter()
		.flatten()
		.filter_map(|model| model.get("manifest_sha256").and_then(|sha| sha.as_str()))
		.chain(single)
		.collect();
	if manifests.iter().all(|manifest| loaded.contains(&hex32(manifest).as_str())) {
		Ok(())
	} else {
		Err(Down::ModelNotLoaded)
	}
}
