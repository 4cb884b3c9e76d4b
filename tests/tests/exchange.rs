//! The AIT order book on a real dev node, through the `aitbc market` CLI and through polkadot.js.
//!
//! AIT exists only because compute was served, so the test first earns some: a real worker
//! serves a free shard of 8 images and is minted 0.04 AIT for it. The provider then sells AIT to
//! Bob (who holds the dev chain's test tUSD and is sent a little AIT for fees): a resting ask, a partial fill,
//! a market order that sweeps the rest, the recent trades, an account's first purchase (free,
//! since it holds no AIT to pay a fee with), a cancel that frees the held AIT,
//! and every kind of bad input refused with a message and nothing changed. Then
//! `tests/polkadotjs/exchange.test.mjs` places and cancels an order with @polkadot/api.

use std::time::Duration;

use aitbc_client::Client;
use aitbc_integration_tests::{market::*, *};
use serde_json::Value;

/// One AIT in its smallest unit.
const AIT: u128 = 1_000_000_000_000;

fn market_json(url: &str, account: &str, args: &[&str]) -> Value {
	let mut all = vec!["--node", url, "--account", account, "--json", "market"];
	all.extend_from_slice(args);
	let out = run_ok("aitbc", &all);
	serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {out}"))
}

/// Runs `aitbc market …` expecting a refusal; returns its standard error.
fn market_refused(url: &str, account: &str, args: &[&str]) -> String {
	let mut all = vec!["--node", url, "--account", account, "market"];
	all.extend_from_slice(args);
	let (ok, stdout, stderr) = run_binary("aitbc", &all);
	assert!(!ok, "`aitbc market {}` succeeded: {stdout}", args.join(" "));
	stderr
}

