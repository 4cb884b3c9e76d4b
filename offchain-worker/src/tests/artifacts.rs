//! Artifact reports, their quorum and attackers, and the off-chain worker's artifact checks.

use super::{offchain_ext, refused};
use crate::{artifacts::*, mock::*, *};
use aitbc_primitives::manifest::image_manifest;
use codec::Decode;
use frame_support::{
	assert_ok,
	traits::{Authorize, Hooks},
	BoundedVec,
};
use sp_runtime::{
	testing::{TestSignature, UintAuthorityId},
	transaction_validity::{TransactionSource, TransactionValidityError, ValidTransaction},
	RuntimeAppPublic,
};

fn artifact_report(prober: u32, block: u64, jobs: &[u64]) -> ArtifactReportOf<Test> {
	ArtifactReport {
		block: block as u32,
		prober,
		unavailable: BoundedVec::truncate_from(jobs.to_vec()),
	}
}

fn signed(key: u64, report: &ArtifactReportOf<Test>) -> TestSignature {
	let genesis = System::block_hash(0);
	UintAuthorityId(key).sign(&report.signing_message(genesis.as_ref())).unwrap()
}

fn authorize(
	report: &ArtifactReportOf<Test>,
	signature: TestSignature,
) -> Result<ValidTransaction, TransactionValidityError> {
	let call = Call::<Test>::report_artifacts { report: report.clone(), signature };
	call.authorize(TransactionSource::External).expect("authorizable").map(|(v, _)| v)
}

/// Authorizes and dispatches an artifact report signed by `key`, as a block would.
fn submit(key: u64, report: ArtifactReportOf<Test>) {
	let signature = signed(key, &report);
	assert_ok!(authorize(&report, signature.clone()));
	assert_ok!(Probes::report_artifacts(
		frame_system::RawOrigin::Authorized.into(),
		report,
		signature
	));
}

fn unavailable_events() -> Vec<(u64, u32, u32, bool)> {
	System::events()
		.into_iter()
		.filter_map(|record| match record.event {
			RuntimeEvent::Probes(Event::ArtifactUnavailable {
				job_id,
				block,
				reporters,
				failed,
			}) => Some((job_id, block, reporters, failed)),
			_ => None,
		})
		.collect()
}

/// A PNG header of `width` × `height`, then some bytes standing for the image data.
fn png(width: u32, height: u32) -> Vec<u8> {
	let mut bytes = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR".to_vec();
	bytes.extend_from_slice(&width.to_be_bytes());
	bytes.extend_from_slice(&height.to_be_bytes());
	bytes.extend_from_slice(&[8, 2, 0, 0, 0, 1, 2, 3, 4]);
	bytes
}

/// Job `job`'s artifact: a `width` × `height` PNG served by provider `p<provider>`.
fn artifact(job: u64, provider: u64, bytes: &[u8]) -> ArtifactTarget {
	ArtifactTarget {
		job_id: job,
		endpoint: format!("http://p{provider}").into_bytes(),
		sha256: sp_io::hashing::sha2_256(bytes),
		width: 64,
		height: 32,
		images: 1,
	}
}

#[test]
fn a_quorum_of_artifact_reports_fails_the_receipt_exactly_once() {
	build_and_execute(|| {
		start_session(&[10, 11, 12]);
		Failable::set(vec![7, 9]);
		let block = System::block_number();
		submit(10, artifact_report(0, block, &[7, 9]));
		assert!(FailedReceipts::get().is_empty(), "one validator alone fails nothing");
		submit(11, artifact_report(1, block, &[7]));
		assert_eq!(FailedReceipts::get(), vec![(7, true)]);
		submit(12, artifact_report(2, block, &[7, 9]));
		assert_eq!(FailedReceipts::get(), vec![(7, true), (9, true)], "7 is not failed twice");
		assert_eq!(unavailable_events(), vec![(7, 1, 2, true), (9, 1, 2, true)]);
	});
}

#[test]
fn a_final_receipt_is_reported_but_not_failed() {
	build_and_execute(|| {
		start_session(&[10, 11]);
		let block = System::block_number();
		submit(10, artifact_report(0, block, &[5]));
		submit(11, artifact_report(1, block, &[5]));
		assert_eq!(FailedReceipts::get(), vec![(5, false)]);
		assert_eq!(unavailable_events(), vec![(5, 1, 2, false)]);
	});
}

