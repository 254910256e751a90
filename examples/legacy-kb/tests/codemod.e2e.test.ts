import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBehaviourSuite } from '@asyncguard-examples/kb-shared/behaviour';
import { runCodemod } from '@asyncguard/codemod';
import { closeAllRedisManagers } from '@asyncguard/runtime';
import { HashEmbedding } from '@asyncguard/testkit/llamaindex';

/**
 * End to end: the codemod converts a copy of legacy-kb, and the converted service must still
 * pass the behaviour suite both services pass. The copy lives in a temp directory whose
 * `node_modules` links to legacy-kb's, so it resolves its imports like the original.
 */
const packageDir = fileURLToPath(new URL('..', import.meta.url));
let copy: string;
let report: Awaited<ReturnType<typeof runCodemod>>;

beforeAll(async () => {
  copy = await mkdtemp(join(tmpdir(), 'legacy-kb-converted-'));
  await cp(join(packageDir, 'src'), join(copy, 'src'), { recursive: true });
  await cp(join(packageDir, 'package.json'), join(copy, 'package.json'));
  await symlink(join(packageDir, 'node_modules'), join(copy, 'node_modules'), 'dir');
  const base = fileURLToPath(new URL('../../../tsconfig.base.json', import.meta.url));
  await writeFile(join(copy, 'tsconfig.json'), JSON.stringify({ extends: base, compilerOptions: { noEmit: true, composite: false, declaration: false, declarationMap: false }, include: ['src'] }));
  report = await runCodemod({ project: join(copy, 'tsconfig.json'), cwd: copy, write: true, includeExports: true, allowDirty: true });
}, 240_000);

afterAll(async () => {
  // The converted code reaches Redis through the shared getRedisManager() registry: close it.
  await closeAllRedisManagers({ drainMs: 100 });
  if (copy !== undefined) await rm(copy, { recursive: true, force: true });
});

describe('codemod on legacy-kb', () => {
  it('converts the blocking calls and per-call clients, and stops at the constructor', async () => {
    const kinds = new Set(report.changes.map((c) => c.transform));
    expect(kinds).toContain('sync-to-async');
    expect(kinds).toContain('redis-manager');
    expect(report.written).toContain('src/KnowledgeBase.ts');
    expect(report.stops.some((s) => s.file === 'src/KnowledgeBase.ts' && /constructor/.test(s.reason))).toBe(true);
    const converted = await readFile(join(copy, 'src/KnowledgeBase.ts'), 'utf8');
    expect(converted).not.toMatch(/\b(readFileSync|existsSync)\(/);
    // The per-call clients now share one manager, still pointed at the service's Redis.
    expect(converted).toMatch(/getRedisManager\(\{\s*url: this\.redisUrl\s*\}\)/);
  });
});

runBehaviourSuite('legacy-kb converted by the codemod', async ({ redisUrl, documentsDir }) => {
  const converted = (await import(pathToFileURL(join(copy, 'src/index.ts')).href)) as {
    buildLegacyServer(options: { redisUrl: string; documentsDir: string; embedModel: HashEmbedding }): FastifyInstance;
  };
  return converted.buildLegacyServer({ redisUrl, documentsDir, embedModel: new HashEmbedding() });
});
