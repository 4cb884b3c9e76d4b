// polkadot.js compatibility of the order book: @polkadot/api from npm, unmodified, reads the
// pairs and the depth through the runtime API, places a limit order and cancels it.
// tests/tests/exchange.rs runs it with AITBC_WS and AITBC_TRADER_KEY (a secret URI of an account
// that holds AIT: a provider that was minted for served jobs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';

const url = process.env.AITBC_WS ?? 'ws://127.0.0.1:9944';
const traderKey = process.env.AITBC_TRADER_KEY;

/** Signs and sends `tx`; resolves to the events' `section.method` names once in a block. */
function send(tx, signer) {
  return new Promise((resolve, reject) => {
    tx.signAndSend(signer, ({ status, events, dispatchError }) => {
      if (dispatchError) reject(new Error(`dispatch error: ${dispatchError.toString()}`));
      else if (status.isInBlock) resolve(events.map(({ event }) => event));
    }).catch(reject);
  });
}

test('polkadot.js reads the book and places and cancels an order', async () => {
  assert.ok(traderKey, 'AITBC_TRADER_KEY names an account with AIT');
  await cryptoWaitReady();
  const api = await ApiPromise.create({ provider: new WsProvider(url), throwOnConnect: true, noInitWarn: true });
  try {
    const trader = new Keyring({ type: 'sr25519' }).addFromUri(traderKey);
    // The pairs through the runtime API: pair 0 is AIT against tUSD (asset 1), lots of 1 mAIT.
    const pairs = await api.call.exchangeApi.pairs();
    assert.equal(pairs.length, 1);
    const [id, terms] = pairs[0];
    assert.equal(id.toNumber(), 0);
    assert.equal(terms.quote.toNumber(), 1);
    assert.equal(terms.lot.toBigInt(), 1_000_000_000n);
    assert.ok(terms.open.isTrue);
    const meta = await api.query.assets.metadata(1);
    assert.equal(new TextDecoder().decode(meta.symbol.toU8a(true)), 'tUSD');
    assert.ok((await api.call.exchangeApi.depth(9, 5)).isNone, 'no pair 9');

    // A limit sell of 2 lots at 900 units per lot rests with its AIT on hold.
    const heldBefore = (await api.query.system.account(trader.address)).data.reserved.toBigInt();
    const placedEvents = await send(api.tx.exchange.placeLimit(0, 'Sell', 900, 2, 100), trader);
    const placed = placedEvents.find((e) => api.events.exchange.OrderPlaced.is(e));
    assert.ok(placed, `events: ${placedEvents.map((e) => `${e.section}.${e.method}`)}`);
    assert.equal(placed.data.resting.toNumber(), 2);
    const order = placed.data.order.toBigInt();
    const open = await api.call.exchangeApi.openOrders(trader.address);
    const mine = open.find(([o]) => o.toBigInt() === order);
    assert.ok(mine, 'listed among the open orders');
    assert.equal(mine[1].side.type, 'Sell');
    assert.equal(mine[1].lots.toNumber(), 2);
    assert.ok(mine[1].expiresAt.isSome);
    const depth = (await api.call.exchangeApi.depth(0, 5)).unwrap();
    assert.deepEqual(depth.asks.map(([p, l]) => [p.toNumber(), l.toNumber()]), [[900, 2]]);
    assert.equal((await api.query.system.account(trader.address)).data.reserved.toBigInt(), heldBefore + 2_000_000_000n);

    // Cancelled: the order leaves the book and the hold is released.
    const cancelEvents = await send(api.tx.exchange.cancel(order), trader);
    const cancelled = cancelEvents.find((e) => api.events.exchange.OrderCancelled.is(e));
    assert.ok(cancelled);
    assert.equal(cancelled.data.reason.type, 'ByOwner');
    assert.equal((await api.call.exchangeApi.openOrders(trader.address)).length, 0);
    assert.equal((await api.call.exchangeApi.depth(0, 5)).unwrap().asks.length, 0);
    assert.equal((await api.query.system.account(trader.address)).data.reserved.toBigInt(), heldBefore);
  } finally {
    await api.disconnect();
  }
});