#[test]
fn a_prober_reports_once_per_block_and_votes_of_other_blocks_do_not_add_up() {
	build_and_execute(|| {
		start_session(&[10, 11, 12]);
		Failable::set(vec![7]);
		run_to_block(2);
		submit(10, artifact_report(0, 2, &[7]));
		// The same prober again on the same block: refused, in the pool and in the block.
		let again = artifact_report(0, 2, &[7]);
		assert_eq!(authorize(&again, signed(10, &again)), refused(Error::AlreadyReported));
		// Its vote for the job under another block is a vote on another finding: one
		// validator listing a job twice cannot make a quorum of itself.
		submit(10, artifact_report(0, 1, &[7]));
		assert!(FailedReceipts::get().is_empty());
		assert_eq!(ArtifactVotes::<Test>::get(0, (2, 7)), 1);
		assert_eq!(ArtifactVotes::<Test>::get(0, (1, 7)), 1);
	});
}

#[test]
fn artifact_reports_that_are_forged_misplaced_or_malformed_are_refused() {
	build_and_execute(|| {
		start_session(&[10, 11]);
		run_to_block(3 * ROUND + 1);
		let now = System::block_number();
		let check = |report: ArtifactReportOf<Test>, key: u64| {
			let signature = signed(key, &report);
			authorize(&report, signature)
		};
		assert_eq!(check(artifact_report(0, now + 1, &[1]), 10), refused(Error::WrongBlock));
		// Two rounds back: its entries may be cleared already.
		assert_eq!(check(artifact_report(0, ROUND, &[1]), 10), refused(Error::WrongBlock));
		assert_eq!(check(artifact_report(5, now, &[1]), 10), refused(Error::NotAProber));
		assert_eq!(check(artifact_report(0, now, &[]), 10), refused(Error::EmptyReport));
		assert_eq!(check(artifact_report(0, now, &[9, 7]), 10), refused(Error::UnsortedFindings));
		assert_eq!(check(artifact_report(0, now, &[7, 7]), 10), refused(Error::UnsortedFindings));
		// Signed by the other prober, or over a probe report's message: not this prober's.
		assert_eq!(check(artifact_report(0, now, &[1]), 11), refused(Error::BadSignature));
		let report = artifact_report(0, now, &[1]);
		let genesis = System::block_hash(0);
		let mut replayed = REPORT_CONTEXT.to_vec();
		replayed.extend_from_slice(genesis.as_ref());
		codec::Encode::encode_to(&report, &mut replayed);
		let signature = UintAuthorityId(10).sign(&replayed).unwrap();
		assert_eq!(authorize(&report, signature), refused(Error::BadSignature));
		// Nothing was recorded by any of them.
		assert_eq!(ArtifactReported::<Test>::iter().count(), 0);
		// The previous round's last block is still reported on.
		submit(10, artifact_report(0, 3 * ROUND - 1, &[1]));
		assert_eq!(ArtifactVotes::<Test>::get(2, (3 * ROUND as u32 - 1, 1)), 1);
	});
}

#[test]
fn artifact_entries_are_cleared_with_their_round() {
	build_and_execute(|| {
		start_session(&[10, 11]);
		submit(10, artifact_report(0, 1, &[1, 2]));
		run_to_block(2 * ROUND);
		assert_eq!(ArtifactVotes::<Test>::iter().count(), 0);
		assert_eq!(ArtifactReported::<Test>::iter().count(), 0);
		assert_eq!(OldestRound::<Test>::get(), 1);
	});
}

