import { cp, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { colorDiff, runCodemod, unifiedDiff, useColor } from '@asyncguard/codemod';
import { say, wrap } from './run.ts';

export interface CodemodSummary {
  changes: number;
  byTransform: Record<string, number>;
  stops: number;
  rolledBack: number;
  files: number;
}

/**
 * Copies legacy-kb to a temp directory (its node_modules linked, so types resolve), runs every
 * transform as a dry run, and prints a summary, the chains it rolled back and why, the places left
 * for a human and a short diff.
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
    const report = await runCodemod({ project: join(copy, 'tsconfig.json'), cwd: copy, write: false, includeExports: true, allowDirty: true });
    const byTransform: Record<string, number> = {};
    for (const c of report.changes) byTransform[c.transform] = (byTransform[c.transform] ?? 0) + 1;
    say(`  ${report.changes.length} changes in ${report.files.length} file(s): ${Object.entries(byTransform).map(([t, n]) => `${t} ${n}`).join(', ')}`);
    for (const c of report.changes) say(`    ${c.file}:${c.line}:${c.column}  ${c.transform}: ${c.description}`);
    if (report.diagnosticsRolledBack.length > 0) say(`  ${report.diagnosticsRolledBack.length} change chain(s) rolled back: the edited program would not type-check`);
    for (const r of report.diagnosticsRolledBack) {
      const d = r.diagnostics[0];
      const why = d === undefined ? 'its edits overlap another change' : `TS${d.code}: ${d.message}`;
      say(`    ${r.file}:${r.line}:${r.column}  ${r.transform}: ${r.description}`);
      for (const line of wrap('      because ', why, '        ')) say(line);
    }
    if (report.stops.length > 0) say(`  ${report.stops.length} place(s) left for a human:`);
    for (const s of report.stops) for (const line of wrap(`    ${s.file}:${s.line}:${s.column}  `, s.reason, '      ')) say(line);
    const diff = report.files.map((f) => unifiedDiff(f.file, f.before, f.after)).join('\n');
    const lines = diff.split('\n');
    const shown = 40;
    say(`  diff (first ${Math.min(shown, lines.length)} of ${lines.length} lines; nothing was written):`);
    const head = lines.slice(0, shown).join('\n');
    const text = useColor({ isTTY: process.stdout.isTTY, env: process.env }) ? colorDiff(head) : head;
    for (const line of text.split('\n')) say(`    ${line}`);
    return { changes: report.changes.length, byTransform, stops: report.stops.length, rolledBack: report.diagnosticsRolledBack.length, files: report.files.length };
  } finally {
    await rm(copy, { recursive: true, force: true });
  }
}
