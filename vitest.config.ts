import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);
const graphqlDir = require.resolve('graphql/package.json', { paths: ['packages/server'] }).replace(/package\.json$/, '');

export default defineConfig({
  resolve: {
    // graphql 16 ships CommonJS (`main`) and ESM (`module`) side by side; Node loads the
    // CommonJS one for libraries such as type-graphql, so tests must load that same copy,
    // or schemas "from another realm" break (STYLE.md, known traps).
    alias: [{ find: /^graphql$/, replacement: `${graphqlDir}index.js` }],
  },
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // End-to-end files each start servers and a database: two at a time suits 2 cores.
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'all', include: ['packages/*/src/**/*.test.ts', 'test/**/*.test.ts'] } },
      {
        // The files whose behaviour reads assignments (and the embedded database's), again with
        // every level stored as group assignments of approver sets (from one person on; the
        // default is 16): whichever way a level is stored, what users see must be the same.
        extends: true,
        test: {
          name: 'grouped',
          include: ['test/{decisions,delegation,notifications,email,oversight,queue-page,pipeline,embedded,honest-approvals}.test.ts'],
          env: { COUNTERSIGN_GROUP_ASSIGNMENT_FROM: '1' },
        },
      },
    ],
  },
});
