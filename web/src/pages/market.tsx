// Market: the AIT order book of a pair (depth chart and levels), its recent trades, and for the
// connected account its balances, its resting orders (cancellable) and an order form; every
// order is signed by the wallet extension. The page re-reads the book at each new block.
import { useEffect, useState } from 'preact/hooks';
import type { ApiPromise } from '@polkadot/api';
import { useStore } from '../store';
import { wallet } from '../wallet';
import { signAndSend, TxError, type TxProgress } from '../tx';
import { errorMessage, formatAmount } from '../format';
import { AccountLink, BlockLink, ErrorBox, Field, Link, Loading, Table, useAsync, useChain, useSubscription } from '../ui';
import { TxStatus } from './wallet';
import {
  formatPrice,
  getBook,
  getHoldings,
  getMarkets,
  getOpenOrders,
  getRecentTrades,
  lotsToAit,
  parseLots,
  parsePrice,
  tickPerAit,
  type Book,
  type Holding,
  type Market,
  type OpenOrder,
  type Side,
  type TradeRecord,
} from '../market';

/** Prices shown per side. */
const DEPTH = 12;

interface Snapshot {
  block: number;
  book: Book;
  trades: TradeRecord[];
  orders: OpenOrder[];
  holdings: { ait: Holding; quote: Holding } | null;
}

async function loadSnapshot(api: ApiPromise, market: Market, account: string | null, block: number): Promise<Snapshot> {
  const [book, trades, orders, holdings] = await Promise.all([
    getBook(api, market.pair, DEPTH),
    getRecentTrades(api, market.pair),
    account ? getOpenOrders(api, account) : Promise.resolve([]),
    account ? getHoldings(api, market.quote, account) : Promise.resolve(null),
  ]);
  if (!book) throw new Error(`Pair ${market.pair} is gone from the chain.`);
  return { block, book, trades, orders: orders.filter((o) => o.pair === market.pair), holdings };
}

export function MarketPage({ pair }: { pair: string }) {
  const { api } = useChain();
  const markets = useAsync(() => getMarkets(api), [api]);
  if (markets.state === 'loading') return <Loading what="markets" />;
  if (markets.state === 'error') return <ErrorBox error={markets.error} />;
  if (markets.value.length === 0) {
    return (
      <section>
        <h1>Market</h1>
        <p class="muted">This chain has no market yet: governance opens pairs of AIT against a quote asset.</p>
      </section>
    );
  }
  const wanted = pair === '' ? markets.value[0].pair : Number(pair);
  const market = markets.value.find((m) => m.pair === wanted);
  if (!market) return <ErrorBox error={`There is no pair "${pair}". Pairs: ${markets.value.map((m) => m.pair).join(', ')}.`} />;
  return <MarketView market={market} markets={markets.value} />;
}

