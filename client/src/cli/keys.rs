//! `aitbc keys …` and how the CLI finds a signer: named key files in the keystore, dev names,
//! secret URIs and mnemonics.

use std::path::{Path, PathBuf};

use aitbc_client::{account_of, keypair_from, keys};
use anyhow::Context;
use clap::Subcommand;
use subxt::utils::AccountId32;
use subxt_signer::sr25519::Keypair;

use crate::Cli;

#[derive(Subcommand)]
pub(crate) enum KeysAction {
	/// Keys in the keystore and the dev accounts.
	List,
	/// Generate a new key NAME in the keystore.
	Generate { name: String },
	/// Import a secret URI or mnemonic, read from standard input, as NAME.
	Import { name: String },
}

/// Where named keys live: --keystore, else ~/.config/aitbc/keys.
pub(crate) fn keystore(cli: &Cli) -> PathBuf {
	cli.keystore.clone().unwrap_or_else(|| {
		let base = std::env::var_os("XDG_CONFIG_HOME")
			.map(PathBuf::from)
			.or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
			.unwrap_or_else(|| PathBuf::from("."));
		base.join("aitbc").join("keys")
	})
}

pub(crate) fn key_path(store: &Path, name: &str) -> anyhow::Result<PathBuf> {
	anyhow::ensure!(
		!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
		"key name '{name}': use letters, digits, '-' and '_'"
	);
	Ok(store.join(format!("{name}.key")))
}

/// A signer from a keystore name, a dev name, or a secret.
pub(crate) fn signer(cli: &Cli, account: &str) -> anyhow::Result<Keypair> {
	if let Ok(path) = key_path(&keystore(cli), account) {
		if path.is_file() {
			return keys::read_key_file(&path).map_err(anyhow::Error::msg);
		}
	}
	keypair_from(account).map_err(|e| anyhow::anyhow!("--account: {e}"))
}

pub(crate) fn account_id(cli: &Cli, who: &str) -> anyhow::Result<AccountId32> {
	if let Ok(id) = who.parse::<AccountId32>() {
		return Ok(id);
	}
	signer(cli, who).map(|pair| account_of(&pair)).map_err(|_| {
		anyhow::anyhow!(
			"'{who}' is not an SS58 address, a key in {} or a dev name",
			keystore(cli).display()
		)
	})
}

pub(crate) async fn keys_command(cli: &Cli, action: &Option<KeysAction>) -> anyhow::Result<()> {
	let store = keystore(cli);
	match action.as_ref().unwrap_or(&KeysAction::List) {
		KeysAction::List => {
			let mut named = Vec::new();
			if let Ok(entries) = std::fs::read_dir(&store) {
				for entry in entries.flatten() {
					let path = entry.path();
					if path.extension().is_some_and(|e| e == "key") {
						let name = path
							.file_stem()
							.map(|s| s.to_string_lossy().into_owned())
							.unwrap_or_default();
						match keys::read_key_file(&path) {
							Ok(pair) => named.push((name, account_of(&pair).to_string(), false)),
							Err(e) => eprintln!("warning: {e}"),
						}
					}
				}
			}
			named.sort();
			for name in keys::DEV_ACCOUNTS {
				named.push((
					name.to_string(),
					account_of(&keys::dev_account(name).expect("dev name")).to_string(),
					true,
				));
			}
			if cli.json {
				let list: Vec<_> = named
					.iter()
					.map(|(n, a, dev)| serde_json::json!({"name": n, "address": a, "dev": dev}))
					.collect();
				println!("{}", serde_json::Value::Array(list));
			} else {
				for (name, address, dev) in named {
					println!("{name:10} {address}{}", if dev { "  (dev chains only)" } else { "" });
				}
			}
		},
		KeysAction::Generate { name } => {
			let path = key_path(&store, name)?;
			let pair = keys::generate_key_file(&path).map_err(anyhow::Error::msg)?;
			print_new_key(cli, name, &pair, &path);
		},
		KeysAction::Import { name } => {
			let path = key_path(&store, name)?;
			let mut secret = String::new();
			std::io::stdin()
				.read_line(&mut secret)
				.context("reading the secret from standard input")?;
			let pair = keypair_from(secret.trim())
				.map_err(|e| anyhow::anyhow!("the imported secret is {e}"))?;
			keys::write_key_file(&path, secret.trim()).map_err(anyhow::Error::msg)?;
			print_new_key(cli, name, &pair, &path);
		},
	}
	Ok(())
}

fn print_new_key(cli: &Cli, name: &str, pair: &Keypair, path: &Path) {
	let address = account_of(pair).to_string();
	if cli.json {
		println!(
			"{}",
			serde_json::json!({"name": name, "address": address, "file": path.display().to_string()})
		);
	} else {
		println!("{name}: {address} (secret in {})", path.display());
	}
}
