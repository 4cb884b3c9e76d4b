//! Models, providers and their offers.

use subxt::utils::AccountId32;

use crate::{
	runtime::{
		self,
		runtime_types::{
			bounded_collections::bounded_vec::BoundedVec,
			pallet_aitbc_marketplace::types::{Offer, OfferTerms},
		},
	},
	Balance, Client, ClientError, Included,
};
use aitbc_primitives::{ModelId, WorkerKey};

/// What a provider offers (the on-chain `OfferTerms`, in plain Rust types).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OfferSpec {
	/// Models served.
	pub models: Vec<ModelId>,
	/// Price per compute unit, in the smallest AIT unit.
	pub price_per_unit: Balance,
	/// GPU model name.
	pub gpu_name: String,
	/// GPU memory in MiB.
	pub gpu_memory_mib: u32,
	/// Base URL artifacts are served from (`http://host:port`).
	pub endpoint: String,
	/// Jobs run at once.
	pub capacity: u32,
	/// Largest image (width × height) the GPU runs.
	pub max_pixels: u32,
	/// Keys receipts are signed with.
	pub worker_keys: Vec<WorkerKey>,
}

impl OfferSpec {
	fn terms(&self) -> OfferTerms<Balance> {
		OfferTerms {
			models: BoundedVec(self.models.clone()),
			price_per_unit: self.price_per_unit,
			gpu_name: BoundedVec(self.gpu_name.as_bytes().to_vec()),
			gpu_memory_mib: self.gpu_memory_mib,
			endpoint: BoundedVec(self.endpoint.as_bytes().to_vec()),
			capacity: self.capacity,
			max_pixels: self.max_pixels,
			worker_keys: BoundedVec(
				self.worker_keys.iter().copied().map(subxt::utils::Static).collect(),
			),
		}
	}

	fn from_terms(terms: &OfferTerms<Balance>) -> Self {
		Self {
			models: terms.models.0.clone(),
			price_per_unit: terms.price_per_unit,
			gpu_name: String::from_utf8_lossy(&terms.gpu_name.0).into_owned(),
			gpu_memory_mib: terms.gpu_memory_mib,
			endpoint: String::from_utf8_lossy(&terms.endpoint.0).into_owned(),
			capacity: terms.capacity,
			max_pixels: terms.max_pixels,
			worker_keys: terms.worker_keys.0.iter().map(|k| k.0).collect(),
		}
	}
}

/// A provider as the chain sees it.
#[derive(Clone, Debug)]
pub struct ProviderInfo {
	pub account: AccountId32,
	/// Its offer, if it registered one.
	pub offer: Option<OfferSpec>,
	/// Paused offers take no new jobs.
	pub paused: bool,
	/// Jobs assigned and not yet receipted or expired.
	pub in_flight: u32,
	/// Approved by governance (needed while the minimum stake is 0).
	pub approved: bool,
	/// AIT bonded as provider stake.
	pub bonded: Balance,
	/// May take jobs: approved while no stake is required, bonded at least the minimum once
	/// it is.
	pub eligible: bool,
	/// The block of its last sign of life (heartbeat, claim, receipt or offer change).
	pub last_seen: Option<u32>,
	/// The hub marked it offline (it let a reserved job lapse or missed a deadline); its next
	/// sign of life clears it.
	pub offline: bool,
	/// Its last sign of life is within the chain's liveness window at the current block, and
	/// it is not marked offline.
	pub live: bool,
	/// Jobs completed, expired, cancelled after assignment; audits failed and passed.
	pub completed: u32,
	pub expired: u32,
	pub cancelled_after_assign: u32,
	pub failed_checks: u32,
	pub passed_checks: u32,
	/// Median GPU time of recent completed jobs.
	pub median_gpu_ms: Option<u64>,
}

impl Client {
	/// Approves `provider` to take jobs (governance: the sudo key; feeless).
	pub async fn approve_provider(
		&self,
		governance: &subxt_signer::sr25519::Keypair,
		provider: &AccountId32,
	) -> Result<Included, ClientError> {
		self.submit(
			&runtime::transactions().marketplace().approve_provider(provider.clone()),
			governance,
		)
		.await
	}

	/// Registers the signer's offer (feeless for an approved provider).
	pub async fn register_offer(
		&self,
		provider: &subxt_signer::sr25519::Keypair,
		offer: &OfferSpec,
	) -> Result<Included, ClientError> {
		self.submit(&runtime::transactions().marketplace().register_offer(offer.terms()), provider)
			.await
	}

