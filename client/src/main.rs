//! `aitbc`: the AITBC command line for clients.

use std::{path::PathBuf, process::ExitCode, time::Duration};

use aitbc_client::{format_ait, parse_ait, state_name, Client};
use aitbc_primitives::{JobParams, Scheduler};
use clap::{Parser, Subcommand, ValueEnum};

#[path = "cli/batches.rs"]
mod batches_cli;
#[path = "cli/exchange.rs"]
mod exchange_cli;
#[path = "cli/feasibility.rs"]
mod feasibility_cli;
#[path = "cli/fetch.rs"]
mod fetch_cli;
#[path = "cli/keys.rs"]
mod keys_cli;
#[path = "cli/providers.rs"]
mod providers_cli;
#[path = "cli/show.rs"]
mod show;
#[path = "cli/validators.rs"]
mod validators_cli;
#[path = "cli/web.rs"]
mod web_cli;

pub(crate) use keys_cli::{account_id, signer};
use keys_cli::{keys_command, KeysAction};
use show::{audit_json, describe_audit, print_receipt, receipt_json};
pub(crate) use show::{describe_state, job_json};

/// AITBC client: balances, jobs and receipts on an AITBC chain.
#[derive(Parser)]
#[command(name = "aitbc", version)]
pub(crate) struct Cli {
	/// Node WebSocket RPC URL.
	#[arg(long, global = true, env = "AITBC_NODE", default_value = "ws://127.0.0.1:9944")]
	node: String,
	/// Signing account: a key name from the keystore, a dev name (alice, bob, …), or a secret URI /
	/// mnemonic.
	#[arg(
		long,
		global = true,
		env = "AITBC_ACCOUNT",
		default_value = "alice",
		hide_env_values = true
	)]
	account: String,
	/// Folder of named key files (`aitbc keys generate NAME`).
	#[arg(long, global = true, env = "AITBC_KEYSTORE")]
	keystore: Option<PathBuf>,
	/// Machine-readable JSON output.
	#[arg(long, global = true)]
	json: bool,
	#[command(subcommand)]
	command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum SchedulerArg {
	Ddim,
	Euler,
}

