//! `aitbc validators`, `aitbc candidate …` and `aitbc set-validator-params`.

use aitbc_client::{account_of, format_ait, parse_ait, validators::ValidatorSet, Client};
use clap::Subcommand;

use crate::{signer, Cli};

#[derive(Subcommand)]
pub enum CandidateAction {
	/// Generate session keys on the validator's own node (--node, unsafe RPC on loopback) and
	/// set them for --account (`session.setKeys`, with the node's ownership proof).
	Keys,
	/// Register --account as a candidate, holding BOND AIT (at least the chain's floor).
	Register {
		#[arg(long)]
		bond: String,
	},
	/// Raise --account's candidacy bond by EXTRA AIT.
	Bond {
		#[arg(long)]
		extra: String,
	},
	/// End --account's candidacy; the bond stays held until its unlock block.
	Leave,
	/// Release --account's unlocked bond.
	Withdraw,
}

fn set_json(set: &ValidatorSet) -> serde_json::Value {
	let accounts = |list: &[subxt::utils::AccountId32]| -> Vec<String> {
		list.iter().map(ToString::to_string).collect()
	};
	serde_json::json!({
		"block": set.block,
		"session": set.session,
		"session_length": set.session_length,
		"next_session_at": set.next_session_at,
		"validators": accounts(&set.validators),
		"next_validators": accounts(&set.queued),
		"authorities": accounts(&set.authorities),
		"desired_candidates": set.desired_candidates,
		"candidacy_bond": set.candidacy_bond.to_string(),
		"candidates": set.candidates.iter().map(|c| serde_json::json!({
			"account": c.who.to_string(), "bond": c.bond.to_string(), "has_keys": c.has_keys,
		})).collect::<Vec<_>>(),
		"unlocking": set.unlocking.iter().map(|(who, amount, at)| serde_json::json!({
			"account": who.to_string(), "amount": amount.to_string(), "unlock_at": at,
		})).collect::<Vec<_>>(),
		"total_slashed": set.total_slashed.to_string(),
	})
}

/// `aitbc validators`: the set now and next session, the candidates and their bonds.
pub async fn show(cli: &Cli, client: &Client) -> anyhow::Result<()> {
	let set = client.validator_set().await?;
	if cli.json {
		println!("{}", set_json(&set));
		return Ok(());
	}
	let role = |who: &subxt::utils::AccountId32| {
		if set.authorities.contains(who) {
			"authority"
		} else {
			"candidate"
		}
	};
	println!(
		"session {} (best block {}; {} blocks per session, next session at block {})",
		set.session, set.block, set.session_length, set.next_session_at
	);
	println!("validators now:");
	for who in &set.validators {
		println!("  {who}  {}", role(who));
	}
	if set.queued != set.validators {
		println!("validators from the next session:");
		for who in &set.queued {
			println!("  {who}  {}", role(who));
		}
	}
	println!(
		"candidates ({} seats, bond at least {}):",
		set.desired_candidates,
		format_ait(set.candidacy_bond)
	);
	if set.candidates.is_empty() {
		println!("  none");
	}
	for c in &set.candidates {
		let note = if !c.has_keys {
			"  (no session keys: never selected)"
		} else if c.bond < set.candidacy_bond {
			"  (below the floor: not selected)"
		} else {
			""
		};
		println!("  {}  {}{note}", c.who, format_ait(c.bond));
	}
	for (who, amount, at) in &set.unlocking {
		println!("unlocking: {who}  {} from block {at}", format_ait(*amount));
	}
	if set.total_slashed > 0 {
		println!("slashed for equivocation so far: {}", format_ait(set.total_slashed));
	}
	Ok(())
}

