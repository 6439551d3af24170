// Prints medians and ratios from the JSON lines that run.sh collected.
'use strict';
const fs = require('fs');
const rows = fs.readFileSync(process.argv[2], 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const key = (r) => r.encoding + ' ' + r.corpus;
const baseline = new Map(rows.filter((r) => r.tool === 'npm tiktoken').map((r) => [key(r), r]));
console.log('| encoding | corpus | MB | tool | median MB/s | min..max MB/s | tokens | ratio vs npm tiktoken | same count |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  const b = baseline.get(key(r));
  const ratio = b ? (median(r.mbPerSec) / median(b.mbPerSec)).toFixed(2) + 'x' : '';
  console.log(`| ${r.encoding} | ${r.corpus} | ${(r.bytes / 1e6).toFixed(2)} | ${r.tool} | ${median(r.mbPerSec).toFixed(1)} | ${Math.min(...r.mbPerSec).toFixed(1)}..${Math.max(...r.mbPerSec).toFixed(1)} | ${r.tokens} | ${ratio} | ${b ? (b.tokens === r.tokens ? 'yes' : 'NO') : ''} |`);
}
