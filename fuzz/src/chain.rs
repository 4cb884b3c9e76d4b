//! The fuzzed chain: the start state, block boundaries, extrinsics applied through `Executive`
//! with every transaction extension, and the invariants checked after every block.

use std::sync::{
	atomic::{AtomicU64, Ordering},
	OnceLock,
};

use aitbc_runtime::{
	configs::RuntimeBlockWeights, genesis_config_presets, AllPalletsWithSystem, Balances,
	Executive, Header, Runtime, RuntimeCall, RuntimeGenesisConfig, SignedPayload, System,
	TxExtension, UncheckedExtrinsic,
};
use codec::Encode;
use frame_support::traits::{fungible::Inspect, TryState, TryStateSelect};
use sp_core::{Pair, H256};
use sp_keyring::Sr25519Keyring;
use sp_runtime::{
	generic::{Digest, DigestItem, Era},
	traits::Header as _,
	BuildStorage, MultiSignature,
};

/// Block 0's hash as the fuzzed chain sees it (receipts name it).
pub const GENESIS_HASH: [u8; 32] = [7; 32];

/// Extrinsics applied, those that succeeded, and blocks finalized over all runs.
pub static CALLS: AtomicU64 = AtomicU64::new(0);
pub static SUCCEEDED: AtomicU64 = AtomicU64::new(0);
pub static BLOCKS: AtomicU64 = AtomicU64::new(0);

/// `patch` applied onto `base`: objects merge key by key, everything else is replaced.
fn merge(base: &mut serde_json::Value, patch: serde_json::Value) {
	use serde_json::Value;
	match (base, patch) {
		(Value::Object(base), Value::Object(patch)) => {
			for (key, value) in patch {
				merge(base.entry(key).or_insert(Value::Null), value);
			}
		},
		(base, patch) => *base = patch,
	}
}

/// The state every run starts from, as raw trie nodes and their root (a run rebuilds its
/// backend from these without rehashing), and block 1's hash.
pub struct StartState {
	nodes: Vec<(Vec<u8>, (Vec<u8>, i32))>,
	root: H256,
	pub parent: H256,
}

impl StartState {
	/// A fresh copy of the state to run on.
	pub fn externalities(&self) -> sp_io::TestExternalities {
		sp_io::TestExternalities::from_raw_snapshot(
			self.nodes.clone(),
			self.root,
			sp_runtime::StateVersion::V1,
		)
	}
}

/// Every run starts from this: the `development` genesis, `setup` applied in block 1 and
/// block 1 finalized (its invariants checked), built once.
pub fn start_state(setup: fn()) -> &'static StartState {
	static START: OnceLock<StartState> = OnceLock::new();
	START.get_or_init(|| {
		let preset =
			genesis_config_presets::get_preset(&"development".into()).expect("the dev preset");
		let mut config = serde_json::to_value(RuntimeGenesisConfig::default()).expect("json");
		merge(&mut config, serde_json::from_slice(&preset).expect("preset json"));
		let config: RuntimeGenesisConfig = serde_json::from_value(config).expect("config");
		let mut ext = sp_io::TestExternalities::new_with_state_version(
			config.build_storage().expect("genesis"),
			sp_runtime::StateVersion::V1,
		);
		let parent = ext.execute_with(|| {
			let mut chain = Chain { number: 1, parent: H256(GENESIS_HASH) };
			chain.start();
			setup();
			let header = Executive::finalize_block();
			check_invariants(1);
			header.hash()
		});
		ext.commit_all().expect("commit");
		let (nodes, root) = ext.into_raw_snapshot();
		StartState { nodes, root, parent }
	})
}

fn extension(nonce: u32) -> TxExtension {
	(
		frame_system::AuthorizeCall::new(),
		frame_system::CheckNonZeroSender::new(),
		frame_system::CheckSpecVersion::new(),
		frame_system::CheckTxVersion::new(),
		frame_system::CheckGenesis::new(),
		frame_system::CheckEra::from(Era::Immortal),
		frame_system::CheckNonce::from(nonce),
		frame_system::CheckWeight::new(),
		pallet_aitbc_jobs::CheckClaim::new(),
		pallet_transaction_payment::ChargeTransactionPayment::<Runtime>::from(0).into(),
		frame_system::WeightReclaim::new(),
	)
}

/// What applying an extrinsic gave: refused, failed or succeeded.
pub type Outcome = sp_runtime::ApplyExtrinsicResult;

fn counted(outcome: Outcome) -> Outcome {
	CALLS.fetch_add(1, Ordering::Relaxed);
	if matches!(outcome, Ok(Ok(()))) {
		SUCCEEDED.fetch_add(1, Ordering::Relaxed);
	}
	outcome
}

/// Applies `call` signed by `who`; refusals and failures are outcomes, not crashes.
pub fn signed(who: Sr25519Keyring, call: RuntimeCall) -> Outcome {
	let extension = extension(System::account_nonce(who.to_account_id()));
	let payload = SignedPayload::new(call.clone(), extension.clone()).expect("payload");
	let signature = payload.using_encoded(|bytes| crate::calls::account_pair(who).sign(bytes));
	let xt = UncheckedExtrinsic::new_signed(
		call,
		who.to_account_id().into(),
		MultiSignature::Sr25519(signature),
		extension,
	);
	counted(Executive::apply_extrinsic(xt))
}

