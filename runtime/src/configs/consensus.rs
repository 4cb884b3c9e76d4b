//! Block authoring (Aura), finality (GRANDPA) and time (timestamp).

use frame_support::traits::{ConstBool, ConstU32, ConstU64};
use sp_consensus_aura::sr25519::AuthorityId as AuraId;

use crate::{time::SLOT_DURATION, Aura, Historical, Offences, Runtime, Session};

/// Most authorities a chain spec may list.
pub type MaxAuthorities = ConstU32<32>;

impl pallet_aura::Config for Runtime {
	type AuthorityId = AuraId;
	/// Validators disabled for an offence author no blocks for the rest of the session.
	type DisabledValidators = Session;
	type MaxAuthorities = MaxAuthorities;
	type AllowMultipleBlocksPerSlot = ConstBool<false>;
	type SlotDuration = pallet_aura::MinimumPeriodTimesTwo<Runtime>;
}

impl pallet_grandpa::Config for Runtime {
	type RuntimeEvent = crate::RuntimeEvent;
	type WeightInfo = ();
	type MaxAuthorities = MaxAuthorities;
	type MaxNominators = ConstU32<0>;
	/// Set ids remembered per session, so an equivocation in the last few sessions (while
	/// the offender's bond is still held) can be proven.
	type MaxSetIdSessionEntries = ConstU64<16>;
	/// An equivocation proves against the historical session it happened in.
	type KeyOwnerProof = sp_session::MembershipProof;
	type EquivocationReportSystem = pallet_grandpa::EquivocationReportSystem<
		Self,
		Offences,
		Historical,
		super::validators::ReportLongevity,
	>;
}

impl pallet_timestamp::Config for Runtime {
	/// Milliseconds since the Unix epoch.
	type Moment = u64;
	type OnTimestampSet = Aura;
	type MinimumPeriod = ConstU64<{ SLOT_DURATION / 2 }>;
	type WeightInfo = ();
}
