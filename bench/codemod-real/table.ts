/** The bench's printed result: a table per project with a total row, the floors, and the reasons. */
import { reasonGroup } from './attribution.ts';
import type { ProjectResult, Sample } from './project.ts';

export const MIN_CONVERTED = 0.9;

function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const secs = (v: number | undefined): string => (v === undefined ? 'n/a' : `${v.toFixed(2)} s`);
const mb = (v: number | undefined): string => (v === undefined ? 'n/a' : `${(v / 1024 ** 2).toFixed(0)} MB`);
const pct = (a: number, b: number): string => (b === 0 ? 'n/a' : `${((100 * a) / b).toFixed(1)}%`);

function medianOf(samples: readonly Sample[], key: 'seconds' | 'peakBytes'): number | undefined {
  return median(samples.map((s) => s[key]).filter((v): v is number => v !== undefined));
}

interface Counts { before: number; beforeSrc: number; beforeTest: number; after: number; converted: number; stopped: number; silent: number }

function counts(r: ProjectResult): Counts {
  const all = r.before.flatMap((s) => s.sites);
  const outcomes = r.attribution?.sites ?? [];
  return {
    before: all.length,
    beforeSrc: all.filter((s) => !s.test).length,
    beforeTest: all.filter((s) => s.test).length,
    after: [...r.after.values()].reduce((n, s) => n + s.sites.length, 0),
    converted: outcomes.filter((o) => o.outcome.kind === 'converted').length,
    stopped: outcomes.filter((o) => o.outcome.kind !== 'converted' && o.outcome.kind !== 'silent').length,
    silent: outcomes.filter((o) => o.outcome.kind === 'silent').length,
  };
}

function tests(r: ProjectResult): string {
  const b = r.testsBefore;
  const a = r.testsAfter;
  if (b === undefined) return 'n/a';
  const side = (t: typeof b): string => `${t.passed}✓ ${t.failed}✗`;
  return `${side(b)} → ${a ? side(a) : `no summary (exit ${String(r.testExit.after)})`}`;
}

export function floors(results: readonly ProjectResult[]): { label: string; met: boolean; value: string }[] {
  const c = results.map(counts);
  const before = c.reduce((n, x) => n + x.before, 0);
  const converted = c.reduce((n, x) => n + x.converted, 0);
  const silent = c.reduce((n, x) => n + x.silent, 0);
  const unparsable = results.reduce((n, r) => n + r.unparsable.length, 0);
  const regressed = results.filter((r) => r.regressed).map((r) => r.spec.name);
  const notIdempotent = results.filter((r) => r.idempotent === false).map((r) => r.spec.name);
  const errors = results.filter((r) => r.error !== undefined).map((r) => r.spec.name);
  return [
    { label: `>= ${MIN_CONVERTED * 100}% of in-scope sites converted`, met: before > 0 && converted / before >= MIN_CONVERTED, value: `${converted}/${before} = ${pct(converted, before)}` },
    { label: '0 sites silently left', met: silent === 0, value: String(silent) },
    { label: '0 unparsable files', met: unparsable === 0, value: String(unparsable) },
    { label: '0 test regressions', met: regressed.length === 0, value: regressed.length === 0 ? '0' : regressed.join(', ') },
    { label: 'idempotent everywhere', met: notIdempotent.length === 0, value: notIdempotent.length === 0 ? 'yes' : `no: ${notIdempotent.join(', ')}` },
    { label: 'every project ran', met: errors.length === 0, value: errors.length === 0 ? 'yes' : `no: ${errors.join(', ')}` },
  ];
}

