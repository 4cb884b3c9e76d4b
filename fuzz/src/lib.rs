//! Coverage-guided fuzzing of the real AITBC runtime (issue 22).
//!
//! An input decodes (`arbitrary`) into a sequence of [`ops::Op`] applied to the `development`
//! genesis state after a fixed setup (model 0; Bob, Charlie and Dave approved with an offer
//! each whose worker key is `//<name>//worker`). Each operation is a real extrinsic applied
//! through `Executive` with every transaction extension (signed by a dev key, or a general
//! transaction that authorizes itself), or block boundaries: the block is finalized
//! (`on_idle`, `on_finalize`) and the next initialized (`on_initialize`) with an Aura
//! pre-digest and its timestamp inherent. Arguments are biased towards meaningful values:
//! existing job, batch and order ids, receipts of real jobs signed with the right (or a
//! wrong) worker key, verdicts committed with a salt the reveal can repeat, session keys with
//! a valid ownership proof, prices on and off a pair's tick.
//!
//! After every block ([`chain::check_invariants`]): every pallet's `try_state`, the issuance
//! ledger (against the pallets' counters and against the accounts' balances), and the block's
//! weight within its limits. A panic anywhere (with overflow checks on) is a crash. Signatures
//! are deterministic ([`calls::sign`]), so an input replays exactly.
//!
//! [`seeds`] writes the seed corpus: the test suite's scenarios as inputs, each checked to
//! reach what its test reaches.

pub mod calls;
pub mod chain;
pub mod ops;
pub mod seeds;

use std::sync::atomic::{AtomicU64, Ordering};

use chain::{Chain, BLOCKS, CALLS, SUCCEEDED};

/// Most operations one input runs, and the block after which it takes no more (bounds on one
/// run's time; two sessions and a half fit, and a last `Skip` may run up to 256 blocks past).
pub const MAX_OPS: usize = 512;
pub const MAX_BLOCKS: u32 = 1_600;

/// Runs `ops` from the start state, checks the invariants after the last block, then
/// `inspect` on the final state. `AITBC_FUZZ_TRACE` set prints each operation and its outcome
/// (to read what a crashing input did).
pub fn execute_then<R>(ops: Vec<ops::Op>, inspect: impl FnOnce() -> R) -> R {
	let start = chain::start_state(calls::setup);
	let mut ext = start.externalities();
	let mut chain = Chain { number: 2, parent: start.parent };
	ops::reset();
	ext.execute_with(|| chain.start());
	let trace = std::env::var_os("AITBC_FUZZ_TRACE").is_some();
	for op in ops.into_iter().take(MAX_OPS) {
		if chain.number > MAX_BLOCKS {
			break;
		}
		let shown = trace.then(|| format!("{op:?}"));
		let kind = usize::from(codec::Encode::encode(&op)[0]);
		let outcome = match op.blocks() {
			Some(blocks) => {
				(0..blocks).for_each(|_| chain.next(&mut ext));
				None
			},
			None => ext.execute_with(|| ops::run(op)),
		};
		if let Some(outcome) = &outcome {
			BY_KIND[kind][0].fetch_add(1, Ordering::Relaxed);
			if matches!(outcome, Ok(Ok(()))) {
				BY_KIND[kind][1].fetch_add(1, Ordering::Relaxed);
			}
		}
		if let Some(op) = shown {
			eprintln!("block {:>4} {op} -> {outcome:?}", chain.number);
		}
	}
	ext.execute_with(|| {
		chain.finish();
		inspect()
	})
}

/// Calls applied and succeeded, by operation kind (its variant index).
static BY_KIND: [[AtomicU64; 2]; ops::OP_VARIANTS as usize] =
	[const { [AtomicU64::new(0), AtomicU64::new(0)] }; ops::OP_VARIANTS as usize];

/// Prints the calls applied and succeeded by operation kind (for the report of a long run).
pub extern "C" fn print_calls_by_kind() {
	let names = ops::kind_names();
	eprintln!("aitbc-fuzz: calls by kind (applied, succeeded):");
	for (kind, [applied, succeeded]) in BY_KIND.iter().enumerate() {
		eprintln!(
			"  {:<22} {:>9} {:>9}",
			names.get(kind).copied().unwrap_or("?"),
			applied.load(Ordering::Relaxed),
			succeeded.load(Ordering::Relaxed)
		);
	}
}

/// Calls applied (and how many succeeded) and blocks finalized so far in this process.
pub fn counters() -> (u64, u64, u64) {
	(
		CALLS.load(Ordering::Relaxed),
		SUCCEEDED.load(Ordering::Relaxed),
		BLOCKS.load(Ordering::Relaxed),
	)
}

/// Writes every scenario into `dir` as a seed input, after checking that its bytes decode
/// back into its operations and that replaying them reaches what the scenario expects.
pub fn write_seeds(dir: &std::path::Path) {
	std::fs::create_dir_all(dir).expect("the seed directory");
	for scenario in seeds::scenarios() {
		let bytes = seeds::encode(&scenario.ops);
		assert_eq!(seeds::decode(&bytes), scenario.ops, "seed {} round trip", scenario.name);
		let before = counters();
		let outcome = execute_then(scenario.ops, scenario.expect);
		let after = counters();
		if let Err(missed) = outcome {
			panic!("seed {}: the scenario no longer reaches its goal: {missed}", scenario.name);
		}
		eprintln!(
			"aitbc-fuzz: seed {:<15} {:>5} bytes, {:>3} calls ({} succeeded), {:>4} blocks",
			scenario.name,
			bytes.len(),
			after.0 - before.0,
			after.1 - before.1,
			after.2 - before.2,
		);
		std::fs::write(dir.join(scenario.name), bytes).expect("write the seed");
	}
}
