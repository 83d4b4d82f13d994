#!/usr/bin/env node
// The server's import rules (STYLE.md, issue 18), checked by `pnpm test` so they stay true:
// no import cycles between its files, type-only imports included; only GraphQL files import
// graphql/; entities do not import the row writer. Configuration: .madgerc.
import madge from 'madge';

const root = 'packages/server/src';
const result = await madge(root, {
  fileExtensions: ['ts'],
  tsConfig: 'packages/server/tsconfig.json',
  detectiveOptions: { ts: { skipTypeImports: false }, tsx: { skipTypeImports: false } },
});
const graph = result.obj();
const problems = [];

for (const cycle of result.circular()) problems.push(`import cycle: ${[...cycle, cycle[0]].join(' → ')}`);

// A domain's resolvers, GraphQL types, inputs and filters speak GraphQL; its services,
// entities and logic do not, so they can be used (and tested) without the API layer.
const speaksGraphql = (file) => file.startsWith('graphql/') || file === 'app.ts' || /\.(resolver|types|inputs|filters)\.ts$/.test(file);
for (const [file, imports] of Object.entries(graph)) {
  for (const imported of imports) {
    if (imported.startsWith('graphql/') && !speaksGraphql(file)) problems.push(`${file} imports ${imported}: only resolvers, types, inputs and filters import graphql/`);
    if (file.endsWith('.entity.ts') && imported === 'db/row-batch.ts') problems.push(`${file} imports ${imported}: entities do not know how rows are written`);
  }
}

const files = Object.keys(graph).length;
if (problems.length > 0) {
  console.error(`Import rules broken in ${root} (${files} files):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`Import rules hold in ${root}: ${files} files, no cycles (type-only imports counted).`);
