import { defineConfig } from 'tsdown';

export default defineConfig({
  entry: ['src/entries/*.ts'],
  dts: true,
});
