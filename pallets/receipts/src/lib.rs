//! # AITBC receipts pallet
//!
//! Verifies signed compute receipts and mints AIT for them: **the only source of issuance**.
//!
//! ## Overview
//! [`Pallet::submit_receipt`] takes a [`Receipt`] signed by one of the provider's registered
//! worker keys over `b"aitbc/receipt/v1" ++ blake2_256(SCALE(receipt))` and checks, each with its
//! own error:
//! - the receipt hash was never used before ([`Error::ReceiptReplayed`]);
//! - the caller is the receipt's provider, and the job is assigned to it and not yet receipted;
//! - the worker key is registered to that provider, and the signature is valid;
//! - units equal the job's on-chain cost; model, client, prompt and parameter hashes match the
//!   job; the genesis hash is this chain's;
//! - when the runtime requires it, a co-signature by a governance-managed attester.
//!
//! [`Pallet::submit_receipts`] takes a batch of the caller's receipts ([`SignedReceipt`]) and
//! accepts all of them or none; the per-transaction costs are shared, so a provider with many
//! jobs in flight receipts more of them per block.
//!
//! ## Two ways to submit
//! - **Signed** by the provider's account: feeless when every check passes. The transaction
//!   extension runs the checks to decide that, then dispatch runs them again, and a receipt that
//!   fails is charged a fee and fails with its named [`Error`].
//! - **Authorized** ([`Pallet::submit_receipts_authorized`]): a general transaction with no
//!   account signature. The worker signatures are the authorization: `#[pallet::authorize]`
//!   runs every check once, when the pool validates the transaction and again as the block
//!   applies it, and dispatch (origin `Authorized`) only records the receipts. A batch that fails a check is an invalid
//!   transaction, `InvalidTransaction::Custom(i)` where `i` is the index of the [`Error`]
//!   variant, so it never enters a block and nobody pays. The pool deduplicates by job: each
//!   receipt provides the tag `(b"aitbc/receipt", job_id)`. This is the cheaper way, and the one
//!   `aitbc-worker` uses.
//!
//! An accepted receipt waits `ChallengeWindow` blocks, then `on_initialize` finalizes it: the
//! provider is minted `units × min(price_per_unit, MaxPricePerUnit)` (units in thousandths), the
//! client's escrowed payment is paid to it, its reputation updates. Valid receipts are feeless
//! for the assigned provider.
//!
//! Receipts are scheduled for finalization by block and provider ([`FinalizeAt`]), so a block
//! settles each provider once: one mint and one payout of all its receipts' payments, however
//! many receipts and clients. What finalizing costs per receipt is then the job's own record;
//! the per-provider part is paid once. A block finalizes at most `MaxReceiptsPerBlock`
//! receipts of at most `MaxProvidersPerBlock` providers ([`FinalizeLoad`]).
//!
//! Receipts are stored by provider and receipt hash ([`Receipts`]): a hash already there is a
//! replay, a provider's receipts are one prefix, and [`Pallet::receipt_of`] finds a job's receipt
//! through the provider and hash its state records (as it records what was minted).
//!
//! ## Terminology
//! - *Challenge window*: blocks between acceptance and minting, for spot-checks.
//! - *Attester*: a key governance trusts to co-sign receipts (the hub/oracle of the design).

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use audits::{AuditHolds, AuditSubject, AuditedReceipts};
pub use pallet::*;
pub use weights::WeightInfo;

mod audits;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
mod settlement;
#[cfg(test)]
mod tests;
pub mod weights;

use aitbc_primitives::{Hash32, JobId, Receipt, WorkerKey, MILLI_UNITS_PER_UNIT};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{
	pallet_prelude::*,
	traits::fungible::{Inspect, Mutate},
	CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use frame_system::pallet_prelude::BlockNumberFor;
use pallet_aitbc_jobs::JobLedger;
use pallet_aitbc_marketplace::ProviderRegistry;
use scale_info::TypeInfo;
use sp_runtime::{
	traits::{CheckedAdd, CheckedMul, Saturating, Zero},
	DispatchResult, TokenError,
};

/// A signature by a worker or attester key (the scheme follows the key).
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub struct KeySignature(pub [u8; 64]);

/// An attester's co-signature of a receipt.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub struct Attestation {
	/// The attester's key.
	pub attester: WorkerKey,
	/// Its signature over the receipt's signing message.
	pub signature: KeySignature,
}

