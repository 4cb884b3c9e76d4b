//! Tests of receipt verification and minting with real sr25519/ed25519 signatures; after each,
//! the invariants of all three pallets and "issuance = endowment + minted" are checked.

use crate::{mock::*, Attestation, Call, Error, Event, KeySignature, SignedReceipt, TotalMinted};
use aitbc_primitives::{ExecutionInfo, JobParams, Scheduler};
use aitbc_primitives::{JobId, Receipt};
use frame_support::{
	assert_noop, assert_ok,
	dispatch::CheckIfFeeless,
	pallet_prelude::{
		InvalidTransaction, TransactionSource, TransactionValidityError, ValidTransaction, Weight,
	},
	traits::{fungible::Inspect, Authorize, ConstU32},
	BoundedVec,
};
use pallet_aitbc_jobs::{JobState, Jobs as JobsStorage};
use sp_core::Pair;
use sp_runtime::DispatchError::{self, BadOrigin};
use sp_runtime::DispatchResult;

const PROMPT: &str = "a red circle on a blue background";

fn params() -> JobParams {
	JobParams {
		steps: 20,
		guidance_milli: 7_500,
		width: 256,
		height: 256,
		seed: 3,
		scheduler: Scheduler::Ddim,
	}
}

/// ALICE submits a job paying 100; `provider` claims it. Returns the job id.
fn assigned_job(provider: u64) -> JobId {
	assigned_job_of(ALICE, provider)
}

/// A job of `client`, paying 100, claimed by `provider`.
fn assigned_job_of(client: u64, provider: u64) -> JobId {
	let id = pallet_aitbc_jobs::NextJobId::<Test>::get();
	assert_ok!(Jobs::submit_job(
		RuntimeOrigin::signed(client),
		0,
		BoundedVec::truncate_from(PROMPT.as_bytes().to_vec()),
		params(),
		10,
		100,
		20
	));
	assert_ok!(Jobs::claim_job(RuntimeOrigin::signed(provider), id));
	id
}

/// Two jobs assigned to PROVIDER, then (a block later: a block's deadlines hold two jobs) one
/// assigned to OTHER_PROVIDER.
fn two_jobs_then_another_providers() -> (JobId, JobId, JobId) {
	let a = assigned_job(PROVIDER);
	let b = assigned_job(PROVIDER);
	run_to_block(2);
	(a, b, assigned_job(OTHER_PROVIDER))
}

fn genesis_hash() -> [u8; 32] {
	System::block_hash(0).0
}

/// The receipt PROVIDER's worker would produce for `job_id`.
fn receipt_for(job_id: JobId, provider: u64, key: aitbc_primitives::WorkerKey) -> Receipt<u64> {
	Receipt {
		job_id,
		provider,
		worker_key: key,
		client: ALICE,
		model_id: 0,
		units: 5_000,
		gpu_ms: 800,
		prompt_hash: aitbc_primitives::prompt_hash(PROMPT.as_bytes()),
		params_hash: params().hash(),
		artifact_sha256: [0xab; 32],
		started_at: 1_000,
		finished_at: 1_800,
		nonce: 1,
		genesis_hash: genesis_hash(),
		execution: ExecutionInfo {
			execution_provider: BoundedVec::truncate_from(b"CPUExecutionProvider".to_vec()),
			device: BoundedVec::truncate_from(b"cpu".to_vec()),
			runtime_version: BoundedVec::truncate_from(b"onnxruntime 1.31.1".to_vec()),
		},
	}
}

fn sign(receipt: &Receipt<u64>) -> KeySignature {
	KeySignature(provider_pair().sign(&receipt.signing_message()).0)
}

/// OTHER_PROVIDER's signature (ed25519 worker key) of `receipt`.
fn sign_other(receipt: &Receipt<u64>) -> KeySignature {
	KeySignature(other_provider_pair().sign(&receipt.signing_message()).0)
}

/// The receipt OTHER_PROVIDER's worker would produce for `job_id`.
fn other_receipt(job_id: JobId) -> Receipt<u64> {
	receipt_for(job_id, OTHER_PROVIDER, other_provider_key())
}

fn submit(who: u64, receipt: &Receipt<u64>, signature: KeySignature) -> DispatchResult {
	Receipts::submit_receipt(
		RuntimeOrigin::signed(who),
		receipt.clone(),
		signature,
		BoundedVec::new(),
	)
}

