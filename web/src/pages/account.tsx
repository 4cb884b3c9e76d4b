// An account: its balance, and what it did in the compute market: jobs it submitted, its offer
// and the receipts it submitted as a provider.
import { useState } from 'preact/hooks';
import type { ApiPromise } from '@polkadot/api';
import { decodeAddress, encodeAddress } from '@polkadot/util-crypto';
import { decodeJob, decodeReceipt, getOffer, type Job, type Receipt } from '../queries';
import { Ait, BlockLink, ErrorBox, JobLink, Link, Loading, Table, useAsync, useChain, useSubscription, watch } from '../ui';
import { formatUnits } from '../format';

/** How many of the account's newest jobs and receipts the page lists. */
const LISTED = 50;

async function loadActivity(api: ApiPromise, address: string) {
  // Jobs are keyed by id, not by client: the page reads them all. Fine for testnets; a
  // production explorer would read an indexer instead.
  const [jobEntries, receiptEntries, offer] = await Promise.all([
    api.query.jobs.jobs.entries(),
    api.query.receipts.receipts.entries(address),
    getOffer(api, address),
  ]);
  const jobs: Job[] = jobEntries
    .map(([key, value]: [any, any]) => decodeJob(key.args[0].toNumber(), value.unwrap()))
    .filter((job) => job.client === address)
    .sort((a, b) => b.id - a.id);
  const receipts: Receipt[] = receiptEntries
    .map(([key, value]: [any, any]) => decodeReceipt(key.args[1].toHex(), value.unwrap()))
    .sort((a, b) => b.jobId - a.jobId);
  return { jobs, receipts, offer };
}

export function AccountPage({ address }: { address: string }) {
  const { api } = useChain();
  let canonical: string;
  try {
    canonical = encodeAddress(decodeAddress(address), api.registry.chainSS58);
  } catch {
    return <ErrorBox error={`"${address}" is not an account address.`} />;
  }
  return <Account address={canonical} key={canonical} />;
}

function Account({ address }: { address: string }) {
  const { api } = useChain();
  const [balance, setBalance] = useState<{ free: bigint; reserved: bigint; frozen: bigint } | null>(null);
  useSubscription(
    () =>
      watch(api.query.system.account, [address], (info) =>
        setBalance({ free: info.data.free.toBigInt(), reserved: info.data.reserved.toBigInt(), frozen: info.data.frozen.toBigInt() }),
      ),
    [api, address],
  );
  const activity = useAsync(() => loadActivity(api, address), [api, address]);
  return (
    <section>
      <h1>Account</h1>
      <p class="mono break">{address}</p>
      <dl class="facts">
        <dt>Free</dt>
        <dd data-testid="account-free">{balance ? <Ait value={balance.free} /> : '…'}</dd>
        <dt>Held (reserved)</dt>
        <dd>{balance ? <Ait value={balance.reserved} /> : '…'}</dd>
        <dt>Frozen</dt>
        <dd>{balance ? <Ait value={balance.frozen} /> : '…'}</dd>
      </dl>
      {activity.state === 'loading' && <Loading what="the account's jobs and receipts" />}
      {activity.state === 'error' && <ErrorBox error={activity.error} />}
      {activity.state === 'ok' && (
        <>
          {activity.value.offer && (
            <p>
              A provider: <Link to={`/provider/${address}`}>its offer and reputation</Link>.
            </p>
          )}
          <h2>Jobs submitted ({activity.value.jobs.length})</h2>
          <Table
            testid="account-jobs"
            columns={['Job', 'State', 'Prompt', 'Units', 'Submitted']}
          >
            {activity.value.jobs.slice(0, LISTED).map((job) => (
              <tr key={job.id}>
                <td>
                  <JobLink id={job.id} />
                </td>
                <td>{job.state}</td>
                <td class="break">{job.prompt}</td>
                <td>{formatUnits(job.units)}</td>
                <td>
                  <BlockLink block={job.submittedAt} />
                </td>
              </tr>
            ))}
          </Table>
          <h2>Receipts as a provider ({activity.value.receipts.length})</h2>
          <Table
            testid="account-receipts"
            columns={['Job', 'Units', 'GPU ms', 'Accepted', 'Final at']}
          >
            {activity.value.receipts.slice(0, LISTED).map((r) => (
              <tr key={r.hash}>
                <td>
                  <JobLink id={r.jobId} />
                </td>
                <td>{formatUnits(r.units)}</td>
                <td>{r.gpuMs}</td>
                <td>
                  <BlockLink block={r.acceptedAt} />
                </td>
                <td>
                  <BlockLink block={r.finalAt} />
                </td>
              </tr>
            ))}
          </Table>
        </>
      )}
    </section>
  );
}
