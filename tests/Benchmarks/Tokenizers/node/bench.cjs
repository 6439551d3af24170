// Encoding throughput of npm tiktoken (OpenAI's Rust core compiled to WASM) on the corpora in DIR.
// Usage: node bench.cjs DIR [runs]   -> JSON lines {tool, encoding, corpus, bytes, tokens, mbPerSec[], mbPerCpuSec[]}
'use strict';
const fs = require('fs');
const path = require('path');
const { get_encoding } = require('tiktoken');

const dir = process.argv[2];
const runs = Number(process.argv[3] || 9);
for (const encoding of ['o200k_base', 'cl100k_base']) {
  const enc = get_encoding(encoding);
  for (const corpus of ['prose', 'code', 'cjk', 'emoji']) {
    const text = fs.readFileSync(path.join(dir, corpus + '.txt'), 'utf8');
    const bytes = Buffer.byteLength(text, 'utf8');
    let tokens = enc.encode_ordinary(text).length; // warm-up
    const mbPerSec = [];
    const mbPerCpuSec = [];
    for (let i = 0; i < runs; i++) {
      const cpu0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      tokens = enc.encode_ordinary(text).length;
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const cpu = process.cpuUsage(cpu0);
      mbPerSec.push(bytes / 1e6 / seconds);
      mbPerCpuSec.push(bytes / 1e6 / Math.max((cpu.user + cpu.system) / 1e6, 1e-6));
    }
    console.log(JSON.stringify({ tool: 'npm tiktoken', encoding, corpus, bytes, tokens, mbPerSec, mbPerCpuSec }));
  }
  enc.free();
}
