//! Reports, the quorum, its attackers, round clearing, and the off-chain worker's probes.

use crate::{health::Down, mock::*, *};
use codec::Decode;
use frame_support::{
	assert_ok,
	traits::{Authorize, Get, Hooks},
	weights::Weight,
	BoundedVec,
};
use sp_core::offchain::{
	testing::{self, TestOffchainExt, TestTransactionPoolExt},
	OffchainDbExt, OffchainWorkerExt, TransactionPoolExt,
};
mod artifacts;

use sp_runtime::{
	testing::{TestSignature, UintAuthorityId},
	transaction_validity::{InvalidTransaction, TransactionSource, TransactionValidityError},
	RuntimeAppPublic,
};

fn down(providers: &[u64]) -> Vec<Finding<u64>> {
	providers.iter().map(|p| Finding::ProviderDown(*p)).collect()
}

fn report_of(prober: u32, findings: Vec<Finding<u64>>) -> ReportOf<Test> {
	Report { round: Probes::current_round(), prober, findings: BoundedVec::truncate_from(findings) }
}

fn genesis() -> Vec<u8> {
	System::block_hash(0).as_ref().to_vec()
}

/// Signed by `key` over this chain's report message.
fn signed_by(key: u64, report: &ReportOf<Test>) -> TestSignature {
	UintAuthorityId(key).sign(&report.signing_message(&genesis())).unwrap()
}

/// Authorizes a report as the pool and the block builder do.
fn authorize(
	report: &ReportOf<Test>,
	signature: TestSignature,
) -> Result<sp_runtime::transaction_validity::ValidTransaction, TransactionValidityError> {
	let call = Call::<Test>::report { report: report.clone(), signature };
	call.authorize(TransactionSource::External).expect("report is authorizable").map(|(v, _)| v)
}

/// Authorizes and dispatches a report signed by `key`, as a block would.
fn submit(key: u64, report: ReportOf<Test>) {
	let signature = signed_by(key, &report);
	assert_ok!(authorize(&report, signature.clone()));
	assert_ok!(Probes::report(frame_system::RawOrigin::Authorized.into(), report, signature));
}

fn refused(
	error: Error<Test>,
) -> Result<sp_runtime::transaction_validity::ValidTransaction, TransactionValidityError> {
	Err(InvalidTransaction::Custom(codec::Encode::encode(&error)[0]).into())
}

fn provider_down_events() -> Vec<(u64, u32, u32)> {
	System::events()
		.into_iter()
		.filter_map(|record| match record.event {
			RuntimeEvent::Probes(Event::ProviderDown { provider, round, reporters }) => {
				Some((provider, round, reporters))
			},
			_ => None,
		})
		.collect()
}

#[test]
fn the_quorum_is_more_than_half_and_never_one_validator() {
	build_and_execute(|| {
		for (validators, quorum) in [(1, 2), (2, 2), (3, 2), (4, 3), (5, 3), (8, 5)] {
			start_session(&(10..10 + validators).collect::<Vec<_>>());
			assert_eq!(Probes::quorum(), quorum, "{validators} validators");
		}
	});
}

#[test]
fn one_validator_alone_never_marks_a_provider_down() {
	build_and_execute(|| {
		start_session(&[10]);
		submit(10, report_of(0, down(&[7])));
		assert_eq!(Votes::<Test>::get(0, Finding::ProviderDown(7)), 1);
		assert!(MarkedDown::get().is_empty());
		assert!(provider_down_events().is_empty());
	});
}

#[test]
fn a_quorum_marks_a_provider_down_exactly_once() {
	build_and_execute(|| {
		start_session(&[10, 11, 12]);
		System::reset_events();
		submit(10, report_of(0, down(&[7, 8])));
		assert!(MarkedDown::get().is_empty(), "one report of three is no quorum");
		submit(11, report_of(1, down(&[7])));
		assert_eq!(MarkedDown::get(), vec![7], "two of three are");
		assert_eq!(provider_down_events(), vec![(7, 0, 2)]);
		submit(12, report_of(2, down(&[7, 8])));
		assert_eq!(MarkedDown::get(), vec![7, 8], "7 is not marked twice; 8 reaches its quorum");
		assert_eq!(Votes::<Test>::get(0, Finding::ProviderDown(7)), 3);
	});
}