#[test]
fn valid_receipt_is_accepted_then_minted_after_the_challenge_window() {
	build_and_execute(|| {
		let job = assigned_job(PROVIDER);
		let receipt = receipt_for(job, PROVIDER, provider_key());
		assert_ok!(submit(PROVIDER, &receipt, sign(&receipt)));
		let stored = crate::Receipts::<Test>::get(PROVIDER, receipt.hash()).unwrap();
		assert_eq!((stored.accepted_at, stored.final_at), (1, 4));
		assert_eq!(stored.receipt, receipt);
		assert_eq!(crate::Pallet::<Test>::receipt_of(job), Some(stored), "found by job alone");
		assert!(matches!(
			JobsStorage::<Test>::get(job).unwrap().state,
			JobState::Receipted { receipt_hash, gpu_ms: 800, .. } if receipt_hash == receipt.hash()
		));
		System::assert_last_event(
			Event::ReceiptAccepted {
				job_id: job,
				provider: PROVIDER,
				receipt_hash: receipt.hash(),
				final_at: 4,
			}
			.into(),
		);

		run_to_block(3);
		assert_eq!(Balances::balance(&PROVIDER), 0, "nothing before the window closes");
		run_to_block(4);
		// 5 units at price 2 = 10 minted, plus the client's 100.
		assert_eq!(Balances::balance(&PROVIDER), 110);
		assert_eq!(TotalMinted::<Test>::get(), 10);
		assert!(crate::Pallet::<Test>::receipt_of(job).is_some(), "still found by job");
		assert!(matches!(
			JobsStorage::<Test>::get(job).unwrap().state,
			JobState::Finalized { minted: 10, .. }
		));
		assert!(matches!(JobsStorage::<Test>::get(job).unwrap().state, JobState::Finalized { .. }));
		System::assert_has_event(
			pallet_aitbc_jobs::Event::JobFinalized {
				job_id: job,
				provider: PROVIDER,
				payment: 100,
				minted: 10,
			}
			.into(),
		);
	});
}

#[test]
fn ed25519_worker_keys_work_too() {
	build_and_execute(|| {
		let job = assigned_job(OTHER_PROVIDER);
		let receipt = receipt_for(job, OTHER_PROVIDER, other_provider_key());
		let signature = sign_other(&receipt);
		assert_ok!(submit(OTHER_PROVIDER, &receipt, signature));
	});
}

#[test]
fn a_replayed_receipt_is_rejected_and_changes_nothing() {
	build_and_execute(|| {
		let job = assigned_job(PROVIDER);
		let receipt = receipt_for(job, PROVIDER, provider_key());
		assert_ok!(submit(PROVIDER, &receipt, sign(&receipt)));
		assert_noop!(submit(PROVIDER, &receipt, sign(&receipt)), Error::<Test>::ReceiptReplayed);
		run_to_block(4);
		assert_noop!(submit(PROVIDER, &receipt, sign(&receipt)), Error::<Test>::ReceiptReplayed);
		assert_eq!(TotalMinted::<Test>::get(), 10, "minted once");
	});
}

#[test]
fn each_bad_receipt_fails_with_its_named_error() {
	build_and_execute(|| {
		let job = assigned_job(PROVIDER);
		let good = receipt_for(job, PROVIDER, provider_key());
		let with = |change: &dyn Fn(&mut Receipt<u64>)| {
			let mut r = good.clone();
			change(&mut r);
			let s = sign(&r);
			(r, s)
		};
		let check = |(r, s): (Receipt<u64>, KeySignature), error: Error<Test>| {
			assert_noop!(submit(PROVIDER, &r, s), error);
		};
		check(with(&|r| r.units += 1), Error::<Test>::WrongUnits);
		check(with(&|r| r.model_id = 1), Error::<Test>::WrongModel);
		check(with(&|r| r.client = BOB), Error::<Test>::WrongClient);
		check(with(&|r| r.prompt_hash = [0; 32]), Error::<Test>::WrongPromptHash);
		check(with(&|r| r.params_hash = [0; 32]), Error::<Test>::WrongParamsHash);
		check(with(&|r| r.genesis_hash = [1; 32]), Error::<Test>::WrongGenesis);
		check(with(&|r| r.finished_at = 0), Error::<Test>::InvalidTimes);
		check(with(&|r| r.job_id = 99), Error::<Test>::JobNotAssigned);

		// Signed by a key nobody registered.
		let charlie = sp_keyring::Sr25519Keyring::Charlie.pair();
		let mut r = good.clone();
		r.worker_key = aitbc_primitives::WorkerKey::Sr25519(charlie.public().0);
		let s = KeySignature(charlie.sign(&r.signing_message()).0);
		assert_noop!(submit(PROVIDER, &r, s), Error::<Test>::UnregisteredWorkerKey);

		// The other provider's key on this provider's receipt.
		let mut r = good.clone();
		r.worker_key = other_provider_key();
		let s = sign_other(&r);
		assert_noop!(submit(PROVIDER, &r, s), Error::<Test>::UnregisteredWorkerKey);

		// A signature over something else.
		assert_noop!(
			submit(PROVIDER, &good, sign(&receipt_for(job + 1, PROVIDER, provider_key()))),
			Error::<Test>::InvalidSignature
		);

		// Someone else submitting the provider's receipt.
		assert_noop!(submit(OTHER_PROVIDER, &good, sign(&good)), Error::<Test>::NotReceiptProvider);
		assert_noop!(
			Receipts::submit_receipt(
				RuntimeOrigin::none(),
				good.clone(),
				sign(&good),
				BoundedVec::new()
			),
			BadOrigin
		);
	});
}

