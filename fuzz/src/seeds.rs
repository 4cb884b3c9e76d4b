//! The seed corpus: scenarios of the ordinary test suite (a batch of receipts and a cancelled
//! job, validators' probe reports, governance
//! through sudo, a job served
//! and minted, lying receipts, a batch, audits passed and failed, a challenge, the order book, a validator's
//! candidacy, bonds, offers churning) written as fuzz inputs. Each is replayed and must reach
//! what its test reaches, so a seed that silently stops doing its job (a changed fee, a new
//! check) fails loudly instead of leaving the fuzzer short-sighted.

use aitbc_runtime::Runtime;
use arbitrary::{Arbitrary, Unstructured};
use codec::Encode;
use sp_keyring::Sr25519Keyring;

use crate::{
	calls::{ACCOUNTS, PROVIDERS},
	ops::{Op, OP_VARIANTS},
};

/// A scenario: its name, its operations, and what it must reach.
pub struct Scenario {
	pub name: &'static str,
	pub ops: Vec<Op>,
	pub expect: fn() -> Result<(), String>,
}

/// The bytes `arbitrary` decodes into `ops` (as `fuzz_target!` does: a "go on" byte before each
/// element of the vector, the variant as a `u32` that `(v × count) >> 32` maps back, then the
/// fields, whose SCALE encoding is theirs).
pub fn encode(ops: &[Op]) -> Vec<u8> {
	let mut bytes = Vec::new();
	for op in ops {
		let scale = op.encode();
		let variant = u64::from(scale[0]);
		assert!(variant < OP_VARIANTS, "OP_VARIANTS is out of date");
		let scaled = u32::try_from((variant << 32).div_ceil(OP_VARIANTS)).expect("below 2³²");
		bytes.push(1);
		bytes.extend(scaled.to_le_bytes());
		bytes.extend(&scale[1..]);
	}
	bytes
}

/// `bytes` decoded as the fuzz target decodes its input.
pub fn decode(bytes: &[u8]) -> Vec<Op> {
	Vec::<Op>::arbitrary_take_rest(Unstructured::new(bytes)).expect("decodes")
}

fn index(who: Sr25519Keyring) -> u8 {
	ACCOUNTS.iter().position(|a| *a == who).expect("a dev account") as u8
}

const EVE: u8 = 4;
const FERDIE: u8 = 5;
const ALICE: u8 = 0;

/// No random audits (so receipts finalize after the challenge window), or every receipt.
fn audits(percent: u8) -> Op {
	Op::SetAuditParams { percent, always_units: 0 }
}

fn job(who: u8, seed: u8) -> Op {
	Op::SubmitJob { who, steps: 20, seed, payment: 0, max_price: 200, deadline: 50 }
}

/// Every provider tries to claim `job` and to post its honest receipt: the one that claimed
/// it succeeds.
fn serve(job: u16, lie: u8, authorized: bool) -> Vec<Op> {
	let mut ops: Vec<Op> =
		(0..PROVIDERS.len() as u8).map(|p| Op::Claim { provider: p, job }).collect();
	ops.extend((0..PROVIDERS.len() as u8).map(|p| Op::Receipt {
		provider: p,
		job,
		lie,
		authorized,
	}));
	ops
}

/// The challenge window (5 blocks) and more.
fn wait() -> Op {
	Op::Skip { blocks: 8 }
}

/// Three free batches of 16 images in shards of 8 (the most open jobs a client without AIT
/// may have), served honestly: 40 mAIT minted per shard.
fn earn() -> Vec<Op> {
	let mut ops = vec![audits(0)];
	ops.extend([FERDIE, EVE, ALICE].map(|who| Op::SubmitBatch {
		who,
		count: 16,
		per_shard: 8,
		payment: 0,
		deadline: 200,
	}));
	// Bob, Charlie and Dave serve two shards each.
	for shard in 0u8..6 {
		let (provider, job) = (shard / 2, shard.into());
		ops.push(Op::Claim { provider, job });
		ops.push(Op::Receipt { provider, job, lie: 0, authorized: shard % 2 == 1 });
	}
	ops.push(wait());
	ops
}

fn minted() -> u128 {
	pallet_aitbc_receipts::TotalMinted::<Runtime>::get()
}

fn audit_outcome(job: u64) -> Option<pallet_aitbc_audits::AuditOutcome> {
	pallet_aitbc_audits::Audits::<Runtime>::get(job).and_then(|audit| audit.outcome)
}

fn ensure(ok: bool, what: &str) -> Result<(), String> {
	ok.then_some(()).ok_or_else(|| what.to_string())
}

