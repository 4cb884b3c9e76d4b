//! Disputes with real processes: a dev node, three honest `aitbc-worker`s that audit at 100 %,
//! and accounts played by the test with their own keys, each trying to win AIT it has not
//! earned:
//! - two cheating providers that claim jobs and receipt real images of the wrong job (the next
//!   seed's; half the steps), served by a stock `aitbc-worker serve` under their receipts'
//!   sha256, so the auditors' fetch succeeds and only the re-run can tell;
//! - a client that challenges one cheater's receipt (upheld) and, later, an honest one
//!   (rejected);
//! - an auditor that lies about an honest receipt.
//! Every one of them loses, by exactly the amounts the runtime's parameters say.

use std::{
	path::Path,
	sync::{Arc, Mutex},
	time::Duration,
};

use aitbc_client::{
	account_of,
	audits::{outcome_name, AuditInfo, AuditOutcome, AuditPhase},
	dev_account,
	keys::read_key_file,
	runtime, sign_receipt, Client,
};
use aitbc_integration_tests::{free_port, market::*, run_ok, Process};
use aitbc_primitives::{verdict_commitment, AuditVerdict};
use subxt::utils::AccountId32;
use subxt_signer::sr25519::Keypair;

/// Every receipt is audited.
const FULL_RATE: u32 = 1_000_000_000;
/// 1 mAIT in the smallest unit.
const MILLI_AIT: u128 = 1_000_000_000;
/// The runtime's `MinChallengeBond`.
const BOND: u128 = 50 * MILLI_AIT;
/// What the cheater and the liar bond as stake.
const STAKE: u128 = 20 * MILLI_AIT;

