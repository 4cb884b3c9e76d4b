//! polkadot.js compatibility: after a real worker served job 0 on a dev node, the Node.js test in
//! `tests/polkadotjs/` (@polkadot/api from npm, installed by scripts/setup.sh) runs unmodified
//! against the node: it decodes the metadata, reads the job and its receipt, subscribes to events
//! and submits a free job signed with a dev key.

use std::time::Duration;

use aitbc_integration_tests::{market::*, node_test, repo_root};

#[tokio::test(flavor = "multi_thread")]
async fn polkadot_js_reads_jobs_and_receipts_subscribes_and_submits() {
	let dir = repo_root().join("tests/polkadotjs");
	assert!(
		dir.join("node_modules/@polkadot/api").is_dir(),
		"{}/node_modules is missing: run scripts/setup.sh (it runs npm ci there)",
		dir.display()
	);
	let (_node, url, client) = market().await;
	let home = tempfile::tempdir().unwrap();
	provision_worker(&url, &home.path().join("worker"));
	let worker = start_worker("worker", &home.path().join("worker"));
	let (job, _) = submit(&url, "charlie", "a red circle on a blue background", 1);
	assert_eq!(wait_final(&client, job, Duration::from_secs(180), &[&worker]).await, "Finalized");

	let env = vec![("AITBC_WS", url.clone()), ("AITBC_JOB", job.to_string())];
	let stdout = node_test(dir, "compat.test.mjs", env).await;
	assert!(stdout.contains("# pass 1") && stdout.contains("# fail 0"), "{stdout}");
}
