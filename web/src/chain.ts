// The connection to a node: one ApiPromise at a time, opened from the URL field (or `?rpc=`),
// with errors that say what to check when it cannot be opened or is lost.
import { ApiPromise, WsProvider } from '@polkadot/api';
import { Store } from './store';
import { errorMessage } from './format';

export const DEFAULT_RPC = 'ws://127.0.0.1:9944';
const RPC_KEY = 'aitbc.rpc';
const CONNECT_TIMEOUT_MS = 10_000;

export interface ChainInfo {
  name: string;
  token: string;
  decimals: number;
  genesisHash: string;
  specVersion: number;
}

export type Connection =
  | { state: 'connecting'; url: string }
  | { state: 'ready'; url: string; api: ApiPromise; provider: WsProvider; info: ChainInfo }
  | { state: 'failed'; url: string; error: string }
  | { state: 'lost'; url: string; error: string };

/** `?rpc=` wins (links from `aitbc web`), then the last URL that connected, then the default. */
export function initialUrl(): string {
  const fromQuery = new URLSearchParams(location.search).get('rpc');
  if (fromQuery) return fromQuery;
  try {
    return localStorage.getItem(RPC_KEY) || DEFAULT_RPC;
  } catch {
    return DEFAULT_RPC;
  }
}

export const connection = new Store<Connection>({ state: 'connecting', url: initialUrl() });

let attempt = 0;
let current: ApiPromise | null = null;

/** Opens `url`, replacing any current connection; the outcome lands in `connection`. */
export async function connect(url: string): Promise<void> {
  const mine = ++attempt;
  const previous = current;
  current = null;
  if (previous) previous.disconnect().catch(() => undefined);
  connection.set({ state: 'connecting', url });
  try {
    const { api, provider } = await openApi(url.trim());
    if (mine !== attempt) {
      await api.disconnect();
      return;
    }
    current = api;
    try {
      localStorage.setItem(RPC_KEY, url.trim());
    } catch {
      // Storage may be off (private windows): the URL just is not remembered.
    }
    api.on('disconnected', () => {
      if (current === api) {
        connection.set({
          state: 'lost',
          url,
          error: `The connection to ${url} closed: the node stopped or the network failed. Reconnect when it is back.`,
        });
      }
    });
    const [name, version] = await Promise.all([api.rpc.system.chain(), api.rpc.state.getRuntimeVersion()]).catch(async (error) => {
      current = null;
      await api.disconnect().catch(() => undefined);
      throw error;
    });
    const info: ChainInfo = {
      name: name.toString(),
      token: api.registry.chainTokens[0] ?? 'AIT',
      decimals: api.registry.chainDecimals[0] ?? 12,
      genesisHash: api.genesisHash.toHex(),
      specVersion: version.specVersion.toNumber(),
    };
    if (mine === attempt) connection.set({ state: 'ready', url, api, provider, info });
  } catch (error) {
    if (mine === attempt) connection.set({ state: 'failed', url, error: errorMessage(error) });
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(message)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

async function openApi(url: string): Promise<{ api: ApiPromise; provider: WsProvider }> {
  if (!/^wss?:\/\/\S+$/.test(url)) {
    throw new Error(`"${url}" is not a node URL: it must start with ws:// or wss://, e.g. ${DEFAULT_RPC}`);
  }
  // No automatic reconnection: a wrong URL fails once, with a message, instead of retrying in
  // the background.
  const provider = new WsProvider(url, false);
  const opened = new Promise<void>((resolve, reject) => {
    provider.on('connected', () => resolve());
    provider.on('error', () =>
      reject(new Error(`Cannot connect to ${url}: no node answers there. Is aitbc-node running with its RPC on that port?`)),
    );
    provider.on('disconnected', () => reject(new Error(`${url} closed the connection before it was ready.`)));
  });
  try {
    await provider.connect();
    await withTimeout(opened, CONNECT_TIMEOUT_MS, `No answer from ${url} within ${CONNECT_TIMEOUT_MS / 1000} s.`);
  } catch (error) {
    provider.disconnect().catch(() => undefined);
    throw error;
  }
  const api = await withTimeout(
    ApiPromise.create({ provider, noInitWarn: true, throwOnConnect: true }),
    CONNECT_TIMEOUT_MS,
    `${url} answered but did not describe its chain within ${CONNECT_TIMEOUT_MS / 1000} s.`,
  ).catch((error) => {
    provider.disconnect().catch(() => undefined);
    throw error;
  });
  if (!api.tx.jobs || !api.query.marketplace || !api.query.receipts || !api.query.audits) {
    await api.disconnect();
    throw new Error(`${url} is a Substrate node, but not an AITBC chain (it has no Jobs, Marketplace, Receipts or Audits pallet).`);
  }
  return { api, provider };
}