#[test]
fn a_receipt_for_someone_elses_job_is_rejected() {
	build_and_execute(|| {
		let job = assigned_job(PROVIDER);
		let receipt = receipt_for(job, OTHER_PROVIDER, other_provider_key());
		let signature = sign_other(&receipt);
		assert_noop!(
			submit(OTHER_PROVIDER, &receipt, signature),
			Error::<Test>::NotAssignedProvider
		);
		assert_eq!(Balances::balance(&OTHER_PROVIDER), 0);
	});
}

#[test]
fn expired_jobs_cannot_be_receipted() {
	build_and_execute(|| {
		let job = assigned_job(PROVIDER);
		run_to_block(21);
		assert!(matches!(JobsStorage::<Test>::get(job).unwrap().state, JobState::Expired { .. }));
		let receipt = receipt_for(job, PROVIDER, provider_key());
		assert_noop!(submit(PROVIDER, &receipt, sign(&receipt)), Error::<Test>::JobNotAssigned);
	});
}

#[test]
fn valid_receipts_are_feeless_and_invalid_ones_are_not() {
	build_and_execute(|| {
		let job = assigned_job(PROVIDER);
		let receipt = receipt_for(job, PROVIDER, provider_key());
		let call = |r: &Receipt<u64>, s| {
			RuntimeCall::Receipts(Call::submit_receipt {
				receipt: r.clone(),
				signature: s,
				attestations: BoundedVec::new(),
			})
		};
		assert!(call(&receipt, sign(&receipt)).is_feeless(&RuntimeOrigin::signed(PROVIDER)));
		assert!(!call(&receipt, sign(&receipt)).is_feeless(&RuntimeOrigin::signed(BOB)));
		let mut wrong = receipt.clone();
		wrong.units = 1;
		assert!(!call(&wrong, sign(&wrong)).is_feeless(&RuntimeOrigin::signed(PROVIDER)));
	});
}

/// A batch entry for `receipt`, signed by PROVIDER's worker key.
fn signed(receipt: &Receipt<u64>) -> SignedReceipt<u64, ConstU32<2>> {
	SignedReceipt {
		receipt: receipt.clone(),
		signature: sign(receipt),
		attestations: BoundedVec::new(),
	}
}

fn submit_batch(who: u64, batch: Vec<SignedReceipt<u64, ConstU32<2>>>) -> DispatchResult {
	Receipts::submit_receipts(RuntimeOrigin::signed(who), BoundedVec::truncate_from(batch))
}

#[test]
fn a_batch_is_accepted_whole_and_mints_each_receipt() {
	build_and_execute(|| {
		let jobs = [assigned_job(PROVIDER), assigned_job(PROVIDER)];
		let receipts = jobs.map(|job| receipt_for(job, PROVIDER, provider_key()));
		assert_ok!(submit_batch(PROVIDER, receipts.iter().map(signed).collect()));
		assert_eq!(crate::FinalizeAt::<Test>::get(4, PROVIDER).into_inner(), jobs.to_vec());
		assert_eq!(
			crate::FinalizeLoad::<Test>::get(4),
			crate::FinalizationLoad { receipts: 2, providers: 1 }
		);
		for (job, receipt) in jobs.iter().zip(&receipts) {
			let stored = crate::Receipts::<Test>::get(PROVIDER, receipt.hash()).unwrap();
			assert_eq!(stored.receipt.job_id, *job);
			System::assert_has_event(
				Event::ReceiptAccepted {
					job_id: *job,
					provider: PROVIDER,
					receipt_hash: receipt.hash(),
					final_at: 4,
				}
				.into(),
			);
		}
		run_to_block(4);
		// Two receipts of 5 units at price 2, plus the client's 100 for each.
		assert_eq!(Balances::balance(&PROVIDER), 220);
		assert_eq!(TotalMinted::<Test>::get(), 20);
		assert!(jobs.iter().all(|job| matches!(
			JobsStorage::<Test>::get(job).unwrap().state,
			JobState::Finalized { .. }
		)));
	});
}

