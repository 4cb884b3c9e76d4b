//! Calls with meaningful arguments: the setup, offers, receipts of real jobs signed with real
//! worker keys (or lying), verdict commitments, session keys with their ownership proof.

use aitbc_primitives::{
	AuditVerdict, ExecutionInfo, Hash32, JobId, JobParams, Receipt, Scheduler, WorkerKey,
};
use aitbc_runtime::{currency::MILLI_AIT, Runtime, RuntimeCall, SessionKeys};
use codec::Encode;
use frame_support::BoundedVec;
use sp_core::{ed25519, proof_of_possession::ProofOfPossessionGenerator, sr25519, Pair};
use sp_keyring::Sr25519Keyring;

use crate::chain::{signed, GENESIS_HASH};

/// The model every job asks for.
pub const PROMPT: &[u8] = b"a red circle on a blue background";
/// Governance: the sudo key.
pub const GOVERNANCE: Sr25519Keyring = Sr25519Keyring::Alice;
/// The dev accounts the operations pick from.
pub const ACCOUNTS: [Sr25519Keyring; 6] = [
	Sr25519Keyring::Alice,
	Sr25519Keyring::Bob,
	Sr25519Keyring::Charlie,
	Sr25519Keyring::Dave,
	Sr25519Keyring::Eve,
	Sr25519Keyring::Ferdie,
];
/// The providers approved, with an offer, in the setup (three: an audit panel of two is
/// possible for each of their receipts).
pub const PROVIDERS: [Sr25519Keyring; 3] =
	[Sr25519Keyring::Bob, Sr25519Keyring::Charlie, Sr25519Keyring::Dave];

pub fn account(index: u8) -> Sr25519Keyring {
	ACCOUNTS[index as usize % ACCOUNTS.len()]
}

pub fn provider(index: u8) -> Sr25519Keyring {
	PROVIDERS[index as usize % PROVIDERS.len()]
}

/// The keys of every dev account, derived once: deriving one from the dev phrase runs
/// PBKDF2, which took a third of the fuzzer's time when done per call.
struct Keys {
	account: sr25519::Pair,
	worker: sr25519::Pair,
	session: (SessionKeys, Vec<u8>),
	probe: sr25519::Pair,
}

fn keys(who: Sr25519Keyring) -> &'static Keys {
	static KEYS: std::sync::OnceLock<Vec<(Sr25519Keyring, Keys)>> = std::sync::OnceLock::new();
	let all = KEYS.get_or_init(|| {
		ACCOUNTS
			.iter()
			.map(|&who| {
				let worker = sr25519::Pair::from_string(&format!("//{who}//worker"), None)
					.expect("derivation");
				let probe = sr25519::Pair::from_string(&format!("//{who}//session//probe"), None)
					.expect("derivation");
				let session = derive_session_keys(who);
				(who, Keys { account: who.pair(), worker, session, probe })
			})
			.collect()
	});
	&all.iter().find(|(known, _)| *known == who).expect("a dev account").1
}

/// `who`'s account key.
pub fn account_pair(who: Sr25519Keyring) -> &'static sr25519::Pair {
	&keys(who).account
}

/// An sr25519 signature of `message` by `pair` whose nonce derives from the key and the
/// message (schnorrkel with a ChaCha20 generator seeded by their hash) instead of the system's
/// randomness: signatures end up in the blocks' extrinsics roots, hence in the parent hashes
/// that pick audited receipts, so random nonces would make an input behave differently on each
/// replay. Verifiers cannot tell the difference; fine for dev keys in a fuzzer.
pub fn sign(pair: &sr25519::Pair, message: &[u8]) -> sr25519::Signature {
	use rand_core::SeedableRng;
	let secret = schnorrkel::SecretKey::from_bytes(&pair.to_raw_vec()).expect("an sr25519 secret");
	let seed = sp_io::hashing::blake2_256(&[pair.public().0.as_slice(), message].concat());
	let transcript = schnorrkel::context::attach_rng(
		schnorrkel::signing_context(b"substrate").bytes(message),
		rand_chacha::ChaCha20Rng::from_seed(seed),
	);
	sr25519::Signature::from_raw(secret.to_keypair().sign(transcript).to_bytes())
}

/// The probe key in the session keys `Op::SetKeys` sets for `who` (a genesis authority's
/// probe key is its account key instead).
pub fn probe_pair(who: Sr25519Keyring) -> &'static sr25519::Pair {
	&keys(who).probe
}

/// The worker key `who` signs receipts with (`//<name>//worker`).
pub fn worker_pair(who: Sr25519Keyring) -> &'static sr25519::Pair {
	&keys(who).worker
}

pub fn params(steps: u8, seed: u8) -> JobParams {
	JobParams {
		steps: u32::from(steps % 60),
		guidance_milli: 7_500,
		width: 256,
		height: 256,
		seed: u64::from(seed),
		scheduler: Scheduler::Ddim,
	}
}

