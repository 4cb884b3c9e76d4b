//! The product end to end, with real processes on loopback: an `aitbc-node --dev`, an
//! `aitbc-worker` in chain mode with the embedded model on CPU, and the `aitbc` CLI as the client.

use std::time::Duration;

use aitbc_integration_tests::market::*;

use aitbc_client::{account_of, keys::read_key_file, sign_receipt, ClientError};
use aitbc_integration_tests::*;
use serde_json::Value;

#[tokio::test(flavor = "multi_thread")]
async fn a_job_goes_from_submission_to_minted_tokens_and_hostile_receipts_are_refused() {
	let (node, url, client) = market().await;
	let home = tempfile::tempdir().unwrap();
	let worker_dir = home.path().join("worker");
	let provider = provision_worker(&url, &worker_dir);
	let provider_id: subxt::utils::AccountId32 = provider.parse().unwrap();
	let mut worker = start_worker("worker", &worker_dir);

	// The client (no AIT: a free job is feeless) submits and follows the job to the end.
	let (job_id, units) = submit(&url, "charlie", "a red circle on a blue background", 1);
	assert_eq!(units, 5_000, "20 steps at 256x256 with weight 1 are 5 units");
	let job_arg = job_id.to_string();
	let follow_url = url.clone();
	let follow = tokio::task::spawn_blocking(move || {
		run_ok("aitbc", &["--node", &follow_url, "--json", "status", &job_arg, "--follow"])
	});
	let lines = tokio::time::timeout(Duration::from_secs(180), follow)
		.await
		.unwrap_or_else(|_| panic!("job not final in 180 s\n--- worker ---\n{}", worker.log()))
		.unwrap();
	let states: Vec<String> = lines
		.lines()
		.map(|l| serde_json::from_str::<Value>(l).unwrap()["state"].as_str().unwrap().to_string())
		.collect();
	assert_eq!(
		states,
		["Pending", "Assigned", "Receipted", "Finalized"],
		"{lines}\n{}",
		worker.log()
	);

	// Exactly units × price was minted, to the provider, and nothing else exists.
	let minted = u128::from(units) * PRICE / 1_000;
	assert_eq!(minted, 5_000_000_000);
	assert_eq!(client.balance(&provider_id).await.unwrap(), minted);
	assert_eq!(client.total_issuance().await.unwrap(), minted);
	let stored = client.receipt(job_id).await.unwrap().expect("a receipt");
	assert_eq!(stored.minted, Some(minted));
	assert_eq!(stored.receipt.units, 5_000);
	assert_eq!(stored.receipt.provider, provider_id);
	assert_eq!(stored.receipt_hash, stored.receipt.hash(), "stored under its own hash");

	// The image comes from the provider's endpoint and matches the receipt.
	let out_png = home.path().join("job.png");
	run_ok(
		"aitbc",
		&["--node", &url, "fetch", &job_id.to_string(), "--out", out_png.to_str().unwrap()],
	);
	let png = std::fs::read(&out_png).unwrap();
	assert_eq!(sha256(&png), stored.receipt.artifact_sha256);
	assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
	assert_eq!(u32::from_be_bytes(png[16..20].try_into().unwrap()), 256, "width");
	// The CLI shows the same receipt.
	let listed: Value = serde_json::from_str(&run_ok(
		"aitbc",
		&["--node", &url, "--json", "receipts", "--provider", &provider],
	))
	.unwrap();
	assert_eq!(listed[0]["job_id"], job_id);
	assert_eq!(listed[0]["minted"], minted.to_string());

	// Hostile input, by hand with the worker's own keys (the worker is stopped first).
	assert!(
		worker.interrupt(Duration::from_secs(30)).is_some_and(|s| s.success()),
		"{}",
		worker.log()
	);
	let provider_key = read_key_file(&worker_dir.join("provider.key")).unwrap();
	let worker_key = read_key_file(&worker_dir.join("worker.key")).unwrap();
	assert_eq!(account_of(&provider_key), provider_id);
	let issuance_before = client.total_issuance().await.unwrap();
	// The dev chain's only author: fees are paid to it.
	let author = account_of(&aitbc_client::dev_account("alice").unwrap());
	let author_before = client.balance(&author).await.unwrap();
	let provider_before = client.balance(&provider_id).await.unwrap();

	// 1. The accepted receipt, signed again and replayed.
	let replay = stored.receipt.clone();
	let err = client
		.submit_receipt(&provider_key, replay.clone(), sign_receipt(&worker_key, &replay))
		.await
		.unwrap_err();
	assert!(err.to_string().contains("ReceiptReplayed"), "{err}");
	// The same as an authorized general transaction (how the worker submits): refused by the
	// pool with the pallet's error named, and free.
	let before_authorized = client.total_issuance().await.unwrap();
	let err = client
		.submit_receipts_authorized(vec![(replay.clone(), sign_receipt(&worker_key, &replay))])
		.await
		.unwrap_err();
	assert!(
		matches!(&err, ClientError::Refused(m) if m.contains("Receipts::ReceiptReplayed")),
		"{err}"
	);
	assert_eq!(client.total_issuance().await.unwrap(), before_authorized, "no fee burned");

	// 2. A new job claimed by hand, then a receipt signed by a key the provider never registered.
	let (job2, _) = submit(&url, "charlie", "a green square on a black background", 2);
	client.claim_job(&provider_key, job2).await.unwrap();
	let mut forged = replay.clone();
	forged.job_id = job2;
	let stranger = aitbc_client::keypair_from(&aitbc_client::keys::generate_secret()).unwrap();
	forged.worker_key = aitbc_primitives::WorkerKey::Sr25519(stranger.public_key().0);
	let err = client
		.submit_receipt(&provider_key, forged.clone(), sign_receipt(&stranger, &forged))
		.await
		.unwrap_err();
	assert!(err.to_string().contains("UnregisteredWorkerKey"), "{err}");
	let before_authorized = client.total_issuance().await.unwrap();
	let err = client
		.submit_receipts_authorized(vec![(forged.clone(), sign_receipt(&stranger, &forged))])
		.await
		.unwrap_err();
	assert!(
		matches!(&err, ClientError::Refused(m) if m.contains("Receipts::UnregisteredWorkerKey")),
		"{err}"
	);
	assert_eq!(client.total_issuance().await.unwrap(), before_authorized, "no fee burned");

	// 3. A claim on the job that is already assigned: the pool refuses it (CheckClaim), so it
	// never reaches a block and costs nothing although the provider now holds AIT.
	let before_claim = client.total_issuance().await.unwrap();
	let err = client.claim_job(&provider_key, job2).await.unwrap_err();
	assert!(err.to_string().contains("Jobs::NotPending"), "{err}");
	assert!(matches!(err, ClientError::Refused(_)), "{err}");
	assert_eq!(
		client.total_issuance().await.unwrap(),
		before_claim,
		"a refused claim burns no fee"
	);

	// None of it minted anything; the failed signed calls paid fees, to the block's author.
	let issuance = client.total_issuance().await.unwrap();
	assert_eq!(issuance, issuance_before, "fees are not burned");
	let fees = provider_before - client.balance(&provider_id).await.unwrap();
	assert!(fees > 0, "failed signed calls pay fees");
	assert_eq!(
		client.balance(&author).await.unwrap() - author_before,
		fees,
		"the author took them"
	);
	assert_eq!(client.receipt(job2).await.unwrap().map(|r| r.receipt_hash), None);
	assert_eq!(aitbc_client::state_name(&client.job(job2).await.unwrap().state), "Assigned");

	// 4. Valid receipts for job 2 and a third job, in one batch transaction: both accepted
	// (feeless: no fee burned) and, after the challenge window, both minted.
	let mut offer = client.provider(&provider_id).await.unwrap().offer.expect("an offer");
	offer.capacity = 2;
	client.update_offer(&provider_key, &offer).await.unwrap();
	let (job3, _) = submit(&url, "charlie", "a blue triangle on a white background", 3);
	client.claim_job(&provider_key, job3).await.unwrap();
	let mut batch = Vec::new();
	for id in [job2, job3] {
		let job = client.job(id).await.unwrap();
		let mut receipt = replay.clone();
		receipt.job_id = id;
		receipt.units = job.units;
		receipt.prompt_hash = aitbc_primitives::prompt_hash(&job.prompt.0);
		receipt.params_hash = job.params.0.hash();
		let signature = sign_receipt(&worker_key, &receipt);
		batch.push((receipt, signature));
	}
	let expected: u128 = batch.iter().map(|(r, _)| u128::from(r.units) * PRICE / 1_000).sum();
	client.submit_receipts(&provider_key, batch).await.unwrap();
	for id in [job2, job3] {
		assert_eq!(wait_final(&client, id, Duration::from_secs(60), &[]).await, "Finalized");
	}
	assert_eq!(client.total_issuance().await.unwrap(), issuance + expected);
	drop(node);
}