#[test]
fn a_batch_with_one_bad_receipt_stores_nothing() {
	build_and_execute(|| {
		let a = assigned_job(PROVIDER);
		let b = assigned_job(PROVIDER);
		let good = receipt_for(a, PROVIDER, provider_key());
		let mut wrong_units = receipt_for(b, PROVIDER, provider_key());
		wrong_units.units += 1;
		assert_noop!(
			submit_batch(PROVIDER, vec![signed(&good), signed(&wrong_units)]),
			Error::<Test>::WrongUnits
		);
		assert_noop!(
			submit_batch(PROVIDER, vec![signed(&wrong_units), signed(&good)]),
			Error::<Test>::WrongUnits
		);
		let mut bad_signature = signed(&receipt_for(b, PROVIDER, provider_key()));
		bad_signature.signature = sign(&good);
		assert_noop!(
			submit_batch(PROVIDER, vec![signed(&good), bad_signature]),
			Error::<Test>::InvalidSignature
		);
		// A job of another provider in the batch (claimed a block later: two deadlines per block).
		run_to_block(2);
		let other = assigned_job(OTHER_PROVIDER);
		assert_noop!(
			submit_batch(
				PROVIDER,
				vec![signed(&good), signed(&receipt_for(other, PROVIDER, provider_key()))]
			),
			Error::<Test>::NotAssignedProvider
		);
		// A receipt already accepted on its own.
		assert_ok!(submit(PROVIDER, &good, sign(&good)));
		let second = receipt_for(b, PROVIDER, provider_key());
		assert_noop!(
			submit_batch(PROVIDER, vec![signed(&second), signed(&good)]),
			Error::<Test>::ReceiptReplayed
		);
		assert_ok!(submit_batch(PROVIDER, vec![signed(&second)]));
	});
}

#[test]
fn empty_and_duplicate_batches_are_rejected() {
	build_and_execute(|| {
		let job = assigned_job(PROVIDER);
		let receipt = receipt_for(job, PROVIDER, provider_key());
		assert_noop!(submit_batch(PROVIDER, vec![]), Error::<Test>::EmptyBatch);
		assert_noop!(
			submit_batch(PROVIDER, vec![signed(&receipt), signed(&receipt)]),
			Error::<Test>::DuplicateJobInBatch
		);
		// Two different receipts for one job.
		let mut again = receipt.clone();
		again.nonce += 1;
		assert_noop!(
			submit_batch(PROVIDER, vec![signed(&receipt), signed(&again)]),
			Error::<Test>::DuplicateJobInBatch
		);
		assert_noop!(
			Receipts::submit_receipts(
				RuntimeOrigin::none(),
				BoundedVec::truncate_from(vec![signed(&receipt)])
			),
			BadOrigin
		);
	});
}

#[test]
fn batches_are_feeless_only_when_every_receipt_is_valid() {
	build_and_execute(|| {
		let a = assigned_job(PROVIDER);
		let b = assigned_job(PROVIDER);
		let good = [a, b].map(|job| receipt_for(job, PROVIDER, provider_key()));
		let call = |batch: Vec<SignedReceipt<u64, ConstU32<2>>>| {
			RuntimeCall::Receipts(Call::submit_receipts {
				receipts: BoundedVec::truncate_from(batch),
			})
		};
		let provider = RuntimeOrigin::signed(PROVIDER);
		assert!(call(good.iter().map(signed).collect()).is_feeless(&provider));
		assert!(!call(good.iter().map(signed).collect()).is_feeless(&RuntimeOrigin::signed(BOB)));
		let mut wrong = good[1].clone();
		wrong.units = 1;
		assert!(!call(vec![signed(&good[0]), signed(&wrong)]).is_feeless(&provider));
		assert!(!call(vec![signed(&good[0]), signed(&good[0])]).is_feeless(&provider));
		assert!(!call(vec![]).is_feeless(&provider));
	});
}

/// Authorizes `batch` as the pool and the block builder do for a general transaction.
fn authorize_batch(
	batch: Vec<SignedReceipt<u64, ConstU32<2>>>,
) -> Result<ValidTransaction, TransactionValidityError> {
	let call =
		Call::<Test>::submit_receipts_authorized { receipts: BoundedVec::truncate_from(batch) };
	let (validity, refund) = call
		.authorize(TransactionSource::External)
		.expect("submit_receipts_authorized is authorizable")?;
	assert_eq!(refund, Weight::zero());
	Ok(validity)
}

/// The invalid-transaction code an authorization fails with for `error`.
fn rejected(error: Error<Test>) -> TransactionValidityError {
	let DispatchError::Module(module) = DispatchError::from(error) else { unreachable!() };
	InvalidTransaction::Custom(module.error[0]).into()
}

fn authorized() -> RuntimeOrigin {
	frame_system::RawOrigin::Authorized.into()
}

