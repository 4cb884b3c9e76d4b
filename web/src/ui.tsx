// Small pieces every page uses: the chain context, links, amounts, errors and async state.
/* eslint-disable @typescript-eslint/no-explicit-any */
import type { ComponentChildren } from 'preact';
import { createContext } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import type { ApiPromise, WsProvider } from '@polkadot/api';
import type { ChainInfo } from './chain';
import { errorMessage, formatAit, shortAddress, shortHash } from './format';

export interface Chain {
  api: ApiPromise;
  /** The raw JSON-RPC connection, for reads that need no decoding. */
  provider: WsProvider;
  info: ChainInfo;
}

export const ChainContext = createContext<Chain | null>(null);

export function useChain(): Chain {
  const chain = useContext(ChainContext);
  if (!chain) throw new Error('page rendered without a connected chain');
  return chain;
}

export function Link(props: { to: string; children: ComponentChildren; class?: string; current?: boolean }) {
  return (
    <a href={`#${props.to}`} class={props.class} aria-current={props.current ? 'page' : undefined}>
      {props.children}
    </a>
  );
}

export function AccountLink({ address, full }: { address: string; full?: boolean }) {
  return (
    <Link to={`/account/${address}`} class="mono">
      {full ? address : shortAddress(address)}
    </Link>
  );
}

export function BlockLink({ block }: { block: number | string }) {
  return <Link to={`/block/${block}`}>#{block}</Link>;
}

export function JobLink({ id }: { id: number | string }) {
  return <Link to={`/job/${id}`}>job {id}</Link>;
}

export function Hash({ value }: { value: string }) {
  return (
    <span class="mono" title={value}>
      {shortHash(value)}
    </span>
  );
}

export function Ait({ value }: { value: bigint }) {
  const { info } = useChain();
  return <span class="amount">{formatAit(value, info.decimals, info.token)}</span>;
}

export function ErrorBox({ error, title }: { error: unknown; title?: string }) {
  return (
    <div class="error" role="alert">
      {title && <strong>{title} </strong>}
      {errorMessage(error)}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return <p class="muted">Loading {what}…</p>;
}

export type Async<T> = { state: 'loading' } | { state: 'ok'; value: T } | { state: 'error'; error: unknown };

/** Runs `load` whenever `deps` change; the newest run wins. */
export function useAsync<T>(load: () => Promise<T>, deps: unknown[]): Async<T> {
  const [result, setResult] = useState<Async<T>>({ state: 'loading' });
  useEffect(() => {
    let live = true;
    setResult({ state: 'loading' });
    load().then(
      (value) => live && setResult({ state: 'ok', value }),
      (error) => live && setResult({ state: 'error', error }),
    );
    return () => {
      live = false;
    };
  }, deps);
  return result;
}

/** Starts a polkadot.js subscription (`start` resolves to its unsubscribe) for the life of the
 * component, and ends it even if the component is gone before it started. */
export function useSubscription(start: () => Promise<() => void>, deps: unknown[]): void {
  useEffect(() => {
    let unsubscribe: (() => void) | null = null;
    let live = true;
    start()
      .then((unsub) => {
        if (live) unsubscribe = unsub;
        else unsub();
      })
      .catch((error) => console.warn('subscription failed', error));
    return () => {
      live = false;
      unsubscribe?.();
    };
  }, deps);
}

export function Field(props: { label: string; hint?: ComponentChildren; children: ComponentChildren }) {
  return (
    <label class="field">
      <span class="label">{props.label}</span>
      {props.children}
      {props.hint && <span class="hint">{props.hint}</span>}
    </label>
  );
}

/** A table that scrolls sideways on narrow screens; `columns` names the header cells, or `head`
 * is the whole header row. */
export function Table(props: { columns?: string[]; head?: ComponentChildren; children: ComponentChildren; testid?: string }) {
  return (
    <div class="table-wrap">
      <table data-testid={props.testid}>
        <thead>
          {props.head ?? (
            <tr>
              {props.columns?.map((c) => (
                <th key={c}>{c}</th>
              ))}
            </tr>
          )}
        </thead>
        <tbody>{props.children}</tbody>
      </table>
    </div>
  );
}

/** Subscribes to a storage item: `watch(api.query.jobs.jobs, [7], cb)` (the typed overloads of
 * an unaugmented api cannot tell a callback from a key). */
export function watch(query: unknown, keys: unknown[], onValue: (value: any) => void): Promise<() => void> {
  return (query as (...args: unknown[]) => Promise<() => void>)(...keys, onValue);
}
