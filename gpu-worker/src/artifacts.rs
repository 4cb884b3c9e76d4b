//! Content-addressed artifact store: every image is written once under its sha256, so a client
//! can check what it downloads against the hash in a result or a receipt.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// A directory of files named by the hex sha256 of their content.
#[derive(Clone, Debug)]
pub struct ArtifactStore {
	dir: PathBuf,
}

/// Whether `name` is a lower-case hex sha256.
pub fn is_sha256_hex(name: &str) -> bool {
	name.len() == 64 && name.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

impl ArtifactStore {
	/// Opens (creating) the store at `dir`.
	pub fn open(dir: &Path) -> std::io::Result<Self> {
		std::fs::create_dir_all(dir)?;
		Ok(Self { dir: dir.to_path_buf() })
	}

	/// Stores `bytes` and returns their sha256; written to a temporary name and renamed, so a
	/// reader never sees a partial file.
	pub fn put(&self, bytes: &[u8]) -> std::io::Result<String> {
		let sha = hex::encode(Sha256::digest(bytes));
		let path = self.dir.join(&sha);
		if !path.exists() {
			let tmp = self.dir.join(format!(".{sha}.{}.tmp", std::process::id()));
			std::fs::write(&tmp, bytes)?;
			std::fs::rename(&tmp, &path)?;
		}
		Ok(sha)
	}

	/// Path of an artifact if `sha256` is well-formed and present.
	pub fn path(&self, sha256: &str) -> Option<PathBuf> {
		if !is_sha256_hex(sha256) {
			return None;
		}
		let path = self.dir.join(sha256);
		path.is_file().then_some(path)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn put_then_path_round_trips_and_rejects_bad_names() {
		let dir = tempfile::tempdir().unwrap();
		let store = ArtifactStore::open(dir.path()).unwrap();
		let sha = store.put(b"hello").unwrap();
		assert_eq!(sha, "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
		assert_eq!(std::fs::read(store.path(&sha).unwrap()).unwrap(), b"hello");
		assert!(store.path("../etc/passwd").is_none());
		assert!(store.path(&sha.to_uppercase()).is_none());
		assert!(store.path(&"0".repeat(64)).is_none());
	}
}
