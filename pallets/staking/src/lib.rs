//! # AITBC provider staking pallet
//!
//! Provider bonds: what a provider puts at stake to take jobs once the chain is permissionless.
//! (This is not FRAME's validator `pallet-staking`.)
//!
//! ## Overview
//! - [`Pallet::bond`] holds AIT from the provider's free balance as its active bond.
//! - [`Pallet::unbond`] moves part of the active bond into an unbonding chunk, still held, that
//!   [`Pallet::withdraw_unbonded`] releases once `UnbondingPeriod` blocks have passed.
//! - [`Pallet::set_min_provider_stake`] (governance): while the minimum is 0, providers need
//!   governance approval (marketplace); once it is raised, bonding it is enough
//!   ([`pallet_aitbc_marketplace::ProviderStake`]).
//! - Slashing ([`Pallet::slash`]) burns a fraction of everything a provider has at stake, active
//!   and unbonding: a small one when it misses a job's deadline ([`OnJobExpired`]), a large one
//!   for a failed spot-check. Burned AIT leaves total issuance and is counted in
//!   [`TotalSlashed`].
//!
//! ## Terminology
//! - *Active bond*: stake that counts towards `MinProviderStake`.
//! - *Unbonding chunk*: stake on its way out, still slashable.

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

use aitbc_primitives::JobId;
use codec::{Decode, Encode, MaxEncodedLen};
use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::{Inspect, InspectHold, Mutate, MutateHold},
		tokens::{Fortitude, Precision, Restriction},
	},
};
use pallet_aitbc_jobs::OnJobExpired;
use pallet_aitbc_marketplace::ProviderStake;
use scale_info::TypeInfo;
use sp_runtime::{
	traits::{Saturating, Zero},
	DispatchResult, Perbill,
};

/// Stake on its way out.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, Copy, PartialEq, Eq, Debug)]
pub struct UnbondingChunk<Balance, BlockNumber> {
	/// Amount still held.
	pub amount: Balance,
	/// First block it can be withdrawn in.
	pub unlock_at: BlockNumber,
}

/// What a slash did with the stake it took.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct SlashOutcome<Balance> {
	/// Burned: left total issuance (counted in [`TotalSlashed`]).
	pub burned: Balance,
	/// Paid to the beneficiaries (a transfer: issuance unchanged).
	pub rewarded: Balance,
}

/// Slashing as other pallets (audits) use it: part of the slash rewards whoever was right.
pub trait StakeSlasher<AccountId, Balance> {
	/// Takes `fraction` of everything `offender` has at stake; `reward_share` of what is taken
	/// goes to `beneficiaries` in equal parts (into their free balance), the rest is burned.
	fn slash_rewarding(
		offender: &AccountId,
		fraction: Perbill,
		beneficiaries: &[AccountId],
		reward_share: Perbill,
	) -> SlashOutcome<Balance>;
	/// The weight of one `slash_rewarding` with `beneficiaries` beneficiaries, at its worst.
	fn slash_weight(beneficiaries: u32) -> Weight;
}