#[test]
fn an_authorized_batch_is_checked_once_then_recorded_and_minted() {
	build_and_execute(|| {
		let jobs = [assigned_job(PROVIDER), assigned_job(PROVIDER)];
		let batch: Vec<_> =
			jobs.iter().map(|job| signed(&receipt_for(*job, PROVIDER, provider_key()))).collect();
		let validity = authorize_batch(batch.clone()).unwrap();
		// One pool tag per job, shared with any other batch that names the job.
		assert_eq!(validity.provides.len(), 2);
		assert_ne!(validity.provides[0], validity.provides[1]);
		assert_eq!(
			authorize_batch(vec![batch[1].clone()]).unwrap().provides,
			vec![validity.provides[1].clone()]
		);
		assert_ok!(Receipts::submit_receipts_authorized(
			authorized(),
			BoundedVec::truncate_from(batch)
		));
		assert_eq!(crate::FinalizeAt::<Test>::get(4, PROVIDER).into_inner(), jobs.to_vec());
		run_to_block(4);
		// Two receipts of 5 units at price 2, plus the client's 100 for each.
		assert_eq!(Balances::balance(&PROVIDER), 220);
		assert_eq!(TotalMinted::<Test>::get(), 20);
	});
}

#[test]
fn authorization_refuses_a_bad_batch_with_its_error_and_writes_nothing() {
	build_and_execute(|| {
		let (a, b, other) = two_jobs_then_another_providers();
		let good = receipt_for(a, PROVIDER, provider_key());
		let root = sp_io::storage::root(sp_runtime::StateVersion::V1);
		assert_eq!(authorize_batch(vec![]), Err(rejected(Error::<Test>::EmptyBatch)));
		let mut wrong_units = receipt_for(b, PROVIDER, provider_key());
		wrong_units.units += 1;
		assert_eq!(
			authorize_batch(vec![signed(&good), signed(&wrong_units)]),
			Err(rejected(Error::<Test>::WrongUnits))
		);
		let mut forged = signed(&receipt_for(b, PROVIDER, provider_key()));
		forged.signature = sign_other(&forged.receipt);
		assert_eq!(authorize_batch(vec![forged]), Err(rejected(Error::<Test>::InvalidSignature)));
		// Every receipt must be the first one's provider's.
		let other_entry = SignedReceipt {
			receipt: other_receipt(other),
			signature: sign_other(&other_receipt(other)),
			attestations: BoundedVec::new(),
		};
		assert!(authorize_batch(vec![other_entry.clone()]).is_ok());
		assert_eq!(
			authorize_batch(vec![signed(&good), other_entry]),
			Err(rejected(Error::<Test>::NotReceiptProvider))
		);
		assert_eq!(
			authorize_batch(vec![signed(&good), signed(&good)]),
			Err(rejected(Error::<Test>::DuplicateJobInBatch))
		);
		assert_eq!(root, sp_io::storage::root(sp_runtime::StateVersion::V1), "nothing written");
		// Once accepted, the same receipt is a replay.
		assert_ok!(Receipts::submit_receipts_authorized(
			authorized(),
			BoundedVec::truncate_from(vec![signed(&good)])
		));
		assert_eq!(
			authorize_batch(vec![signed(&good)]),
			Err(rejected(Error::<Test>::ReceiptReplayed))
		);
	});
}

#[test]
fn authorized_and_signed_submissions_do_not_mix() {
	build_and_execute(|| {
		let receipt = receipt_for(assigned_job(PROVIDER), PROVIDER, provider_key());
		let batch = || BoundedVec::truncate_from(vec![signed(&receipt)]);
		// The authorized call takes no other origin: it skips the checks only because its
		// authorization ran them.
		assert_noop!(
			Receipts::submit_receipts_authorized(RuntimeOrigin::signed(PROVIDER), batch()),
			BadOrigin
		);
		assert_noop!(
			Receipts::submit_receipts_authorized(RuntimeOrigin::none(), batch()),
			BadOrigin
		);
		// The signed calls take no authorized origin, and authorize nothing.
		assert_noop!(Receipts::submit_receipts(authorized(), batch()), BadOrigin);
		assert_noop!(
			Receipts::submit_receipt(
				authorized(),
				receipt.clone(),
				sign(&receipt),
				BoundedVec::new()
			),
			BadOrigin
		);
		assert!(Call::<Test>::submit_receipts { receipts: batch() }
			.authorize(TransactionSource::External)
			.is_none());
		// An authorized batch pays no fee.
		let call = Call::<Test>::submit_receipts_authorized { receipts: batch() };
		assert_eq!(
			frame_support::dispatch::GetDispatchInfo::get_dispatch_info(&call).pays_fee,
			frame_support::dispatch::Pays::No
		);
	});
}

#[test]
fn a_batch_that_does_not_fit_its_finalization_block_stores_nothing() {
	build_and_execute(|| {
		MaxReceiptsPerBlock::set(2);
		let (a, b, c) = two_jobs_then_another_providers();
		run_to_block(3);
		let r = other_receipt(c);
		let s = sign_other(&r);
		assert_ok!(submit(OTHER_PROVIDER, &r, s));
		let batch: Vec<_> =
			[a, b].iter().map(|job| signed(&receipt_for(*job, PROVIDER, provider_key()))).collect();
		assert_noop!(submit_batch(PROVIDER, batch.clone()), Error::<Test>::FinalizationBlockFull);
		run_to_block(4);
		assert_ok!(submit_batch(PROVIDER, batch));
		run_to_block(9);
		assert_eq!(TotalMinted::<Test>::get(), 30, "three receipts of 10 each");
	});
}

