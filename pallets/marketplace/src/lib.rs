//! # AITBC marketplace pallet
//!
//! Who may serve which compute, at what price, and how well they have served so far.
//!
//! ## Overview
//! - A **model registry**, managed by governance: each model has a name, a pipeline kind, the
//!   sha256 of every ONNX file and of its manifest, a `unit_weight` and limits on image size and
//!   steps. Retired models take no new jobs.
//! - **Offers**: a provider registers the models it serves, its price per compute unit, its GPU,
//!   the endpoint its artifacts are served from, its capacity (concurrent jobs) and the worker
//!   keys that sign its receipts. It can update, pause, resume and deregister (only with no job in
//!   flight).
//! - **Eligibility**: while no stake is required (`MinProviderStake` is 0 in the staking pallet),
//!   a provider must be approved by governance before it takes jobs; once stake is required,
//!   bonding it is enough.
//! - **Reputation**, derived only from on-chain facts reported by the jobs and receipts pallets:
//!   jobs completed, expired, cancelled after assignment, failed checks, and the median GPU time
//!   of recent receipts.
//!
//! ## Terminology
//! - *Worker key*: an sr25519 or ed25519 public key that signs compute receipts for exactly one
//!   provider.
//! - *In flight*: jobs assigned to a provider and not yet receipted or expired; never more than
//!   its capacity (a receipted job needs no GPU during its challenge window).
//!
//! ## Usage
//! Other pallets use the [`ProviderRegistry`] trait (implemented by [`Pallet`]): `check_can_take`
//! holds the one matching rule (model served, price acceptable, capacity free, eligible), which
//! the off-chain scheduler reuses.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;
pub use weights::WeightInfo;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod weights;

use aitbc_primitives::{ModelId, WorkerKey};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{
	pallet_prelude::*, BoundedVec, CloneNoBound, DebugNoBound, DefaultNoBound, EqNoBound,
	PartialEqNoBound,
};
use scale_info::TypeInfo;
use sp_runtime::DispatchResult;

/// What a model's pipeline does.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub enum PipelineKind {
	/// Text to image with a Stable-Diffusion-style pipeline.
	TextToImage,
}

/// One ONNX file of a model and its sha256.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
)]
#[scale_info(skip_type_params(MaxNameLen))]
pub struct ModelFile<MaxNameLen: Get<u32>> {
	/// Path inside the model folder (`unet/model.onnx`).
	pub path: BoundedVec<u8, MaxNameLen>,
	/// sha256 of the file.
	pub sha256: [u8; 32],
}

/// A registered model.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
)]
#[scale_info(skip_type_params(MaxNameLen, MaxFiles))]
pub struct ModelInfo<MaxNameLen: Get<u32>, MaxFiles: Get<u32>> {
	/// Human-readable name (`aitbc-tiny-sd`, `stable-diffusion-1.5`).
	pub name: BoundedVec<u8, MaxNameLen>,
	/// Pipeline kind.
	pub pipeline: PipelineKind,
	/// Every ONNX file with its sha256.
	pub files: BoundedVec<ModelFile<MaxNameLen>, MaxFiles>,
	/// sha256 of the model's manifest.
	pub manifest_sha256: [u8; 32],
	/// Cost weight in thousandths (1_000 = a reference model).
	pub unit_weight_milli: u32,
	/// Largest image width in pixels.
	pub max_width: u32,
	/// Largest image height in pixels.
	pub max_height: u32,
	/// Most denoising steps.
	pub max_steps: u32,
	/// A retired model takes no new jobs.
	pub retired: bool,
}

/// What a price must support to sit in an offer (the runtime's balance type does).
pub trait PriceBound: Clone + PartialEq + Eq + core::fmt::Debug {}
impl<T: Clone + PartialEq + Eq + core::fmt::Debug> PriceBound for T {}

/// What a provider offers, as given to `register_offer` and `update_offer`.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
)]
#[scale_info(skip_type_params(MaxModels, MaxNameLen, MaxEndpointLen, MaxKeys))]
pub struct OfferTerms<
	Balance: PriceBound,
	MaxModels: Get<u32>,
	MaxNameLen: Get<u32>,
	MaxEndpointLen: Get<u32>,
	MaxKeys: Get<u32>,
