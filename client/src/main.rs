//! `aitbc`: the AITBC command line for clients.

use std::{process::ExitCode, time::Duration};

use aitbc_client::{account_of, dev_account, Client, AIT};
use aitbc_primitives::{JobParams, Scheduler};
use clap::{Parser, Subcommand};
use subxt::utils::AccountId32;
use subxt_signer::sr25519::Keypair;

/// AITBC client: balances, jobs and receipts on an AITBC chain.
#[derive(Parser)]
#[command(name = "aitbc", version)]
struct Cli {
	/// Node WebSocket RPC URL.
	#[arg(long, global = true, env = "AITBC_NODE", default_value = "ws://127.0.0.1:9944")]
	node: String,
	/// Signing account: a dev name (alice, bob, …) or a secret URI / mnemonic.
	#[arg(long, global = true, env = "AITBC_ACCOUNT", default_value = "alice", hide_env_values = true)]
	account: String,
	/// Machine-readable JSON output.
	#[arg(long, global = true)]
	json: bool,
	#[command(subcommand)]
	command: Command,
}

#[derive(Subcommand)]
enum Command {
	/// Free balance of an account (SS58 address or dev name; default: --account).
	Balance { who: Option<String> },
	/// Send AIT (decimal amount, e.g. 1.5).
	Transfer { to: String, amount: String },
	/// Submit a text-to-image job; prints its id and cost.
	Submit {
		#[arg(long, default_value_t = 0)]
		model: u32,
		#[arg(long)]
		prompt: String,
		#[arg(long, default_value_t = 20)]
		steps: u32,
		#[arg(long, default_value_t = 7.5)]
		guidance: f64,
		#[arg(long, default_value_t = 256)]
		width: u32,
		#[arg(long, default_value_t = 256)]
		height: u32,
		#[arg(long, default_value_t = 0)]
		seed: u64,
		/// Payment in AIT (0: a free job).
		#[arg(long, default_value = "0")]
		payment: String,
		/// Highest provider price per unit accepted, in the smallest unit.
		#[arg(long, default_value_t = 0)]
		max_price: u128,
		/// Blocks the provider has from claiming to receipt.
		#[arg(long, default_value_t = 30)]
		deadline: u32,
	},
	/// A job's state.
	Status { job_id: u64 },
	/// Cancel a pending job (full refund).
	Cancel { job_id: u64 },
	/// Registered models.
	Models,
	/// Development accounts and their addresses (for --dev chains).
	Keys,
}

fn signer(account: &str) -> anyhow::Result<Keypair> {
	if let Some(pair) = dev_account(account) {
		return Ok(pair);
	}
	let uri: subxt_signer::SecretUri = account
		.parse()
		.map_err(|e| anyhow::anyhow!("--account: not a dev name, secret URI or mnemonic: {e:?}"))?;
	Keypair::from_uri(&uri).map_err(|e| anyhow::anyhow!("--account: {e}"))
}

fn account_id(who: &str) -> anyhow::Result<AccountId32> {
	if let Some(pair) = dev_account(who) {
		return Ok(account_of(&pair));
	}
	who.parse::<AccountId32>().map_err(|e| anyhow::anyhow!("'{who}' is neither a dev name nor an SS58 address: {e}"))
}

/// Parses a decimal AIT amount ("1.5") into the smallest unit.
fn parse_ait(text: &str) -> anyhow::Result<u128> {
	let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
	anyhow::ensure!(fraction.len() <= 12, "amount '{text}': at most 12 decimals");
	let whole: u128 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| anyhow::anyhow!("amount '{text}' is not a number"))? };
	let fraction: u128 = if fraction.is_empty() {
		0
	} else {
		format!("{fraction:0<12}").parse().map_err(|_| anyhow::anyhow!("amount '{text}' is not a number"))?
	};
	whole
		.checked_mul(AIT)
		.and_then(|w| w.checked_add(fraction))
		.ok_or_else(|| anyhow::anyhow!("amount '{text}' is too large"))
}

fn format_ait(amount: u128) -> String {
	let fraction = format!("{:012}", amount % AIT);
	let fraction = fraction.trim_end_matches('0');
	if fraction.is_empty() {
		format!("{} AIT", amount / AIT)
	} else {
		format!("{}.{fraction} AIT", amount / AIT)
	}
}

