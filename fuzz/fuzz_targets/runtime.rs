//! Coverage-guided fuzzing of the real AITBC runtime.
//!
//! The input decodes (`arbitrary`) into a sequence of operations on the `development` genesis
//! state, after a fixed setup: model 0 registered by governance, Bob and Dave approved with an
//! offer each whose worker key is `//<name>//worker`. Each operation is a real extrinsic applied
//! through `Executive` with every transaction extension (signed by a dev key, or a general
//! transaction that authorizes itself), or a block boundary: the block is finalized (`on_idle`,
//! `on_finalize`) and the next one initialized (`on_initialize`) with an Aura pre-digest and its
//! timestamp inherent. Arguments are biased towards meaningful values: existing job and order
//! ids, receipts of real jobs signed with the right (or a wrong) worker key, prices on and off a
//! pair's tick.
//!
//! After every block: every pallet's `try_state`, the issuance ledger (total issuance =
//! minted − burned), and the block's weight within its limit. A panic anywhere is a crash.

#![no_main]

use std::sync::{
	atomic::{AtomicU64, Ordering},
	OnceLock,
};

use aitbc_primitives::{exchange::Side, ExecutionInfo, JobParams, Receipt, Scheduler, WorkerKey};
use aitbc_runtime::{
	configs::RuntimeBlockWeights, genesis_config_presets, AllPalletsWithSystem, Balances,
	Executive, Header, Runtime, RuntimeCall, RuntimeGenesisConfig, SignedPayload, System,
	TxExtension, UncheckedExtrinsic,
};
use arbitrary::Arbitrary;
use codec::Encode;
use frame_support::{
	traits::{fungible::Inspect, TryState, TryStateSelect},
	BoundedVec,
};
use sp_core::{sr25519, Pair, H256};
use sp_keyring::Sr25519Keyring;
use sp_runtime::{
	generic::{Digest, DigestItem, Era},
	traits::Header as _,
	BuildStorage, MultiSignature, Storage,
};

/// Block 0's hash as the fuzzed chain sees it (receipts name it).
const GENESIS_HASH: [u8; 32] = [7; 32];
const PROMPT: &[u8] = b"a red circle on a blue background";
/// The dev accounts the operations pick from.
const ACCOUNTS: [Sr25519Keyring; 6] = [
	Sr25519Keyring::Alice,
	Sr25519Keyring::Bob,
	Sr25519Keyring::Charlie,
	Sr25519Keyring::Dave,
	Sr25519Keyring::Eve,
	Sr25519Keyring::Ferdie,
];
/// The providers set up with an offer.
const PROVIDERS: [Sr25519Keyring; 2] = [Sr25519Keyring::Bob, Sr25519Keyring::Dave];
/// Most operations one input runs (a bound on one run's time).
const MAX_OPS: usize = 256;

#[derive(Arbitrary, Debug)]
enum Op {
	/// Ends the block and runs `1 + extra % 4` more (empty but for the timestamp).
	NextBlock {
		extra: u8,
	},
	Transfer {
		from: u8,
		to: u8,
		amount: u32,
	},
	SubmitJob {
		who: u8,
		steps: u8,
		seed: u8,
		payment: u16,
		max_price: u8,
		deadline: u8,
	},
	CancelJob {
		who: u8,
		job: u8,
	},
	Claim {
		provider: bool,
		job: u8,
	},
	/// A receipt for a job; `lie` 0 is honest, others change units, key or job fields.
	Receipt {
		provider: bool,
		job: u8,
		lie: u8,
		authorized: bool,
	},
	Heartbeat {
		provider: bool,
	},
	PlaceLimit {
		who: u8,
		sell: bool,
		price: u16,
		lots: u8,
		expires: Option<u8>,
	},
	PlaceMarket {
		who: u8,
		sell: bool,
		lots: u8,
		worst: u16,
	},
	CancelOrder {
		who: u8,
		order: u8,
	},
	CancelAll {
		who: u8,
	},
	/// Governance (the sudo key signing, or root through sudo).
	SetPairOpen {
		open: bool,
	},
	SetAuditRate {
		percent: u8,
	},
}

fn account(index: u8) -> Sr25519Keyring {
	ACCOUNTS[index as usize % ACCOUNTS.len()]
}

fn provider(second: bool) -> Sr25519Keyring {
	PROVIDERS[second as usize]
}

fn worker_pair(who: Sr25519Keyring) -> sr25519::Pair {
	sr25519::Pair::from_string(&format!("//{who}//worker"), None).expect("derivation")
}

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

