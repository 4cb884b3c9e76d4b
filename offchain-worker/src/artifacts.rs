//! Artifact availability: at every block, a validator's off-chain worker fetches a sample of
//! the artifacts of the receipts that block accepted and reports the ones it could not get;
//! on-chain, a quorum of such reports fails the receipt.
//!
//! A receipt's artifact is the image its client paid for. An auditor fetches it too, but a
//! provider knows its auditors (they are on-chain) and could serve them alone; validators'
//! off-chain workers fetch it like any client, from the provider's endpoint, within the
//! receipt's challenge window.

use crate::{health::hex32, offchain, *};
use aitbc_primitives::JobId;
use alloc::{string::String, vec::Vec};
use frame_support::{pallet_prelude::*, traits::Get, BoundedVec};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::{Saturating, UniqueSaturatedInto};

/// Most bytes of an artifact read (a 1024 × 1024 RGBA PNG stored raw is 4 MiB); a longer
/// answer counts as unavailable.
pub const MAX_ARTIFACT_BYTES: usize = 8 * 1024 * 1024;

/// How long the artifact fetches of a block may take, at most (and `ProbeTimeoutMs` if
/// shorter): the reports must be in blocks before the receipts' 5-block challenge window
/// closes.
pub const MAX_ARTIFACT_TIMEOUT_MS: u64 = 2_000;

/// Local storage key: the last block whose artifacts this node checked.
const LAST_BLOCK_KEY: &[u8] = b"aitbc/probes/last-artifact-block";

/// Why an artifact counts as unavailable.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Unavailable {
	/// No answer before the deadline, the connection failed, or the answer was too long.
	NoAnswer,
	/// An HTTP status other than 200.
	Status(u16),
	/// The bytes do not hash to the receipt's sha256.
	WrongHash,
	/// Not a PNG, or a PNG of another size than the job's.
	WrongImage,
}

/// What a fetched artifact turned out to be, when it is what its receipt says.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Checked {
	/// The job's image: its sha256, and a PNG of the job's size.
	Image,
	/// A job of several images: their manifest, which lists `entries`; one of the images must
	/// be fetched and checked too.
	Manifest { entries: Vec<[u8; 32]> },
}

/// Whether `bytes` are the artifact `target` describes: its sha256, and a PNG of the job's
/// width and height (read from the IHDR chunk), or for a job of several images a manifest of
/// that many entries.
pub fn check_artifact(bytes: &[u8], target: &ArtifactTarget) -> Result<Checked, Unavailable> {
	if sp_io::hashing::sha2_256(bytes) != target.sha256 {
		return Err(Unavailable::WrongHash);
	}
	if target.images > 1 {
		return aitbc_primitives::manifest::parse_image_manifest(bytes, target.images)
			.map(|entries| Checked::Manifest { entries })
			.ok_or(Unavailable::WrongImage);
	}
	check_png(bytes, target.width, target.height).map(|()| Checked::Image)
}

/// Whether `bytes` are a PNG of `width` × `height`, by its IHDR chunk.
pub fn check_png(bytes: &[u8], width: u32, height: u32) -> Result<(), Unavailable> {
	let expected = (width, height);
	const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
	// Signature, IHDR length (13) and type, then width and height, big-endian.
	if bytes.len() < 24 || &bytes[..8] != SIGNATURE || &bytes[12..16] != b"IHDR" {
		return Err(Unavailable::WrongImage);
	}
	let width = u32::from_be_bytes([bytes[16], bytes[17], bytes[18], bytes[19]]);
	let height = u32::from_be_bytes([bytes[20], bytes[21], bytes[22], bytes[23]]);
	if (width, height) != expected {
		return Err(Unavailable::WrongImage);
	}
	Ok(())
}

/// Which image of a job of `images` a validator fetches besides the manifest: chosen by the
/// block's hash, which the provider could not know when it submitted its receipt.
pub fn sampled_image(seed: &[u8], job: JobId, images: u32) -> usize {
	let mut input = seed.to_vec();
	input.extend_from_slice(b"image");
	input.extend_from_slice(&job.to_le_bytes());
	let rank = sp_io::hashing::blake2_256(&input);
	let rank = u32::from_le_bytes([rank[0], rank[1], rank[2], rank[3]]);
	rank.checked_rem(images).unwrap_or(0) as usize
}

