//! The whole job → receipt → mint cycle on the real runtime (native), from the `development`
//! genesis preset, with real sr25519 keys: signed extrinsics go through every transaction
//! extension (so zero-balance bootstrap accounts really can send their feeless calls), and the
//! receipt carries a real worker-key signature. Hostile receipts fail with their named errors
//! and change no balance.

use aitbc_primitives::{ExecutionInfo, JobParams, Receipt, Scheduler, WorkerKey};
use aitbc_runtime::{
	currency::MILLI_AIT, genesis_config_presets, Balances, Executive, Header, Runtime, RuntimeCall,
	RuntimeGenesisConfig, SignedPayload, System, TxExtension, UncheckedExtrinsic,
};
use codec::Encode;
use frame_support::{traits::fungible::Inspect, BoundedVec};
use pallet_aitbc_jobs::JobState;
use pallet_aitbc_marketplace::{ModelFile, OfferTerms, PipelineKind};
use pallet_aitbc_receipts::KeySignature;
use serde_json::Value;
use sp_core::{sr25519, Pair, H256};
use sp_keyring::Sr25519Keyring;
use sp_runtime::{
	generic::Era,
	traits::Dispatchable,
	transaction_validity::{InvalidTransaction, TransactionValidityError},
	BuildStorage, DispatchError, MultiSignature,
};

const GOVERNANCE: Sr25519Keyring = Sr25519Keyring::Alice;
const PROVIDER: Sr25519Keyring = Sr25519Keyring::Bob;
const CLIENT: Sr25519Keyring = Sr25519Keyring::Charlie;
const OTHER_PROVIDER: Sr25519Keyring = Sr25519Keyring::Dave;
const GENESIS_HASH: [u8; 32] = [7; 32];
const PROMPT: &[u8] = b"a red circle on a blue background";
const PRICE: u128 = MILLI_AIT;

/// `patch` applied onto `base`: objects merge key by key, everything else is replaced.
fn merge(base: &mut Value, patch: Value) {
	match (base, patch) {
		(Value::Object(base), Value::Object(patch)) => {
			for (key, value) in patch {
				merge(base.entry(key).or_insert(Value::Null), value);
			}
		},
		(base, patch) => *base = patch,
	}
}

/// Test externalities holding the genesis state of the `development` preset.
fn development_ext() -> sp_io::TestExternalities {
	let preset = genesis_config_presets::get_preset(&"development".into()).expect("preset exists");
	let mut config = serde_json::to_value(RuntimeGenesisConfig::default()).expect("json");
	merge(&mut config, serde_json::from_slice(&preset).expect("preset is json"));
	let config: RuntimeGenesisConfig = serde_json::from_value(config).expect("full config");
	sp_io::TestExternalities::new(config.build_storage().expect("genesis builds"))
}

fn header(number: u32, parent: H256) -> Header {
	<Header as sp_runtime::traits::Header>::new(
		number,
		Default::default(),
		Default::default(),
		parent,
		Default::default(),
	)
}

/// Starts block `number`, running every pallet's `on_initialize`.
fn start_block(number: u32) {
	let parent = if number == 1 { H256(GENESIS_HASH) } else { H256::repeat_byte(number as u8) };
	Executive::initialize_block(&header(number, parent));
}

/// Every transaction extension of the runtime, with `nonce` and tip 0.
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

/// A signed extrinsic from `who` with every transaction extension of the runtime, tip 0.
fn signed(who: Sr25519Keyring, call: RuntimeCall) -> UncheckedExtrinsic {
	let extension = extension(System::account_nonce(who.to_account_id()));
	let payload = SignedPayload::new(call.clone(), extension.clone()).expect("payload");
	let signature = payload.using_encoded(|bytes| who.pair().sign(bytes));
	UncheckedExtrinsic::new_signed(
		call,
		who.to_account_id().into(),
		MultiSignature::Sr25519(signature),
		extension,
	)
}

/// A general transaction (extrinsic v5) that no account signs, with every transaction
/// extension of the runtime: what a worker sends for a call that authorizes itself.
fn general(call: RuntimeCall) -> UncheckedExtrinsic {
	// No account, so no nonce: CheckNonce passes over a transaction without a signer.
	UncheckedExtrinsic::new_transaction(call, extension(0))
}