/// Extrinsics applied and blocks finalized over all runs (printed every 1,000 runs).
static CALLS: AtomicU64 = AtomicU64::new(0);
static BLOCKS: AtomicU64 = AtomicU64::new(0);
static RUNS: AtomicU64 = AtomicU64::new(0);

/// Every run starts from this: the `development` genesis, the setup applied in block 1 and
/// block 1 finalized (its invariants checked), built once; and block 1's hash.
fn start_state() -> &'static (Storage, H256) {
	static START: OnceLock<(Storage, H256)> = OnceLock::new();
	START.get_or_init(|| {
		let preset =
			genesis_config_presets::get_preset(&"development".into()).expect("the dev preset");
		let mut config = serde_json::to_value(RuntimeGenesisConfig::default()).expect("json");
		merge(&mut config, serde_json::from_slice(&preset).expect("preset json"));
		let config: RuntimeGenesisConfig = serde_json::from_value(config).expect("config");
		let mut ext = sp_io::TestExternalities::new(config.build_storage().expect("genesis"));
		let parent = ext.execute_with(|| {
			let mut chain = Chain { number: 1, parent: H256(GENESIS_HASH) };
			chain.start();
			setup();
			let header = Executive::finalize_block();
			check_invariants(1);
			header.hash()
		});
		ext.commit_all().expect("commit");
		let mut top = std::collections::BTreeMap::new();
		ext.execute_with(|| {
			let mut key = Vec::new();
			while let Some(next) = sp_io::storage::next_key(&key) {
				top.insert(next.clone(), sp_io::storage::get(&next).expect("listed").to_vec());
				key = next;
			}
		});
		(Storage { top, children_default: Default::default() }, parent)
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

/// Applies `call` signed by `who`; refusals and failures are outcomes, not crashes.
fn signed(who: Sr25519Keyring, call: RuntimeCall) -> bool {
	let extension = extension(System::account_nonce(who.to_account_id()));
	let payload = SignedPayload::new(call.clone(), extension.clone()).expect("payload");
	let signature = payload.using_encoded(|bytes| who.pair().sign(bytes));
	let xt = UncheckedExtrinsic::new_signed(
		call,
		who.to_account_id().into(),
		MultiSignature::Sr25519(signature),
		extension,
	);
	CALLS.fetch_add(1, Ordering::Relaxed);
	matches!(Executive::apply_extrinsic(xt), Ok(Ok(())))
}

/// Applies `call` as a general transaction no account signs (calls that authorize themselves).
fn general(call: RuntimeCall) {
	CALLS.fetch_add(1, Ordering::Relaxed);
	let _ = Executive::apply_extrinsic(UncheckedExtrinsic::new_transaction(call, extension(0)));
}

struct Chain {
	number: u32,
	parent: H256,
}

impl Chain {
	/// Initializes block `number` (Aura slot = number) and applies its timestamp inherent.
	fn start(&mut self) {
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

	/// Finalizes the block, checks the invariants, and starts the next.
	fn next(&mut self) {
		let header = Executive::finalize_block();
		BLOCKS.fetch_add(1, Ordering::Relaxed);
		check_invariants(self.number);
		self.parent = header.hash();
		self.number += 1;
		self.start();
	}
}

fn check_invariants(number: u32) {
	let used = System::block_weight().total();
	let max = RuntimeBlockWeights::get().max_block;
	assert!(used.all_lte(max), "block {number} used {used:?}, more than its limit {max:?}");
	if let Err(e) = <AllPalletsWithSystem as TryState<u32>>::try_state(number, TryStateSelect::All)
	{
		panic!("try_state failed after block {number}: {e:?}");
	}
	let minted = pallet_aitbc_receipts::TotalMinted::<Runtime>::get();
	let burned = pallet_aitbc_receipts::TotalBurned::<Runtime>::get();
	let issuance = <Balances as Inspect<_>>::total_issuance();
	assert_eq!(
		Some(issuance),
		minted.checked_sub(burned),
		"after block {number}: issuance {issuance} is not minted {minted} − burned {burned}"
	);
}

fn params(steps: u8, seed: u8) -> JobParams {
	JobParams {
		steps: u32::from(steps % 60),
		guidance_milli: 7_500,
		width: 256,
		height: 256,
		seed: u64::from(seed),
		scheduler: Scheduler::Ddim,
	}
}

/// The fixed start: model 0, Bob and Dave approved with offers (governance is Alice's key).
fn setup() {
	let model = RuntimeCall::Marketplace(pallet_aitbc_marketplace::Call::add_model {
		name: BoundedVec::truncate_from(b"aitbc-tiny-sd".to_vec()),
		pipeline: pallet_aitbc_marketplace::PipelineKind::TextToImage,
		files: BoundedVec::truncate_from(vec![pallet_aitbc_marketplace::ModelFile {
			path: BoundedVec::truncate_from(b"unet/model.onnx".to_vec()),
			sha256: [1; 32],
		}]),
		manifest_sha256: [2; 32],
		unit_weight_milli: 1_000,
		max_width: 512,
		max_height: 512,
		max_steps: 50,
	});
	assert!(signed(Sr25519Keyring::Alice, model), "governance adds the model");
	for who in PROVIDERS {
		let approve = RuntimeCall::Marketplace(pallet_aitbc_marketplace::Call::approve_provider {
			provider: who.to_account_id(),
		});
		assert!(signed(Sr25519Keyring::Alice, approve), "governance approves {who}");
		let terms = pallet_aitbc_marketplace::OfferTerms {
			models: BoundedVec::truncate_from(vec![0]),
			price_per_unit: aitbc_runtime::currency::MILLI_AIT,
			gpu_name: BoundedVec::truncate_from(b"NVIDIA H100".to_vec()),
			gpu_memory_mib: 81_559,
			endpoint: BoundedVec::truncate_from(b"http://127.0.0.1:8090".to_vec()),
			capacity: 2,
			max_pixels: 1_024 * 1_024,
			worker_keys: BoundedVec::truncate_from(vec![WorkerKey::Sr25519(
				worker_pair(who).public().0,
			)]),
		};
		let offer =
			RuntimeCall::Marketplace(pallet_aitbc_marketplace::Call::register_offer { terms });
		assert!(signed(who, offer), "{who} registers its offer");
	}
}

/// An existing job id chosen by `pick` (or the next one, which does not exist yet).
fn job_id(pick: u8) -> u64 {
	let next = pallet_aitbc_jobs::NextJobId::<Runtime>::get();
	u64::from(pick) % next.saturating_add(1)
}

fn receipt(job: u64, who: Sr25519Keyring, lie: u8) -> Option<(RuntimeCall, RuntimeCall)> {
	let stored = pallet_aitbc_jobs::Jobs::<Runtime>::get(job)?;
	let mut receipt = Receipt {
		job_id: job,
		provider: who.to_account_id(),
		worker_key: WorkerKey::Sr25519(worker_pair(who).public().0),
		client: stored.client.clone(),
		model_id: stored.model_id,
		units: stored.units,
		gpu_ms: 950,
		prompt_hash: aitbc_primitives::prompt_hash(&stored.prompt),
		params_hash: stored.params.hash(),
		artifact_sha256: [0x5a; 32],
		started_at: 1_700_000_000_000,
		finished_at: 1_700_000_000_950,
		nonce: job,
		genesis_hash: GENESIS_HASH,
		execution: ExecutionInfo {
			execution_provider: BoundedVec::truncate_from(b"CPUExecutionProvider".to_vec()),
			device: BoundedVec::truncate_from(b"cpu".to_vec()),
			runtime_version: BoundedVec::truncate_from(b"onnxruntime 1.31.1".to_vec()),
		},
	};
	let mut signer = worker_pair(who);
	match lie % 6 {
		0 => {},
		1 => receipt.units = receipt.units.saturating_mul(2),
		2 => signer = worker_pair(Sr25519Keyring::Ferdie),
		3 => receipt.prompt_hash = [9; 32],
		4 => receipt.genesis_hash = [0; 32],
		_ => receipt.nonce = receipt.nonce.wrapping_add(1),
	}
	let signature = pallet_aitbc_receipts::KeySignature(signer.sign(&receipt.signing_message()).0);
	let single = RuntimeCall::Receipts(pallet_aitbc_receipts::Call::submit_receipt {
		receipt: receipt.clone(),
		signature: signature.clone(),
		attestations: BoundedVec::new(),
	});
	let entry = pallet_aitbc_receipts::SignedReceipt {
		receipt,
		signature,
		attestations: BoundedVec::new(),
	};
	let batch = RuntimeCall::Receipts(pallet_aitbc_receipts::Call::submit_receipts_authorized {
		receipts: BoundedVec::truncate_from(vec![entry]),
	});
	Some((single, batch))
}

/// An open order of `who` chosen by `pick`, or an id nobody owns.
fn order_id(who: Sr25519Keyring, pick: u8) -> u64 {
	let open = pallet_aitbc_exchange::AccountOrders::<Runtime>::get(who.to_account_id());
	if open.is_empty() || pick >= 200 {
		u64::from(pick)
	} else {
		open[pick as usize % open.len()]
	}
}

fn side(sell: bool) -> Side {
	if sell {
		Side::Sell
	} else {
		Side::Buy
	}
}

fn run(op: Op, chain: &mut Chain) {
	use pallet_aitbc_exchange::Call as Exchange;
	match op {
		Op::NextBlock { extra } => {
			for _ in 0..=(extra % 4) {
				chain.next();
			}
		},
		Op::Transfer { from, to, amount } => {
			let call = RuntimeCall::Balances(pallet_balances::Call::transfer_allow_death {
				dest: account(to).to_account_id().into(),
				value: u128::from(amount) * 1_000,
			});
			signed(account(from), call);
		},
		Op::SubmitJob { who, steps, seed, payment, max_price, deadline } => {
			let call = RuntimeCall::Jobs(pallet_aitbc_jobs::Call::submit_job {
				model_id: 0,
				prompt: BoundedVec::truncate_from(PROMPT.to_vec()),
				params: params(steps, seed),
				max_price_per_unit: u128::from(max_price) * 10_000_000,
				payment: u128::from(payment) * 1_000_000,
				deadline_blocks: u32::from(deadline % 80),
			});
			signed(account(who), call);
		},
		Op::CancelJob { who, job } => {
			let call =
				RuntimeCall::Jobs(pallet_aitbc_jobs::Call::cancel_job { job_id: job_id(job) });
			signed(account(who), call);
		},
		Op::Claim { provider: second, job } => {
			let call =
				RuntimeCall::Jobs(pallet_aitbc_jobs::Call::claim_job { job_id: job_id(job) });
			signed(provider(second), call);
		},
		Op::Receipt { provider: second, job, lie, authorized } => {
			let who = provider(second);
			if let Some((single, batch)) = receipt(job_id(job), who, lie) {
				if authorized {
					general(batch);
				} else {
					signed(who, single);
				}
			}
		},
		Op::Heartbeat { provider: second } => {
			signed(
				provider(second),
				RuntimeCall::Marketplace(pallet_aitbc_marketplace::Call::heartbeat {}),
			);
		},
		Op::PlaceLimit { who, sell, price, lots, expires } => {
			let call = RuntimeCall::Exchange(Exchange::place_limit {
				pair: 0,
				side: side(sell),
				price: u128::from(price) * 10,
				lots: u64::from(lots % 16),
				expires_in: expires.map(|e| u32::from(e) % 40),
			});
			signed(account(who), call);
		},
		Op::PlaceMarket { who, sell, lots, worst } => {
			let call = RuntimeCall::Exchange(Exchange::place_market {
				pair: 0,
				side: side(sell),
				lots: u64::from(lots % 16),
				worst_price: u128::from(worst) * 10,
			});
			signed(account(who), call);
		},
		Op::CancelOrder { who, order } => {
			let who = account(who);
			signed(who, RuntimeCall::Exchange(Exchange::cancel { order: order_id(who, order) }));
		},
		Op::CancelAll { who } => {
			signed(account(who), RuntimeCall::Exchange(Exchange::cancel_all { pair: None }));
		},
		Op::SetPairOpen { open } => {
			let call = RuntimeCall::Exchange(Exchange::set_pair_open { pair: 0, open });
			signed(Sr25519Keyring::Alice, call);
		},
		Op::SetAuditRate { percent } => {
			let call = RuntimeCall::Audits(pallet_aitbc_audits::Call::set_audit_params {
				rate: sp_runtime::Perbill::from_percent(u32::from(percent % 101)),
				always_audit_units: 0,
			});
			signed(Sr25519Keyring::Alice, call);
		},
	}
}

libfuzzer_sys::fuzz_target!(|ops: Vec<Op>| {
	let (state, parent) = start_state();
	let mut ext = sp_io::TestExternalities::new(state.clone());
	ext.execute_with(|| {
		let mut chain = Chain { number: 2, parent: *parent };
		chain.start();
		for op in ops.into_iter().take(MAX_OPS) {
			run(op, &mut chain);
		}
		let _ = Executive::finalize_block();
		BLOCKS.fetch_add(1, Ordering::Relaxed);
		check_invariants(chain.number);
	});
	let runs = RUNS.fetch_add(1, Ordering::Relaxed) + 1;
	if runs % 1_000 == 0 {
		eprintln!(
			"aitbc-fuzz: {runs} runs, {} calls, {} blocks",
			CALLS.load(Ordering::Relaxed),
			BLOCKS.load(Ordering::Relaxed)
		);
	}
});