#[derive(Subcommand)]
enum Command {
	/// Key management: list, generate, import (sr25519).
	Keys {
		#[command(subcommand)]
		action: Option<KeysAction>,
	},
	/// Free balance of an account (SS58 address, key name or dev name; default: --account).
	Balance { who: Option<String> },
	/// Send AIT (decimal amount, e.g. 1.5).
	Transfer { to: String, amount: String },
	/// Registered models.
	Models,
	/// Providers with an offer: price, endpoint, capacity, approval, reputation.
	Providers,
	/// Submit a text-to-image job; prints its id and cost. With --count N, a batch of N images
	/// (seeds SEED … SEED+N-1) for one payment, served in parallel by any providers.
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
		#[arg(long, value_enum, default_value = "ddim")]
		scheduler: SchedulerArg,
		/// Payment in AIT (0: a free job).
		#[arg(long, default_value = "0")]
		payment: String,
		/// Highest provider price per unit accepted, in AIT.
		#[arg(long, default_value = "0")]
		max_price: String,
		/// Blocks the provider has from claiming to receipt (default 30, and for shards of
		/// several images at least the chain's shortest deadline per image).
		#[arg(long)]
		deadline: Option<u32>,
		/// Images in the job: more than 1 submits a batch, split over providers as shards.
		#[arg(long, default_value_t = 1)]
		count: u32,
		/// Images per shard of a batch: 1 spreads it over the most providers; more cost the
		/// chain less per image (each shard is one job, one receipt), served by one provider.
		#[arg(long, default_value_t = 1)]
		per_shard: u32,
		/// Submit even when the chain says no live provider could take the job (it then waits
		/// for one, and is refunded if none takes it in time).
		#[arg(long)]
		force: bool,
	},
	/// A job's state; with --follow, watch it live until it is final. With --batch, ID is a
	/// batch: k of N done, by whom, each shard's state.
	Status {
		job_id: u64,
		#[arg(long)]
		follow: bool,
		#[arg(long)]
		batch: bool,
	},
	/// Cancel a pending job (full refund); with --batch, the shards of batch ID no provider
	/// has taken.
	Cancel {
		job_id: u64,
		#[arg(long)]
		batch: bool,
	},
	/// Receipts of a job or of a provider.
	Receipts {
		/// The receipt of this job.
		#[arg(long, conflicts_with = "provider")]
		job: Option<u64>,
		/// Every receipt of this provider (address, key name or dev name).
		#[arg(long)]
		provider: Option<String>,
	},
	/// Governance: approve a provider to take jobs (signed by the sudo key, e.g. --account alice on
	/// a dev chain).
	ApproveProvider {
		/// Address, key name or dev name.
		provider: String,
	},
	/// Challenge a job's receipt before it is final, holding BOND AIT on its audit's outcome:
	/// returned with a reward if the receipt fails, forfeited if it passes.
	Challenge {
		job_id: u64,
		#[arg(long)]
		bond: String,
	},
	/// Governance: the share of receipts audited (percent) and the size in units from which
	/// every receipt is (0: none).
	SetAuditParams {
		#[arg(long)]
		rate: f64,
		#[arg(long, default_value_t = 0.0)]
		always_units: f64,
	},
	/// The validator set: who validates now and next session, the candidates and their bonds.
	Validators,
	/// Validator candidacy of --account: session keys, register, raise the bond, leave, withdraw.
	Candidate {
		#[command(subcommand)]
		action: validators_cli::CandidateAction,
	},
	/// Governance: seats for candidates and the candidacy bond floor (AIT).
	SetValidatorParams {
		#[arg(long)]
		seats: Option<u32>,
		#[arg(long)]
		bond: Option<String>,
	},
	/// Governance: appoint the authorities (addresses, key names or dev names); they validate
	/// from the session after next.
	SetAuthorities {
		#[arg(required = true)]
		accounts: Vec<String>,
	},
	/// Governance: recover a stalled finality. The next session change forces GRANDPA to that
	/// session's set DELAY blocks after it starts (appoint a set that is online first).
	RecoverFinality {
		#[arg(long, default_value_t = 5)]
		delay: u32,
		/// The highest block every honest node finalized (default: --node's finalized block).
		#[arg(long)]
		best_finalized: Option<u32>,
	},
	/// Download a job's image from its provider and verify its sha256 against the receipt.
	/// With --batch, every served image of batch ID, into the folder --out (default batch-<id>).
	Fetch {
		job_id: u64,
		/// Where to write the PNG (default: job-<id>.png), or the batch's folder.
		#[arg(long, short)]
		out: Option<PathBuf>,
		#[arg(long)]
		batch: bool,
	},
	/// The AIT order book: book, buy, sell, orders, cancel, trades.
	Market {
		#[command(subcommand)]
		action: exchange_cli::MarketAction,
	},
	/// Serve the web app (explorer, image jobs, providers, wallet) for --node; it opens at the
	/// printed URL and signs through a browser wallet extension.
	Web {
		/// Address to listen on.
		#[arg(long, default_value = "127.0.0.1:8080")]
		listen: std::net::SocketAddr,
		/// The built app (`npm run build` in web/).
		#[arg(long, default_value = "web/dist")]
		dir: PathBuf,
	},
}