/// `submit_receipts_authorized` with one receipt signed by `signer`, for a general transaction.
fn authorized_receipt_call(
	receipt: Receipt<aitbc_runtime::AccountId>,
	signer: &sr25519::Pair,
) -> RuntimeCall {
	let signature = KeySignature(signer.sign(&receipt.signing_message()).0);
	let entry = pallet_aitbc_receipts::SignedReceipt {
		receipt,
		signature,
		attestations: BoundedVec::new(),
	};
	RuntimeCall::Receipts(pallet_aitbc_receipts::Call::submit_receipts_authorized {
		receipts: BoundedVec::truncate_from(vec![entry]),
	})
}

/// Applies a signed extrinsic: the transaction must be valid (fees, nonce); returns the
/// dispatch result.
fn apply(who: Sr25519Keyring, call: RuntimeCall) -> Result<(), DispatchError> {
	Executive::apply_extrinsic(signed(who, call))
		.unwrap_or_else(|e| panic!("transaction from {who} rejected: {e:?}"))
}

fn params() -> JobParams {
	JobParams {
		steps: 20,
		guidance_milli: 7_500,
		width: 512,
		height: 512,
		seed: 42,
		scheduler: Scheduler::Ddim,
	}
}

/// Governance adds model 0.
fn add_model() -> RuntimeCall {
	RuntimeCall::Marketplace(pallet_aitbc_marketplace::Call::add_model {
		name: BoundedVec::truncate_from(b"aitbc-tiny-sd".to_vec()),
		pipeline: PipelineKind::TextToImage,
		files: BoundedVec::truncate_from(vec![ModelFile {
			path: BoundedVec::truncate_from(b"unet/model.onnx".to_vec()),
			sha256: [1; 32],
		}]),
		manifest_sha256: [2; 32],
		unit_weight_milli: 1_000,
		max_width: 512,
		max_height: 512,
		max_steps: 50,
	})
}

/// A free job (payment 0) for the model, accepting the providers' price.
fn free_job() -> RuntimeCall {
	RuntimeCall::Jobs(pallet_aitbc_jobs::Call::submit_job {
		model_id: 0,
		prompt: BoundedVec::truncate_from(PROMPT.to_vec()),
		params: params(),
		max_price_per_unit: PRICE,
		payment: 0,
		deadline_blocks: 50,
	})
}

fn worker_pair(provider: Sr25519Keyring) -> sr25519::Pair {
	sr25519::Pair::from_string(&format!("//{provider}//worker"), None).expect("derive")
}

fn worker_key(provider: Sr25519Keyring) -> WorkerKey {
	WorkerKey::Sr25519(worker_pair(provider).public().0)
}

fn offer(provider: Sr25519Keyring) -> RuntimeCall {
	RuntimeCall::Marketplace(pallet_aitbc_marketplace::Call::register_offer {
		terms: OfferTerms {
			models: BoundedVec::truncate_from(vec![0]),
			price_per_unit: PRICE,
			gpu_name: BoundedVec::truncate_from(b"NVIDIA H100".to_vec()),
			gpu_memory_mib: 81_559,
			endpoint: BoundedVec::truncate_from(b"http://127.0.0.1:8090".to_vec()),
			capacity: 2,
			max_pixels: 1_024 * 1_024,
			worker_keys: BoundedVec::truncate_from(vec![worker_key(provider)]),
		},
	})
}

fn receipt(job_id: u64, provider: Sr25519Keyring, units: u64) -> Receipt<aitbc_runtime::AccountId> {
	Receipt {
		job_id,
		provider: provider.to_account_id(),
		worker_key: worker_key(provider),
		client: CLIENT.to_account_id(),
		model_id: 0,
		units,
		gpu_ms: 950,
		prompt_hash: aitbc_primitives::prompt_hash(PROMPT),
		params_hash: params().hash(),
		artifact_sha256: [0x5a; 32],
		started_at: 1_700_000_000_000,
		finished_at: 1_700_000_000_950,
		nonce: 1,
		genesis_hash: GENESIS_HASH,
		execution: ExecutionInfo {
			execution_provider: BoundedVec::truncate_from(b"CPUExecutionProvider".to_vec()),
			device: BoundedVec::truncate_from(b"cpu".to_vec()),
			runtime_version: BoundedVec::truncate_from(b"onnxruntime 1.31.1".to_vec()),
		},
	}
}

