import type { Linter } from 'eslint';

export interface BuildConfigOptions {
  mode: 'typed' | 'untyped';
  plugin: unknown;
  tseslint: unknown;
  rootDir: string;
  tsconfig: string;
  ignores: string[];
  withTheirs?: boolean;
  theirsFirst?: boolean;
}

export function buildConfig(o: BuildConfigOptions): Linter.Config[];
