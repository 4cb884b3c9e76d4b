// polkadot.js compatibility: @polkadot/api from npm, unmodified, against a running aitbc-node.
// tests/tests/polkadotjs.rs starts the node, serves job AITBC_JOB through a real worker, then runs
// `node --test` on this file with AITBC_WS pointing at the node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';

const url = process.env.AITBC_WS ?? 'ws://127.0.0.1:9944';
const servedJob = Number(process.env.AITBC_JOB ?? 0);
const text = (bytes) => new TextDecoder().decode(bytes.toU8a(true));

test('polkadot.js decodes, reads, subscribes and submits against aitbc-node', async () => {
  await cryptoWaitReady();
  const api = await ApiPromise.create({ provider: new WsProvider(url), throwOnConnect: true, noInitWarn: true });
  try {
    // The metadata decodes into the chain's pallets, and the chain's token is AIT.
    const pallets = api.runtimeMetadata.asLatest.pallets.map((p) => p.name.toString());
    for (const name of ['Balances', 'Marketplace', 'Jobs', 'Receipts', 'ProviderStaking']) {
      assert.ok(pallets.includes(name), `metadata lists ${name}: ${pallets}`);
    }
    assert.deepEqual(api.registry.chainTokens, ['AIT']);
    assert.deepEqual(api.registry.chainDecimals, [12]);

    // A served job and its receipt, read from storage with the types the metadata describes.
    const job = (await api.query.jobs.jobs(servedJob)).unwrap();
    assert.equal(job.units.toNumber(), 5000);
    assert.equal(job.params.width.toNumber(), 256);
    assert.equal(job.params.scheduler.type, 'Ddim');
    assert.ok(job.state.isFinalized, `job ${servedJob} is ${job.state.type}`);
    // Receipts are stored by provider and receipt hash; the job's state records both, and
    // what was minted.
    const { provider, receiptHash, minted } = job.state.asFinalized;
    const stored = (await api.query.receipts.receipts(provider, receiptHash)).unwrap();
    assert.equal(stored.receipt.jobId.toNumber(), servedJob);
    assert.equal(stored.receipt.units.toNumber(), 5000);
    assert.equal(stored.receipt.provider.toString(), provider.toString());
    const byProvider = await api.query.receipts.receipts.keys(provider);
    assert.ok(byProvider.some((key) => key.args[1].toHex() === receiptHash.toHex()), 'listed under its provider');
    assert.equal(minted.toBigInt(), 5_000_000_000n);
    assert.equal((await api.query.balances.totalIssuance()).toBigInt(), 5_000_000_000n);

    // Events by subscription, while Dave (no AIT) submits a free job signed with his dev key.
    const dave = new Keyring({ type: 'sr25519' }).addFromUri('//Dave');
    const seen = [];
    const unsubscribe = await api.query.system.events((records) => {
      for (const { event } of records) seen.push(`${event.section}.${event.method}`);
    });
    const id = (await api.query.jobs.nextJobId()).toNumber();
    const params = { steps: 20, guidanceMilli: 7500, width: 256, height: 256, seed: 7, scheduler: 'Ddim' };
    const prompt = 'a yellow circle on a green background';
    const included = await new Promise((resolve, reject) => {
      api.tx.jobs
        .submitJob(0, prompt, params, 0, 0, 30)
        .signAndSend(dave, ({ status, events, dispatchError }) => {
          if (dispatchError) reject(new Error(`dispatch error: ${dispatchError.toString()}`));
          else if (status.isInBlock) resolve(events.map(({ event }) => `${event.section}.${event.method}`));
        })
        .catch(reject);
    });
    assert.ok(included.includes('jobs.JobSubmitted'), `events: ${included}`);
    assert.ok(included.includes('system.ExtrinsicSuccess'), `events: ${included}`);
    const submitted = (await api.query.jobs.jobs(id)).unwrap();
    assert.equal(submitted.client.toString(), dave.address);
    assert.equal(text(submitted.prompt), prompt);
    assert.equal(submitted.units.toNumber(), 5000);
    const daveAccount = await api.query.system.account(dave.address);
    assert.equal(daveAccount.data.free.toBigInt(), 0n, 'a free job is feeless');
    for (let i = 0; i < 50 && !seen.includes('jobs.JobSubmitted'); i++) await new Promise((r) => setTimeout(r, 200));
    assert.ok(seen.includes('jobs.JobSubmitted'), `subscribed events: ${seen}`);
    unsubscribe();
  } finally {
    await api.disconnect();
  }
});
