//! The validator set: sessions (which drive Aura and GRANDPA), block authorship, offences and
//! the hybrid PoA/PoS selection of the validators pallet.

use frame_support::{parameter_types, traits::ConstU32};
use sp_runtime::{traits::ConvertInto, Perbill};

use crate::{
	configs::compute::GovernanceOrigin, currency::AIT, time::MINUTES, Aura, Balance, Balances,
	BlockNumber, Runtime, RuntimeEvent, RuntimeHoldReason, Session, SessionKeys, Validators,
};

parameter_types! {
	/// Sessions start at block 0 (their length is the validators pallet's, fixed at genesis).
	pub const SessionOffset: BlockNumber = 0;
	/// An equivocation costs at least a tenth of the bond.
	pub const MinEquivocationSlash: Perbill = Perbill::from_percent(10);
	/// Equivocation reports stay valid in the pool for a session (of the default length).
	pub const ReportLongevity: u64 = SESSION_BLOCKS as u64;
	/// Candidacy bonds below this are not accepted (genesis value; governance changes it).
	pub const GenesisCandidacyBond: Balance = 100 * AIT;
}

/// Blocks per session unless the chain spec says otherwise: ten minutes, long enough for a
/// set change to settle (a change planned in one session serves in the next).
pub const SESSION_BLOCKS: BlockNumber = 10 * MINUTES;

/// Blocks per session, as the validators pallet's genesis config set it.
pub type SessionPeriod = pallet_aitbc_validators::SessionLengthOf<Runtime>;

impl pallet_session::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type ValidatorId = crate::AccountId;
	type ValidatorIdOf = ConvertInto;
	type ShouldEndSession = pallet_session::PeriodicSessions<SessionPeriod, SessionOffset>;
	type NextSessionRotation = pallet_session::PeriodicSessions<SessionPeriod, SessionOffset>;
	/// The validators pallet plans each set; historical roots let GRANDPA equivocations in
	/// past sessions be proven.
	type SessionManager = pallet_session::historical::NoteHistoricalRoot<Runtime, Validators>;
	type SessionHandler = <SessionKeys as sp_runtime::traits::OpaqueKeys>::KeyTypeIdProviders;
	type Keys = SessionKeys;
	/// Offenders are disabled for the rest of the session, up to a third of the set.
	type DisablingStrategy = pallet_session::disabling::UpToLimitDisablingStrategy;
	type WeightInfo = pallet_session::weights::SubstrateWeight<Runtime>;
	type Currency = Balances;
	/// Setting keys costs no deposit: issuance starts at zero, and a candidate's bond is what
	/// it puts at stake.
	type KeyDeposit = frame_support::traits::ConstU128<0>;
}

impl pallet_session::historical::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type FullIdentification = ();
	type FullIdentificationOf = UnitIdentification;
}

/// Validators are identified by their account alone.
pub struct UnitIdentification;
impl sp_runtime::traits::Convert<crate::AccountId, Option<()>> for UnitIdentification {
	fn convert(_: crate::AccountId) -> Option<()> {
		Some(())
	}
}

impl pallet_authorship::Config for Runtime {
	/// The author is the session validator at Aura's author index.
	type FindAuthor = pallet_session::FindAccountFromAuthorIndex<Self, Aura>;
	type EventHandler = Validators;
}

impl pallet_offences::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type IdentificationTuple = pallet_session::historical::IdentificationTuple<Self>;
	type OnOffenceHandler = Validators;
}

impl pallet_aitbc_validators::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type GovernanceOrigin = GovernanceOrigin;
	type ValidatorRegistration = Session;
	type MaxAuthorities = super::consensus::MaxAuthorities;
	type MaxCandidates = ConstU32<64>;
	type MinValidators = ConstU32<1>;
	type DefaultSessionLength = frame_support::traits::ConstU32<SESSION_BLOCKS>;
	/// An active candidate that authors nothing for two sessions is dropped.
	type KickThreshold = ConstU32<2>;
	/// A bond stays held three sessions after it stops backing a candidacy: the candidate may
	/// validate the current and the queued session, and an equivocation must find its bond.
	type BondUnlockDelay = ConstU32<3>;
	type MinEquivocationSlash = MinEquivocationSlash;
	type FinalityStall = GrandpaStall;
	type WeightInfo = pallet_aitbc_validators::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = ValidatorsBenchmarkHelper;
}

/// Governance's stall recovery goes to GRANDPA, which forces its next set change.
pub struct GrandpaStall;
impl pallet_aitbc_validators::NoteFinalityStall<BlockNumber> for GrandpaStall {
	fn note_stalled(delay: BlockNumber, best_finalized: BlockNumber) {
		// What `grandpa.note_stalled` (root only) does; read at the next session change.
		pallet_grandpa::Stalled::<Runtime>::put((delay, best_finalized));
	}
}

/// Session keys for the validators benchmarks: decoded from the account's bytes, set through
/// the session pallet's privileged path (no ownership proof in a benchmark).
#[cfg(feature = "runtime-benchmarks")]
pub struct ValidatorsBenchmarkHelper;

#[cfg(feature = "runtime-benchmarks")]
impl pallet_aitbc_validators::BenchmarkHelper<crate::AccountId> for ValidatorsBenchmarkHelper {
	fn set_session_keys(who: &crate::AccountId) {
		use codec::{Decode, Encode};
		use pallet_session::SessionInterface;
		let seed = sp_io::hashing::blake2_256(&who.encode());
		// Aura, GRANDPA and probe keys: three 32-byte public keys.
		let bytes: alloc::vec::Vec<u8> = [seed; 3].concat();
		let keys = SessionKeys::decode(&mut &bytes[..]).expect("96 bytes decode to three keys");
		let _ = frame_system::Pallet::<Runtime>::inc_providers(who);
		<Session as SessionInterface>::set_keys(who, keys).expect("keys for a benchmark account");
	}
}
