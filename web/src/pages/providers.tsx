// Providers: every offer with its terms, liveness and reputation, sortable; a provider's page
// with its recent receipts.
import { useState } from 'preact/hooks';
import type { ApiPromise } from '@polkadot/api';
import { getJob, getOffer, getOffers, getReceipt, getReceiptedJobs, getReputation, type Offer, type Reputation } from '../queries';
import { AccountLink, Ait, BlockLink, ErrorBox, JobLink, Link, Loading, Table, useAsync, useChain } from '../ui';
import { formatUnits, shortAddress } from '../format';

/** How many of a provider's newest receipts its page shows. */
const RECENT_RECEIPTS = 20;

type Row = Offer & { reputation: Reputation; status: 'live' | 'offline' | 'paused' };

function statusOf(offer: Offer): Row['status'] {
  return offer.paused ? 'paused' : offer.offline ? 'offline' : 'live';
}

async function loadRows(api: ApiPromise): Promise<Row[]> {
  const offers = await getOffers(api);
  return Promise.all(offers.map(async (offer) => ({ ...offer, reputation: await getReputation(api, offer.provider), status: statusOf(offer) })));
}

type Column = { key: string; label: string; value: (r: Row) => number | bigint | string };

const COLUMNS: Column[] = [
  { key: 'provider', label: 'Provider', value: (r) => r.provider },
  { key: 'models', label: 'Models', value: (r) => r.models.join(',') },
  { key: 'price', label: 'Price / unit', value: (r) => r.pricePerUnit },
  { key: 'gpu', label: 'GPU', value: (r) => r.gpuName },
  { key: 'memory', label: 'GPU MiB', value: (r) => r.gpuMemoryMib },
  { key: 'capacity', label: 'Busy / slots', value: (r) => r.capacity },
  { key: 'status', label: 'Status', value: (r) => r.status },
  { key: 'completed', label: 'Completed', value: (r) => r.reputation.completed },
  { key: 'expired', label: 'Expired', value: (r) => r.reputation.expired },
  { key: 'passed', label: 'Audits passed', value: (r) => r.reputation.passedChecks },
  { key: 'failed', label: 'Audits failed', value: (r) => r.reputation.failedChecks },
  { key: 'gpuMs', label: 'Median GPU ms', value: (r) => r.reputation.medianGpuMs ?? -1 },
];

export function Providers() {
  const { api } = useChain();
  const rows = useAsync(() => loadRows(api), [api]);
  const [sort, setSort] = useState<{ key: string; descending: boolean }>({ key: 'completed', descending: true });
  if (rows.state === 'loading') return <Loading what="offers" />;
  if (rows.state === 'error') return <ErrorBox error={rows.error} />;
  const column = COLUMNS.find((c) => c.key === sort.key) ?? COLUMNS[0];
  const sorted = [...rows.value].sort((a, b) => {
    const x = column.value(a);
    const y = column.value(b);
    const order = x < y ? -1 : x > y ? 1 : 0;
    return sort.descending ? -order : order;
  });
  return (
    <section>
      <h1>Providers</h1>
      {sorted.length === 0 && <p class="muted">No provider has an offer on this chain yet.</p>}
      <Table
        testid="providers"
        head={
          <tr>
            {COLUMNS.map((c) => (
              <th key={c.key} aria-sort={sort.key === c.key ? (sort.descending ? 'descending' : 'ascending') : 'none'}>
                <button type="button" class="sort" onClick={() => setSort({ key: c.key, descending: sort.key === c.key ? !sort.descending : true })}>
                  {c.label}
                  {sort.key === c.key ? (sort.descending ? ' ▾' : ' ▴') : ''}
                </button>
              </th>
            ))}
          </tr>
        }
      >
        {sorted.map((r) => (
          <tr key={r.provider} data-provider={r.provider}>
            <td>
              <Link to={`/provider/${r.provider}`} class="mono">
                {shortAddress(r.provider)}
              </Link>
            </td>
            <td>{r.models.join(', ')}</td>
            <td>
              <Ait value={r.pricePerUnit} />
            </td>
            <td>{r.gpuName}</td>
            <td>{r.gpuMemoryMib}</td>
            <td>
              {r.inFlight} / {r.capacity}
            </td>
            <td class={r.status === 'live' ? 'ok' : 'bad'}>{r.status}</td>
            <td>{r.reputation.completed}</td>
            <td>{r.reputation.expired}</td>
            <td>{r.reputation.passedChecks}</td>
            <td>{r.reputation.failedChecks}</td>
            <td>{r.reputation.medianGpuMs ?? '—'}</td>
          </tr>
        ))}
      </Table>
    </section>
  );
}

