#!/usr/bin/env node
// `pnpm demo` (after `pnpm build`): runs the TypeScript demo in scripts/demo/ with tsx.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const result = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'demo', 'main.ts')], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
