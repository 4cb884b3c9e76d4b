//! The provider's offer: the models it serves, registering the offer, and the heartbeats that
//! keep an idle provider live on-chain.

use std::time::Duration;

use aitbc_client::{account_of, Client, ClientError, OfferSpec};
use aitbc_primitives::ModelId;
use anyhow::bail;
use subxt::utils::AccountId32;

use super::{config::WorkerConfig, Worker, WorkerKeys};
use crate::model::Manifest;

/// The manifest sha256 (hex) of every model folder in the config, verified against its files.
pub fn local_manifests(
	config: &WorkerConfig,
) -> anyhow::Result<Vec<(std::path::PathBuf, Manifest, String)>> {
	config
		.models
		.iter()
		.map(|dir| {
			let (manifest, sha) = Manifest::load_verified(dir)?;
			Ok((dir.clone(), manifest, sha))
		})
		.collect()
}

/// The on-chain ids of the registered (not retired) models whose manifest hash is `sha256_hex`.
pub async fn model_ids_for(client: &Client, sha256_hex: &str) -> Result<Vec<ModelId>, ClientError> {
	let models = client.models().await?;
	Ok(models
		.into_iter()
		.filter(|(_, m)| !m.retired && hex::encode(m.manifest_sha256) == sha256_hex)
		.map(|(id, _)| id)
		.collect())
}

/// `aitbc-worker register`: publishes (or updates) the offer with the worker key; bonds `bond`
/// first when the chain asks for stake.
pub async fn register(
	config: &WorkerConfig,
	bond: Option<u128>,
) -> anyhow::Result<(AccountId32, OfferSpec)> {
	let keys = WorkerKeys::load(config)?;
	let me = account_of(&keys.provider);
	let client = Client::connect(&config.node, Duration::from_secs(10)).await?;
	let mut models = Vec::new();
	for (dir, manifest, sha) in local_manifests(config)? {
		let ids = model_ids_for(&client, &sha).await?;
		if ids.is_empty() {
			bail!(
				"model {} ({}) is not registered on-chain with manifest sha256 {sha}; governance adds it with \
				 `aitbc-worker add-model {} --governance <sudo key>`",
				manifest.name,
				dir.display(),
				dir.display()
			);
		}
		models.extend(ids);
	}
	let min_stake = client.min_provider_stake().await?;
	if let Some(amount) = bond {
		client.bond(&keys.provider, amount).await?;
	}
	let info = client.provider(&me).await?;
	if !info.approved && min_stake == 0 {
		bail!(
			"provider {me} is not approved: while the minimum provider stake is 0, governance approves providers \
			 (`aitbc approve-provider {me}` signed by the sudo key; on a dev chain add --account alice)"
		);
	}
	let offer = OfferSpec {
		models,
		price_per_unit: config.price(),
		gpu_name: if config.gpu_name.is_empty() {
			config.device.clone()
		} else {
			config.gpu_name.clone()
		},
		gpu_memory_mib: config.gpu_memory_mib,
		endpoint: config.endpoint.clone(),
		capacity: config.capacity,
		max_pixels: config.max_pixels,
		worker_keys: vec![keys.worker_key()],
	};
	if info.offer.is_some() {
		client.update_offer(&keys.provider, &offer).await?;
	} else {
		client.register_offer(&keys.provider, &offer).await?;
	}
	Ok((me, offer))
}

impl Worker {
	/// Sends a heartbeat if it may take jobs (only then is a heartbeat free) and either the
	/// hub marked it offline (a reservation lapsed while it was away: the heartbeat is due at
	/// once and brings it back) or its last sign of life is `every` or more blocks before
	/// `block`.
	pub(super) async fn heartbeat_if_due(&self, client: &Client, block: u64, every: u32) {
		let info = match client.provider(&self.me).await {
			Ok(info) => info,
			Err(e) => return tracing::warn!(error = %e, "reading the offer for a heartbeat"),
		};
		let Some(seen) = info.last_seen else { return };
		let due = info.offline || u64::from(seen) + u64::from(every) <= block;
		if !info.eligible || !due {
			return;
		}
		match client.heartbeat(&self.keys.provider).await {
			Ok(_) => {
				tracing::info!(block, last_seen = seen, offline = info.offline, "heartbeat sent")
			},
			Err(e) => tracing::warn!(error = %e, "heartbeat refused"),
		}
	}
}
