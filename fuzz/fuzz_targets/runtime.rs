//! The fuzz target: an input is a sequence of operations on the runtime (see the `aitbc-fuzz`
//! crate's docs). With `AITBC_FUZZ_SEEDS=<dir>`, it first writes (and checks) the seed corpus
//! there; with `AITBC_FUZZ_STATS` set, it prints the calls by kind when it exits.

#![no_main]

use std::sync::atomic::{AtomicU64, Ordering};

static RUNS: AtomicU64 = AtomicU64::new(0);

libfuzzer_sys::fuzz_target!(
	init: {
		if std::env::var_os("AITBC_FUZZ_STATS").is_some() {
			extern "C" {
				fn atexit(callback: extern "C" fn()) -> i32;
			}
			// libFuzzer ends with `exit`: the table prints then.
			unsafe { atexit(aitbc_fuzz::print_calls_by_kind) };
		}
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