#[test]
fn governance_caps_the_minting_price() {
	build_and_execute(|| {
		assert_noop!(Receipts::set_max_price_per_unit(RuntimeOrigin::signed(ALICE), 1), BadOrigin);
		assert_ok!(Receipts::set_max_price_per_unit(RuntimeOrigin::root(), 1));
		System::assert_last_event(Event::MaxPricePerUnitSet { price: 1 }.into());
		let job = assigned_job(PROVIDER);
		let receipt = receipt_for(job, PROVIDER, provider_key());
		assert_ok!(submit(PROVIDER, &receipt, sign(&receipt)));
		run_to_block(4);
		assert_eq!(TotalMinted::<Test>::get(), 5, "5 units at the capped price 1");
		assert_eq!(Balances::balance(&PROVIDER), 105);
	});
}

#[test]
fn attestations_when_required() {
	build_and_execute(|| {
		let attester = sp_keyring::Sr25519Keyring::Dave.pair();
		let attester_key = aitbc_primitives::WorkerKey::Sr25519(attester.public().0);
		assert_noop!(
			Receipts::set_attesters(RuntimeOrigin::root(), BoundedVec::new(), true),
			Error::<Test>::AttestationMissing
		);
		assert_noop!(
			Receipts::set_attesters(
				RuntimeOrigin::signed(ALICE),
				BoundedVec::truncate_from(vec![attester_key]),
				true
			),
			BadOrigin
		);
		assert_ok!(Receipts::set_attesters(
			RuntimeOrigin::root(),
			BoundedVec::truncate_from(vec![attester_key]),
			true
		));
		System::assert_last_event(Event::AttestersSet { count: 1, required: true }.into());

		let job = assigned_job(PROVIDER);
		let receipt = receipt_for(job, PROVIDER, provider_key());
		assert_noop!(submit(PROVIDER, &receipt, sign(&receipt)), Error::<Test>::AttestationMissing);

		let forged = Attestation { attester: provider_key(), signature: sign(&receipt) };
		assert_noop!(
			Receipts::submit_receipt(
				RuntimeOrigin::signed(PROVIDER),
				receipt.clone(),
				sign(&receipt),
				BoundedVec::truncate_from(vec![forged])
			),
			Error::<Test>::InvalidAttestation
		);
		let good = Attestation {
			attester: attester_key,
			signature: KeySignature(attester.sign(&receipt.signing_message()).0),
		};
		assert_ok!(Receipts::submit_receipt(
			RuntimeOrigin::signed(PROVIDER),
			receipt.clone(),
			sign(&receipt),
			BoundedVec::truncate_from(vec![good])
		));
	});
}

#[test]
fn finalizations_per_block_are_bounded() {
	build_and_execute(|| {
		MaxReceiptsPerBlock::set(2);
		let (a, b, c) = two_jobs_then_another_providers();
		for job in [a, b] {
			let r = receipt_for(job, PROVIDER, provider_key());
			assert_ok!(submit(PROVIDER, &r, sign(&r)));
		}
		let r = other_receipt(c);
		let s = sign_other(&r);
		assert_noop!(submit(OTHER_PROVIDER, &r, s.clone()), Error::<Test>::FinalizationBlockFull);
		run_to_block(3);
		assert_ok!(submit(OTHER_PROVIDER, &r, s));
		run_to_block(6);
		assert_eq!(TotalMinted::<Test>::get(), 30, "three receipts of 10 each");
	});
}

#[test]
fn providers_finalizing_per_block_are_bounded() {
	build_and_execute(|| {
		MaxProvidersPerBlock::set(1);
		let (a, b, c) = two_jobs_then_another_providers();
		let r = receipt_for(a, PROVIDER, provider_key());
		assert_ok!(submit(PROVIDER, &r, sign(&r)));
		// Room for receipts, but not for a second provider in block 5.
		let r = other_receipt(c);
		let s = sign_other(&r);
		assert_noop!(submit(OTHER_PROVIDER, &r, s.clone()), Error::<Test>::FinalizationBlockFull);
		// The provider already there adds receipts.
		let r = receipt_for(b, PROVIDER, provider_key());
		assert_ok!(submit(PROVIDER, &r, sign(&r)));
		assert_eq!(
			crate::FinalizeLoad::<Test>::get(5),
			crate::FinalizationLoad { receipts: 2, providers: 1 }
		);
		run_to_block(3);
		assert_ok!(submit(OTHER_PROVIDER, &other_receipt(c), s));
		run_to_block(6);
		assert_eq!(TotalMinted::<Test>::get(), 30, "three receipts of 10 each");
		assert_eq!(crate::FinalizeLoad::<Test>::iter().count(), 0, "every load was taken");
	});
}

