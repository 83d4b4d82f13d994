#!/usr/bin/env node
// The server's import rules (STYLE.md, issue 18), checked by `pnpm test` so they stay true:
// no import cycles between its files, type-only imports included; only GraphQL files import
// graphql/; entities do not import the row writer; only escalation/ names the assignment
// tables in SQL. Configuration: .madgerc.
import { readFileSync } from 'node:fs';
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

// Assignment storage has one owner (issue 18): outside escalation/, SQL reads assignments
// through escalation/assignments.ts. Migrations create the tables; tests beside the code
// (row-batch's) use the name as sample SQL. `"assignment"` alone may be a JSON key, so only
// its SQL forms count.
const ownsAssignments = (file) => file.startsWith('escalation/') || file.startsWith('db/migrations/') || file.endsWith('.test.ts');
const assignmentSql = [
  /"(?:group_assignment|approver_set|assignment_entry)"/,
  /\b(?:from|join|into|update|table)\s+"assignment"(?!\w)/i,
  /"assignment"\s*\./,
];
for (const file of Object.keys(graph)) {
  if (ownsAssignments(file)) continue;
  const text = readFileSync(`${root}/${file}`, 'utf8');
  for (const pattern of assignmentSql) {
    const match = pattern.exec(text);
    if (match) problems.push(`${file} names assignment storage in SQL (${match[0]}): read it through escalation/assignments.ts`);
  }
}

const files = Object.keys(graph).length;
if (problems.length > 0) {
  console.error(`Import rules broken in ${root} (${files} files):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`Import rules hold in ${root}: ${files} files, no cycles (type-only imports counted).`);
