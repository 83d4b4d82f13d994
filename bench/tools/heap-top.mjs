#!/usr/bin/env node
// Summarises a V8 heap snapshot: self size and count by constructor, largest first.
//   node bench/tools/heap-top.mjs file.heapsnapshot [--top=30]
import fs from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '30' } } });
const snapshot = JSON.parse(fs.readFileSync(positionals[0], 'utf8'));
const { node_fields: fields, node_types: [types] } = snapshot.snapshot.meta;
const width = fields.length;
const typeAt = fields.indexOf('type');
const nameAt = fields.indexOf('name');
const sizeAt = fields.indexOf('self_size');
const totals = new Map();
let all = 0;
for (let i = 0; i < snapshot.nodes.length; i += width) {
  const type = types[snapshot.nodes[i + typeAt]];
  const name = type === 'object' || type === 'closure' ? snapshot.strings[snapshot.nodes[i + nameAt]] : `(${type})`;
  const size = snapshot.nodes[i + sizeAt];
  all += size;
  const t = totals.get(name) ?? { size: 0, count: 0 };
  t.size += size;
  t.count++;
  totals.set(name, t);
}
console.log(`${positionals[0]}: ${(all / 1e6).toFixed(1)} MB in ${snapshot.nodes.length / width} objects`);
for (const [name, t] of [...totals].sort((a, b) => b[1].size - a[1].size).slice(0, Number(values.top))) {
  console.log(`${(t.size / 1e6).toFixed(2).padStart(9)} MB ${String(t.count).padStart(9)}  ${name.slice(0, 100)}`);
}