> {
	/// Models served.
	pub models: BoundedVec<ModelId, MaxModels>,
	/// Price per compute unit, in the smallest balance unit. 0 serves for free.
	pub price_per_unit: Balance,
	/// GPU model name.
	pub gpu_name: BoundedVec<u8, MaxNameLen>,
	/// GPU memory in MiB.
	pub gpu_memory_mib: u32,
	/// Base URL artifacts are served from (`http://host:port`).
	pub endpoint: BoundedVec<u8, MaxEndpointLen>,
	/// Jobs the provider runs at once.
	pub capacity: u32,
	/// Keys its workers sign receipts with.
	pub worker_keys: BoundedVec<WorkerKey, MaxKeys>,
}

/// A registered offer: the terms plus its live state.
#[derive(
	Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound,
)]
#[scale_info(skip_type_params(MaxModels, MaxNameLen, MaxEndpointLen, MaxKeys))]
pub struct Offer<
	Balance: PriceBound,
	MaxModels: Get<u32>,
	MaxNameLen: Get<u32>,
	MaxEndpointLen: Get<u32>,
	MaxKeys: Get<u32>,
> {
	/// The provider's terms.
	pub terms: OfferTerms<Balance, MaxModels, MaxNameLen, MaxEndpointLen, MaxKeys>,
	/// A paused offer takes no new jobs.
	pub paused: bool,
	/// Jobs assigned and not yet receipted or expired (what `capacity` limits).
	pub in_flight: u32,
}

/// How a job that was assigned to a provider ended, for its reputation.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, Copy, PartialEq, Eq, Debug)]
pub enum JobOutcome {
	/// Receipt finalized; `gpu_ms` as the receipt reported it.
	Completed { gpu_ms: u64 },
	/// Not receipted before its deadline.
	Expired,
	/// Cancelled after assignment.
	CancelledAfterAssign,
	/// Its receipt failed a spot-check.
	FailedCheck,
	/// Its receipt passed an audit.
	PassedCheck,
}

/// A provider's record, built from on-chain facts only.
#[derive(
	Encode,
	Decode,
	MaxEncodedLen,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
	DefaultNoBound,
)]
#[scale_info(skip_type_params(MaxSamples))]
pub struct Reputation<MaxSamples: Get<u32>> {
	/// Jobs completed with a finalized receipt.
	pub completed: u32,
	/// Jobs that expired while assigned to it.
	pub expired: u32,
	/// Jobs cancelled after it was assigned them.
	pub cancelled_after_assign: u32,
	/// Receipts that failed a spot-check.
	pub failed_checks: u32,
	/// Receipts that passed an audit.
	pub passed_checks: u32,
	/// GPU milliseconds of the most recent completed jobs, oldest first.
	pub recent_gpu_ms: BoundedVec<u64, MaxSamples>,
}

impl<MaxSamples: Get<u32>> Reputation<MaxSamples> {
	/// Median GPU time of the recent completed jobs (the lower median for an even count).
	pub fn median_gpu_ms(&self) -> Option<u64> {
		let mut samples = self.recent_gpu_ms.clone().into_inner();
		if samples.is_empty() {
			return None;
		}
		samples.sort_unstable();
		samples.get((samples.len() - 1) / 2).copied()
	}

	fn record(&mut self, outcome: JobOutcome) {
		match outcome {
			JobOutcome::Completed { gpu_ms } => {
				self.completed = self.completed.saturating_add(1);
				if self.recent_gpu_ms.is_full() && !self.recent_gpu_ms.is_empty() {
					self.recent_gpu_ms.remove(0);
				}
				// Cannot fail: there is room now (or the bound is 0 and nothing is kept).
				let _ = self.recent_gpu_ms.try_push(gpu_ms);
			},
			JobOutcome::Expired => self.expired = self.expired.saturating_add(1),
			JobOutcome::CancelledAfterAssign => {
				self.cancelled_after_assign = self.cancelled_after_assign.saturating_add(1)
			},
			JobOutcome::FailedCheck => self.failed_checks = self.failed_checks.saturating_add(1),
			JobOutcome::PassedCheck => self.passed_checks = self.passed_checks.saturating_add(1),
		}
	}
}

