// The order book as the runtime's ExchangeApi answers it, quote-asset balances, and the units
// people write (AIT amounts, prices per AIT) against the chain's (lots, prices per lot).
/* eslint-disable @typescript-eslint/no-explicit-any */
import type { ApiPromise } from '@polkadot/api';
import { u8aToString } from '@polkadot/util';
import { formatAmount, parseAmount } from './format';

/** One AIT in its smallest unit (12 decimals). */
const AIT = 10n ** 12n;

export type Side = 'Buy' | 'Sell';

export interface Market {
  pair: number;
  quote: number;
  lot: bigint;
  tick: bigint;
  minLots: bigint;
  open: boolean;
  symbol: string;
  decimals: number;
}

export interface Level {
  /** Quote smallest units per lot. */
  price: bigint;
  lots: bigint;
}

export interface Book {
  bids: Level[];
  asks: Level[];
}

export interface OpenOrder {
  id: bigint;
  pair: number;
  side: Side;
  price: bigint;
  lots: bigint;
  placedLots: bigint;
  placedAt: number;
  expiresAt: number | null;
}

export interface TradeRecord {
  makerOrder: bigint;
  takerOrder: bigint;
  maker: string;
  taker: string;
  takerSide: Side;
  price: bigint;
  lots: bigint;
  block: number;
}

export interface Holding {
  free: bigint;
  held: bigint;
}

export async function getMarkets(api: ApiPromise): Promise<Market[]> {
  const pairs: any = await (api.call as any).exchangeApi.pairs();
  const markets: Market[] = [];
  for (const [id, terms] of pairs) {
    const quote = terms.quote.toNumber();
    const meta: any = await api.query.assets.metadata(quote);
    const symbol = u8aToString(meta.symbol.toU8a(true));
    markets.push({
      pair: id.toNumber(),
      quote,
      lot: terms.lot.toBigInt(),
      tick: terms.tick.toBigInt(),
      minLots: terms.minLots.toBigInt(),
      open: terms.open.isTrue,
      symbol: symbol || `asset ${quote}`,
      decimals: meta.decimals.toNumber(),
    });
  }
  return markets;
}

export async function getBook(api: ApiPromise, pair: number, levels: number): Promise<Book | null> {
  const depth: any = await (api.call as any).exchangeApi.depth(pair, levels);
  if (depth.isNone) return null;
  const side = (list: any): Level[] => list.map(([price, lots]: any) => ({ price: price.toBigInt(), lots: lots.toBigInt() }));
  const d = depth.unwrap();
  return { bids: side(d.bids), asks: side(d.asks) };
}

export async function getOpenOrders(api: ApiPromise, who: string): Promise<OpenOrder[]> {
  const orders: any = await (api.call as any).exchangeApi.openOrders(who);
  return orders.map(([id, o]: any) => ({
    id: id.toBigInt(),
    pair: o.pair.toNumber(),
    side: o.side.type as Side,
    price: o.price.toBigInt(),
    lots: o.lots.toBigInt(),
    placedLots: o.placedLots.toBigInt(),
    placedAt: o.placedAt.toNumber(),
    expiresAt: o.expiresAt.isSome ? o.expiresAt.unwrap().toNumber() : null,
  }));
}

export async function getRecentTrades(api: ApiPromise, pair: number): Promise<TradeRecord[]> {
  const trades: any = await (api.call as any).exchangeApi.recentTrades(pair);
  return trades.map((t: any) => ({
    makerOrder: t.makerOrder.toBigInt(),
    takerOrder: t.takerOrder.toBigInt(),
    maker: t.maker.toString(),
    taker: t.taker.toString(),
    takerSide: t.takerSide.type as Side,
    price: t.price.toBigInt(),
    lots: t.lots.toBigInt(),
    block: t.block.toNumber(),
  }));
}

/** `who`'s AIT (free, and all holds) and quote asset (free, and held by resting buys). */
export async function getHoldings(api: ApiPromise, quote: number, who: string): Promise<{ ait: Holding; quote: Holding }> {
  const [account, asset, held]: any[] = await Promise.all([
    api.query.system.account(who),
    api.query.assets.account(quote, who),
    api.query.assetsHolder.balancesOnHold(quote, who),
  ]);
  return {
    ait: { free: account.data.free.toBigInt(), held: account.data.reserved.toBigInt() },
    quote: {
      free: asset.isSome ? asset.unwrap().balance.toBigInt() : 0n,
      held: held.isSome ? held.unwrap().toBigInt() : 0n,
    },
  };
}

/** AIT in `lots` lots of the market. */
export function lotsToAit(market: Market, lots: bigint): bigint {
  return lots * market.lot;
}

/** "0.005" AIT → lots, or an error naming the lot and the minimum. */
export function parseLots(market: Market, text: string): bigint {
  const amount = parseAmount(text, 12);
  if (amount === 0n || amount % market.lot !== 0n) {
    throw new Error(`${text.trim() || '""'} AIT is not a whole number of lots: this pair trades lots of ${formatAmount(market.lot, 12)} AIT.`);
  }
  const lots = amount / market.lot;
  if (lots < market.minLots) {
    throw new Error(`The smallest order is ${formatAmount(market.minLots * market.lot, 12)} AIT.`);
  }
  return lots;
}

/** The tick as a price per AIT, if it is a whole number of the quote's smallest unit. */
export function tickPerAit(market: Market): bigint | null {
  const scaled = market.tick * AIT;
  return scaled % market.lot === 0n ? scaled / market.lot : null;
}

/** A price per AIT ("0.25") → the chain's price per lot, or an error naming the step. */
export function parsePrice(market: Market, text: string): bigint {
  const perAit = parseAmount(text, market.decimals);
  const scaled = perAit * market.lot;
  if (perAit === 0n || scaled % AIT !== 0n || (scaled / AIT) % market.tick !== 0n) {
    const step = tickPerAit(market);
    throw new Error(
      `${text.trim() || '""'} ${market.symbol} per AIT is not a valid price: prices go in steps of ${
        step === null ? `${formatAmount(market.tick, market.decimals)} per lot` : formatAmount(step, market.decimals)
      } ${market.symbol} per AIT.`,
    );
  }
  return scaled / AIT;
}

/** A price per lot as "0.25" per AIT (per lot when that is not whole). */
export function formatPrice(market: Market, perLot: bigint): string {
  const scaled = perLot * AIT;
  if (scaled % market.lot === 0n) return formatAmount(scaled / market.lot, market.decimals);
  return `${formatAmount(perLot, market.decimals)} per lot`;
}
