// Test harness for the web app in a real browser: Debian's Chromium driven by playwright-core,
// with a test wallet extension injected into the page. The extension's accounts are real sr25519
// keys held by this (Node.js) process: the page gets addresses and signatures, never a secret,
// exactly as with the polkadot{.js} extension.
import { mkdirSync, existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { ApiPromise, WsProvider } from '@polkadot/api';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** Launches headless Chromium the way this machine needs it (closed network, root user). */
export async function launchBrowser(profileDir) {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: scripts/setup.sh installs Debian's chromium`);
  mkdirSync(profileDir, { recursive: true });
  return chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A wallet extension in the page (`window.injectedWeb3['aitbc-test']`) whose signer calls back
 * into this process. `control.reject` makes the next signature request fail as a user's "Cancel". */
export async function injectTestWallet(context, api, pairs) {
  const control = { reject: false, signed: 0 };
  const byAddress = new Map(pairs.map(({ pair }) => [pair.address, pair]));
  await context.exposeBinding('__aitbcTestSign', async (_source, payload) => {
    if (control.reject) {
      control.reject = false;
      throw new Error('Cancelled by the user');
    }
    const pair = byAddress.get(payload.address);
    if (!pair) throw new Error(`the test wallet holds no key for ${payload.address}`);
    const extrinsicPayload = api.registry.createType('ExtrinsicPayload', payload, { version: payload.version });
    const { signature } = extrinsicPayload.sign(pair);
    control.signed += 1;
    return { id: control.signed, signature };
  });
  const accounts = pairs.map(({ name, pair }) => ({ address: pair.address, name, type: 'sr25519' }));
  await context.addInitScript((accounts) => {
    window.injectedWeb3 = {
      'aitbc-test': {
        version: '1.0.0',
        enable: async () => ({
          accounts: {
            get: async () => accounts,
            subscribe: (callback) => {
              callback(accounts);
              return () => undefined;
            },
          },
          signer: { signPayload: (payload) => window.__aitbcTestSign(payload) },
        }),
      },
    };
  }, accounts);
  return control;
}

export async function connectApi(url) {
  return ApiPromise.create({ provider: new WsProvider(url), noInitWarn: true, throwOnConnect: true });
}

/** Console errors and uncaught exceptions of a page, so a flow can assert there were none. */
export function recordErrors(page) {
  const errors = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
  return errors;
}

export async function waitUntil(what, check, timeoutMs = 60_000, everyMs = 500) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
