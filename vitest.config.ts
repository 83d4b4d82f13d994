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
    include: ['packages/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // End-to-end files each start servers and a database: two at a time suits 2 cores.
    maxWorkers: 2,
  },
});
