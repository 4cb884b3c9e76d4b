//! Verified compute: audits of receipts by sampled re-execution.

use frame_support::{parameter_types, traits::ConstU32};
use sp_runtime::Perbill;

use crate::{
	configs::compute::GovernanceOrigin, currency::MILLI_AIT, time::SECONDS, Balance, Balances,
	BlockNumber, Marketplace, ProviderStaking, Receipts, Runtime, RuntimeHoldReason,
};

parameter_types! {
	/// Share of receipts audited until governance changes it: one in ten. With the other
	/// parameters, cheating then loses in expectation (see the test below and the tolerance
	/// benchmark's table). The development preset starts at 0 (one worker, nobody to audit).
	pub const DefaultAuditRate: Perbill = Perbill::from_percent(10);
	/// Receipts of 1,000 units (about 60 steps at 2048×2048 on a reference model) and more are
	/// always audited: the larger the pay, the less a cheater may bet on the draw.
	pub const DefaultAlwaysAuditUnits: u64 = 1_000 * aitbc_primitives::MILLI_UNITS_PER_UNIT;
	/// A minute to fetch the artifact, re-run the job and commit.
	pub const AuditCommitPeriod: BlockNumber = 60 * SECONDS;
	/// Twenty seconds to reveal.
	pub const AuditRevealPeriod: BlockNumber = 20 * SECONDS;
	/// A receipt that fails its audit costs half of the provider's stake.
	pub const AuditFailSlash: Perbill = Perbill::from_percent(50);
	/// A verdict that loses costs a fifth of the auditor's stake.
	pub const WrongVerdictSlash: Perbill = Perbill::from_percent(20);
	/// Half of every slash and forfeited bond rewards the side that was right.
	pub const SlashRewardShare: Perbill = Perbill::from_percent(50);
	/// A challenge bond is at least 50 mAIT (ten times a 256×256, 20-step job at the price cap).
	pub const MinChallengeBond: Balance = 50 * MILLI_AIT;
}

impl pallet_aitbc_audits::Config for Runtime {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Receipts = Receipts;
	type Providers = Marketplace;
	type Staking = ProviderStaking;
	type GovernanceOrigin = GovernanceOrigin;
	type DefaultAuditRate = DefaultAuditRate;
	type DefaultAlwaysAuditUnits = DefaultAlwaysAuditUnits;
	type CommitPeriod = AuditCommitPeriod;
	type RevealPeriod = AuditRevealPeriod;
	type EscalationAuditors = ConstU32<2>;
	type MaxPanel = ConstU32<3>;
	type MaxAuditorsPerModel = ConstU32<64>;
	type MaxAuditsPerBlock = ConstU32<1024>;
	type AuditFailSlash = AuditFailSlash;
	type WrongVerdictSlash = WrongVerdictSlash;
	type SlashRewardShare = SlashRewardShare;
	type MinChallengeBond = MinChallengeBond;
	type WeightInfo = pallet_aitbc_audits::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = AuditsBenchmarkHelper;
}

/// Everything burned outside the receipts pallet: provider and validator slashes and forfeited
/// challenge bonds.
pub struct BurnedOutsideReceipts;
impl frame_support::traits::Get<Balance> for BurnedOutsideReceipts {
	fn get() -> Balance {
		pallet_aitbc_staking::TotalSlashed::<Runtime>::get()
			.saturating_add(pallet_aitbc_audits::TotalForfeited::<Runtime>::get())
			.saturating_add(pallet_aitbc_validators::TotalSlashed::<Runtime>::get())
	}
}

/// Providers and receipted jobs for the audits benchmarks, through the real pallets.
#[cfg(feature = "runtime-benchmarks")]
pub struct AuditsBenchmarkHelper;

#[cfg(feature = "runtime-benchmarks")]
impl pallet_aitbc_audits::BenchmarkHelper<crate::AccountId> for AuditsBenchmarkHelper {
	fn provider(who: &crate::AccountId) -> aitbc_primitives::ModelId {
		use crate::{currency::AIT, RuntimeOrigin};
		use frame_support::traits::fungible::Mutate;
		let model = match pallet_aitbc_marketplace::ModelCount::<Runtime>::get() {
			0 => Marketplace::benchmark_model(),
			_ => 0,
		};
		if frame_system::Pallet::<Runtime>::block_number() == 0 {
			frame_system::Pallet::<Runtime>::set_block_number(1);
		}
		let key = bench_worker_key(who);
		Marketplace::benchmark_provider(who, model, 64, alloc::vec![key]);
		Balances::set_balance(who, 10 * AIT);
		let _ = ProviderStaking::bond(RuntimeOrigin::signed(who.clone()), AIT);
		model
	}

