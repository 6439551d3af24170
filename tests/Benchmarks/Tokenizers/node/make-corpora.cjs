// Builds the ~1 MB benchmark corpora deterministically from the committed seed texts in ../corpora.
// Usage: node make-corpora.cjs OUTDIR   (writes prose.txt, code.txt, cjk.txt, emoji.txt)
'use strict';
const fs = require('fs');
const path = require('path');

const target = 1_000_000; // UTF-8 bytes per corpus
let seed = 1234567;
function rnd(n) { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return (seed >>> 8) % n; }

function build(name, pick) {
  const lines = fs.readFileSync(path.join(__dirname, '..', 'corpora', name + '.txt'), 'utf8').split('\n').filter((l) => l.length > 0);
  const out = [];
  let bytes = 0;
  while (bytes < target) {
    const piece = pick(lines);
    out.push(piece);
    bytes += Buffer.byteLength(piece, 'utf8');
  }
  return out.join('');
}

const corpora = {
  // Sentences in random order, a paragraph break every few sentences.
  prose: (lines) => lines[rnd(lines.length)] + (rnd(5) === 0 ? '\n\n' : ' '),
  // Runs of consecutive source lines from random places.
  code: (lines) => { const start = rnd(lines.length); return lines.slice(start, start + 5 + rnd(20)).join('\n') + '\n'; },
  cjk: (lines) => lines[rnd(lines.length)] + (rnd(3) === 0 ? '\n' : ''),
  emoji: (lines) => lines[rnd(lines.length)] + '\n',
};

const outDir = process.argv[2];
if (!outDir) { console.error('usage: node make-corpora.cjs OUTDIR'); process.exit(2); }
fs.mkdirSync(outDir, { recursive: true });
for (const [name, pick] of Object.entries(corpora)) {
  fs.writeFileSync(path.join(outDir, name + '.txt'), build(name, pick), 'utf8');
}
