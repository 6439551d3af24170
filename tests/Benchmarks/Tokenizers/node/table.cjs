// Prints medians and ratios from the JSON lines run.sh collected (several rounds per tool are merged).
'use strict';
const fs = require('fs');
const lines = fs.readFileSync(process.argv[2], 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const rows = new Map();
for (const l of lines) {
  const k = `${l.encoding}|${l.corpus}|${l.tool}`;
  const r = rows.get(k) || { ...l, mbPerSec: [], mbPerCpuSec: [], counts: new Set() };
  r.mbPerSec.push(...l.mbPerSec);
  r.mbPerCpuSec.push(...(l.mbPerCpuSec || []));
  r.counts.add(l.tokens);
  rows.set(k, r);
}
const base = (r) => rows.get(`${r.encoding}|${r.corpus}|npm tiktoken`);
const f = (x) => x.toFixed(1);
console.log('| encoding | corpus | tool | samples | median MB/s (wall) | ratio | median MB/s (CPU time) | ratio | tokens | same ids count as tiktoken |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const r of [...rows.values()].sort((a, b) => (a.encoding + a.corpus).localeCompare(b.encoding + b.corpus))) {
  const b = base(r);
  const wall = median(r.mbPerSec), cpu = median(r.mbPerCpuSec);
  console.log(`| ${r.encoding} | ${r.corpus} | ${r.tool} | ${r.mbPerSec.length} | ${f(wall)} | ${b ? (wall / median(b.mbPerSec)).toFixed(2) + 'x' : ''} | ${f(cpu)} | ${b ? (cpu / median(b.mbPerCpuSec)).toFixed(2) + 'x' : ''} | ${[...r.counts].join('/')} | ${b ? ([...b.counts].join() === [...r.counts].join() ? 'yes' : 'NO') : ''} |`);
}
