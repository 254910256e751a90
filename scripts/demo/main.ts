// The demo behind `pnpm demo`: non-interactive, every step says what it does.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { codemodDryRun, type CodemodSummary } from './codemodDryRun.ts';
import { lintLegacy, type LintSummary } from './lintLegacy.ts';
import { say, step } from './run.ts';
import { serviceUnderStall, type StallSummary } from './serviceUnderStall.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const STEPS = 4;
const began = performance.now();

say('asyncguard demo: a knowledge-base service on Redis and LlamaIndex, before and after');
say('  before: examples/legacy-kb (sync file reads, a Redis client per request, no timeouts, I/O in the constructor)');
say('  after:  examples/knowledge-base (RedisManager, lazy init, budgets, offloaded processing, degraded search)');

step(1, STEPS, 'Lint legacy-kb', '@asyncguard/eslint-plugin, config "strict", no type information');
const lint: LintSummary = await lintLegacy(join(root, 'examples/legacy-kb/src/'));

step(2, STEPS, 'Codemod legacy-kb (dry run)', 'on a temporary copy; every edit is type-checked and a chain that breaks the build is rolled back (takes a few seconds)');
const codemod: CodemodSummary = await codemodDryRun(join(root, 'examples/legacy-kb'), join(root, 'tsconfig.base.json'));

const stall: StallSummary = await serviceUnderStall(root, join(root, 'examples/knowledge-base/src/main.ts'), STEPS);

say();
say('Summary');
const missing = lint.allRules.filter((r) => !lint.rules.includes(r));
say(`  lint:    ${lint.findings} findings in legacy-kb from ${lint.rules.length} of ${lint.allRules.length} rules${missing.length > 0 ? ` (no finding: ${missing.join(', ')})` : ''}`);
say(`  codemod: ${codemod.changes} changes proposed in ${codemod.files} file(s), ${codemod.rolledBack} chain(s) rolled back, ${codemod.stops} place(s) left for a human (dry run)`);
say(
  `  service: on ${stall.redisKind} Redis, during a stall ${stall.answered}/${stall.asked} requests answered, the slowest after ${Math.round(stall.worstMs)} ms ` +
    `(bound ${stall.boundMs} ms: ${stall.worstMs <= stall.boundMs ? 'met' : 'MISSED'}); ` +
    (stall.recoveredAfterMs === undefined ? 'writes did not recover' : `writes recovered ${Math.round(stall.recoveredAfterMs)} ms after it ended`),
);
const buildMs = Number(process.env['ASYNCGUARD_DEMO_BUILD_MS'] ?? 0);
say(`  took ${((performance.now() - began) / 1000).toFixed(1)} s${buildMs > 0 ? ` after a ${(buildMs / 1000).toFixed(1)} s build` : ''}. Next: pnpm test (every suite), pnpm bench kb (the before/after numbers).`);
