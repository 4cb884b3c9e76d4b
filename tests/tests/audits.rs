//! Verified compute with real processes: a dev node, three honest `aitbc-worker`s that audit
//! each other at an audit rate of 100 %, and a cheating provider played by hand with its own
//! keys, which receipts a job it never ran and serves nothing.

use std::time::Duration;

use aitbc_client::{
	account_of,
	audits::{outcome_name, AuditOutcome},
	keys::read_key_file,
	sign_receipt,
};
use aitbc_integration_tests::market::*;
use subxt::utils::AccountId32;

/// Every receipt is audited.
const FULL_RATE: u32 = 1_000_000_000;

#[tokio::test(flavor = "multi_thread")]
async fn honest_workers_audit_each_other_and_a_forged_receipt_is_caught() {
	let (_node, url, client) = market().await;
	let alice = aitbc_client::dev_account("alice").unwrap();
	client.set_audit_params(&alice, FULL_RATE, 0).await.unwrap();
	let home = tempfile::tempdir().unwrap();
	let dirs: Vec<_> = ["w1", "w2", "w3", "cheat"].iter().map(|n| home.path().join(n)).collect();
	let providers: Vec<AccountId32> =
		dirs.iter().map(|d| provision_worker(&url, d).parse().unwrap()).collect();
	let workers: Vec<_> =
		["w1", "w2", "w3"].iter().zip(&dirs).map(|(n, d)| start_worker(n, d)).collect();
	let logs: Vec<_> = workers.iter().collect();
	for worker in &workers {
		wait_log(worker, "registered as an auditor", Duration::from_secs(90)).await;
	}
	// The workers' registrations count in best blocks; the client reads finalized ones.
	let mut auditors = Vec::new();
	for _ in 0..60 {
		auditors = client.auditors(0).await.unwrap();
		if auditors.len() == 3 {
			break;
		}
		tokio::time::sleep(Duration::from_millis(500)).await;
	}
	assert_eq!(auditors.len(), 3, "every worker joined the model's auditors");

	// Honest jobs: each is served by one worker and audited by another, then minted.
	let mut jobs = Vec::new();
	for (i, account) in ["charlie", "dave", "eve"].into_iter().enumerate() {
		jobs.push(submit(&url, account, "a yellow square on a blue background", 10 + i as u64).0);
	}
	let mint = 5_000 * PRICE / 1_000;
	for &job in &jobs {
		let state = wait_final(&client, job, Duration::from_secs(300), &logs).await;
		if state != "Finalized" {
			let audit = client.audit(job).await.unwrap();
			let logs: Vec<String> = workers
				.iter()
				.map(|w| format!("--- {} ---\n{}", w.name, tail(&w.log(), 60)))
				.collect();
			panic!("job {job} ended {state}; audit {audit:?}\n{}", logs.join("\n"));
		}
		let receipt = client.receipt(job).await.unwrap().expect("a receipt");
		assert_eq!(receipt.minted, Some(mint));
		let audit = client.audit(job).await.unwrap().expect("audited at 100 %");
		assert!(
			matches!(audit.outcome, Some(AuditOutcome::Passed)),
			"{:?}",
			audit.outcome.as_ref().map(outcome_name)
		);
		assert_eq!(audit.votes.0.len(), 1, "one matching verdict is enough");
		let auditor = &audit.votes.0[0].auditor;
		assert_ne!(auditor, &receipt.receipt.provider, "nobody audits itself");
		assert!(providers[..3].contains(auditor));
	}
	// Each provider holds what its receipts minted plus what its audits paid (the receipt's
	// amount per audit); all AIT in existence is accounted for.
	let audit_pay = total_auditor_pay(&client).await;
	assert_eq!(audit_pay, 3 * mint, "each of the three audits paid its auditor");
	let mut held = 0;
	for provider in &providers[..3] {
		let served = client.receipted_jobs(provider).await.unwrap().len() as u128;
		let audited = audits_by(&client, &jobs, provider).await;
		assert_eq!(client.balance(provider).await.unwrap(), (served + audited) * mint);
		held += (served + audited) * mint;
	}
	let (minted, burned) = client.issuance_ledger().await.unwrap();
	assert_eq!((minted, burned), (3 * mint, 0));
	assert_eq!(client.total_issuance().await.unwrap(), minted + audit_pay);
	assert_eq!(held, minted + audit_pay);

	// The cheater: an approved provider that asks half the price (so only it can take the job),
	// claims it, signs a receipt for an image it never made and serves nothing.
	let cheat_dir = &dirs[3];
	let cheat = read_key_file(&cheat_dir.join("provider.key")).unwrap();
	let cheat_worker_key = read_key_file(&cheat_dir.join("worker.key")).unwrap();
	let cheater = account_of(&cheat);
	let mut offer = client.provider(&cheater).await.unwrap().offer.unwrap();
	offer.price_per_unit = PRICE / 2;
	client.update_offer(&cheat, &offer).await.unwrap();
	// Below the honest workers' price, so only the cheater can take it.
	let out = aitbc_integration_tests::run_ok(
		"aitbc",
		&[
			"--node",
			&url,
			"--account",
			"ferdie",
			"--json",
			"submit",
			"--prompt",
			"a red circle on a white background",
			"--max-price",
			"0.0005",
		],
	);
	let submitted: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
	let (job, units) =
		(submitted["job_id"].as_u64().unwrap(), submitted["units_milli"].as_u64().unwrap());
	client.claim_job(&cheat, job).await.unwrap();
	let forged = receipt_for(&client, job, units, &cheater, &cheat_worker_key, [0x5a; 32]).await;
	let signature = sign_receipt(&cheat_worker_key, &forged);
	client.submit_receipts_authorized(vec![(forged, signature)]).await.unwrap();
	assert_eq!(wait_final(&client, job, Duration::from_secs(400), &logs).await, "Rejected");
	let audit = client.audit(job).await.unwrap().expect("audited");
	assert!(
		matches!(audit.outcome, Some(AuditOutcome::Failed)),
		"{:?}",
		audit.outcome.as_ref().map(outcome_name)
	);
	assert_eq!(audit.votes.0.len(), 3, "escalated to a full panel");
	// Nothing minted for it, nothing paid to the cheater, and its approval is gone.
	assert_eq!(client.balance(&cheater).await.unwrap(), 0);
	assert!(!client.provider(&cheater).await.unwrap().approved);
	let (minted_after, _) = client.issuance_ledger().await.unwrap();
	assert_eq!(minted_after, minted, "the forged receipt minted nothing");
	// The three honest auditors were paid for their re-runs (half price: the job's).
	let cheat_pay = units as u128 * (PRICE / 2) / 1_000;
	assert_eq!(total_auditor_pay(&client).await, audit_pay + 3 * cheat_pay);
	assert_eq!(client.total_issuance().await.unwrap(), minted + audit_pay + 3 * cheat_pay);

	// A shard of two images: one receipt for both (the sha256 of their manifest). Its auditor
	// fetches the manifest and both images, re-runs both and compares each; the receipt mints
	// for both images, and the auditor is paid as much.
	let submitted = submit_json(
		&url,
		"charlie",
		"a blue circle on a yellow background",
		&["--count", "2", "--per-shard", "2", "--seed", "20"],
	);
	assert_eq!(submitted["shard_count"], 1, "{submitted}");
	let shard = submitted["first_job"].as_u64().unwrap();
	assert_eq!(wait_final(&client, shard, Duration::from_secs(300), &logs).await, "Finalized");
	let receipt = client.receipt(shard).await.unwrap().expect("a receipt");
	assert_eq!(receipt.minted, Some(2 * mint), "one receipt mints for both images");
	let audit = client.audit(shard).await.unwrap().expect("audited at 100 %");
	assert!(matches!(audit.outcome, Some(AuditOutcome::Passed)));
	assert_ne!(audit.votes.0[0].auditor, receipt.receipt.provider);
	let images = client.fetch_images(shard).await.unwrap();
	assert_eq!(images.len(), 2);
	let hashes: Vec<[u8; 32]> = images.iter().map(|image| sha256(image)).collect();
	assert_eq!(
		sha256(&aitbc_primitives::manifest::image_manifest(&hashes)),
		receipt.receipt.artifact_sha256,
		"the receipt names the manifest of the two images"
	);
	assert_ne!(hashes[0], hashes[1], "two seeds, two images");
	assert_eq!(
		client.total_issuance().await.unwrap(),
		minted + audit_pay + 3 * cheat_pay + 4 * mint
	);
}

/// AIT ever minted to auditors.
async fn total_auditor_pay(client: &aitbc_client::Client) -> u128 {
	let at = client.api().at_current_block().await.unwrap();
	let entry =
		at.storage().entry(aitbc_client::runtime::storage().audits().total_auditor_pay()).unwrap();
	entry.fetch(()).await.unwrap().decode().unwrap()
}

/// How many of `jobs` `auditor` audited on the winning side.
async fn audits_by(client: &aitbc_client::Client, jobs: &[u64], auditor: &AccountId32) -> u128 {
	let mut count = 0;
	for &job in jobs {
		let audit = client.audit(job).await.unwrap().unwrap();
		count += audit.votes.0.iter().filter(|v| &v.auditor == auditor).count() as u128;
	}
	count
}
