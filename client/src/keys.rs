//! Signing keys: development accounts, secret URIs and mnemonics, and key files.
//!
//! A key file holds one secret URI (a `0x…` seed written by [`generate_key_file`], or any
//! `//Alice`-style URI or mnemonic a user puts there) and is created readable by its owner only.

use std::{io::Write, path::Path};

use rand::RngCore;
use subxt::utils::AccountId32;
use subxt_signer::{sr25519::Keypair, SecretUri};

/// A development account (`alice`, `bob`, `charlie`, `dave`, `eve`, `ferdie`).
pub fn dev_account(name: &str) -> Option<Keypair> {
	use subxt_signer::sr25519::dev;
	Some(match name.to_ascii_lowercase().as_str() {
		"alice" => dev::alice(),
		"bob" => dev::bob(),
		"charlie" => dev::charlie(),
		"dave" => dev::dave(),
		"eve" => dev::eve(),
		"ferdie" => dev::ferdie(),
		_ => return None,
	})
}

/// The names [`dev_account`] knows.
pub const DEV_ACCOUNTS: [&str; 6] = ["alice", "bob", "charlie", "dave", "eve", "ferdie"];

/// The account id of a key pair.
pub fn account_of(keypair: &Keypair) -> AccountId32 {
	keypair.public_key().into()
}

/// A key pair from a dev name, a secret URI (`//Alice`, `0x…` seed, `phrase//derivation`) or a
/// mnemonic. The error never repeats the secret.
pub fn keypair_from(text: &str) -> Result<Keypair, String> {
	if let Some(pair) = dev_account(text) {
		return Ok(pair);
	}
	let uri: SecretUri = text.trim().parse().map_err(|_| {
		"not a dev name (alice, bob, …), secret URI (//Name, 0x seed) or mnemonic".to_string()
	})?;
	Keypair::from_uri(&uri).map_err(|e| format!("not a usable sr25519 secret: {e}"))
}

/// A new random secret URI (`0x` + 32-byte seed from the OS's generator).
pub fn generate_secret() -> String {
	let mut seed = [0u8; 32];
	rand::rngs::OsRng.fill_bytes(&mut seed);
	format!("0x{}", hex::encode(seed))
}

/// Writes `secret` to a new key file at `path` (mode 0600); refuses to overwrite one.
pub fn write_key_file(path: &Path, secret: &str) -> Result<(), String> {
	if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
		std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
	}
	let mut options = std::fs::OpenOptions::new();
	options.write(true).create_new(true);
	#[cfg(unix)]
	std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
	let mut file = options.open(path).map_err(|e| match e.kind() {
		std::io::ErrorKind::AlreadyExists => {
			format!(
				"{} already exists; not overwriting a key (remove it first if you mean to)",
				path.display()
			)
		},
		_ => format!("creating {}: {e}", path.display()),
	})?;
	file.write_all(format!("{secret}\n").as_bytes())
		.map_err(|e| format!("writing {}: {e}", path.display()))
}

/// Generates a key file at `path` and returns its key pair.
pub fn generate_key_file(path: &Path) -> Result<Keypair, String> {
	let secret = generate_secret();
	let pair = keypair_from(&secret)?;
	write_key_file(path, &secret)?;
	Ok(pair)
}

/// Reads the key pair in a key file.
pub fn read_key_file(path: &Path) -> Result<Keypair, String> {
	let text = std::fs::read_to_string(path)
		.map_err(|e| format!("reading key file {}: {e}", path.display()))?;
	keypair_from(text.trim()).map_err(|e| format!("key file {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn dev_names_uris_and_seeds_give_the_same_keys_as_substrate() {
		// Alice's well-known address.
		let alice = keypair_from("alice").unwrap();
		assert_eq!(
			account_of(&alice).to_string(),
			"5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"
		);
		assert_eq!(account_of(&keypair_from("//Alice").unwrap()), account_of(&alice));
		assert!(keypair_from("not a key at all!").is_err());
	}

	#[test]
	fn key_files_round_trip_are_private_and_never_overwritten() {
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("keys/worker.key");
		let pair = generate_key_file(&path).unwrap();
		assert_eq!(account_of(&read_key_file(&path).unwrap()), account_of(&pair));
		#[cfg(unix)]
		{
			use std::os::unix::fs::PermissionsExt;
			assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
		}
		let err = generate_key_file(&path).unwrap_err();
		assert!(err.contains("already exists"), "{err}");
		assert_eq!(account_of(&read_key_file(&path).unwrap()), account_of(&pair));
		// Two generated keys differ.
		assert_ne!(generate_secret(), generate_secret());
	}
}