#[test]
fn artifacts_are_checked_by_hash_and_image_size() {
	let image = png(64, 32);
	let target = artifact(1, 1, &image);
	assert_eq!(check_artifact(&image, &target), Ok(Checked::Image));
	let mut altered = image.clone();
	altered[30] ^= 1;
	assert_eq!(check_artifact(&altered, &target), Err(Unavailable::WrongHash));
	// The receipt's hash, but not a PNG, or a PNG of another size.
	let text = b"not found".to_vec();
	assert_eq!(check_artifact(&text, &artifact(1, 1, &text)), Err(Unavailable::WrongImage));
	let small = png(32, 32);
	assert_eq!(check_artifact(&small, &artifact(1, 1, &small)), Err(Unavailable::WrongImage));
	let short = image[..20].to_vec();
	assert_eq!(check_artifact(&short, &artifact(1, 1, &short)), Err(Unavailable::WrongImage));
	assert_eq!(
		artifact_url(b"http://h:1/", &[0xab; 32]).as_deref(),
		Some(format!("http://h:1/v1/artifacts/{}", "ab".repeat(32)).as_str())
	);
	assert_eq!(artifact_url(b"ftp://h", &[0; 32]), None);
}

#[test]
fn a_manifest_is_checked_by_hash_and_its_number_of_entries() {
	let hashes = [[1u8; 32], [2; 32], [3; 32]];
	let manifest = image_manifest(&hashes);
	let mut target = artifact(1, 1, &manifest);
	target.images = 3;
	assert_eq!(
		check_artifact(&manifest, &target),
		Ok(Checked::Manifest { entries: hashes.to_vec() })
	);
	let mut two = artifact(1, 1, &manifest[..64]);
	two.images = 3;
	assert_eq!(check_artifact(&manifest[..64], &two), Err(Unavailable::WrongImage));
	assert_eq!(check_artifact(&manifest[..64], &target), Err(Unavailable::WrongHash));
	// The image a validator fetches besides follows the block's hash, never past the last.
	let picks: std::collections::BTreeSet<_> =
		(0..32u8).map(|seed| sampled_image(&[seed], 1, 3)).collect();
	assert_eq!(picks, [0, 1, 2].into_iter().collect());
	assert_eq!(sampled_image(b"seed", 1, 3), sampled_image(b"seed", 1, 3), "every validator alike");
}

#[test]
fn a_job_of_several_images_is_checked_by_its_manifest_and_one_image_the_block_picks() {
	let (mut ext, state, pool) = offchain_ext();
	ext.execute_with(|| {
		start_session(&[10, 11, 12]);
		UintAuthorityId::set_all_keys([12u64]);
		System::set_block_number(3);
		let images: Vec<Vec<u8>> = (0..3u8)
			.map(|i| {
				let mut image = png(64, 32);
				image.push(i);
				image
			})
			.collect();
		let hashes: Vec<[u8; 32]> = images.iter().map(|i| sp_io::hashing::sha2_256(i)).collect();
		let manifest = image_manifest(&hashes);
		let several = |job, provider, bytes: &[u8]| {
			let mut target = artifact(job, provider, bytes);
			target.images = 3;
			target
		};
		// Job 5 serves its manifest and images; job 6 its manifest but not the picked image;
		// job 7 a manifest of two images for a job of three.
		let (whole, missing, short) =
			(several(5, 1, &manifest), several(6, 2, &manifest), several(7, 3, &manifest[..64]));
		Receipted::set(vec![whole.clone(), missing.clone(), short.clone()]);
		expect_artifact(&state, &whole, manifest.clone());
		expect_artifact(&state, &missing, manifest.clone());
		expect_artifact(&state, &short, manifest[..64].to_vec());
		let seed = System::block_hash(3);
		let image_of = |target: &ArtifactTarget| {
			let pick = sampled_image(seed.as_ref(), target.job_id, 3);
			let mut image = target.clone();
			image.sha256 = hashes[pick];
			(image, images[pick].clone())
		};
		let (image, bytes) = image_of(&whole);
		expect_artifact(&state, &image, bytes);
		let (image, _) = image_of(&missing);
		expect_artifact(&state, &image, b"404 page not found".to_vec());
		Probes::offchain_worker(3);
		let sent = std::mem::take(&mut pool.write().transactions);
		assert_eq!(sent.len(), 1, "one report");
		let extrinsic = Extrinsic::decode(&mut &sent[0][..]).unwrap();
		let RuntimeCall::Probes(Call::report_artifacts { report, .. }) = extrinsic.function else {
			panic!("not an artifact report: {extrinsic:?}");
		};
		assert_eq!(report.unavailable.to_vec(), vec![6, 7], "job 5 served everything asked");
	});
}

