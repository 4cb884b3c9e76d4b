// The web app in headless Chromium against a real dev node and two real workers (started by
// tests/tests/web.rs, which sets AITBC_WS, AITBC_WEB and AITBC_PROVIDER_KEYS). One browser walks
// through the flows in order: explorer, wallet, a job from the form to its verified image, the
// explorer and provider pages that show it, transfers (signed, rejected, invalid, failing), a
// market (an ask, a partly filling bid, a cancel), a tampered artifact, phone width and a wrong
// node URL; no console errors along the way.
// Screenshots and the performance figures go to AITBC_WEB_OUT (default web/test-results).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { connectApi, injectTestWallet, launchBrowser, recordErrors, waitUntil } from './harness.mjs';

const WS = process.env.AITBC_WS ?? 'ws://127.0.0.1:9944';
const WEB = (process.env.AITBC_WEB ?? 'http://127.0.0.1:8080/').replace(/\/?$/, '/');
const OUT = process.env.AITBC_WEB_OUT ?? new URL('../test-results/', import.meta.url).pathname;
const SHARD_JOB = process.env.AITBC_SHARD_JOB;
const KEY_FILES = (process.env.AITBC_PROVIDER_KEYS ?? '').split(delimiter).filter(Boolean);
const AIT = 1_000_000_000_000n;
const JOB_TIMEOUT_MS = 240_000;

let api, context, page, control, errors, profile;
let charlie, dave, providers;
let jobId, receipt;
const perf = {};

const shot = (name) => page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true });
const go = async (hash) => {
  await page.evaluate((h) => (location.hash = h), hash);
};
/** 1000000000n → "0.001 AIT", as the page writes amounts (balances here stay under 1,000 AIT). */
const formatAit = (value) => {
  const fraction = (value % AIT).toString().padStart(12, '0').replace(/0+$/, '');
  return `${value / AIT}${fraction ? `.${fraction}` : ''} AIT`;
};
const free = async (address) => (await api.query.system.account(address)).data.free.toBigInt();

before(async () => {
  mkdirSync(OUT, { recursive: true });
  await cryptoWaitReady();
  api = await connectApi(WS);
  const keyring = new Keyring({ type: 'sr25519' });
  charlie = keyring.addFromUri('//Charlie');
  dave = keyring.addFromUri('//Dave');
  assert.ok(KEY_FILES.length > 0, 'AITBC_PROVIDER_KEYS names the workers\' provider key files');
  providers = KEY_FILES.map((file) => keyring.addFromUri(readFileSync(file, 'utf8').trim()));
  profile = mkdtempSync(join(tmpdir(), 'aitbc-chromium-'));
  context = await launchBrowser(profile);
  control = await injectTestWallet(context, api, [
    { name: 'Charlie', pair: charlie },
    { name: 'Dave', pair: dave },
    ...providers.map((pair, i) => ({ name: `provider ${i + 1}`, pair })),
  ]);
  page = context.pages()[0] ?? (await context.newPage());
  errors = recordErrors(page);
});