#[tokio::test(flavor = "multi_thread")]
async fn substitutes_are_caught_liars_outvoted_and_challenges_settled() {
	let (_node, url, client) = market().await;
	let alice = dev_account("alice").unwrap();
	client.set_audit_params(&alice, FULL_RATE, 0).await.unwrap();
	let home = tempfile::tempdir().unwrap();
	let dir = |name: &str| home.path().join(name);
	let honest_dirs = [dir("w1"), dir("w2"), dir("w3")];
	let honest: Vec<AccountId32> =
		honest_dirs.iter().map(|d| provision_worker(&url, d).parse().unwrap()).collect();
	// The cheaters ask half the honest price, so the jobs that only they can take are theirs.
	let cheat_http = format!("127.0.0.1:{}", free_port());
	let cheat_a: AccountId32 =
		provision_worker_with(&url, &dir("cheat-a"), "0.0005", &cheat_http).parse().unwrap();
	let cheat_b: AccountId32 =
		provision_worker_with(&url, &dir("cheat-b"), "0.0005", &cheat_http).parse().unwrap();
	let liar: AccountId32 = provision_worker(&url, &dir("liar")).parse().unwrap();
	let key = |name: &str| read_key_file(&dir(name).join("provider.key")).unwrap();
	let workers: Vec<Process> = ["w1", "w2", "w3"]
		.iter()
		.zip(&honest_dirs)
		.map(|(name, d)| start_worker(name, d))
		.collect();
	let logs: Vec<&Process> = workers.iter().collect();
	for worker in &workers {
		wait_log(worker, "registered as an auditor", Duration::from_secs(90)).await;
	}
	wait_auditors(&client, 3).await;

	// 1. AIT to bond with: two large honest jobs, each minting 50 mAIT to its provider and
	// 50 mAIT to its auditor; the workers then fund the cheater's stake, the liar's stake and
	// the challenger's bond (plus their fees).
	let big = ["--width", "512", "--height", "512", "--steps", "50"];
	let earning = [
		submit_with(
			&url,
			"charlie",
			"a green circle on a white background",
			&[&big[..], &["--seed", "1"][..]].concat(),
		)
		.0,
		submit_with(
			&url,
			"dave",
			"a black square on a yellow background",
			&[&big[..], &["--seed", "2"][..]].concat(),
		)
		.0,
	];
	for job in earning {
		assert_eq!(wait_final(&client, job, Duration::from_secs(300), &logs).await, "Finalized");
	}
	let charlie = dev_account("charlie").unwrap();
	let charlie_id = account_of(&charlie);
	let honest_keys: Vec<Keypair> = ["w1", "w2", "w3"].iter().map(|n| key(n)).collect();
	for (to, amount) in [
		(&charlie_id, BOND + 10 * MILLI_AIT),
		(&cheat_a, STAKE + 5 * MILLI_AIT),
		(&liar, STAKE + 5 * MILLI_AIT),
	] {
		let mut paid = false;
		for (payer, account) in honest_keys.iter().zip(&honest) {
			if client.balance(account).await.unwrap() >= amount + 5 * MILLI_AIT {
				client.transfer(payer, to, amount).await.unwrap();
				paid = true;
				break;
			}
		}
		assert!(paid, "the honest workers earned enough to fund {to}");
	}
	client.bond(&key("cheat-a"), STAKE).await.unwrap();
	assert_eq!(bonded(&client, &cheat_a).await, STAKE);

	// 2. The cheaters. Each claims a job only it can take (below the honest price) and
	// receipts the image of another job: cheater A the next seed's, cheater B half the steps'.
	// A stock `aitbc-worker serve` serves both images under their sha256; the client of A's
	// job challenges it too.
	let artifacts = home.path().join("cheat-artifacts");
	std::fs::create_dir_all(&artifacts).unwrap();
	let mut cheat_server = serve_endpoint(&cheat_http, &artifacts).await;
	// The hub reserves each job for one of the two cheaters, whichever the rotation reaches
	// first: the other pauses while a job is submitted and claimed, so that each job goes to
	// the cheater this test plays with it.
	let mut cheap = Vec::new();
	for (name, other, account, prompt, seed) in [
		("cheat-a", "cheat-b", "charlie", "a red circle on a white background", 5),
		("cheat-b", "cheat-a", "eve", "a blue triangle on a green background", 6),
	] {
		client.pause_offer(&key(other)).await.unwrap();
		let (job, units) = submit_cheap(&url, account, prompt, seed);
		client.claim_job(&key(name), job).await.unwrap();
		client.resume_offer(&key(other)).await.unwrap();
		cheap.push((job, units));
	}
	let [(job_a, units_a), (job_b, units_b)] = cheap[..] else { unreachable!() };
	let before: Vec<u128> = balances(&client, &honest).await;
	let (minted_before, _) = client.issuance_ledger().await.unwrap();
	let pay_before = total_auditor_pay(&client).await;
	let mut charlie_bonded = None;
	for (job, units, name, provider, change) in [
		(job_a, units_a, "cheat-a", &cheat_a, Substitute::NextSeed),
		(job_b, units_b, "cheat-b", &cheat_b, Substitute::HalfTheSteps),
	] {
		let png = substitute_image(&client, job, change, home.path()).await;
		let sha = sha256(&png);
		std::fs::write(artifacts.join(hex::encode(sha)), &png).unwrap();
		let worker_key = read_key_file(&dir(name).join("worker.key")).unwrap();
		let receipt = receipt_for(&client, job, units, provider, &worker_key, sha).await;
		let signature = sign_receipt(&worker_key, &receipt);
		client.submit_receipts_authorized(vec![(receipt, signature)]).await.unwrap();
		if job == job_a {
			// At once: the audit under way takes two rounds, the challenge joins it.
			charlie_bonded = Some(challenge(&client, &charlie, job_a).await);
		}
	}
	let charlie_bonded = charlie_bonded.unwrap();
	let mut with_server = logs.clone();
	with_server.push(&cheat_server);
	for job in [job_a, job_b] {
		assert_eq!(
			wait_final(&client, job, Duration::from_secs(400), &with_server).await,
			"Rejected"
		);
	}
	let audit_a = ended_audit(&client, job_a, AuditOutcome::Failed).await;
	let audit_b = ended_audit(&client, job_b, AuditOutcome::Failed).await;
	for audit in [&audit_a, &audit_b] {
		assert_eq!(
			verdicts(audit),
			vec![AuditVerdict::Mismatch; 3],
			"every auditor saw another image"
		);
		assert!(audit.votes.0.iter().all(|v| honest.contains(&v.auditor)));
	}
	assert_eq!(
		audit_a.challenge.as_ref().map(|c| (&c.challenger, c.bond)),
		Some((&charlie_id, BOND))
	);
	// Nothing minted for either receipt; both cheaters lost their approval; A lost half its
	// stake, of which half went in equal parts to the three auditors and the challenger.
	assert_eq!(client.issuance_ledger().await.unwrap().0, minted_before);
	for cheater in [&cheat_a, &cheat_b] {
		assert!(!client.provider(cheater).await.unwrap().approved);
	}
	assert_eq!(client.balance(&cheat_b).await.unwrap(), 0, "B had nothing and got nothing");
	let slash = STAKE / 2;
	let reward = slash / 2 / 4;
	assert_eq!(bonded(&client, &cheat_a).await, STAKE - slash);
	assert_eq!(total_slashed(&client).await, slash - 4 * reward, "the rest is burned");
	assert_eq!(
		client.balance(&charlie_id).await.unwrap(),
		charlie_bonded + BOND + reward,
		"an upheld challenge returns the bond with a share of the slash"
	);
	// Each auditor was paid the receipt's amount for its re-run; A's auditors also had a share.
	let after = balances(&client, &honest).await;
	for (i, provider) in honest.iter().enumerate() {
		let mut expected = before[i];
		for audit in [&audit_a, &audit_b] {
			if audit.votes.0.iter().any(|v| &v.auditor == provider) {
				expected += audit.amount;
			}
		}
		if audit_a.votes.0.iter().any(|v| &v.auditor == provider) {
			expected += reward;
		}
		assert_eq!(after[i], expected, "auditor {provider}");
	}
	assert_eq!(
		total_auditor_pay(&client).await,
		pay_before + 3 * audit_a.amount + 3 * audit_b.amount
	);
	assert_ledger(&client).await;
	cheat_server.kill();

	// 3. The liar: an approved provider that joins the auditors and, the first time it is
	// drawn, calls an honest receipt a mismatch (afterwards it answers Match without looking).
	// Meanwhile the client challenges an honest receipt. Batches of three honest jobs run until
	// the liar has been drawn first on one.
	let liar_key = key("liar");
	client.bond(&liar_key, STAKE).await.unwrap();
	client.register_auditor(&liar_key, 0).await.unwrap();
	wait_auditors(&client, 4).await;
	let lies: Arc<Mutex<Vec<(u64, AuditVerdict)>>> = Arc::default();
	let liar_task = tokio::spawn(play_liar(
		Client::connect(&url, Duration::from_secs(30)).await.unwrap(),
		liar_key,
		lies.clone(),
	));
	let mut all = honest.clone();
	all.push(liar.clone());
	let before = balances(&client, &all).await;
	let slashed_before = total_slashed(&client).await;
	let mut phase_jobs = Vec::new();
	let mut challenged = None;
	for batch in 0..3u64 {
		let prompt = "a white circle on a black background";
		let mut jobs: Vec<u64> = ["eve", "ferdie"]
			.iter()
			.enumerate()
			.map(|(i, who)| submit(&url, who, prompt, 100 + 3 * batch + i as u64).0)
			.collect();
		if challenged.is_none() {
			// The challenged job is large, so its audit's re-run leaves the challenge time to
			// land first.
			let seed = (100 + 3 * batch + 2).to_string();
			let job =
				submit_with(&url, "dave", prompt, &[&big[..], &["--seed", &seed][..]].concat()).0;
			wait_state(&client, job, "Receipted").await;
			challenged = Some((job, challenge(&client, &charlie, job).await));
			jobs.push(job);
		} else {
			jobs.push(submit(&url, "dave", prompt, 100 + 3 * batch + 2).0);
		}
		for &job in &jobs {
			assert_eq!(
				wait_final(&client, job, Duration::from_secs(400), &logs).await,
				"Finalized"
			);
			let receipt = client.receipt(job).await.unwrap().unwrap();
			assert_eq!(receipt.minted, Some(receipt.receipt.units as u128 * PRICE / 1_000));
		}
		phase_jobs.extend(jobs);
		if lies.lock().unwrap().iter().any(|(_, verdict)| *verdict == AuditVerdict::Mismatch) {
			break;
		}
	}
	liar_task.abort();
	let lied_on = lies
		.lock()
		.unwrap()
		.iter()
		.find(|(_, verdict)| *verdict == AuditVerdict::Mismatch)
		.map(|(job, _)| *job)
		.expect("the liar was drawn first on one of nine audits among four auditors");
	let lied = ended_audit(&client, lied_on, AuditOutcome::Passed).await;
	let mut votes = verdicts(&lied);
	votes.sort_by_key(|v| *v != AuditVerdict::Mismatch);
	assert_eq!(
		votes,
		vec![AuditVerdict::Mismatch, AuditVerdict::Match, AuditVerdict::Match],
		"outvoted"
	);
	assert_eq!(lied.votes.0[0].auditor, liar, "the liar spoke first");
	assert!(!client.provider(&liar).await.unwrap().approved, "a losing verdict costs the approval");
	let liar_slash = STAKE / 5;
	assert_eq!(bonded(&client, &liar).await, STAKE - liar_slash);
	assert_eq!(total_slashed(&client).await, slashed_before + liar_slash / 2);
	// The rejected challenge: the bond is gone, half of it to the provider it accused.
	let (challenged_job, charlie_after_bond) = challenged.unwrap();
	let challenged_audit = ended_audit(&client, challenged_job, AuditOutcome::Passed).await;
	assert_eq!(challenged_audit.challenge.as_ref().map(|c| c.bond), Some(BOND));
	assert_eq!(client.balance(&charlie_id).await.unwrap(), charlie_after_bond, "the bond is lost");
	assert_eq!(total_forfeited(&client).await, BOND / 2);
	// Every balance moved by exactly its receipts, its winning verdicts, and its rewards.
	let after = balances(&client, &all).await;
	for (i, account) in all.iter().enumerate() {
		let mut expected = before[i];
		for &job in &phase_jobs {
			let receipt = client.receipt(job).await.unwrap().unwrap();
			let audit = client.audit(job).await.unwrap().expect("audited at 100 %");
			if &receipt.receipt.provider == account {
				expected += receipt.minted.unwrap();
				if job == challenged_job {
					expected += BOND / 2;
				}
				if job == lied_on {
					expected += liar_slash / 2;
				}
			}
			let won = audit.votes.0.iter().any(|v| {
				&v.auditor == account
					&& v.verdict.as_ref().map(|s| s.0) == Some(AuditVerdict::Match)
			});
			if won {
				expected += audit.amount;
			}
		}
		assert_eq!(after[i], expected, "{account}");
	}
	assert_ledger(&client).await;
}