/// `who`'s offer for model 0 (`capacity` 0 is refused).
pub fn offer_terms(
	who: Sr25519Keyring,
	capacity: u8,
	price_milli: u8,
) -> pallet_aitbc_marketplace::OfferTermsOf<Runtime> {
	pallet_aitbc_marketplace::OfferTerms {
		models: BoundedVec::truncate_from(vec![0]),
		price_per_unit: MILLI_AIT * u128::from(price_milli) / 4,
		gpu_name: BoundedVec::truncate_from(b"NVIDIA H100".to_vec()),
		gpu_memory_mib: 81_559,
		endpoint: BoundedVec::truncate_from(b"http://127.0.0.1:8090".to_vec()),
		capacity: u32::from(capacity % 5),
		max_pixels: 1_024 * 1_024,
		worker_keys: BoundedVec::truncate_from(vec![WorkerKey::Sr25519(
			worker_pair(who).public().0,
		)]),
	}
}

/// Governance adding a text-to-image model of at most `max_steps` steps.
pub fn model_call(max_steps: u8) -> RuntimeCall {
	RuntimeCall::Marketplace(pallet_aitbc_marketplace::Call::add_model {
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
		max_steps: u32::from(max_steps),
	})
}

/// The fixed start: model 0, Bob, Charlie and Dave approved with offers (governance is Alice's
/// key).
pub fn setup() {
	assert_eq!(signed(GOVERNANCE, model_call(50)), Ok(Ok(())), "governance adds the model");
	for who in PROVIDERS {
		let approve = RuntimeCall::Marketplace(pallet_aitbc_marketplace::Call::approve_provider {
			provider: who.to_account_id(),
		});
		assert_eq!(signed(GOVERNANCE, approve), Ok(Ok(())), "governance approves {who}");
		let terms = offer_terms(who, 2, 4);
		let offer =
			RuntimeCall::Marketplace(pallet_aitbc_marketplace::Call::register_offer { terms });
		assert_eq!(signed(who, offer), Ok(Ok(())), "{who} registers its offer");
	}
}

/// An existing job id chosen by `pick` (or the next one, which does not exist yet).
pub fn job_id(pick: u16) -> JobId {
	let next = pallet_aitbc_jobs::NextJobId::<Runtime>::get();
	u64::from(pick) % next.saturating_add(1)
}

/// The receipt `who` would submit for `job` (whoever it is assigned to), honest for `lie` 0,
/// otherwise lying about units, signed by another worker key, naming another prompt, another
/// chain or other parameters; with its signature. `None` for a job that does not exist.
pub fn signed_receipt(
	job: JobId,
	who: Sr25519Keyring,
	lie: u8,
) -> Option<pallet_aitbc_receipts::SignedReceiptOf<Runtime>> {
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
		_ => receipt.params_hash = [8; 32],
	}
	let signature = pallet_aitbc_receipts::KeySignature(sign(signer, &receipt.signing_message()).0);
	Some(pallet_aitbc_receipts::SignedReceipt {
		receipt,
		signature,
		attestations: BoundedVec::new(),
	})
}

pub fn verdict(pick: u8) -> AuditVerdict {
	match pick % 3 {
		0 => AuditVerdict::Match,
		1 => AuditVerdict::Mismatch,
		_ => AuditVerdict::ArtifactUnavailable,
	}
}

/// The salt an auditor commits with (fixed per job and auditor, so a reveal can repeat it).
pub fn salt(job: JobId, auditor: Sr25519Keyring) -> Hash32 {
	sp_io::hashing::blake2_256(&(b"aitbc-fuzz-salt", job, auditor.to_account_id()).encode())
}

pub fn commitment(job: JobId, auditor: Sr25519Keyring, verdict: AuditVerdict) -> Hash32 {
	aitbc_primitives::verdict_commitment(
		job,
		&auditor.to_account_id(),
		verdict,
		&salt(job, auditor),
	)
}

/// `who`'s session keys and the proof that it holds them.
pub fn session_keys(who: Sr25519Keyring) -> (SessionKeys, Vec<u8>) {
	keys(who).session.clone()
}

/// Session keys derived from `who`'s name (so no two accounts share one) and the proof of
/// holding them: each key's proof of possession of `who`'s account id.
fn derive_session_keys(who: Sr25519Keyring) -> (SessionKeys, Vec<u8>) {
	let seed = format!("//{who}//session");
	let aura = sr25519::Pair::from_string(&seed, None).expect("derivation");
	let mut grandpa = ed25519::Pair::from_string(&seed, None).expect("derivation");
	let probe = sr25519::Pair::from_string(&format!("{seed}//probe"), None).expect("derivation");
	let keys = SessionKeys {
		aura: aura.public().into(),
		grandpa: grandpa.public().into(),
		probe: probe.public().into(),
	};
	let owner = who.to_account_id().encode();
	// sr25519 proofs signed deterministically (see `sign`); ed25519 signatures already are.
	let statement = sp_core::proof_of_possession::statement_of_ownership(&owner);
	let proof = (
		sign(&aura, &statement),
		grandpa.generate_proof_of_possession(&owner),
		sign(&probe, &statement),
	);
	(keys, proof.encode())
}
