/** Prints one project's tables and returns the floor verdicts; prints the cross-project summary. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { byRule, matchFindings, median, ms, ratio, share } from './compare.js';
import type { ProcessRun } from './processes.js';
import type { Project } from './projects.js';
import { NFP, NMA, RT, type Crash, type Finding, type LintRun } from './types.js';

/** One round: the same typed run twice in fresh processes, once with each rule order. */
export interface TypedRound {
  oursFirst: LintRun;
  theirsFirst: LintRun;
}

export interface ProjectResult {
  project: Project;
  dir: string;
  files: string[];
  typed: TypedRound[];
  untyped: LintRun;
  /** Whole-process runs by label, in round order. */
  processes: { label: string; runs: ProcessRun[] }[];
}

export interface Verdict {
  project: string;
  /** Median over rounds of (no-missing-await ms / no-floating-promises ms) in the same run. */
  timeRatio: number;
  rtShare: { matched: number; typed: number; untypedOnly: number };
  nmaShare: { matched: number; typed: number; untypedOnly: number };
  crashes: number;
  fatals: number;
}

const LIST_CAP = 40;

function codeLine(dir: string, f: Finding, cache: Map<string, string[]>): string {
  let lines = cache.get(f.file);
  if (!lines) {
    lines = readFileSync(join(dir, f.file), 'utf8').split('\n');
    cache.set(f.file, lines);
  }
  return (lines[f.line - 1] ?? '').trim().slice(0, 140);
}

function listFindings(title: string, list: Finding[], dir: string, out: (s: string) => void): void {
  if (list.length === 0) return;
  const cache = new Map<string, string[]>();
  out(`  ${title}:\n`);
  for (const f of list.slice(0, LIST_CAP)) {
    out(`    ${`${f.file}:${f.line}:${f.column}`.padEnd(48)} ${codeLine(dir, f, cache)}\n${' '.repeat(53)}↳ ${f.message}\n`);
  }
  if (list.length > LIST_CAP) out(`    … and ${list.length - LIST_CAP} more\n`);
}

const uniqueCrashes = (crashes: Crash[]): Crash[] => [...new Map(crashes.map((c) => [`${c.file}|${c.rule}`, c])).values()];