#[test]
fn a_block_settles_each_provider_once_for_all_its_receipts_and_clients() {
	build_and_execute(|| {
		let alices = assigned_job(PROVIDER);
		let bobs = assigned_job_of(BOB, PROVIDER);
		run_to_block(2); // a third deadline in block 21 would not fit (2 per block)
		let other = assigned_job(OTHER_PROVIDER);
		let batch: Vec<_> = [alices, bobs]
			.iter()
			.map(|job| {
				let mut receipt = receipt_for(*job, PROVIDER, provider_key());
				receipt.client = JobsStorage::<Test>::get(job).unwrap().client;
				signed(&receipt)
			})
			.collect();
		assert_ok!(submit_batch(PROVIDER, batch));
		let r = other_receipt(other);
		assert_ok!(submit(OTHER_PROVIDER, &r, sign_other(&r)));
		assert_eq!(
			crate::FinalizeLoad::<Test>::get(5),
			crate::FinalizationLoad { receipts: 3, providers: 2 }
		);
		System::reset_events();
		run_to_block(5);

		// Each receipt is 5 units at price 2; each job paid 100.
		assert_eq!(Balances::balance(&PROVIDER), 2 * 10 + 2 * 100);
		assert_eq!(Balances::balance(&OTHER_PROVIDER), 10 + 100);
		assert_eq!(Balances::balance(&Jobs::escrow_account()), 0);
		let count = |wanted: fn(&RuntimeEvent) -> bool| {
			System::events().iter().filter(|record| wanted(&record.event)).count()
		};
		assert_eq!(
			count(|e| matches!(e, RuntimeEvent::Balances(pallet_balances::Event::Minted { .. }))),
			2,
			"one mint per provider"
		);
		assert_eq!(
			count(|e| matches!(e, RuntimeEvent::Balances(pallet_balances::Event::Transfer { .. }))),
			2,
			"one payout per provider, for Alice's and Bob's payments together"
		);
		assert_eq!(
			count(|e| {
				matches!(e, RuntimeEvent::Jobs(pallet_aitbc_jobs::Event::JobFinalized { .. }))
			}),
			3,
			"an event per receipt"
		);
		for job in [alices, bobs, other] {
			assert!(matches!(
				JobsStorage::<Test>::get(job).unwrap().state,
				JobState::Finalized { minted: 10, .. }
			));
		}
		assert_eq!(crate::FinalizeAt::<Test>::iter().count(), 0);
	});
}

#[test]
fn mint_amount_rounds_down_and_never_overflows() {
	build_and_execute(|| {
		assert_eq!(Receipts::mint_amount(5_000, 2), Ok(10));
		assert_eq!(Receipts::mint_amount(1_499, 1), Ok(1));
		assert_eq!(Receipts::mint_amount(5_000, 0), Ok(0), "free at bootstrap");
		assert_ok!(Receipts::set_max_price_per_unit(RuntimeOrigin::root(), u128::MAX));
		assert_noop!(Receipts::mint_amount(u64::MAX, u128::MAX), Error::<Test>::MintOverflow);
	});
}

#[test]
fn burn_and_record_burns_and_counts() {
	use frame_support::traits::{fungible::Balanced, OnUnbalanced};
	build_and_execute(|| {
		let before = Balances::total_issuance();
		let credit = <Balances as Balanced<u64>>::withdraw(
			&ALICE,
			40,
			frame_support::traits::tokens::Precision::Exact,
			frame_support::traits::tokens::Preservation::Preserve,
			frame_support::traits::tokens::Fortitude::Polite,
		)
		.unwrap();
		crate::BurnAndRecord::<Test>::on_unbalanced(credit);
		assert_eq!(Balances::total_issuance(), before - 40);
		assert_eq!(crate::TotalBurned::<Test>::get(), 40);
	});
}

/// A small deterministic generator, so every sequence below can be replayed from its seed.
struct Rng(u64);
impl Rng {
	fn next(&mut self) -> u64 {
		self.0 ^= self.0 << 13;
		self.0 ^= self.0 >> 7;
		self.0 ^= self.0 << 17;
		self.0
	}
	fn below(&mut self, n: u64) -> u64 {
		self.next() % n
	}
}

fn dispatch(who: u64, call: RuntimeCall) {
	use sp_runtime::traits::Dispatchable;
	// Failures are expected in random sequences; what matters is that they change nothing
	// the invariants can see.
	let _ = call.dispatch(RuntimeOrigin::signed(who));
}

