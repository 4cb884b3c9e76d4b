//! The validator set: who validates this session and the next, the candidates and their bonds,
//! and a candidate's own calls (session keys, register, raise the bond, leave, withdraw).

use subxt::utils::AccountId32;
use subxt_signer::sr25519::Keypair;

use crate::{runtime, Balance, Client, ClientError, Config, Included};

/// The validator set as of one block.
#[derive(Clone, Debug)]
pub struct ValidatorSet {
	/// The block read.
	pub block: u32,
	/// The current session.
	pub session: u32,
	/// Blocks per session.
	pub session_length: u32,
	/// First block of the next session.
	pub next_session_at: u32,
	/// Who validates (authors and votes) in this session.
	pub validators: Vec<AccountId32>,
	/// Who validates from the next session on.
	pub queued: Vec<AccountId32>,
	/// The governance-appointed authorities.
	pub authorities: Vec<AccountId32>,
	/// The candidates, highest bond first.
	pub candidates: Vec<Candidate>,
	/// Seats for candidates besides the authorities.
	pub desired_candidates: u32,
	/// The least bond a candidate must hold.
	pub candidacy_bond: Balance,
	/// Bonds that back no candidacy any more: owner, amount, first block they can be withdrawn.
	pub unlocking: Vec<(AccountId32, Balance, u32)>,
	/// AIT burned by equivocation slashes so far.
	pub total_slashed: Balance,
}

/// A candidate and what the chain knows of it.
#[derive(Clone, Debug)]
pub struct Candidate {
	pub who: AccountId32,
	pub bond: Balance,
	/// Whether it has session keys set (without them it is never selected).
	pub has_keys: bool,
}

/// Session keys the node generated, with the proof that the owner's account holds them.
#[derive(Clone, Debug)]
pub struct GeneratedKeys {
	/// The SCALE-encoded public session keys (aura, grandpa, then the probe key).
	pub keys: Vec<u8>,
	/// The proof of possession over the owner's account (`session.setKeys` requires it).
	pub proof: Vec<u8>,
}

/// `author_rotateKeysWithOwner`'s answer, hex-encoded.
#[derive(serde::Deserialize)]
struct GeneratedKeysHex {
	keys: String,
	proof: Option<String>,
}

fn from_hex(field: &str, text: &str) -> Result<Vec<u8>, ClientError> {
	hex::decode(text.trim_start_matches("0x"))
		.map_err(|e| ClientError::Chain(format!("the node's {field} is not hex: {e}")))
}

/// Reads a plain storage value at a block.
macro_rules! value {
	($at:expr, $address:expr) => {
		$at.storage()
			.entry($address)
			.map_err(ClientError::chain)?
			.fetch(())
			.await
			.map_err(ClientError::chain)?
			.decode()
			.map_err(ClientError::chain)?
	};
}

/// Whether `who` has session keys set at the block `at`.
async fn has_keys_at(
	at: &subxt::client::ClientAtBlock<Config, impl subxt::client::OnlineClientAtBlockT<Config>>,
	who: &AccountId32,
) -> Result<bool, ClientError> {
	let entry =
		at.storage().entry(runtime::storage().session().next_keys()).map_err(ClientError::chain)?;
	Ok(entry.try_fetch((who.clone(),)).await.map_err(ClientError::chain)?.is_some())
}

impl Client {
	/// The validator set, the candidates and the next session, as of the best block.
	pub async fn validator_set(&self) -> Result<ValidatorSet, ClientError> {
		let at = self.at_best_block().await?;
		let block = at.block_number() as u32;
		let storage = runtime::storage();
		let session: u32 = value!(at, storage.session().current_index());
		let session_length: u32 = value!(at, storage.validators().session_length());
		let validators: Vec<AccountId32> = value!(at, storage.session().validators());
		let queued: Vec<(AccountId32, runtime::runtime_types::aitbc_runtime::opaque::SessionKeys)> =
			value!(at, storage.session().queued_keys());
		let authorities = value!(at, storage.validators().authorities());
		let candidates = value!(at, storage.validators().candidates());
		let desired_candidates = value!(at, storage.validators().desired_candidates());
		let candidacy_bond = value!(at, storage.validators().candidacy_bond());
		let total_slashed = value!(at, storage.validators().total_slashed());

		let mut listed = Vec::new();
		for candidate in candidates.0 {
			let has_keys = has_keys_at(&at, &candidate.who).await?;
			listed.push(Candidate { who: candidate.who, bond: candidate.bond, has_keys });
		}

		let entry =
			at.storage().entry(storage.validators().unlocking()).map_err(ClientError::chain)?;
		let mut all = entry.iter(()).await.map_err(ClientError::chain)?;
		let mut unlocking = Vec::new();
		while let Some(item) = all.next().await {
			let item = item.map_err(ClientError::chain)?;
			let (who,) =
				item.key().map_err(ClientError::chain)?.decode().map_err(ClientError::chain)?;
			let bond = item.value().decode().map_err(ClientError::chain)?;
			unlocking.push((who, bond.amount, bond.unlock_at));
		}
		unlocking.sort_by_key(|(_, _, unlock_at)| *unlock_at);

		// Sessions start at multiples of their length (the runtime's offset is 0).
		let next_session_at = (block / session_length.max(1) + 1) * session_length.max(1);
		Ok(ValidatorSet {
			block,
			session,
			session_length,
			next_session_at,
			validators,
			queued: queued.into_iter().map(|(who, _)| who).collect(),
			authorities: authorities.0,
			candidates: listed,
			desired_candidates,
			candidacy_bond,
			unlocking,
			total_slashed,
		})
	}

