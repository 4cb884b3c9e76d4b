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
//!   keys that sign its receipts, its capacity and the largest image its GPU runs. It can update,
//!   pause, resume and deregister (only with no job in flight).
//! - **Liveness** ([`liveness`]): each provider's last sign of life (claims, receipts, offer
//!   changes, or a feeless [`Pallet::heartbeat`] when idle, rate-limited per provider and per
//!   block). A provider is live while it is within `LivenessWindow` blocks, and until it lets a
//!   job reserved for it pass unclaimed.
//! - **Rotation** ([`rotation`]): per model, the providers serving it in the order the hub asks
//!   them for the next job ([`ProviderRegistry::pick_provider`]), bounded per model, so that
//!   assignment never iterates over every offer and every provider gets its turn. Among the
//!   providers a pick asks that could take the job, it prefers the more reliable record, then a
//!   GPU that has the model loaded (its last job was of that model): [`Preference`].
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
//! Other pallets use the [`ProviderRegistry`] trait (implemented by [`Pallet`]). The one
//! matching rule, [`Pallet::match_offer`] (eligible, unpaused, model served, live, price within
//! the limit, image within the size limit, a free slot), decides claims (`check_can_take`) and
//! the feasibility answer (`feasibility`: how many providers pass each of those stages, and why
//! none could take a job).

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;
pub use rotation::Preference;
pub use types::*;
pub use weights::WeightInfo;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
pub mod liveness;
#[cfg(test)]
mod mock;
mod registry;
pub mod rotation;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;