/// Property: after any sequence of submit / claim / receipt / cancel / expire / finalize /
/// bond / unbond / withdraw / slash, every pallet's invariants hold and
/// issuance = endowment + minted − burned − slashed.
#[test]
fn money_invariants_hold_over_random_sequences() {
	// What the sequences exercised, so the property cannot hold vacuously.
	let (mut minted, mut expired, mut cancelled, mut slashed, mut bonded) =
		(0u128, 0usize, 0usize, 0u128, 0usize);
	for seed in 1..=60u64 {
		new_test_ext().execute_with(|| {
			let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
			for step in 0..80u64 {
				let next_job = pallet_aitbc_jobs::NextJobId::<Test>::get();
				let job_id = rng.below(next_job + 1);
				let provider = [PROVIDER, OTHER_PROVIDER][rng.below(2) as usize];
				let client = [ALICE, BOB][rng.below(2) as usize];
				match rng.below(9) {
					0 | 1 => dispatch(
						client,
						RuntimeCall::Jobs(pallet_aitbc_jobs::Call::submit_job {
							model_id: 0,
							prompt: BoundedVec::truncate_from(PROMPT.as_bytes().to_vec()),
							params: params(),
							max_price_per_unit: 10,
							payment: rng.below(60) as u128,
							deadline_blocks: 2 + rng.below(6),
						}),
					),
					2 => dispatch(
						provider,
						RuntimeCall::Jobs(pallet_aitbc_jobs::Call::claim_job { job_id }),
					),
					3 => {
						// The assigned provider's honest receipt, when the job is assigned.
						if let Some(job) =
							<pallet_aitbc_jobs::Pallet<Test> as pallet_aitbc_jobs::JobLedger<
								_,
								_,
							>>::assigned(job_id)
						{
							let owner_key = if job.provider == PROVIDER {
								provider_key()
							} else {
								other_provider_key()
							};
							let mut r = receipt_for(job_id, job.provider, owner_key);
							r.client = job.client;
							r.params_hash = job.params_hash;
							r.nonce = step;
							let signature = if job.provider == PROVIDER {
								KeySignature(provider_pair().sign(&r.signing_message()).0)
							} else {
								sign_other(&r)
							};
							dispatch(
								job.provider,
								RuntimeCall::Receipts(Call::submit_receipt {
									receipt: r,
									signature,
									attestations: BoundedVec::new(),
								}),
							);
						}
					},
					4 => dispatch(
						client,
						RuntimeCall::Jobs(pallet_aitbc_jobs::Call::cancel_job { job_id }),
					),
					5 => run_to_block(System::block_number() + 1 + rng.below(4)),
					6 => dispatch(
						provider,
						RuntimeCall::ProviderStaking(pallet_aitbc_staking::Call::bond {
							amount: 1 + rng.below(20) as u128,
						}),
					),
					7 => dispatch(
						provider,
						if rng.below(2) == 0 {
							RuntimeCall::ProviderStaking(pallet_aitbc_staking::Call::unbond {
								amount: 1 + rng.below(10) as u128,
							})
						} else {
							RuntimeCall::ProviderStaking(
								pallet_aitbc_staking::Call::withdraw_unbonded {},
							)
						},
					),
					_ => {
						let _ = pallet_aitbc_staking::Pallet::<Test>::slash_failed_check(&provider);
					},
				}
				check_invariants();
			}
			// Let everything in flight end: jobs expire or finalize; the ledger still balances.
			run_to_block(System::block_number() + 20);
			check_invariants();
			assert!(
				pallet_aitbc_jobs::Jobs::<Test>::iter().all(|(_, job)| !matches!(
					job.state,
					JobState::Assigned { .. } | JobState::Receipted { .. }
				)),
				"seed {seed}: nothing is left assigned or receipted"
			);
			minted += TotalMinted::<Test>::get();
			slashed += pallet_aitbc_staking::TotalSlashed::<Test>::get();
			expired += pallet_aitbc_jobs::Jobs::<Test>::iter()
				.filter(|(_, j)| matches!(j.state, JobState::Expired { .. }))
				.count();
			cancelled += pallet_aitbc_jobs::Jobs::<Test>::iter()
				.filter(|(_, j)| j.state == JobState::Cancelled)
				.count();
			bonded += pallet_aitbc_staking::Bonded::<Test>::iter().count();
		});
	}
	assert!(minted > 0 && expired > 0 && cancelled > 0 && slashed > 0 && bonded > 0,
		"minted {minted}, expired {expired}, cancelled {cancelled}, slashed {slashed}, bonded {bonded}");
}

#[test]
fn the_issuance_ledger_catches_aitbc_minted_outside_receipts() {
	use frame_support::traits::fungible::Mutate;
	new_test_ext().execute_with(|| {
		assert_ok!(crate::Pallet::<Test>::do_try_state());
		assert_ok!(<Balances as Mutate<u64>>::mint_into(&ALICE, 5));
		assert!(
			crate::Pallet::<Test>::do_try_state().is_err(),
			"a mint that is not a receipt breaks the ledger"
		);
	});
}
