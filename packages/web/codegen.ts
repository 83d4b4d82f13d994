import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed documents for the app's operations (the `graphql()` calls in src) from the
 * server's printed schema, with the client preset. `src/gql/` is checked in;
 * `src/gql/gql.test.ts` fails when it is stale. Paths are resolved from this file, so the
 * config also works when loaded from elsewhere (the test does).
 */
const path = (relative: string) => new URL(relative, import.meta.url).pathname;

const config: CodegenConfig = {
  schema: path('../server/schema.graphql'),
  documents: [path('src/**/*.tsx'), path('src/**/*.ts'), `!${path('src/gql/**')}`],
  ignoreNoDocuments: true,
  generates: {
    [path('src/gql/')]: {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        skipTypename: true,
        scalars: { DateTime: 'string', JSON: 'unknown', ID: 'string' },
      },
    },
  },
  silent: true,
};

export default config;