async fn run(cli: Cli) -> anyhow::Result<()> {
	if let Command::Keys { action } = &cli.command {
		return keys_command(&cli, action).await;
	}
	if let Command::Web { listen, dir } = &cli.command {
		return web_cli::serve(dir, *listen, &cli.node).await;
	}
	let client = Client::connect(&cli.node, Duration::from_secs(3)).await?;
	match &cli.command {
		Command::Keys { .. } | Command::Web { .. } => unreachable!("handled before connecting"),
		Command::Balance { who } => {
			let who = account_id(&cli, who.as_deref().unwrap_or(&cli.account))?;
			let balance = client.balance(&who).await?;
			if cli.json {
				println!(
					"{}",
					serde_json::json!({"account": who.to_string(), "free": balance.to_string()})
				);
			} else {
				println!("{who}: {}", format_ait(balance));
			}
		},
		Command::Transfer { to, amount } => {
			let amount = parse_ait(amount).map_err(anyhow::Error::msg)?;
			let included = client
				.transfer(&signer(&cli, &cli.account)?, &account_id(&cli, to)?, amount)
				.await?;
			println!("sent {} (extrinsic {})", format_ait(amount), included.extrinsic_hash);
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
		Command::Providers => providers_cli::list(&cli, &client).await?,
		Command::Market { action } => exchange_cli::run(&cli, &client, action).await?,
		Command::Submit {
			model,
			prompt,
			steps,
			guidance,
			width,
			height,
			seed,
			scheduler,
			payment,
			max_price,
			deadline,
			count,
			per_shard,
			force,
		} => {
			anyhow::ensure!(
				(0.0..=1_000.0).contains(guidance),
				"--guidance must be between 0 and 1000"
			);
			let params = JobParams {
				steps: *steps,
				guidance_milli: (guidance * 1000.0).round() as u32,
				width: *width,
				height: *height,
				seed: *seed,
				scheduler: match scheduler {
					SchedulerArg::Ddim => Scheduler::Ddim,
					SchedulerArg::Euler => Scheduler::Euler,
				},
			};
			let payment = parse_ait(payment).map_err(|e| anyhow::anyhow!("--payment: {e}"))?;
			let max_price =
				parse_ait(max_price).map_err(|e| anyhow::anyhow!("--max-price: {e}"))?;
			anyhow::ensure!(*count >= 1, "--count must be at least 1");
			anyhow::ensure!(
				*per_shard >= 1 && per_shard <= count,
				"--per-shard must be between 1 and --count ({count})"
			);
			// A shard's provider makes all its images before the deadline: the chain asks at
			// least its shortest deadline per image.
			let least = if *per_shard > 1 {
				client.min_deadline().await?.saturating_mul(*per_shard)
			} else {
				0
			};
			let deadline = &deadline.unwrap_or(30.max(least));
			anyhow::ensure!(
				*deadline >= least,
				"--deadline {deadline} is too short for {per_shard} images to a shard: give at least {least} blocks, or fewer --per-shard"
			);
			let feasibility =
				feasibility_cli::check(&cli, &client, *model, &params, max_price, *force).await?;
			if *count > 1 {
				let request = batches_cli::BatchRequest {
					model: *model,
					prompt,
					params,
					count: *count,
					images_per_shard: *per_shard,
					max_price,
					payment,
					deadline: *deadline,
					feasibility,
				};
				return batches_cli::submit(&cli, &client, request).await;
			}
			let signer = signer(&cli, &cli.account)?;
			let job_id = client
				.submit_job(&signer, *model, prompt, params, max_price, payment, *deadline)
				.await?;
			let job = client.job(job_id).await?;
			// What a provider at the highest accepted price would be minted.
			let max_mint = u128::from(job.units).saturating_mul(max_price) / 1000;
			if cli.json {
				let mut out = job_json(job_id, &job);
				out["max_mint"] = max_mint.to_string().into();
				out["feasibility"] = feasibility_cli::json(&feasibility);
				println!("{out}");
			} else {
				println!(
					"job {job_id}: {:.3} units, payment {}, provider price at most {} per unit (at most {} minted)",
					job.units as f64 / 1000.0,
					format_ait(payment),
					format_ait(max_price),
					format_ait(max_mint),
				);
			}
		},
		Command::Status { job_id, follow, batch: true } => {
			batches_cli::status(&cli, &client, *job_id, *follow).await?
		},
		Command::Status { job_id, follow, batch: false } => {
			if !*follow {
				let job = client.job(*job_id).await?;
				let audit = client.audit(*job_id).await?;
				let position = client.queue_position(*job_id).await?;
				let reservation = client.reservation(*job_id).await?;
				if cli.json {
					let mut out = job_json(*job_id, &job);
					out["audit"] = audit.as_ref().map_or(serde_json::Value::Null, audit_json);
					out["queue_position"] = position.into();
					out["reserved_for"] = reservation.as_ref().map_or(
						serde_json::Value::Null,
						|(p, by)| serde_json::json!({ "provider": p.to_string(), "accept_by": by }),
					);
					println!("{out}");
				} else {
					let queued = position.map_or(String::new(), |at| {
						format!(" ({at} job(s) ahead of it in the queue)")
					});
					let reserved = reservation.map_or(String::new(), |(provider, by)| {
						format!(", reserved for {provider} until block {by}")
					});
					println!("job {job_id}: {}{queued}{reserved}", describe_state(&job.state));
					if let Some(audit) = &audit {
						println!("  {}", describe_audit(audit));
					}
				}
				return Ok(());
			}
			// A live spinner on a terminal; one line per state change otherwise (or JSON lines).
			use std::io::IsTerminal;
			let progress = (!cli.json && std::io::stderr().is_terminal()).then(|| {
				let bar = indicatif::ProgressBar::new_spinner();
				bar.set_style(
					indicatif::ProgressStyle::with_template(
						"{spinner} [{elapsed_precise}] job {prefix}: {msg}",
					)
					.expect("template"),
				);
				bar.set_prefix(job_id.to_string());
				bar.enable_steady_tick(Duration::from_millis(120));
				bar
			});
			let job = client
				.follow_job(*job_id, |block, job| {
					let line = format!("block {block:>6}: {}", describe_state(&job.state));
					match &progress {
						Some(bar) => {
							bar.set_message(state_name(&job.state).to_string());
							bar.println(line);
						},
						None if cli.json => {
							let mut out = job_json(*job_id, job);
							out["block"] = block.into();
							println!("{out}");
						},
						None => println!("{line}"),
					}
				})
				.await?;
			if let Some(bar) = progress {
				bar.finish_with_message(state_name(&job.state).to_string());
			}
			if let (Some(audit), false) = (client.audit(*job_id).await?, cli.json) {
				println!("  {}", describe_audit(&audit));
			}
			let _ = job;
		},
		Command::Challenge { job_id, bond } => {
			let bond = parse_ait(bond).map_err(|e| anyhow::anyhow!("--bond: {e}"))?;
			let signer = signer(&cli, &cli.account)?;
			client.challenge(&signer, *job_id, bond).await?;
			println!(
				"challenged job {job_id}'s receipt with a bond of {}; its audit decides",
				format_ait(bond)
			);
		},
		Command::SetAuditParams { rate, always_units } => {
			anyhow::ensure!(
				(0.0..=100.0).contains(rate),
				"--rate is a percentage between 0 and 100"
			);
			anyhow::ensure!(*always_units >= 0.0, "--always-units must not be negative");
			let signer = signer(&cli, &cli.account)?;
			let parts = (rate * 10_000_000.0).round() as u32;
			let milli = (always_units * 1_000.0).round() as u64;
			client.set_audit_params(&signer, parts, milli).await?;
			if milli == 0 {
				println!("audit rate {rate}%");
			} else {
				println!("audit rate {rate}%, and every receipt of at least {always_units} units");
			}
		},
		Command::Cancel { job_id, batch: true } => {
			batches_cli::cancel(&cli, &client, *job_id).await?
		},
		Command::Cancel { job_id, batch: false } => {
			let included = client.cancel_job(&signer(&cli, &cli.account)?, *job_id).await?;
			println!("job {job_id} cancelled (extrinsic {})", included.extrinsic_hash);
		},
		Command::Receipts { job, provider } => {
			let mut receipts = Vec::new();
			if let Some(job_id) = job {
				client.job(*job_id).await?;
				receipts.extend(client.receipt(*job_id).await?);
			} else {
				let provider = account_id(&cli, provider.as_deref().unwrap_or(&cli.account))?;
				for job_id in client.receipted_jobs(&provider).await? {
					receipts.extend(client.receipt(job_id).await?);
				}
			}
			if cli.json {
				println!(
					"{}",
					serde_json::Value::Array(receipts.iter().map(receipt_json).collect())
				);
			} else if receipts.is_empty() {
				println!("no receipts");
			} else {
				for stored in &receipts {
					let audited = client.audit(stored.receipt.job_id).await?.is_some();
					print_receipt(stored, audited);
				}
			}
		},
		Command::ApproveProvider { provider } => {
			let provider = account_id(&cli, provider)?;
			let included = client.approve_provider(&signer(&cli, &cli.account)?, &provider).await?;
			println!("provider {provider} approved (extrinsic {})", included.extrinsic_hash);
		},
		Command::Validators => validators_cli::show(&cli, &client).await?,
		Command::Candidate { action } => validators_cli::candidate(&cli, &client, action).await?,
		Command::SetValidatorParams { seats, bond } => {
			validators_cli::set_params(&cli, &client, *seats, bond.as_deref()).await?
		},
		Command::SetAuthorities { accounts } => {
			let accounts =
				accounts.iter().map(|a| account_id(&cli, a)).collect::<anyhow::Result<Vec<_>>>()?;
			validators_cli::set_authorities(&cli, &client, accounts).await?
		},
		Command::RecoverFinality { delay, best_finalized } => {
			validators_cli::recover_finality(&cli, &client, *delay, *best_finalized).await?
		},
		Command::Fetch { job_id, out, batch: true } => {
			let dir = out.clone().unwrap_or_else(|| PathBuf::from(format!("batch-{job_id}")));
			batches_cli::fetch(&cli, &client, *job_id, &dir).await?
		},
		Command::Fetch { job_id, out, batch: false } => {
			fetch_cli::job(&cli, &client, *job_id, out.clone()).await?
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