/// What a cheater serves instead of the job's image.
#[derive(Clone, Copy)]
enum Substitute {
	NextSeed,
	HalfTheSteps,
}

/// A job at half the honest price: only the cheaters' offers fit it.
fn submit_cheap(url: &str, account: &str, prompt: &str, seed: u64) -> (u64, u64) {
	submit_priced(url, account, prompt, seed, "0.0005")
}

/// A real image of the wrong job, made with the stock `aitbc-worker generate`.
async fn substitute_image(client: &Client, job: u64, change: Substitute, dir: &Path) -> Vec<u8> {
	let stored = client.job(job).await.unwrap();
	let params = stored.params.0;
	let (steps, seed) = match change {
		Substitute::NextSeed => (params.steps, params.seed + 1),
		Substitute::HalfTheSteps => (params.steps / 2, params.seed),
	};
	assert_eq!(params.scheduler, aitbc_primitives::Scheduler::Ddim);
	let out = dir.join(format!("substitute-{job}.png"));
	run_ok(
		"aitbc-worker",
		&[
			"generate",
			"--device",
			"cpu",
			"--threads",
			"1",
			"--prompt",
			std::str::from_utf8(&stored.prompt.0).unwrap(),
			"--steps",
			&steps.to_string(),
			"--guidance",
			&(f64::from(params.guidance_milli) / 1000.0).to_string(),
			"--width",
			&params.width.to_string(),
			"--height",
			&params.height.to_string(),
			"--seed",
			&seed.to_string(),
			"--out",
			out.to_str().unwrap(),
		],
	);
	std::fs::read(out).unwrap()
}

