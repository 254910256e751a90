/**
 * One lint run in a fresh process (no parser or type-checker cache carries over between rounds):
 * reads a LintJob as JSON on stdin, lints its files one by one with ESLint's `stats` on (so a rule
 * that throws costs one file, not the run) and prints a LintRun as JSON on stdout.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ESLint, type Linter } from 'eslint';
import { buildConfig } from './eslintConfig.mjs';
import type { LintJob, LintRun } from './types.js';

const job = JSON.parse(readFileSync(0, 'utf8')) as LintJob;
const plugin = ((await import(pathToFileURL(job.plugin).href)) as { default: unknown }).default;
const tseslint = ((await import(pathToFileURL(job.tseslint).href)) as { default: unknown }).default;
const config = buildConfig({ ...job, plugin, tseslint }) as Linter.Config[];
const eslint = new ESLint({ cwd: job.rootDir, overrideConfigFile: true, overrideConfig: config, stats: true, cache: false, errorOnUnmatchedPattern: false });

const run: LintRun = { files: 0, wallMs: 0, parseMs: 0, totalMs: 0, byRule: {}, findings: [], crashes: [], fatals: [] };
const started = performance.now();
for (const file of job.files) {
  let results: ESLint.LintResult[];
  try {
    results = await eslint.lintFiles([join(job.rootDir, file)]);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // ESLint appends `Occurred while linting <file>:<line>` and `Rule: "<id>"` to a rule's throw.
    const rule = /Rule: "([^"]+)"/.exec(message)?.[1] ?? null;
    run.crashes.push({ file, rule, message: message.split('\n').slice(0, 3).join(' | ') });
    continue;
  }
  for (const result of results) {
    run.files++;
    for (const m of result.messages) {
      if (m.fatal) run.fatals.push({ file, message: m.message });
      else if (m.ruleId) run.findings.push({ rule: m.ruleId, file, line: m.line, column: m.column, message: m.message.slice(0, 120) });
    }
    for (const pass of result.stats?.times.passes ?? []) {
      run.parseMs += pass.parse?.total ?? 0;
      run.totalMs += pass.total;
      for (const [rule, time] of Object.entries(pass.rules ?? {})) run.byRule[rule] = (run.byRule[rule] ?? 0) + time.total;
    }
  }
}
run.wallMs = performance.now() - started;
process.stdout.write(`${JSON.stringify(run)}\n`);