after(async () => {
  writeFileSync(join(OUT, 'perf.json'), JSON.stringify(perf, null, 2));
  await context?.close();
  await api?.disconnect();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

describe('AITBC web app', () => {
  test('the explorer renders and follows the chain live', async () => {
    const started = Date.now();
    await page.goto(`${WEB}?rpc=${encodeURIComponent(WS)}`);
    await page.waitForFunction(() => /^\d+$/.test(document.querySelector('[data-testid=best-block]')?.textContent ?? ''));
    // First render with chain data: from navigation start to the first block on screen.
    perf.firstRenderMs = Math.round(await page.evaluate(() => performance.now()));
    perf.firstRenderWallMs = Date.now() - started;
    const first = Number(await page.getByTestId('best-block').textContent());
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid=best-block]')?.textContent) > n, first, { timeout: 15_000 });
    await page.waitForFunction(() => /^\d+$/.test(document.querySelector('[data-testid=finalized-block]')?.textContent ?? ''));
    const rows = await page.locator('[data-testid=recent-blocks] tbody tr').count();
    assert.ok(rows >= 2, `recent blocks listed: ${rows}`);
    const chainBest = (await api.rpc.chain.getHeader()).number.toNumber();
    const shown = Number(await page.getByTestId('best-block').textContent());
    assert.ok(chainBest - shown <= 2, `page shows #${shown}, node is at #${chainBest}`);
    assert.match(await page.getByTestId('node-status').textContent(), /spec \d+/);
    await shot('explorer');
  });

  test('the wallet connects through the extension interface and lists accounts with balances', async () => {
    await page.getByRole('link', { name: 'Wallet', exact: true }).click();
    await page.getByTestId('connect-wallet').click();
    await page.locator(`[data-testid=accounts] tr[data-address="${charlie.address}"]`).waitFor();
    for (const pair of providers) await page.locator(`[data-testid=accounts] tr[data-address="${pair.address}"]`).waitFor();
    await page.locator(`tr[data-address="${charlie.address}"] input[type=radio]`).check();
    assert.match(await page.getByTestId('header-account').textContent(), new RegExp(charlie.address.slice(0, 6)));
    await page.waitForFunction((a) => document.querySelector(`tr[data-address="${a}"] .amount`)?.textContent === '0 AIT', charlie.address);
    await shot('wallet');
  });

  test('a job goes from the form to a verified image, with its receipt and audit', async () => {
    await page.getByRole('link', { name: 'Generate', exact: true }).click();
    await page.locator('textarea[name=prompt]').fill('a green square on a red background');
    await page.locator('input[name=steps]').fill('20');
    await page.locator('input[name=seed]').fill('42');
    // The chain's cost and the feasibility answer, before signing.
    await page.waitForFunction(() => document.querySelector('[data-testid=quote-units]')?.textContent === '5 units');
    await page.getByTestId('feasibility').waitFor();
    assert.match(await page.getByTestId('feasibility').textContent(), /[12] providers? can take it/);
    // A bad input is named, and nothing can be signed.
    await page.locator('input[name=width]').fill('250');
    await page.getByText('Width and height must be multiples of 8.').waitFor();
    assert.ok(await page.getByTestId('submit-job').isDisabled());
    await page.locator('input[name=width]').fill('256');
    await page.waitForFunction(() => document.querySelector('[data-testid=quote-units]')?.textContent === '5 units');

    const signedBefore = control.signed;
    await page.getByTestId('submit-job').click();
    await page.getByText(/Included in block/).waitFor({ timeout: 30_000 });
    assert.equal(control.signed, signedBefore + 1, 'signed once, in the wallet');
    const title = await page.locator('h2 a[href^="#/job/"]').textContent();
    jobId = Number(/Job (\d+)/.exec(title)[1]);
    const job = (await api.query.jobs.jobs(jobId)).unwrap();
    assert.equal(job.client.toString(), charlie.address);

    await page.locator('[data-testid=job-view][data-state=Finalized]').waitFor({ timeout: JOB_TIMEOUT_MS });
    await page.getByTestId('verified-image').waitFor({ timeout: 30_000 });
    const state = (await api.query.jobs.jobs(jobId)).unwrap().state;
    assert.ok(state.isFinalized, `job ${jobId} is ${state.type} on chain`);
    const { provider, receiptHash, minted } = state.asFinalized;
    receipt = (await api.query.receipts.receipts(provider, receiptHash)).unwrap();
    receipt.providerAddress = provider.toString();
    const sha = receipt.receipt.artifactSha256.toHex().slice(2);
    assert.equal((await page.getByTestId('receipt-sha256').textContent()).trim(), sha);
    // Every stage with its block; the receipted and final blocks are the chain's own.
    const timeline = await page.getByTestId('job-timeline').textContent();
    assert.match(timeline, new RegExp(`Receipted at #${receipt.acceptedAt.toNumber()}`));
    assert.match(timeline, new RegExp(`Finalized at #${receipt.finalAt.toNumber()}`));
    assert.match(timeline, new RegExp(`Pending at #${job.submittedAt.toNumber()}`));
    assert.match(await page.getByTestId('audit').textContent(), /Audit Passed/);
    assert.match(await page.getByTestId('job-minted').textContent(), new RegExp(`^${Number(minted.toBigInt()) / 1e12} AIT$`));
    // The picture itself is a decoded 256×256 PNG.
    const size = await page.locator('[data-testid=verified-image] img').evaluate((img) => [img.naturalWidth, img.naturalHeight]);
    assert.deepEqual(size, [256, 256]);
    // Download: the file is the verified image.
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid=verified-image] a[download]').click()]);
    const bytes = readFileSync(await download.path());
    assert.equal(createHash('sha256').update(bytes).digest('hex'), sha);
    assert.equal(download.suggestedFilename(), `job-${jobId}.png`);
    await shot('generate');
  });

  test('a shard of two images shows both, each checked against the receipt\'s manifest', async () => {
    assert.ok(SHARD_JOB, 'AITBC_SHARD_JOB names a finalized shard of two images');
    // From one job's page straight to another's: nothing of the first may stay on screen.
    await go(`#/job/${jobId}`);
    await page.getByTestId('verified-image').waitFor();
    await go(`#/job/${SHARD_JOB}`);
    await page.locator('[data-testid=job-view][data-state=Finalized]').waitFor();
    const figures = page.getByTestId('verified-image');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=verified-image]').length === 2, null, { timeout: 30_000 });
    const hashes = [];
    for (let i = 0; i < 2; i++) {
      const [download] = await Promise.all([page.waitForEvent('download'), figures.nth(i).locator('a[download]').click()]);
      assert.equal(download.suggestedFilename(), `job-${SHARD_JOB}-${i}.png`);
      hashes.push(createHash('sha256').update(readFileSync(await download.path())).digest());
    }
    assert.notDeepEqual(hashes[0], hashes[1], 'two seeds, two images');
    // The receipt names the manifest: the two images' SHA-256s, concatenated in seed order.
    const manifest = createHash('sha256').update(Buffer.concat(hashes)).digest('hex');
    assert.equal((await page.getByTestId('receipt-sha256').textContent()).trim(), manifest);
    await shot('shard');
  });

  test('the explorer finds the job, the block of its receipt and its client', async () => {
    await page.getByRole('link', { name: 'Explorer', exact: true }).click();
    await page.locator('input[name=search]').fill(String(jobId));
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByTestId('search-hits').waitFor();
    assert.match(await page.getByTestId('search-hits').textContent(), new RegExp(`Block #${jobId}`));
    await page.getByRole('link', { name: `Job ${jobId}` }).click();
    await page.locator('[data-testid=job-view][data-state=Finalized]').waitFor();
    await page.getByTestId('verified-image').waitFor();

    const accepted = receipt.acceptedAt.toNumber();
    await page.getByRole('link', { name: 'Explorer', exact: true }).click();
    await page.locator('input[name=search]').fill(String(accepted));
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    // A number that is a block and a job lists both; a block alone opens it.
    if ((await api.query.jobs.jobs(accepted)).isSome) await page.getByRole('link', { name: `Block #${accepted}` }).click();
    await page.waitForFunction((n) => document.querySelector('[data-testid=block-title]')?.textContent === `Block #${n}`, accepted);
    const calls = await page.locator('[data-testid=block-extrinsics] tbody').textContent();
    assert.match(calls, /receipts\.submitReceipt/);
    assert.match(await page.locator('[data-testid=block-events] tbody').textContent(), /receipts\.ReceiptAccepted|jobs\.JobReceipted/);
    await shot('block');

    // A hash search lands on the same block; a nonsense search says what it expected.
    const hash = (await api.rpc.chain.getBlockHash(accepted)).toHex();
    await page.getByRole('link', { name: 'Explorer', exact: true }).click();
    await page.locator('input[name=search]').fill(hash);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.waitForFunction((n) => document.querySelector('[data-testid=block-title]')?.textContent === `Block #${n}`, accepted);
    await page.getByRole('link', { name: 'Explorer', exact: true }).click();
    await page.locator('input[name=search]').fill('not-a-thing');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByText(/is not a block number, block hash .*, account address or job id/).waitFor();

    await go(`#/account/${charlie.address}`);
    await page.locator(`[data-testid=account-jobs] a[href="#/job/${jobId}"]`).waitFor();
    await shot('account');
  });

  test('the providers table and a provider page show the served job', async () => {
    await page.getByRole('link', { name: 'Providers', exact: true }).click();
    const row = page.locator(`[data-testid=providers] tr[data-provider="${receipt.providerAddress}"]`);
    await row.waitFor();
    assert.match(await row.textContent(), /live/);
    assert.equal(await page.locator('[data-testid=providers] tbody tr').count(), providers.length);
    const reputation = await api.call.computeApi.reputation(receipt.providerAddress);
    assert.ok(reputation.completed.toNumber() >= 1);
    assert.match(await row.textContent(), new RegExp(`${reputation.completed.toNumber()}`));
    // Sortable: a click on a column sorts by it.
    await page.getByRole('button', { name: /Price \/ unit/ }).click();
    assert.equal(await page.locator('th[aria-sort=descending]').textContent(), 'Price / unit ▾');
    await shot('providers');
    await row.locator('a').first().click();
    await page.locator(`[data-testid=provider-receipts] a[href="#/job/${jobId}"]`).waitFor();
    assert.match(await page.getByTestId('reputation').textContent(), new RegExp(`${reputation.completed.toNumber()} completed`));
    await shot('provider');
  });

  test('transfers: signed in the wallet, refused by the user, invalid, and failing on chain', async () => {
    // The provider that served was minted AIT; it sends some to Dave.
    const sender = providers.find((p) => p.address === receipt.providerAddress);
    assert.ok(sender, 'the provider that served is one of the test wallet\'s accounts');
    const daveBefore = await free(dave.address);
    await page.getByRole('link', { name: 'Wallet', exact: true }).click();
    await page.locator(`tr[data-address="${sender.address}"] input[type=radio]`).check();
    await page.locator('input[name=to]').fill(dave.address);
    await page.locator('input[name=amount]').fill('0.001');
    await page.getByTestId('transfer').click();
    await page.getByText(/Included in block/).waitFor({ timeout: 30_000 });
    assert.equal(await free(dave.address), daveBefore + AIT / 1000n);
    await shot('transfer');

    // The user cancels in the wallet: said so, nothing sent.
    control.reject = true;
    await page.getByTestId('transfer').click();
    await page.locator('[data-testid=tx-status][data-kind=rejected]').waitFor();
    assert.match(await page.getByTestId('tx-status').textContent(), /The wallet did not sign: .*Cancelled by the user/);
    assert.equal(await free(dave.address), daveBefore + AIT / 1000n);

    // More than the sender has: the chain's own error name.
    await page.locator('input[name=amount]').fill('1000000');
    await page.getByTestId('transfer').click();
    await page.locator('[data-testid=tx-status][data-kind=dispatch]').waitFor({ timeout: 30_000 });
    // (FRAME's balances names it Arithmetic.Underflow: the sender's balance would go below zero.)
    assert.match(await page.getByTestId('tx-status').textContent(), /The transaction failed: (Arithmetic\.Underflow|Token\.FundsUnavailable|balances\.InsufficientBalance)/);

    // Charlie holds no AIT: the node refuses the transaction before it reaches a block.
    await page.locator(`tr[data-address="${charlie.address}"] input[type=radio]`).check();
    await page.locator('input[name=amount]').fill('0.001');
    await page.getByTestId('transfer').click();
    await page.locator('[data-testid=tx-status][data-kind=invalid]').waitFor({ timeout: 30_000 });
    assert.match(await page.getByTestId('tx-status').textContent(), /The node refused the transaction: .*Invalid Transaction/);
    assert.equal(await free(dave.address), daveBefore + AIT / 1000n);

    // Bad input never reaches the wallet.
    const signed = control.signed;
    await page.locator('input[name=to]').fill('not-an-address');
    await page.getByTestId('transfer').click();
    await page.getByText('"not-an-address" is not an account address.').waitFor();
    assert.equal(control.signed, signed);

    await go(`#/account/${dave.address}`);
    const shown = `${formatAit(await free(dave.address))}`;
    await page.waitForFunction((text) => document.querySelector('[data-testid=account-free]')?.textContent === text, shown);
  });

  test('market: two accounts trade, a partial fill shows, a cancel frees the held funds', async () => {
    // The provider that served sells AIT it was minted; Dave (test tUSD, and AIT for fees from
    // tests/tests/web.rs) buys part of it.
    const seller = providers.find((p) => p.address === receipt.providerAddress);
    const reserved = async (address) => (await api.query.system.account(address)).data.reserved.toBigInt();
    const usd = async (address) => {
      const account = await api.query.assets.account(1, address);
      return account.isSome ? account.unwrap().balance.toBigInt() : 0n;
    };
    const select = async (pair) => {
      await page.getByRole('link', { name: 'Wallet', exact: true }).click();
      await page.locator(`tr[data-address="${pair.address}"] input[type=radio]`).check();
      await page.getByRole('link', { name: 'Market', exact: true }).click();
      await page.getByTestId('market-title').waitFor();
    };
    const heldBefore = await reserved(seller.address);
    await select(seller);
    assert.equal(await page.getByTestId('market-title').textContent(), 'AIT / tUSD');
    await page.getByTestId('side-sell').click();
    await page.locator('input[name=amount]').fill('0.003');
    await page.locator('input[name=price]').fill('0.5');
    await page.getByTestId('place-order').click();
    await page.getByTestId('placed').waitFor({ timeout: 30_000 });
    assert.match(await page.getByTestId('placed').textContent(), /: 0 AIT traded at once, 0\.003 AIT resting/);
    assert.equal(await reserved(seller.address), heldBefore + 3n * AIT / 1000n);
    await page.locator('[data-testid=book] tr[data-side=ask][data-price="0.5"]').waitFor({ timeout: 15_000 });

    // Bad input is named and never reaches the wallet.
    const signed = control.signed;
    await page.locator('input[name=amount]').fill('0.0015');
    await page.getByTestId('place-order').click();
    await page.getByText('0.0015 AIT is not a whole number of lots').waitFor();
    await page.locator('input[name=amount]').fill('0.001');
    await page.locator('input[name=price]').fill('0.0005');
    await page.getByTestId('place-order').click();
    await page.getByText(/is not a valid price: prices go in steps of 0\.001 tUSD per AIT/).waitFor();
    assert.equal(control.signed, signed);

    // Dave buys 0.001 AIT at up to 0.5: it trades at once with the ask.
    const daveUsd = await usd(dave.address);
    await select(dave);
    await page.getByTestId('side-buy').click();
    await page.locator('input[name=amount]').fill('0.001');
    await page.locator('input[name=price]').fill('0.5');
    await page.getByTestId('place-order').click();
    await page.getByTestId('placed').waitFor({ timeout: 30_000 });
    assert.match(await page.getByTestId('placed').textContent(), /: 0\.001 AIT traded at once, 0 AIT resting/);
    assert.equal(await usd(dave.address), daveUsd - 500n);
    await page.locator('[data-testid=trades] tbody tr').first().waitFor({ timeout: 15_000 });
    await shot('market');

    // The seller sees its ask partly filled: 0.002 of 0.003 AIT open, 0.0005 tUSD received.
    await select(seller);
    await page.waitForFunction(() => document.querySelector('[data-testid=order-open]')?.textContent === '0.002', null, { timeout: 15_000 });
    assert.equal(await page.getByTestId('quote-free').textContent(), '0.0005');
    assert.equal(await page.getByTestId('ait-held').textContent(), formatAit(heldBefore + 2n * AIT / 1000n).replace(' AIT', ''));

    // Cancelling frees the held AIT.
    await page.getByTestId('cancel-order').click();
    await page.getByTestId('cancel-status').getByText(/Included in block/).waitFor({ timeout: 30_000 });
    assert.equal(await reserved(seller.address), heldBefore);
    await page.waitForFunction(() => document.querySelector('[data-testid=my-orders]')?.textContent?.includes('No resting orders'), null, { timeout: 15_000 });
    assert.equal(await page.getByTestId('ait-held').textContent(), formatAit(heldBefore).replace(' AIT', ''));
    await shot('market-cancelled');
  });

  test('a tampered artifact is refused and not shown', async () => {
    const sha = receipt.receipt.artifactSha256.toHex().slice(2);
    await page.route('**/v1/artifacts/**', async (route) => {
      const original = await route.fetch();
      const body = Buffer.from(await original.body());
      body[body.length - 20] ^= 0xff;
      await route.fulfill({ status: 200, body, headers: { 'content-type': 'image/png', 'access-control-allow-origin': '*' } });
    });
    await go('#/');
    await go(`#/job/${jobId}`);
    await page.getByTestId('image-error').waitFor({ timeout: 30_000 });
    const message = await page.getByTestId('image-error').textContent();
    assert.match(message, /not the image that was paid for/);
    assert.match(message, new RegExp(sha.slice(0, 16)));
    assert.equal(await page.getByTestId('verified-image').count(), 0);
    await shot('tampered-artifact');
    await page.unroute('**/v1/artifacts/**');
  });

  test('every page fits a phone screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const [hash, ready, name] of [
      ['#/', '[data-testid=recent-blocks] tbody tr', 'phone-explorer'],
      [`#/job/${jobId}`, '[data-testid=verified-image]', 'phone-job'],
      ['#/generate', '[data-testid=feasibility]', 'phone-generate'],
      ['#/providers', '[data-testid=providers] tbody tr', 'phone-providers'],
      ['#/wallet', '[data-testid=accounts] tbody tr', 'phone-wallet'],
      ['#/market', '[data-testid=book]', 'phone-market'],
    ]) {
      await go('#/blank');
      await go(hash);
      await page.locator(ready).first().waitFor({ timeout: 30_000 });
      const [scroll, width] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
      assert.ok(scroll <= width, `${hash}: the page is ${scroll}px wide on a ${width}px screen`);
      await shot(name);
    }
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  test('a wrong node URL is named, and the right one reconnects', async () => {
    const mark = errors.length;
    const field = page.getByLabel('Node WebSocket URL');
    await field.fill('ws://127.0.0.1:1');
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await page.getByText('Cannot connect to ws://127.0.0.1:1: no node answers there').waitFor({ timeout: 20_000 });
    assert.equal(await page.getByTestId('node-status').textContent(), 'not connected');
    await shot('wrong-node-url');
    await field.fill('http://127.0.0.1:9944');
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await page.getByText('"http://127.0.0.1:9944" is not a node URL').waitFor();
    await field.fill(WS);
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await go('#/');
    await page.waitForFunction(() => /^\d+$/.test(document.querySelector('[data-testid=best-block]')?.textContent ?? ''));
    // The browser itself reports the refused WebSocket; those are the only errors allowed here.
    const flowErrors = errors.splice(mark);
    const unexpected = flowErrors.filter((e) => !/ws:\/\/127\.0\.0\.1:1\/?'? failed|ERR_CONNECTION_REFUSED/.test(e));
    assert.deepEqual(unexpected, []);
  });

  test('no console errors in any flow', () => {
    assert.deepEqual(errors, []);
  });
});