/// The lying auditor: commits to a verdict on every audit whose current round lists it (the
/// first a `Mismatch`, then `Match` without looking) and reveals it in the reveal phase.
async fn play_liar(client: Client, key: Keypair, lies: Arc<Mutex<Vec<(u64, AuditVerdict)>>>) {
	let me = account_of(&key);
	loop {
		tokio::time::sleep(Duration::from_millis(500)).await;
		let Ok(at) = client.api().at_current_block().await else { continue };
		let Ok(open) = Client::open_audits_at(&at).await else { continue };
		for job in open {
			let Ok(Some(audit)) = Client::audit_at(&at, job).await else { continue };
			let Some(vote) =
				audit.votes.0.iter().find(|v| v.auditor == me && v.escalation == audit.escalated)
			else {
				continue;
			};
			let known = lies.lock().unwrap().iter().find(|(j, _)| *j == job).map(|(_, v)| *v);
			let salt = [job as u8; 32];
			match (audit.phase, vote.commitment, known) {
				(AuditPhase::Commit, None, None) => {
					let lied =
						lies.lock().unwrap().iter().any(|(_, v)| *v == AuditVerdict::Mismatch);
					let verdict = if lied { AuditVerdict::Match } else { AuditVerdict::Mismatch };
					let commitment = verdict_commitment(job, &me, verdict, &salt);
					if client.commit_verdict(&key, job, commitment).await.is_ok() {
						lies.lock().unwrap().push((job, verdict));
					}
				},
				(AuditPhase::Reveal, Some(_), Some(verdict)) if vote.verdict.is_none() => {
					let _ = client.reveal_verdict(&key, job, verdict, salt).await;
				},
				_ => {},
			}
		}
	}
}

