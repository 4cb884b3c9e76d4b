//! Benchmarks of the receipts pallet (frame-benchmarking v2), each at its worst case: every
//! check passes (including sr25519 verification), attestations at the maximum, full
//! finalization queues.

use super::*;
use aitbc_primitives::ExecutionInfo;
use frame_benchmarking::v2::*;
use frame_support::traits::Hooks;
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use sp_core::crypto::KeyTypeId;

/// Key type of the keys generated in the benchmark keystore.
const BENCH_KEY: KeyTypeId = KeyTypeId(*b"aitb");

fn new_key() -> (WorkerKey, sp_core::sr25519::Public) {
	let public = sp_io::crypto::sr25519_generate(BENCH_KEY, None);
	(WorkerKey::Sr25519(public.0), public)
}

fn sign(public: &sp_core::sr25519::Public, message: &[u8]) -> KeySignature {
	let signature =
		sp_io::crypto::sr25519_sign(BENCH_KEY, public, message).expect("key is in the keystore");
	KeySignature(signature.0)
}

/// A valid receipt for a freshly assigned job of `provider`, and its signature.
fn signed_receipt<T: Config>(
	provider: &T::AccountId,
	nonce: u64,
) -> (Receipt<T::AccountId>, KeySignature) {
	let (worker_key, public) = new_key();
	let receipt = receipt_for_new_job::<T>(provider, worker_key, nonce);
	let signature = sign(&public, &receipt.signing_message());
	(receipt, signature)
}

/// The receipt `worker_key` would sign for a freshly assigned job of `provider`.
fn receipt_for_new_job<T: Config>(
	provider: &T::AccountId,
	worker_key: WorkerKey,
	nonce: u64,
) -> Receipt<T::AccountId> {
	let job_id = T::BenchmarkHelper::assigned_job(provider, worker_key);
	let job = T::Jobs::assigned(job_id).expect("helper assigned the job");
	let genesis = frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero());
	let mut genesis_hash = [0u8; 32];
	genesis_hash.copy_from_slice(genesis.as_ref());
	Receipt {
		job_id,
		provider: provider.clone(),
		worker_key,
		client: job.client,
		model_id: job.model_id,
		units: job.units,
		gpu_ms: 1_000,
		prompt_hash: job.prompt_hash,
		params_hash: job.params_hash,
		artifact_sha256: [1; 32],
		started_at: 1,
		finished_at: 2,
		nonce,
		genesis_hash,
		execution: ExecutionInfo {
			execution_provider: BoundedVec::truncate_from(alloc::vec![b'e'; 32]),
			device: BoundedVec::truncate_from(alloc::vec![b'd'; 64]),
			runtime_version: BoundedVec::truncate_from(alloc::vec![b'r'; 32]),
		},
	}
}

/// `n` valid receipts of `provider`, without attestations.
fn signed_batch<T: Config>(
	provider: &T::AccountId,
	n: u32,
) -> BoundedVec<SignedReceiptOf<T>, T::MaxReceiptBatch> {
	let batch: alloc::vec::Vec<SignedReceiptOf<T>> = (0..n)
		.map(|i| {
			let (receipt, signature) = signed_receipt::<T>(provider, i as u64);
			SignedReceipt { receipt, signature, attestations: BoundedVec::new() }
		})
		.collect();
	BoundedVec::truncate_from(batch)
}