use aitbc_primitives::{ModelId, WorkerKey};
use frame_support::{pallet_prelude::*, BoundedVec};
use sp_runtime::DispatchResult;

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
		BlockNumberFor<T>,
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
		/// Blocks a provider counts as live after its last sign of life (a heartbeat, claim,
		/// receipt or offer change).
		#[pallet::constant]
		type LivenessWindow: Get<BlockNumberFor<Self>>;
		/// Fewest blocks between two feeless heartbeats of one provider: a worker that
		/// reconnects again and again cannot flood the chain with them.
		#[pallet::constant]
		type MinHeartbeatInterval: Get<BlockNumberFor<Self>>;
		/// Most feeless heartbeats in one block.
		#[pallet::constant]
		type MaxHeartbeatsPerBlock: Get<u32>;
		/// Most providers serving one model (the length of its rotation).
		#[pallet::constant]
		type MaxProvidersPerModel: Get<u32>;
		/// Most providers one pick asks (bounds the work of assigning one job).
		#[pallet::constant]
		type MaxProbesPerPick: Get<u32>;
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

	/// The block the last heartbeats were counted in, and how many it has had (bounded by
	/// `MaxHeartbeatsPerBlock`). One value, not a per-block map: nothing to clean up.
	#[pallet::storage]
	pub type HeartbeatsInBlock<T: Config> = StorageValue<_, (BlockNumberFor<T>, u32), ValueQuery>;

	/// Per model, the providers whose offer serves it, in the order the hub asks them.
	#[pallet::storage]
	pub type Rotation<T: Config> = StorageMap<
		_,
		Twox64Concat,
		ModelId,
		BoundedVec<T::AccountId, T::MaxProvidersPerModel>,
		ValueQuery,
	>;

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
		/// A job reserved for the provider passed its acceptance window unclaimed, one of its
		/// jobs expired, or a quorum of validators' probes found its endpoint down: it counts
		/// as offline until its next sign of life (a heartbeat, claim or offer change).
		MarkedOffline { provider: T::AccountId },
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
		/// The provider has shown no sign of life within the liveness window.
		ProviderOffline,
		/// An offer's `max_pixels` must be at least 64 × 64.
		InvalidMaxPixels,
		/// The job's image is larger than the provider's `max_pixels`.
		ImageTooLarge,
		/// The provider's last sign of life is more recent than `MinHeartbeatInterval` blocks:
		/// it is live already.
		HeartbeatTooSoon,
		/// This block has had `MaxHeartbeatsPerBlock` heartbeats; send it in a later block.
		TooManyHeartbeats,
		/// `MaxProvidersPerModel` providers serve the model already.
		RotationFull,
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
			Self::join_rotations(&provider, &[], &terms.models)?;

			for key in terms.worker_keys.iter() {
				WorkerKeyOwner::<T>::insert(key, &provider);
			}
			let price_per_unit = terms.price_per_unit;
			let last_seen = frame_system::Pallet::<T>::block_number();
			let offer = Offer {
				terms,
				paused: false,
				in_flight: 0,
				last_seen,
				offline: false,
				last_model: None,
			};
			Offers::<T>::insert(&provider, offer);
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
			Self::join_rotations(&provider, &offer.terms.models, &terms.models)?;
			Self::leave_rotations(&provider, &offer.terms.models, &terms.models);

			for key in offer.terms.worker_keys.iter() {
				WorkerKeyOwner::<T>::remove(key);
			}
			for key in terms.worker_keys.iter() {
				WorkerKeyOwner::<T>::insert(key, &provider);
			}
			let price_per_unit = terms.price_per_unit;
			offer.terms = terms;
			Self::seen(&mut offer);
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
			Self::leave_rotations(&provider, &offer.terms.models, &[]);
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

		/// Tells the chain the caller's workers are up, so that it counts as live (and the
		/// feasibility answer counts it) while it has no job to claim or receipt. Feeless once
		/// per `MinHeartbeatInterval` blocks for an eligible provider with an offer, within
		/// `MaxHeartbeatsPerBlock` per block; otherwise it fails and the sender pays the fee.
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::heartbeat())]
		#[pallet::feeless_if(|origin: &OriginFor<T>| -> bool {
			ensure_signed(origin.clone()).is_ok_and(|who| Pallet::<T>::check_heartbeat(&who).is_ok())
		})]
		pub fn heartbeat(origin: OriginFor<T>) -> DispatchResult {
			let provider = ensure_signed(origin)?;
			let mut offer = Self::check_heartbeat(&provider)?;
			let now = frame_system::Pallet::<T>::block_number();
			let (block, count) = HeartbeatsInBlock::<T>::get();
			let count = if block == now { count.saturating_add(1) } else { 1 };
			HeartbeatsInBlock::<T>::put((now, count));
			Self::seen(&mut offer);
			Offers::<T>::insert(&provider, offer);
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
			ensure!(
				terms.max_pixels
					>= aitbc_primitives::MIN_IMAGE_SIDE
						.saturating_mul(aitbc_primitives::MIN_IMAGE_SIDE),
				Error::<T>::InvalidMaxPixels
			);
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
						Self::seen(offer);
						Ok(())
					},
				}
			})
		}

		/// Whether `provider` may take jobs at all: approved while no stake is required, bonded
		/// at least the minimum once it is.
		pub fn check_eligible(provider: &T::AccountId) -> Result<(), Error<T>> {
			if T::Stake::stake_required() {
				ensure!(T::Stake::has_min_stake(provider), Error::<T>::InsufficientStake);
			} else {
				ensure!(Approved::<T>::contains_key(provider), Error::<T>::NotApproved);
			}
			Ok(())
		}

		/// Invariants: worker keys and offers point at each other; offers serve registered
		/// models; no offer has more jobs in flight than its capacity or a sign of life after
		/// the current block; each model's rotation lists exactly the offers serving it, once.
		/// Also run by the tests of pallets that build on this one.
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			let mut listed_keys = 0usize;
			let now = frame_system::Pallet::<T>::block_number();
			for (provider, offer) in Offers::<T>::iter() {
				ensure!(
					offer.in_flight <= offer.terms.capacity,
					"more jobs in flight than capacity"
				);
				ensure!(offer.last_seen <= now, "a provider's last sign of life is in the future");
				for model_id in offer.terms.models.iter() {
					ensure!(Models::<T>::contains_key(model_id), "offer serves an unknown model");
					ensure!(
						Rotation::<T>::get(model_id).contains(&provider),
						"an offer missing from the rotation of a model it serves"
					);
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
			Self::check_rotations()?;
			ensure!(
				Models::<T>::iter_keys().all(|id| id < ModelCount::<T>::get()),
				"model id at or above the model count"
			);
			Ok(())
		}
	}
}
