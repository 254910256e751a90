import { cp, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCodemod, unifiedDiff } from '@asyncguard/codemod';
import { say } from './run.ts';

export interface CodemodSummary {
  changes: number;
  byTransform: Record<string, number>;
  stops: number;
  files: number;
}

/**
 * Copies legacy-kb to a temp directory (its node_modules linked, so types resolve), runs every
 * transform as a dry run, and prints a summary, the places left for a human and a short diff.
 */
export async function codemodDryRun(packageDir: string, baseTsconfig: string): Promise<CodemodSummary> {
  const copy = await mkdtemp(join(tmpdir(), 'asyncguard-demo-legacy-kb-'));
  try {
    await cp(join(packageDir, 'src'), join(copy, 'src'), { recursive: true });
    await cp(join(packageDir, 'package.json'), join(copy, 'package.json'));
    await symlink(join(packageDir, 'node_modules'), join(copy, 'node_modules'), 'dir');
    await writeFile(
      join(copy, 'tsconfig.json'),
      JSON.stringify({ extends: baseTsconfig, compilerOptions: { noEmit: true, composite: false, declaration: false, declarationMap: false }, include: ['src'] }),
    );
    say(`  copy: ${copy} (the codemod loads the project with its types and re-checks every edit: this takes a little while)`);
    const report = await runCodemod({ project: join(copy, 'tsconfig.json'), cwd: copy, write: false, includeExports: true, allowDirty: true });
    const byTransform: Record<string, number> = {};
    for (const c of report.changes) byTransform[c.transform] = (byTransform[c.transform] ?? 0) + 1;
    say(
      `  ${report.changes.length} changes in ${report.files.length} file(s): ${Object.entries(byTransform)
        .map(([t, n]) => `${t} ${n}`)
        .join(', ')}; ${report.diagnosticsRolledBack.length} change chain(s) rolled back because they would not type-check`,
    );
    for (const c of report.changes.slice(0, 8)) say(`      ${c.file}:${c.line}  ${c.transform}: ${c.description}`);
    if (report.stops.length > 0) say(`  ${report.stops.length} place(s) left for a human:`);
    for (const s of report.stops) say(`      ${s.file}:${s.line}  ${s.reason}`);
    const diff = report.files.map((f) => unifiedDiff(f.file, f.before, f.after)).join('\n');
    const lines = diff.split('\n');
    const shown = 40;
    say(`  diff (first ${Math.min(shown, lines.length)} of ${lines.length} lines):`);
    for (const line of lines.slice(0, shown)) say(`    ${line}`);
    say('  (dry run: nothing was written)');
    return { changes: report.changes.length, byTransform, stops: report.stops.length, files: report.files.length };
  } finally {
    await rm(copy, { recursive: true, force: true });
  }
}
