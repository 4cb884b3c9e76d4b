//! Receipts: signing and submitting them (workers), reading them and fetching the image they
//! vouch for (clients).

use aitbc_primitives::{JobId, Receipt};
use sha2::{Digest, Sha256};
use subxt::utils::{AccountId32, Static};
use subxt_signer::sr25519::Keypair;

use crate::{
	runtime::{
		self,
		runtime_types::{
			bounded_collections::bounded_vec::BoundedVec,
			pallet_aitbc_jobs::JobState,
			pallet_aitbc_receipts::{KeySignature, SignedReceipt, StoredReceipt},
		},
	},
	Balance, Client, ClientError, Included,
};

/// A job's receipt: as the chain stores it (under its provider and hash), with what it minted
/// once final (recorded in the job's state).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceiptInfo {
	/// The receipt as signed.
	pub receipt: Receipt<AccountId32>,
	/// Its hash (what the worker key signed, domain-separated).
	pub receipt_hash: [u8; 32],
	/// Block it was accepted in.
	pub accepted_at: u32,
	/// Block its challenge window closes and it mints.
	pub final_at: u32,
	/// What was minted for it, once final.
	pub minted: Option<Balance>,
}

/// The sr25519 signature of `worker_key` over the receipt's domain-separated signing message.
pub fn sign_receipt(worker_key: &Keypair, receipt: &Receipt<AccountId32>) -> [u8; 64] {
	worker_key.sign(&receipt.signing_message()).0
}

/// Receipts and their worker signatures as `submit_receipts` entries (no attestations).
fn signed_entries(
	receipts: Vec<(Receipt<AccountId32>, [u8; 64])>,
) -> Vec<SignedReceipt<AccountId32>> {
	receipts
		.into_iter()
		.map(|(receipt, signature)| SignedReceipt::<AccountId32> {
			receipt: Static(receipt),
			signature: KeySignature(signature),
			attestations: BoundedVec(Vec::new()),
			// The type parameter the receipt's substituted type no longer names.
			__ignore: std::marker::PhantomData,
		})
		.collect()
}

/// Largest artifact `fetch_artifact` accepts (a 1024×1024 RGB PNG is at most about 3 MiB).
pub const MAX_ARTIFACT_BYTES: u64 = 16 * 1024 * 1024;

impl Client {
	/// Submits a signed receipt (feeless for the assigned provider's valid receipt).
	pub async fn submit_receipt(
		&self,
		provider: &Keypair,
		receipt: Receipt<AccountId32>,
		signature: [u8; 64],
	) -> Result<Included, ClientError> {
		let call = runtime::transactions().receipts().submit_receipt(
			Static(receipt),
			KeySignature(signature),
			BoundedVec(Vec::new()),
		);
		self.submit(&call, provider).await
	}

	/// Submits several signed receipts of `provider` in one transaction, accepted all or none
	/// (feeless when every one is valid). Cheaper per receipt than one transaction each.
	pub async fn submit_receipts(
		&self,
		provider: &Keypair,
		receipts: Vec<(Receipt<AccountId32>, [u8; 64])>,
	) -> Result<Included, ClientError> {
		let call = runtime::transactions()
			.receipts()
			.submit_receipts(BoundedVec(signed_entries(receipts)));
		self.submit(&call, provider).await
	}

	/// Submits receipts of one provider in one *authorized* general transaction: no account
	/// signs it and nobody pays; the worker signatures are its authorization, and the runtime
	/// checks each receipt once (the cheapest way to receipt). A batch that fails a check is
	/// refused by the pool before it reaches a block: [`ClientError::Refused`] naming the
	/// receipts pallet's error (`Receipts::ReceiptReplayed`, `Receipts::UnregisteredWorkerKey`,
	/// ...).
	pub async fn submit_receipts_authorized(
		&self,
		receipts: Vec<(Receipt<AccountId32>, [u8; 64])>,
	) -> Result<Included, ClientError> {
		let call = runtime::transactions()
			.receipts()
			.submit_receipts_authorized(BoundedVec(signed_entries(receipts)));
		match self.submit_authorized(&call).await {
			Ok(included) => Ok(included),
			Err(error) => Err(self.receipt_refusal(error).await),
		}
	}

	/// The most receipts one batch may hold (the runtime's `MaxReceiptBatch`).
	pub async fn max_receipt_batch(&self) -> Result<u32, ClientError> {
		let at = self.api().at_current_block().await.map_err(ClientError::chain)?;
		at.constants()
			.entry(runtime::constants().receipts().max_receipt_batch())
			.map_err(ClientError::chain)
	}

	/// Names the receipts pallet's error in a refusal of an authorized submission: its code
	/// is the index of the error variant, looked up in the chain's metadata.
	async fn receipt_refusal(&self, error: ClientError) -> ClientError {
		let Some(code) = crate::custom_error_code(&error) else { return error };
		let Ok(at) = self.api().at_current_block().await else { return error };
		let metadata = at.metadata_ref();
		match metadata
			.pallet_by_name("Receipts")
			.and_then(|pallet| pallet.error_variant_by_index(code))
		{
			Some(variant) => ClientError::Refused(format!(
				"Receipts::{}: {}",
				variant.name,
				variant.docs.join(" ")
			)),
			None => error,
		}
	}