/// Applies `call` as a general transaction no account signs (calls that authorize themselves).
pub fn general(call: RuntimeCall) -> Outcome {
	counted(Executive::apply_extrinsic(UncheckedExtrinsic::new_transaction(call, extension(0))))
}

/// The block being built.
pub struct Chain {
	pub number: u32,
	pub parent: H256,
}

impl Chain {
	/// Initializes block `number` (Aura slot = number) and applies its timestamp inherent.
	pub fn start(&mut self) {
		let slot = sp_consensus_aura::Slot::from(u64::from(self.number));
		let digest = Digest {
			logs: vec![DigestItem::PreRuntime(sp_consensus_aura::AURA_ENGINE_ID, slot.encode())],
		};
		let header =
			Header::new(self.number, Default::default(), Default::default(), self.parent, digest);
		Executive::initialize_block(&header);
		let now = u64::from(self.number) * aitbc_runtime::time::SLOT_DURATION;
		let set = RuntimeCall::Timestamp(pallet_timestamp::Call::set { now });
		Executive::apply_extrinsic(UncheckedExtrinsic::new_bare(set))
			.expect("the timestamp inherent applies")
			.expect("the timestamp inherent succeeds");
	}

	/// Finalizes the block and checks the invariants.
	pub fn finish(&mut self) {
		let header = Executive::finalize_block();
		BLOCKS.fetch_add(1, Ordering::Relaxed);
		check_invariants(self.number);
		self.parent = header.hash();
		self.number += 1;
	}

	/// Finalizes the block, checks the invariants, commits the block's changes to the backend
	/// (so that the next block's state root hashes only its own changes), and starts the next.
	pub fn next(&mut self, ext: &mut sp_io::TestExternalities) {
		ext.execute_with(|| self.finish());
		ext.commit_all().expect("commit the block");
		ext.execute_with(|| self.start());
	}
}

/// The crash conditions: a block over its weight limits, any pallet's `try_state` failing, or
/// AIT created or destroyed outside the ledger.
///
/// Weight: each extrinsic class within its own limit, and the whole block within the block's.
/// A block that starts a session is the exception: `pallet_session` declares it full (its
/// `on_initialize` returns the block's whole weight, by design in the SDK, so that no
/// transaction joins the rotation); there the other hooks together must still fit in a block.
///
/// The ledger, twice: genesis issuance, plus minted by receipts, plus paid to auditors, equals
/// total issuance plus burned (fees and dust the runtime destroyed), slashed (providers,
/// validators) and forfeited (challengers), as the receipts pallet's `try_state` also checks;
/// and, independently of every pallet's counters, total issuance equals the sum of all
/// accounts' free and reserved balances (holds are reserved).
pub fn check_invariants(number: u32) {
	use frame_support::dispatch::DispatchClass;
	let limits = RuntimeBlockWeights::get();
	let used = System::block_weight();
	for class in [DispatchClass::Normal, DispatchClass::Operational] {
		if let Some(max) = limits.get(class).max_total {
			let weight = *used.get(class);
			assert!(
				weight.all_lte(max),
				"block {number}: {class:?} extrinsics used {weight:?}, more than {max:?}"
			);
		}
	}
	let rotated = frame_system::Pallet::<Runtime>::events().iter().any(|record| {
		matches!(
			record.event,
			aitbc_runtime::RuntimeEvent::Session(pallet_session::Event::NewSession { .. })
		)
	});
	let (total, max) = (used.total(), limits.max_block);
	let beyond_session = if rotated { total.saturating_sub(max) } else { total };
	assert!(
		beyond_session.all_lte(max),
		"block {number} used {total:?}, more than its limit {max:?} (session start: {rotated})"
	);
	if let Err(e) = <AllPalletsWithSystem as TryState<u32>>::try_state(number, TryStateSelect::All)
	{
		panic!("try_state failed after block {number}: {e:?}");
	}
	let created = pallet_aitbc_receipts::GenesisIssuance::<Runtime>::get()
		.checked_add(pallet_aitbc_receipts::TotalMinted::<Runtime>::get())
		.and_then(|sum| sum.checked_add(pallet_aitbc_audits::TotalAuditorPay::<Runtime>::get()))
		.expect("creation overflows");
	let destroyed = pallet_aitbc_receipts::TotalBurned::<Runtime>::get()
		.checked_add(pallet_aitbc_staking::TotalSlashed::<Runtime>::get())
		.and_then(|sum| sum.checked_add(pallet_aitbc_audits::TotalForfeited::<Runtime>::get()))
		.and_then(|sum| sum.checked_add(pallet_aitbc_validators::TotalSlashed::<Runtime>::get()))
		.expect("destruction overflows");
	let issuance = <Balances as Inspect<_>>::total_issuance();
	assert_eq!(
		Some(issuance),
		created.checked_sub(destroyed),
		"after block {number}: issuance {issuance} is not created {created} − destroyed {destroyed}"
	);
	let held: u128 = frame_system::Account::<Runtime>::iter_values()
		.map(|account| account.data.free.checked_add(account.data.reserved).expect("overflow"))
		.try_fold(0u128, |sum, balance| sum.checked_add(balance))
		.expect("the balances overflow");
	assert_eq!(
		held, issuance,
		"after block {number}: accounts hold {held}, issuance is {issuance}"
	);
}