fn receipt_call(receipt: Receipt<aitbc_runtime::AccountId>, signer: &sr25519::Pair) -> RuntimeCall {
	let signature = KeySignature(signer.sign(&receipt.signing_message()).0);
	RuntimeCall::Receipts(pallet_aitbc_receipts::Call::submit_receipt {
		receipt,
		signature,
		attestations: BoundedVec::new(),
	})
}

/// A hostile receipt: as a transaction it is not feeless, so a provider without AIT cannot even
/// get it into a block; dispatched, it fails with `error`. Either way no balance changes.
fn assert_rejected(
	who: Sr25519Keyring,
	receipt: Receipt<aitbc_runtime::AccountId>,
	signer: &sr25519::Pair,
	error: pallet_aitbc_receipts::Error<Runtime>,
) {
	let before = balances();
	let call = receipt_call(receipt.clone(), signer);
	assert_eq!(
		Executive::apply_extrinsic(signed(who, call.clone())),
		Err(TransactionValidityError::Invalid(InvalidTransaction::Payment)),
		"a bad receipt is not feeless"
	);
	let result = call.dispatch(aitbc_runtime::RuntimeOrigin::signed(who.to_account_id()));
	let error = DispatchError::from(error);
	assert_eq!(result.map(|_| ()).map_err(|e| e.error), Err(error));
	// As an authorized general transaction it fails its authorization: invalid, with the index
	// of the pallet's error variant as its code.
	let DispatchError::Module(module) = error else { unreachable!() };
	assert_eq!(
		Executive::apply_extrinsic(general(authorized_receipt_call(receipt, signer))),
		Err(TransactionValidityError::Invalid(InvalidTransaction::Custom(module.error[0]))),
		"a bad receipt is never authorized"
	);
	assert_eq!(balances(), before, "a rejected receipt changes no balance");
}

fn balances() -> Vec<u128> {
	[GOVERNANCE, PROVIDER, CLIENT, OTHER_PROVIDER]
		.iter()
		.map(|who| Balances::balance(&who.to_account_id()))
		.collect()
}

