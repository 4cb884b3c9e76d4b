//! The typed subxt client (`aitbc-client`) against a real `--dev` node: reads, a governance call,
//! a free job, and the named errors a user sees.

use std::time::Duration;

use aitbc_client::{account_of, dev_account, Client, ClientError};
use aitbc_integration_tests::*;
use aitbc_primitives::{JobParams, Scheduler};

fn params() -> JobParams {
	JobParams {
		steps: 20,
		guidance_milli: 7_500,
		width: 256,
		height: 256,
		seed: 1,
		scheduler: Scheduler::Ddim,
	}
}

#[tokio::test(flavor = "multi_thread")]
async fn the_client_registers_a_model_submits_a_free_job_and_names_errors() {
	let node = Node::start("alice", &["--dev", "--tmp"]);
	let _ = node.client().await; // wait for RPC
	let client =
		Client::connect(&format!("ws://127.0.0.1:{}", node.rpc_port), Duration::from_secs(30))
			.await
			.unwrap();
	assert_ne!(client.genesis_hash(), [0u8; 32]);
	let alice = dev_account("alice").unwrap();
	let charlie = dev_account("charlie").unwrap();
	assert_eq!(client.balance(&account_of(&alice)).await.unwrap(), 0);
	assert_eq!(client.total_issuance().await.unwrap(), 0);

	// No model yet: the job is refused with the pallet's error, and nothing is stored.
	let err = client.submit_job(&charlie, 0, "a red circle", params(), 0, 0, 30).await.unwrap_err();
	let refused = err.module().unwrap_or_else(|| panic!("a pallet error, not {err}"));
	assert_eq!((refused.pallet.as_str(), refused.error.as_str()), ("Jobs", "UnknownModel"));
	assert!(matches!(client.job(0).await, Err(ClientError::JobNotFound(0))));

	// Governance (Alice holds the sudo key; the call is feeless) adds a model.
	let model_id = client
		.add_model(
			&alice,
			"tiny-shapes",
			&[("unet/model.onnx".into(), [7u8; 32])],
			[9u8; 32],
			1_000,
			512,
			512,
			100,
		)
		.await
		.unwrap();
	let models = client.models().await.unwrap();
	assert_eq!(models.len(), 1);
	assert_eq!(models[0].0, model_id);
	assert_eq!(models[0].1.name.0, b"tiny-shapes".to_vec());
	assert_eq!(models[0].1.max_steps, 100);

	// A free job from an account with no AIT: feeless, stored with its on-chain cost.
	let job_id = client
		.submit_job(&charlie, model_id, "a red circle on a blue background", params(), 0, 0, 30)
		.await
		.unwrap();
	let job = client.job(job_id).await.unwrap();
	assert_eq!(job.client, account_of(&charlie));
	assert_eq!(job.prompt.0, b"a red circle on a blue background".to_vec());
	assert_eq!(job.params.0, params());
	// 20 steps x 256 x 256 / 512^2 x weight 1.000 = 5 units = 5_000 milli-units.
	assert_eq!(job.units, 5_000);
	// Cancelling is not feeless, and no AIT exists yet (no premint): a named error, nothing changes.
	let err = client.cancel_job(&charlie, job_id).await.unwrap_err();
	assert!(matches!(err, ClientError::InsufficientBalance(_)), "{err}");
	assert_eq!(client.job(job_id).await.unwrap().units, 5_000);
	assert_eq!(client.total_issuance().await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_node_is_a_clear_error() {
	let port = free_port();
	let err = Client::connect(&format!("ws://127.0.0.1:{port}"), Duration::from_millis(600))
		.await
		.err()
		.unwrap();
	assert!(matches!(err, ClientError::NodeUnreachable { .. }), "{err}");
	assert!(err.to_string().contains(&format!("127.0.0.1:{port}")), "{err}");
}