/// `true` when `signature` by `key` over `message` is valid.
pub fn verify_key_signature(key: &WorkerKey, signature: &KeySignature, message: &[u8]) -> bool {
	match key {
		WorkerKey::Sr25519(public) => sp_io::crypto::sr25519_verify(
			&sp_core::sr25519::Signature::from_raw(signature.0),
			message,
			&sp_core::sr25519::Public::from_raw(*public),
		),
		WorkerKey::Ed25519(public) => sp_io::crypto::ed25519_verify(
			&sp_core::ed25519::Signature::from_raw(signature.0),
			message,
			&sp_core::ed25519::Public::from_raw(*public),
		),
	}
}

/// A receipt with its worker signature and attester co-signatures: one entry of a
/// [`Pallet::submit_receipts`] batch.
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
#[scale_info(skip_type_params(MaxAttesters))]
pub struct SignedReceipt<AccountId, MaxAttesters: Get<u32>>
where
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
{
	/// The receipt as signed.
	pub receipt: Receipt<AccountId>,
	/// The worker key's signature over the receipt's signing message.
	pub signature: KeySignature,
	/// Attester co-signatures over the same message.
	pub attestations: BoundedVec<Attestation, MaxAttesters>,
}

/// What every receipt of one submission is checked against, read from storage once.
struct CheckContext<T: Config> {
	genesis: T::Hash,
	attestation_required: bool,
	attesters: BoundedVec<WorkerKey, T::MaxAttesters>,
}

impl<T: Config> CheckContext<T> {
	fn load() -> Self {
		Self {
			genesis: frame_system::Pallet::<T>::block_hash(
				frame_system::pallet_prelude::BlockNumberFor::<T>::zero(),
			),
			attestation_required: AttestationRequired::<T>::get(),
			attesters: Attesters::<T>::get(),
		}
	}
}

/// A receipt as stored (under its provider and hash), with when it was accepted and when it
/// mints. What it minted is in its job's `Finalized` state.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct StoredReceipt<AccountId, BlockNumber> {
	/// The receipt as signed.
	pub receipt: Receipt<AccountId>,
	/// Block it was accepted in.
	pub accepted_at: BlockNumber,
	/// Block its challenge window closes (and it is minted).
	pub final_at: BlockNumber,
}

/// What one block finalizes: the bound on its `on_initialize`.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct FinalizationLoad {
	/// Receipts.
	pub receipts: u32,
	/// Distinct providers among them.
	pub providers: u32,
}

/// Burns an imbalance (a fee, dust) and records it in [`TotalBurned`], so that the issuance
/// ledger `total issuance = minted − burned − slashed` can be checked.
pub struct BurnAndRecord<T>(core::marker::PhantomData<T>);

impl<T: Config>
	frame_support::traits::OnUnbalanced<
		frame_support::traits::fungible::Credit<T::AccountId, T::Currency>,
	> for BurnAndRecord<T>
{
	fn on_nonzero_unbalanced(
		amount: frame_support::traits::fungible::Credit<T::AccountId, T::Currency>,
	) {
		use frame_support::traits::Imbalance;
		TotalBurned::<T>::mutate(|total| *total = total.saturating_add(amount.peek()));
		// Dropping the credit burns it: total issuance goes down by the same amount.
		drop(amount);
	}
}

/// What the benchmarks need from the jobs and marketplace pallets.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// A job assigned to `provider`, which has `worker_key` registered; returns its id.
	fn assigned_job(provider: &AccountId, worker_key: WorkerKey) -> JobId;
}

