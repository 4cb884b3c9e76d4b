// A block: its header, its extrinsics with their outcome, and its events.
import type { ApiPromise } from '@polkadot/api';
import type { EventRecord } from '@polkadot/types/interfaces';
import { AccountLink, BlockLink, ErrorBox, Hash, Loading, Table, useAsync, useChain } from '../ui';
import { describeDispatchError } from '../tx';
import { getBlockHash } from '../queries';

async function loadBlock(api: ApiPromise, id: string) {
  let hash: string;
  if (/^\d+$/.test(id)) {
    if (Number(id) > 0xffff_ffff) throw new Error(`No block #${id}: block numbers stop at 4294967295.`);
    const found = await getBlockHash(api, Number(id));
    if (!found) throw new Error(`No block #${id} on this chain yet.`);
    hash = found;
  } else if (/^0x[0-9a-fA-F]{64}$/.test(id)) {
    hash = id;
  } else {
    throw new Error(`"${id}" is neither a block number nor a block hash.`);
  }
  let block;
  try {
    block = await api.rpc.chain.getBlock(hash);
  } catch {
    throw new Error(`No block with hash ${hash} on this node.`);
  }
  const [events, finalizedHash] = await Promise.all([api.query.system.events.at(hash), api.rpc.chain.getFinalizedHead()]);
  const finalized = await api.rpc.chain.getHeader(finalizedHash);
  return { hash, block: block.block, events: events as unknown as EventRecord[], finalizedNumber: finalized.number.toNumber() };
}

function eventData(record: EventRecord): string {
  const data = record.event.data.toHuman();
  const text = JSON.stringify(data);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

export function BlockPage({ id }: { id: string }) {
  const { api } = useChain();
  const loaded = useAsync(() => loadBlock(api, id), [api, id]);
  if (loaded.state === 'loading') return <Loading what={`block ${id}`} />;
  if (loaded.state === 'error') return <ErrorBox error={loaded.error} />;
  const { hash, block, events, finalizedNumber } = loaded.value;
  const number = block.header.number.toNumber();
  const outcome = (index: number) => {
    for (const { phase, event } of events) {
      if (!phase.isApplyExtrinsic || phase.asApplyExtrinsic.toNumber() !== index) continue;
      if (api.events.system.ExtrinsicSuccess.is(event)) return <span class="ok">success</span>;
      if (api.events.system.ExtrinsicFailed.is(event)) {
        return <span class="bad">failed: {describeDispatchError(api, (event as any).data[0])}</span>;
      }
    }
    return <span class="muted">—</span>;
  };
  return (
    <section>
      <h1 data-testid="block-title">Block #{number}</h1>
      <dl class="facts">
        <dt>Hash</dt>
        <dd class="mono break">{hash}</dd>
        <dt>Parent</dt>
        <dd>{number > 0 ? <BlockLink block={block.header.parentHash.toHex()} /> : '—'}</dd>
        <dt>State root</dt>
        <dd>
          <Hash value={block.header.stateRoot.toHex()} />
        </dd>
        <dt>Finality</dt>
        <dd>{number <= finalizedNumber ? 'finalized' : `not finalized yet (finalized head #${finalizedNumber})`}</dd>
        <dt>Next</dt>
        <dd>
          <BlockLink block={number + 1} />
        </dd>
      </dl>
      <h2>Extrinsics ({block.extrinsics.length})</h2>
      <Table
        testid="block-extrinsics"
        columns={['#', 'Call', 'Signer', 'Outcome']}
      >
        {block.extrinsics.map((ex, index) => (
          <tr key={index}>
            <td>{index}</td>
            <td class="mono">
              {ex.method.section}.{ex.method.method}
            </td>
            <td>{ex.isSigned ? <AccountLink address={ex.signer.toString()} /> : <span class="muted">inherent</span>}</td>
            <td>{outcome(index)}</td>
          </tr>
        ))}
      </Table>
      <h2>Events ({events.length})</h2>
      <Table
        testid="block-events"
        columns={['Phase', 'Event', 'Data']}
      >
        {events.map((record, index) => (
          <tr key={index}>
            <td>{record.phase.isApplyExtrinsic ? `extrinsic ${record.phase.asApplyExtrinsic.toNumber()}` : record.phase.type}</td>
            <td class="mono">
              {record.event.section}.{record.event.method}
            </td>
            <td class="mono small break">{eventData(record)}</td>
          </tr>
        ))}
      </Table>
    </section>
  );
}