/// Whether providers must hold stake, and whether one does. Implemented by the staking pallet;
/// `()` means "no stake required ever" (governance approval only).
pub trait ProviderStake<AccountId> {
	/// True once governance requires a minimum stake of providers.
	fn stake_required() -> bool;
	/// True when `who` has bonded at least the minimum.
	fn has_min_stake(who: &AccountId) -> bool;
}

impl<AccountId> ProviderStake<AccountId> for () {
	fn stake_required() -> bool {
		false
	}
	fn has_min_stake(_: &AccountId) -> bool {
		false
	}
}

/// What a job needs to know of its model: cost weight and limits.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, Copy, PartialEq, Eq, Debug)]
pub struct ModelLimits {
	/// Cost weight in thousandths.
	pub unit_weight_milli: u32,
	/// Largest image width.
	pub max_width: u32,
	/// Largest image height.
	pub max_height: u32,
	/// Most steps.
	pub max_steps: u32,
}

/// What the jobs and receipts pallets need from the marketplace.
pub trait ProviderRegistry<AccountId, Balance> {
	/// Weight and limits of model `id`, if registered and not retired.
	fn active_model(id: ModelId) -> Option<ModelLimits>;
	/// The one matching rule: `provider` may take a job for `model` whose client accepts at most
	/// `max_price` per unit. Returns the provider's price.
	fn check_can_take(
		provider: &AccountId,
		model: ModelId,
		max_price: Balance,
	) -> Result<Balance, DispatchError>;
	/// A job was assigned to `provider` (after `check_can_take` succeeded).
	fn job_assigned(provider: &AccountId) -> DispatchResult;
	/// An assigned job no longer occupies `provider`'s capacity: it was receipted (the GPU
	/// work is done; the challenge window needs no GPU) or it expired.
	fn job_released(provider: &AccountId) -> DispatchResult;
	/// How a job of `provider` ended, for its reputation.
	fn record_outcome(provider: &AccountId, outcome: JobOutcome);
	/// The provider that registered `key`.
	fn worker_key_owner(key: &WorkerKey) -> Option<AccountId>;
	/// Whether `provider` may audit a receipt of `model`: it has an unpaused offer serving
	/// the model and is eligible to take jobs (the same eligibility as `check_can_take`,
	/// without price and capacity: an audit is not a job of the auditor's).
	fn check_can_audit(provider: &AccountId, model: ModelId) -> DispatchResult;
	/// `provider` lost an audit: its governance approval, if any, is revoked, so that the
	/// penalty bites even with nothing bonded. Returns whether an approval was revoked.
	fn suspend(provider: &AccountId) -> bool;
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_system::pallet_prelude::*;
	use sp_runtime::traits::AtLeast32BitUnsigned;

