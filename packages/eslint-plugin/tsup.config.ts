import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: { compilerOptions: { ignoreDeprecations: '6.0', composite: false } },
  sourcemap: true,
  clean: true,
  shims: true,
  target: 'node20',
  outDir: 'dist',
  // `require('@asyncguard/eslint-plugin')` must return the plugin itself, not `{ default: plugin }`.
  cjsInterop: true,
  splitting: true,
  // The budgets table is bundled from the runtime (a devDependency) so the plugin has no runtime dependency on it.
  noExternal: ['@asyncguard/runtime'],
});