/// `<endpoint>/v1/artifacts/<sha256 hex>`, if the endpoint is a UTF-8 http(s) URL.
pub fn artifact_url(endpoint: &[u8], sha256: &[u8; 32]) -> Option<String> {
	offchain::endpoint_url(endpoint, &alloc::format!("/v1/artifacts/{}", hex32(sha256)))
}

/// The sample of a block's artifacts every validator checks: all of them if they fit in
/// `max`, else the `max` whose `blake2_256(seed ++ job)` is lowest. The seed is the block's
/// hash, which a provider cannot know when it submits its receipt.
pub fn sample(mut targets: Vec<ArtifactTarget>, seed: &[u8], max: usize) -> Vec<ArtifactTarget> {
	if targets.len() > max {
		let rank = |job: JobId| {
			let mut input = seed.to_vec();
			input.extend_from_slice(&job.to_le_bytes());
			sp_io::hashing::blake2_256(&input)
		};
		targets.sort_by_cached_key(|target| rank(target.job_id));
		targets.truncate(max);
	}
	targets
}

/// Checks the sample of block `now`'s artifacts if this node holds a prober's key, and reports
/// the unavailable ones.
pub(crate) fn run<T: Config>(now: BlockNumberFor<T>) {
	let Some((prober, key)) = crate::probe::local_prober::<T>() else { return };
	let block: u32 = now.unique_saturated_into();
	if !offchain::claim_once(LAST_BLOCK_KEY, block) {
		return;
	}
	let targets = T::Targets::receipted_in(now);
	if targets.is_empty() {
		return;
	}
	let seed = frame_system::Pallet::<T>::block_hash(now);
	let targets = sample(targets, seed.as_ref(), T::MaxFindings::get() as usize);
	let urls: Vec<_> = targets.iter().map(|t| artifact_url(&t.endpoint, &t.sha256)).collect();
	let timeout = T::ProbeTimeoutMs::get().min(MAX_ARTIFACT_TIMEOUT_MS);
	// With manifests in the sample, half the time goes to the images they list: a provider
	// that answers slowly (or never) must not eat the time the other providers' images need.
	let first_share = if targets.iter().any(|t| t.images > 1) { timeout / 2 } else { timeout };
	let started = sp_io::offchain::timestamp();
	// Each body is checked as it comes and dropped: one artifact in memory at a time.
	let fetched = offchain::get_all(&urls, first_share, MAX_ARTIFACT_BYTES, |index, bytes| {
		check_artifact(&bytes, &targets[index])
	});
	let mut outcomes: Vec<Result<Checked, Unavailable>> = fetched
		.into_iter()
		.map(|checked| match checked {
			Ok(result) => result,
			Err(offchain::Failed::Status(code)) => Err(Unavailable::Status(code)),
			Err(_) => Err(Unavailable::NoAnswer),
		})
		.collect();
	// A manifest is not the images: one image of each such job, chosen by the block's hash,
	// must be served too, within what is left of the deadline.
	let images: Vec<(usize, [u8; 32])> = outcomes
		.iter()
		.enumerate()
		.filter_map(|(index, outcome)| match outcome {
			Ok(Checked::Manifest { entries }) => {
				let pick =
					sampled_image(seed.as_ref(), targets[index].job_id, targets[index].images);
				entries.get(pick).map(|sha| (index, *sha))
			},
			_ => None,
		})
		.collect();
	let spent = sp_io::offchain::timestamp().diff(&started).millis();
	let left = timeout.saturating_sub(spent);
	if !images.is_empty() && left == 0 {
		// No time was left to fetch them (the node is slow, not the providers): these are
		// not checked, and so not reported.
		for (index, _) in &images {
			outcomes[*index] = Ok(Checked::Image);
		}
		log::warn!(target: "aitbc::probes", "block {block}: no time left for {} manifest image(s)", images.len());
	} else if !images.is_empty() {
		let urls: Vec<_> = images
			.iter()
			.map(|(index, sha)| artifact_url(&targets[*index].endpoint, sha))
			.collect();
		let fetched = offchain::get_all(&urls, left, MAX_ARTIFACT_BYTES, |at, bytes| {
			let (index, sha) = images[at];
			if sp_io::hashing::sha2_256(&bytes) != sha {
				return Err(Unavailable::WrongHash);
			}
			check_png(&bytes, targets[index].width, targets[index].height)
		});
		for ((index, _), result) in images.iter().zip(fetched) {
			outcomes[*index] = match result {
				Ok(Ok(())) => Ok(Checked::Image),
				Ok(Err(why)) => Err(why),
				Err(offchain::Failed::Status(code)) => Err(Unavailable::Status(code)),
				Err(_) => Err(Unavailable::NoAnswer),
			};
		}
	}
	let mut unavailable: Vec<JobId> = outcomes
		.into_iter()
		.zip(&targets)
		.filter_map(|(outcome, target)| {
			let why = outcome.err()?;
			log::info!(
				target: "aitbc::probes",
				"block {block}: the artifact of job {} is unavailable ({why:?})",
				target.job_id
			);
			Some(target.job_id)
		})
		.collect();
	log::info!(
		target: "aitbc::probes",
		"block {block}: checked {} artifact(s), {} unavailable",
		targets.len(),
		unavailable.len()
	);
	if unavailable.is_empty() {
		return;
	}
	unavailable.sort();
	unavailable.dedup();
	let report =
		ArtifactReport { block, prober, unavailable: BoundedVec::truncate_from(unavailable) };
	let message = report.signing_message(Pallet::<T>::genesis().as_ref());
	offchain::sign_and_submit::<T>(
		&key,
		&message,
		|signature| Call::<T>::report_artifacts { report, signature },
		&alloc::format!("block {block}"),
	);
}