#[test]
fn votes_do_not_carry_over_into_the_next_round() {
	build_and_execute(|| {
		start_session(&[10, 11, 12]);
		submit(10, report_of(0, down(&[7])));
		run_to_block(ROUND);
		assert_eq!(Probes::current_round(), 1);
		submit(11, report_of(1, down(&[7])));
		assert!(MarkedDown::get().is_empty(), "one vote in each of two rounds is no quorum");
	});
}

#[test]
fn a_forged_or_foreign_signature_is_refused_and_changes_nothing() {
	build_and_execute(|| {
		start_session(&[10, 11, 12]);
		let report = report_of(1, down(&[7]));
		// Prober 0 signs a report in prober 1's name, to vote twice.
		assert_eq!(authorize(&report, signed_by(10, &report)), refused(Error::BadSignature));
		// The right key, over the report of another chain (another genesis hash).
		let mut foreign = REPORT_CONTEXT.to_vec();
		foreign.extend_from_slice(&[0xaa; 32]);
		codec::Encode::encode_to(&report, &mut foreign);
		let other_chain = UintAuthorityId(11).sign(&foreign).unwrap();
		assert_eq!(authorize(&report, other_chain), refused(Error::BadSignature));
		assert_eq!(Reported::<Test>::iter().count(), 0);
		assert_eq!(Votes::<Test>::iter().count(), 0);
	});
}

#[test]
fn a_prober_votes_once_per_round() {
	build_and_execute(|| {
		start_session(&[10, 11, 12]);
		submit(10, report_of(0, down(&[7])));
		// Again, with the same or another list: refused, so one validator never makes two votes.
		for findings in [down(&[7]), down(&[7, 8])] {
			let again = report_of(0, findings);
			assert_eq!(authorize(&again, signed_by(10, &again)), refused(Error::AlreadyReported));
		}
		// The same finding twice in one report.
		let doubled = report_of(1, down(&[7, 7]));
		assert_eq!(authorize(&doubled, signed_by(11, &doubled)), refused(Error::UnsortedFindings));
		let unsorted = report_of(1, down(&[8, 7]));
		assert_eq!(
			authorize(&unsorted, signed_by(11, &unsorted)),
			refused(Error::UnsortedFindings)
		);
		assert_eq!(Votes::<Test>::get(0, Finding::ProviderDown(7)), 1);
		assert!(MarkedDown::get().is_empty());
		// A session change in the round puts key 10 at position 1: still the same validator.
		start_session(&[11, 10, 12]);
		let moved = report_of(1, down(&[7]));
		assert_eq!(authorize(&moved, signed_by(10, &moved)), refused(Error::AlreadyReported));
		assert!(MarkedDown::get().is_empty());
	});
}

#[test]
fn reports_of_other_rounds_unknown_probers_and_empty_reports_are_refused() {
	build_and_execute(|| {
		start_session(&[10, 11, 12]);
		let old = report_of(0, down(&[7]));
		run_to_block(ROUND);
		// Replayed (or delayed) past its round.
		assert_eq!(authorize(&old, signed_by(10, &old)), refused(Error::WrongRound));
		let mut future = report_of(0, down(&[7]));
		future.round += 1;
		assert_eq!(authorize(&future, signed_by(10, &future)), refused(Error::WrongRound));
		let stranger = report_of(3, down(&[7]));
		assert_eq!(authorize(&stranger, signed_by(13, &stranger)), refused(Error::NotAProber));
		let empty = report_of(0, vec![]);
		assert_eq!(authorize(&empty, signed_by(10, &empty)), refused(Error::EmptyReport));
		assert_eq!(Reported::<Test>::iter().count(), 0);
	});
}

#[test]
fn a_validator_of_a_past_session_cannot_report() {
	build_and_execute(|| {
		start_session(&[10, 11, 12]);
		start_session(&[20, 21]);
		let report = report_of(0, down(&[7]));
		assert_eq!(authorize(&report, signed_by(10, &report)), refused(Error::BadSignature));
		assert_ok!(authorize(&report, signed_by(20, &report)));
	});
}

#[test]
fn a_report_is_valid_in_the_pool_until_its_round_ends() {
	build_and_execute(|| {
		start_session(&[10, 11]);
		run_to_block(ROUND + 2);
		let report = report_of(1, down(&[7]));
		let validity = authorize(&report, signed_by(11, &report)).unwrap();
		assert_eq!(validity.longevity, 2 * ROUND - (ROUND + 2));
		let provides = ("aitbc/probe", (1u32, UintAuthorityId(11)));
		assert_eq!(validity.provides, vec![codec::Encode::encode(&provides)]);
	});
}

