//! The worker's journal of jobs in progress: one small JSON file per job, written atomically
//! before each step that the chain will see, so that after a crash the worker knows what it may
//! have claimed and which receipt it signed, and never signs a second, different receipt for a job
//! whose first one may already be on its way.

use std::path::{Path, PathBuf};

use aitbc_primitives::JobId;
use serde::{Deserialize, Serialize};

/// How far a job got.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(tag = "stage", rename_all = "snake_case")]
pub enum Stage {
	/// A claim was (about to be) submitted.
	Claiming,
	/// The image is stored and the receipt signed; it may have been submitted.
	Signed {
		/// SCALE encoding of the receipt, hex.
		receipt: String,
		/// The worker key's signature, hex.
		signature: String,
	},
}

/// One job in progress.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct JobRecord {
	pub job_id: JobId,
	#[serde(flatten)]
	pub stage: Stage,
}

/// The journal folder.
#[derive(Clone, Debug)]
pub struct Journal {
	dir: PathBuf,
}

impl Journal {
	/// Opens (creating) the journal in `state_dir/jobs`.
	pub fn open(state_dir: &Path) -> std::io::Result<Self> {
		let dir = state_dir.join("jobs");
		std::fs::create_dir_all(&dir)?;
		Ok(Self { dir })
	}

	fn path(&self, job_id: JobId) -> PathBuf {
		self.dir.join(format!("{job_id}.json"))
	}

	/// Records `record`, replacing the job's previous one; durable when this returns.
	pub fn put(&self, record: &JobRecord) -> std::io::Result<()> {
		let tmp = self.dir.join(format!(".{}.tmp", record.job_id));
		let bytes = serde_json::to_vec_pretty(record).map_err(std::io::Error::other)?;
		{
			use std::io::Write;
			let mut file = std::fs::File::create(&tmp)?;
			file.write_all(&bytes)?;
			file.sync_all()?;
		}
		std::fs::rename(&tmp, self.path(record.job_id))
	}

	/// The record of `job_id`, if any.
	pub fn get(&self, job_id: JobId) -> std::io::Result<Option<JobRecord>> {
		match std::fs::read(self.path(job_id)) {
			Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(std::io::Error::other),
			Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
			Err(e) => Err(e),
		}
	}

	/// Forgets `job_id` (its job ended, or it was never ours).
	pub fn remove(&self, job_id: JobId) -> std::io::Result<()> {
		match std::fs::remove_file(self.path(job_id)) {
			Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
			_ => Ok(()),
		}
	}

	/// Every record, by job id; unreadable files are reported, not skipped silently.
	pub fn all(&self) -> std::io::Result<Vec<JobRecord>> {
		let mut records = Vec::new();
		for entry in std::fs::read_dir(&self.dir)? {
			let path = entry?.path();
			if path.extension().is_some_and(|e| e == "json") {
				let bytes = std::fs::read(&path)?;
				let record: JobRecord = serde_json::from_slice(&bytes).map_err(|e| {
					std::io::Error::other(format!("journal file {}: {e}", path.display()))
				})?;
				records.push(record);
			}
		}
		records.sort_by_key(|r| r.job_id);
		Ok(records)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn records_survive_reopening_and_replace_each_other() {
		let dir = tempfile::tempdir().unwrap();
		let journal = Journal::open(dir.path()).unwrap();
		journal.put(&JobRecord { job_id: 7, stage: Stage::Claiming }).unwrap();
		journal.put(&JobRecord { job_id: 3, stage: Stage::Claiming }).unwrap();
		let signed = Stage::Signed { receipt: "00ff".into(), signature: "11".into() };
		journal.put(&JobRecord { job_id: 7, stage: signed.clone() }).unwrap();
		let reopened = Journal::open(dir.path()).unwrap();
		assert_eq!(reopened.get(7).unwrap().unwrap().stage, signed);
		assert_eq!(
			reopened.all().unwrap().iter().map(|r| r.job_id).collect::<Vec<_>>(),
			vec![3, 7]
		);
		reopened.remove(3).unwrap();
		reopened.remove(3).unwrap();
		assert_eq!(reopened.get(3).unwrap(), None);
		std::fs::write(dir.path().join("jobs/9.json"), "not json").unwrap();
		assert!(reopened.all().unwrap_err().to_string().contains("9.json"));
	}
}
