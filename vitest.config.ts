import { defineConfig } from 'vitest/config';

// Tests run on the TypeScript sources: the packages' `@tapegrad/source` export condition points
// there, while what is packed points at the built dist/.
const conditions = ['@tapegrad/source', 'node', 'import', 'default'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: conditions } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    setupFiles: ['./test/setup.ts'],
    testTimeout: 60_000,
    pool: 'threads',
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
