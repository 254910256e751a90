import { fileURLToPath } from 'node:url';
import { defineConfig } from 'tsup';

// The codemod needs only the runtime's budget table: bundle that one module, not the whole
// runtime (whose index pulls in ioredis, piscina, …).
const budgets = fileURLToPath(new URL('../runtime/src/budgets.ts', import.meta.url));

export default defineConfig({
  entry: ['src/index.ts', 'src/cli.ts'],
  format: ['esm', 'cjs'],
  dts: { compilerOptions: { ignoreDeprecations: '6.0', composite: false } },
  sourcemap: true,
  clean: true,
  shims: true,
  target: 'node20',
  outDir: 'dist',
  esbuildOptions(options) {
    options.alias = { ...options.alias, '@asyncguard/runtime': budgets };
  },
});