	/// Replaces the signer's offer terms.
	pub async fn update_offer(
		&self,
		provider: &subxt_signer::sr25519::Keypair,
		offer: &OfferSpec,
	) -> Result<Included, ClientError> {
		self.submit(&runtime::transactions().marketplace().update_offer(offer.terms()), provider)
			.await
	}

	/// Bonds `amount` of the signer's AIT as provider stake.
	pub async fn bond(
		&self,
		provider: &subxt_signer::sr25519::Keypair,
		amount: Balance,
	) -> Result<Included, ClientError> {
		self.submit(&runtime::transactions().provider_staking().bond(amount), provider).await
	}

	/// The stake a provider must bond to take jobs without approval (0: approval needed).
	pub async fn min_provider_stake(&self) -> Result<Balance, ClientError> {
		let at = self.api().at_current_block().await.map_err(ClientError::chain)?;
		Self::min_provider_stake_at(&at).await
	}

	/// The minimum provider stake as of the block `at`.
	async fn min_provider_stake_at(
		at: &subxt::client::ClientAtBlock<
			crate::Config,
			impl subxt::client::OnlineClientAtBlockT<crate::Config>,
		>,
	) -> Result<Balance, ClientError> {
		let entry = at
			.storage()
			.entry(runtime::storage().provider_staking().min_provider_stake())
			.map_err(ClientError::chain)?;
		entry.fetch(()).await.map_err(ClientError::chain)?.decode().map_err(ClientError::chain)
	}

	/// One provider's offer, approval and reputation.
	pub async fn provider(&self, account: &AccountId32) -> Result<ProviderInfo, ClientError> {
		let at = self.api().at_current_block().await.map_err(ClientError::chain)?;
		let storage = runtime::storage().marketplace();
		let offer = at.storage().entry(storage.offers()).map_err(ClientError::chain)?;
		let offer: Option<Offer<Balance, u32>> =
			match offer.try_fetch((account.clone(),)).await.map_err(ClientError::chain)? {
				Some(value) => Some(value.decode().map_err(ClientError::chain)?),
				None => None,
			};
		let approved = at.storage().entry(storage.approved()).map_err(ClientError::chain)?;
		let approved =
			approved.try_fetch((account.clone(),)).await.map_err(ClientError::chain)?.is_some();
		let bonded = at
			.storage()
			.entry(runtime::storage().provider_staking().bonded())
			.map_err(ClientError::chain)?
			.fetch((account.clone(),))
			.await
			.map_err(ClientError::chain)?
			.decode()
			.map_err(ClientError::chain)?;
		let min_stake = Self::min_provider_stake_at(&at).await?;
		let window = at
			.constants()
			.entry(runtime::constants().marketplace().liveness_window())
			.map_err(ClientError::chain)?;
		let now = u32::try_from(at.block_number()).unwrap_or(u32::MAX);
		let last_seen = offer.as_ref().map(|o| o.last_seen);
		let offline = offer.as_ref().is_some_and(|o| o.offline);
		// The runtime API derives the summary (median included) with the runtime's own rule.
		let reputation = at
			.runtime_apis()
			.call(runtime::runtime_apis().compute_api().reputation(account.clone()))
			.await
			.map_err(ClientError::chain)?;
		Ok(ProviderInfo {
			account: account.clone(),
			paused: offer.as_ref().is_some_and(|o| o.paused),
			in_flight: offer.as_ref().map_or(0, |o| o.in_flight),
			offer: offer.as_ref().map(|o| OfferSpec::from_terms(&o.terms)),
			approved,
			bonded,
			eligible: if min_stake == 0 { approved } else { bonded >= min_stake },
			last_seen,
			offline,
			live: !offline && last_seen.is_some_and(|seen| seen.saturating_add(window) > now),
			completed: reputation.completed,
			expired: reputation.expired,
			cancelled_after_assign: reputation.cancelled_after_assign,
			failed_checks: reputation.failed_checks,
			passed_checks: reputation.passed_checks,
			median_gpu_ms: reputation.median_gpu_ms,
		})
	}