/// Balance type of the pallet's currency.
pub type BalanceOf<T> =
	<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_system::pallet_prelude::*;

	/// An unbonding chunk with this runtime's types.
	pub type ChunkOf<T> = UnbondingChunk<BalanceOf<T>, BlockNumberFor<T>>;

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A provider's bond, active or unbonding.
		ProviderBond,
	}

	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The AIT currency; bonds are held with it and slashes burned.
		type Currency: Inspect<Self::AccountId>
			+ Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;
		/// The runtime's hold reasons.
		type RuntimeHoldReason: From<HoldReason>;
		/// Sets the minimum provider stake.
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// Blocks an unbonding chunk waits before it can be withdrawn.
		#[pallet::constant]
		type UnbondingPeriod: Get<BlockNumberFor<Self>>;
		/// Most unbonding chunks per provider.
		#[pallet::constant]
		type MaxUnbondingChunks: Get<u32>;
		/// Share of its stake a provider loses for a missed deadline.
		#[pallet::constant]
		type ExpirySlash: Get<Perbill>;
		/// Share of its stake a provider loses for a failed spot-check.
		#[pallet::constant]
		type FailedCheckSlash: Get<Perbill>;
		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
	}

	/// Active bond per provider.
	#[pallet::storage]
	pub type Bonded<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, BalanceOf<T>, ValueQuery>;

	/// Unbonding chunks per provider, oldest first.
	#[pallet::storage]
	pub type Unbonding<T: Config> = StorageMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		BoundedVec<ChunkOf<T>, T::MaxUnbondingChunks>,
		ValueQuery,
	>;

	/// Active bond a provider needs to take jobs; 0 means governance approval instead.
	#[pallet::storage]
	pub type MinProviderStake<T: Config> = StorageValue<_, BalanceOf<T>, ValueQuery>;

	/// All AIT ever burned by slashing.
	#[pallet::storage]
	pub type TotalSlashed<T: Config> = StorageValue<_, BalanceOf<T>, ValueQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A provider bonded more.
		Bonded { provider: T::AccountId, amount: BalanceOf<T> },
		/// A provider started unbonding.
		Unbonding { provider: T::AccountId, amount: BalanceOf<T>, unlock_at: BlockNumberFor<T> },
		/// A provider withdrew unbonded stake.
		Withdrawn { provider: T::AccountId, amount: BalanceOf<T> },
		/// Governance set the minimum provider stake.
		MinProviderStakeSet { amount: BalanceOf<T> },
		/// A provider was slashed; the amount was burned.
		Slashed { provider: T::AccountId, amount: BalanceOf<T> },
		/// Part of a provider's slash was paid to someone who proved it wrong.
		SlashRewarded { provider: T::AccountId, beneficiary: T::AccountId, amount: BalanceOf<T> },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// Amounts must be above zero.
		ZeroAmount,
		/// The free balance cannot cover the bond.
		InsufficientBalance,
		/// Unbonding more than the active bond.
		NotEnoughBonded,
		/// Too many unbonding chunks; withdraw first.
		TooManyChunks,
		/// No unbonding chunk has unlocked yet.
		NothingToWithdraw,
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
		/// Holds `amount` of the caller's free balance as active bond.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::bond())]
		pub fn bond(origin: OriginFor<T>, amount: BalanceOf<T>) -> DispatchResult {
			let provider = ensure_signed(origin)?;
			ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
			T::Currency::hold(&HoldReason::ProviderBond.into(), &provider, amount)
				.map_err(|_| Error::<T>::InsufficientBalance)?;
			Bonded::<T>::mutate(&provider, |bonded| *bonded = bonded.saturating_add(amount));
			Self::deposit_event(Event::Bonded { provider, amount });
			Ok(())
		}

		/// Starts unbonding `amount` of the active bond; it stays slashable until withdrawn.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::unbond())]
		pub fn unbond(origin: OriginFor<T>, amount: BalanceOf<T>) -> DispatchResult {
			let provider = ensure_signed(origin)?;
			ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
			let bonded = Bonded::<T>::get(&provider);
			ensure!(amount <= bonded, Error::<T>::NotEnoughBonded);
			let unlock_at =
				frame_system::Pallet::<T>::block_number().saturating_add(T::UnbondingPeriod::get());
			let mut chunks = Unbonding::<T>::get(&provider);
			chunks
				.try_push(UnbondingChunk { amount, unlock_at })
				.map_err(|_| Error::<T>::TooManyChunks)?;

			Unbonding::<T>::insert(&provider, chunks);
			Self::set_bonded(&provider, bonded.saturating_sub(amount));
			Self::deposit_event(Event::Unbonding { provider, amount, unlock_at });
			Ok(())
		}

		/// Releases every unbonding chunk that has unlocked.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::withdraw_unbonded(T::MaxUnbondingChunks::get()))]
		pub fn withdraw_unbonded(origin: OriginFor<T>) -> DispatchResult {
			let provider = ensure_signed(origin)?;
			let now = frame_system::Pallet::<T>::block_number();
			let chunks = Unbonding::<T>::get(&provider);
			let (unlocked, locked): (alloc::vec::Vec<_>, alloc::vec::Vec<_>) =
				chunks.into_iter().partition(|chunk| chunk.unlock_at <= now);
			ensure!(!unlocked.is_empty(), Error::<T>::NothingToWithdraw);
			let amount = Self::total_of(&unlocked);

			T::Currency::release(
				&HoldReason::ProviderBond.into(),
				&provider,
				amount,
				Precision::Exact,
			)?;
			let locked = BoundedVec::truncate_from(locked);
			if locked.is_empty() {
				Unbonding::<T>::remove(&provider);
			} else {
				Unbonding::<T>::insert(&provider, locked);
			}
			Self::deposit_event(Event::Withdrawn { provider, amount });
			Ok(())
		}

		/// Sets the minimum active bond of providers (governance). Raising it above 0 opens
		/// registration to anyone who bonds it.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::set_min_provider_stake())]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _amount: &BalanceOf<T>| -> bool {
			T::GovernanceOrigin::try_origin(origin.clone()).is_ok()
		})]
		pub fn set_min_provider_stake(
			origin: OriginFor<T>,
			amount: BalanceOf<T>,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			MinProviderStake::<T>::put(amount);
			Self::deposit_event(Event::MinProviderStakeSet { amount });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// The sum of some unbonding chunks.
		fn total_of(chunks: &[ChunkOf<T>]) -> BalanceOf<T> {
			chunks.iter().fold(BalanceOf::<T>::zero(), |sum, c| sum.saturating_add(c.amount))
		}

		fn set_bonded(provider: &T::AccountId, amount: BalanceOf<T>) {
			if amount.is_zero() {
				Bonded::<T>::remove(provider);
			} else {
				Bonded::<T>::insert(provider, amount);
			}
		}

		/// Burns `fraction` of everything `provider` has at stake (active first, then the
		/// unbonding chunks, newest first). Returns the amount burned.
		pub fn slash(provider: &T::AccountId, fraction: Perbill) -> BalanceOf<T> {
			Self::slash_to(provider, fraction, &[], Perbill::zero()).burned
		}

		/// Takes `fraction` of everything `provider` has at stake (active first, then the
		/// unbonding chunks, newest first); `reward_share` of it is paid to `beneficiaries` in
		/// equal parts and the rest burned. A part a beneficiary's account cannot take (below
		/// the existential deposit of an account that does not exist) is burned instead.
		pub fn slash_to(
			provider: &T::AccountId,
			fraction: Perbill,
			beneficiaries: &[T::AccountId],
			reward_share: Perbill,
		) -> SlashOutcome<BalanceOf<T>> {
			let bonded = Bonded::<T>::get(provider);
			let mut chunks = Unbonding::<T>::get(provider);
			let at_stake = bonded.saturating_add(Self::total_of(&chunks));
			let mut due = fraction * at_stake;
			let mut outcome = SlashOutcome::default();
			if due.is_zero() {
				return outcome;
			}
			let reason = HoldReason::ProviderBond.into();
			let count: BalanceOf<T> = (beneficiaries.len() as u32).into();
			if !count.is_zero() {
				let part = (reward_share * due) / count;
				for beneficiary in beneficiaries {
					if part.is_zero() || beneficiary == provider {
						continue;
					}
					let paid = T::Currency::transfer_on_hold(
						&reason,
						provider,
						beneficiary,
						part,
						Precision::BestEffort,
						Restriction::Free,
						Fortitude::Force,
					)
					.unwrap_or_else(|_| Zero::zero());
					if !paid.is_zero() {
						outcome.rewarded = outcome.rewarded.saturating_add(paid);
						Self::deposit_event(Event::SlashRewarded {
							provider: provider.clone(),
							beneficiary: beneficiary.clone(),
							amount: paid,
						});
					}
				}
			}
			let burned = T::Currency::burn_held(
				&reason,
				provider,
				due.saturating_sub(outcome.rewarded),
				Precision::BestEffort,
				Fortitude::Force,
			)
			.unwrap_or_else(|_| Zero::zero());
			outcome.burned = burned;
			due = burned.saturating_add(outcome.rewarded);
			let from_active = due.min(bonded);
			Self::set_bonded(provider, bonded.saturating_sub(from_active));
			due = due.saturating_sub(from_active);
			for chunk in chunks.iter_mut().rev() {
				let take = due.min(chunk.amount);
				chunk.amount = chunk.amount.saturating_sub(take);
				due = due.saturating_sub(take);
			}
			chunks.retain(|c| !c.amount.is_zero());
			if chunks.is_empty() {
				Unbonding::<T>::remove(provider);
			} else {
				Unbonding::<T>::insert(provider, chunks);
			}
			TotalSlashed::<T>::mutate(|total| *total = total.saturating_add(burned));
			Self::deposit_event(Event::Slashed { provider: provider.clone(), amount: burned });
			outcome
		}

		/// Slashes `provider` for a failed spot-check.
		pub fn slash_failed_check(provider: &T::AccountId) -> BalanceOf<T> {
			Self::slash(provider, T::FailedCheckSlash::get())
		}

		/// Invariant: what is held for bonds equals active plus unbonding stake, per provider.
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			for (provider, bonded) in Bonded::<T>::iter() {
				ensure!(!bonded.is_zero(), "zero bond stored");
				let unbonding = Self::total_of(&Unbonding::<T>::get(&provider));
				ensure!(
					T::Currency::balance_on_hold(&HoldReason::ProviderBond.into(), &provider)
						== bonded.saturating_add(unbonding),
					"held bond differs from active + unbonding"
				);
			}
			for (provider, chunks) in Unbonding::<T>::iter() {
				ensure!(!chunks.is_empty(), "empty unbonding list stored");
				if !Bonded::<T>::contains_key(&provider) {
					let unbonding = Self::total_of(&chunks);
					ensure!(
						T::Currency::balance_on_hold(&HoldReason::ProviderBond.into(), &provider)
							== unbonding,
						"held bond differs from unbonding"
					);
				}
			}
			Ok(())
		}
	}
}

