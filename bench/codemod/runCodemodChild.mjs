// Runs the codemod (analysis + transform + verification, dry run) on the project named in
// argv[2] in this process, then prints a one-line JSON summary. Spawned by index.ts.
import { runCodemod } from '@asyncguard/codemod';

const report = await runCodemod({ project: process.argv[2], transforms: ['sync-to-async'], includeExports: true });
const seeds = report.changes.filter((c) => /Sync →|existsSync →/.test(c.description)).length;
process.stdout.write(JSON.stringify({
  changes: report.changes.length,
  seeds,
  files: report.files.length,
  stops: report.stops.length,
  rolledBack: report.diagnosticsRolledBack.length,
}) + '\n');