/// Balance type of the pallet's currency.
pub type BalanceOf<T> =
	<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_system::{ensure_authorized, pallet_prelude::*};
	use sp_runtime::ModuleError;

	/// A stored receipt with this runtime's types.
	pub type StoredReceiptOf<T> =
		StoredReceipt<<T as frame_system::Config>::AccountId, BlockNumberFor<T>>;
	/// A batch entry with this runtime's types.
	pub type SignedReceiptOf<T> =
		SignedReceipt<<T as frame_system::Config>::AccountId, <T as Config>::MaxAttesters>;

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The AIT currency, minted into (and burned from, by [`BurnAndRecord`]).
		type Currency: Mutate<Self::AccountId>
			+ frame_support::traits::fungible::Balanced<Self::AccountId>;
		/// The jobs pallet.
		type Jobs: JobLedger<Self::AccountId, BalanceOf<Self>>;
		/// The marketplace (worker key ownership).
		type Providers: ProviderRegistry<Self::AccountId, BalanceOf<Self>>;
		/// Sets the price cap and the attester set.
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// Blocks between accepting a receipt and minting for it.
		#[pallet::constant]
		type ChallengeWindow: Get<BlockNumberFor<Self>>;
		/// Most receipts finalized in one block, and so most accepted per block. Finalizing
		/// runs in the block's mandatory `on_initialize`, so a full slot (with
		/// `MaxProvidersPerBlock` providers) must fit in two thirds of a block (checked by
		/// `integrity_test`).
		#[pallet::constant]
		type MaxReceiptsPerBlock: Get<u32>;
		/// Most providers whose receipts are finalized in one block.
		#[pallet::constant]
		type MaxProvidersPerBlock: Get<u32>;
		/// Most attesters.
		#[pallet::constant]
		type MaxAttesters: Get<u32>;
		/// Most receipts in one [`Pallet::submit_receipts`] batch.
		#[pallet::constant]
		type MaxReceiptBatch: Get<u32>;
		/// Price cap per unit until governance sets one.
		#[pallet::constant]
		type DefaultMaxPricePerUnit: Get<BalanceOf<Self>>;
		/// All AIT burned outside this pallet (the staking pallet's slashes, forfeited
		/// challenge bonds), for the issuance ledger checked in `try_state`.
		type BurnedElsewhere: Get<BalanceOf<Self>>;
		/// All AIT minted outside this pallet (auditors paid for re-running jobs), for the
		/// issuance ledger checked in `try_state`.
		type MintedElsewhere: Get<BalanceOf<Self>>;
		/// The audits pallet, which holds some receipts back from finalization.
		type Audits: AuditHolds;
		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
		/// Creates assigned jobs for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	/// Every receipt ever accepted, by provider and receipt hash. One map serves every query:
	/// a hash already present is a replay (the hash covers the provider, so a hash can only
	/// ever be under one provider); a provider's receipts are its prefix; a job's receipt is
	/// found through the provider and hash its state records ([`Pallet::receipt_of`]). So a
	/// receipt costs one write here besides its job's.
	#[pallet::storage]
	pub type Receipts<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Identity, Hash32, StoredReceiptOf<T>>;

	/// The jobs whose receipts' challenge window closes at a block, by provider: the block
	/// settles each provider once.
	#[pallet::storage]
	pub type FinalizeAt<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		BlockNumberFor<T>,
		Blake2_128Concat,
		T::AccountId,
		BoundedVec<JobId, T::MaxReceiptsPerBlock>,
		ValueQuery,
	>;

	/// How many receipts, of how many providers, a block finalizes (bounds its
	/// `on_initialize`).
	#[pallet::storage]
	pub type FinalizeLoad<T: Config> =
		StorageMap<_, Twox64Concat, BlockNumberFor<T>, FinalizationLoad, ValueQuery>;

	/// Governance cap on the price per unit used for minting.
	#[pallet::storage]
	pub type MaxPricePerUnit<T: Config> =
		StorageValue<_, BalanceOf<T>, ValueQuery, T::DefaultMaxPricePerUnit>;

	/// Attester keys that may co-sign receipts.
	#[pallet::storage]
	pub type Attesters<T: Config> =
		StorageValue<_, BoundedVec<WorkerKey, T::MaxAttesters>, ValueQuery>;

	/// Whether every receipt needs an attester's co-signature.
	#[pallet::storage]
	pub type AttestationRequired<T: Config> = StorageValue<_, bool, ValueQuery>;

	/// All AIT ever minted for receipts.
	#[pallet::storage]
	pub type TotalMinted<T: Config> = StorageValue<_, BalanceOf<T>, ValueQuery>;

	/// All AIT burned through [`BurnAndRecord`] (transaction fees, dust).
	#[pallet::storage]
	pub type TotalBurned<T: Config> = StorageValue<_, BalanceOf<T>, ValueQuery>;

	/// Total issuance when the chain started (zero on every AITBC chain; test runtimes endow).
	#[pallet::storage]
	pub type GenesisIssuance<T: Config> = StorageValue<_, BalanceOf<T>, ValueQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		#[serde(skip)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			// Balances builds first (lower pallet index), so this is the endowed total.
			GenesisIssuance::<T>::put(T::Currency::total_issuance());
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A receipt passed every check and entered its challenge window.
		ReceiptAccepted {
			job_id: JobId,
			provider: T::AccountId,
			receipt_hash: Hash32,
			final_at: BlockNumberFor<T>,
		},
		/// Finalizing a receipt failed; nothing was minted for it.
		FinalizationFailed { job_id: JobId, error: DispatchError },
		/// Governance set the price cap.
		MaxPricePerUnitSet { price: BalanceOf<T> },
		/// Governance changed the attester set or requirement.
		AttestersSet { count: u32, required: bool },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// This receipt (same hash) was accepted before.
		ReceiptReplayed,
		/// Only the receipt's provider may submit it.
		NotReceiptProvider,
		/// The job is not assigned (unknown, pending, already receipted or ended).
		JobNotAssigned,
		/// The job is assigned to another provider.
		NotAssignedProvider,
		/// The worker key is not registered to the provider.
		UnregisteredWorkerKey,
		/// The signature does not verify.
		InvalidSignature,
		/// The units differ from the job's on-chain cost.
		WrongUnits,
		/// The model differs from the job's.
		WrongModel,
		/// The client differs from the job's.
		WrongClient,
		/// The prompt hash differs from the job's.
		WrongPromptHash,
		/// The parameters hash differs from the job's.
		WrongParamsHash,
		/// The receipt is for another chain.
		WrongGenesis,
		/// Finished before it started.
		InvalidTimes,
		/// An attester co-signature is required.
		AttestationMissing,
		/// An attestation is by an unknown attester or does not verify.
		InvalidAttestation,
		/// Too many receipts, or receipts of too many providers, become final in the same
		/// block; retry next block.
		FinalizationBlockFull,
		/// The mint amount overflows.
		MintOverflow,
		/// A batch of receipts must hold at least one.
		EmptyBatch,
		/// A batch holds two receipts for the same job.
		DuplicateJobInBatch,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			let load = FinalizeLoad::<T>::take(now);
			if load.receipts == 0 {
				// Nothing is due: the one read above. (The benchmark starts at hundreds of
				// receipts; its fit's intercept is no measure of an idle block.)
				return T::DbWeight::get().reads(1);
			}
			// `drain_prefix` removes each provider's entry as it is read.
			for (provider, jobs) in FinalizeAt::<T>::drain_prefix(now) {
				Self::settle(provider, jobs);
			}
			T::WeightInfo::on_initialize(load.receipts, load.providers)
		}

		fn integrity_test() {
			let full_slot = T::WeightInfo::on_initialize(
				T::MaxReceiptsPerBlock::get(),
				T::MaxProvidersPerBlock::get(),
			);
			let max_block = <T as frame_system::Config>::BlockWeights::get().max_block;
			assert!(
				full_slot.ref_time().saturating_mul(3) <= max_block.ref_time().saturating_mul(2),
				"finalizing MaxReceiptsPerBlock receipts of MaxProvidersPerBlock providers ({} ps) \
				 takes more than two thirds of a block ({} ps): lower them",
				full_slot.ref_time(),
				max_block.ref_time()
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Submits the signed receipt of an assigned job; feeless when it passes every check.
		///
		/// The weight counts the checks twice: the transaction extension runs them to decide
		/// whether the call is feeless, then dispatch runs them again.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::submit_receipt(attestations.len() as u32)
			.saturating_add(Pallet::<T>::feeless_check_weight(1, attestations.len() as u32)))]
		#[pallet::feeless_if(|origin: &OriginFor<T>, receipt: &Receipt<T::AccountId>, signature: &KeySignature,
			attestations: &BoundedVec<Attestation, T::MaxAttesters>| -> bool {
			ensure_signed(origin.clone())
				.is_ok_and(|who| Pallet::<T>::check_receipt(&who, receipt, signature, attestations).is_ok())
		})]
		pub fn submit_receipt(
			origin: OriginFor<T>,
			receipt: Receipt<T::AccountId>,
			signature: KeySignature,
			attestations: BoundedVec<Attestation, T::MaxAttesters>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let receipt_hash = Self::check_receipt(&who, &receipt, &signature, &attestations)?;
			Self::accept_all(who, [(receipt, receipt_hash)])
		}

		/// Submits the signed receipts of several assigned jobs of the caller at once, all or
		/// nothing: the call fails with the first failing receipt's error and stores none.
		/// Feeless when every receipt passes every check. A batch shares the per-transaction
		/// costs (signature of the transaction, chain and attester lookups, the finalization
		/// slot), which is what lets a busy provider receipt more jobs per block.
		#[pallet::call_index(3)]
		#[pallet::weight({
			let count = receipts.len() as u32;
			let attestations = Pallet::<T>::attestation_count(receipts);
			T::WeightInfo::submit_receipts(count)
				.saturating_add(Pallet::<T>::attestations_weight(attestations))
				.saturating_add(Pallet::<T>::feeless_check_weight(count, attestations))
		})]
		#[pallet::feeless_if(|origin: &OriginFor<T>,
			receipts: &BoundedVec<SignedReceiptOf<T>, T::MaxReceiptBatch>| -> bool {
			ensure_signed(origin.clone())
				.is_ok_and(|who| Pallet::<T>::check_receipts(&who, receipts).is_ok())
		})]
		pub fn submit_receipts(
			origin: OriginFor<T>,
			receipts: BoundedVec<SignedReceiptOf<T>, T::MaxReceiptBatch>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			// Every check before any write: the receipts of a batch do not interfere.
			let hashes = Self::check_receipts(&who, &receipts)?;
			Self::accept_all(who, receipts.into_iter().map(|signed| signed.receipt).zip(hashes))
		}

		/// Submits the receipts of one provider as an authorized general transaction: no
		/// account signs it and nobody pays; the worker signatures are the authorization.
		/// [`Pallet::authorize_receipts`] runs every check of [`Pallet::submit_receipts`] once
		/// (when the pool validates the transaction, and again as the block applies it, right
		/// before dispatch), so dispatch only records the receipts, all or nothing.
		#[pallet::call_index(4)]
		#[pallet::weight((T::WeightInfo::submit_receipts_authorized(receipts.len() as u32), Pays::No))]
		#[pallet::authorize(Pallet::<T>::authorize_receipts)]
		#[pallet::weight_of_authorize(T::WeightInfo::authorize_receipts(receipts.len() as u32)
			.saturating_add(Pallet::<T>::attestations_weight(Pallet::<T>::attestation_count(receipts))))]
		pub fn submit_receipts_authorized(
			origin: OriginFor<T>,
			receipts: BoundedVec<SignedReceiptOf<T>, T::MaxReceiptBatch>,
		) -> DispatchResult {
			ensure_authorized(origin)?;
			let provider = receipts
				.first()
				.map(|signed| signed.receipt.provider.clone())
				.ok_or(Error::<T>::EmptyBatch)?;
			Self::accept_all(
				provider,
				receipts.into_iter().map(|signed| {
					let hash = signed.receipt.hash();
					(signed.receipt, hash)
				}),
			)
		}

		/// Sets the cap on the price per unit used for minting (governance).
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::set_max_price_per_unit())]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _price: &BalanceOf<T>| -> bool {
			T::GovernanceOrigin::try_origin(origin.clone()).is_ok()
		})]
		pub fn set_max_price_per_unit(origin: OriginFor<T>, price: BalanceOf<T>) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			MaxPricePerUnit::<T>::put(price);
			Self::deposit_event(Event::MaxPricePerUnitSet { price });
			Ok(())
		}

		/// Replaces the attester set and whether co-signatures are required (governance).
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::set_attesters(attesters.len() as u32))]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _attesters: &BoundedVec<WorkerKey, T::MaxAttesters>, _required: &bool| -> bool {
			T::GovernanceOrigin::try_origin(origin.clone()).is_ok()
		})]
		pub fn set_attesters(
			origin: OriginFor<T>,
			attesters: BoundedVec<WorkerKey, T::MaxAttesters>,
			required: bool,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			ensure!(!required || !attesters.is_empty(), Error::<T>::AttestationMissing);
			let count = attesters.len() as u32;
			Attesters::<T>::put(attesters);
			AttestationRequired::<T>::put(required);
			Self::deposit_event(Event::AttestersSet { count, required });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// Every check of a receipt submitted by `who`, without changing state. Returns the
		/// receipt hash.
		pub fn check_receipt(
			who: &T::AccountId,
			receipt: &Receipt<T::AccountId>,
			signature: &KeySignature,
			attestations: &BoundedVec<Attestation, T::MaxAttesters>,
		) -> Result<Hash32, DispatchError> {
			Self::check_with(&CheckContext::load(), who, receipt, signature, attestations)
		}

		/// Authorizes a `submit_receipts_authorized` transaction: the batch's provider is its
		/// first receipt's, and every receipt passes [`Self::check_receipts`] for it (so all
		/// have that provider, and each is signed by one of its registered worker keys). A
		/// failing check makes the transaction invalid with the index of its [`Error`] variant.
		pub fn authorize_receipts(
			_source: TransactionSource,
			receipts: &BoundedVec<SignedReceiptOf<T>, T::MaxReceiptBatch>,
		) -> TransactionValidityWithRefund {
			let provider = &receipts
				.first()
				.ok_or_else(|| Self::rejection(Error::<T>::EmptyBatch.into()))?
				.receipt
				.provider;
			Self::check_receipts(provider, receipts).map_err(Self::rejection)?;
			let validity = receipts
				.iter()
				.fold(ValidTransaction::with_tag_prefix("aitbc/receipt"), |validity, signed| {
					validity.and_provides(signed.receipt.job_id)
				})
				.into();
			Ok((validity, Weight::zero()))
		}

		/// The invalid-transaction form of a check's error: this pallet's errors become
		/// `Custom(variant index)`, anything else a bad call.
		fn rejection(error: DispatchError) -> TransactionValidityError {
			match error {
				DispatchError::Module(ModuleError { index, error, .. })
					if usize::from(index) == <Pallet<T> as PalletInfoAccess>::index() =>
				{
					InvalidTransaction::Custom(error[0]).into()
				},
				_ => InvalidTransaction::Call.into(),
			}
		}

		/// Every check of a batch submitted by `who`, without changing state: the batch is not
		/// empty, names each job once, and every receipt passes [`Self::check_receipt`].
		/// Returns the receipt hashes in batch order.
		pub fn check_receipts(
			who: &T::AccountId,
			receipts: &[SignedReceiptOf<T>],
		) -> Result<alloc::vec::Vec<Hash32>, DispatchError> {
			ensure!(!receipts.is_empty(), Error::<T>::EmptyBatch);
			let mut job_ids: alloc::vec::Vec<JobId> =
				receipts.iter().map(|signed| signed.receipt.job_id).collect();
			job_ids.sort_unstable();
			ensure!(
				job_ids.windows(2).all(|pair| pair[0] != pair[1]),
				Error::<T>::DuplicateJobInBatch
			);
			let context = CheckContext::load();
			receipts
				.iter()
				.map(|signed| {
					Self::check_with(
						&context,
						who,
						&signed.receipt,
						&signed.signature,
						&signed.attestations,
					)
				})
				.collect()
		}

		fn check_with(
			context: &CheckContext<T>,
			who: &T::AccountId,
			receipt: &Receipt<T::AccountId>,
			signature: &KeySignature,
			attestations: &BoundedVec<Attestation, T::MaxAttesters>,
		) -> Result<Hash32, DispatchError> {
			let receipt_hash = receipt.hash();
			ensure!(
				!Receipts::<T>::contains_key(&receipt.provider, receipt_hash),
				Error::<T>::ReceiptReplayed
			);
			ensure!(&receipt.provider == who, Error::<T>::NotReceiptProvider);
			let job = T::Jobs::assigned(receipt.job_id).ok_or(Error::<T>::JobNotAssigned)?;
			ensure!(job.provider == receipt.provider, Error::<T>::NotAssignedProvider);
			ensure!(
				T::Providers::worker_key_owner(&receipt.worker_key).as_ref()
					== Some(&receipt.provider),
				Error::<T>::UnregisteredWorkerKey
			);
			let message = aitbc_primitives::receipt_signing_message(&receipt_hash);
			ensure!(
				verify_key_signature(&receipt.worker_key, signature, &message),
				Error::<T>::InvalidSignature
			);
			ensure!(receipt.units == job.units, Error::<T>::WrongUnits);
			ensure!(receipt.model_id == job.model_id, Error::<T>::WrongModel);
			ensure!(receipt.client == job.client, Error::<T>::WrongClient);
			ensure!(receipt.prompt_hash == job.prompt_hash, Error::<T>::WrongPromptHash);
			ensure!(receipt.params_hash == job.params_hash, Error::<T>::WrongParamsHash);
			ensure!(
				context.genesis.as_ref() == receipt.genesis_hash.as_slice(),
				Error::<T>::WrongGenesis
			);
			ensure!(receipt.finished_at >= receipt.started_at, Error::<T>::InvalidTimes);
			if context.attestation_required {
				ensure!(!attestations.is_empty(), Error::<T>::AttestationMissing);
			}
			for attestation in attestations.iter() {
				ensure!(
					context.attesters.contains(&attestation.attester)
						&& verify_key_signature(
							&attestation.attester,
							&attestation.signature,
							&message
						),
					Error::<T>::InvalidAttestation
				);
			}
			Ok(receipt_hash)
		}

		/// Records checked receipts of `provider` and schedules them for finalization after
		/// the challenge window (all or nothing: the dispatch is transactional).
		pub(crate) fn accept_all(
			provider: T::AccountId,
			receipts: impl IntoIterator<Item = (Receipt<T::AccountId>, Hash32)>,
		) -> DispatchResult {
			let now = frame_system::Pallet::<T>::block_number();
			let final_at = now.saturating_add(T::ChallengeWindow::get());
			let mut load = FinalizeLoad::<T>::get(final_at);
			let mut due = FinalizeAt::<T>::get(final_at, &provider);
			if due.is_empty() {
				load.providers = load.providers.saturating_add(1);
				ensure!(
					load.providers <= T::MaxProvidersPerBlock::get(),
					Error::<T>::FinalizationBlockFull
				);
			}
			for (receipt, receipt_hash) in receipts {
				let job_id = receipt.job_id;
				load.receipts = load.receipts.saturating_add(1);
				ensure!(
					load.receipts <= T::MaxReceiptsPerBlock::get(),
					Error::<T>::FinalizationBlockFull
				);
				due.try_push(job_id).map_err(|_| Error::<T>::FinalizationBlockFull)?;
				T::Jobs::mark_receipted(job_id, receipt_hash, receipt.gpu_ms)?;
				Receipts::<T>::insert(
					&provider,
					receipt_hash,
					StoredReceipt { receipt, accepted_at: now, final_at },
				);
				Self::deposit_event(Event::ReceiptAccepted {
					job_id,
					provider: provider.clone(),
					receipt_hash,
					final_at,
				});
			}
			FinalizeAt::<T>::insert(final_at, &provider, due);
			FinalizeLoad::<T>::insert(final_at, load);
			Ok(())
		}

		/// All attestations of a batch.
		fn attestation_count(receipts: &[SignedReceiptOf<T>]) -> u32 {
			receipts
				.iter()
				.fold(0u32, |total, signed| total.saturating_add(signed.attestations.len() as u32))
		}

		/// What verifying `count` attestations adds to a submission (measured by the
		/// `submit_receipt` benchmark's attestation component).
		fn attestations_weight(count: u32) -> Weight {
			T::WeightInfo::submit_receipt(count).saturating_sub(T::WeightInfo::submit_receipt(0))
		}

		/// The feeless check the transaction extension runs before dispatch: `receipts`
		/// receipts with `attestations` attestations in all.
		fn feeless_check_weight(receipts: u32, attestations: u32) -> Weight {
			T::WeightInfo::check_receipts(receipts)
				.saturating_add(Self::attestations_weight(attestations))
		}
	}
}