function MarketView({ market, markets }: { market: Market; markets: Market[] }) {
  const { api } = useChain();
  const account = useStore(wallet).selected;
  const [block, setBlock] = useState(0);
  const [snapshot, setSnapshot] = useState<Snapshot | null>(null);
  const [error, setError] = useState<unknown>(null);
  useSubscription(() => api.rpc.chain.subscribeNewHeads((header) => setBlock(header.number.toNumber())), [api]);
  useEffect(() => {
    if (block === 0) return;
    let live = true;
    loadSnapshot(api, market, account, block).then(
      (s) => {
        // A slow answer for an older block never replaces a newer one.
        if (live) setSnapshot((old) => (old && old.block > s.block ? old : s));
        if (live) setError(null);
      },
      (e) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [api, market, account, block]);
  const title = `AIT / ${market.symbol}`;
  return (
    <section>
      <h1>
        Market <span data-testid="market-title">{title}</span>
      </h1>
      {markets.length > 1 && (
        <p>
          Pairs:{' '}
          {markets.map((m) => (
            <Link key={m.pair} to={`/market/${m.pair}`} current={m.pair === market.pair}>
              AIT/{m.symbol}{' '}
            </Link>
          ))}
        </p>
      )}
      <p class="muted">
        Lots of {formatAmount(market.lot, 12)} AIT; prices in steps of {tickPerAit(market) === null ? formatPrice(market, market.tick) : formatAmount(tickPerAit(market)!, market.decimals)} {market.symbol} per AIT; orders of at
        least {formatAmount(market.minLots * market.lot, 12)} AIT.{market.open ? '' : ' Closed to new orders.'} Resting orders keep their funds on hold in your own account until they trade, are
        cancelled or expire.
      </p>
      {error !== null && <ErrorBox title="Reading the book failed." error={error} />}
      {!snapshot ? (
        <Loading what="the book" />
      ) : (
        <>
          <div class="market-grid">
            <div>
              <h2>Depth</h2>
              <DepthChart market={market} book={snapshot.book} />
              <BookTable market={market} book={snapshot.book} />
            </div>
            <div>
              <h2>Recent trades</h2>
              <Trades market={market} trades={snapshot.trades} />
            </div>
          </div>
          {account ? (
            <YourMarket market={market} account={account} snapshot={snapshot} />
          ) : (
            <p>
              <Link to="/wallet">Connect a wallet</Link> to place and cancel orders.
            </p>
          )}
        </>
      )}
    </section>
  );
}

/** Cumulative AIT on offer from the best price outwards: bids to the left, asks to the right. */
function DepthChart({ market, book }: { market: Market; book: Book }) {
  const width = 480;
  const height = 160;
  if (book.bids.length === 0 && book.asks.length === 0) {
    return <p class="muted" data-testid="depth-chart">The book is empty.</p>;
  }
  const cumulative = (levels: { price: bigint; lots: bigint }[]) => {
    let sum = 0n;
    return levels.map((l) => ({ price: l.price, total: (sum += l.lots) }));
  };
  const bids = cumulative(book.bids);
  const asks = cumulative(book.asks);
  const prices = [...bids, ...asks].map((p) => Number(p.price));
  // One price alone gets room on both sides, so it is drawn mid-chart.
  const pad = Math.min(...prices) === Math.max(...prices) ? Math.max(1, Math.min(...prices) / 10) : 0;
  const low = Math.min(...prices) - pad;
  const high = Math.max(...prices) + pad;
  const span = high - low || 1;
  const most = Number([...bids, ...asks].reduce((m, p) => (p.total > m ? p.total : m), 0n)) || 1;
  const x = (price: bigint) => 8 + ((Number(price) - low) / span) * (width - 16);
  const y = (total: bigint) => height - 4 - (Number(total) / most) * (height - 12);
  const path = (points: { price: bigint; total: bigint }[]) =>
    points.length === 0 ? '' : `M ${x(points[0].price)} ${height - 4} ` + points.map((p) => `V ${y(p.total)} L ${x(p.price)} ${y(p.total)}`).join(' ');
  return (
    <svg class="depth" viewBox={`0 0 ${width} ${height}`} role="img" data-testid="depth-chart" aria-label={`Depth: ${bids.length} bid and ${asks.length} ask prices`}>
      <path d={path(bids)} class="bid-line" fill="none" />
      <path d={path(asks)} class="ask-line" fill="none" />
      <text x="8" y="12" class="axis">
        {formatPrice(market, BigInt(Math.max(0, Math.round(low))))}
      </text>
      <text x={width - 8} y="12" class="axis" text-anchor="end">
        {formatPrice(market, BigInt(Math.round(high)))} {market.symbol}
      </text>
    </svg>
  );
}

function BookTable({ market, book }: { market: Market; book: Book }) {
  const row = (side: 'ask' | 'bid', l: { price: bigint; lots: bigint }) => (
    <tr key={`${side}-${l.price}`} class={side} data-side={side} data-price={formatPrice(market, l.price)}>
      <td class={side === 'ask' ? 'bad' : 'ok'}>{side === 'ask' ? 'Ask' : 'Bid'}</td>
      <td class="num">{formatPrice(market, l.price)}</td>
      <td class="num">{formatAmount(lotsToAit(market, l.lots), 12)}</td>
    </tr>
  );
  return (
    <Table testid="book" columns={['', `Price (${market.symbol} per AIT)`, 'AIT']}>
      {[...book.asks].reverse().map((l) => row('ask', l))}
      {book.asks.length === 0 && book.bids.length === 0 && (
        <tr>
          <td colSpan={3} class="muted">
            No orders rest on this pair.
          </td>
        </tr>
      )}
      {book.bids.map((l) => row('bid', l))}
    </Table>
  );
}

function Trades({ market, trades }: { market: Market; trades: TradeRecord[] }) {
  if (trades.length === 0) return <p class="muted" data-testid="trades">No trades yet.</p>;
  return (
    <Table testid="trades" columns={['Block', 'Taker', `Price (${market.symbol})`, 'AIT']}>
      {trades.map((t) => (
        <tr key={`${t.takerOrder}-${t.makerOrder}`}>
          <td>
            <BlockLink block={t.block} />
          </td>
          <td class={t.takerSide === 'Buy' ? 'ok' : 'bad'}>{t.takerSide === 'Buy' ? 'bought' : 'sold'}</td>
          <td class="num">{formatPrice(market, t.price)}</td>
          <td class="num">{formatAmount(lotsToAit(market, t.lots), 12)}</td>
        </tr>
      ))}
    </Table>
  );
}

function YourMarket({ market, account, snapshot }: { market: Market; account: string; snapshot: Snapshot }) {
  const { api } = useChain();
  const [cancelling, setCancelling] = useState<{ id: bigint; progress: TxProgress } | null>(null);
  const cancel = async (id: bigint) => {
    try {
      await signAndSend(api, api.tx.exchange.cancel(id), account, (progress) => setCancelling({ id, progress }));
    } catch (error) {
      if (!(error instanceof TxError)) setCancelling({ id, progress: { phase: 'failed', error: errorMessage(error), kind: 'other' } });
    }
  };
  const h = snapshot.holdings;
  return (
    <div class="market-grid">
      <div>
        <h2>
          Your account <AccountLink address={account} />
        </h2>
        {h && (
          <Table testid="holdings" columns={['', 'Free', 'On hold']}>
            <tr data-asset="AIT">
              <td>AIT</td>
              <td class="num" data-testid="ait-free">
                {formatAmount(h.ait.free, 12)}
              </td>
              <td class="num" data-testid="ait-held">
                {formatAmount(h.ait.held, 12)}
              </td>
            </tr>
            <tr data-asset={market.symbol}>
              <td>{market.symbol}</td>
              <td class="num" data-testid="quote-free">
                {formatAmount(h.quote.free, market.decimals)}
              </td>
              <td class="num" data-testid="quote-held">
                {formatAmount(h.quote.held, market.decimals)}
              </td>
            </tr>
          </Table>
        )}
        <h2>Your orders</h2>
        {snapshot.orders.length === 0 ? (
          <p class="muted" data-testid="my-orders">
            No resting orders on this pair.
          </p>
        ) : (
          <Table testid="my-orders" columns={['Order', 'Side', `Price (${market.symbol})`, 'AIT open', 'of', 'Expires', '']}>
            {snapshot.orders.map((o) => (
              <tr key={String(o.id)} data-order={String(o.id)}>
                <td>{String(o.id)}</td>
                <td class={o.side === 'Buy' ? 'ok' : 'bad'}>{o.side.toLowerCase()}</td>
                <td class="num">{formatPrice(market, o.price)}</td>
                <td class="num" data-testid="order-open">
                  {formatAmount(lotsToAit(market, o.lots), 12)}
                </td>
                <td class="num">{formatAmount(lotsToAit(market, o.placedLots), 12)}</td>
                <td>{o.expiresAt === null ? '—' : <BlockLink block={o.expiresAt} />}</td>
                <td>
                  <button type="button" onClick={() => cancel(o.id)} disabled={cancelling?.id === o.id && (cancelling.progress.phase === 'signing' || cancelling.progress.phase === 'submitted')} data-testid="cancel-order">
                    Cancel
                  </button>
                </td>
              </tr>
            ))}
          </Table>
        )}
        {cancelling && (
          <div data-testid="cancel-status">
            <TxStatus progress={cancelling.progress} />
          </div>
        )}
      </div>
      <div>
        {market.open ? <OrderForm market={market} account={account} /> : <p class="muted">This pair takes no new orders.</p>}
        {market.open && h && h.ait.free === 0n && h.ait.held === 0n && (
          <p class="muted" data-testid="first-buy-hint">
            This account holds no AIT to pay fees with: its first market buy is free when it is sure to trade (an ask at or below your worst price, and the {market.symbol} to pay for all of it).
          </p>
        )}
      </div>
    </div>
  );
}

interface Placed {
  order: string;
  filled: bigint;
  resting: bigint;
}

function OrderForm({ market, account }: { market: Market; account: string }) {
  const { api } = useChain();
  const [side, setSide] = useState<Side>('Buy');
  const [kind, setKind] = useState<'limit' | 'market'>('limit');
  const [amount, setAmount] = useState('');
  const [price, setPrice] = useState('');
  const [expiry, setExpiry] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [progress, setProgress] = useState<TxProgress | null>(null);
  const [placed, setPlaced] = useState<Placed | null>(null);
  const busy = progress?.phase === 'signing' || progress?.phase === 'submitted';
  const place = async () => {
    setError(null);
    setProgress(null);
    setPlaced(null);
    let lots: bigint;
    let perLot: bigint;
    let expiresIn: number | null = null;
    try {
      lots = parseLots(market, amount);
      perLot = parsePrice(market, price);
      if (kind === 'limit' && expiry.trim() !== '') {
        expiresIn = Number(expiry.trim());
        if (!Number.isInteger(expiresIn) || expiresIn <= 0) throw new Error(`"${expiry}" is not a number of blocks.`);
      }
    } catch (e) {
      setError(errorMessage(e));
      return;
    }
    const tx = kind === 'limit' ? api.tx.exchange.placeLimit(market.pair, side, perLot, lots, expiresIn) : api.tx.exchange.placeMarket(market.pair, side, lots, perLot);
    try {
      const included = await signAndSend(api, tx, account, setProgress);
      const event = included.events.find(({ event }) => api.events.exchange.OrderPlaced.is(event));
      if (event) {
        const data = event.event.data as unknown as { order: { toString(): string }; filled: { toBigInt(): bigint }; resting: { toBigInt(): bigint } };
        setPlaced({ order: data.order.toString(), filled: data.filled.toBigInt(), resting: data.resting.toBigInt() });
      }
    } catch (e) {
      if (!(e instanceof TxError)) setProgress({ phase: 'failed', error: errorMessage(e), kind: 'other' });
    }
  };
  return (
    <form
      class="grid order-form"
      onSubmit={(e) => {
        e.preventDefault();
        place();
      }}
    >
      <h2>Place an order</h2>
      <div class="segmented" role="group" aria-label="Side">
        {(['Buy', 'Sell'] as const).map((s) => (
          <button type="button" key={s} class={side === s ? 'active' : ''} aria-pressed={side === s} onClick={() => setSide(s)} data-testid={`side-${s.toLowerCase()}`}>
            {s} AIT
          </button>
        ))}
      </div>
      <div class="segmented" role="group" aria-label="Kind">
        {(['limit', 'market'] as const).map((k) => (
          <button type="button" key={k} class={kind === k ? 'active' : ''} aria-pressed={kind === k} onClick={() => setKind(k)} data-testid={`kind-${k}`}>
            {k === 'limit' ? 'Limit' : 'Market'}
          </button>
        ))}
      </div>
      <Field label="Amount (AIT)" hint={`a multiple of ${formatAmount(market.lot, 12)} AIT`}>
        <input name="amount" value={amount} onInput={(e) => setAmount(e.currentTarget.value)} />
      </Field>
      <Field
        label={kind === 'limit' ? `Price (${market.symbol} per AIT)` : `Worst price (${market.symbol} per AIT)`}
        hint={kind === 'limit' ? 'what does not trade at once rests on the book at this price' : 'trades up to this price; what cannot fill is dropped'}
      >
        <input name="price" value={price} onInput={(e) => setPrice(e.currentTarget.value)} />
      </Field>
      {kind === 'limit' && (
        <Field label="Expires after (blocks, optional)">
          <input name="expiry" value={expiry} onInput={(e) => setExpiry(e.currentTarget.value)} />
        </Field>
      )}
      <button type="submit" class="primary" disabled={busy} data-testid="place-order">
        Sign and place
      </button>
      {error && <ErrorBox error={error} />}
      {progress && <TxStatus progress={progress} />}
      {placed && (
        <p class="ok" data-testid="placed" role="status">
          Order {placed.order}: {formatAmount(lotsToAit(market, placed.filled), 12)} AIT traded at once, {formatAmount(lotsToAit(market, placed.resting), 12)} AIT resting.
        </p>
      )}
    </form>
  );
}
