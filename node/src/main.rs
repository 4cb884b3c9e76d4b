//! `aitbc-node`: the AITBC Substrate node (Aura authoring, GRANDPA finality, ParityDB,
//! off-chain workers, the standard Substrate RPC set and Prometheus metrics).

mod chain_spec;
mod cli;
mod command;
mod rpc;
mod service;

fn main() -> std::process::ExitCode {
	match command::run() {
		Ok(()) => std::process::ExitCode::SUCCESS,
		Err(e) => {
			// Display, not Debug: the user gets the cause, not an enum dump.
			eprintln!("Error: {e}");
			std::process::ExitCode::FAILURE
		},
	}
}
