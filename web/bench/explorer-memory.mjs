// Benchmark: does the explorer keep up with the chain, without growing memory, when left open?
// Opens the explorer in headless Chromium against a running node for DURATION seconds (default
// 600) and samples, every SAMPLE seconds, the page's JS heap after a garbage collection, its DOM
// node count and how far the block it shows is behind the node's best block. Prints the samples
// and a summary (heap growth from the first minute to the end, the worst lag), and writes them as
// JSON to web/test-results/explorer-memory.json.
//
//   node bench/explorer-memory.mjs [--web http://127.0.0.1:8080/] [--ws ws://127.0.0.1:9944]
//                                  [--duration 600] [--sample 30]
// (a dev chain and `aitbc web` must be running: `scripts/run.sh --keep` starts both)
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { connectApi, launchBrowser } from '../tests/harness.mjs';

const { values } = parseArgs({
  options: {
    web: { type: 'string', default: 'http://127.0.0.1:8080/' },
    ws: { type: 'string', default: 'ws://127.0.0.1:9944' },
    duration: { type: 'string', default: '600' },
    sample: { type: 'string', default: '30' },
  },
});
const duration = Number(values.duration) * 1000;
const every = Number(values.sample) * 1000;

const api = await connectApi(values.ws);
const profile = mkdtempSync(join(tmpdir(), 'aitbc-bench-'));
const context = await launchBrowser(profile);
const page = context.pages()[0] ?? (await context.newPage());
const cdp = await context.newCDPSession(page);
await cdp.send('Performance.enable');
await page.goto(`${values.web}?rpc=${encodeURIComponent(values.ws)}`);
await page.waitForFunction(() => /^\d+$/.test(document.querySelector('[data-testid=best-block]')?.textContent ?? ''));

const samples = [];
const started = Date.now();
const blockAtStart = (await api.rpc.chain.getHeader()).number.toNumber();
for (;;) {
  await cdp.send('HeapProfiler.collectGarbage');
  const { metrics } = await cdp.send('Performance.getMetrics');
  const metric = (name) => metrics.find((m) => m.name === name)?.value ?? NaN;
  const shown = Number(await page.getByTestId('best-block').textContent());
  const best = (await api.rpc.chain.getHeader()).number.toNumber();
  const sample = {
    seconds: Math.round((Date.now() - started) / 1000),
    heapMiB: +(metric('JSHeapUsedSize') / 2 ** 20).toFixed(2),
    domNodes: metric('Nodes'),
    listeners: metric('JSEventListeners'),
    shownBlock: shown,
    nodeBlock: best,
    lagBlocks: best - shown,
  };
  samples.push(sample);
  console.log(
    `[explorer] ${String(sample.seconds).padStart(4)} s  heap ${sample.heapMiB.toFixed(2).padStart(6)} MiB  DOM ${sample.domNodes}  listeners ${sample.listeners}  block ${shown} (node ${best}, lag ${sample.lagBlocks})`,
  );
  if (Date.now() - started >= duration) break;
  await new Promise((resolve) => setTimeout(resolve, every));
}

const blocks = samples.at(-1).nodeBlock - blockAtStart;
const warm = samples.find((s) => s.seconds >= 60) ?? samples[0];
const last = samples.at(-1);
const summary = {
  seconds: last.seconds,
  blocksFollowed: blocks,
  heapAfterFirstMinuteMiB: warm.heapMiB,
  heapAtEndMiB: last.heapMiB,
  heapGrowthMiB: +(last.heapMiB - warm.heapMiB).toFixed(2),
  heapPeakMiB: Math.max(...samples.map((s) => s.heapMiB)),
  domNodesFirstMinute: warm.domNodes,
  domNodesEnd: last.domNodes,
  worstLagBlocks: Math.max(...samples.map((s) => s.lagBlocks)),
};
console.log(
  `[explorer] ${summary.seconds} s, ${blocks} blocks: heap ${summary.heapAfterFirstMinuteMiB} MiB after the first minute, ${summary.heapAtEndMiB} MiB at the end (growth ${summary.heapGrowthMiB} MiB, peak ${summary.heapPeakMiB}); DOM nodes ${summary.domNodesFirstMinute} → ${summary.domNodesEnd}; worst lag ${summary.worstLagBlocks} blocks`,
);
const out = new URL('../test-results/', import.meta.url).pathname;
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'explorer-memory.json'), JSON.stringify({ summary, samples }, null, 2));
await context.close();
await api.disconnect();
rmSync(profile, { recursive: true, force: true });