	/// Whether `who` has session keys set (as of the best block).
	pub async fn has_session_keys(&self, who: &AccountId32) -> Result<bool, ClientError> {
		has_keys_at(&self.at_best_block().await?, who).await
	}

	/// Asks the connected node to generate new session keys in its keystore for `owner`
	/// (`author_rotateKeysWithOwner`, an unsafe RPC: call it on the validator's own node, over
	/// loopback or an SSH tunnel).
	pub async fn rotate_session_keys(
		&self,
		owner: &AccountId32,
	) -> Result<GeneratedKeys, ClientError> {
		use subxt::ext::codec::Encode;
		let owner = format!("0x{}", hex::encode(owner.encode()));
		let generated: GeneratedKeysHex =
			self.rpc().request("author_rotateKeysWithOwner", subxt::rpcs::rpc_params![owner]).await.map_err(|e| {
				ClientError::Chain(format!(
					"the node at {} did not generate session keys: {e} (run this against the validator's own node, which allows unsafe RPC on loopback)",
					self.url()
				))
			})?;
		let proof = generated.proof.ok_or_else(|| {
			ClientError::Chain("the node generated keys without an ownership proof".into())
		})?;
		Ok(GeneratedKeys {
			keys: from_hex("keys", &generated.keys)?,
			proof: from_hex("proof", &proof)?,
		})
	}

	/// Sets `signer`'s session keys (`session.setKeys`) from their encoding and proof.
	pub async fn set_session_keys(
		&self,
		signer: &Keypair,
		keys: &[u8],
		proof: &[u8],
	) -> Result<Included, ClientError> {
		use subxt::ext::codec::Decode;
		let keys =
			runtime::runtime_types::aitbc_runtime::opaque::SessionKeys::decode(&mut &keys[..])
				.map_err(|e| ClientError::Chain(format!("session keys do not decode: {e}")))?;
		self.submit(&runtime::transactions().session().set_keys(keys, proof.to_vec()), signer).await
	}

	/// Registers `signer` as a candidate with `bond` held.
	pub async fn register_candidate(
		&self,
		signer: &Keypair,
		bond: Balance,
	) -> Result<Included, ClientError> {
		self.submit(&runtime::transactions().validators().register_as_candidate(bond), signer).await
	}

	/// Adds `extra` to `signer`'s candidacy bond.
	pub async fn raise_bond(
		&self,
		signer: &Keypair,
		extra: Balance,
	) -> Result<Included, ClientError> {
		self.submit(&runtime::transactions().validators().raise_bond(extra), signer).await
	}

	/// Ends `signer`'s candidacy; its bond starts unlocking.
	pub async fn leave_candidacy(&self, signer: &Keypair) -> Result<Included, ClientError> {
		self.submit(&runtime::transactions().validators().leave_intent(), signer).await
	}

	/// Releases `signer`'s unlocked bond.
	pub async fn withdraw_bond(&self, signer: &Keypair) -> Result<Included, ClientError> {
		self.submit(&runtime::transactions().validators().withdraw_bond(), signer).await
	}

	/// Governance: seats for candidates.
	pub async fn set_desired_candidates(
		&self,
		governance: &Keypair,
		seats: u32,
	) -> Result<Included, ClientError> {
		self.submit(&runtime::transactions().validators().set_desired_candidates(seats), governance)
			.await
	}

	/// Governance: the bond floor.
	pub async fn set_candidacy_bond(
		&self,
		governance: &Keypair,
		bond: Balance,
	) -> Result<Included, ClientError> {
		self.submit(&runtime::transactions().validators().set_candidacy_bond(bond), governance)
			.await
	}

	/// Governance: appoints the authorities.
	pub async fn set_authorities(
		&self,
		governance: &Keypair,
		authorities: Vec<AccountId32>,
	) -> Result<Included, ClientError> {
		let call = runtime::transactions().validators().set_authorities(
			runtime::runtime_types::bounded_collections::bounded_vec::BoundedVec(authorities),
		);
		self.submit(&call, governance).await
	}

	/// Governance: declares finality stalled (`validators.recover_finality`).
	pub async fn recover_finality(
		&self,
		governance: &Keypair,
		delay: u32,
		best_finalized: u32,
	) -> Result<Included, ClientError> {
		self.submit(
			&runtime::transactions().validators().recover_finality(delay, best_finalized),
			governance,
		)
		.await
	}

	/// The number of the node's finalized head.
	pub async fn finalized_number(&self) -> Result<u32, ClientError> {
		let at = self.api().at_current_block().await.map_err(ClientError::chain)?;
		Ok(at.block_number() as u32)
	}
}