export function printProject(r: ProjectResult, out: (s: string) => void): Verdict {
  const { project: p, typed, untyped } = r;
  const first = typed[0]!.oursFirst;
  const allTyped = typed.flatMap((t) => [t.oursFirst, t.theirsFirst]);
  out(`\n## ${p.name} — ${p.repo} @ ${p.commit.slice(0, 12)} (${r.files.length} files: ${p.files.join(', ')}${p.ignores.length ? ` minus ${p.ignores.join(', ')}` : ''})\n\n`);

  // Findings per rule, typed and untyped.
  const rules = [...new Set([...first.findings, ...untyped.findings].map((f) => f.rule))].sort();
  const oxPlugin = r.processes.find((x) => x.label === 'oxlint + plugin (untyped rules)')?.runs.find((x) => !x.error);
  out('| rule | typed | untyped | untyped ∩ typed | untyped only | oxlint JS plugin |\n| --- | ---: | ---: | ---: | ---: | ---: |\n');
  for (const rule of rules.filter((x) => x !== NFP)) {
    const t = byRule(first.findings, rule);
    const u = byRule(untyped.findings, rule);
    const m = matchFindings(t, u);
    const ox = oxPlugin ? String(oxPlugin.counts[rule] ?? 0) : '–';
    out(`| ${rule} | ${t.length} | ${u.length} | ${share(m.both.length, t.length)} | ${m.onlyB.length} | ${ox} |\n`);
  }
  out(`| ${NFP} (typescript-eslint) | ${byRule(first.findings, NFP).length} | – | – | – | – |\n`);
  if (allTyped.some((t) => t.findings.length !== first.findings.length)) {
    out(`  WARNING: typed findings differ between runs (${allTyped.map((t) => t.findings.length).join(', ')})\n`);
  }

  // Ours vs theirs, typed.
  const nfp = matchFindings(byRule(first.findings, NMA), byRule(first.findings, NFP));
  out(`\ntyped ${NMA} vs ${NFP} (same location = same file:line:column, else same file:line):\n`);
  out(`  same ${nfp.both.length} · only ours ${nfp.onlyA.length} · only theirs ${nfp.onlyB.length}\n`);
  listFindings('only theirs (no-floating-promises reports, no-missing-await does not)', nfp.onlyB, r.dir, out);
  listFindings('only ours', nfp.onlyA, r.dir, out);

  // Rule time side by side, same runs.
  const sum = (t: TypedRound, pick: (r: LintRun) => number): number => pick(t.oursFirst) + pick(t.theirsFirst);
  const oursOf = (r: LintRun): number => Object.entries(r.byRule).filter(([k]) => k.startsWith('@asyncguard/')).reduce((a, [, v]) => a + v, 0);
  const nmaMs = typed.map((t) => sum(t, (r) => r.byRule[NMA] ?? 0));
  const nfpMs = typed.map((t) => sum(t, (r) => r.byRule[NFP] ?? 0));
  const oursMs = typed.map((t) => sum(t, oursOf));
  const perRound = typed.map((_, i) => nmaMs[i]! / nfpMs[i]!);
  const timeRatio = median(perRound);
  const byOrder = (pick: (t: TypedRound) => LintRun, rule: string): string => ms(median(typed.map((t) => pick(t).byRule[rule] ?? 0)));
  out(`\nrule time in one typed ESLint run (both rules, same program; ${typed.length} rounds of two fresh runs, one per rule order; Σ of both runs):\n`);
  out('| | median | rounds | median when first | median when second |\n| --- | ---: | --- | ---: | ---: |\n');
  out(`| ${NMA} | ${ms(median(nmaMs))} | ${nmaMs.map((x) => x.toFixed(0)).join(', ')} | ${byOrder((t) => t.oursFirst, NMA)} | ${byOrder((t) => t.theirsFirst, NMA)} |\n`);
  out(`| ${NFP} | ${ms(median(nfpMs))} | ${nfpMs.map((x) => x.toFixed(0)).join(', ')} | ${byOrder((t) => t.theirsFirst, NFP)} | ${byOrder((t) => t.oursFirst, NFP)} |\n`);
  out(`| ratio ours/theirs (median of round ratios) | ${ratio(timeRatio)} | ${perRound.map((x) => x.toFixed(2)).join(', ')} | | |\n`);
  out(`| ratio of the medians | ${ratio(median(nmaMs) / median(nfpMs))} | | | |\n`);
  out(`| Σ all @asyncguard rules (typed config) | ${ms(median(oursMs))} | ${oursMs.map((x) => x.toFixed(0)).join(', ')} | | |\n`);
  out(`| Σ parse, one run (incl. program build) | ${ms(median(allTyped.map((r) => r.parseMs)))} | | | |\n`);
  out(`| Σ total per file, one run (ESLint stats) | ${ms(median(allTyped.map((r) => r.totalMs)))} | | | |\n`);
  out(`  untyped run (once): Σ @asyncguard rules ${ms(Object.entries(untyped.byRule).reduce((a, [, v]) => a + v, 0))}, Σ parse ${ms(untyped.parseMs)}, Σ total ${ms(untyped.totalMs)}\n`);

  // Whole-process times.
  if (r.processes.length) {
    out('\nwhole-process wall time (spawned, median of rounds):\n| run | median | rounds | findings | note |\n| --- | ---: | --- | ---: | --- |\n');
    for (const { label, runs } of r.processes) {
      const ok = runs.filter((x) => !x.error);
      const errors = [...new Set(runs.map((x) => x.error).filter(Boolean))];
      const findings = ok[0] ? Object.values(ok[0].counts).reduce((a, b) => a + b, 0) : NaN;
      out(`| ${label} | ${ok.length ? ms(median(ok.map((x) => x.wallMs))) : 'failed'} | ${runs.map((x) => (x.error ? 'err' : x.wallMs.toFixed(0))).join(', ')} | ${Number.isNaN(findings) ? '–' : findings} | ${errors.join(' / ').replace(/\s+/g, ' ').slice(0, 600)} |\n`);
    }
  }

  // Crashes.
  const crashes = uniqueCrashes([...allTyped.flatMap((r) => r.crashes), ...untyped.crashes]);
  const fatals = [...new Map([...first.fatals, ...untyped.fatals].map((f) => [`${f.file}|${f.message}`, f])).values()];
  out(`\ncrashes (rule exceptions): ${crashes.length}\n`);
  for (const c of crashes) out(`  ${c.file} ${c.rule ?? '(unknown rule)'}: ${c.message}\n`);
  if (fatals.length) {
    out(`fatal parse errors (setup problem, results incomplete): ${fatals.length}\n`);
    for (const f of fatals.slice(0, LIST_CAP)) out(`  ${f.file}: ${f.message}\n`);
  }

  const shareOf = (rule: string): Verdict['rtShare'] => {
    const m = matchFindings(byRule(first.findings, rule), byRule(untyped.findings, rule));
    return { matched: m.both.length, typed: m.both.length + m.onlyA.length, untypedOnly: m.onlyB.length };
  };
  return { project: p.name, timeRatio, rtShare: shareOf(RT), nmaShare: shareOf(NMA), crashes: crashes.length, fatals: fatals.length };
}

/** Prints the summary table and the floor check; returns whether every floor is met. */
export function printSummary(verdicts: Verdict[], out: (s: string) => void): boolean {
  const shareOk = (s: Verdict['rtShare']): boolean => s.typed === 0 || s.matched / s.typed >= 0.8;
  out('\n## Summary\n\n| project | no-missing-await / no-floating-promises time | untyped require-timeout | untyped no-missing-await | crashes |\n| --- | ---: | ---: | ---: | ---: |\n');
  for (const v of verdicts) {
    const s = (x: Verdict['rtShare']): string => `${share(x.matched, x.typed)}${x.untypedOnly ? ` +${x.untypedOnly} untyped-only` : ''}`;
    out(`| ${v.project} | ${ratio(v.timeRatio)} | ${s(v.rtShare)} | ${s(v.nmaShare)} | ${v.crashes}${v.fatals ? ` (+${v.fatals} fatal parse errors)` : ''} |\n`);
  }
  const floors: [string, boolean][] = [
    ['typed no-missing-await time ≤ 1.00× no-floating-promises on every repository', verdicts.every((v) => v.timeRatio <= 1)],
    ['untyped require-timeout finds ≥ 80 % of the typed findings on every repository', verdicts.every((v) => shareOk(v.rtShare))],
    ['untyped no-missing-await finds ≥ 80 % of the typed findings on every repository', verdicts.every((v) => shareOk(v.nmaShare))],
    ['0 crashes (and no fatal parse errors)', verdicts.every((v) => v.crashes === 0 && v.fatals === 0)],
  ];
  out('\nFloors:\n');
  for (const [name, ok] of floors) out(`  ${ok ? 'MET   ' : 'MISSED'} ${name}\n`);
  return floors.every(([, ok]) => ok);
}