#[test]
fn rounds_that_are_over_are_cleared_within_the_idle_weight() {
	let mut ext = new_test_ext();
	ext.execute_with(|| {
		start_session(&[10, 11, 12]);
		submit(10, report_of(0, down(&[1, 2, 3])));
		submit(11, report_of(1, down(&[1, 2])));
	});
	// In the database, as they are on a node: a removal limit counts the database's keys.
	ext.commit_all().unwrap();
	let stored = || Votes::<Test>::iter().count() + Reported::<Test>::iter().count();
	ext.execute_with(|| {
		// The previous round is kept (artifact reports on its last blocks still come in).
		System::set_block_number(ROUND);
		Probes::on_idle(ROUND, Weight::MAX);
		assert_eq!((OldestRound::<Test>::get(), stored()), (0, 5));
		System::set_block_number(2 * ROUND);
		// Room for one prefix and two entries: the round is only partly cleared.
		let db: frame_support::weights::RuntimeDbWeight =
			<Test as frame_system::Config>::DbWeight::get();
		let tight = <() as WeightInfo>::clear_round(2).saturating_add(db.reads_writes(1, 1));
		let used = Probes::on_idle(2 * ROUND, tight);
		assert!(used.all_lte(tight), "{used:?} within {tight:?}");
		assert_eq!(OldestRound::<Test>::get(), 0);
		assert!(stored() < 5);
		Probes::do_try_state().unwrap();
		// The next block finishes it.
		System::set_block_number(2 * ROUND + 1);
		Probes::on_idle(2 * ROUND + 1, Weight::MAX);
		assert_eq!(OldestRound::<Test>::get(), 1);
		assert_eq!(stored(), 0);
		// Nothing at all fits: nothing is touched.
		assert_eq!(Probes::on_idle(2 * ROUND + 1, Weight::zero()), Weight::zero());
		Probes::do_try_state().unwrap();
	});
}

#[test]
fn the_round_share_rotates_through_every_provider() {
	let targets: Vec<_> = (0..5).map(target).collect();
	let share = |round| -> Vec<u64> {
		probe::select(targets.clone(), round, 3).into_iter().map(|t| t.provider).collect()
	};
	assert_eq!(share(0), vec![0, 1, 2]);
	assert_eq!(share(1), vec![3, 4, 0]);
	assert_eq!(share(2), vec![1, 2, 3]);
	assert_eq!(probe::select(targets[..2].to_vec(), 7, 3).len(), 2, "all fit");
}