/// `charlie` challenges `job`'s receipt with the minimum bond; returns its free balance after.
async fn challenge(client: &Client, charlie: &Keypair, job: u64) -> u128 {
	let who = account_of(charlie);
	let before = client.balance(&who).await.unwrap();
	client.challenge(charlie, job, BOND).await.unwrap();
	let after = client.balance(&who).await.unwrap();
	assert!(before - after > BOND, "the bond is held and the challenge paid for");
	after
}

async fn wait_state(client: &Client, job: u64, state: &str) {
	for _ in 0..240 {
		if aitbc_client::state_name(&client.job(job).await.unwrap().state) == state {
			return;
		}
		tokio::time::sleep(Duration::from_millis(250)).await;
	}
	panic!("job {job} never reached {state}");
}

async fn ended_audit(client: &Client, job: u64, outcome: AuditOutcome) -> AuditInfo {
	let audit = client.audit(job).await.unwrap().unwrap_or_else(|| panic!("job {job} was audited"));
	assert!(
		audit.outcome.as_ref().map(outcome_name) == Some(outcome_name(&outcome)),
		"job {job}: {:?}",
		audit.outcome.as_ref().map(outcome_name)
	);
	audit
}

fn verdicts(audit: &AuditInfo) -> Vec<AuditVerdict> {
	audit.votes.0.iter().filter_map(|v| v.verdict.as_ref().map(|s| s.0)).collect()
}

async fn balances(client: &Client, accounts: &[AccountId32]) -> Vec<u128> {
	let mut out = Vec::new();
	for account in accounts {
		out.push(client.balance(account).await.unwrap());
	}
	out
}

async fn bonded(client: &Client, who: &AccountId32) -> u128 {
	let at = client.api().at_current_block().await.unwrap();
	let entry = at.storage().entry(runtime::storage().provider_staking().bonded()).unwrap();
	entry.fetch((who.clone(),)).await.unwrap().decode().unwrap()
}

async fn total_slashed(client: &Client) -> u128 {
	let at = client.api().at_current_block().await.unwrap();
	let entry = at.storage().entry(runtime::storage().provider_staking().total_slashed()).unwrap();
	entry.fetch(()).await.unwrap().decode().unwrap()
}

async fn total_forfeited(client: &Client) -> u128 {
	let at = client.api().at_current_block().await.unwrap();
	let entry = at.storage().entry(runtime::storage().audits().total_forfeited()).unwrap();
	entry.fetch(()).await.unwrap().decode().unwrap()
}

async fn total_auditor_pay(client: &Client) -> u128 {
	let at = client.api().at_current_block().await.unwrap();
	let entry = at.storage().entry(runtime::storage().audits().total_auditor_pay()).unwrap();
	entry.fetch(()).await.unwrap().decode().unwrap()
}

/// `total issuance = receipts minted + auditors paid − burned − slashed − forfeited`.
async fn assert_ledger(client: &Client) {
	let (minted, burned) = client.issuance_ledger().await.unwrap();
	let expected = minted + total_auditor_pay(client).await
		- burned
		- total_slashed(client).await
		- total_forfeited(client).await;
	assert_eq!(client.total_issuance().await.unwrap(), expected);
}