export function printResults(results: readonly ProjectResult[], rounds: number): string {
  const lines: string[] = [];
  lines.push(`| project | lang | files | sites before (src+test) | after | converted | stopped | silent | unparsable | own tests before → after | new failures | idempotent | codemod (median of ${rounds}) | codemod peak | tsc --noEmit | codemod/tsc |`);
  lines.push('|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---|---:|---:|---:|---:|');
  const total: Counts = { before: 0, beforeSrc: 0, beforeTest: 0, after: 0, converted: 0, stopped: 0, silent: 0 };
  for (const r of results) {
    const c = counts(r);
    for (const k of Object.keys(total) as (keyof Counts)[]) total[k] += c[k];
    // A codemod that refused the project (exit 2/3) has no time worth comparing.
    const ran = r.timing.codemod.filter((s) => s.exitCode === 0 || s.exitCode === 1);
    const codemod = medianOf(ran, 'seconds');
    const tsc = medianOf(r.timing.tsc, 'seconds');
    const peak = ran.map((s) => s.peakBytes ?? 0).reduce((a, b) => Math.max(a, b), 0) || undefined;
    const lang = `${r.spec.language}/${r.spec.module}`;
    if (r.error !== undefined) {
      lines.push(`| ${r.spec.name} | ${lang} | ${r.scopeFiles} | ${c.before} (${c.beforeSrc}+${c.beforeTest}) | — | — | — | — | — | ERROR: see below | — | — | — | — | — | — |`);
      continue;
    }
    lines.push(`| ${r.spec.name} | ${lang} | ${r.scopeFiles} | ${c.before} (${c.beforeSrc}+${c.beforeTest}) | ${c.after} | ${c.converted} (${pct(c.converted, c.before)}) | ${c.stopped} | ${c.silent} | ${r.unparsable.length} | ${tests(r)} | ${r.newFailures.length}${r.regressed ? ' REGRESSED' : ''} | ${r.idempotent === undefined ? 'n/a' : r.idempotent ? 'yes' : 'NO'} | ${ran.length === 0 && r.timing.codemod.length > 0 ? `exit ${String(r.timing.codemod[0]!.exitCode)}` : secs(codemod)} | ${mb(peak)} | ${secs(tsc)} | ${codemod !== undefined && tsc ? `${(codemod / tsc).toFixed(2)}x` : 'n/a'} |`);
  }
  lines.push(`| **total** | | ${results.reduce((n, r) => n + r.scopeFiles, 0)} | ${total.before} (${total.beforeSrc}+${total.beforeTest}) | ${total.after} | ${total.converted} (${pct(total.converted, total.before)}) | ${total.stopped} | ${total.silent} | ${results.reduce((n, r) => n + r.unparsable.length, 0)} | | ${results.reduce((n, r) => n + r.newFailures.length, 0)} | | | | | |`);
  lines.push('');
  for (const f of floors(results)) lines.push(`floor: ${f.label}: ${f.met ? 'met' : 'MISSED'} (${f.value})`);
  lines.push('');

  // Why the sites that were not converted stayed, grouped by reason kind.
  const groups = new Map<string, { count: number; examples: string[] }>();
  for (const r of results) {
    for (const { site, outcome } of r.attribution?.sites ?? []) {
      if (outcome.kind === 'converted') continue;
      const key = outcome.kind === 'silent' ? 'silent: no stop, skip or rollback in the report explains it' : `${outcome.kind}: ${reasonGroup(outcome.reason)}`;
      const g = groups.get(key) ?? { count: 0, examples: [] };
      g.count++;
      const at = 'at' in outcome ? ` (stop at ${outcome.at})` : '';
      if (g.examples.length < 3) g.examples.push(`${r.spec.name}/${site.file}:${site.line} ${site.api}${at}`);
      groups.set(key, g);
    }
  }
  lines.push('Sites left as they were, grouped by why:');
  if (groups.size === 0) lines.push('  (none)');
  for (const [key, g] of [...groups].sort((a, b) => b[1].count - a[1].count)) lines.push(`  ${String(g.count).padStart(4)}  ${key}\n        e.g. ${g.examples.join('; ')}`);
  lines.push('');

  const allStops = new Map<string, number>();
  const bump = (key: string): void => { allStops.set(key, (allStops.get(key) ?? 0) + 1); };
  for (const r of results) {
    for (const s of r.report?.stops ?? []) bump(`${s.transform ?? '?'}: ${reasonGroup(s.reason)}`);
    for (const rb of r.report?.diagnosticsRolledBack ?? []) {
      const d = rb.diagnostics?.[0];
      bump(`rolled back: ${d ? `TS${d.code} ${reasonGroup(d.message)}` : reasonGroup(rb.description)}`);
    }
  }
  lines.push('Every stop and rollback in the codemod reports (all transforms), grouped:');
  if (allStops.size === 0) lines.push('  (none)');
  for (const [reason, n] of [...allStops].sort((a, b) => b[1] - a[1])) lines.push(`  ${String(n).padStart(4)}  ${reason}`);
  lines.push('');

  for (const r of results) {
    const notes: string[] = [];
    if (r.error !== undefined) notes.push(`error: ${r.error}`);
    if (r.codemodExit !== undefined && r.codemodExit !== 0 && r.codemodExit !== 1) notes.push(`codemod exit ${String(r.codemodExit)}: ${r.codemodMessage ?? ''}`);
    if (r.regressed) {
      notes.push(`REGRESSION: passing ${r.testsBefore?.passed ?? '?'} → ${r.testsAfter?.passed ?? '?'}; newly failing: ${r.newFailures.join(' | ') || '(no names)'}`);
      notes.push(`changed files: ${r.changedFiles.join(', ')}`);
    }
    if (r.unparsable.length > 0) notes.push(`unparsable after the codemod: ${r.unparsable.join(', ')}`);
    if (r.idempotent === false) notes.push(`second run changed: ${r.secondRunFiles.join(', ')}`);
    const silent = (r.attribution?.sites ?? []).filter((s) => s.outcome.kind === 'silent').map((s) => `${s.site.file}:${s.site.line} ${s.site.api}`);
    if (silent.length > 0) notes.push(`silently left: ${silent.slice(0, 12).join(', ')}${silent.length > 12 ? ` … (+${silent.length - 12})` : ''}`);
    if (r.attribution && r.attribution.claimedButPresent.length > 0) notes.push(`reported converted but still there: ${r.attribution.claimedButPresent.join(', ')}`);
    if (r.attribution && r.attribution.unreportedRemovals.length > 0) notes.push(`gone without a report entry: ${r.attribution.unreportedRemovals.join(', ')}`);
    if (r.testsBefore && r.testsBefore.failed > 0) notes.push(`baseline failures (${r.testsBefore.failed}): ${r.testsBefore.failures.slice(0, 5).join(' | ')}${r.testsBefore.failures.length > 5 ? ' …' : ''}`);
    if (r.timing.write) notes.push(`write run ${secs(r.timing.write.seconds)}, ${mb(r.timing.write.peakBytes)}; ${r.changedFiles.length} file(s) changed`);
    if (notes.length > 0) lines.push(`${r.spec.name}:\n  ${notes.join('\n  ')}`);
  }
  return `${lines.join('\n')}\n`;
}