async function loadProvider(api: ApiPromise, address: string) {
  const [offer, reputation, jobs] = await Promise.all([getOffer(api, address), getReputation(api, address), getReceiptedJobs(api, address)]);
  const newest = jobs.slice(-RECENT_RECEIPTS).reverse();
  const receipts = await Promise.all(
    newest.map(async (id) => {
      const job = await getJob(api, id);
      const receipt = job?.provider === address && job.receiptHash ? await getReceipt(api, address, job.receiptHash) : null;
      return { id, job, receipt };
    }),
  );
  return { offer, reputation, total: jobs.length, receipts };
}

export function ProviderPage({ address }: { address: string }) {
  const { api } = useChain();
  const loaded = useAsync(() => loadProvider(api, address), [api, address]);
  if (loaded.state === 'loading') return <Loading what={`provider ${address}`} />;
  if (loaded.state === 'error') return <ErrorBox error={loaded.error} />;
  const { offer, reputation, total, receipts } = loaded.value;
  return (
    <section>
      <h1>Provider</h1>
      <p>
        <AccountLink address={address} full />
      </p>
      {offer ? (
        <dl class="facts" data-testid="offer">
          <dt>Status</dt>
          <dd>{statusOf(offer)}</dd>
          <dt>Models</dt>
          <dd>{offer.models.join(', ')}</dd>
          <dt>Price per unit</dt>
          <dd>
            <Ait value={offer.pricePerUnit} />
          </dd>
          <dt>GPU</dt>
          <dd>
            {offer.gpuName}, {offer.gpuMemoryMib} MiB
          </dd>
          <dt>Slots</dt>
          <dd>
            {offer.inFlight} busy of {offer.capacity}; images up to {offer.maxPixels} pixels
          </dd>
          <dt>Endpoint</dt>
          <dd class="mono break">{offer.endpoint}</dd>
          <dt>Last seen</dt>
          <dd>
            <BlockLink block={offer.lastSeen} />
          </dd>
        </dl>
      ) : (
        <p class="muted">No offer: this account does not provide compute now.</p>
      )}
      <p data-testid="reputation">
        {reputation.completed} completed, {reputation.expired} expired, {reputation.cancelledAfterAssign} cancelled after assignment; audits {reputation.passedChecks} passed,{' '}
        {reputation.failedChecks} failed; median GPU time {reputation.medianGpuMs === null ? '—' : `${reputation.medianGpuMs} ms`}.
      </p>
      <h2>
        Recent receipts ({Math.min(total, RECENT_RECEIPTS)} of {total})
      </h2>
      <Table
        testid="provider-receipts"
        columns={['Job', 'State', 'Units', 'GPU ms', 'Accepted', 'Minted']}
      >
        {receipts.map(({ id, job, receipt }) => (
          <tr key={id}>
            <td>
              <JobLink id={id} />
            </td>
            <td>{job?.state ?? 'gone'}</td>
            <td>{receipt ? formatUnits(receipt.units) : '—'}</td>
            <td>{receipt?.gpuMs ?? '—'}</td>
            <td>{receipt ? <BlockLink block={receipt.acceptedAt} /> : '—'}</td>
            <td>{job?.minted != null ? <Ait value={job.minted} /> : '—'}</td>
          </tr>
        ))}
      </Table>
    </section>
  );
}
