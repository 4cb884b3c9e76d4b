//! AIT balances and transaction fees (paid to the block's author).

use frame_support::{
	parameter_types,
	traits::{
		fungible::{Balanced, Credit},
		ConstU128, ConstU32, ConstU8, OnUnbalanced, VariantCountOf,
	},
	weights::IdentityFee,
};
use pallet_transaction_payment::{ConstFeeMultiplier, FungibleAdapter, Multiplier};
use sp_runtime::traits::One;

use crate::{
	currency::EXISTENTIAL_DEPOSIT, AccountId, Balance, Balances, Runtime, RuntimeEvent,
	RuntimeFreezeReason, RuntimeHoldReason, System,
};

impl pallet_balances::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeFreezeReason = RuntimeFreezeReason;
	type WeightInfo = pallet_balances::weights::SubstrateWeight<Runtime>;
	/// Balances in plancks of AIT (12 decimals).
	type Balance = Balance;
	/// Dust is burned (and counted): it leaves total issuance.
	type DustRemoval = pallet_aitbc_receipts::BurnAndRecord<Runtime>;
	type ExistentialDeposit = ConstU128<EXISTENTIAL_DEPOSIT>;
	type AccountStore = System;
	type ReserveIdentifier = [u8; 8];
	type FreezeIdentifier = RuntimeFreezeReason;
	type MaxLocks = ConstU32<50>;
	type MaxReserves = ConstU32<50>;
	type MaxFreezes = VariantCountOf<RuntimeFreezeReason>;
	type DoneSlashHandler = ();
}

parameter_types! {
	/// Fees do not float with congestion yet.
	pub FeeMultiplier: Multiplier = Multiplier::one();
}

/// Fees and tips go to the block's author: validators are paid from fees, never from
/// issuance. A fee with no author to take it (a block without an Aura pre-digest) or one the
/// author's account cannot take (below the existential deposit of a new account) is burned and
/// counted, as before.
pub struct FeesToAuthor;
impl OnUnbalanced<Credit<AccountId, Balances>> for FeesToAuthor {
	fn on_nonzero_unbalanced(fees: Credit<AccountId, Balances>) {
		let unpaid = match pallet_authorship::Pallet::<Runtime>::author() {
			Some(author) => match Balances::resolve(&author, fees) {
				Ok(()) => return,
				Err(unpaid) => unpaid,
			},
			None => fees,
		};
		pallet_aitbc_receipts::BurnAndRecord::<Runtime>::on_unbalanced(unpaid);
	}
}

impl pallet_transaction_payment::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	/// Fees are paid in AIT to the block's author ([`FeesToAuthor`]): a transfer, so total
	/// issuance does not change.
	type OnChargeTransaction = FungibleAdapter<Balances, FeesToAuthor>;
	type WeightToFee = IdentityFee<Balance>;
	type LengthToFee = IdentityFee<Balance>;
	type FeeMultiplierUpdate = ConstFeeMultiplier<FeeMultiplier>;
	type OperationalFeeMultiplier = ConstU8<5>;
	type WeightInfo = pallet_transaction_payment::weights::SubstrateWeight<Runtime>;
}

impl pallet_skip_feeless_payment::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
}
