import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/llamaindex.ts', 'src/fastify.ts'],
  format: ['esm', 'cjs'],
  dts: { compilerOptions: { ignoreDeprecations: '6.0', composite: false } },
  sourcemap: true,
  clean: true,
  shims: true,
  target: 'node20',
  outDir: 'dist',
});
