import { fileURLToPath } from 'node:url';
import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: {
    compilerOptions: {
      ignoreDeprecations: '6.0',
      composite: false,
      rootDir: fileURLToPath(new URL('..', import.meta.url)),
      // Declarations are built from the same runtime module the code bundles, not from its dist.
      paths: { '@asyncguard/runtime': [fileURLToPath(new URL('../runtime/src/budgets.ts', import.meta.url))] },
    },
  },
  sourcemap: true,
  clean: true,
  shims: true,
  target: 'node20',
  outDir: 'dist',
  // `require('@asyncguard/eslint-plugin')` must return the plugin itself, not `{ default: plugin }`.
  cjsInterop: true,
  splitting: true,
  // The plugin needs only the runtime's budget table: bundle that module (the single source of
  // truth) rather than the runtime's whole entry point, which pulls in worker pools.
  noExternal: ['@asyncguard/runtime'],
  esbuildOptions(options) {
    options.alias = { '@asyncguard/runtime': fileURLToPath(new URL('../runtime/src/budgets.ts', import.meta.url)) };
  },
});