#[test]
fn one_job_from_zero_issuance_to_minted_tokens() {
	development_ext().execute_with(|| {
		start_block(1);
		assert_eq!(Balances::total_issuance(), 0, "no premint");

		// Governance (the sudo key, holding no AIT) adds the model and approves two providers,
		// feelessly.
		apply(GOVERNANCE, add_model()).expect("governance adds a model");
		for provider in [PROVIDER, OTHER_PROVIDER] {
			apply(
				GOVERNANCE,
				RuntimeCall::Marketplace(pallet_aitbc_marketplace::Call::approve_provider {
					provider: provider.to_account_id(),
				}),
			)
			.expect("governance approves");
			apply(provider, offer(provider)).expect("approved provider registers its offer");
		}
		// Calls that are not bootstrap calls need AIT for fees: an unapproved account has none.
		assert_eq!(
			Executive::apply_extrinsic(signed(CLIENT, offer(CLIENT))),
			Err(TransactionValidityError::Invalid(InvalidTransaction::Payment))
		);

		// A client with no AIT submits a free job; the provider claims it.
		apply(CLIENT, free_job()).expect("free job");
		apply(PROVIDER, RuntimeCall::Jobs(pallet_aitbc_jobs::Call::claim_job { job_id: 0 }))
			.expect("claim");
		assert_eq!(balances(), vec![0, 0, 0, 0], "nobody paid a fee: every call so far is feeless");

		// Hostile receipts, each with its named error and no balance change.
		let units = pallet_aitbc_jobs::Jobs::<Runtime>::get(0).expect("job").units;
		assert_eq!(units, 20_000, "20 steps at 512×512, weight 1: 20 units");
		let stranger = sr25519::Pair::from_string("//Mallory//worker", None).expect("derive");
		let mut unregistered = receipt(0, PROVIDER, units);
		unregistered.worker_key = WorkerKey::Sr25519(stranger.public().0);
		assert_rejected(
			PROVIDER,
			unregistered,
			&stranger,
			pallet_aitbc_receipts::Error::UnregisteredWorkerKey,
		);
		assert_rejected(
			OTHER_PROVIDER,
			receipt(0, OTHER_PROVIDER, units),
			&worker_pair(OTHER_PROVIDER),
			pallet_aitbc_receipts::Error::NotAssignedProvider,
		);
		assert_rejected(
			PROVIDER,
			receipt(0, PROVIDER, units + 1),
			&worker_pair(PROVIDER),
			pallet_aitbc_receipts::Error::WrongUnits,
		);

		// The honest receipt is accepted, feelessly; a replay of it is not.
		let honest = receipt(0, PROVIDER, units);
		apply(PROVIDER, receipt_call(honest.clone(), &worker_pair(PROVIDER)))
			.expect("valid receipt");
		assert!(matches!(
			pallet_aitbc_jobs::Jobs::<Runtime>::get(0).expect("job").state,
			JobState::Receipted { .. }
		));
		assert_rejected(
			PROVIDER,
			honest.clone(),
			&worker_pair(PROVIDER),
			pallet_aitbc_receipts::Error::ReceiptReplayed,
		);
		assert_eq!(
			balances(),
			vec![0, 0, 0, 0],
			"nothing minted before the challenge window closes"
		);

		// The challenge window closes: 20 units × 1 mAIT are minted to the provider.
		let final_at =
			pallet_aitbc_receipts::Pallet::<Runtime>::receipt_of(0).expect("stored").final_at;
		for number in 2..=final_at {
			start_block(number);
		}
		let minted = 20 * MILLI_AIT;
		assert_eq!(Balances::balance(&PROVIDER.to_account_id()), minted);
		assert_eq!(Balances::total_issuance(), minted, "issuance is exactly what receipts minted");
		assert_eq!(pallet_aitbc_receipts::TotalMinted::<Runtime>::get(), minted);
		assert!(matches!(
			pallet_aitbc_jobs::Jobs::<Runtime>::get(0).expect("job").state,
			JobState::Finalized { .. }
		));
		// The runtime API reports the provider's record and receipts.
		{
			use aitbc_runtime_api::runtime_decl_for_compute_api::ComputeApiV3;
			let reputation = Runtime::reputation(PROVIDER.to_account_id());
			assert_eq!(
				(reputation.completed, reputation.expired, reputation.median_gpu_ms),
				(1, 0, Some(950))
			);
			assert_eq!(Runtime::receipted_jobs(PROVIDER.to_account_id()), vec![0]);
			assert!(Runtime::receipted_jobs(OTHER_PROVIDER.to_account_id()).is_empty());
		}

		// Replaying the receipt after minting: the provider now holds AIT and can pay the fee,
		// so the replay is included, fails with its named error, mints nothing and costs the
		// provider its fee (burned and counted).
		let fee_paid = Executive::apply_extrinsic(signed(
			PROVIDER,
			receipt_call(honest, &worker_pair(PROVIDER)),
		))
		.expect("a paying transaction is valid");
		assert_eq!(fee_paid, Err(pallet_aitbc_receipts::Error::<Runtime>::ReceiptReplayed.into()));
		let burned = pallet_aitbc_receipts::TotalBurned::<Runtime>::get();
		assert!(burned > 0, "the failed replay paid a fee");
		assert_eq!(Balances::balance(&PROVIDER.to_account_id()), minted - burned);
		assert_eq!(Balances::total_issuance(), minted - burned, "issuance = minted − burned");

		// A race for a new job: the other provider's claim lands first. The provider now holds
		// AIT, so a failing claim could pay a fee; but a claim on a job that is no longer
		// pending is an invalid transaction (CheckClaim): no block takes it, nobody pays.
		apply(CLIENT, free_job()).expect("second free job");
		apply(OTHER_PROVIDER, RuntimeCall::Jobs(pallet_aitbc_jobs::Call::claim_job { job_id: 1 }))
			.expect("the race's winner");
		let before = (balances(), pallet_aitbc_receipts::TotalBurned::<Runtime>::get());
		let nonce = System::account_nonce(PROVIDER.to_account_id());
		for (job_id, refusal) in [
			(1, aitbc_primitives::StaleClaim::NotPending),
			(0, aitbc_primitives::StaleClaim::NotPending),
			(99, aitbc_primitives::StaleClaim::UnknownJob),
		] {
			assert_eq!(
				Executive::apply_extrinsic(signed(
					PROVIDER,
					RuntimeCall::Jobs(pallet_aitbc_jobs::Call::claim_job { job_id })
				)),
				Err(TransactionValidityError::Invalid(InvalidTransaction::Custom(refusal.code()))),
				"claim on job {job_id}"
			);
		}
		assert_eq!(
			(balances(), pallet_aitbc_receipts::TotalBurned::<Runtime>::get()),
			before,
			"refused claims cost nothing"
		);
		assert_eq!(System::account_nonce(PROVIDER.to_account_id()), nonce, "and use no nonce");

		// A paid job: the provider, now holding AIT, orders an image from the other provider.
		// The payment waits in the jobs pallet's escrow account and goes to the other provider
		// when its receipt is final, with what the receipt mints.
		let escrow = pallet_aitbc_jobs::Pallet::<Runtime>::escrow_account();
		let payment = 5 * MILLI_AIT;
		let paid_job = pallet_aitbc_jobs::NextJobId::<Runtime>::get();
		let buyer_before = Balances::balance(&PROVIDER.to_account_id());
		apply(
			PROVIDER,
			RuntimeCall::Jobs(pallet_aitbc_jobs::Call::submit_job {
				model_id: 0,
				prompt: BoundedVec::truncate_from(PROMPT.to_vec()),
				params: params(),
				max_price_per_unit: PRICE,
				payment,
				deadline_blocks: 50,
			}),
		)
		.expect("paid job");
		assert_eq!(Balances::balance(&escrow), payment, "the payment is in escrow");
		let fee = buyer_before - payment - Balances::balance(&PROVIDER.to_account_id());
		assert!(fee > 0, "a paid job is not feeless");
		apply(
			OTHER_PROVIDER,
			RuntimeCall::Jobs(pallet_aitbc_jobs::Call::claim_job { job_id: paid_job }),
		)
		.expect("claim of the paid job");
		let mut paid_receipt = receipt(paid_job, OTHER_PROVIDER, units);
		paid_receipt.client = PROVIDER.to_account_id();
		// This receipt goes the way the worker sends it: an authorized general transaction,
		// which no account signs and nobody pays for (the balances below are exact).
		let nonce = System::account_nonce(OTHER_PROVIDER.to_account_id());
		Executive::apply_extrinsic(general(authorized_receipt_call(
			paid_receipt,
			&worker_pair(OTHER_PROVIDER),
		)))
		.expect("an authorized receipt is a valid transaction")
		.expect("receipt of the paid job");
		assert_eq!(System::account_nonce(OTHER_PROVIDER.to_account_id()), nonce, "no nonce used");
		let final_at = pallet_aitbc_receipts::Pallet::<Runtime>::receipt_of(paid_job)
			.expect("stored")
			.final_at;
		for number in System::block_number() + 1..=final_at {
			start_block(number);
		}
		assert_eq!(
			Balances::balance(&OTHER_PROVIDER.to_account_id()),
			minted + payment,
			"minted for its receipt and paid the escrowed payment"
		);
		assert_eq!(Balances::balance(&escrow), 0, "escrow holds only open jobs' payments");
		assert!(matches!(
			pallet_aitbc_jobs::Jobs::<Runtime>::get(paid_job).expect("job").state,
			JobState::Finalized { .. }
		));

		// Every pallet's try_state invariants hold on the real runtime, the issuance ledger
		// (genesis 0 + minted − burned − slashed) included.
		pallet_aitbc_receipts::Pallet::<Runtime>::do_try_state().expect("receipts invariants");
		pallet_aitbc_jobs::Pallet::<Runtime>::do_try_state().expect("jobs invariants");
		pallet_aitbc_marketplace::Pallet::<Runtime>::do_try_state()
			.expect("marketplace invariants");
		pallet_aitbc_staking::Pallet::<Runtime>::do_try_state().expect("staking invariants");
	});
}