/// (free, held) AIT and tUSD of `who`, read through the client.
async fn holdings(client: &Client, who: &subxt::utils::AccountId32) -> (u128, u128, u128, u128) {
	let ait = client.ait_balance(who).await.unwrap();
	let usd = client.asset_balance(1, who).await.unwrap();
	(ait.free, ait.held, usd.free, usd.held)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_order_book_trades_ait_through_the_cli_and_polkadot_js() {
	let js = repo_root().join("tests/polkadotjs");
	assert!(
		js.join("node_modules/@polkadot/api").is_dir(),
		"{}/node_modules is missing: run scripts/setup.sh (it runs npm ci there)",
		js.display()
	);
	let (_node, url, client) = market().await;
	let home = tempfile::tempdir().unwrap();
	let dir = home.path().join("worker");
	let provider_address = provision_worker(&url, &dir);
	let worker = start_worker("worker", &dir);
	// One shard of 8 images: 40 units at 1 mAIT, minted 0.04 AIT for one receipt.
	let submitted = submit_json(
		&url,
		"charlie",
		"a red circle on a blue background",
		&["--count", "8", "--per-shard", "8", "--seed", "1"],
	);
	let shard = submitted["first_job"].as_u64().unwrap();
	assert_eq!(wait_final(&client, shard, Duration::from_secs(300), &[&worker]).await, "Finalized");
	let provider_key = std::fs::read_to_string(dir.join("provider.key")).unwrap();
	let provider_key = provider_key.trim();
	let provider: subxt::utils::AccountId32 = provider_address.parse().unwrap();
	let bob = aitbc_client::account_of(&aitbc_client::dev_account("bob").unwrap());
	assert_eq!(client.ait_balance(&provider).await.unwrap().free, 40 * AIT / 1000);
	let issuance = client.total_issuance().await.unwrap();

	// The dev chain's market: AIT/tUSD, lots of 1 mAIT, an empty book. Bob holds tUSD only.
	let book = market_json(&url, "bob", &["book"]);
	assert_eq!(book["quote"], "tUSD");
	assert_eq!(book["lot"], "0.001");
	assert_eq!(book["bids"], Value::Array(vec![]));
	assert_eq!(book["asks"], Value::Array(vec![]));
	let bob_usd = client.asset_balance(1, &bob).await.unwrap().free;
	assert_eq!(bob_usd, 1_000_000 * 1_000_000);
	run_ok(
		"aitbc",
		&["--node", &url, "--account", provider_key, "transfer", &bob.to_string(), "0.012"],
	);

	// The provider asks 0.5 tUSD per AIT for 0.003 AIT: it rests, its AIT on hold.
	let (p_free, p_held, p_usd, _) = holdings(&client, &provider).await;
	let placed = market_json(&url, provider_key, &["sell", "0.003", "--price", "0.5"]);
	assert_eq!((placed["filled"].as_u64(), placed["resting"].as_u64()), (Some(0), Some(3)));
	let ask = placed["order"].as_u64().unwrap();
	let (free, held, _, _) = holdings(&client, &provider).await;
	assert_eq!(held, p_held + 3 * AIT / 1000);
	assert!(free < p_free - 3 * AIT / 1000, "the fee was paid in AIT");

	// Bob buys 0.001 AIT at up to 0.5: one trade at the maker's price; the ask is partly filled.
	let (b_free, _, b_usd, _) = holdings(&client, &bob).await;
	let bought = market_json(&url, "bob", &["buy", "0.001", "--price", "0.5"]);
	assert_eq!((bought["filled"].as_u64(), bought["resting"].as_u64()), (Some(1), Some(0)));
	assert_eq!(bought["trades"][0]["maker_order"].as_u64(), Some(ask));
	assert_eq!(bought["trades"][0]["price"], "0.5");
	// 0.001 AIT at 0.5 tUSD per AIT is 0.0005 tUSD = 500 units.
	let (free, _, usd, usd_held) = holdings(&client, &bob).await;
	assert_eq!((usd, usd_held), (b_usd - 500, 0));
	assert!(free > b_free - AIT / 100 && free < b_free + AIT / 1000, "got 1 mAIT less the fee");
	assert_eq!(holdings(&client, &provider).await.2, p_usd + 500);
	let orders = market_json(&url, provider_key, &["orders"]);
	assert_eq!(orders["orders"][0]["order"].as_u64(), Some(ask));
	assert_eq!(orders["orders"][0]["lots"].as_u64(), Some(2), "partly filled: {orders}");
	assert_eq!(orders["orders"][0]["placed_lots"].as_u64(), Some(3));
	assert_eq!(orders["ait"]["held"], "0.002");
	let book = market_json(&url, "bob", &["book"]);
	assert_eq!(book["asks"][0]["price"], "0.5");
	assert_eq!(book["asks"][0]["lots"].as_u64(), Some(2));
	let trades = market_json(&url, "bob", &["trades"]);
	assert_eq!(trades.as_array().unwrap().len(), 1);
	assert_eq!(trades[0]["taker_side"], "buy");
	assert_eq!(trades[0]["maker"], provider_address.as_str());

	// Bad input: refused with what to do, before anything is signed, or by the chain with the
	// pallet's error; nothing changes either way.
	let before = (holdings(&client, &bob).await, holdings(&client, &provider).await);
	let err = market_refused(&url, "bob", &["buy", "0.0015", "--price", "0.5"]);
	assert!(err.contains("not a whole number of lots") && err.contains("0.001 AIT"), "{err}");
	let err = market_refused(&url, "bob", &["buy", "0.001", "--price", "0.5005"]);
	assert!(err.contains("not a multiple of the pair's tick, 0.001 tUSD per AIT"), "{err}");
	let err = market_refused(&url, "bob", &["buy", "0.001"]);
	assert!(err.contains("--price") && err.contains("--worst"), "{err}");
	let err = market_refused(&url, "bob", &["book", "--pair", "7"]);
	assert!(err.contains("no pair 7; pairs: 0"), "{err}");
	let err = market_refused(&url, "bob", &["cancel", &ask.to_string()]);
	assert!(err.contains(&format!("order {ask} is not a resting order of")), "{err}");
	assert_eq!((holdings(&client, &bob).await, holdings(&client, &provider).await), before);
	// A market buy no ask meets (worst 0.4 < 0.5) reaches the chain and fails there with the
	// pallet's error: Bob pays the fee, and nothing else changes.
	let err = market_refused(&url, "bob", &["buy", "0.001", "--worst", "0.4"]);
	assert!(err.contains("Exchange::NoLiquidity"), "{err}");
	let after = holdings(&client, &bob).await;
	assert_eq!((after.1, after.2, after.3), (before.0 .1, before.0 .2, before.0 .3));
	assert!(after.0 < before.0 .0, "the failed order's fee");
	assert_eq!(holdings(&client, &provider).await, before.1);

	// A market buy of 0.003 AIT at worst 0.6 takes the 0.002 left and drops the rest.
	let swept = market_json(&url, "bob", &["buy", "0.003", "--worst", "0.6"]);
	assert_eq!((swept["filled"].as_u64(), swept["resting"].as_u64()), (Some(2), Some(0)));
	assert_eq!(market_json(&url, provider_key, &["orders"])["orders"], Value::Array(vec![]));
	assert_eq!(holdings(&client, &provider).await.1, p_held, "the filled ask holds nothing");

	// Two asks, one with an expiry.
	market_json(&url, provider_key, &["sell", "0.001", "--price", "0.7"]);
	market_json(&url, provider_key, &["sell", "0.002", "--price", "0.8", "--expires-in", "600"]);
	assert_eq!(holdings(&client, &provider).await.1, p_held + 3 * AIT / 1000);

	// Ferdie holds tUSD and no AIT, so no fee could be paid: an account's first buy is
	// feeless when it is sure to trade. It takes the 0.7 ask and is charged nothing.
	let ferdie = aitbc_client::account_of(&aitbc_client::dev_account("ferdie").unwrap());
	let f_usd = client.asset_balance(1, &ferdie).await.unwrap().free;
	assert_eq!(client.ait_balance(&ferdie).await.unwrap().free, 0);
	let first = market_json(&url, "ferdie", &["buy", "0.001", "--worst", "0.7"]);
	assert_eq!(first["filled"].as_u64(), Some(1));
	assert_eq!(client.ait_balance(&ferdie).await.unwrap().free, AIT / 1000, "no fee taken");
	assert_eq!(client.asset_balance(1, &ferdie).await.unwrap().free, f_usd - 700);
	// Now it holds AIT: the next order pays its fee, and 1 mAIT cannot. The node refuses it.
	let err = market_refused(&url, "ferdie", &["buy", "0.001", "--worst", "0.8"]);
	assert!(err.contains("insufficient balance"), "{err}");
	assert_eq!(client.ait_balance(&ferdie).await.unwrap().free, AIT / 1000);

	// cancel --all: the ask left leaves the book and the held AIT is free again.
	let cancelled = market_json(&url, provider_key, &["cancel", "--all"]);
	assert_eq!(cancelled["cancelled"].as_u64(), Some(1));
	assert_eq!(holdings(&client, &provider).await.1, p_held);
	assert_eq!(market_json(&url, "bob", &["book"])["asks"], Value::Array(vec![]));

	// tUSD moved only between the traders; trading never minted or burned AIT beyond the
	// fees' transfers to the block author.
	let (_, _, p_usd_end, _) = holdings(&client, &provider).await;
	let (_, _, b_usd_end, _) = holdings(&client, &bob).await;
	let f_usd_end = client.asset_balance(1, &ferdie).await.unwrap().free;
	assert_eq!(p_usd_end + b_usd_end + f_usd_end, p_usd + b_usd + f_usd);
	assert_eq!(p_usd_end, p_usd + 3 * 500 + 700);
	assert_eq!(client.total_issuance().await.unwrap(), issuance);

	// polkadot.js: pairs and depth from the runtime API, an order placed and cancelled.
	let env = vec![("AITBC_WS", url.clone()), ("AITBC_TRADER_KEY", provider_key.to_string())];
	let stdout = node_test(js, "exchange.test.mjs", env).await;
	assert!(stdout.contains("# pass 1") && stdout.contains("# fail 0"), "{stdout}");
	assert_eq!(holdings(&client, &provider).await.1, p_held);
}