/// `aitbc candidate …`.
pub async fn candidate(cli: &Cli, client: &Client, action: &CandidateAction) -> anyhow::Result<()> {
	let pair = signer(cli, &cli.account)?;
	let who = account_of(&pair);
	match action {
		CandidateAction::Keys => {
			let generated = client.rotate_session_keys(&who).await?;
			client.set_session_keys(&pair, &generated.keys, &generated.proof).await?;
			if cli.json {
				println!(
					"{}",
					serde_json::json!({"account": who.to_string(), "keys": format!("0x{}", hex::encode(&generated.keys))})
				);
			} else {
				println!(
					"session keys 0x{} generated in {}'s keystore and set for {who}; they take effect from the next session",
					hex::encode(&generated.keys),
					client.url()
				);
			}
		},
		CandidateAction::Register { bond } => {
			let bond = parse_ait(bond).map_err(|e| anyhow::anyhow!("--bond: {e}"))?;
			// Checked here so the message can say what to run; the chain refuses it anyway.
			anyhow::ensure!(
				client.has_session_keys(&who).await?,
				"{who} has no session keys: run `aitbc candidate keys --node <your validator node>` first"
			);
			client.register_candidate(&pair, bond).await?;
			let set = client.validator_set().await?;
			println!(
				"{who} is a candidate with a bond of {}; if its bond is among the top {}, it validates from session {}",
				format_ait(bond),
				set.desired_candidates,
				set.session + 2
			);
		},
		CandidateAction::Bond { extra } => {
			let extra = parse_ait(extra).map_err(|e| anyhow::anyhow!("--extra: {e}"))?;
			client.raise_bond(&pair, extra).await?;
			println!("{who}'s bond raised by {}", format_ait(extra));
		},
		CandidateAction::Leave => {
			client.leave_candidacy(&pair).await?;
			let set = client.validator_set().await?;
			let unlock_at = set.unlocking.iter().find(|(w, _, _)| *w == who).map(|(_, _, at)| *at);
			match unlock_at {
				Some(at) => println!(
					"{who} left the candidates; its bond unlocks at block {at} (then `aitbc candidate withdraw`)"
				),
				None => println!("{who} left the candidates"),
			}
		},
		CandidateAction::Withdraw => {
			client.withdraw_bond(&pair).await?;
			println!("{who}'s bond is released");
		},
	}
	Ok(())
}

/// `aitbc set-validator-params`: governance sets the candidate seats and the bond floor.
pub async fn set_params(
	cli: &Cli,
	client: &Client,
	seats: Option<u32>,
	bond: Option<&str>,
) -> anyhow::Result<()> {
	anyhow::ensure!(seats.is_some() || bond.is_some(), "give --seats, --bond or both");
	let governance = signer(cli, &cli.account)?;
	if let Some(seats) = seats {
		client.set_desired_candidates(&governance, seats).await?;
		println!("candidate seats: {seats}");
	}
	if let Some(bond) = bond {
		let bond = parse_ait(bond).map_err(|e| anyhow::anyhow!("--bond: {e}"))?;
		client.set_candidacy_bond(&governance, bond).await?;
		println!("candidacy bond floor: {}", format_ait(bond));
	}
	Ok(())
}

/// `aitbc set-authorities`: governance appoints the authorities.
pub async fn set_authorities(
	cli: &Cli,
	client: &Client,
	accounts: Vec<subxt::utils::AccountId32>,
) -> anyhow::Result<()> {
	let governance = signer(cli, &cli.account)?;
	// Included in a best block: this is also a tool for a chain whose finality stalled.
	let best = client.clone().with_inclusion(aitbc_client::Inclusion::BestBlock);
	best.set_authorities(&governance, accounts.clone()).await?;
	let set = client.validator_set().await?;
	println!(
		"authorities appointed: {}; they validate from session {}",
		accounts.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
		set.session + 2
	);
	Ok(())
}

/// `aitbc recover-finality`: governance forces GRANDPA's next set change.
pub async fn recover_finality(
	cli: &Cli,
	client: &Client,
	delay: u32,
	best_finalized: Option<u32>,
) -> anyhow::Result<()> {
	let best_finalized = match best_finalized {
		Some(number) => number,
		None => client.finalized_number().await?,
	};
	let governance = signer(cli, &cli.account)?;
	// Included in a best block: a stalled chain finalizes nothing, so waiting for it would hang.
	client
		.clone()
		.with_inclusion(aitbc_client::Inclusion::BestBlock)
		.recover_finality(&governance, delay, best_finalized)
		.await?;
	let set = client.validator_set().await?;
	println!(
		"finality stall noted: at block {} (next session) GRANDPA switches to that session's set {delay} blocks later, on top of finalized block {best_finalized}",
		set.next_session_at
	);
	if set.queued != set.validators {
		println!(
			"next session's set: {}",
			set.queued.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
		);
	} else {
		println!("note: the next session's set is the current one; if it cannot finalize, appoint an online set with `aitbc set-authorities` and run this again in the next session");
	}
	Ok(())
}