	/// A registered model, with this runtime's bounds.
	pub type ModelInfoOf<T> = ModelInfo<<T as Config>::MaxNameLen, <T as Config>::MaxModelFiles>;
	/// Offer terms, with this runtime's bounds.
	pub type OfferTermsOf<T> = OfferTerms<
		<T as Config>::Balance,
		<T as Config>::MaxModelsPerOffer,
		<T as Config>::MaxNameLen,
		<T as Config>::MaxEndpointLen,
		<T as Config>::MaxWorkerKeys,
	>;
	/// A registered offer, with this runtime's bounds.
	pub type OfferOf<T> = Offer<
		<T as Config>::Balance,
		<T as Config>::MaxModelsPerOffer,
		<T as Config>::MaxNameLen,
		<T as Config>::MaxEndpointLen,
		<T as Config>::MaxWorkerKeys,
	>;
	/// A reputation record, with this runtime's bounds.
	pub type ReputationOf<T> = Reputation<<T as Config>::MaxGpuSamples>;

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// Prices are in this balance type (the runtime's AIT balance).
		type Balance: Parameter + Member + MaxEncodedLen + AtLeast32BitUnsigned + Copy + Default;
		/// Manages the model registry and approves providers.
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// Stake requirement of providers (the staking pallet).
		type Stake: ProviderStake<Self::AccountId>;
		/// Most models the registry holds, retired ones included.
		#[pallet::constant]
		type MaxModels: Get<u32>;
		/// Most files per model.
		#[pallet::constant]
		type MaxModelFiles: Get<u32>;
		/// Longest name (model name, file path, GPU name), in bytes.
		#[pallet::constant]
		type MaxNameLen: Get<u32>;
		/// Most models one offer serves.
		#[pallet::constant]
		type MaxModelsPerOffer: Get<u32>;
		/// Most worker keys per provider.
		#[pallet::constant]
		type MaxWorkerKeys: Get<u32>;
		/// Longest endpoint URL, in bytes.
		#[pallet::constant]
		type MaxEndpointLen: Get<u32>;
		/// Completed jobs kept for the median GPU time.
		#[pallet::constant]
		type MaxGpuSamples: Get<u32>;
		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
	}

	/// Registered models by id.
	#[pallet::storage]
	pub type Models<T: Config> = StorageMap<_, Twox64Concat, ModelId, ModelInfoOf<T>>;

	/// Number of registered models (and the id of the next one).
	#[pallet::storage]
	pub type ModelCount<T: Config> = StorageValue<_, u32, ValueQuery>;

	/// Offers by provider.
	#[pallet::storage]
	pub type Offers<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, OfferOf<T>>;

	/// Providers approved by governance (needed while no stake is required).
	#[pallet::storage]
	pub type Approved<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, (), OptionQuery>;

	/// The provider each worker key belongs to.
	#[pallet::storage]
	pub type WorkerKeyOwner<T: Config> = StorageMap<_, Blake2_128Concat, WorkerKey, T::AccountId>;

	/// Reputation by provider; kept after deregistration.
	#[pallet::storage]
	pub type Reputations<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, ReputationOf<T>, ValueQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Accounts that exist from genesis without holding AIT, so they can send feeless
		/// bootstrap calls (the sudo key; development accounts on dev chains). No balance is
		/// created: issuance stays zero.
		pub bootstrap_accounts: alloc::vec::Vec<T::AccountId>,
		/// Providers approved at genesis.
		pub approved_providers: alloc::vec::Vec<T::AccountId>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			for who in &self.bootstrap_accounts {
				frame_system::Pallet::<T>::inc_providers(who);
			}
			for who in &self.approved_providers {
				if !Approved::<T>::contains_key(who) {
					Approved::<T>::insert(who, ());
					frame_system::Pallet::<T>::inc_providers(who);
				}
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A model was added to the registry.
		ModelAdded { model_id: ModelId, name: BoundedVec<u8, T::MaxNameLen> },
		/// A model was retired: it takes no new jobs.
		ModelRetired { model_id: ModelId },
		/// A provider registered an offer.
		OfferRegistered { provider: T::AccountId, price_per_unit: T::Balance },
		/// A provider changed its offer.
		OfferUpdated { provider: T::AccountId, price_per_unit: T::Balance },
		/// A provider paused its offer.
		OfferPaused { provider: T::AccountId },
		/// A provider resumed its offer.
		OfferResumed { provider: T::AccountId },
		/// A provider withdrew its offer.
		OfferDeregistered { provider: T::AccountId },
		/// Governance approved a provider.
		ProviderApproved { provider: T::AccountId },
		/// Governance revoked a provider's approval.
		ApprovalRevoked { provider: T::AccountId },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The model registry is full.
		TooManyModels,
		/// No model has this id.
		UnknownModel,
		/// The model is retired.
		ModelRetired,
		/// The model is already retired.
		AlreadyRetired,
		/// A model needs a non-zero unit weight, steps and an image size of at least 64 pixels in
		/// multiples of 8.
		InvalidModelLimits,
		/// A model needs at least one file.
		NoModelFiles,
		/// This account already has an offer.
		OfferExists,
		/// This account has no offer.
		NoOffer,
		/// An offer must serve at least one model.
		NoModels,
		/// An offer lists the same model twice.
		DuplicateModel,
		/// An offer needs a capacity of at least one job.
		ZeroCapacity,
		/// The new capacity is below the jobs in flight.
		CapacityBelowInFlight,
		/// An offer needs an endpoint URL.
		EmptyEndpoint,
		/// An offer needs at least one worker key.
		NoWorkerKeys,
		/// The same worker key is listed twice.
		DuplicateWorkerKey,
		/// The worker key belongs to another provider.
		WorkerKeyTaken,
		/// The offer is already paused.
		AlreadyPaused,
		/// The offer is not paused.
		NotPaused,
		/// The offer is paused.
		OfferPaused,
		/// The provider still has jobs in flight.
		JobsInFlight,
		/// The provider is already approved.
		AlreadyApproved,
		/// The provider is not approved.
		NotApproved,
		/// The provider has not bonded the minimum stake.
		InsufficientStake,
		/// The provider does not serve this model.
		ModelNotServed,
		/// The provider's price is above what the job accepts.
		PriceTooHigh,
		/// The provider runs as many jobs as its capacity allows.
		AtCapacity,
		/// A job ended for a provider with none in flight (an accounting bug elsewhere).
		NoJobInFlight,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Adds a model to the registry (governance).
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::add_model())]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _name: &BoundedVec<u8, T::MaxNameLen>, _pipeline: &PipelineKind,
			_files: &BoundedVec<ModelFile<T::MaxNameLen>, T::MaxModelFiles>, _manifest: &[u8; 32], _weight: &u32,
			_width: &u32, _height: &u32, _steps: &u32| -> bool {
			Pallet::<T>::is_governance(origin)
		})]
		pub fn add_model(
			origin: OriginFor<T>,
			name: BoundedVec<u8, T::MaxNameLen>,
			pipeline: PipelineKind,
			files: BoundedVec<ModelFile<T::MaxNameLen>, T::MaxModelFiles>,
			manifest_sha256: [u8; 32],
			unit_weight_milli: u32,
			max_width: u32,
			max_height: u32,
			max_steps: u32,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			ensure!(!files.is_empty(), Error::<T>::NoModelFiles);
			ensure!(
				unit_weight_milli > 0
					&& max_steps > 0
					&& aitbc_primitives::valid_image_side(max_width)
					&& aitbc_primitives::valid_image_side(max_height),
				Error::<T>::InvalidModelLimits
			);
			let model_id = ModelCount::<T>::get();
			ensure!(model_id < T::MaxModels::get(), Error::<T>::TooManyModels);
			let next = model_id.checked_add(1).ok_or(Error::<T>::TooManyModels)?;

			Models::<T>::insert(
				model_id,
				ModelInfo {
					name: name.clone(),
					pipeline,
					files,
					manifest_sha256,
					unit_weight_milli,
					max_width,
					max_height,
					max_steps,
					retired: false,
				},
			);
			ModelCount::<T>::put(next);
			Self::deposit_event(Event::ModelAdded { model_id, name });
			Ok(())
		}

		/// Retires a model: no new jobs; jobs already submitted still run (governance).
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::retire_model())]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _model_id: &ModelId| -> bool {
			Pallet::<T>::is_governance(origin)
		})]
		pub fn retire_model(origin: OriginFor<T>, model_id: ModelId) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Models::<T>::try_mutate(model_id, |model| {
				let model = model.as_mut().ok_or(Error::<T>::UnknownModel)?;
				ensure!(!model.retired, Error::<T>::AlreadyRetired);
				model.retired = true;
				Ok::<_, DispatchError>(())
			})?;
			Self::deposit_event(Event::ModelRetired { model_id });
			Ok(())
		}

		/// Registers the caller's offer and worker keys.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::register_offer(terms.models.len() as u32, terms.worker_keys.len() as u32))]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _terms: &OfferTermsOf<T>| -> bool {
			Pallet::<T>::is_approved_signer(origin)
		})]
		pub fn register_offer(origin: OriginFor<T>, terms: OfferTermsOf<T>) -> DispatchResult {
			let provider = ensure_signed(origin)?;
			ensure!(!Offers::<T>::contains_key(&provider), Error::<T>::OfferExists);
			Self::validate_terms(&provider, &terms)?;

			for key in terms.worker_keys.iter() {
				WorkerKeyOwner::<T>::insert(key, &provider);
			}
			let price_per_unit = terms.price_per_unit;
			Offers::<T>::insert(&provider, Offer { terms, paused: false, in_flight: 0 });
			Self::deposit_event(Event::OfferRegistered { provider, price_per_unit });
			Ok(())
		}

		/// Replaces the caller's offer terms; jobs in flight keep running.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::update_offer(terms.models.len() as u32, terms.worker_keys.len() as u32))]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _terms: &OfferTermsOf<T>| -> bool {
			Pallet::<T>::is_approved_signer(origin)
		})]
		pub fn update_offer(origin: OriginFor<T>, terms: OfferTermsOf<T>) -> DispatchResult {
			let provider = ensure_signed(origin)?;
			let mut offer = Offers::<T>::get(&provider).ok_or(Error::<T>::NoOffer)?;
			Self::validate_terms(&provider, &terms)?;
			ensure!(terms.capacity >= offer.in_flight, Error::<T>::CapacityBelowInFlight);

			for key in offer.terms.worker_keys.iter() {
				WorkerKeyOwner::<T>::remove(key);
			}
			for key in terms.worker_keys.iter() {
				WorkerKeyOwner::<T>::insert(key, &provider);
			}
			let price_per_unit = terms.price_per_unit;
			offer.terms = terms;
			Offers::<T>::insert(&provider, offer);
			Self::deposit_event(Event::OfferUpdated { provider, price_per_unit });
			Ok(())
		}

		/// Stops the caller's offer from taking new jobs.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::pause())]
		#[pallet::feeless_if(|origin: &OriginFor<T>| -> bool { Pallet::<T>::is_approved_signer(origin) })]
		pub fn pause(origin: OriginFor<T>) -> DispatchResult {
			let provider = ensure_signed(origin)?;
			Self::set_paused(&provider, true)?;
			Self::deposit_event(Event::OfferPaused { provider });
			Ok(())
		}

		/// Lets the caller's paused offer take jobs again.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::resume())]
		#[pallet::feeless_if(|origin: &OriginFor<T>| -> bool { Pallet::<T>::is_approved_signer(origin) })]
		pub fn resume(origin: OriginFor<T>) -> DispatchResult {
			let provider = ensure_signed(origin)?;
			Self::set_paused(&provider, false)?;
			Self::deposit_event(Event::OfferResumed { provider });
			Ok(())
		}

		/// Withdraws the caller's offer and worker keys; only with no job in flight.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::deregister(T::MaxWorkerKeys::get()))]
		#[pallet::feeless_if(|origin: &OriginFor<T>| -> bool { Pallet::<T>::is_approved_signer(origin) })]
		pub fn deregister(origin: OriginFor<T>) -> DispatchResult {
			let provider = ensure_signed(origin)?;
			let offer = Offers::<T>::get(&provider).ok_or(Error::<T>::NoOffer)?;
			ensure!(offer.in_flight == 0, Error::<T>::JobsInFlight);
			for key in offer.terms.worker_keys.iter() {
				WorkerKeyOwner::<T>::remove(key);
			}
			Offers::<T>::remove(&provider);
			Self::deposit_event(Event::OfferDeregistered { provider });
			Ok(())
		}

		/// Approves a provider to take jobs while no stake is required (governance).
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::approve_provider())]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _provider: &T::AccountId| -> bool {
			Pallet::<T>::is_governance(origin)
		})]
		pub fn approve_provider(origin: OriginFor<T>, provider: T::AccountId) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			ensure!(!Approved::<T>::contains_key(&provider), Error::<T>::AlreadyApproved);
			Approved::<T>::insert(&provider, ());
			// An approved provider may transact (feelessly) before it holds any AIT.
			frame_system::Pallet::<T>::inc_providers(&provider);
			Self::deposit_event(Event::ProviderApproved { provider });
			Ok(())
		}

		/// Revokes a provider's approval; its jobs in flight still finish (governance).
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::revoke_approval())]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _provider: &T::AccountId| -> bool {
			Pallet::<T>::is_governance(origin)
		})]
		pub fn revoke_approval(origin: OriginFor<T>, provider: T::AccountId) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			ensure!(Approved::<T>::contains_key(&provider), Error::<T>::NotApproved);
			Approved::<T>::remove(&provider);
			// Drop the reference approval added; an account that still holds funds stays.
			let _ = frame_system::Pallet::<T>::dec_providers(&provider);
			Self::deposit_event(Event::ApprovalRevoked { provider });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// Whether `origin` passes the governance origin (its calls are feeless).
		pub fn is_governance(origin: &OriginFor<T>) -> bool {
			T::GovernanceOrigin::try_origin(origin.clone()).is_ok()
		}

		/// Whether `origin` is a signed, governance-approved provider (its offer calls are
		/// feeless: approval bounds who can use them).
		pub fn is_approved_signer(origin: &OriginFor<T>) -> bool {
			ensure_signed(origin.clone()).is_ok_and(|who| Approved::<T>::contains_key(who))
		}

		fn validate_terms(provider: &T::AccountId, terms: &OfferTermsOf<T>) -> DispatchResult {
			ensure!(!terms.models.is_empty(), Error::<T>::NoModels);
			for (i, model_id) in terms.models.iter().enumerate() {
				ensure!(!terms.models[..i].contains(model_id), Error::<T>::DuplicateModel);
				let model = Models::<T>::get(model_id).ok_or(Error::<T>::UnknownModel)?;
				ensure!(!model.retired, Error::<T>::ModelRetired);
			}
			ensure!(terms.capacity > 0, Error::<T>::ZeroCapacity);
			ensure!(!terms.endpoint.is_empty(), Error::<T>::EmptyEndpoint);
			ensure!(!terms.worker_keys.is_empty(), Error::<T>::NoWorkerKeys);
			for (i, key) in terms.worker_keys.iter().enumerate() {
				ensure!(!terms.worker_keys[..i].contains(key), Error::<T>::DuplicateWorkerKey);
				if let Some(owner) = WorkerKeyOwner::<T>::get(key) {
					ensure!(&owner == provider, Error::<T>::WorkerKeyTaken);
				}
			}
			Ok(())
		}

		fn set_paused(provider: &T::AccountId, paused: bool) -> DispatchResult {
			Offers::<T>::try_mutate(provider, |offer| {
				let offer = offer.as_mut().ok_or(Error::<T>::NoOffer)?;
				match (offer.paused, paused) {
					(true, true) => Err(Error::<T>::AlreadyPaused.into()),
					(false, false) => Err(Error::<T>::NotPaused.into()),
					_ => {
						offer.paused = paused;
						Ok(())
					},
				}
			})
		}

		/// Whether `provider` may take jobs at all: approved while no stake is required, bonded
		/// at least the minimum once it is.
		pub fn check_eligible(provider: &T::AccountId) -> DispatchResult {
			if T::Stake::stake_required() {
				ensure!(T::Stake::has_min_stake(provider), Error::<T>::InsufficientStake);
			} else {
				ensure!(Approved::<T>::contains_key(provider), Error::<T>::NotApproved);
			}
			Ok(())
		}

		/// Invariants: worker keys and offers point at each other; offers serve registered
		/// models; no offer has more jobs in flight than its capacity.
		/// Also run by the tests of pallets that build on this one.
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			let mut listed_keys = 0usize;
			for (provider, offer) in Offers::<T>::iter() {
				ensure!(
					offer.in_flight <= offer.terms.capacity,
					"more jobs in flight than capacity"
				);
				for model_id in offer.terms.models.iter() {
					ensure!(Models::<T>::contains_key(model_id), "offer serves an unknown model");
				}
				for key in offer.terms.worker_keys.iter() {
					ensure!(
						WorkerKeyOwner::<T>::get(key).as_ref() == Some(&provider),
						"worker key of an offer not owned by its provider"
					);
					listed_keys += 1;
				}
			}
			ensure!(
				WorkerKeyOwner::<T>::iter().count() == listed_keys,
				"worker key owned by a provider whose offer does not list it"
			);
			ensure!(
				Models::<T>::iter_keys().all(|id| id < ModelCount::<T>::get()),
				"model id at or above the model count"
			);
			Ok(())
		}
	}
}

