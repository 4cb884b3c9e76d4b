//! The operations an input decodes into, and how each is applied. Every field is a `u8`,
//! `u16`, `u32`, `bool` or `Option` of one, so that an operation's SCALE encoding (after the
//! variant byte) is also its `arbitrary` encoding: `seeds` writes inputs from scenarios that way.

use aitbc_primitives::exchange::Side;
use aitbc_runtime::{currency::MICRO_AIT, Runtime, RuntimeCall};
use arbitrary::Arbitrary;
use frame_support::BoundedVec;
use sp_core::Pair as _;
use sp_keyring::Sr25519Keyring;

use crate::{
	calls::{
		account, commitment, job_id, model_call, offer_terms, params, provider, salt, session_keys,
		sign, signed_receipt, verdict, worker_pair, GOVERNANCE, PROMPT,
	},
	chain::{general, signed, Outcome, GENESIS_HASH},
};

/// One operation: a call by a dev account (or governance), or block boundaries. Indices
/// (`who`, `provider`, `job`, `order`, `batch`) pick among the dev accounts, the providers, the
/// existing jobs, the caller's open orders and the batches; amounts are in µAIT.
#[derive(Arbitrary, Debug, Clone, PartialEq, codec::Encode)]
pub enum Op {
	/// Ends the block and starts `1 + extra % 4` more (the ones in between empty but for the
	/// timestamp; the last open for the next operations).
	NextBlock {
		extra: u8,
	},
	/// As `NextBlock`, with `1 + blocks` blocks: audit periods, sessions.
	Skip {
		blocks: u8,
	},
	Transfer {
		from: u8,
		to: u8,
		amount: u32,
		keep_alive: bool,
	},
	/// Moves tUSD (asset 1, 6 decimals; `amount` in its units).
	AssetTransfer {
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
	SubmitBatch {
		who: u8,
		count: u8,
		per_shard: u8,
		payment: u16,
		deadline: u8,
	},
	CancelJob {
		who: u8,
		job: u16,
	},
	CancelBatch {
		who: u8,
		batch: u8,
	},
	Claim {
		provider: u8,
		job: u16,
	},
	/// A receipt for a job; `lie` 0 is honest, others change units, key or job fields.
	Receipt {
		provider: u8,
		job: u16,
		lie: u8,
		authorized: bool,
	},
	/// Receipts for `1 + count % 8` consecutive jobs from `first`, one call.
	Receipts {
		provider: u8,
		first: u16,
		count: u8,
		lie: u8,
		authorized: bool,
	},
	Heartbeat {
		provider: u8,
	},
	/// Registers (or, with an offer, updates) `who`'s offer.
	Offer {
		who: u8,
		capacity: u8,
		price: u8,
	},
	Pause {
		provider: u8,
	},
	Resume {
		provider: u8,
	},
	Deregister {
		provider: u8,
	},
	Approve {
		who: u8,
	},
	RevokeApproval {
		who: u8,
	},
	Bond {
		who: u8,
		amount: u32,
	},
	Unbond {
		who: u8,
		amount: u32,
	},
	WithdrawUnbonded {
		who: u8,
	},
	RegisterAuditor {
		who: u8,
	},
	DeregisterAuditor {
		who: u8,
	},
	/// Commits to `verdict` on `job`'s receipt.
	CommitVerdict {
		who: u8,
		job: u16,
		verdict: u8,
	},
	/// Reveals `verdict` with the auditor's salt (or a wrong one).
	RevealVerdict {
		who: u8,
		job: u16,
		verdict: u8,
		wrong_salt: bool,
	},
	Challenge {
		who: u8,
		job: u16,
		bond: u32,
	},
	SetKeys {
		who: u8,
	},
	RegisterCandidate {
		who: u8,
		bond: u32,
	},
	RaiseBond {
		who: u8,
		extra: u32,
	},
	LeaveIntent {
		who: u8,
	},
	WithdrawBond {
		who: u8,
	},
	/// An order on a pair picked by `pair` (`price` in the quote asset's units per lot).
	PlaceLimit {
		who: u8,
		pair: u8,
		sell: bool,
		price: u16,
		lots: u8,
		expires: Option<u8>,
	},
	PlaceMarket {
		who: u8,
		pair: u8,
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
	/// Governance calls, signed by the sudo key (or through sudo: `SudoMode`).
	SetPairOpen {
		pair: u8,
		open: bool,
	},
	SetAuditParams {
		percent: u8,
		always_units: u16,
	},
	SetMaxPrice {
		milli: u8,
	},
	SetMinStake {
		amount: u32,
	},
	SetCandidacyBond {
		amount: u32,
	},
	SetDesiredCandidates {
		count: u8,
	},
	AddModel {
		max_steps: u8,
	},
	RetireModel {
		model: u8,
	},
	/// The worker keys of the first `count % 4` providers become attesters.
	SetAttesters {
		count: u8,
		required: bool,
	},
	CreatePair {
		lot: u8,
		tick: u8,
		min_lots: u8,
	},
	/// The first `1 + count % 3` of Alice, Bob and Charlie become the PoA authorities.
	SetAuthorities {
		count: u8,
	},
	RecoverFinality {
		delay: u8,
		best: u8,
	},
	/// Governance calls from now on come as root through `Sudo::sudo` (or signed by the sudo
	/// key again).
	SudoMode {
		on: bool,
	},
	/// A validator's off-chain report that a provider is down, for the current round (or the
	/// one before), as prober number `prober`, signed by a probe key: `signer` 0–5 a dev
	/// account's key (Alice's is her genesis probe key), 6–11 the probe key `SetKeys` sets.
	ProbeReport {
		signer: u8,
		prober: u8,
		provider: u8,
		stale: bool,
	},
	/// A validator's report that a job's artifact was unavailable, for the block `back` blocks
	/// ago.
	ArtifactReport {
		signer: u8,
		prober: u8,
		job: u16,
		back: u8,
	},
}

/// How many variants `Op` has (`seeds` checks it against every scenario it writes).
pub const OP_VARIANTS: u64 = 50;

/// The variants' names, by index (for the statistics).
pub fn kind_names() -> [&'static str; OP_VARIANTS as usize] {
	[
		"NextBlock",
		"Skip",
		"Transfer",
		"AssetTransfer",
		"SubmitJob",
		"SubmitBatch",
		"CancelJob",
		"CancelBatch",
		"Claim",
		"Receipt",
		"Receipts",
		"Heartbeat",
		"Offer",
		"Pause",
		"Resume",
		"Deregister",
		"Approve",
		"RevokeApproval",
		"Bond",
		"Unbond",
		"WithdrawUnbonded",
		"RegisterAuditor",
		"DeregisterAuditor",
		"CommitVerdict",
		"RevealVerdict",
		"Challenge",
		"SetKeys",
		"RegisterCandidate",
		"RaiseBond",
		"LeaveIntent",
		"WithdrawBond",
		"PlaceLimit",
		"PlaceMarket",
		"CancelOrder",
		"CancelAll",
		"SetPairOpen",
		"SetAuditParams",
		"SetMaxPrice",
		"SetMinStake",
		"SetCandidacyBond",
		"SetDesiredCandidates",
		"AddModel",
		"RetireModel",
		"SetAttesters",
		"CreatePair",
		"SetAuthorities",
		"RecoverFinality",
		"SudoMode",
		"ProbeReport",
		"ArtifactReport",
	]
}

fn micro(amount: u32) -> u128 {
	u128::from(amount) * MICRO_AIT
}

fn side(sell: bool) -> Side {
	if sell {
		Side::Sell
	} else {
		Side::Buy
	}
}

/// A pair chosen by `pick` among those created (or the next id, which does not exist yet).
fn pair_id(pick: u8) -> u32 {
	let next = pallet_aitbc_exchange::NextPairId::<Runtime>::get();
	u32::from(pick) % next.saturating_add(1)
}

/// An open order of `who` chosen by `pick`, or (`pick` ≥ 200, or none open) the order id
/// `pick`, which may be nobody's or another account's.
fn order_id(who: Sr25519Keyring, pick: u8) -> u64 {
	let open = pallet_aitbc_exchange::AccountOrders::<Runtime>::get(who.to_account_id());
	if open.is_empty() || pick >= 200 {
		u64::from(pick)
	} else {
		open[pick as usize % open.len()]
	}
}

thread_local! {
	/// Whether governance calls come as root through `Sudo::sudo` (`Op::SudoMode`).
	static THROUGH_SUDO: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Starts a run with governance signing its calls.
pub fn reset() {
	THROUGH_SUDO.with(|mode| mode.set(false));
}

/// A governance call: signed by the sudo key, or as root through `Sudo::sudo`. Sudo succeeds
/// as a transaction even when the call inside fails; the outcome given is the inner call's,
/// from the `Sudid` event.
fn governance(call: RuntimeCall) -> Outcome {
	if !THROUGH_SUDO.with(|mode| mode.get()) {
		return signed(GOVERNANCE, call);
	}
	let outcome =
		signed(GOVERNANCE, RuntimeCall::Sudo(pallet_sudo::Call::sudo { call: Box::new(call) }));
	if !matches!(outcome, Ok(Ok(()))) {
		return outcome;
	}
	let inner = frame_system::Pallet::<Runtime>::events().iter().rev().find_map(|record| {
		match &record.event {
			aitbc_runtime::RuntimeEvent::Sudo(pallet_sudo::Event::Sudid { sudo_result }) => {
				Some(*sudo_result)
			},
			_ => None,
		}
	});
	Ok(inner.expect("a successful sudo deposits Sudid"))
}

impl Op {
	/// How many blocks a block boundary ends (and starts); `None` for a call.
	pub fn blocks(&self) -> Option<u32> {
		match self {
			Op::NextBlock { extra } => Some(1 + u32::from(extra % 4)),
			Op::Skip { blocks } => Some(1 + u32::from(*blocks)),
			_ => None,
		}
	}
}

/// Applies `op`'s call to the block being built; returns its outcome (none for block
/// boundaries, which the caller runs, or a receipt of a job that does not exist).
pub fn run(op: Op) -> Option<Outcome> {
	use pallet_aitbc_audits::Call as Audits;
	use pallet_aitbc_exchange::Call as Exchange;
	use pallet_aitbc_jobs::Call as Jobs;
	use pallet_aitbc_marketplace::Call as Marketplace;
	use pallet_aitbc_staking::Call as Staking;
	use pallet_aitbc_validators::Call as Validators;
	use RuntimeCall as C;
	Some(match op {
		Op::NextBlock { .. } | Op::Skip { .. } => return None,
		Op::Transfer { from, to, amount, keep_alive } => {
			let (dest, value) = (account(to).to_account_id().into(), micro(amount));
			let call = if keep_alive {
				pallet_balances::Call::transfer_keep_alive { dest, value }
			} else {
				pallet_balances::Call::transfer_allow_death { dest, value }
			};
			signed(account(from), C::Balances(call))
		},
		Op::AssetTransfer { from, to, amount } => signed(
			account(from),
			C::Assets(pallet_assets::Call::transfer {
				id: codec::Compact(1),
				target: account(to).to_account_id().into(),
				amount: u128::from(amount),
			}),
		),
		Op::SubmitJob { who, steps, seed, payment, max_price, deadline } => {
			let call = C::Jobs(Jobs::submit_job {
				model_id: 0,
				prompt: BoundedVec::truncate_from(PROMPT.to_vec()),
				params: params(steps, seed),
				max_price_per_unit: u128::from(max_price) * 10_000_000,
				payment: micro(payment.into()),
				deadline_blocks: u32::from(deadline),
			});
			signed(account(who), call)
		},
		Op::SubmitBatch { who, count, per_shard, payment, deadline } => {
			let call = C::Jobs(Jobs::submit_batch {
				model_id: 0,
				prompt: BoundedVec::truncate_from(PROMPT.to_vec()),
				params: params(20, count),
				count: u32::from(count % 70),
				images_per_shard: u32::from(per_shard % 12),
				max_price_per_unit: aitbc_runtime::currency::MILLI_AIT,
				payment: micro(payment.into()),
				deadline_blocks: u32::from(deadline),
			});
			signed(account(who), call)
		},
		Op::CancelJob { who, job } => {
			signed(account(who), C::Jobs(Jobs::cancel_job { job_id: job_id(job) }))
		},
		Op::CancelBatch { who, batch } => {
			let next = pallet_aitbc_jobs::NextBatchId::<Runtime>::get();
			let batch_id = u64::from(batch) % next.saturating_add(1);
			signed(account(who), C::Jobs(Jobs::cancel_batch { batch_id }))
		},
		Op::Claim { provider: who, job } => {
			signed(provider(who), C::Jobs(Jobs::claim_job { job_id: job_id(job) }))
		},
		Op::Receipt { provider: who, job, lie, authorized } => {
			let who = provider(who);
			let entry = signed_receipt(job_id(job), who, lie)?;
			if authorized {
				let receipts = BoundedVec::truncate_from(vec![entry]);
				general(C::Receipts(pallet_aitbc_receipts::Call::submit_receipts_authorized {
					receipts,
				}))
			} else {
				signed(
					who,
					C::Receipts(pallet_aitbc_receipts::Call::submit_receipt {
						receipt: entry.receipt,
						signature: entry.signature,
						attestations: entry.attestations,
					}),
				)
			}
		},
		Op::Receipts { provider: who, first, count, lie, authorized } => {
			let who = provider(who);
			let first = job_id(first);
			// Only the first receipt lies: one bad receipt among good ones.
			let entries: Vec<_> = (0..=u64::from(count % 8))
				.filter_map(|i| signed_receipt(first + i, who, if i == 0 { lie } else { 0 }))
				.collect();
			let receipts = BoundedVec::truncate_from(entries);
			if authorized {
				general(C::Receipts(pallet_aitbc_receipts::Call::submit_receipts_authorized {
					receipts,
				}))
			} else {
				signed(who, C::Receipts(pallet_aitbc_receipts::Call::submit_receipts { receipts }))
			}
		},
		Op::Heartbeat { provider: who } => {
			signed(provider(who), C::Marketplace(Marketplace::heartbeat {}))
		},
		Op::Offer { who, capacity, price } => {
			let who = account(who);
			let terms = offer_terms(who, capacity, price);
			let call =
				if pallet_aitbc_marketplace::Offers::<Runtime>::contains_key(who.to_account_id()) {
					Marketplace::update_offer { terms }
				} else {
					Marketplace::register_offer { terms }
				};
			signed(who, C::Marketplace(call))
		},
		Op::Pause { provider: who } => signed(provider(who), C::Marketplace(Marketplace::pause {})),
		Op::Resume { provider: who } => {
			signed(provider(who), C::Marketplace(Marketplace::resume {}))
		},
		Op::Deregister { provider: who } => {
			signed(provider(who), C::Marketplace(Marketplace::deregister {}))
		},
		Op::Approve { who } => governance(C::Marketplace(Marketplace::approve_provider {
			provider: account(who).to_account_id(),
		})),
		Op::RevokeApproval { who } => governance(C::Marketplace(Marketplace::revoke_approval {
			provider: account(who).to_account_id(),
		})),
		Op::Bond { who, amount } => {
			signed(account(who), C::ProviderStaking(Staking::bond { amount: micro(amount) }))
		},
		Op::Unbond { who, amount } => {
			signed(account(who), C::ProviderStaking(Staking::unbond { amount: micro(amount) }))
		},
		Op::WithdrawUnbonded { who } => {
			signed(account(who), C::ProviderStaking(Staking::withdraw_unbonded {}))
		},
		Op::RegisterAuditor { who } => {
			signed(account(who), C::Audits(Audits::register_auditor { model_id: 0 }))
		},
		Op::DeregisterAuditor { who } => {
			signed(account(who), C::Audits(Audits::deregister_auditor { model_id: 0 }))
		},
		Op::CommitVerdict { who, job, verdict: pick } => {
			let (who, job) = (account(who), job_id(job));
			let commitment = commitment(job, who, verdict(pick));
			signed(who, C::Audits(Audits::commit_verdict { job_id: job, commitment }))
		},
		Op::RevealVerdict { who, job, verdict: pick, wrong_salt } => {
			let (who, job) = (account(who), job_id(job));
			let salt = if wrong_salt { [0xee; 32] } else { salt(job, who) };
			let call = Audits::reveal_verdict { job_id: job, verdict: verdict(pick), salt };
			signed(who, C::Audits(call))
		},
		Op::Challenge { who, job, bond } => signed(
			account(who),
			C::Audits(Audits::challenge { job_id: job_id(job), bond: micro(bond) }),
		),
		Op::SetKeys { who } => {
			let who = account(who);
			let (keys, proof) = session_keys(who);
			signed(who, C::Session(pallet_session::Call::set_keys { keys, proof }))
		},
		Op::RegisterCandidate { who, bond } => signed(
			account(who),
			C::Validators(Validators::register_as_candidate { bond: micro(bond) }),
		),
		Op::RaiseBond { who, extra } => {
			signed(account(who), C::Validators(Validators::raise_bond { extra: micro(extra) }))
		},
		Op::LeaveIntent { who } => signed(account(who), C::Validators(Validators::leave_intent {})),
		Op::WithdrawBond { who } => {
			signed(account(who), C::Validators(Validators::withdraw_bond {}))
		},
		Op::PlaceLimit { who, pair, sell, price, lots, expires } => {
			let call = C::Exchange(Exchange::place_limit {
				pair: pair_id(pair),
				side: side(sell),
				price: u128::from(price),
				lots: u64::from(lots % 16),
				expires_in: expires.map(|e| u32::from(e) % 40),
			});
			signed(account(who), call)
		},
		Op::PlaceMarket { who, pair, sell, lots, worst } => {
			let call = C::Exchange(Exchange::place_market {
				pair: pair_id(pair),
				side: side(sell),
				lots: u64::from(lots % 16),
				worst_price: u128::from(worst),
			});
			signed(account(who), call)
		},
		Op::CancelOrder { who, order } => {
			let who = account(who);
			signed(who, C::Exchange(Exchange::cancel { order: order_id(who, order) }))
		},
		Op::CancelAll { who } => {
			signed(account(who), C::Exchange(Exchange::cancel_all { pair: None }))
		},
		Op::SetPairOpen { pair, open } => {
			governance(C::Exchange(Exchange::set_pair_open { pair: pair_id(pair), open }))
		},
		Op::SetAuditParams { percent, always_units } => {
			governance(C::Audits(Audits::set_audit_params {
				rate: sp_runtime::Perbill::from_percent(u32::from(percent % 101)),
				always_audit_units: u64::from(always_units) * 1_000,
			}))
		},
		Op::SetMaxPrice { milli } => {
			governance(C::Receipts(pallet_aitbc_receipts::Call::set_max_price_per_unit {
				price: u128::from(milli) * aitbc_runtime::currency::MILLI_AIT / 4,
			}))
		},
		Op::SetMinStake { amount } => {
			governance(C::ProviderStaking(Staking::set_min_provider_stake {
				amount: micro(amount),
			}))
		},
		Op::SetCandidacyBond { amount } => {
			governance(C::Validators(Validators::set_candidacy_bond { bond: micro(amount) }))
		},
		Op::SetDesiredCandidates { count } => {
			governance(C::Validators(Validators::set_desired_candidates {
				desired: u32::from(count % 12),
			}))
		},
		Op::AddModel { max_steps } => governance(model_call(max_steps)),
		Op::RetireModel { model } => {
			let models = pallet_aitbc_marketplace::ModelCount::<Runtime>::get();
			let model_id = u32::from(model) % models.saturating_add(1);
			governance(C::Marketplace(Marketplace::retire_model { model_id }))
		},
		Op::SetAttesters { count, required } => {
			let attesters = crate::calls::PROVIDERS
				.iter()
				.take(usize::from(count % 4))
				.map(|&who| aitbc_primitives::WorkerKey::Sr25519(worker_pair(who).public().0))
				.collect();
			let call = pallet_aitbc_receipts::Call::set_attesters {
				attesters: BoundedVec::truncate_from(attesters),
				required,
			};
			governance(C::Receipts(call))
		},
		Op::CreatePair { lot, tick, min_lots } => governance(C::Exchange(Exchange::create_pair {
			quote: 1,
			lot: micro(lot.into()),
			tick: u128::from(tick),
			min_lots: u64::from(min_lots),
		})),
		Op::SetAuthorities { count } => {
			let authorities = [Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie]
				.iter()
				.take(1 + usize::from(count % 3))
				.map(|who| who.to_account_id())
				.collect();
			let call =
				Validators::set_authorities { authorities: BoundedVec::truncate_from(authorities) };
			governance(C::Validators(call))
		},
		Op::RecoverFinality { delay, best } => {
			governance(C::Validators(Validators::recover_finality {
				delay: u32::from(delay),
				best_finalized: u32::from(best),
			}))
		},
		Op::SudoMode { on } => {
			THROUGH_SUDO.with(|mode| mode.set(on));
			return None;
		},
		Op::ProbeReport { signer, prober, provider: down, stale } => {
			let round = pallet_aitbc_probes::Pallet::<Runtime>::current_round();
			let report = pallet_aitbc_probes::Report {
				round: if stale { round.saturating_sub(1) } else { round },
				prober: u32::from(prober % 4),
				findings: BoundedVec::truncate_from(vec![
					pallet_aitbc_probes::Finding::ProviderDown(provider(down).to_account_id()),
				]),
			};
			let signature = sign(probe_signer(signer), &report.signing_message(&GENESIS_HASH));
			general(C::Probes(pallet_aitbc_probes::Call::report {
				report,
				signature: signature.into(),
			}))
		},
		Op::ArtifactReport { signer, prober, job, back } => {
			let now = frame_system::Pallet::<Runtime>::block_number();
			let report = pallet_aitbc_probes::ArtifactReport {
				block: now.saturating_sub(u32::from(back % 16)),
				prober: u32::from(prober % 4),
				unavailable: BoundedVec::truncate_from(vec![job_id(job)]),
			};
			let signature = sign(probe_signer(signer), &report.signing_message(&GENESIS_HASH));
			general(C::Probes(pallet_aitbc_probes::Call::report_artifacts {
				report,
				signature: signature.into(),
			}))
		},
	})
}

/// A probe key picked by `pick`: a dev account's key, or one `Op::SetKeys` sets.
fn probe_signer(pick: u8) -> &'static sp_core::sr25519::Pair {
	let who = account(pick);
	if pick % 12 < 6 {
		crate::calls::account_pair(who)
	} else {
		crate::calls::probe_pair(who)
	}
}
