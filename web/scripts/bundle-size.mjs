// Prints the size of the built app, raw and gzipped, per file and in all (what a browser downloads
// on a first visit), and writes it to dist/bundle-size.json.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';

const dist = new URL('../dist/', import.meta.url).pathname;
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (/\.(js|css|html)$/.test(name)) files.push(path);
  }
};
walk(dist);
const rows = files.map((path) => {
  const bytes = readFileSync(path);
  return { file: relative(dist, path), bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
});
const total = rows.reduce((sum, r) => ({ bytes: sum.bytes + r.bytes, gzip: sum.gzip + r.gzip }), { bytes: 0, gzip: 0 });
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
for (const r of rows) console.log(`[bundle] ${r.file.padEnd(40)} ${kib(r.bytes).padStart(10)}  gzip ${kib(r.gzip).padStart(9)}`);
console.log(`[bundle] total ${kib(total.bytes)}, gzipped ${kib(total.gzip)}`);
writeFileSync(join(dist, 'bundle-size.json'), JSON.stringify({ files: rows, total }, null, 2));