#[test]
fn free_jobs_nobody_claims_end_unclaimed_and_give_a_client_without_ait_its_quota_back() {
	use frame_support::traits::Get;
	development_ext().execute_with(|| {
		start_block(1);
		apply(GOVERNANCE, add_model()).expect("governance adds a model");
		// No provider serves the model. A client with no AIT fills its free-job quota, feelessly.
		let quota: u32 = <Runtime as pallet_aitbc_jobs::Config>::MaxOpenJobsPerAccount::get();
		for _ in 0..quota {
			apply(CLIENT, free_job()).expect("free job within the quota");
		}
		let over_quota = Executive::apply_extrinsic(signed(CLIENT, free_job()));
		assert_eq!(over_quota, Err(TransactionValidityError::Invalid(InvalidTransaction::Payment)));
		let cancel = RuntimeCall::Jobs(pallet_aitbc_jobs::Call::cancel_job { job_id: 0 });
		assert_eq!(
			Executive::apply_extrinsic(signed(CLIENT, cancel)),
			Err(TransactionValidityError::Invalid(InvalidTransaction::Payment)),
			"cancelling costs a fee the client cannot pay"
		);

		// The runtime ends them itself once they waited PendingTimeout blocks.
		let timeout: u32 = <Runtime as pallet_aitbc_jobs::Config>::PendingTimeout::get();
		for number in 2..1 + timeout {
			start_block(number);
		}
		assert_eq!(pallet_aitbc_jobs::OpenJobs::<Runtime>::get(CLIENT.to_account_id()), quota);
		start_block(1 + timeout);
		for job_id in 0..u64::from(quota) {
			assert_eq!(
				pallet_aitbc_jobs::Jobs::<Runtime>::get(job_id).map(|job| job.state),
				Some(JobState::Unclaimed)
			);
		}
		assert_eq!(pallet_aitbc_jobs::OpenJobs::<Runtime>::get(CLIENT.to_account_id()), 0);
		assert!(pallet_aitbc_jobs::PendingJobs::<Runtime>::get().is_empty());
		apply(CLIENT, free_job()).expect("the quota is back: a free job is feeless again");
		assert_eq!(balances(), vec![0, 0, 0, 0]);
		assert_eq!(Balances::total_issuance(), 0, "nothing minted, nothing burned");
	});
}