/// Fills the finalization slot that receipts accepted now join, to its worst case for `n` more
/// receipts of `provider`: `provider`'s entry holds all the other receipts the block may take
/// (their decode and encode is the cost that grows), and all the other providers are there.
fn fill_finalization_slot<T: Config>(provider: &T::AccountId, n: u32) {
	let at = frame_system::Pallet::<T>::block_number().saturating_add(T::ChallengeWindow::get());
	let others = T::MaxReceiptsPerBlock::get().saturating_sub(n);
	// Placeholder ids: only their encoded size matters here.
	let ids: alloc::vec::Vec<JobId> = (0..others).map(|i| JobId::MAX - i as JobId).collect();
	if !ids.is_empty() {
		FinalizeAt::<T>::insert(at, provider, BoundedVec::truncate_from(ids));
	}
	FinalizeLoad::<T>::insert(
		at,
		FinalizationLoad { receipts: others, providers: T::MaxProvidersPerBlock::get() },
	);
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn submit_receipt(a: Linear<0, { T::MaxAttesters::get() }>) -> Result<(), BenchmarkError> {
		let provider: T::AccountId = account("provider", 0, 0);
		let (receipt, signature) = signed_receipt::<T>(&provider, 0);
		let attester_keys: alloc::vec::Vec<_> = (0..a).map(|_| new_key()).collect();
		let message = receipt.signing_message();
		let attestations: alloc::vec::Vec<Attestation> = attester_keys
			.iter()
			.map(|(key, public)| Attestation { attester: *key, signature: sign(public, &message) })
			.collect();
		Attesters::<T>::put(BoundedVec::truncate_from(
			attester_keys.iter().map(|(k, _)| *k).collect::<alloc::vec::Vec<_>>(),
		));
		AttestationRequired::<T>::put(a > 0);
		fill_finalization_slot::<T>(&provider, 1);
		let receipt_hash = receipt.hash();
		#[extrinsic_call]
		_(
			RawOrigin::Signed(provider.clone()),
			receipt,
			signature,
			BoundedVec::truncate_from(attestations),
		);
		assert!(Receipts::<T>::contains_key(&provider, receipt_hash));
		Ok(())
	}

	/// One provider's batch of `n` receipts, each for another client's job and signed by
	/// another worker key (no lookup is shared).
	#[benchmark]
	fn submit_receipts(n: Linear<1, { T::MaxReceiptBatch::get() }>) -> Result<(), BenchmarkError> {
		let provider: T::AccountId = account("provider", 0, 0);
		let batch = signed_batch::<T>(&provider, n);
		fill_finalization_slot::<T>(&provider, n);
		let hashes: alloc::vec::Vec<Hash32> = batch.iter().map(|s| s.receipt.hash()).collect();
		#[extrinsic_call]
		_(RawOrigin::Signed(provider.clone()), batch);
		assert!(hashes.iter().all(|hash| Receipts::<T>::contains_key(&provider, hash)));
		Ok(())
	}

	/// Dispatch of an authorized batch: `authorize_receipts` ran the checks, so this is the
	/// recording alone.
	#[benchmark]
	fn submit_receipts_authorized(
		n: Linear<1, { T::MaxReceiptBatch::get() }>,
	) -> Result<(), BenchmarkError> {
		let provider: T::AccountId = account("provider", 0, 0);
		let batch = signed_batch::<T>(&provider, n);
		fill_finalization_slot::<T>(&provider, n);
		let hashes: alloc::vec::Vec<Hash32> = batch.iter().map(|s| s.receipt.hash()).collect();
		#[extrinsic_call]
		_(RawOrigin::Authorized, batch);
		assert!(hashes.iter().all(|hash| Receipts::<T>::contains_key(&provider, hash)));
		Ok(())
	}

	/// Authorizing a `submit_receipts_authorized` transaction: every check of each receipt,
	/// and the pool tags.
	#[benchmark]
	fn authorize_receipts(
		n: Linear<1, { T::MaxReceiptBatch::get() }>,
	) -> Result<(), BenchmarkError> {
		use frame_support::traits::Authorize;
		let provider: T::AccountId = account("provider", 0, 0);
		let receipts = signed_batch::<T>(&provider, n);
		let call = Call::<T>::submit_receipts_authorized { receipts };
		let validity;
		#[block]
		{
			validity = call
				.authorize(TransactionSource::External)
				.ok_or("submit_receipts_authorized is authorizable")?
				.map_err(|_| "a valid batch is authorized")?;
		}
		assert_eq!(validity.0.provides.len() as u32, n);
		Ok(())
	}

	/// The checks alone, as the transaction extension runs them to decide whether a
	/// submission is feeless.
	#[benchmark]
	fn check_receipts(n: Linear<1, { T::MaxReceiptBatch::get() }>) -> Result<(), BenchmarkError> {
		let provider: T::AccountId = account("provider", 0, 0);
		let batch = signed_batch::<T>(&provider, n);
		let hashes;
		#[block]
		{
			hashes = Pallet::<T>::check_receipts(&provider, &batch)?;
		}
		assert_eq!(hashes.len() as u32, n);
		Ok(())
	}

	#[benchmark]
	fn set_max_price_per_unit() -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let price: BalanceOf<T> = 7u32.into();
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, price);
		assert_eq!(MaxPricePerUnit::<T>::get(), price);
		Ok(())
	}

	#[benchmark]
	fn set_attesters(a: Linear<1, { T::MaxAttesters::get() }>) -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let keys: alloc::vec::Vec<WorkerKey> =
			(0..a).map(|i| WorkerKey::Ed25519([i as u8; 32])).collect();
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, BoundedVec::truncate_from(keys), true);
		assert_eq!(Attesters::<T>::get().len() as u32, a);
		Ok(())
	}

	/// `n` receipts of `p` providers become final in one block: each provider is minted and
	/// paid once, each receipt's job finalized. Every job has its own client (no write is
	/// shared between receipts). `n` starts at the most providers, so that every provider has
	/// a receipt whatever `p` is. The receipts are accepted as `submit_receipts` accepts
	/// them, without their signature checks (what is measured starts after acceptance; thousands
	/// of sr25519 signatures per run made this benchmark take an hour).
	#[benchmark]
	fn on_initialize(
		n: Linear<{ T::MaxProvidersPerBlock::get() }, { T::MaxReceiptsPerBlock::get() }>,
		p: Linear<1, { T::MaxProvidersPerBlock::get() }>,
	) -> Result<(), BenchmarkError> {
		for i in 0..p {
			let provider: T::AccountId = account("provider", i, 0);
			// The receipts spread evenly over the providers.
			let count = n / p + u32::from(i < n % p);
			let receipts: alloc::vec::Vec<_> = (0..count)
				.map(|nonce| {
					let receipt = receipt_for_new_job::<T>(
						&provider,
						WorkerKey::Sr25519([7; 32]),
						nonce.into(),
					);
					let receipt_hash = receipt.hash();
					(receipt, receipt_hash)
				})
				.collect();
			Pallet::<T>::accept_all(provider, receipts)?;
		}
		let at =
			frame_system::Pallet::<T>::block_number().saturating_add(T::ChallengeWindow::get());
		assert_eq!(FinalizeLoad::<T>::get(at), FinalizationLoad { receipts: n, providers: p });
		#[block]
		{
			Pallet::<T>::on_initialize(at);
		}
		let minted = Receipts::<T>::iter_values()
			.filter(|stored| {
				T::Jobs::receipt_record(stored.receipt.job_id).is_some_and(|r| r.minted.is_some())
			})
			.count();
		assert_eq!(minted as u32, n);
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_bench_ext(), crate::mock::Test);
}