#[test]
fn health_answers_are_read_strictly() {
	let manifest = [0xab; 32];
	let hex = health::hex32(&manifest);
	let ok = format!(
		r#"{{"status":"ok","mode":"chain","models":[{{"name":"m","manifest_sha256":"{hex}"}}]}}"#
	);
	assert_eq!(health::check_health(ok.as_bytes(), &[manifest]), Ok(()));
	assert_eq!(
		health::check_health(ok.as_bytes(), &[manifest, [1; 32]]),
		Err(Down::ModelNotLoaded)
	);
	assert_eq!(
		health::check_health(br#"{"status":"starting","models":[]}"#, &[]),
		Err(Down::Malformed)
	);
	let single = format!(r#"{{"status":"ok","model":"m","model_manifest_sha256":"{hex}"}}"#);
	assert_eq!(health::check_health(single.as_bytes(), &[manifest]), Ok(()), "aitbc-worker serve");
	assert_eq!(health::check_health(single.as_bytes(), &[[1; 32]]), Err(Down::ModelNotLoaded));
	assert_eq!(health::check_health(br#"{"status":"ok"}"#, &[]), Err(Down::Malformed));
	assert_eq!(health::check_health(b"<html>", &[]), Err(Down::Malformed));
	let huge = vec![b' '; health::MAX_HEALTH_BYTES + 1];
	assert_eq!(health::check_health(&huge, &[]), Err(Down::Malformed));
	assert_eq!(probe::health_url(b"http://h:1/").as_deref(), Some("http://h:1/v1/health"));
	assert_eq!(probe::health_url(b"ftp://h"), None);
	assert_eq!(probe::health_url(&[0xff, 0xfe]), None);
}

/// An offchain context: HTTP answers from `state`, submitted transactions into `pool`.
fn offchain_ext() -> (
	sp_io::TestExternalities,
	std::sync::Arc<parking_lot::RwLock<testing::OffchainState>>,
	std::sync::Arc<parking_lot::RwLock<testing::PoolState>>,
) {
	let (offchain, state) = TestOffchainExt::new();
	let (pool, pool_state) = TestTransactionPoolExt::new();
	let mut ext = new_test_ext();
	ext.register_extension(OffchainDbExt::new(offchain.clone()));
	ext.register_extension(OffchainWorkerExt::new(offchain));
	ext.register_extension(TransactionPoolExt::new(pool));
	(ext, state, pool_state)
}

fn expect_health(state: &parking_lot::RwLock<testing::OffchainState>, id: u64, body: String) {
	state.write().expect_request(testing::PendingRequest {
		method: "GET".into(),
		uri: format!("http://p{id}/v1/health"),
		response: Some(body.into_bytes()),
		sent: true,
		..Default::default()
	});
}

fn healthy(id: u64) -> String {
	let hex = health::hex32(&[id as u8; 32]);
	format!(r#"{{"status":"ok","models":[{{"manifest_sha256":"{hex}"}}]}}"#)
}

#[test]
fn the_offchain_worker_reports_the_providers_that_are_down() {
	let (mut ext, state, pool) = offchain_ext();
	ext.execute_with(|| {
		start_session(&[10, 11, 12]);
		UintAuthorityId::set_all_keys([11u64]);
		let mut unreachable = target(4);
		unreachable.endpoint = b"not a url".to_vec();
		Live::set(vec![target(1), target(2), target(3), unreachable]);
		// Four live providers, three probes a round: round 1 probes 4, 1 and 2.
		expect_health(&state, 1, healthy(1));
		expect_health(&state, 2, r#"{"status":"ok","models":[]}"#.into());
		System::set_block_number(ROUND);
		Probes::offchain_worker(ROUND);
		let (report, signature) = sent_report(&pool);
		assert_eq!((report.round, report.prober), (1, 1));
		assert_eq!(report.findings.to_vec(), down(&[2, 4]), "the healthy provider is spared");
		assert_ok!(authorize(&report, signature));

		// Round 2 goes on from there: 3, 4 and 1.
		expect_health(&state, 3, r#"{"status":"loading"}"#.into());
		expect_health(&state, 1, healthy(1));
		System::set_block_number(2 * ROUND);
		Probes::offchain_worker(2 * ROUND);
		let (report, signature) = sent_report(&pool);
		assert_eq!((report.round, report.prober), (2, 1));
		assert_eq!(report.findings.to_vec(), down(&[3, 4]));
		assert_ok!(authorize(&report, signature));
	});
}

/// The one report the off-chain worker put in the pool since the last call.
fn sent_report(pool: &parking_lot::RwLock<testing::PoolState>) -> (ReportOf<Test>, TestSignature) {
	let sent = std::mem::take(&mut pool.write().transactions);
	assert_eq!(sent.len(), 1, "one report");
	let extrinsic = Extrinsic::decode(&mut &sent[0][..]).unwrap();
	let RuntimeCall::Probes(Call::report { report, signature }) = extrinsic.function else {
		panic!("not a report: {extrinsic:?}");
	};
	(report, signature)
}

#[test]
fn the_offchain_worker_probes_once_per_round_and_only_on_a_validator() {
	let (mut ext, state, pool) = offchain_ext();
	ext.execute_with(|| {
		start_session(&[10, 11]);
		Live::set(vec![target(1)]);
		// Not a prober's node: nothing is probed (an unexpected request would fail the test).
		UintAuthorityId::set_all_keys([99u64]);
		System::set_block_number(ROUND);
		Probes::offchain_worker(ROUND);
		assert!(pool.read().transactions.is_empty());

		UintAuthorityId::set_all_keys([10u64]);
		// Not a round's first block.
		System::set_block_number(ROUND + 1);
		Probes::offchain_worker(ROUND + 1);
		assert!(pool.read().transactions.is_empty());

		expect_health(&state, 1, r#"{"status":"down"}"#.into());
		System::set_block_number(ROUND);
		Probes::offchain_worker(ROUND);
		assert_eq!(pool.read().transactions.len(), 1);
		// The same block again (a fork): not probed twice.
		Probes::offchain_worker(ROUND);
		assert_eq!(pool.read().transactions.len(), 1);
	});
}