async fn run(cli: Cli) -> anyhow::Result<()> {
	if let Command::Keys = cli.command {
		for name in ["alice", "bob", "charlie", "dave", "eve", "ferdie"] {
			let id = account_of(&dev_account(name).expect("a dev name"));
			println!("{name:8} {id}  (--account {name}, dev chains only)");
		}
		return Ok(());
	}
	let client = Client::connect(&cli.node, Duration::from_secs(3)).await?;
	match cli.command {
		Command::Balance { who } => {
			let who = account_id(who.as_deref().unwrap_or(&cli.account))?;
			let balance = client.balance(&who).await?;
			if cli.json {
				println!("{}", serde_json::json!({"account": who.to_string(), "free": balance.to_string()}));
			} else {
				println!("{who}: {}", format_ait(balance));
			}
		},
		Command::Transfer { to, amount } => {
			let amount = parse_ait(&amount)?;
			let included = client.transfer(&signer(&cli.account)?, &account_id(&to)?, amount).await?;
			println!("sent {} (extrinsic {})", format_ait(amount), included.extrinsic_hash);
		},
		Command::Submit { model, prompt, steps, guidance, width, height, seed, payment, max_price, deadline } => {
			anyhow::ensure!((0.0..=1_000.0).contains(&guidance), "--guidance must be between 0 and 1000");
			let params = JobParams {
				steps,
				guidance_milli: (guidance * 1000.0).round() as u32,
				width,
				height,
				seed,
				scheduler: Scheduler::Ddim,
			};
			let payment = parse_ait(&payment)?;
			let job_id = client.submit_job(&signer(&cli.account)?, model, &prompt, params, max_price, payment, deadline).await?;
			let job = client.job(job_id).await?;
			if cli.json {
				println!("{}", serde_json::json!({"job_id": job_id, "units_milli": job.units, "payment": payment.to_string()}));
			} else {
				println!("job {job_id}: {:.3} units, payment {}", job.units as f64 / 1000.0, format_ait(payment));
			}
		},
		Command::Status { job_id } => {
			let job = client.job(job_id).await?;
			let state = format!("{:?}", job.state);
			if cli.json {
				println!("{}", serde_json::json!({"job_id": job_id, "state": state, "units_milli": job.units}));
			} else {
				println!("job {job_id}: {state}");
			}
		},
		Command::Models => {
			let models = client.models().await?;
			if cli.json {
				let list: Vec<_> = models
					.iter()
					.map(|(id, m)| {
						serde_json::json!({
							"id": id, "name": String::from_utf8_lossy(&m.name.0), "unit_weight_milli": m.unit_weight_milli,
							"max_width": m.max_width, "max_height": m.max_height, "max_steps": m.max_steps,
							"retired": m.retired, "manifest_sha256": hex::encode(m.manifest_sha256),
						})
					})
					.collect();
				println!("{}", serde_json::Value::Array(list));
			} else if models.is_empty() {
				println!("no models registered");
			} else {
				for (id, m) in models {
					println!(
						"{id:>3}  {:24} weight {:.3}  max {}x{}, {} steps{}",
						String::from_utf8_lossy(&m.name.0),
						f64::from(m.unit_weight_milli) / 1000.0,
						m.max_width,
						m.max_height,
						m.max_steps,
						if m.retired { "  (retired)" } else { "" }
					);
				}
			}
		},
		Command::Keys => unreachable!("handled before connecting"),
		Command::Cancel { job_id } => {
			let included = client.cancel_job(&signer(&cli.account)?, job_id).await?;
			println!("job {job_id} cancelled (extrinsic {})", included.extrinsic_hash);
		},
	}
	Ok(())
}

fn main() -> ExitCode {
	let cli = Cli::parse();
	let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
		Ok(runtime) => runtime,
		Err(e) => {
			eprintln!("Error: {e}");
			return ExitCode::FAILURE;
		},
	};
	match runtime.block_on(run(cli)) {
		Ok(()) => ExitCode::SUCCESS,
		Err(e) => {
			eprintln!("Error: {e:#}");
			ExitCode::FAILURE
		},
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn amounts_parse_and_format_exactly() {
		assert_eq!(parse_ait("1.5").unwrap(), 1_500_000_000_000);
		assert_eq!(parse_ait("0.000000000001").unwrap(), 1);
		assert_eq!(parse_ait("2").unwrap(), 2 * AIT);
		assert!(parse_ait("0.0000000000001").is_err());
		assert!(parse_ait("abc").is_err());
		assert_eq!(format_ait(1_500_000_000_000), "1.5 AIT");
		assert_eq!(format_ait(0), "0 AIT");
	}
}