/// Set-up shortcuts for the benchmarks of pallets that build on the marketplace.
#[cfg(feature = "runtime-benchmarks")]
impl<T: Config> Pallet<T> {
	/// Registers a model with the largest limits and returns its id.
	pub fn benchmark_model() -> ModelId {
		let model_id = ModelCount::<T>::get();
		Models::<T>::insert(
			model_id,
			ModelInfo {
				name: BoundedVec::truncate_from(b"benchmark".to_vec()),
				pipeline: PipelineKind::TextToImage,
				files: BoundedVec::new(),
				manifest_sha256: [0; 32],
				unit_weight_milli: 1_000,
				max_width: 1_024,
				max_height: 1_024,
				max_steps: 100,
				retired: false,
			},
		);
		ModelCount::<T>::put(model_id.saturating_add(1));
		model_id
	}

	/// Makes `provider` an approved provider of `model` with `capacity` and `worker_keys`. An
	/// existing offer keeps its jobs in flight, and room for one more.
	pub fn benchmark_provider(
		provider: &T::AccountId,
		model: ModelId,
		capacity: u32,
		worker_keys: alloc::vec::Vec<WorkerKey>,
	) {
		for key in &worker_keys {
			WorkerKeyOwner::<T>::insert(key, provider);
		}
		Approved::<T>::insert(provider, ());
		let in_flight = Offers::<T>::get(provider).map_or(0, |offer| offer.in_flight);
		let capacity = capacity.max(in_flight.saturating_add(1));
		Offers::<T>::insert(
			provider,
			Offer {
				terms: OfferTerms {
					models: BoundedVec::truncate_from(alloc::vec![model]),
					price_per_unit: 1u32.into(),
					gpu_name: BoundedVec::new(),
					gpu_memory_mib: 0,
					endpoint: BoundedVec::truncate_from(b"http://bench".to_vec()),
					capacity,
					worker_keys: BoundedVec::truncate_from(worker_keys),
				},
				paused: false,
				in_flight,
			},
		);
	}
}