	/// Tells the chain the signer's workers are up (feeless once per `MinHeartbeatInterval`
	/// blocks for an eligible provider).
	pub async fn heartbeat(
		&self,
		provider: &subxt_signer::sr25519::Keypair,
	) -> Result<Included, ClientError> {
		self.submit(&runtime::transactions().marketplace().heartbeat(), provider).await
	}

	/// Pauses the signer's offer: the hub reserves it no new job and its claims are refused;
	/// jobs in flight go on (feeless for an approved provider).
	pub async fn pause_offer(
		&self,
		provider: &subxt_signer::sr25519::Keypair,
	) -> Result<Included, ClientError> {
		self.submit(&runtime::transactions().marketplace().pause(), provider).await
	}

	/// Lets the signer's paused offer take jobs again (feeless for an approved provider).
	pub async fn resume_offer(
		&self,
		provider: &subxt_signer::sr25519::Keypair,
	) -> Result<Included, ClientError> {
		self.submit(&runtime::transactions().marketplace().resume(), provider).await
	}

	/// The chain's liveness rule: (`LivenessWindow`, `MinHeartbeatInterval`) in blocks.
	pub async fn liveness_rule(&self) -> Result<(u32, u32), ClientError> {
		let at = self.api().at_current_block().await.map_err(ClientError::chain)?;
		let window = at
			.constants()
			.entry(runtime::constants().marketplace().liveness_window())
			.map_err(ClientError::chain)?;
		let interval = at
			.constants()
			.entry(runtime::constants().marketplace().min_heartbeat_interval())
			.map_err(ClientError::chain)?;
		Ok((window, interval))
	}

	/// Whether any live provider could take a job of `model` with `params` at `max_price` per
	/// unit: the runtime's matching funnel, why none could, the jobs queued ahead and a wait
	/// estimate.
	pub async fn feasibility(
		&self,
		model: ModelId,
		params: aitbc_primitives::JobParams,
		max_price: Balance,
	) -> Result<aitbc_primitives::Feasibility<Balance>, ClientError> {
		let at = self.api().at_current_block().await.map_err(ClientError::chain)?;
		let call = runtime::runtime_apis().compute_api().feasibility(
			model,
			subxt::utils::Static(params),
			max_price,
		);
		Ok(at.runtime_apis().call(call).await.map_err(ClientError::chain)?.0)
	}

	/// A pending job's place in the queue (0: the oldest), if it is pending.
	pub async fn queue_position(
		&self,
		job_id: aitbc_primitives::JobId,
	) -> Result<Option<u32>, ClientError> {
		let at = self.api().at_current_block().await.map_err(ClientError::chain)?;
		let call = runtime::runtime_apis().compute_api().queue_position(job_id);
		at.runtime_apis().call(call).await.map_err(ClientError::chain)
	}

	/// The provider the hub reserved a pending job for, and the block the reservation lapses
	/// in if it does not claim the job, if the job is reserved.
	pub async fn reservation(
		&self,
		job_id: aitbc_primitives::JobId,
	) -> Result<Option<(AccountId32, u32)>, ClientError> {
		let at = self.api().at_current_block().await.map_err(ClientError::chain)?;
		let entry = at
			.storage()
			.entry(runtime::storage().jobs().reservations())
			.map_err(ClientError::chain)?;
		match entry.try_fetch((job_id,)).await.map_err(ClientError::chain)? {
			Some(value) => {
				let reservation = value.decode().map_err(ClientError::chain)?;
				Ok(Some((reservation.provider, reservation.accept_by)))
			},
			None => Ok(None),
		}
	}

	/// Every provider with an offer, by account.
	pub async fn providers(&self) -> Result<Vec<ProviderInfo>, ClientError> {
		let at = self.api().at_current_block().await.map_err(ClientError::chain)?;
		let entry = at
			.storage()
			.entry(runtime::storage().marketplace().offers())
			.map_err(ClientError::chain)?;
		let mut all = entry.iter(()).await.map_err(ClientError::chain)?;
		let mut accounts = Vec::new();
		while let Some(item) = all.next().await {
			let item = item.map_err(ClientError::chain)?;
			let (account,) =
				item.key().map_err(ClientError::chain)?.decode().map_err(ClientError::chain)?;
			accounts.push(account);
		}
		let mut providers = Vec::with_capacity(accounts.len());
		for account in accounts {
			providers.push(self.provider(&account).await?);
		}
		providers.sort_by(|a, b| a.account.0.cmp(&b.account.0));
		Ok(providers)
	}
}