#[tokio::test(flavor = "multi_thread")]
async fn two_workers_serve_ten_jobs_each_exactly_once() {
	let (_node, url, client) = market().await;
	let home = tempfile::tempdir().unwrap();
	let dirs = [home.path().join("w1"), home.path().join("w2")];
	let providers: Vec<subxt::utils::AccountId32> =
		dirs.iter().map(|d| provision_worker(&url, d).parse().unwrap()).collect();
	let workers = [start_worker("w1", &dirs[0]), start_worker("w2", &dirs[1])];
	for worker in &workers {
		wait_log(worker, "connected", Duration::from_secs(60)).await;
	}

	// Ten free jobs from five clients, two each, submitted concurrently.
	let mut tasks = Vec::new();
	for (i, account) in ["charlie", "dave", "eve", "ferdie", "bob"].into_iter().enumerate() {
		let url = url.clone();
		tasks.push(tokio::task::spawn_blocking(move || {
			(0..2)
				.map(|j| {
					submit(&url, account, "a green circle on a red background", (i * 2 + j) as u64)
						.0
				})
				.collect::<Vec<_>>()
		}));
	}
	let mut jobs = Vec::new();
	for task in tasks {
		jobs.extend(task.await.unwrap());
	}
	jobs.sort();
	assert_eq!(jobs, (0..10).collect::<Vec<u64>>());
	for &job in &jobs {
		assert_eq!(
			wait_final(&client, job, Duration::from_secs(300), &[&workers[0], &workers[1]]).await,
			"Finalized"
		);
	}

	// Every job has one receipt from one of the two providers; the mints add up. A claim that
	// lost a race is refused before it reaches a block, so no provider paid a fee for it: all AIT
	// in existence is what was minted, and it is with the providers.
	let mint = 5_000 * PRICE / 1_000;
	let mut served = Vec::new();
	let mut balances = 0;
	for (provider, worker) in providers.iter().zip(&workers) {
		let theirs = client.receipted_jobs(provider).await.unwrap();
		assert!(!theirs.is_empty(), "{} served nothing:\n{}", worker.name, tail(&worker.log(), 30));
		for job in &theirs {
			assert_eq!(client.receipt(*job).await.unwrap().unwrap().minted, Some(mint));
		}
		let balance = client.balance(provider).await.unwrap();
		assert_eq!(
			balance,
			theirs.len() as u128 * mint,
			"{} paid fees:\n{}",
			worker.name,
			tail(&worker.log(), 30)
		);
		balances += balance;
		served.extend(theirs);
	}
	served.sort();
	assert_eq!(served, jobs, "each job receipted exactly once");
	let (minted, burned) = client.issuance_ledger().await.unwrap();
	assert_eq!(minted, 10 * mint);
	let lost: usize = workers.iter().map(|w| w.log().matches("claim failed").count()).sum();
	eprintln!("claims that lost a race (refused, free): {lost}");
	assert_eq!(burned, 0, "no fee was paid for a lost claim race");
	assert_eq!(client.total_issuance().await.unwrap(), minted);
	assert_eq!(balances, minted, "no AIT anywhere but with the providers");
}