/// An audit of job 0 (Alice's, served by whoever claims it) in which every auditor commits to
/// and reveals `verdict`, over three rounds' time (so an escalation is voted on too). Eve and
/// Ferdie join as providers: five auditors, enough for a panel of one and an escalation of two
/// that exclude the provider.
fn audited_job(verdict: u8) -> Vec<Op> {
	let mut ops = vec![audits(100)];
	for who in [EVE, FERDIE] {
		ops.extend([Op::Approve { who }, Op::Offer { who, capacity: 2, price: 4 }]);
	}
	ops.extend((1..=5).map(|who| Op::RegisterAuditor { who }));
	ops.push(job(ALICE, 1));
	ops.extend(serve(0, 0, false));
	ops.push(Op::NextBlock { extra: 0 });
	for _round in 0..3 {
		ops.extend((1..=5).map(|who| Op::CommitVerdict { who, job: 0, verdict }));
		ops.push(Op::NextBlock { extra: 0 });
		ops.extend((1..=5).map(|who| Op::RevealVerdict {
			who,
			job: 0,
			verdict,
			wrong_salt: false,
		}));
		ops.push(Op::NextBlock { extra: 0 });
	}
	ops.push(Op::Skip { blocks: 100 });
	ops
}

pub fn scenarios() -> Vec<Scenario> {
	let bob = index(Sr25519Keyring::Bob);
	let mut served = vec![audits(0), job(EVE, 1), job(FERDIE, 2), job(ALICE, 3)];
	(0..3).for_each(|job| served.extend(serve(job, 0, job == 1)));
	served.extend([wait(), Op::Transfer { from: bob, to: EVE, amount: 100, keep_alive: false }]);

	let mut lying = vec![audits(0), job(EVE, 1), job(FERDIE, 2)];
	for lie in 1..6 {
		lying.extend(serve(0, lie, lie % 2 == 0));
		lying.push(Op::Receipts { provider: 0, first: 1, count: 0, lie, authorized: lie == 3 });
	}
	lying.push(wait());

	let mut batch = earn();
	batch.extend([
		Op::Transfer { from: 1, to: EVE, amount: 20_000, keep_alive: true },
		Op::SubmitBatch { who: EVE, count: 8, per_shard: 4, payment: 0, deadline: 40 },
		Op::CancelBatch { who: EVE, batch: 3 },
		Op::SubmitBatch { who: ALICE, count: 3, per_shard: 2, payment: 0, deadline: 20 },
		Op::Skip { blocks: 10 },
	]);

	// Eve, holding AIT from Bob, challenges a receipt of Bob's for Alice's job; the auditors
	// (Charlie, Dave and Ferdie: not the provider, the client or the challenger) find it false.
	let mut challenge = earn();
	challenge.extend([
		Op::Transfer { from: 1, to: EVE, amount: 70_000, keep_alive: true },
		Op::Approve { who: FERDIE },
		Op::Offer { who: FERDIE, capacity: 2, price: 4 },
	]);
	challenge.extend([2, 3, FERDIE].map(|who| Op::RegisterAuditor { who }));
	challenge.push(job(ALICE, 9));
	challenge.extend(serve(6, 0, false));
	challenge
		.extend([Op::Challenge { who: EVE, job: 6, bond: 50_000 }, Op::NextBlock { extra: 0 }]);
	for _round in 0..3 {
		challenge.extend((1..=5).map(|who| Op::CommitVerdict { who, job: 6, verdict: 1 }));
		challenge.push(Op::NextBlock { extra: 0 });
		challenge.extend((1..=5).map(|who| Op::RevealVerdict {
			who,
			job: 6,
			verdict: 1,
			wrong_salt: false,
		}));
		challenge.push(Op::NextBlock { extra: 0 });
	}
	challenge.push(Op::Skip { blocks: 100 });

	let mut market = earn();
	market.extend([
		Op::PlaceLimit { pair: 0, who: 1, sell: true, price: 100, lots: 5, expires: None },
		Op::PlaceLimit { pair: 0, who: 2, sell: true, price: 120, lots: 5, expires: Some(10) },
		// Ferdie's first buy: feeless, as he holds no AIT yet.
		Op::PlaceMarket { pair: 0, who: FERDIE, sell: false, lots: 3, worst: 200 },
		Op::Transfer { from: 3, to: EVE, amount: 20_000, keep_alive: true },
		Op::PlaceLimit { pair: 0, who: EVE, sell: false, price: 90, lots: 2, expires: Some(3) },
		Op::PlaceLimit { pair: 0, who: EVE, sell: false, price: 121, lots: 9, expires: None },
		Op::NextBlock { extra: 3 },
		Op::CancelOrder { who: EVE, order: 0 },
		Op::PlaceLimit { pair: 0, who: 3, sell: true, price: 95, lots: 1, expires: Some(1) },
		Op::SetPairOpen { pair: 0, open: false },
		Op::CancelAll { who: 2 },
		Op::SetPairOpen { pair: 0, open: true },
		Op::Skip { blocks: 40 },
	]);

	let mut validator = earn();
	validator.extend([
		Op::SetCandidacyBond { amount: 1_000 },
		Op::SetDesiredCandidates { count: 4 },
		Op::SetKeys { who: bob },
		Op::RegisterCandidate { who: bob, bond: 2_000 },
		Op::RaiseBond { who: bob, extra: 500 },
		Op::Skip { blocks: 255 },
		Op::Skip { blocks: 255 },
		Op::Skip { blocks: 255 },
		Op::Skip { blocks: 255 },
		Op::Skip { blocks: 255 },
		Op::LeaveIntent { who: bob },
		Op::Skip { blocks: 255 },
		Op::WithdrawBond { who: bob },
	]);

	let mut bonds = earn();
	bonds.extend([
		Op::SetMinStake { amount: 2_000 },
		Op::Bond { who: 1, amount: 5_000 },
		Op::Unbond { who: 1, amount: 1_000 },
		Op::WithdrawUnbonded { who: 1 },
		Op::Bond { who: EVE, amount: 1 },
	]);

	let churn = vec![
		Op::Heartbeat { provider: 0 },
		Op::Pause { provider: 1 },
		job(EVE, 3),
		Op::Resume { provider: 1 },
		Op::Deregister { provider: 2 },
		Op::Offer { who: 3, capacity: 1, price: 8 },
		Op::Offer { who: 2, capacity: 3, price: 2 },
		Op::RevokeApproval { who: 1 },
		Op::Approve { who: EVE },
		Op::Offer { who: EVE, capacity: 2, price: 4 },
		Op::SetMaxPrice { milli: 2 },
		Op::CancelJob { who: EVE, job: 0 },
		Op::Skip { blocks: 60 },
	];

	// Governance as root through sudo (the sudo key needs AIT for that: `Sudo::sudo` is not
	// feeless, unlike the governance calls it signs directly): a second model retired,
	// attesters required then not, a second pair, the PoA set changed, a finality recovery;
	// tUSD moves between clients.
	let mut governance = earn();
	governance.extend([
		Op::Transfer { from: 1, to: ALICE, amount: 20_000, keep_alive: true },
		Op::SudoMode { on: true },
		Op::AddModel { max_steps: 30 },
		Op::RetireModel { model: 1 },
		Op::SetAttesters { count: 2, required: true },
		job(EVE, 4),
		Op::SetAttesters { count: 0, required: false },
		Op::CreatePair { lot: 10, tick: 5, min_lots: 2 },
		Op::SetAuthorities { count: 1 },
		Op::SudoMode { on: false },
		Op::RecoverFinality { delay: 5, best: 1 },
		Op::AssetTransfer { from: ALICE, to: EVE, amount: 5_000 },
		Op::Skip { blocks: 20 },
	]);

	// Alice, the genesis validator, reports Bob down and a served job's artifact unavailable
	// with her probe key; Bob forges a report as prober 0 and is refused.
	let mut probes = vec![audits(0), job(EVE, 5)];
	probes.extend(serve(0, 0, false));
	probes.extend([
		Op::NextBlock { extra: 0 },
		Op::ProbeReport { signer: ALICE, prober: 0, provider: 0, stale: false },
		Op::ProbeReport { signer: 1, prober: 0, provider: 1, stale: false },
		Op::ArtifactReport { signer: ALICE, prober: 0, job: 0, back: 1 },
		Op::ProbeReport { signer: ALICE, prober: 0, provider: 0, stale: true },
		Op::Skip { blocks: 30 },
	]);

	// Bob claims two jobs and receipts both in one signed batch; Eve, paid by Bob, cancels a
	// pending job of hers.
	let receipt_batch = vec![
		audits(0),
		job(EVE, 1),
		job(EVE, 2),
		Op::Claim { provider: 0, job: 0 },
		Op::Claim { provider: 0, job: 1 },
		Op::Receipts { provider: 0, first: 0, count: 1, lie: 0, authorized: false },
		wait(),
		Op::Transfer { from: 1, to: EVE, amount: 5_000, keep_alive: true },
		job(EVE, 3),
		Op::CancelJob { who: EVE, job: 2 },
		Op::NextBlock { extra: 0 },
	];

	vec![
		Scenario {
			name: "receipt-batch",
			ops: receipt_batch,
			expect: || {
				ensure(
					pallet_aitbc_receipts::Receipts::<Runtime>::iter().count() == 2,
					"two receipts",
				)?;
				ensure(minted() > 0, "minted")?;
				let cancelled = pallet_aitbc_jobs::Jobs::<Runtime>::get(2)
					.is_some_and(|job| matches!(job.state, pallet_aitbc_jobs::JobState::Cancelled));
				ensure(cancelled, "Eve's job cancelled")
			},
		},
		Scenario {
			name: "probes",
			ops: probes,
			expect: || {
				ensure(
					pallet_aitbc_probes::Reported::<Runtime>::iter().count() == 1,
					"one report",
				)?;
				ensure(
					pallet_aitbc_probes::ArtifactReported::<Runtime>::iter().next().is_some(),
					"an artifact report",
				)
			},
		},
		Scenario {
			name: "governance",
			ops: governance,
			expect: || {
				ensure(pallet_aitbc_marketplace::ModelCount::<Runtime>::get() == 2, "two models")?;
				ensure(pallet_aitbc_exchange::Pairs::<Runtime>::contains_key(1), "pair 1")
			},
		},
		Scenario {
			name: "served-jobs",
			ops: served,
			expect: || {
				ensure(minted() > 0, "the receipts minted")?;
				ensure(
					pallet_balances::Pallet::<Runtime>::free_balance(
						Sr25519Keyring::Eve.to_account_id(),
					) > 0,
					"a provider paid Eve",
				)
			},
		},
		Scenario {
			name: "lying-receipts",
			ops: lying,
			expect: || {
				ensure(minted() == 0, "no lying receipt minted")?;
				ensure(
					pallet_aitbc_receipts::Receipts::<Runtime>::iter().next().is_none(),
					"none stored",
				)
			},
		},
		Scenario {
			name: "batch",
			ops: batch,
			expect: || {
				ensure(minted() >= 6 * 40 * aitbc_runtime::currency::MILLI_AIT, "6 shards minted")?;
				ensure(pallet_aitbc_jobs::NextBatchId::<Runtime>::get() == 5, "five batches")?;
				// Eve's batch 3 is shards 6 and 7.
				let cancelled = pallet_aitbc_jobs::Jobs::<Runtime>::get(6)
					.is_some_and(|job| matches!(job.state, pallet_aitbc_jobs::JobState::Cancelled));
				ensure(cancelled, "Eve's batch cancelled")
			},
		},
		Scenario {
			name: "audit-passed",
			ops: audited_job(0),
			expect: || {
				ensure(
					audit_outcome(0) == Some(pallet_aitbc_audits::AuditOutcome::Passed),
					"passed",
				)
			},
		},
		Scenario {
			name: "audit-failed",
			ops: audited_job(1),
			expect: || {
				ensure(
					audit_outcome(0) == Some(pallet_aitbc_audits::AuditOutcome::Failed),
					"failed",
				)?;
				ensure(minted() == 0, "nothing minted")
			},
		},
		Scenario {
			name: "challenge",
			ops: challenge,
			expect: || {
				let audit = pallet_aitbc_audits::Audits::<Runtime>::get(6).ok_or("no audit")?;
				ensure(audit.challenge.is_some(), "challenged")?;
				ensure(audit.outcome == Some(pallet_aitbc_audits::AuditOutcome::Failed), "failed")
			},
		},
		Scenario {
			name: "market",
			ops: market,
			expect: || {
				let trades = pallet_aitbc_exchange::RecentTrades::<Runtime>::get(0);
				ensure(trades.len() >= 2, "trades")
			},
		},
		Scenario {
			name: "validator",
			ops: validator,
			expect: || {
				let bob = Sr25519Keyring::Bob.to_account_id();
				ensure(pallet_session::NextKeys::<Runtime>::contains_key(&bob), "keys set")?;
				// Leaving starts the bond's unlocking: Bob was a candidate.
				ensure(pallet_aitbc_validators::Unlocking::<Runtime>::contains_key(&bob), "left")
			},
		},
		Scenario {
			name: "bonds",
			ops: bonds,
			expect: || {
				let bob = Sr25519Keyring::Bob.to_account_id();
				ensure(pallet_aitbc_staking::Bonded::<Runtime>::get(&bob) > 0, "Bob bonded")
			},
		},
		Scenario {
			name: "offers-churn",
			ops: churn,
			expect: || {
				let eve = Sr25519Keyring::Eve.to_account_id();
				ensure(
					pallet_aitbc_marketplace::Offers::<Runtime>::contains_key(&eve),
					"Eve offers",
				)
			},
		},
	]
}
