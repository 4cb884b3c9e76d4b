//! [`CheckClaim`]: the transaction extension that keeps stale claims out of blocks.
//!
//! Providers race for pending jobs. Without this extension the loser's claim is included and
//! fails in dispatch with [`Error::NotPending`], and since a failing claim is not feeless, a
//! provider that holds AIT pays a fee for having been a block late. With it, a claim on a job
//! that is unknown or no longer pending is an *invalid* transaction
//! (`InvalidTransaction::Custom` with an [`aitbc_primitives::StaleClaim`] code): the pool
//! refuses it, a block builder that meets it after the winning claim skips it, and nobody pays.
//! A claim on a job the hub reserved for another provider is refused the same way: the sender
//! could not know of the reservation when it claimed.
//!
//! Only the job's state and reservation are checked here. Whether the provider may take the job at all (approved,
//! offer, price, capacity) is the provider's own business and still costs a fee when it fails.

use super::*;
use core::marker::PhantomData;
use frame_support::{traits::IsSubType, DefaultNoBound};
use sp_runtime::{
	impl_tx_ext_default,
	traits::{AsSystemOriginSigner, DispatchInfoOf, TransactionExtension, ValidateResult},
	transaction_validity::{InvalidTransaction, TransactionSource, ValidTransaction},
};

/// Refuses claims on jobs that are unknown, no longer pending or reserved for another
/// provider, before they enter a block.
#[derive(
	Encode,
	Decode,
	codec::DecodeWithMemTracking,
	DefaultNoBound,
	CloneNoBound,
	EqNoBound,
	PartialEqNoBound,
	TypeInfo,
)]
#[scale_info(skip_type_params(T))]
pub struct CheckClaim<T: Config + Send + Sync>(PhantomData<T>);

impl<T: Config + Send + Sync> CheckClaim<T> {
	/// The extension (it carries no data).
	pub fn new() -> Self {
		Self(PhantomData)
	}
}

impl<T: Config + Send + Sync> core::fmt::Debug for CheckClaim<T> {
	fn fmt(&self, f: &mut core::fmt::Formatter) -> core::fmt::Result {
		write!(f, "CheckClaim")
	}
}

impl<T: Config + Send + Sync> TransactionExtension<T::RuntimeCall> for CheckClaim<T>
where
	T::RuntimeCall: IsSubType<Call<T>>,
	T::RuntimeOrigin: AsSystemOriginSigner<T::AccountId> + Clone,
{
	const IDENTIFIER: &'static str = "CheckClaim";
	type Implicit = ();
	type Val = ();
	type Pre = ();

	fn weight(&self, call: &T::RuntimeCall) -> Weight {
		match call.is_sub_type() {
			Some(Call::claim_job { .. }) => T::WeightInfo::check_claim(),
			_ => Weight::zero(),
		}
	}

	fn validate(
		&self,
		origin: T::RuntimeOrigin,
		call: &T::RuntimeCall,
		_info: &DispatchInfoOf<T::RuntimeCall>,
		_len: usize,
		_self_implicit: Self::Implicit,
		_inherited_implication: &impl Encode,
		_source: TransactionSource,
	) -> ValidateResult<Self::Val, T::RuntimeCall> {
		if let Some(Call::claim_job { job_id }) = call.is_sub_type() {
			// An unsigned claim fails in dispatch (`BadOrigin`) and is not feeless.
			if let Some(provider) = origin.as_system_origin_signer() {
				if let Err(stale) = Pallet::<T>::claimable_job(provider, *job_id) {
					return Err(InvalidTransaction::Custom(stale.code()).into());
				}
			}
		}
		Ok((ValidTransaction::default(), (), origin))
	}

	impl_tx_ext_default!(T::RuntimeCall; prepare);
}