/// What the validators' off-chain workers fetch for a block: every receipt it accepted, with
/// the artifact's hash and the job's size. A provider that withdraws its offer right after its
/// receipt does not escape the check: its artifact has no endpoint, so it counts as
/// unavailable.
#[test]
fn every_receipt_of_a_block_is_checked_even_after_its_provider_withdraws() {
	use aitbc_runtime::configs::MarketplaceTargets;
	use pallet_aitbc_probes::{artifacts::artifact_url, ProbeTargets};
	development_ext().execute_with(|| {
		start_block(1);
		apply(GOVERNANCE, add_model()).expect("governance adds a model");
		apply(
			GOVERNANCE,
			RuntimeCall::Marketplace(pallet_aitbc_marketplace::Call::approve_provider {
				provider: PROVIDER.to_account_id(),
			}),
		)
		.expect("governance approves");
		apply(PROVIDER, offer(PROVIDER)).expect("offer");
		apply(CLIENT, free_job()).expect("free job");
		apply(PROVIDER, RuntimeCall::Jobs(pallet_aitbc_jobs::Call::claim_job { job_id: 0 }))
			.expect("claim");
		let units = pallet_aitbc_jobs::Jobs::<Runtime>::get(0).expect("job").units;
		let honest = receipt(0, PROVIDER, units);
		apply(PROVIDER, receipt_call(honest.clone(), &worker_pair(PROVIDER))).expect("receipt");
		assert!(MarketplaceTargets::receipted_in(0).is_empty(), "nothing accepted in block 0");
		let targets = MarketplaceTargets::receipted_in(1);
		assert_eq!(targets.len(), 1);
		let target = &targets[0];
		assert_eq!((target.job_id, target.sha256), (0, honest.artifact_sha256));
		assert_eq!((target.width, target.height), (params().width, params().height));
		assert_eq!(
			artifact_url(&target.endpoint, &target.sha256),
			Some(format!("http://127.0.0.1:8090/v1/artifacts/{}", hex(&honest.artifact_sha256)))
		);

		apply(PROVIDER, RuntimeCall::Marketplace(pallet_aitbc_marketplace::Call::deregister {}))
			.expect("the provider withdraws its offer in the same block");
		let targets = MarketplaceTargets::receipted_in(1);
		assert_eq!(targets.len(), 1, "still checked");
		assert_eq!(artifact_url(&targets[0].endpoint, &targets[0].sha256), None, "unavailable");
	});
}

fn hex(bytes: &[u8]) -> String {
	bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}