/// [`TotalSlashed`] as a `Get`, for the issuance ledger of the receipts pallet.
pub struct Slashed<T>(core::marker::PhantomData<T>);

impl<T: Config> Get<BalanceOf<T>> for Slashed<T> {
	fn get() -> BalanceOf<T> {
		TotalSlashed::<T>::get()
	}
}

impl<T: Config> ProviderStake<T::AccountId> for Pallet<T> {
	fn stake_required() -> bool {
		!MinProviderStake::<T>::get().is_zero()
	}

	fn has_min_stake(who: &T::AccountId) -> bool {
		Bonded::<T>::get(who) >= MinProviderStake::<T>::get()
	}
}

impl<T: Config> StakeSlasher<T::AccountId, BalanceOf<T>> for Pallet<T> {
	fn slash_rewarding(
		offender: &T::AccountId,
		fraction: Perbill,
		beneficiaries: &[T::AccountId],
		reward_share: Perbill,
	) -> SlashOutcome<BalanceOf<T>> {
		Self::slash_to(offender, fraction, beneficiaries, reward_share)
	}

	fn slash_weight(beneficiaries: u32) -> Weight {
		// A reward is a transfer out of the hold: about what the burn itself costs, and it
		// touches the beneficiary's account (one read and write).
		T::WeightInfo::slash().saturating_add(
			T::WeightInfo::slash()
				.saturating_add(T::DbWeight::get().reads_writes(1, 1))
				.saturating_mul(beneficiaries.into()),
		)
	}
}

impl<T: Config> OnJobExpired<T::AccountId> for Pallet<T> {
	fn on_job_expired(provider: &T::AccountId, _job_id: JobId) {
		Self::slash(provider, T::ExpirySlash::get());
	}

	fn weight() -> Weight {
		T::WeightInfo::slash()
	}
}
