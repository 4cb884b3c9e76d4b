// The explorer's front page: the newest blocks as they are authored, the finalized head, and a
// search by block number or hash, account or job id.
import { useState } from 'preact/hooks';
import { decodeAddress } from '@polkadot/util-crypto';
import type { ApiPromise, WsProvider } from '@polkadot/api';
import { compactFromU8a, hexToU8a } from '@polkadot/util';
import { BlockLink, ErrorBox, Hash, Link, Table, useChain, useSubscription } from '../ui';
import { errorMessage } from '../format';
import { getBlockHash, getJob } from '../queries';

/** How many recent blocks the page keeps: a fixed bound, so a page left open does not grow. */
const RECENT_BLOCKS = 20;

interface BlockRow {
  number: number;
  hash: string;
  extrinsics: number;
  events: number;
  author?: string;
}

/** Counts a block's extrinsics and events from the raw JSON-RPC answers. Going through
 * `api.rpc`/`api.query` with a block hash would make polkadot.js remember a registry lookup for
 * every hash, for good: a page left open would grow by every block it saw. */
async function countBlock(provider: WsProvider, eventsKey: string, hash: string): Promise<[number, number]> {
  const [block, events] = await Promise.all([
    provider.send<{ block: { extrinsics: string[] } }>('chain_getBlock', [hash]),
    provider.send<string | null>('state_getStorage', [eventsKey, hash]),
  ]);
  const eventCount = events ? compactFromU8a(hexToU8a(events))[1].toNumber() : 0;
  return [block.block.extrinsics.length, eventCount];
}

export function Explorer() {
  const { api, provider } = useChain();
  const [blocks, setBlocks] = useState<BlockRow[]>([]);
  const [finalized, setFinalized] = useState<number | null>(null);
  useSubscription(() => {
    const eventsKey = api.query.system.events.key();
    return api.rpc.chain.subscribeNewHeads(async (header) => {
        const hash = header.hash.toHex();
        const number = header.number.toNumber();
        try {
          const [extrinsics, events] = await countBlock(provider, eventsKey, hash);
          const row = { number, hash, extrinsics, events };
          setBlocks((previous) => [row, ...previous.filter((b) => b.number !== number)].sort((a, b) => b.number - a.number).slice(0, RECENT_BLOCKS));
        } catch (error) {
          console.warn(`block ${number}:`, error);
        }
      });
  }, [api, provider]);
  useSubscription(() => api.rpc.chain.subscribeFinalizedHeads((header) => setFinalized(header.number.toNumber())), [api]);
  const best = blocks[0]?.number;
  return (
    <section>
      <Search />
      <div class="stats">
        <div>
          <span class="label">Best block</span>
          <strong data-testid="best-block">{best ?? '…'}</strong>
        </div>
        <div>
          <span class="label">Finalized</span>
          <strong data-testid="finalized-block">{finalized ?? '…'}</strong>
        </div>
      </div>
      <h2>Recent blocks</h2>
      <Table
        testid="recent-blocks"
        columns={['Block', 'Hash', 'Extrinsics', 'Events', 'Finality']}
      >
        {blocks.map((b) => (
          <tr key={b.hash}>
            <td>
              <BlockLink block={b.number} />
            </td>
            <td>
              <Link to={`/block/${b.hash}`}>
                <Hash value={b.hash} />
              </Link>
            </td>
            <td>{b.extrinsics}</td>
            <td>{b.events}</td>
            <td>{finalized !== null && b.number <= finalized ? 'finalized' : 'best'}</td>
          </tr>
        ))}
      </Table>
    </section>
  );
}

interface Hit {
  to: string;
  label: string;
}

/** What `query` may be: a block number (and a job id), a block hash, an account. */
async function search(api: ApiPromise, query: string): Promise<Hit[]> {
  const q = query.trim();
  if (/^\d+$/.test(q)) {
    const n = Number(q);
    if (!Number.isSafeInteger(n) || n > 0xffff_ffff) throw new Error(`No block #${q} and no job ${q}: the number is beyond any this chain has.`);
    const hits: Hit[] = [];
    const [hash, job] = await Promise.all([getBlockHash(api, n), getJob(api, n)]);
    if (hash) hits.push({ to: `/block/${n}`, label: `Block #${n}` });
    if (job) hits.push({ to: `/job/${n}`, label: `Job ${n}` });
    if (hits.length === 0) throw new Error(`No block #${n} and no job ${n} on this chain yet.`);
    return hits;
  }
  if (/^0x[0-9a-fA-F]{64}$/.test(q)) {
    try {
      const header = await api.rpc.chain.getHeader(q);
      return [{ to: `/block/${q}`, label: `Block #${header.number.toNumber()}` }];
    } catch {
      throw new Error(`No block with hash ${q} on this node.`);
    }
  }
  try {
    decodeAddress(q);
  } catch {
    throw new Error(`"${q}" is not a block number, block hash (0x + 64 hex digits), account address or job id.`);
  }
  return [{ to: `/account/${q}`, label: `Account ${q}` }];
}

function Search() {
  const { api } = useChain();
  const [query, setQuery] = useState('');
  const [hits, setHits] = useState<Hit[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  return (
    <form
      class="search"
      onSubmit={async (e) => {
        e.preventDefault();
        setError(null);
        setHits(null);
        try {
          const found = await search(api, query);
          if (found.length === 1) location.hash = `#${found[0].to}`;
          else setHits(found);
        } catch (err) {
          setError(errorMessage(err));
        }
      }}
    >
      <input
        name="search"
        value={query}
        onInput={(e) => setQuery(e.currentTarget.value)}
        placeholder="Block number or hash, account, job id"
        aria-label="Search"
      />
      <button type="submit">Search</button>
      {error && <ErrorBox error={error} />}
      {hits && (
        <ul class="hits" data-testid="search-hits">
          {hits.map((h) => (
            <li key={h.to}>
              <Link to={h.to}>{h.label}</Link>
            </li>
          ))}
        </ul>
      )}
    </form>
  );
}