impl<T: Config> Pallet<T> {
	/// Every check an artifact report passes before it is recorded: a block of the current or
	/// the previous round and not in the future, [`Pallet::check_signed`], and a prober's key
	/// that has not reported on that block (under any position). Returns the key.
	pub fn check_artifact_report(
		report: &ArtifactReportOf<T>,
		signature: &ProbeSignatureOf<T>,
	) -> Result<T::AuthorityId, Error<T>> {
		let now: u32 = frame_system::Pallet::<T>::block_number().unique_saturated_into();
		let round = Self::round_of(report.block.into());
		ensure!(
			report.block <= now && round.saturating_add(1) >= Self::current_round(),
			Error::<T>::WrongBlock
		);
		let message = report.signing_message(Self::genesis().as_ref());
		let key = Self::check_signed(report.prober, &report.unavailable, &message, signature)?;
		ensure!(
			!ArtifactReported::<T>::contains_key(round, (report.block, &key)),
			Error::<T>::AlreadyReported
		);
		Ok(key)
	}

	/// The pool's (and the block's) authorization of an artifact report: valid until the
	/// round after its block's round ends, one per prober and block.
	pub fn authorize_artifact_report(
		_source: TransactionSource,
		report: &ArtifactReportOf<T>,
		signature: &ProbeSignatureOf<T>,
	) -> TransactionValidityWithRefund {
		let key = Self::check_artifact_report(report, signature).map_err(Self::refusal)?;
		let round = Self::round_of(report.block.into());
		let accepted_until = BlockNumberFor::<T>::from(round.saturating_add(2))
			.saturating_mul(T::RoundLength::get());
		Self::report_validity("aitbc/artifacts", (report.block, key), accepted_until)
	}

	/// Records a checked artifact report: each job gets the prober's vote, and one that
	/// reaches the quorum with it fails its receipt (exactly once: at the vote that reaches
	/// it). `key`: the prober's, which [`Pallet::check_artifact_report`] returned. Returns how
	/// many reached the quorum.
	pub(crate) fn record_artifacts(report: ArtifactReportOf<T>, key: T::AuthorityId) -> u32 {
		let ArtifactReport { block, prober, unavailable } = report;
		let round = Self::round_of(block.into());
		ArtifactReported::<T>::insert(round, (block, key), ());
		let quorum = Self::quorum();
		let count = unavailable.len() as u32;
		let mut decided = 0u32;
		for job_id in unavailable {
			let votes = ArtifactVotes::<T>::mutate(round, (block, job_id), |votes| {
				*votes = votes.saturating_add(1);
				*votes
			});
			if votes == quorum {
				decided = decided.saturating_add(1);
				let failed = T::Targets::artifact_unavailable(job_id);
				Self::deposit_event(Event::ArtifactUnavailable {
					job_id,
					block,
					reporters: votes,
					failed,
				});
			}
		}
		Self::deposit_event(Event::ArtifactsReported { block, prober, unavailable: count });
		decided
	}
}