impl<T: Config> ProviderRegistry<T::AccountId, T::Balance> for Pallet<T> {
	fn active_model(id: ModelId) -> Option<ModelLimits> {
		Models::<T>::get(id).filter(|model| !model.retired).map(|model| ModelLimits {
			unit_weight_milli: model.unit_weight_milli,
			max_width: model.max_width,
			max_height: model.max_height,
			max_steps: model.max_steps,
		})
	}

	fn check_can_take(
		provider: &T::AccountId,
		model: ModelId,
		max_price: T::Balance,
	) -> Result<T::Balance, DispatchError> {
		let offer = Offers::<T>::get(provider).ok_or(Error::<T>::NoOffer)?;
		Self::check_eligible(provider)?;
		ensure!(!offer.paused, Error::<T>::OfferPaused);
		ensure!(offer.terms.models.contains(&model), Error::<T>::ModelNotServed);
		ensure!(offer.terms.price_per_unit <= max_price, Error::<T>::PriceTooHigh);
		ensure!(offer.in_flight < offer.terms.capacity, Error::<T>::AtCapacity);
		Ok(offer.terms.price_per_unit)
	}

	fn job_assigned(provider: &T::AccountId) -> DispatchResult {
		Offers::<T>::try_mutate(provider, |offer| {
			let offer = offer.as_mut().ok_or(Error::<T>::NoOffer)?;
			ensure!(offer.in_flight < offer.terms.capacity, Error::<T>::AtCapacity);
			offer.in_flight = offer.in_flight.checked_add(1).ok_or(Error::<T>::AtCapacity)?;
			Ok(())
		})
	}

