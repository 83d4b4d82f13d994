#!/usr/bin/env node
// Summarises a V8 CPU profile (from `pnpm bench --profile`): where the samples' self time
// went, by function and by package, so a bound can be named from evidence.
//   node bench/tools/profile-top.mjs bench/profiles/<file>.cpuprofile [--top=25] [--filter=text] [--all]
import fs from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' }, filter: { type: 'string' }, all: { type: 'boolean', default: false } } });
const profile = JSON.parse(fs.readFileSync(positionals[0], 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

// Time per sample from the deltas; self time per node.
const self = new Map();
for (let i = 0; i < profile.samples.length; i++) {
  const dt = (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0) / 1000;
  self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + dt);
}
const total = [...self.values()].reduce((a, b) => a + b, 0);

function where(node) {
  const { functionName, url, lineNumber } = node.callFrame;
  const short = url.replace(/^file:\/\//, '').replace(/.*node_modules\/\.pnpm\/[^/]+\/node_modules\//, '').replace(/.*\/packages\//, 'packages/');
  return `${functionName || '(anonymous)'} ${short}:${lineNumber + 1}`;
}
function pkg(node) {
  const url = node.callFrame.url;
  if (!url) return node.callFrame.functionName.startsWith('(') ? node.callFrame.functionName : '(native)';
  const m = /node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1];
  if (url.includes('/packages/server/')) return 'countersign server';
  if (url.startsWith('node:')) return 'node core';
  return url;
}

const fn = new Map();
const pk = new Map();
const inclusive = new Map();
for (const [id, ms] of self) {
  const node = byId.get(id);
  fn.set(where(node), (fn.get(where(node)) ?? 0) + ms);
  pk.set(pkg(node), (pk.get(pkg(node)) ?? 0) + ms);
  // Inclusive time per countersign function: walk up the stack once per distinct frame.
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const n = byId.get(cur);
    if (!values.all && !n.callFrame.url.includes('/packages/server/')) continue;
    const key = where(n);
    if (seen.has(key)) continue;
    seen.add(key);
    inclusive.set(key, (inclusive.get(key) ?? 0) + ms);
  }
}
const top = Number(values.top);
const print = (title, map) => {
  console.log(`\n${title}`);
  const rows = [...map].filter(([k]) => !values.filter || k.includes(values.filter)).sort((a, b) => b[1] - a[1]).slice(0, top);
  for (const [k, ms] of rows) console.log(`${ms.toFixed(0).padStart(8)} ms ${((ms / total) * 100).toFixed(1).padStart(5)}%  ${k}`);
};
console.log(`${positionals[0]}: ${total.toFixed(0)} ms sampled`);
print('self time by package', pk);
print('self time by function', fn);
print(values.all ? 'inclusive time, all functions (--all)' : 'inclusive time, Countersign functions (--all for every package)', inclusive);
