//! The fuzz target: an input is a sequence of operations on the runtime (see the `aitbc-fuzz`
//! crate's docs). With `AITBC_FUZZ_SEEDS=<dir>`, it first writes (and checks) the seed corpus
//! there.

#![no_main]

use std::sync::atomic::{AtomicU64, Ordering};

static RUNS: AtomicU64 = AtomicU64::new(0);

libfuzzer_sys::fuzz_target!(
	init: {
		if let Some(dir) = std::env::var_os("AITBC_FUZZ_SEEDS") {
			aitbc_fuzz::write_seeds(std::path::Path::new(&dir));
		}
	},
	|ops: Vec<aitbc_fuzz::ops::Op>| {
		aitbc_fuzz::execute_then(ops, || ());
		let runs = RUNS.fetch_add(1, Ordering::Relaxed) + 1;
		if runs % 1_000 == 0 {
			let (calls, succeeded, blocks) = aitbc_fuzz::counters();
			eprintln!(
				"aitbc-fuzz: {runs} runs, {calls} calls ({succeeded} succeeded), {blocks} blocks"
			);
		}
	}
);