	/// The receipt of `job_id`, if one was accepted. The chain stores receipts by provider
	/// and receipt hash; the job's state records both, and what was minted (all read at one
	/// block).
	pub async fn receipt(&self, job_id: JobId) -> Result<Option<ReceiptInfo>, ClientError> {
		let at = self.api().at_current_block().await.map_err(ClientError::chain)?;
		let Some(job) = Self::job_at(&at, job_id).await? else { return Ok(None) };
		let (provider, receipt_hash, minted) = match job.state {
			JobState::Receipted { provider, receipt_hash, .. } => (provider, receipt_hash, None),
			JobState::Finalized { provider, receipt_hash, minted } => {
				(provider, receipt_hash, Some(minted))
			},
			_ => return Ok(None),
		};
		let entry = at
			.storage()
			.entry(runtime::storage().receipts().receipts())
			.map_err(ClientError::chain)?;
		let Some(value) =
			entry.try_fetch((provider, receipt_hash)).await.map_err(ClientError::chain)?
		else {
			return Ok(None);
		};
		let stored: StoredReceipt<AccountId32, u32> = value.decode().map_err(ClientError::chain)?;
		Ok(Some(ReceiptInfo {
			receipt: stored.receipt.0,
			receipt_hash,
			accepted_at: stored.accepted_at,
			final_at: stored.final_at,
			minted,
		}))
	}

	/// The jobs `provider` submitted receipts for, in job order (runtime API).
	pub async fn receipted_jobs(&self, provider: &AccountId32) -> Result<Vec<JobId>, ClientError> {
		let at = self.api().at_current_block().await.map_err(ClientError::chain)?;
		at.runtime_apis()
			.call(runtime::runtime_apis().compute_api().receipted_jobs(provider.clone()))
			.await
			.map_err(ClientError::chain)
	}

	/// Downloads the images of `job_id` from its provider's endpoint, each checked against the
	/// receipt: its `artifact_sha256` is the image's, or for a job of several images their
	/// manifest's ([`aitbc_primitives::manifest`]), whose entries then check each image.
	/// Returns the verified images in order (image `i` has seed `seed + i`).
	pub async fn fetch_images(&self, job_id: JobId) -> Result<Vec<Vec<u8>>, ClientError> {
		let images = self.job(job_id).await?.images;
		let stored = self.receipt(job_id).await?.ok_or(ClientError::NoReceipt(job_id))?;
		let receipt = stored.receipt;
		let provider = self.provider(&receipt.provider).await?;
		let endpoint = provider.offer.map(|o| o.endpoint).ok_or_else(|| {
			ClientError::Artifact(format!(
				"provider {} has no offer (and so no endpoint)",
				receipt.provider
			))
		})?;
		fetch_receipted_images(&endpoint, receipt.artifact_sha256, images).await
	}
}

/// The `images` images a receipt's `artifact_sha256` stands for, downloaded from `endpoint` and
/// each checked: the image itself, or for a job of several images each entry of their
/// manifest (fetched and checked first).
pub async fn fetch_receipted_images(
	endpoint: &str,
	artifact_sha256: [u8; 32],
	images: u32,
) -> Result<Vec<Vec<u8>>, ClientError> {
	let artifact = fetch_artifact(endpoint, artifact_sha256).await?;
	if images <= 1 {
		return Ok(vec![artifact]);
	}
	let entries =
		aitbc_primitives::manifest::parse_image_manifest(&artifact, images).ok_or_else(|| {
			ClientError::Artifact(format!(
				"artifact {} is not a manifest of {images} images",
				hex::encode(artifact_sha256)
			))
		})?;
	let mut fetched = Vec::with_capacity(entries.len());
	for sha256 in entries {
		fetched.push(fetch_artifact(endpoint, sha256).await?);
	}
	Ok(fetched)
}

/// Downloads `{endpoint}/v1/artifacts/{sha256}` and returns it only if its SHA-256 is `sha256`.
pub async fn fetch_artifact(endpoint: &str, sha256: [u8; 32]) -> Result<Vec<u8>, ClientError> {
	let url = format!("{}/v1/artifacts/{}", endpoint.trim_end_matches('/'), hex::encode(sha256));
	let fetched = url.clone();
	let bytes = tokio::task::spawn_blocking(move || -> Result<Vec<u8>, String> {
		let agent: ureq::Agent = ureq::Agent::config_builder()
			.timeout_global(Some(std::time::Duration::from_secs(30)))
			.http_status_as_error(false)
			.build()
			.into();
		let mut response = agent.get(&fetched).call().map_err(|e| format!("GET {fetched}: {e}"))?;
		let status = response.status();
		let body = response.body_mut().with_config().limit(MAX_ARTIFACT_BYTES);
		if !status.is_success() {
			let text = body.read_to_string().unwrap_or_default();
			return Err(format!("GET {fetched}: HTTP {status}: {}", text.trim()));
		}
		body.read_to_vec().map_err(|e| format!("GET {fetched}: {e}"))
	})
	.await
	.map_err(|e| ClientError::Artifact(e.to_string()))?
	.map_err(ClientError::Artifact)?;
	let got: [u8; 32] = Sha256::digest(&bytes).into();
	if got != sha256 {
		return Err(ClientError::ArtifactMismatch {
			url,
			expected: hex::encode(sha256),
			got: hex::encode(got),
		});
	}
	Ok(bytes)
}
