// Runs the codemod CLI (a dry run of every transform: analyse, transform, type-check, print the
// unified diff) on the project in argv[3] with the build whose cli.js is argv[2], then prints one
// JSON line: this process's CPU time and peak RSS (high-water mark), the diff's size, and the
// report's counts (from --json). Spawned by index.ts, one process per measurement.
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [cliPath, dir] = process.argv.slice(2);
const { main } = await import(pathToFileURL(cliPath).href);
const json = join(tmpdir(), `asyncguard-codemod-size-${process.pid}.json`);
let diffBytes = 0;
let diffLines = 0;
const code = await main(['--project', dir, '--json', json], {
  cwd: dir,
  stdout: {
    write: (t) => {
      diffBytes += t.length;
      for (let i = t.indexOf('\n'); i >= 0; i = t.indexOf('\n', i + 1)) diffLines++;
      return true;
    },
  },
  stderr: { write: () => true },
});
const report = JSON.parse(readFileSync(json, 'utf8'));
rmSync(json, { force: true });
const usage = process.resourceUsage();
process.stdout.write(JSON.stringify({
  code,
  cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
  maxRssBytes: usage.maxRSS * 1024,
  diffBytes,
  diffLines,
  changes: report.changes.length,
  rolledBack: report.diagnosticsRolledBack.length,
  stops: report.stops.length,
}) + '\n');