#[test]
fn the_sample_is_every_artifact_or_a_seeded_share() {
	let image = png(64, 32);
	let targets: Vec<_> = (0..10).map(|job| artifact(job, 1, &image)).collect();
	let jobs = |sampled: Vec<ArtifactTarget>| -> Vec<u64> {
		sampled.into_iter().map(|t| t.job_id).collect()
	};
	assert_eq!(jobs(sample(targets.clone(), b"seed", 10)), (0..10).collect::<Vec<_>>());
	let share = jobs(sample(targets.clone(), b"seed", 3));
	assert_eq!(share.len(), 3);
	assert_eq!(share, jobs(sample(targets.clone(), b"seed", 3)), "every validator alike");
	let shares: std::collections::BTreeSet<_> =
		(0..8u8).map(|seed| jobs(sample(targets.clone(), &[seed], 3))).collect();
	assert!(shares.len() > 1, "the share follows the block's hash");
}

fn expect_artifact(
	state: &parking_lot::RwLock<sp_core::offchain::testing::OffchainState>,
	target: &ArtifactTarget,
	body: Vec<u8>,
) {
	state.write().expect_request(sp_core::offchain::testing::PendingRequest {
		method: "GET".into(),
		uri: artifact_url(&target.endpoint, &target.sha256).unwrap(),
		response: Some(body),
		sent: true,
		..Default::default()
	});
}

#[test]
fn the_offchain_worker_reports_the_artifacts_it_cannot_get() {
	let (mut ext, state, pool) = offchain_ext();
	ext.execute_with(|| {
		start_session(&[10, 11, 12]);
		UintAuthorityId::set_all_keys([12u64]);
		let image = png(64, 32);
		let served = artifact(1, 1, &image);
		// As many as one report may list (the mock's `MaxFindings`): all are checked.
		let not_found = artifact(2, 2, &png(64, 33));
		let mut no_endpoint = artifact(4, 3, &image);
		no_endpoint.endpoint = b"not a url".to_vec();
		Receipted::set(vec![served.clone(), not_found.clone(), no_endpoint]);
		expect_artifact(&state, &served, image.clone());
		expect_artifact(&state, &not_found, b"404 page not found".to_vec());
		System::set_block_number(3);
		Probes::offchain_worker(3);
		let sent = std::mem::take(&mut pool.write().transactions);
		assert_eq!(sent.len(), 1, "one report");
		let extrinsic = Extrinsic::decode(&mut &sent[0][..]).unwrap();
		let RuntimeCall::Probes(Call::report_artifacts { report, signature }) = extrinsic.function
		else {
			panic!("not an artifact report: {extrinsic:?}");
		};
		assert_eq!((report.block, report.prober), (3, 2));
		assert_eq!(report.unavailable.to_vec(), vec![2, 4], "the served one is spared");
		assert_ok!(authorize(&report, signature));

		// The same block again (a fork): not checked twice. Not a prober: not checked.
		Probes::offchain_worker(3);
		UintAuthorityId::set_all_keys([99u64]);
		System::set_block_number(4);
		Probes::offchain_worker(4);
		assert!(pool.read().transactions.is_empty());
	});
}

#[test]
fn a_validator_moved_to_another_position_by_a_session_change_cannot_vote_twice() {
	build_and_execute(|| {
		start_session(&[10, 11, 12]);
		Failable::set(vec![7]);
		let block = System::block_number();
		submit(11, artifact_report(1, block, &[7]));
		// The next session puts key 11 first: its report as prober 0 on the same block is
		// the same validator again.
		start_session(&[11, 10, 12]);
		let again = artifact_report(0, block, &[7]);
		assert_eq!(authorize(&again, signed(11, &again)), refused(Error::AlreadyReported));
		assert!(FailedReceipts::get().is_empty(), "one validator is no quorum");
		// Another validator, now at position 1, makes the quorum.
		submit(10, artifact_report(1, block, &[7]));
		assert_eq!(FailedReceipts::get(), vec![(7, true)]);
	});
}