	fn job_released(provider: &T::AccountId) -> DispatchResult {
		Offers::<T>::try_mutate(provider, |offer| {
			let offer = offer.as_mut().ok_or(Error::<T>::NoOffer)?;
			offer.in_flight = offer.in_flight.checked_sub(1).ok_or(Error::<T>::NoJobInFlight)?;
			Ok(())
		})
	}

	fn record_outcome(provider: &T::AccountId, outcome: JobOutcome) {
		Reputations::<T>::mutate(provider, |reputation| reputation.record(outcome));
	}

	fn worker_key_owner(key: &WorkerKey) -> Option<T::AccountId> {
		WorkerKeyOwner::<T>::get(key)
	}

	fn check_can_audit(provider: &T::AccountId, model: ModelId) -> DispatchResult {
		let offer = Offers::<T>::get(provider).ok_or(Error::<T>::NoOffer)?;
		Self::check_eligible(provider)?;
		ensure!(!offer.paused, Error::<T>::OfferPaused);
		ensure!(offer.terms.models.contains(&model), Error::<T>::ModelNotServed);
		Ok(())
	}

	fn suspend(provider: &T::AccountId) -> bool {
		if Approved::<T>::take(provider).is_none() {
			return false;
		}
		// As `revoke_approval`: drop the reference approval added.
		let _ = frame_system::Pallet::<T>::dec_providers(provider);
		Self::deposit_event(Event::ApprovalRevoked { provider: provider.clone() });
		true
	}
}
