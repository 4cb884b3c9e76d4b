// Wallet: accounts from the browser extension, their AIT balances, and transfers signed in the
// extension.
import { useState } from 'preact/hooks';
import { decodeAddress } from '@polkadot/util-crypto';
import { useStore } from '../store';
import { connectWallet, selectAccount, wallet } from '../wallet';
import { signAndSend, TxError, type TxProgress } from '../tx';
import { AccountLink, Ait, BlockLink, ErrorBox, Field, Table, useChain, useSubscription, watch } from '../ui';
import { errorMessage, formatAit, parseAmount } from '../format';

export function TxStatus({ progress }: { progress: TxProgress }) {
  switch (progress.phase) {
    case 'signing':
      return (
        <p data-testid="tx-status" role="status">
          Waiting for your signature in the wallet…
        </p>
      );
    case 'submitted':
      return (
        <p data-testid="tx-status" role="status">
          Sent; waiting for a block…
        </p>
      );
    case 'in-block':
      return (
        <p data-testid="tx-status" class="ok" role="status">
          Included in block <BlockLink block={progress.block} />.
        </p>
      );
    case 'failed':
      return (
        <div data-testid="tx-status" data-kind={progress.kind}>
          <ErrorBox error={progress.error} />
        </div>
      );
  }
}

function Balance({ address }: { address: string }) {
  const { api } = useChain();
  const [free, setFree] = useState<bigint | null>(null);
  useSubscription(() => watch(api.query.system.account, [address], (info) => setFree(info.data.free.toBigInt())), [api, address]);
  return free === null ? <span class="muted">…</span> : <Ait value={free} />;
}

export function WalletPage() {
  const state = useStore(wallet);
  return (
    <section>
      <h1>Wallet</h1>
      <p class="muted">Keys stay in your browser extension: this page asks it for addresses and signatures, never for secrets.</p>
      {state.status !== 'connected' && (
        <button type="button" class="primary" onClick={connectWallet} disabled={state.status === 'connecting'} data-testid="connect-wallet">
          {state.status === 'connecting' ? 'Waiting for the extension…' : 'Connect wallet'}
        </button>
      )}
      {state.status === 'failed' && <ErrorBox error={state.error} />}
      {state.status === 'connected' && (
        <>
          <p>Connected through {state.extensions.join(', ')}.</p>
          <Table
            testid="accounts"
            columns={['', 'Account', 'Name', 'Balance']}
          >
            {state.accounts.map((a) => (
              <tr key={a.address} data-address={a.address}>
                <td>
                  <input type="radio" name="account" checked={a.address === state.selected} onChange={() => selectAccount(a.address)} aria-label={`use ${a.meta.name ?? a.address}`} />
                </td>
                <td>
                  <AccountLink address={a.address} />
                </td>
                <td>{a.meta.name ?? '—'}</td>
                <td>
                  <Balance address={a.address} />
                </td>
              </tr>
            ))}
          </Table>
          {state.selected && <Transfer from={state.selected} />}
        </>
      )}
    </section>
  );
}

function Transfer({ from }: { from: string }) {
  const { api, info } = useChain();
  const [to, setTo] = useState('');
  const [amount, setAmount] = useState('');
  const [progress, setProgress] = useState<TxProgress | null>(null);
  const [error, setError] = useState<string | null>(null);
  const busy = progress?.phase === 'signing' || progress?.phase === 'submitted';
  const send = async () => {
    setError(null);
    setProgress(null);
    let value: bigint;
    let valid = false;
    try {
      valid = decodeAddress(to.trim()).length === 32;
    } catch {
      valid = false;
    }
    if (!valid) {
      setError(`"${to}" is not an account address.`);
      return;
    }
    try {
      value = parseAmount(amount, info.decimals);
      if (value === 0n) throw new Error('Send more than 0.');
    } catch (e) {
      setError(errorMessage(e));
      return;
    }
    try {
      await signAndSend(api, api.tx.balances.transferKeepAlive(to.trim(), value), from, setProgress);
    } catch (error) {
      // signAndSend reports its own failures; anything else is said here.
      if (!(error instanceof TxError)) setProgress({ phase: 'failed', error: errorMessage(error), kind: 'other' });
    }
  };
  const existential = (api.consts.balances.existentialDeposit as unknown as { toBigInt(): bigint }).toBigInt();
  return (
    <form
      class="grid transfer"
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      <h2>Transfer from the selected account</h2>
      <Field label="To">
        <input name="to" value={to} onInput={(e) => setTo(e.currentTarget.value)} spellcheck={false} />
      </Field>
      <Field label={`Amount (${info.token})`} hint={`the sender keeps at least ${formatAit(existential, info.decimals, info.token)}`}>
        <input name="amount" value={amount} onInput={(e) => setAmount(e.currentTarget.value)} />
      </Field>
      <button type="submit" class="primary" disabled={busy} data-testid="transfer">
        Sign and send
      </button>
      {error && <ErrorBox error={error} />}
      {progress && <TxStatus progress={progress} />}
    </form>
  );
}
