//! The web app in a real browser: a dev node with the embedded model and every receipt audited,
//! two real workers (one serves, the other audits), and `aitbc web` serving `web/dist`; then
//! `web/tests/web.test.mjs` (playwright-core driving Debian's Chromium, both installed by
//! scripts/setup.sh) walks through the explorer, the wallet, a job from the form to its verified
//! image, a shard of two images, the providers, transfers, the market (two accounts trade, a
//! partial fill, a cancel) and the error cases, with no console errors. Screenshots and
//! the first-render time go to `web/test-results/`.

use std::{process::Command, time::Duration};

use aitbc_integration_tests::{market::*, *};

/// Every receipt is audited, so the page shows an audit.
const FULL_RATE: u32 = 1_000_000_000;

#[tokio::test(flavor = "multi_thread")]
async fn the_web_app_serves_a_job_end_to_end_in_a_real_browser() {
	let web = repo_root().join("web");
	for (path, what) in [
		("node_modules/playwright-core", "the web app's npm packages (npm ci in web/)"),
		("dist/index.html", "the built web app (npm run build in web/)"),
	] {
		assert!(web.join(path).exists(), "{what} missing: run scripts/setup.sh, which installs it");
	}
	assert!(
		std::path::Path::new("/usr/bin/chromium").is_file(),
		"/usr/bin/chromium missing: run scripts/setup.sh (it installs Debian's chromium)"
	);

	let (_node, url, client) = market().await;
	let alice = aitbc_client::dev_account("alice").unwrap();
	client.set_audit_params(&alice, FULL_RATE, 0).await.unwrap();
	let home = tempfile::tempdir().unwrap();
	let dirs: Vec<_> = ["w1", "w2"].iter().map(|n| home.path().join(n)).collect();
	for dir in &dirs {
		provision_worker(&url, dir);
	}
	let workers: Vec<_> =
		["w1", "w2"].iter().zip(&dirs).map(|(name, dir)| start_worker(name, dir)).collect();
	for worker in &workers {
		wait_log(worker, "registered as an auditor", Duration::from_secs(90)).await;
	}
	wait_auditors(&client, 2).await;

	// A shard of two images (one receipt for their manifest), for the page to show both.
	let submitted = submit_json(
		&url,
		"dave",
		"a blue circle on a yellow background",
		&["--count", "2", "--per-shard", "2", "--seed", "20"],
	);
	let shard = submitted["first_job"].as_u64().unwrap();
	let logs: Vec<&Process> = workers.iter().collect();
	assert_eq!(wait_final(&client, shard, Duration::from_secs(300), &logs).await, "Finalized");

	// AIT for the market flow: two more jobs (each minted to its provider and to its auditor),
	// then each provider sends Dave, who holds test tUSD, 4 mAIT for his orders' fees.
	for seed in [30, 31] {
		let (job, _) = submit(&url, "eve", "a green circle on a red background", seed);
		assert_eq!(wait_final(&client, job, Duration::from_secs(300), &logs).await, "Finalized");
	}
	let dave = aitbc_client::account_of(&aitbc_client::dev_account("dave").unwrap());
	for dir in &dirs {
		let key = std::fs::read_to_string(dir.join("provider.key")).unwrap();
		run_ok(
			"aitbc",
			&["--node", &url, "--account", key.trim(), "transfer", &dave.to_string(), "0.004"],
		);
	}

	let listen = format!("127.0.0.1:{}", free_port());
	let server = Process::start(
		"web",
		"aitbc",
		&["--node", &url, "web", "--listen", &listen, "--dir", web.join("dist").to_str().unwrap()],
	);
	wait_log(&server, "web app: http://", Duration::from_secs(30)).await;

	let keys = std::env::join_paths(dirs.iter().map(|d| d.join("provider.key"))).unwrap();
	let web_url = format!("http://{listen}/");
	let run_url = url.clone();
	let output = tokio::task::spawn_blocking(move || {
		Command::new("node")
			.args(["--test", "--test-reporter=spec", "tests/web.test.mjs"])
			.current_dir(&web)
			.env("AITBC_WS", &run_url)
			.env("AITBC_WEB", &web_url)
			.env("AITBC_PROVIDER_KEYS", keys)
			.env("AITBC_SHARD_JOB", shard.to_string())
			.output()
			.expect("run node (Node.js 20.19 or later; scripts/setup.sh installs it)")
	})
	.await
	.unwrap();
	let stdout = String::from_utf8_lossy(&output.stdout);
	let stderr = String::from_utf8_lossy(&output.stderr);
	let logs: String = workers
		.iter()
		.chain([&server])
		.map(|p| format!("--- {} ---\n{}\n", p.name, p.log()))
		.collect();
	assert!(
		output.status.success(),
		"the browser tests failed\n--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}\n{logs}"
	);
	assert!(stdout.contains("ℹ fail 0") && stdout.contains("ℹ pass 12"), "{stdout}");
	println!("{stdout}");
}