	fn receipted_job(
		provider: &crate::AccountId,
		client: &crate::AccountId,
	) -> aitbc_primitives::JobId {
		use crate::{currency::AIT, Jobs, RuntimeOrigin};
		use aitbc_primitives::{ExecutionInfo, JobParams, Receipt, Scheduler};
		use frame_support::{traits::fungible::Mutate, BoundedVec};
		Balances::set_balance(client, AIT);
		let job_id = pallet_aitbc_jobs::NextJobId::<Runtime>::get();
		let params = JobParams {
			steps: 50,
			guidance_milli: 7_500,
			width: 512,
			height: 512,
			seed: 1,
			scheduler: Scheduler::Ddim,
		};
		let prompt = BoundedVec::truncate_from(alloc::vec![b'p'; 1024]);
		// The one shard of a batch: ending it also completes the batch, the most a job's end
		// does.
		let _ = Jobs::submit_batch(
			RuntimeOrigin::signed(client.clone()),
			0,
			prompt.clone(),
			params,
			1,
			1,
			MILLI_AIT,
			MILLI_AIT,
			crate::configs::compute::MinJobDeadline::get() + (job_id % 256) as BlockNumber,
		);
		let _ = Jobs::claim_job(RuntimeOrigin::signed(provider.clone()), job_id);
		let job = pallet_aitbc_jobs::Jobs::<Runtime>::get(job_id).expect("submitted");
		let genesis = frame_system::Pallet::<Runtime>::block_hash(0);
		let receipt = Receipt {
			job_id,
			provider: provider.clone(),
			worker_key: bench_worker_key(provider),
			client: client.clone(),
			model_id: 0,
			units: job.units,
			gpu_ms: 1_000,
			prompt_hash: aitbc_primitives::prompt_hash(&prompt),
			params_hash: params.hash(),
			artifact_sha256: [1; 32],
			started_at: 1,
			finished_at: 2,
			nonce: job_id,
			genesis_hash: genesis.0,
			execution: ExecutionInfo {
				execution_provider: BoundedVec::truncate_from(b"CPUExecutionProvider".to_vec()),
				device: BoundedVec::truncate_from(b"cpu".to_vec()),
				runtime_version: BoundedVec::truncate_from(b"onnxruntime 1.31.1".to_vec()),
			},
		};
		let public = sp_core::sr25519::Public::from_raw(match bench_worker_key(provider) {
			aitbc_primitives::WorkerKey::Sr25519(raw) => raw,
			aitbc_primitives::WorkerKey::Ed25519(raw) => raw,
		});
		let signature = sp_io::crypto::sr25519_sign(BENCH_KEY, &public, &receipt.signing_message())
			.expect("the benchmark keystore holds the key");
		let _ = Receipts::submit_receipt(
			RuntimeOrigin::signed(provider.clone()),
			receipt,
			pallet_aitbc_receipts::KeySignature(signature.0),
			BoundedVec::new(),
		);
		job_id
	}
}

/// Key type of the benchmark worker keys.
#[cfg(feature = "runtime-benchmarks")]
const BENCH_KEY: sp_core::crypto::KeyTypeId = sp_core::crypto::KeyTypeId(*b"aitb");

/// A worker key in the benchmark keystore, one per provider (derived from its account).
#[cfg(feature = "runtime-benchmarks")]
fn bench_worker_key(who: &crate::AccountId) -> aitbc_primitives::WorkerKey {
	use codec::Encode;
	let seed =
		alloc::format!("//aitbc-bench-{}", sp_core::hexdisplay::HexDisplay::from(&who.encode()));
	let public = sp_io::crypto::sr25519_generate(BENCH_KEY, Some(seed.into_bytes()));
	aitbc_primitives::WorkerKey::Sr25519(public.0)
}

#[cfg(test)]
mod tests {
	use aitbc_primitives::audit_economics::CheatingModel;

	use super::*;

	/// The detection goal of the tolerance benchmark (it measures 100 % on the embedded model).
	const DETECTION: f64 = 0.99;

	/// A provider with nothing bonded (no premint: the usual case), a margin of at least 5 % and
	/// an approval it means to keep for 1,000 receipts loses by cheating on any fraction of its
	/// receipts: the approval a caught receipt revokes is worth more than what cheating saves.
	#[test]
	fn cheating_does_not_pay_with_the_runtime_parameters() {
		let audit_rate = f64::from(DefaultAuditRate::get().deconstruct()) / 1e9;
		assert!(audit_rate > 0.0, "with no audits every cheated receipt mints");
		for margin in [0.05, 0.1, 0.25, 0.5, 0.9] {
			let model = CheatingModel {
				audit_rate,
				detection: DETECTION,
				margin,
				slash: 0.0,
				horizon: 1_000,
			};
			let (fraction, gain) = model.best_cheating();
			assert!(gain < 0.0, "margin {margin}: cheating on {fraction} of receipts gains {gain}");
		}
		// A bond makes it lose sooner; the slash is the runtime's share of it.
		let slash = f64::from(AuditFailSlash::get().deconstruct()) / 1e9;
		let bonded = CheatingModel {
			audit_rate,
			detection: DETECTION,
			margin: 0.05,
			slash: slash * 20.0,
			horizon: 100,
		};
		assert!(bonded.best_cheating().1 < 0.0);
	}
}
